"""The report's activity row (training) is the history's timeline: the same classifier, fed
the same envelope frames (`history --import --recording` and `monitor --history --record`
store it), so samples in ADC counts and the MyoWare ENV output read as they do there -- rest
at the instrument's floor, not standing or a hold. The HTML report is parsed back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from htmlpage import ReportPage

from crampdetect.core import Representation
from crampdetect.reports.activity import activity_from_file
from crampdetect.simulate import simulate, write_session

pytest.importorskip("matplotlib")


@pytest.mark.parametrize("signal", ["env", "raw"])
def test_the_reports_activity_row_is_the_historys_timeline(tmp_path: Path, signal: str) -> None:
    from crampdetect.cli import main

    rep = Representation(signal, "counts", 10)  # a 10-bit board: raw counts, or its ENV output
    session = simulate("hold", seed=1, fs=500.0, duration_s=120.0, representation=rep)
    csv, _ = write_session(session, tmp_path / f"hold-{signal}.csv")
    out = tmp_path / "hold.html"
    assert main(["report", str(csv), "--out", str(out), "-q"]) == 0  # training, as it names
    parser = ReportPage()
    parser.feed(out.read_text(encoding="utf-8"))
    header, *rows = parser.tables["activity"]
    assert header == ["leg", "start (s)", "end (s)", "activity"]
    stored = activity_from_file(csv, profile="training")  # what the history stores
    assert rows == [[leg, f"{a:.1f}", f"{b:.1f}", what] for leg, a, b, what in stored]

    # what it says: rest before anything starts, standing where the wearer stands (before,
    # ENV read as holds from start to end and 10-bit counts' floor as standing)
    labels = session.planned_labels["intervals"]
    for leg in session.channels:
        first = min(i["start_s"] for i in labels if i["channel"] == leg)
        mine = [(float(a), float(b), what) for ch, a, b, what in rows if ch == leg]
        assert mine[0][2] == "rest" and mine[0][1] >= min(first, 6.0) - 2.0, mine
        grid = np.arange(0.0, 120.0, 0.5)
        said = np.full(grid.shape, "", dtype="<U8")
        for a, b, what in mine:
            said[(grid >= a) & (grid < b)] = what
        standing = np.zeros(grid.shape, dtype=bool)
        for i in labels:
            if i["channel"] == leg and i["kind"] == "standing":
                standing |= (grid >= i["start_s"] + 2.0) & (grid < i["end_s"] - 2.0)
        assert (said[standing] == "standing").mean() >= 0.5, mine
