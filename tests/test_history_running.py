"""`crampdetect history` tells a session still being monitored (running) from one that was
not closed (interrupted): the monitor writes a heartbeat into its session's row of the real
SQLite history; a session not closed whose heartbeat went stale was interrupted."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from conftest import run_cli

from crampdetect.storage import recorder as recorder_mod
from crampdetect.storage.history import ALIVE_EVERY_S, ALIVE_STALE_S, History
from crampdetect.storage.recorder import SessionRecorder


def _mark(listing: str) -> list[str]:
    """The marks of the session lines of a ``history`` listing."""
    rows = listing.splitlines()[1:]
    return [
        "running" if "(running)" in r else "interrupted" if "(interrupted)" in r else "closed"
        for r in rows
    ]


@pytest.mark.skipif(os.name != "posix", reason="SIGTERM, SIGKILL are POSIX")
def test_a_running_monitor_lists_as_running_then_closed_or_interrupted(tmp_path):
    db = tmp_path / "history.sqlite3"
    env = {**os.environ, "CRAMPDETECT_HOME": str(tmp_path)}
    argv = [sys.executable, "-m", "crampdetect", "monitor", "sim://training?seed=1&speed=1",
            "--no-view", "--history"]  # fmt: skip
    for how in ("term", "kill"):
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        try:
            deadline = time.monotonic() + 60
            n = 0
            while proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.3)
                if db.exists():
                    with sqlite3.connect(db) as conn:
                        try:
                            n = conn.execute(
                                "SELECT count(*) FROM sessions WHERE ended_at IS NULL"
                            ).fetchone()[0]
                        except sqlite3.OperationalError:  # the schema is being built
                            n = 0
                if n:
                    break
            assert n == 1 and proc.poll() is None, "the monitor never started its session"
            listing = run_cli("history", home=tmp_path)
            assert listing.returncode == 0, listing.stderr
            assert _mark(listing.stdout)[-1] == "running", listing.stdout
            summary = run_cli("summary", "--training", home=tmp_path)
            assert "interrupted" not in summary.stdout and "without closing" not in summary.stdout
            proc.send_signal(signal.SIGTERM if how == "term" else signal.SIGKILL)
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    marks = _mark(run_cli("history", home=tmp_path).stdout)
    assert marks == ["closed", "running"]  # killed a moment ago: its heartbeat is fresh
    with sqlite3.connect(db) as conn:  # ALIVE_STALE_S later, nothing more heard from it
        conn.execute("UPDATE sessions SET alive_at = alive_at - ?", (ALIVE_STALE_S + 1,))
    assert _mark(run_cli("history", home=tmp_path).stdout) == ["closed", "interrupted"]


class _Clock:
    def __init__(self) -> None:
        self.mono, self.wall = 1000.0, 1.8e9

    def monotonic(self) -> float:
        return self.mono

    def time(self) -> float:
        return self.wall


def test_the_heartbeat_is_written_on_the_wall_clock_even_when_the_stream_stalls(
    tmp_path, monkeypatch
):
    clock = _Clock()
    monkeypatch.setattr(recorder_mod, "time", clock)
    with History(tmp_path / "h.sqlite3") as h:
        rec = SessionRecorder(h, "night", ["calf"], started_at=dt.datetime(2026, 12, 7, 23))
        (row,) = h.sessions()
        assert row["alive_at"] == clock.wall and h.running(row, now=clock.wall)
        for _ in range(5):  # the stream stalls at 12 s; the monitor goes on passing
            clock.mono += ALIVE_EVERY_S / 2
            clock.wall += ALIVE_EVERY_S / 2
            rec.seen(12.0)
        (row,) = h.sessions()
        assert row["alive_at"] >= clock.wall - ALIVE_EVERY_S
        assert h.running(row, now=clock.wall + ALIVE_STALE_S - ALIVE_EVERY_S)
        assert not h.running(row, now=row["alive_at"] + ALIVE_STALE_S + 1)
        rec.close(12.0)
        (row,) = h.sessions()
        assert not h.running(row, now=clock.wall)  # closed: neither running nor interrupted
