"""Hostile inputs are refused cheaply: wall time and peak RSS of each refusal, per command.

Run: ``PYTHONPATH=. python benchmarks/bench_hostile.py`` (results: benchmarks/hostile.md).
Each command runs as its own process under ``/usr/bin/time`` (interpreter start-up included).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path


def _inputs(root: Path) -> dict[str, Path]:
    wide = root / "wide.csv"  # 10^7 columns: ~60 MB header and two ~40 MB rows
    with open(wide, "wb") as fh:
        fh.write(b"time_s" + b",c" * 10**7 + b"\n")
        for t in (b"0", b"0.001"):
            fh.write(t + b",1" * 10**7 + b"\n")
    endless = root / "no_newline.csv"
    with open(endless, "wb") as fh:
        fh.write(b"time_s,a\n0,1\n0.001,")
        fh.write(b"7" * 50_000_000)
    fifo = root / "fifo.csv"
    os.mkfifo(fifo)
    zero = Path("/dev/zero")
    return {"10^7 columns": wide, "50 MB line": endless, "FIFO": fifo, "/dev/zero": zero}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        print("| input | size | command | exit | wall (s) | peak RSS (MB) | message |")
        print("|---|---:|---|---:|---:|---:|---|")
        for name, path in _inputs(root).items():
            size = path.stat().st_size if path.is_file() else 0
            for command in ("detect", "replay", "convert"):
                argv = [sys.executable, "-m", "crampdetect", command, str(path)]
                if command == "convert":
                    argv.append(str(root / f"out_{command}.csv"))
                proc = subprocess.run(
                    ["/usr/bin/time", "-f", "%e %M", *argv],
                    capture_output=True,
                    text=True,
                    timeout=120,
                )
                *lines, timing = proc.stderr.strip().splitlines()
                wall, rss = timing.split()
                errors = [ln for ln in lines if "error: " in ln]
                message = errors[0].split("error: ", 1)[1][:70] if errors else ""
                print(
                    f"| {name} | {size / 1e6:.0f} MB | {command} | {proc.returncode} | {wall} "
                    f"| {int(rss) / 1024:.0f} | {message} |"
                )


if __name__ == "__main__":
    main()
