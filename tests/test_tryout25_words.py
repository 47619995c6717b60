"""Words of the session-25 tryout: the session view shows prompts and sensor time as the night
summary does; a cramp an early warning on its leg ran into came "after the calf tensed up"."""

from __future__ import annotations

import datetime as dt

from crampdetect.alerts.policy import Action
from crampdetect.core import Event, QualityInterval
from crampdetect.reports.session_view import TENSED_UP, cramp_context, format_session
from crampdetect.storage.history import History
from crampdetect.storage.recorder import SessionRecorder

START = dt.datetime(2026, 12, 7, 22, 0, tzinfo=dt.UTC)


def test_summary_training_shows_prompts_and_sensor_time_as_the_night_summary(tmp_path):
    with History(tmp_path / "h.sqlite3") as h:
        rec = SessionRecorder(h, "training", ["calf_left", "calf_right"], "sim://x", START)
        cramp = Event("calf_left", "cramp", 600.0, 608.0, id=1)
        rec.record_event(cramp)
        rec.record_event(cramp.ended(650.0))
        rec.record_action(Action("vibrate", 608.0, "cramp", "calf_left", 1))
        rec.record_action(Action("vibrate", 638.0, "cramp again", "calf_left", 1))
        rec.record_ack(640.0)
        for q in (
            QualityInterval("calf_right", "saturation", 99.95, 100.0),  # its edge
            QualityInterval("calf_right", "lead_off", 100.0, 130.0),
            QualityInterval("calf_right", "mains", 200.0, 260.0),  # disturbed, not lost
        ):
            rec.record_quality(q)
        rec.close(1800.0)
        text = format_session(h, rec.session_id)
    assert "Prompts: 2, acknowledged: 1" in text
    assert "Time lost to sensor problems: right calf 30 s (sensor loose once)" in text


def test_a_clean_session_view_has_no_sensor_line(tmp_path):
    with History(tmp_path / "h.sqlite3") as h:
        rec = SessionRecorder(h, "training", ["calf_left"], "sim://x", START)
        rec.close(600.0)
        text = format_session(h, rec.session_id)
    assert "Prompts: 0, acknowledged: 0" in text
    assert "sensor problems" not in text


def test_a_cramp_an_early_warning_ran_into_came_after_the_calf_tensed_up(tmp_path):
    rest = [(0.0, 180.0, "rest")]
    assert cramp_context(rest, 63.0) == "at rest"
    assert cramp_context(rest, 63.0, [(38.0, 64.0)]) == TENSED_UP
    assert cramp_context(rest, 63.0, [(38.0, None)]) == TENSED_UP  # still open
    assert cramp_context(rest, 63.0, [(10.0, 30.0)]) == "at rest"  # over long before
    running = [(0.0, 180.0, "running")]
    assert cramp_context(running, 63.0, [(38.0, 64.0)]) == "while running"  # effort first

    with History(tmp_path / "h.sqlite3") as h:
        rec = SessionRecorder(h, "night", ["calf_left", "calf_right"], "x.csv", START)
        warning = Event("calf_left", "early_warning", 38.0, 45.0, id=1)
        rec.record_event(warning)
        rec.record_event(warning.ended(64.0))
        other = Event("calf_right", "early_warning", 38.0, 45.0, id=2)  # the other leg
        rec.record_event(other)
        rec.record_event(other.ended(64.0))
        cramp = Event("calf_left", "cramp", 63.0, 70.0, id=3)
        rec.record_event(cramp)
        rec.record_event(cramp.ended(120.0))
        rec.record_activity([(leg, 0.0, 180.0, "rest") for leg in ("calf_left", "calf_right")])
        rec.close(180.0)
        text = format_session(h, rec.session_id)
    assert f"cramp calf_left at 63 s in, {TENSED_UP};" in text, text
    assert "at rest;" not in text
