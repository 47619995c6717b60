"""A simulated board started before the monitor is created: the board thread must not import
scipy while the monitor's constructor imports it too (two threads importing one package fail,
``KeyError: 'scipy'``, and the simulated stream ends early). Each check runs in a fresh
interpreter: in the test process scipy is long imported and the race cannot happen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SIM_FIRST = """
from crampdetect.ingest.sources import open_source
from crampdetect.pipeline.live import LiveMonitor
source = open_source("sim://cramp?speed=0&duration=20&seed=2")
with source:  # the board thread starts here
    monitor = LiveMonitor(source, "night")  # imports scipy.ndimage (onset.preload)
    monitor.run()
print("received", round(monitor.received_s, 1))
"""

PTY_FIRST = """
import os
import select
import tempfile
import time
from pathlib import Path
from crampdetect.ingest.ptyboard import PtyBoard
from crampdetect.ingest.sim import BoardEmulator
from crampdetect.simulate import simulate
session = simulate("cramp", duration_s=5.0, seed=2)
with tempfile.TemporaryDirectory() as tmp:
    board = PtyBoard(session.iter_chunks(0.05), BoardEmulator(1000, 2, 10, "raw"),
                     Path(tmp) / "tty", speed=0)
    board.start()
    import scipy.ndimage  # the host's own import, while the board plays
    fd = os.open(board.path, os.O_RDONLY | os.O_NOCTTY)
    deadline = time.monotonic() + 60
    while not board.finished.is_set() and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.05)[0]:
            os.read(fd, 65536)
    assert board.finished.is_set(), "board did not finish"
    os.close(fd)
    board.close()
print("received", 5.0)
"""


def _run(code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )


@pytest.mark.parametrize("attempt", range(2))
def test_a_monitor_created_after_the_sim_board_started_gets_the_whole_stream(attempt):
    done = _run(SIM_FIRST)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "KeyError" not in done.stderr and "simulator failed" not in done.stderr
    assert "received 20.0" in done.stdout, done.stderr[-2000:]


@pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")
def test_a_pty_board_started_before_the_host_imports_scipy_plays_to_the_end():
    done = _run(PTY_FIRST)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
