"""Helpers for the firmware-in-the-loop tests: build the Uno ELF and the simavr harness once per
session, run the harness, and read its event lines (``PTY``, ``HOST``, ``MOTOR``, ``STATS``).

Tests skip when the AVR toolchain or simavr is missing, and fail instead when
``CRAMPDETECT_REQUIRE_FIRMWARE=1`` (as in CI).
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VREF_MV = 5000


def mv_to_counts(mv: int) -> int:
    """ADC code simavr 1.6 returns for ``mv`` (it scales by 1023, not 1024, and clips)."""
    return min(mv * 1023 // VREF_MV, 1023)


def require_toolchain() -> None:
    missing = [
        t for t in ("avr-gcc", "avr-g++", "avr-size", "avr-nm", "gcc") if shutil.which(t) is None
    ]
    if not Path("/usr/include/simavr/sim_avr.h").exists():
        missing.append("libsimavr-dev")
    if not Path("/usr/share/arduino/hardware/arduino/avr/cores/arduino").exists():
        missing.append("arduino-core-avr")
    if missing:
        message = f"firmware toolchain missing: {', '.join(missing)}"
        if os.environ.get("CRAMPDETECT_REQUIRE_FIRMWARE") == "1":
            pytest.fail(message + " (CRAMPDETECT_REQUIRE_FIRMWARE=1)")
        pytest.skip(message + " (run firmware_bridge/install-toolchain.sh)")


@dataclass
class Build:
    elf: Path
    harness: Path
    flash_bytes: int
    ram_bytes: int


_built: list[Build] = []  # one build per test session, shared by the firmware test modules


def build_all(out: Path) -> Build:
    """Build the Uno ELF and the harness under ``out`` (once per session)."""
    require_toolchain()
    if _built and _built[0].elf.exists() and _built[0].harness.exists():
        return _built[0]
    fw = subprocess.run(
        ["sh", str(ROOT / "firmware_bridge/uno/build.sh"), str(out / "uno")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert fw.returncode == 0, fw.stdout + fw.stderr
    sim = subprocess.run(
        ["sh", str(ROOT / "firmware_bridge/sim/build.sh"), str(out / "sim")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert sim.returncode == 0, sim.stdout + sim.stderr
    size = re.search(r"SIZE flash=(\d+) ram=(\d+)", fw.stdout)
    assert size, fw.stdout
    build = Build(
        out / "uno/crampdetect_uno.elf",
        out / "sim/cd_harness",
        int(size.group(1)),
        int(size.group(2)),
    )
    _built[:] = [build]
    return build


@dataclass
class Harness:
    """A running cd_harness process; its stdout lines are collected by a reader thread."""

    proc: subprocess.Popen
    lines: queue.Queue = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)
    pty: str = ""  # slave path, once the PTY line was read

    @classmethod
    def start(cls, build: Build, *args: str) -> Harness:
        proc = subprocess.Popen(
            [str(build.harness), str(build.elf), *args],
            stdin=subprocess.DEVNULL,  # never pytest's terminal or pipe
            stdout=subprocess.PIPE,  # drained by the reader thread at once
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
            start_new_session=True,  # its pty and signals stay out of pytest's session
        )
        harness = cls(proc)
        threading.Thread(target=harness._pump, daemon=True).start()
        return harness

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        with self.proc.stdout:
            for line in self.proc.stdout:
                self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_for(self, prefix: str, timeout: float) -> str:
        """Next line starting with ``prefix`` (earlier lines are kept in :attr:`seen`)."""
        end = time.monotonic() + timeout
        while (left := end - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                raise AssertionError(f"harness exited before {prefix!r}: {self.seen[-5:]}")
            self.seen.append(line)
            if line.startswith(prefix):
                return line
        raise AssertionError(f"no {prefix!r} line within {timeout} s; last lines {self.seen[-5:]}")

    def finish(self, timeout: float = 60) -> dict[str, float]:
        """Wait for the run to end (or stop it) and return the STATS fields."""
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            self.proc.wait(10)
        stats = self.wait_for("STATS", 10)
        return {k: float(v) for k, v in (kv.split("=") for kv in stats.split()[1:])}

    def events(self, kind: str) -> list[tuple[int, float]]:
        """(value, simulated s) of every ``kind`` line seen so far: ``MOTOR 1 t=..`` gives
        (1, t); ``HOST t=.. n=..`` gives (n, t)."""
        out = []
        for line in self.seen:
            if line.startswith(kind + " "):
                parts = line.split()[1:]
                fields = dict(p.split("=") for p in parts if "=" in p)
                value = int(parts[0]) if "=" not in parts[0] else int(fields.get("n", 0))
                out.append((value, float(fields["t"])))
        return out

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
