"""Time lost to sensor problems, said once: the clipped frames at a loose sensor's edges are part
of that loose sensor (:func:`~crampdetect.alerts.policy.sensor_problem_episodes`), a lone
overload still counts, and ``monitor``'s end summary, ``summary`` and ``report`` say it in one
wording (:func:`~crampdetect.reports.summary.sensor_problem_text`), left out when nothing was
lost."""

from __future__ import annotations

import io

import pytest
from conftest import run_cli
from htmlpage import ReportPage

from crampdetect.alerts.patterns import settings_for
from crampdetect.alerts.policy import sensor_problem_episodes
from crampdetect.core import QualityInterval

BACK_S = settings_for("night").sensor_back_s
LABEL = "time lost to sensor problems: "


def test_overload_at_a_loose_sensors_edges_is_part_of_it():
    spans = {
        "saturation": [(68.4, 68.45), (86.5, 86.55), (300.0, 301.0)],  # edges, then alone
        "lead_off": [(68.45, 86.5)],
    }
    assert sensor_problem_episodes(spans, BACK_S) == {"lead_off": 1, "saturation": 1}
    inside = {"saturation": [(70.0, 71.0)], "lead_off": [(68.45, 86.5)]}  # overlapping
    assert sensor_problem_episodes(inside, BACK_S) == {"lead_off": 1}
    alone = {"saturation": [(10.0, 11.0), (20.0, 21.0)]}
    assert sensor_problem_episodes(alone, BACK_S) == {"saturation": 2}
    near = {"saturation": [(86.6, 86.7)], "lead_off": [(68.45, 86.5)]}  # not touching
    assert sensor_problem_episodes(near, BACK_S) == {"lead_off": 1, "saturation": 1}


def test_monitor_counts_a_lone_overload_and_not_the_edges_of_a_loose_sensor():
    from crampdetect.cli.monitor import print_summary
    from crampdetect.pipeline.live import MonitorSummary

    summary = MonitorSummary(
        quality=[
            QualityInterval("calf_right", "saturation", 68.4, 68.45),
            QualityInterval("calf_right", "lead_off", 68.45, 86.5),
            QualityInterval("calf_right", "saturation", 86.5, 86.55),
            QualityInterval("calf_left", "saturation", 120.0, 121.0),
        ]
    )
    summary.stream_s = 180.0
    out = io.StringIO()
    print_summary(summary, out)
    assert (
        f"{LABEL}19 s; left calf 1 s (signal overloaded once), "
        "right calf 18 s (sensor loose once)\n"
    ) in out.getvalue()


def test_nothing_lost_no_line():
    from crampdetect.cli.monitor import print_summary
    from crampdetect.pipeline.live import MonitorSummary
    from crampdetect.reports.summary import sensor_problem_text, sensor_problems

    summary = MonitorSummary(quality=[QualityInterval("calf_left", "mains", 10.0, 20.0)])
    summary.stream_s = 60.0
    out = io.StringIO()
    print_summary(summary, out)
    assert "sensor problems" not in out.getvalue()
    assert sensor_problem_text(sensor_problems({})) is None


def test_a_report_with_nothing_lost_leaves_the_line_out(labelled):
    from crampdetect.reports.report import collect
    from crampdetect.reports.report_files import summary_lines
    from crampdetect.reports.summary import LOST_ISSUES
    from crampdetect.storage.reader import open_recording

    data = collect(open_recording(labelled / "cramp.csv"), "night")
    assert not [q for q in data.quality if q["issue"] in LOST_ISSUES]  # a clean scene
    assert not [ln for ln in summary_lines(data) if "sensor problems" in ln]


def _said(text: str, label: str) -> str:
    (line,) = [ln for ln in text.splitlines() if ln.lower().startswith(label)]
    return line[len(label) :]


def test_monitor_summary_and_report_say_the_loose_sensors_alike(tmp_path):
    """The tryout's scene: each lead-off has clipped frames at its edges; all three used to say
    ``sensor loose twice, signal overloaded 3 times``."""
    pytest.importorskip("matplotlib")
    rec = tmp_path / "lo.cdrec"
    url = "sim://leadoff?speed=0"
    res = run_cli("monitor", url, "--no-view", "--history", "--record", rec, home=tmp_path)
    assert res.returncode == 0, res.stderr
    live = _said(res.stdout, LABEL)
    assert "overloaded" not in live, live
    assert "left calf" in live and "(sensor loose twice)" in live, live
    assert "right calf" in live and "(sensor loose once)" in live, live

    res = run_cli("summary", home=tmp_path)
    assert res.returncode == 0, res.stderr
    assert _said(res.stdout, LABEL) == live

    html = tmp_path / "lo.html"
    res = run_cli("report", rec, "--out", html, home=tmp_path)
    assert res.returncode == 0, res.stderr
    page = ReportPage()
    page.feed(html.read_text(encoding="utf-8"))
    assert _said("".join(page.pre), LABEL) == live
