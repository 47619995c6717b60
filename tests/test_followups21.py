"""What a new user met in the session-21 tryout: a night that crashes keeps how long it ran,
..."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from conftest import run_cli


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_a_night_killed_mid_session_keeps_how_long_it_ran(tmp_path):
    """A quiet night (no cramp, no record) killed with SIGKILL: the history, its summary and
    its export say how long it ran, not 0 s."""
    db = tmp_path / "history.sqlite3"
    env = {**os.environ, "CRAMPDETECT_HOME": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "crampdetect", "monitor", "sim://night-short?seed=3&speed=20&duration=1800",
         "--no-view", "--history"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    seen = None
    try:
        deadline = time.monotonic() + 45  # the stream lasts 90 s of wall clock
        while seen is None and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
            if db.exists():
                with sqlite3.connect(db) as conn:
                    try:
                        row = conn.execute("SELECT duration_s FROM sessions").fetchone()
                    except sqlite3.OperationalError:  # the schema is being built
                        row = None
                seen = None if row is None else row[0]
        assert proc.poll() is None, "the monitor ended before it was killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert seen is not None and seen >= 60.0, "the running session never wrote its length"

    listing = run_cli("history", home=tmp_path)
    assert listing.returncode == 0, listing.stderr
    line = next(x for x in listing.stdout.splitlines() if "(interrupted)" in x)
    assert " 0 s " not in line and "min" in line
    summary = run_cli("summary", home=tmp_path)
    assert "monitored 0 s" not in summary.stdout, summary.stdout
    run_cli("history", "--export", tmp_path / "h.json", home=tmp_path)
    (session,) = json.loads((tmp_path / "h.json").read_text())["sessions"]
    assert session["ended_at"] is None and session["duration_s"] >= seen
