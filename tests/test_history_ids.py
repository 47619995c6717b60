"""Session ids are never reused: after a deletion a new session gets a new id (an export's
``session_id`` keeps naming one night), in a new file and in one migrated from schema 5."""

from __future__ import annotations

from pathlib import Path

from oldhistory import history_at_schema

from crampdetect.core import Event
from crampdetect.storage.history import SCHEMA_VERSION, History
from crampdetect.storage.recorder import SessionRecorder


def _session(h: History, with_cramp: bool = True) -> int:
    rec = SessionRecorder(h, "night", ["left"], "test")
    if with_cramp:
        rec.record_event(Event("left", "cramp", 10.0, 12.0, 40.0, id=1))
    rec.close(600.0)
    return rec.session_id


def test_a_deleted_sessions_id_is_not_given_again(tmp_path: Path) -> None:
    with History(tmp_path / "h.sqlite3") as h:
        first, second = _session(h), _session(h)
        h.delete_sessions([second])
        third = _session(h)
    assert third > second > first


def _v5_file(path: Path) -> None:
    """A history as crampdetect with schema 5 left it: two sessions with a cramp each, the
    newest of three deleted."""
    conn = history_at_schema(path, 5)
    for k in (1, 2):
        conn.execute(
            "INSERT INTO sessions (id, started_at, night, profile, source) VALUES"
            f" ({k}, '2026-11-0{k}T23:00:00+01:00', '2026-11-0{k}', 'night', 'COM3')"
        )
        conn.execute(
            "INSERT INTO cramps (session_id, leg, onset_s, alert_s, end_s, event_id) VALUES"
            f" ({k}, 'left', 10.0, 12.0, 40.0, 1)"
        )
    conn.execute("PRAGMA user_version = 5")
    conn.commit()
    conn.close()


def test_a_schema_5_file_keeps_its_records_and_stops_reusing_ids(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    _v5_file(path)
    with History(path) as h:
        assert h.schema_version == SCHEMA_VERSION
        assert [int(r["id"]) for r in h.sessions()] == [1, 2]
        assert [len(h.cramps(k)) for k in (1, 2)] == [1, 1]  # the rebuild cascaded nothing
        h.delete_sessions([2])  # foreign keys are on again: its cramp goes with it
        assert h.conn.execute("SELECT COUNT(*) FROM cramps").fetchone()[0] == 1
        new = _session(h)
        assert new == 3
        assert h.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        indexes = {r["name"] for r in h.conn.execute("PRAGMA index_list(sessions)")}
        assert {"sessions_night", "sessions_content"} <= indexes
