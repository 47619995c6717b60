"""History that counts right: duplicates recognised, dates right, clean exports, real lengths."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from crampdetect.cli import main
from crampdetect.core import Event
from crampdetect.storage.history import _V1, _V2, SCHEMA_VERSION, History
from crampdetect.storage.recorder import SessionRecorder

TZ = dt.timezone(dt.timedelta(hours=1))
RESULT = {
    "input": {"channels": ["calf_left", "calf_right"], "duration_s": 600.0},
    "events": [
        {
            "channel": "calf_left",
            "kind": "cramp",
            "onset_s": 22.274999999999977,
            "alert_s": 25.100000000000001,
            "end_s": 70.80000000000003,
            "confidence": 0.6,
        }
    ],
    "quality": [],
}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CRAMPDETECT_HOME", str(tmp_path / "home"))
    path = tmp_path / "night.json"
    path.write_text(json.dumps(RESULT))
    return tmp_path


def _history(home: Path) -> History:
    from crampdetect.storage.history import open_history

    return open_history()


def test_the_same_recording_imported_twice_is_recognised(home: Path, capsys) -> None:
    first = ["history", "--import", str(home / "night.json"), "--started", "2026-11-20T23:10"]
    assert main(first) == 0
    shutil.copy(home / "night.json", home / "renamed.json")  # same content, another name
    again = ["history", "--import", str(home / "renamed.json"), "--started", "2026-11-21T23:10"]
    capsys.readouterr()
    assert main(again) == 0
    assert "Already imported: session 1" in capsys.readouterr().out
    other = dict(RESULT, events=[])
    (home / "other.json").write_text(json.dumps(other))
    assert main(["history", "--import", str(home / "other.json")]) == 0
    with _history(home) as h:
        sessions = h.sessions()
        assert len(sessions) == 2
        assert sum(len(h.records("cramps", s["id"])) for s in sessions) == 1


@pytest.mark.parametrize(
    ("profile", "started", "filed"),
    [
        ("night", "2026-11-21T01:30+01:00", "2026-11-20"),  # after midnight: the evening before
        ("night", "2026-11-20T22:45+01:00", "2026-11-20"),
        ("training", "2026-11-21T07:30+01:00", "2026-11-21"),  # a morning run: its own date
        ("training", "2026-11-21T19:00+01:00", "2026-11-21"),
    ],
)
def test_sessions_are_filed_under_the_right_date(home, profile, started, filed) -> None:
    argv = ["history", "--import", str(home / "night.json"), "--started", started]
    assert main([*argv, "--profile", profile]) == 0
    with _history(home) as h:
        (s,) = h.sessions()
        assert (s["profile"], s["night"]) == (profile, filed)


def test_migration_files_old_training_sessions_under_their_own_date(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite3"
    conn = sqlite3.connect(path)
    for sql in (*_V1, *_V2):
        conn.execute(sql)
    conn.execute(
        "INSERT INTO sessions (started_at, night, profile) VALUES (?, ?, ?)",
        ("2026-11-21T07:30:00+01:00", "2026-11-20", "training"),
    )
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    with History(path) as h:
        (s,) = h.sessions()
        assert s["night"] == "2026-11-21" and h.schema_version == SCHEMA_VERSION


def test_exports_are_clean(home: Path) -> None:
    assert main(["history", "--import", str(home / "night.json")]) == 0
    assert main(["history", "--export", str(home / "out.json")]) == 0
    assert main(["history", "--export", str(home / "out.csv")]) == 0
    (session,) = json.loads((home / "out.json").read_text())["sessions"]
    assert session["channels"] == ["calf_left", "calf_right"]  # data, not a JSON string
    (cramp,) = session["cramps"]
    assert (cramp["onset_s"], cramp["alert_s"], cramp["duration_s"]) == (22.275, 25.1, 48.525)
    assert cramp["recurrence"] is False

    def numbers(obj):
        if isinstance(obj, dict):
            for v in obj.values():
                yield from numbers(v)
        elif isinstance(obj, list):
            for v in obj:
                yield from numbers(v)
        elif isinstance(obj, float):
            yield obj

    assert all(round(x, 3) == x for x in numbers(session))
    rows = list(csv.DictReader((home / "out.csv").read_text().splitlines()))
    assert [r["start_s"] for r in rows] == ["0.0", "22.275"]
    cells = [c for r in rows for k, c in r.items() if k.endswith("_s") and c]
    assert cells and all(len(c.partition(".")[2]) <= 3 for c in cells)


def test_an_interrupted_session_shows_its_real_length(home: Path, capsys) -> None:
    with _history(home) as h:
        rec = SessionRecorder(
            h, "night", ["calf"], started_at=dt.datetime(2026, 11, 20, 23, tzinfo=TZ)
        )
        rec.record_event(Event("calf", "cramp", 10.0, 12.0, end_s=30.0, id=1))
        # no close(): the monitor was killed 30 s in
        h.conn.execute("UPDATE sessions SET alive_at = alive_at - 3600")  # an hour ago
    capsys.readouterr()
    assert main(["history"]) == 0
    line = capsys.readouterr().out.splitlines()[1]
    assert "30 s" in line and "(interrupted)" in line and "0.0 h" not in line
    assert main(["history", "--export", str(home / "i.json")]) == 0
    (session,) = json.loads((home / "i.json").read_text())["sessions"]
    assert session["duration_s"] == 30.0
