"""Morning summary, weekly trend, doctor note, session view and the history/summary CLIs."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest

from crampdetect.alerts.policy import AlertPolicy
from crampdetect.cli import main
from crampdetect.core import Event, QualityInterval
from crampdetect.reports import summary as S
from crampdetect.reports.session_view import cramp_context, format_session, smooth_runs
from crampdetect.storage.history import History
from crampdetect.storage.paths import HOME_ENV, history_path
from crampdetect.storage.recorder import SessionRecorder

TZ = dt.timezone(dt.timedelta(hours=1))


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    return tmp_path


def night_start(day: int, hour: int = 23) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, 0, tzinfo=TZ)


def record_night(h: History, day: int, cramps: list[tuple[str, float, float]], acks=()) -> int:
    """A monitored night driven through the alert policy, as the monitor would."""
    rec = SessionRecorder(h, "night", ["left", "right"], "sim://night", night_start(day))
    policy = AlertPolicy("night")
    timeline: list[tuple[float, list[Event], int]] = []
    for k, (leg, onset, duration) in enumerate(cramps, start=1):
        raised = Event(leg, "cramp", onset, onset + 2.0, id=k)
        timeline.append((raised.alert_s, [raised], 0))
        timeline.append((onset + duration, [raised.ended(onset + duration)], 0))
    timeline += [(t, [], 1) for t in acks]
    t_end = max([t for t, _, _ in timeline] + [8 * 3600.0])
    timeline += [(float(t), [], 0) for t in range(0, int(t_end), 5)]  # the monitor's ticks
    for t, events, n_acks in sorted(timeline, key=lambda x: x[0]):
        actions = policy.update(events, t, acks=n_acks)
        for e in events:
            rec.record_event(e, recurrence=policy.is_recurrence(e))
        for a in actions:
            rec.record_action(a)
        if n_acks:
            rec.record_ack(t, "button")
    rec.close(t_end)
    return rec.session_id


def test_night_summary_answers_correctly(tmp_path):
    with History(tmp_path / "h.sqlite3") as h:
        sid = record_night(
            h,
            20,
            [
                ("left", 3 * 3600.0, 120.0),
                ("left", 3 * 3600.0 + 1800, 60.0),
                ("right", 5 * 3600.0, 700.0),
            ],
            acks=[3 * 3600.0 + 10],
        )
        rec = SessionRecorder(h, "night", ["left", "right"], "x", night_start(21, 1))  # same night
        for q in (
            QualityInterval("left", "lead_off", 100.0, 400.0),
            QualityInterval("left", "saturation", 300.0, 500.0),
            QualityInterval("right", "gap", 1000.0, 1100.0),
            QualityInterval("right", "mains", 2000.0, 3000.0),  # disturbed, still monitored
        ):
            rec.record_quality(q)
        rec.close(3600.0)
        SessionRecorder(h, "night", ["left"], "y", night_start(22))  # another night

        s = S.summarise_night(h, "2026-11-20")
        assert s.session_ids == [sid, rec.session_id]
        assert s.monitored_s == pytest.approx(8 * 3600 + 3600)
        assert [(c.leg, c.at.strftime("%H:%M"), c.duration_s, c.recurrence) for c in s.cramps] == [
            ("left", "02:00", 120.0, False),
            ("left", "02:30", 60.0, True),
            ("right", "04:00", 700.0, False),
        ]
        assert s.legs == ["left", "right"]
        assert s.lost_s == {"left": 400.0, "right": 100.0}
        assert s.lost_any_s == 500.0
        assert s.n_acks == 1
        # Prompts: left cramp 1 prompted then acked at +10 s; left recurrence prompted twice
        # (60 s at 30 s repeats); right cramp prompted to the cap of 4.
        assert s.n_prompts == 1 + 2 + 4
        text = S.format_night(s)
        assert "3 cramps (left and right)" in text and "recurrence" in text
        # the saturation overlapping the lead-off is part of that loose sensor's episode
        assert s.lost_episodes == {"left": {"lead_off": 1}, "right": {"gap": 1}}
        assert (
            "Time lost to sensor problems: 8 min 20 s; left calf 6 min 40 s (sensor loose once), "
            "right calf 1 min 40 s (signal lost once)"
        ) in text


def test_a_short_loss_is_not_shown_as_0_s(tmp_path):
    """A 78 ms gap of the link: the line says it was under a second, not "0 s"."""
    with History(tmp_path / "h.sqlite3") as h:
        rec = SessionRecorder(h, "night", ["left", "right"], "x", night_start(20))
        for leg in ("left", "right"):
            rec.record_quality(QualityInterval(leg, "gap", 214.158, 214.236))
        rec.close(240.0)
        text = S.format_night(S.summarise_night(h, "2026-11-20"))
    assert (
        "Time lost to sensor problems: under 1 s; left calf under 1 s (signal lost once), "
        "right calf under 1 s (signal lost once)"
    ) in text
    assert " 0 s" not in text


def test_doctor_note_thresholds(tmp_path):
    with History(tmp_path / "h.sqlite3") as h:
        for day in (2, 4, 6):
            record_night(h, day, [("left", 3600.0, 60.0)])
        assert S.doctor_note(h, "2026-11-08") is None  # 3 nights in a week is not "> 3"
        record_night(h, 7, [("right", 3600.0, 60.0)])
        note = S.doctor_note(h, "2026-11-08")
        assert "4 nights within one week" in note and "not a diagnosis" in note
        assert S.doctor_note(h, "2026-12-30") is None  # outside the 28-day window
    with History(tmp_path / "h2.sqlite3") as h:
        record_night(h, 10, [("left", 3600.0, 700.0)])
        assert "lasting 11 min 40 s" in S.doctor_note(h, "2026-11-10")
        record_night(h, 12, [("left", 3600.0 * k, 30.0) for k in (1, 3, 5)])
        assert "3 cramps in one night" in S.doctor_note(h, "2026-11-12")


def test_weekly_trend_counts(tmp_path):
    with History(tmp_path / "h.sqlite3") as h:
        record_night(h, 16, [("left", 3600.0, 60.0), ("left", 9000.0, 300.0)])  # Mon, W47
        record_night(h, 18, [])
        record_night(h, 24, [("right", 3600.0, 30.0)])  # W48
        trend = S.weekly_trend(h, "2026-11-25", weeks=3)
        assert [(w.week, w.nights, w.cramp_nights, w.cramps, w.longest_s) for w in trend] == [
            ("2026-W46", 0, 0, 0, 0.0),
            ("2026-W47", 2, 1, 2, 300.0),
            ("2026-W48", 1, 1, 1, 30.0),
        ]


def test_week_rows_count_the_whole_week_of_an_earlier_night(home, capsys):
    """``summary --night`` of a night early in a week: its week row counts every night of that
    week in the history (as ``history`` lists them), not only those up to the night shown."""
    with History(history_path()) as h:
        record_night(h, 16, [("left", 3600.0, 60.0)])  # Mon 16 Nov, W47
        record_night(h, 17, [("right", 3600.0, 30.0), ("right", 7200.0, 30.0)])  # Tue
        SessionRecorder(h, "night", ["left"], "x", night_start(18, 2)).close(600.0)  # Tue night
        record_night(h, 22, [("left", 3600.0, 700.0)])  # Sun 22 Nov, still W47
        record_night(h, 23, [("left", 3600.0, 45.0)])  # Mon 23 Nov, W48
        trend = S.weekly_trend(h, "2026-11-17", weeks=2)
    assert [(w.week, w.nights, w.cramp_nights, w.cramps, w.longest_s) for w in trend] == [
        ("2026-W46", 0, 0, 0, 0.0),
        ("2026-W47", 3, 3, 4, 700.0),
    ]
    assert main(["summary", "--night", "2026-11-17", "--weeks", "1"]) == 0
    out = capsys.readouterr().out
    assert "2 cramps (right)" in out
    (row,) = [line for line in out.splitlines() if line.startswith("2026-W47")]
    assert row.split()[1:4] == ["3", "3", "4"], row


def test_session_view_places_cramps_in_the_activity(tmp_path):
    runs = [
        (0.0, 300.0, "standing"),
        (300.0, 1500.0, "running"),
        (1500.0, 1510.0, "active"),
        (1510.0, 1800.0, "walking"),
        (1800.0, 2400.0, "standing"),
    ]
    smoothed = smooth_runs(runs)
    assert smoothed[1] == (300.0, 1510.0, "running")
    assert cramp_context(smoothed, 1000.0) == "while running"
    assert cramp_context(smoothed, 2100.0) == "5 min after stopping walking"
    assert cramp_context(smoothed, 100.0) == "while standing"
    with History(tmp_path / "h.sqlite3") as h:
        rec = SessionRecorder(h, "training", ["left", "right"], "run.csv", night_start(20, 18))
        rec.record_activity([("left", a, b, w) for a, b, w in runs])
        rec.record_event(Event("left", "cramp", 2100.0, 2102.0, 2160.0, id=1))
        rec.close(2400.0)
        text = format_session(h, rec.session_id)
    assert "Training session" in text and "5:00-25:10 running" in text
    assert "cramp left at 35 min in, 5 min after stopping walking; lasted 60 s" in text


def test_cli_summary_history_export_delete(home, capsys):
    with History(history_path()) as h:
        record_night(h, 20, [("left", 3 * 3600.0, 700.0)])
        record_night(h, 21, [])
    assert main(["summary", "--night", "2026-11-20", "--plot", str(home / "n.png")]) == 0
    out = capsys.readouterr().out
    assert "Night of 2026-11-20" in out and "1 cramp (left)" in out
    assert "lasting 11 min 40 s" in out and "2026-W47" in out
    from matplotlib.image import imread

    image = imread(home / "n.png")
    assert image.shape[0] > 100 and image.shape[1] == 1000

    assert main(["summary"]) == 0
    assert "Night of 2026-11-21" in capsys.readouterr().out

    assert main(["history"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert len(listing) == 3 and "sim://night" in listing[1]

    assert main(["history", "--export", str(home / "all.csv")]) == 0
    with open(home / "all.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    cramps = [r for r in rows if r["record"] == "cramp"]
    assert len(cramps) == 1 and float(cramps[0]["duration_s"]) == 700.0
    assert main(["history", "--from", "2026-11-21", "--export", str(home / "n21.json")]) == 0
    doc = json.loads((home / "n21.json").read_text())
    assert [s["night"] for s in doc["sessions"]] == ["2026-11-21"]

    assert main(["history", "--delete"]) == 2
    assert "without --yes" in capsys.readouterr().err
    assert main(["history", "--delete-session", "999"]) == 2
    assert "No session 999" in capsys.readouterr().err
    assert main(["history", "--to", "2026-11-20", "--delete", "--yes"]) == 0
    with History(history_path()) as h:
        assert [r["night"] for r in h.sessions()] == ["2026-11-21"]


def test_cli_bad_input_is_one_line(home, capsys):
    assert main(["summary", "--night", "yesterday"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert main(["summary", "--plot", "x.jpg"]) == 2
    bad = home / "bad.json"
    bad.write_text("{not json")
    assert main(["history", "--import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "not a JSON detection result" in err


def test_import_a_recorded_session_directory(home, capsys):
    """A `record` session (samples + journal of events) goes into the history with its times."""
    import numpy as np

    from crampdetect.core import Block, Representation
    from crampdetect.storage.session import SessionWriter

    path = home / "night.cdrec"
    t0 = 5000.0  # host-clock seconds of the first sample
    with SessionWriter(
        path,
        fs=200.0,
        channels=("calf_left",),
        representation=Representation(),
        settings={"profile": "night"},
    ) as w:
        w.write(Block(np.zeros((1, 200 * 600)), 200.0, t0=t0, channels=("calf_left",)))
        raised = Event("calf_left", "cramp", t0 + 100.0, t0 + 102.0, id=4)
        w.write_events([raised])
        w.write_quality([QualityInterval("calf_left", "lead_off", t0 + 300.0, t0 + 360.0)])
        w.write_events([raised.ended(t0 + 190.0)])
    assert main(["history", "--import", str(path)]) == 0
    assert "Imported night session 1" in capsys.readouterr().out
    with History(history_path()) as h:
        (s,) = h.sessions()
        assert s["duration_s"] == pytest.approx(600.0)
        (c,) = h.records("cramps", s["id"])
        assert (c["onset_s"], c["end_s"], c["duration_s"]) == (100.0, 190.0, 90.0)
        (q,) = h.records("quality", s["id"])
        assert (q["start_s"], q["end_s"]) == (300.0, 360.0)
    empty = home / "plain.csv"
    empty.write_text("time_s,calf_left\n0.0,1.0\n0.005,2.0\n")
    assert main(["history", "--import", str(empty)]) == 2
    assert "has no detector events" in capsys.readouterr().err


def test_doctor_note_counts_the_busiest_week_not_the_first_over_the_limit(tmp_path):
    """Five cramp nights in a row: the trend says 5, and so must the note (it stopped at the
    first 7-night window with more than 3, which held only 4 of them)."""
    with History(tmp_path / "h.sqlite3") as h:
        for day in range(16, 21):  # Monday to Friday of one ISO week
            record_night(h, day, [("left", 3600.0, 60.0)])
        note = S.doctor_note(h, "2026-11-20")
        trend = S.weekly_trend(h, "2026-11-20", 1)
    assert trend[-1].cramp_nights == 5
    assert "cramps on 5 nights within one week" in note
    assert "nights of 2026-11-16 to 2026-11-20" in note
