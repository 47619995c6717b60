"""A flapping electrode (lead-off back within ``sensor_back_s``, again and again) is one
"sensor loose" episode everywhere: in the live messages (:class:`SensorWatch`), in monitor's end
summary, in the morning summary and in the report's counts -- one rule
(:func:`~crampdetect.alerts.policy.same_sensor_episode`) used by all of them."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pytest

from crampdetect.alerts.patterns import settings_for
from crampdetect.alerts.policy import SensorWatch, sensor_loose_episodes
from crampdetect.core import QualityInterval

START = dt.datetime(2026, 12, 7, 22, 0, tzinfo=dt.UTC)
BACK_S = settings_for("night").sensor_back_s


def _flapping(first: float, n: int, on_s: float, off_s: float) -> list[tuple[float, float]]:
    return [(first + i * (on_s + off_s), first + i * (on_s + off_s) + on_s) for i in range(n)]


# three flaps 3 s apart (within sensor_back_s), then a separate one long after, and on the
# right a lead-off back after longer than sensor_back_s: two episodes there
LEFT = [*_flapping(100.0, 3, 4.0, BACK_S * 0.3), (400.0, 410.0)]
RIGHT = [(600.0, 605.0), (605.0 + BACK_S * 1.5, 620.0 + BACK_S * 1.5)]


def _live_messages(spans: dict[str, list[tuple[float, float]]], end_s: float) -> dict[str, int]:
    """'sensor loose' messages SensorWatch gives when fed the intervals as a live run does
    (opened at their start, closed at their end), judged every 20 ms block."""
    watch = SensorWatch("night")
    opens = {round(a / 0.02): (ch, a) for ch, iv in spans.items() for a, _ in iv}
    closes = {round(b / 0.02): (ch, a, b) for ch, iv in spans.items() for a, b in iv}
    told: dict[str, int] = {}
    for k in range(round(end_s / 0.02)):
        quality = []
        if k in opens:
            ch, a = opens[k]
            quality.append(QualityInterval(ch, "lead_off", a, None))
        if k in closes:
            ch, a, b = closes[k]
            quality.append(QualityInterval(ch, "lead_off", a, b))
        for action in watch.update(quality, k * 0.02):
            if action.reason.startswith("sensor loose"):
                told[action.channel] = told.get(action.channel, 0) + 1
    return told


def test_the_rule_joins_a_flapping_lead_off():
    assert sensor_loose_episodes(LEFT, BACK_S) == 2
    assert sensor_loose_episodes(RIGHT, BACK_S) == 2
    assert sensor_loose_episodes([(0.0, 5.0), (2.0, 4.0), (5.0, 6.0)], 0.0) == 1  # overlap
    assert sensor_loose_episodes(LEFT, 0.0) == 4  # no joining: separate stretches
    assert sensor_loose_episodes([], BACK_S) == 0


def test_summaries_count_loose_sensors_as_the_live_messages_told_them(tmp_path):
    from crampdetect.cli.monitor import print_summary
    from crampdetect.pipeline.live import MonitorSummary
    from crampdetect.reports import summary as S
    from crampdetect.storage.history import History
    from crampdetect.storage.recorder import SessionRecorder

    spans = {"calf_left": LEFT, "calf_right": RIGHT}
    live = _live_messages(spans, 900.0)
    assert live == {"calf_left": 2, "calf_right": 2}  # the flaps were told once

    quality = [QualityInterval(ch, "lead_off", a, b) for ch, iv in spans.items() for a, b in iv]
    summary = MonitorSummary(quality=quality)
    summary.stream_s = 900.0
    out = io.StringIO()
    print_summary(summary, out, "night")
    said = out.getvalue()
    assert "left calf" in said and "(sensor loose twice)" in said, said
    assert "4 times" not in said and "3 times" not in said

    with History(tmp_path / "h.sqlite3") as h:
        rec = SessionRecorder(h, "night", ["calf_left", "calf_right"], "sim://night", START)
        for q in quality:
            rec.record_quality(q)
        rec.close(900.0)
        night = S.summarise_night(h, "2026-12-07")
    assert night.lost_episodes == {
        "calf_left": {"lead_off": live["calf_left"]},
        "calf_right": {"lead_off": live["calf_right"]},
    }
    assert "left calf 22 s (sensor loose twice)" in S.format_night(night)


def test_other_issues_stay_separate_stretches():
    from crampdetect.reports.summary import issue_episodes

    flaps = _flapping(0.0, 3, 2.0, 1.0)
    assert issue_episodes("lead_off", flaps) == 1
    assert issue_episodes("saturation", flaps) == issue_episodes("gap", flaps) == 3


@pytest.mark.parametrize("profile", ["night", "training"])
def test_the_report_counts_a_flapping_lead_off_once(tmp_path, profile):
    """A CSV whose right electrode flaps off (at the rail) three times, 2 s apart."""
    pytest.importorskip("matplotlib")
    from test_reports_render import FS, night_csv

    from crampdetect.reports.report import collect, night_summary
    from crampdetect.storage.reader import open_recording

    path = night_csv(tmp_path / "night.csv")
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    t = data[:, 0]
    stuck, calm = (t > 110) & (t < 130), (t > 10) & (t < 30)
    data[stuck, 2] = data[calm, 2][: stuck.sum()]  # the electrode on again, as before
    for a in (110.0, 116.0, 122.0):  # 4 s at the rail, 2 s back, three times
        data[(t >= a) & (t < a + 4.0), 2] = 1023
    with open(path, "w") as fh:
        fh.write("time_s,calf_left,calf_right\n")
        np.savetxt(fh, data, fmt=["%.3f", "%d", "%d"], delimiter=",")
    assert FS == 1000.0
    result = collect(open_recording(path), profile)
    spans = [
        (q["start_s"], q["end_s"])
        for q in result.quality
        if q["channel"] == "calf_right" and q["issue"] == "lead_off"
    ]
    assert len(spans) >= 2, spans  # flagged as separate stretches
    s = night_summary(result)
    assert s["sensor_problem_episodes"]["calf_right"]["lead_off"] == 1
