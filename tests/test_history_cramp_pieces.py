"""A cramp the detector sees end and come back on the same leg within ``rejoin_s`` is one
cramp for the alerts (one series of prompts): the night history, the morning summary, the
trend, the doctor note, ``history`` and the training view count it once, with its pieces,
and none of its pieces is a recurrence. A cramp later than that is a new one."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

from crampdetect.alerts.journal import JournalingPolicy, import_detection
from crampdetect.alerts.policy import AlertPolicy
from crampdetect.cli import main
from crampdetect.core import Event
from crampdetect.reports.session_view import format_session
from crampdetect.reports.summary import doctor_note, format_night, summarise_night, weekly_trend
from crampdetect.storage.history import _V1, _V2, _V3, History
from crampdetect.storage.paths import HOME_ENV
from crampdetect.storage.recorder import SessionRecorder
from tests.synth import cramp_event, detection_result

STARTED = dt.datetime(2026, 11, 20, 23, 0).astimezone()
NIGHT = "2026-11-20"


def _result() -> dict:
    # Left: one cramp in three pieces (back 20 s and 40 s after each end: within 60 s),
    # then a new cramp 10 min later (a recurrence). Right: one cramp.
    events = [
        cramp_event("calf_left", 100.0, 130.0),
        cramp_event("calf_left", 150.0, 170.0),
        cramp_event("calf_left", 210.0, 240.0),
        cramp_event("calf_left", 840.0, 870.0),
        cramp_event("calf_right", 2000.0, 2030.0),
    ]
    return detection_result(events, 3600.0, ("calf_left", "calf_right"))


def test_the_policy_says_which_cramp_a_piece_continues():
    policy = AlertPolicy("night")
    first = Event("calf_left", "cramp", 97.0, 100.0, id=1)
    policy.update([first], 100.0)
    policy.update([first.ended(130.0)], 130.0)
    piece = Event("calf_left", "cramp", 147.0, 150.0, id=2)
    actions = policy.update([piece], 150.0)
    assert policy.continues(piece) == 1 and not policy.is_recurrence(piece)
    assert not any("Recurring" in a.text for a in actions)
    policy.update([piece.ended(170.0)], 170.0)
    third = Event("calf_left", "cramp", 207.0, 210.0, id=3)
    policy.update([third], 210.0)
    assert policy.continues(third) == 1  # the first piece, not the one before
    policy.update([third.ended(240.0)], 240.0)
    later = Event("calf_left", "cramp", 837.0, 840.0, id=4)
    actions = policy.update([later], 840.0)
    assert policy.continues(later) is None and policy.is_recurrence(later)
    assert any("Recurring" in a.text for a in actions)


def test_an_imported_night_counts_a_cramp_in_pieces_once(tmp_path: Path):
    with History(tmp_path / "h.sqlite3") as h:
        rec = import_detection(h, _result(), STARTED, "night")
        cramps = h.cramps(rec.session_id)
        assert [(c.leg, len(c.pieces), c.recurrence) for c in cramps] == [
            ("calf_left", 3, False),
            ("calf_left", 1, True),
            ("calf_right", 1, False),
        ]
        assert cramps[0].duration_s == 240.0 - 97.0  # first onset to last end
        s = summarise_night(h, NIGHT)
        assert len(s.cramps) == 3
        assert [c.recurrence for c in s.cramps] == [False, True, False]
        text = format_night(s)
        assert "3 cramps" in text and "eased and came back 2 times" in text
        assert text.count("recurrence") == 1
        (week,) = [w for w in weekly_trend(h, NIGHT, weeks=1)]
        assert week.cramps == 3 and week.longest_s == 240.0 - 97.0


def test_pieces_do_not_make_several_cramps_a_night_for_the_doctor_note(tmp_path: Path):
    events = [cramp_event("calf_left", 100.0 + 50.0 * k, 130.0 + 50.0 * k) for k in range(4)]
    with History(tmp_path / "h.sqlite3") as h:
        import_detection(h, detection_result(events, 3600.0, ("calf_left",)), STARTED, "night")
        assert len(summarise_night(h, NIGHT).cramps) == 1
        assert doctor_note(h, NIGHT) is None


def test_the_monitor_journal_stores_pieces_under_their_first_cramp(tmp_path: Path):
    with History(tmp_path / "h.sqlite3") as h:
        recorder = SessionRecorder(h, "night", ["calf_left"], "sim://", started_at=STARTED)
        journal = JournalingPolicy(AlertPolicy("night"), recorder)
        first = Event("calf_left", "cramp", 97.0, 100.0, id=1)
        piece = Event("calf_left", "cramp", 147.0, 150.0, id=2, detail={"recurrence": True})
        journal.update([first], 100.0)
        journal.update([first.ended(130.0)], 130.0)
        journal.update([piece], 150.0)  # the detector's watch labels it; it is no recurrence
        journal.update([piece.ended(170.0)], 170.0)
        recorder.close(3600.0)
        (cramp,) = h.cramps(recorder.session_id)
        assert len(cramp.pieces) == 2 and not any(p["recurrence"] for p in cramp.pieces)
        assert cramp.pieces[1]["part_of"] == 1


def test_history_listing_and_import_line_count_cramps_not_pieces(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    path = tmp_path / "night.json"
    path.write_text(json.dumps(_result()))
    assert main(["history", "--import", str(path), "--started", "2026-11-20T23:00"]) == 0
    assert "3 cramps" in capsys.readouterr().out
    assert main(["history"]) == 0
    line = capsys.readouterr().out.splitlines()[1]
    assert line.split()[-2] == "3", line  # the cramps column, before the source


def test_the_csv_export_says_which_cramp_a_piece_is_part_of(tmp_path, monkeypatch):
    """The flat CSV export carries ``event_id`` and ``part_of``, so a spreadsheet counts a
    cramp in pieces once, as the history, the JSON export and ``summary`` do."""
    import csv

    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    path = tmp_path / "night.json"
    path.write_text(json.dumps(_result()))
    assert main(["history", "--import", str(path), "--started", "2026-11-20T23:00"]) == 0
    assert main(["history", "--export", str(tmp_path / "out.csv")]) == 0
    with open(tmp_path / "out.csv", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["record"] == "cramp"]
    ids = [r["event_id"] for r in rows]
    assert [r["part_of"] for r in rows] == ["", ids[0], ids[0], "", ""]
    assert sum(r["part_of"] == "" for r in rows) == 3  # three cramps, as summary counts


def test_a_training_view_lists_a_cramp_in_pieces_once(tmp_path: Path):
    with History(tmp_path / "h.sqlite3") as h:
        rec = import_detection(h, _result(), STARTED, "training")
        text = format_session(h, rec.session_id)
        # training rejoin_s is 30 s: back 20 s after is the same cramp, 40 s after a new one
        assert text.count("cramp calf_left") == 3 and "eased and came back once" in text


def test_an_older_history_keeps_every_row_a_cramp(tmp_path: Path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    for sql in _V1 + _V2 + _V3:
        conn.execute(sql)
    conn.execute(
        "INSERT INTO sessions (id, started_at, night, profile, source) VALUES"
        " (1, '2026-11-20T23:00:00+00:00', '2026-11-20', 'night', 'x')"
    )
    for k in range(2):
        conn.execute(
            "INSERT INTO cramps (session_id, leg, event_id, onset_s, alert_s, end_s) VALUES"
            f" (1, 'calf_left', {k + 1}, {100 + 50 * k}, {103 + 50 * k}, {130 + 50 * k})"
        )
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    with History(path) as h:
        assert len(h.cramps(1)) == 2
