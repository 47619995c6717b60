"""The report's human text says quality issues in the words of the summaries ("right calf
20.5 s, ... (sensor loose once)", "sensor loose" in the quality table); its JSON keeps the
machine names. The HTML report is parsed back."""

from __future__ import annotations

from pathlib import Path

import pytest
from htmlpage import ReportPage

from crampdetect.reports.summary import LOST_ISSUES, QUALITY_WORDS, issue_words

pytest.importorskip("matplotlib")


def test_the_html_report_says_quality_issues_in_words(tmp_path: Path) -> None:
    from test_reports_render import night_csv

    from crampdetect.reports.report import collect, night_summary
    from crampdetect.reports.report_files import make_report
    from crampdetect.storage.reader import open_recording

    night = night_csv(tmp_path / "night.csv")  # a 20 s lead-off on the right calf
    out = make_report(night, tmp_path / "night.html", "night")
    page = ReportPage()
    page.feed(out.read_text(encoding="utf-8"))
    text = "".join(page.pre)
    (line,) = [ln for ln in text.splitlines() if ln.startswith("time lost to sensor problems")]
    assert "right calf" in line and "(sensor loose once" in line, line
    assert "lead_off" not in text and "saturation" not in text

    header, *rows = page.tables["quality"]
    assert header[:2] == ["channel", "issue"]
    said = {row[1] for row in rows}
    assert "sensor loose" in said
    assert not said & set(QUALITY_WORDS)  # no machine name left in the table
    assert said <= set(QUALITY_WORDS.values())

    s = night_summary(collect(open_recording(night), "night"))  # JSON: machine names
    assert s["sensor_problem_episodes"]["calf_right"]["lead_off"] == 1
    assert "lead_off" in s["quality_issues"]


def test_every_quality_issue_has_words() -> None:
    from crampdetect.detect.quality import QualityMonitor

    for issue in (*LOST_ISSUES, *QualityMonitor.ISSUES):
        assert issue in QUALITY_WORDS and "_" not in issue_words(issue)
