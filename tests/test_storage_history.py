"""Night history: recording, crash safety, migration from an older schema, deletion."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest
from oldhistory import history_at_schema

from crampdetect.alerts.journal import import_detection
from crampdetect.alerts.policy import AlertPolicy
from crampdetect.core import Event, InputError, QualityInterval
from crampdetect.storage.history import _V1, SCHEMA_VERSION, History
from crampdetect.storage.recorder import SessionRecorder

TZ = dt.timezone(dt.timedelta(hours=1))


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=TZ)


def test_recorder_round_trip(tmp_path):
    with History(tmp_path / "h.sqlite3") as h:
        rec = SessionRecorder(h, "night", ["left", "right"], "sim://night", at(20, 23), 100.0)
        policy = AlertPolicy("night")
        raised = Event("left", "cramp", 200.0, 201.5, id=3, detail={"severity": 0.7})
        rec.record_event(raised)
        for action in policy.update([raised], 201.5):
            rec.record_action(action)
        rec.record_ack(205.0, "button")
        rec.record_quality(QualityInterval("right", "lead_off", 150.0))
        rec.record_quality(QualityInterval("right", "lead_off", 150.0, 180.0))
        rec.record_event(raised.ended(260.0))
        rec.close(1000.0)

        (session,) = h.sessions()
        assert session["night"] == "2026-11-20" and session["duration_s"] == 900.0
        (c,) = h.records("cramps", session["id"])
        assert (c["leg"], c["onset_s"], c["alert_s"], c["end_s"]) == ("left", 100.0, 101.5, 160.0)
        assert c["duration_s"] == pytest.approx(60.0) and c["severity"] == 0.7
        (q,) = h.records("quality", session["id"])
        assert (q["start_s"], q["end_s"]) == (50.0, 80.0)
        kinds = [a["kind"] for a in h.records("alerts", session["id"])]
        assert kinds == ["message", "vibrate"]
        assert [a["t_s"] for a in h.records("acks", session["id"])] == [105.0]


def test_night_belongs_to_the_evening_it_began(tmp_path):
    with History(tmp_path / "h.sqlite3") as h:
        SessionRecorder(h, "night", ["calf"], started_at=at(21, 2, 30))
        SessionRecorder(h, "night", ["calf"], started_at=at(21, 22, 45))
        assert [r["night"] for r in h.sessions()] == ["2026-11-20", "2026-11-21"]
        assert len(h.sessions("2026-11-21", "2026-11-21")) == 1


WRITER = textwrap.dedent(
    """
    import sys, datetime as dt
    from crampdetect.core import Event
    from crampdetect.storage.history import History
    from crampdetect.storage.recorder import SessionRecorder
    h = History(sys.argv[1])
    rec = SessionRecorder(h, "night", ["left"], started_at=dt.datetime(2026, 11, 20, 23,
        tzinfo=dt.timezone.utc))
    for k in range(5):
        rec.record_event(Event("left", "cramp", 10.0 * k, 10.0 * k + 1, 10.0 * k + 5, id=k))
    print("committed", flush=True)
    h.conn.execute("BEGIN IMMEDIATE")
    h.conn.execute("INSERT INTO cramps (session_id, leg, event_id, onset_s, alert_s)"
                   " VALUES (?, 'left', 99, 1.0, 2.0)", (rec.session_id,))
    h.conn.execute("UPDATE sessions SET duration_s = 12345")
    # Enough uncommitted data (~4 MB) that SQLite spills pages into the WAL before COMMIT.
    h.conn.executemany("INSERT INTO alerts (session_id, t_s, kind, reason) VALUES (?,?,?,?)",
                       [(rec.session_id, k, "message", "x" * 1000) for k in range(4000)])
    print("in transaction", flush=True)
    sys.stdin.readline()  # blocks until killed
    """
)


def test_history_survives_a_writer_killed_mid_transaction(tmp_path):
    path = tmp_path / "h.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "committed"
        assert proc.stdout.readline().strip() == "in transaction"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        proc.stdin.close()
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    with History(path) as h:
        assert h.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        (session,) = h.sessions()
        assert session["duration_s"] is None  # the uncommitted update is gone
        assert session["ended_at"] is None
        cramps = h.records("cramps", session["id"])
        assert [c["event_id"] for c in cramps] == [0, 1, 2, 3, 4]
        assert h.session_end_s(session["id"]) == pytest.approx(45.0)
        assert h.records("alerts", session["id"]) == []


def test_migrates_a_version_1_file(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    for sql in _V1:
        conn.execute(sql)
    conn.execute(
        "INSERT INTO sessions VALUES (1, '2026-11-03T01:10:00+01:00', NULL, 'night', 'COM3')"
    )
    conn.execute("INSERT INTO cramps VALUES (1, 1, 'right', 600.0, 602.0, 780.0)")
    conn.execute("INSERT INTO cramps VALUES (2, 1, 'right', 3000.0, 3001.0, NULL)")
    conn.execute("INSERT INTO alerts VALUES (1, 1, 602.0, 'vibrate', 'cramp: first prompt')")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()

    with History(path) as h:
        assert h.schema_version == SCHEMA_VERSION
        (session,) = h.sessions()
        assert session["night"] == "2026-11-02" and session["source"] == "COM3"
        cramps = h.records("cramps", 1)
        assert [c["duration_s"] for c in cramps] == [180.0, None]
        assert [c["recurrence"] for c in cramps] == [0, 0]
        # New tables work on the migrated file.
        rec = SessionRecorder(h, "night", ["right"], started_at=at(4, 23))
        rec.record_ack(3.0)
        rec.record_event(Event("right", "early_warning", 1.0, 2.0, id=1))
    with History(path) as h:  # opening again is a no-op
        assert len(h.sessions()) == 2


def test_refuses_a_newer_schema(tmp_path):
    path = tmp_path / "new.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(InputError, match="newer than this crampdetect"):
        History(path)


def test_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(InputError, match="Cannot open history"):
        History(path)


def test_delete_removes_the_data_from_the_file(tmp_path):
    path = tmp_path / "h.sqlite3"
    marker = "PRIVATE-MARKER-7f3a"
    with History(path) as h:
        keep = SessionRecorder(h, "night", ["left"], "keep", at(20, 23))
        gone = SessionRecorder(h, "night", ["left"], marker, at(21, 23))
        gone.record_event(Event("left", "cramp", 5.0, 6.0, 60.0, id=1))
        assert h.delete_sessions([gone.session_id, 12345]) == 1
        assert [r["id"] for r in h.sessions()] == [keep.session_id]
        assert h.conn.execute("SELECT COUNT(*) FROM cramps").fetchone()[0] == 0
    blobs = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert marker.encode() not in blobs


def test_import_labels_recurrences_like_the_policy(tmp_path):
    result = {
        "channels": ["left", "right"],
        "duration_s": 7200.0,
        "events": [
            {
                "channel": "left",
                "kind": "cramp",
                "onset_s": 100.0,
                "alert_s": 102.0,
                "end_s": 300.0,
            },
            {
                "channel": "left",
                "kind": "cramp",
                "onset_s": 1900.0,
                "alert_s": 1902.0,
                "end_s": 2000.0,
            },
            {
                "channel": "right",
                "kind": "cramp",
                "onset_s": 2500.0,
                "alert_s": 2502.0,
                "end_s": 2600,
            },
            {
                "channel": "left",
                "kind": "cramp",
                "onset_s": 6000.0,
                "alert_s": 6002.0,
                "end_s": 6100,
            },
            {"channel": "left", "kind": "early_warning", "onset_s": 50.0, "alert_s": 60.0},
        ],
        "quality": [{"channel": "right", "issue": "lead_off", "start_s": 10.0, "end_s": 70.0}],
    }
    with History(tmp_path / "h.sqlite3") as h:
        sid = import_detection(h, result, at(20, 23)).session_id
        cramps = h.records("cramps", sid)
        assert [(c["leg"], c["recurrence"]) for c in cramps] == [
            ("left", 0),
            ("left", 1),  # 27 min after the first ended
            ("right", 0),  # other leg
            ("left", 0),  # 67 min after the previous left one ended
        ]
        assert len(h.records("warnings", sid)) == 1
        assert h.session(sid)["duration_s"] == 7200.0
        with pytest.raises(InputError, match="bad event"):
            import_detection(h, {"events": [{"kind": "cramp"}]}, at(21, 23))


def test_sessions_are_ordered_by_instant_across_utc_offsets(tmp_path):
    with History(tmp_path / "h.sqlite3") as h:
        utc = dt.UTC
        a = SessionRecorder(
            h, "night", ["c"], started_at=dt.datetime(2026, 11, 20, 23, 0, tzinfo=TZ)
        )
        b = SessionRecorder(
            h, "night", ["c"], started_at=dt.datetime(2026, 11, 20, 21, 30, tzinfo=utc)
        )
        # As text the order would be b, c, a; as instants (22:00Z for a) it is b, a, c.
        assert [r["id"] for r in h.sessions()] == [b.session_id, a.session_id]
        c = SessionRecorder(
            h, "night", ["c"], started_at=dt.datetime(2026, 11, 20, 22, 30, tzinfo=utc)
        )
        assert [r["id"] for r in h.sessions()] == [b.session_id, a.session_id, c.session_id]


def test_start_journal_counts_times_from_the_first_block(tmp_path, monkeypatch):
    from crampdetect.alerts.journal import start_journal
    from crampdetect.storage.paths import HOME_ENV, history_path

    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    journal = start_journal("night", "serial:///dev/ttyACM0", ("calf_left",), stream_t0_s=5000.0)
    cramp = Event("calf_left", "cramp", 5100.0, 5102.0, id=1)
    actions = journal.update([cramp], 5102.0)
    journal.update([], 5110.0, acks=1, ack_source="key")
    journal.update([cramp.ended(5160.0)], 5160.0)
    journal.close(8600.0)
    with History(history_path()) as h:
        (s,) = h.sessions()
        assert s["duration_s"] == 3600.0 and s["source"] == "serial:///dev/ttyACM0"
        (c,) = h.records("cramps", s["id"])
        assert (c["onset_s"], c["end_s"]) == (100.0, 160.0)
        assert [(a["t_s"], a["source"]) for a in h.records("acks", s["id"])] == [(110.0, "key")]
        kinds = [a["kind"] for a in h.records("alerts", s["id"])]
        assert kinds[: len(actions)] == [a.kind for a in actions] and "stop" in kinds


def test_csv_export_keeps_formula_like_text_inert(tmp_path):
    import csv

    from crampdetect.storage.export import export_history

    with History(tmp_path / "h.sqlite3") as h:
        rec = SessionRecorder(h, "night", ["=HYPERLINK(1)"], started_at=at(20, 23))
        rec.record_event(Event("=HYPERLINK(1)", "cramp", 5.0, 6.0, 60.0, id=1))
        n = export_history(h, [rec.session_id], tmp_path / "x.csv")
    with open(tmp_path / "x.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert n == 1 and rows[1]["leg"] == "'=HYPERLINK(1)" and rows[1]["start_s"] == "5.0"


def test_import_is_all_or_nothing(tmp_path):
    """An import that fails half-way (here: an unknown profile, found after the session row
    was written) leaves no session and no record behind."""
    result = {
        "channels": ["left"],
        "events": [{"channel": "left", "kind": "cramp", "onset_s": 1.0, "end_s": 9.0}],
        "quality": [{"channel": "left", "issue": "lead_off", "start_s": 0.0, "end_s": 1.0}],
    }
    with History(tmp_path / "h.sqlite3") as h:
        with pytest.raises(InputError):
            import_detection(h, result, at(20, 23), profile="nap")
        assert h.sessions() == []
        for table in ("cramps", "quality", "alerts"):
            assert h.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0
        # The history is still usable, and a good import goes through.
        sid = import_detection(h, result, at(20, 23)).session_id
        assert len(h.records("cramps", sid)) == 1


def test_cli_import_with_an_invalid_profile_leaves_nothing(tmp_path, monkeypatch, capsys):
    import json

    from crampdetect.cli import main
    from crampdetect.storage.paths import HOME_ENV, history_path

    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    result = tmp_path / "r.json"
    events = [{"channel": "left", "kind": "cramp", "onset_s": 1.0, "end_s": 9.0}]
    result.write_text(json.dumps({"channels": ["left"], "events": events}))
    args = ["history", "--import", str(result), "--started", "2026-11-20T23:00"]
    assert main([*args, "--recording", str(tmp_path / "missing.csv")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    with History(history_path()) as h:
        assert h.sessions() == []
    assert main(args) == 0
    with History(history_path()) as h:
        assert len(h.sessions()) == 1


def test_nested_transaction_rolls_back_only_its_own_writes(tmp_path):
    with History(tmp_path / "h.sqlite3") as h:
        with h.transaction():
            SessionRecorder(h, "night", ["c"], started_at=at(20, 23))
            with pytest.raises(RuntimeError), h.transaction() as conn:
                conn.execute(
                    "INSERT INTO sessions (started_at, profile) VALUES ('2026-11-21T23:00', 'x')"
                )
                raise RuntimeError
        assert [r["profile"] for r in h.sessions()] == ["night"]


def _training_session(path, with_profile: bool = True):
    """A ``record --profile training`` session directory: 60 s, one cramp on calf_left."""
    import numpy as np

    from crampdetect.core import Block, Representation
    from crampdetect.storage.session import SessionWriter

    channels = ("calf_left", "calf_right")
    settings = {"profile": "training"} if with_profile else {}
    rep = Representation("raw", "counts", 10)
    with SessionWriter(
        path, fs=1000.0, channels=channels, representation=rep, settings=settings
    ) as w:
        w.write(Block(np.full((2, 60_000), 512, np.int16), 1000.0, channels=channels))
        cramp = {"channel": "calf_left", "kind": "cramp", "onset_s": 20.0, "end_s": 35.0}
        w.write_events([Event.from_dict(cramp, 1)])
    return path


def test_cli_import_files_a_training_recording_as_training(tmp_path, monkeypatch, capsys):
    """Without --profile, the kind comes from the file: the session's recorded settings, kept
    through an EDF/BDF conversion too; a file that names no profile is a night."""
    from crampdetect.cli import main
    from crampdetect.storage.paths import HOME_ENV, history_path

    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    session = _training_session(tmp_path / "run.cdrec")
    for fmt in ("edf", "bdf"):
        assert main(["convert", str(session), str(tmp_path / f"run.{fmt}")]) == 0
    plain = _training_session(tmp_path / "plain.cdrec", with_profile=False)
    capsys.readouterr()
    for name in ("run.cdrec", "run.edf", "run.bdf", "plain.cdrec"):
        assert main(["history", "--import", str(tmp_path / name)]) == 0
    assert capsys.readouterr().out.count("Imported training session") == 3
    assert main(["history"]) == 0
    listed = capsys.readouterr().out
    kinds = sorted(line.split()[4] for line in listed.splitlines()[1:])
    assert kinds == ["night", "training", "training", "training"]
    with History(history_path()) as h:
        for row in h.sessions():
            (cramp,) = h.records("cramps", int(row["id"]))
            assert row["profile"] == ("night" if row["source"] == str(plain) else "training")
            assert abs(cramp["onset_s"] - 20.0) < 0.01  # the cramp the training detector found


def test_cli_import_refuses_a_profile_that_contradicts_the_file(tmp_path, monkeypatch, capsys):
    """--profile night on a training session or a training `detect --json` result is a clear
    error, and nothing is stored; --profile that agrees with the file is fine."""
    import json

    from crampdetect.cli import main
    from crampdetect.storage.paths import HOME_ENV, history_path

    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    session = _training_session(tmp_path / "run.cdrec")
    result = tmp_path / "run.json"
    events = [{"channel": "calf_left", "kind": "cramp", "onset_s": 20.0, "end_s": 35.0}]
    result.write_text(json.dumps({"input": {"profile": "training"}, "events": events}))
    for path in (session, result):
        assert main(["history", "--import", str(path), "--profile", "night"]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "scored with the training profile" in err
    with History(history_path()) as h:
        assert h.sessions() == []
    assert main(["history", "--import", str(result), "--profile", "training"]) == 0
    with History(history_path()) as h:
        assert [r["profile"] for r in h.sessions()] == ["training"]


def _v4_history(path) -> None:
    """A history file as crampdetect with schema 4 left it: its migrations, one session."""
    conn = history_at_schema(path, 4)
    conn.execute(
        "INSERT INTO sessions (started_at, night, profile, source, user, channels)"
        " VALUES ('2026-11-03T01:10:00+01:00', '2026-11-02', 'night', 'COM3', NULL, '[\"left\"]')"
    )
    conn.execute("PRAGMA user_version = 4")
    conn.commit()
    conn.close()


def test_an_imported_or_replayed_night_names_its_recording(tmp_path, monkeypatch, capsys):
    """``sessions.recording`` (schema 5, added to an older file in place): the recording an
    imported ``detect --json`` result or a ``monitor file://`` replay was scored from, shown by
    ``history`` and ``summary``; a live board's session names none."""
    import json

    from crampdetect.cli import main
    from crampdetect.storage.paths import HOME_ENV, history_path

    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    _v4_history(history_path())
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.chdir(data)
    assert main(["simulate", "cramp", "--seed", "4", "--out", "night.csv"]) == 0
    capsys.readouterr()
    assert main(["detect", "night.csv", "--json"]) == 0  # input.path as typed: night.csv
    (data / "night.json").write_text(capsys.readouterr().out)
    monkeypatch.chdir(tmp_path)  # imported from elsewhere: found beside the result
    assert main(["history", "--import", "data/night.json", "--started", "2026-11-20T23:05"]) == 0
    csv = str((data / "night.csv").resolve())
    assert main(["monitor", "file://data/night.csv?speed=0", "--history", "--no-view"]) == 0
    conn = sqlite3.connect(history_path())
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 5
    rows = conn.execute("SELECT source, recording FROM sessions ORDER BY id").fetchall()
    conn.close()
    replayed = "file://data/night.csv?speed=0"
    assert rows == [("COM3", None), ("data/night.json", csv), (replayed, csv)]
    capsys.readouterr()
    assert main(["history"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [ln.strip() for ln in out if "recording:" in ln] == [f"recording: {csv}"] * 2
    assert "recording:" not in out[out.index(next(ln for ln in out if "COM3" in ln)) + 1]
    assert main(["summary", "--night", "2026-11-20"]) == 0
    assert f"Recording: {csv}" in capsys.readouterr().out.splitlines()
    assert main(["summary", "--night", "2026-11-02"]) == 0
    assert "Recording" not in capsys.readouterr().out
    json.loads((data / "night.json").read_text())  # the result file is left as it was
