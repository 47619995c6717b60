"""The report's human text says quality issues in the words of the summaries ("right calf
20.5 s, ... (sensor loose once)", "sensor loose" in the quality table); its JSON keeps the
machine names. The HTML report is parsed back."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from crampdetect.reports.summary import LOST_ISSUES, QUALITY_WORDS, issue_words

pytest.importorskip("matplotlib")


class _Report(HTMLParser):
    """The ``<pre>`` summary text and the rows of the tables with an ``id``."""

    def __init__(self) -> None:
        super().__init__()
        self.pre: list[str] = []
        self.tables: dict[str, list[list[str]]] = {}
        self._in_pre = False
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "pre":
            self._in_pre = True
        elif tag == "table":
            self._table = dict(attrs).get("id")
            if self._table:
                self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self._in_pre = False
        elif tag in ("td", "th") and self._cell is not None and self._table:
            self.tables[self._table][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._in_pre:
            self.pre.append(data)
        if self._cell is not None:
            self._cell.append(data)


def test_the_html_report_says_quality_issues_in_words(tmp_path: Path) -> None:
    from test_reports_render import night_csv

    from crampdetect.reports.report import collect, night_summary
    from crampdetect.reports.report_files import make_report
    from crampdetect.storage.reader import open_recording

    night = night_csv(tmp_path / "night.csv")  # a 20 s lead-off on the right calf
    out = make_report(night, tmp_path / "night.html", "night")
    page = _Report()
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
