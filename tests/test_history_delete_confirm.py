"""``history --delete-session`` asks like ``--delete``: ``--yes``, or "y" typed at a terminal."""

from __future__ import annotations

import datetime as dt
import os
import pty
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from terminal import read_terminal

from crampdetect.storage.history import History
from crampdetect.storage.paths import HOME_ENV, history_path
from crampdetect.storage.recorder import SessionRecorder

TZ = dt.timezone(dt.timedelta(hours=1))


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    with History(history_path()) as h:
        for day in (20, 21):
            start = dt.datetime(2026, 11, day, 23, 0, tzinfo=TZ)
            rec = SessionRecorder(h, "night", ["left", "right"], "sim://night", start)
            rec.close(3600.0)
    return tmp_path / "home"


def _ids() -> list[int]:
    """The sessions in the history file, read with sqlite3 itself."""
    with sqlite3.connect(history_path()) as conn:
        return [r[0] for r in conn.execute("SELECT id FROM sessions ORDER BY id")]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crampdetect", *args], capture_output=True, text=True, timeout=120
    )


def _at_terminal(answer: bytes, *args: str) -> tuple[int, str]:
    """Run the CLI on a real pseudo-terminal, typing ``answer`` when it asks."""
    main, child = pty.openpty()
    cmd = [sys.executable, "-m", "crampdetect", *args]
    proc = subprocess.Popen(cmd, stdin=child, stdout=child, stderr=child)
    os.close(child)
    asked = False

    def answer_once(seen: bytes) -> None:
        nonlocal asked
        if not asked and b"[y/N]" in seen:
            os.write(main, answer)
            asked = True

    seen = read_terminal(main, answer_once)
    os.close(main)
    rc = proc.wait(timeout=120)
    assert asked, seen.decode(errors="replace")
    return rc, seen.decode(errors="replace")


def test_delete_session_without_yes_is_refused_off_a_terminal(home) -> None:
    first, second = _ids()
    res = _cli("history", "--delete-session", str(first))
    assert res.returncode == 2 and "without --yes" in res.stderr
    assert _ids() == [first, second]
    res = _cli("history", "--delete-session", str(first), "--yes")
    assert res.returncode == 0, res.stderr
    assert _ids() == [second]


def test_delete_session_asks_at_a_terminal(home) -> None:
    first, second = _ids()
    rc, text = _at_terminal(b"n\n", "history", "--delete-session", str(first))
    assert rc == 1 and f"Delete session {first} (night, 2026-11-20 23:00)?" in text
    assert "Nothing deleted." in text and _ids() == [first, second]
    rc, text = _at_terminal(b"y\n", "history", "--delete-session", str(first))
    assert rc == 0 and f"Deleted session {first}." in text
    assert _ids() == [second]


def test_delete_asks_at_a_terminal_too(home) -> None:
    rc, text = _at_terminal(b"y\n", "history", "--delete")
    assert rc == 0 and "Delete 2 sessions?" in text and "Deleted 2 sessions." in text
    assert _ids() == []
