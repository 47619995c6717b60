"""Long jobs show progress on a terminal, stay quiet otherwise; the eval set states its size."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from conftest import REPO
from terminal import read_terminal


def _run(argv: list[str], tty: bool) -> tuple[int, str, str]:
    """Run the CLI with stderr on a pseudo-terminal (``tty``) or a pipe; (rc, stdout, stderr)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "crampdetect", *argv]
    if not tty:
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
        return done.returncode, done.stdout, done.stderr
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 100 columns
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=child, env=env)
    os.close(child)
    drawn = read_terminal(main)
    out = proc.stdout.read().decode() if proc.stdout else ""
    proc.wait(timeout=300)
    if proc.stdout:
        proc.stdout.close()
    os.close(main)
    return proc.returncode, out, drawn.decode(errors="replace")


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("progress") / "night.csv"
    rc, _, _ = _run(["simulate", "night-short", "--out", str(path), "--duration", "120"], tty=False)
    assert rc == 0
    return path


@pytest.mark.parametrize("command", ["simulate", "detect", "replay"])
def test_progress_on_a_terminal_only(night: Path, tmp_path: Path, command: str) -> None:
    def argv(n: int) -> list[str]:
        if command == "simulate":
            return [
                "simulate",
                "night-short",
                "--duration",
                "120",
                "--out",
                str(tmp_path / f"{n}.csv"),
            ]
        return [command, str(night)]

    rc, _, err = _run(argv(1), tty=True)
    assert rc == 0 and re.search(r"\d+(\.\d+)? s signal", err), err  # a tqdm bar: "... s signal"
    rc, _, err = _run([*argv(2), "--quiet"], tty=True)
    assert rc == 0 and "s signal" not in err
    rc, _, err = _run(argv(3), tty=False)
    assert rc == 0 and err == ""


def test_eval_set_states_its_size_first(tmp_path: Path) -> None:
    out = tmp_path / "set"
    rc, _, err = _run(
        ["simulate", "--eval-set", str(out), "--hours", "0.3", "--jobs", "1"], tty=False
    )
    assert rc == 0
    m = re.search(r"writing (\d+) recordings, ([\d.]+) h of signal, about (\d+) MB", err)
    assert m, err
    files = sorted(out.glob("*.csv"))
    assert len(files) == int(m.group(1))
    written = sum(f.stat().st_size for f in files)
    assert float(m.group(3)) == pytest.approx(written / 1e6, rel=0.15)
