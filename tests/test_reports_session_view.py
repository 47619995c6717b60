"""The athlete session view: a cramp shows as a cramp in the activity timeline (not a hold),
live sessions get advice that applies to them, and a live session's recording adds its timeline."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from crampdetect.cli import main
from crampdetect.core import Block, Event, Representation
from crampdetect.reports.activity import activity_from_file
from crampdetect.reports.session_view import format_session, with_cramps
from crampdetect.storage.history import History
from crampdetect.storage.paths import HOME_ENV, history_path
from crampdetect.storage.reader import open_recording
from crampdetect.storage.recorder import SessionRecorder
from crampdetect.storage.session import SessionWriter

START = dt.datetime(2026, 11, 20, 18, 0, tzinfo=dt.UTC)


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    return tmp_path


def test_cramp_span_replaces_the_hold_it_looks_like():
    runs = [(0.0, 360.0, "walking"), (360.0, 445.0, "standing"), (445.0, 562.0, "hold"),
            (562.0, 610.0, "standing"), (610.0, 900.0, "running")]  # fmt: skip
    shown = with_cramps(runs, [(443.0, 552.0)])
    assert shown == [
        (0.0, 360.0, "walking"),
        (360.0, 443.0, "standing"),
        (443.0, 552.0, "cramp"),
        (552.0, 610.0, "standing"),  # the 10 s of "hold" after the cramp join the standing
        (610.0, 900.0, "running"),
    ]
    # Two overlapping cramps are one span; a cramp inside one run splits it.
    assert with_cramps([(0.0, 900.0, "running")], [(100.0, 200.0), (150.0, 260.0)]) == [
        (0.0, 100.0, "running"),
        (100.0, 260.0, "cramp"),
        (260.0, 900.0, "running"),
    ]
    assert with_cramps(runs, []) == runs


def test_session_view_shows_the_cramp_not_a_hold(tmp_path):
    with History(tmp_path / "h.sqlite3") as h:
        rec = SessionRecorder(h, "training", ["calf_left"], "train.csv", START)
        rec.record_activity([("calf_left", 0.0, 445.0, "walking"),
                             ("calf_left", 445.0, 562.0, "hold"),
                             ("calf_left", 562.0, 900.0, "standing")])  # fmt: skip
        rec.record_event(Event("calf_left", "cramp", 443.0, 450.0, 552.0, id=1))
        rec.close(900.0)
        text = format_session(h, rec.session_id)
    assert "7:23-9:12 cramp" in text and "hold" not in text
    assert "cramp calf_left at 7 min in, while walking" in text


def test_live_and_imported_sessions_get_their_own_advice(tmp_path):
    with History(tmp_path / "h.sqlite3") as h:
        live = SessionRecorder(h, "training", ["calf_left"], "serial://auto", START)
        live.close(600.0)
        imported = SessionRecorder(h, "training", ["calf_left"], "t.json", START)
        imported.close(600.0)
        h.set_content_hash(imported.session_id, "0" * 64)
        live_text = format_session(h, live.session_id)
        imported_text = format_session(h, imported.session_id)
    assert "live monitoring stores one only when it records the session" in live_text
    assert "--recording REC" in live_text and "import with --recording" not in live_text
    assert "No activity timeline (import with --recording to add one)." in imported_text


def test_summary_training_shows_the_session_stored_last(home, capsys):
    with History(history_path()) as h:
        for started in (START, START - dt.timedelta(days=3)):  # then an import of an older file
            SessionRecorder(h, "training", ["calf_left"], "x", started).close(60.0)
    assert main(["summary", "--training"]) == 0
    assert capsys.readouterr().out.startswith("Training session 2, 2026-11-17")


@pytest.fixture(scope="module")
def training_csv(tmp_path_factory):
    out = tmp_path_factory.mktemp("t") / "train.csv"
    args = ["simulate", "training", "--seed", "1", "--duration", "240", "-q", "--out", str(out)]
    assert main(args) == 0
    return out


def test_live_sessions_recording_adds_its_timeline(home, training_csv, capsys):
    """`history --import REC --recording REC` of a monitor --history --record recording: no
    second session, and the activity of the recording (written in 1-s chunks) lands in the
    live session, the same as that of the CSV it streamed."""
    csv = open_recording(training_csv)
    data = np.concatenate([np.asarray(s.load()) for s in csv.segments], axis=1)
    t0 = 5000.0  # host-clock s of the first sample
    with History(history_path()) as h:
        live = SessionRecorder(h, "training", csv.channels, "sim://training", START, t0)
        row = h.session(live.session_id)
        link = {"id": row["id"], "started_at": row["started_at"], "source": row["source"]}
        live.close(t0 + data.shape[1] / csv.fs)
    path = home / "live.cdrec"
    with SessionWriter(path, fs=csv.fs, channels=csv.channels,
                       representation=Representation(), history_session=link) as w:  # fmt: skip
        for k in range(0, data.shape[1], 1000):
            block = data[:, k : k + 1000]
            w.write(Block(block, csv.fs, start=k, t0=t0 + k / csv.fs, channels=csv.channels))
    capsys.readouterr()
    assert main(["history", "--import", str(path), "--recording", str(path)]) == 0
    assert "its activity timeline added" in capsys.readouterr().out
    expected = activity_from_file(training_csv)
    assert {run[3] for run in expected} & {"walking", "running"}
    with History(history_path()) as h:
        assert len(h.sessions()) == 1
        stored = [(r["leg"], r["start_s"], r["end_s"], r["activity"])
                  for r in h.records("activity", live.session_id)]  # fmt: skip
    rounded = sorted((leg, round(a, 6), round(b, 6), what) for leg, a, b, what in stored)
    assert rounded == sorted((leg, round(a, 6), round(b, 6), what) for leg, a, b, what in expected)
    assert main(["history", "--import", str(path), "--recording", str(path)]) == 0
    assert "nothing added" in capsys.readouterr().out
