"""The report's activity timeline lays the cramps over the activity as `summary --training` does
(the classifier alone calls a cramp a hold): its table, its row and its minutes per activity.
The HTML report is parsed back."""

from __future__ import annotations

import re
from pathlib import Path

from htmlpage import ReportPage
from test_reports_render import night_csv

from crampdetect.cli import main
from crampdetect.reports.clock import clock
from crampdetect.storage.paths import HOME_ENV


def test_report_timeline_shows_the_cramp_as_summary_does(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    rec, res, page = tmp_path / "run.csv", tmp_path / "run.json", tmp_path / "run.html"
    night_csv(rec)  # a 60 s waxing/waning contraction on the left calf from 30 s
    assert main(["detect", str(rec), "--profile", "training", "--json"]) == 0
    res.write_text(capsys.readouterr().out)
    assert main(["history", "--import", str(res), "--recording", str(rec)]) == 0
    capsys.readouterr()
    assert main(["summary", "--training"]) == 0
    summary = capsys.readouterr().out
    assert main(["report", str(rec), "--profile", "training", "--out", str(page)]) == 0
    capsys.readouterr()

    html = ReportPage()
    html.feed(page.read_text(encoding="utf-8"))
    events = [
        dict(zip(html.tables["events"][0], r, strict=True)) for r in html.tables["events"][1:]
    ]
    (cramp,) = [e for e in events if e["kind"] == "cramp"]
    assert cramp["channel"] == "calf_left"
    rows = [(leg, float(a), float(b), what) for leg, a, b, what in html.tables["activity"][1:]]
    # the cramp's span is shown as cramp on its leg, no longer as a hold
    onset, end = float(cramp["onset (s)"]), float(cramp["end (s)"])
    (shown,) = [r for r in rows if r[0] == "calf_left" and r[3] == "cramp"]
    assert abs(shown[1] - onset) < 0.1 and abs(shown[2] - end) < 0.1
    assert not any(r[3] == "cramp" for r in rows if r[0] == "calf_right")

    # the summary shows the same cramp, at the same time, in the stored timeline
    (line,) = [x for x in summary.splitlines() if x.startswith("Activity (calf_left): ")]
    assert f"{clock(shown[1], 'ms')}-{clock(shown[2], 'ms')} cramp" in line, line
    assert "hold" not in line

    # the header's minutes per activity are those of the rows (mean over the legs): the
    # cramp's time counted as cramp, as the summary's timeline shows it, not as a hold
    (header,) = [x for x in "".join(html.pre).splitlines() if x.startswith("activity (mean")]
    said = {m[1]: float(m[2]) for m in re.finditer(r"(\w+) ([\d.]+) min", header)}
    totals: dict[str, float] = {}
    for _, a, b, what in rows:
        totals[what] = totals.get(what, 0.0) + (b - a) / 2 / 60
    assert said.keys() == totals.keys() and "hold" not in said
    for what, minutes in totals.items():
        assert abs(said[what] - minutes) <= 0.051, (what, said[what], minutes)
    assert abs(said["cramp"] - (end - onset) / 2 / 60) <= 0.051
