"""Report overview: a cramp and its early warning get distinct colours in the legend."""

from __future__ import annotations

import pytest

pytest.importorskip("matplotlib")

from matplotlib.colors import to_rgb

from crampdetect.cli import main
from crampdetect.reports.plots import overview_figure
from crampdetect.reports.report import collect
from crampdetect.storage.reader import open_recording


def test_cramp_and_early_warning_differ_in_the_legend(tmp_path) -> None:
    csv = tmp_path / "night.csv"  # this night warns early, then cramps
    assert main(["simulate", "night-short", "--seed", "3", "--out", str(csv), "-q"]) == 0
    data = collect(open_recording(csv), "night")
    assert {e["kind"] for e in data.events} >= {"cramp", "early_warning"}
    fig = overview_figure(data, "night", [])
    (legend,) = fig.legends
    texts = [t.get_text() for t in legend.get_texts()]
    handles = dict(zip(texts, legend.legend_handles, strict=True))
    cramp, warning = handles["cramp"], handles["early warning"]
    assert to_rgb(cramp.get_facecolor()) != to_rgb(warning.get_facecolor())
    # the alert line is one legend entry for both kinds, in neither kind's colour
    alert = to_rgb(handles["alert raised"].get_color())
    assert alert not in (to_rgb(cramp.get_facecolor()), to_rgb(warning.get_facecolor()))
