"""What the summaries and the monitor say to a user (findings of the session-24 tryout): a
cramp's context names the effort just before it, in grammatical words."""

from __future__ import annotations

import datetime as dt
import re

from crampdetect.core import Event
from crampdetect.reports.session_view import cramp_context, format_session, smooth_runs
from crampdetect.storage.history import History
from crampdetect.storage.recorder import SessionRecorder

START = dt.datetime(2026, 12, 7, 22, 0, tzinfo=dt.UTC)

# The tryout's training session around its cramp (calf_left, onset 987.7 s): walking stopped
# at 770 s, a set of calf raises read as "active" 962-990 s, the cramp itself as a hold.
TRAINING = [
    (0.0, 28.0, "standing"), (28.0, 372.0, "walking"), (372.0, 406.0, "standing"),
    (406.0, 674.0, "running"), (674.0, 770.0, "walking"), (770.0, 962.0, "standing"),
    (962.0, 990.0, "active"), (990.0, 1026.0, "hold"), (1026.0, 1200.0, "standing"),
]  # fmt: skip


def test_a_cramp_right_after_other_effort_is_not_minutes_after_walking():
    runs = smooth_runs(TRAINING)
    assert cramp_context(runs, 987.7) == "during other activity"
    # The effort ended 24 s before the onset: said so, not the walk 4 min before.
    assert cramp_context(runs, 1050.0) == "24 s after a hold"
    # Long after any effort: the last stop of walking or running, as before.
    assert cramp_context(runs, 1150.0) == "6 min after stopping walking"
    assert cramp_context(runs, 790.0) == "20 s after stopping walking"


def test_activity_words_are_phrases_not_labels():
    assert cramp_context([(0.0, 600.0, "rest")], 120.0) == "at rest"
    assert cramp_context([(0.0, 600.0, "hold")], 120.0) == "during a hold"
    assert cramp_context([(0.0, 600.0, "standing")], 120.0) == "while standing"
    assert cramp_context([(0.0, 600.0, "tense")], 120.0) == "with the leg tense"
    night = [(0.0, 100.0, "rest"), (100.0, 110.0, "moving"), (110.0, 600.0, "rest")]
    assert cramp_context(night, 114.0) == "4 s after moving the leg"
    assert cramp_context(night, 300.0) == "at rest"


def test_night_session_view_says_at_rest(tmp_path):
    with History(tmp_path / "h.sqlite3") as h:
        rec = SessionRecorder(h, "night", ["calf_left"], "night.csv", START)
        rec.record_activity([("calf_left", 0.0, 600.0, "rest")])
        rec.record_event(Event("calf_left", "cramp", 120.0, 125.0, 160.0, id=1))
        rec.close(600.0)
        text = format_session(h, rec.session_id)
    assert "at 2 min in, at rest;" in text and "while rest" not in text


def test_training_session_view_names_the_effort_before_the_cramp(tmp_path):
    with History(tmp_path / "h.sqlite3") as h:
        rec = SessionRecorder(h, "training", ["calf_left"], "train.csv", START)
        rec.record_activity([("calf_left", a, b, w) for a, b, w in TRAINING])
        rec.record_event(Event("calf_left", "cramp", 987.7, 993.4, 1028.8, id=1))
        rec.close(1200.0)
        text = format_session(h, rec.session_id)
    assert "at 16 min in, during other activity;" in text
    assert "after stopping walking" not in text


def test_the_simple_policy_names_the_leg_and_the_cramp():
    from crampdetect.alerts.haptic import SimplePolicy
    from crampdetect.alerts.policy import STRETCH_TEXT

    policy = SimplePolicy(profile="night")
    actions = policy.update([Event("calf_left", "cramp", 10.0, 12.5, id=1)], 12.5)
    (message,) = [a for a in actions if a.kind == "message"]
    assert message.text == f"Cramp in the left calf. {STRETCH_TEXT}"


def test_both_summaries_say_sensor_problems_in_words_with_their_episodes(tmp_path):
    import io

    from crampdetect.cli.monitor import print_summary
    from crampdetect.core import QualityInterval
    from crampdetect.pipeline.live import MonitorSummary
    from crampdetect.reports import summary as S

    loose = [QualityInterval("calf_left", "lead_off", a, a + 15.0) for a in (100.0, 300.0, 500.0)]
    clipped = QualityInterval("calf_right", "saturation", 700.0, 718.0)
    summary = MonitorSummary(quality=[*loose, clipped])
    summary.stream_s = 900.0
    out = io.StringIO()
    print_summary(summary, out)
    said = out.getvalue()
    assert (
        "time lost to sensor problems: 1 min 03 s; left calf 45 s (sensor loose 3 times), "
        "right calf 18 s (signal overloaded once)"
    ) in said
    assert "lead_off" not in said and "calf_left" not in said

    with History(tmp_path / "h.sqlite3") as h:
        rec = SessionRecorder(h, "night", ["calf_left", "calf_right"], "sim://night", START)
        for q in summary.quality:
            rec.record_quality(q)
        rec.close(900.0)
        text = S.format_night(S.summarise_night(h, "2026-12-07"))
    assert (
        "Time lost to sensor problems: 1 min 03 s; left calf 45 s (sensor loose 3 times), "
        "right calf 18 s (signal overloaded once)"
    ) in text


def test_the_report_provenance_table_rounds_floats_for_display():
    from crampdetect.reports.report_files import provenance_table

    block = {"block_s": 0.1349999999999411, "fs": 1000.0, "tiny": 1.5e-9,
             "input": {"sha256": "ab12", "spans": [0.30000000000000004]}}  # fmt: skip
    table = provenance_table(block)
    assert "<th>block_s</th><td><code>0.135</code>" in table
    assert "0.1349999999999411" not in table and "0.30000000000000004" not in table
    assert "<code>1000.0</code>" in table and "<code>1.5e-09</code>" in table
    assert "<code>ab12</code>" in table and "<code>[0.3]</code>" in table


def test_no_view_lines_carry_the_clock_time_they_were_said():
    import io

    from crampdetect.cli._statusview import MessageLines

    out = io.StringIO()
    lines = MessageLines(out, now=lambda: "02:14:07")
    lines.message("Cramp in the left calf. Pull your toes.")
    assert out.getvalue() == "[02:14:07] Cramp in the left calf. Pull your toes.\n"
    out = io.StringIO()
    MessageLines(out).message("x")  # the local clock by default
    assert re.fullmatch(r"\[\d\d:\d\d:\d\d\] x\n", out.getvalue())
