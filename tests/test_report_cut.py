"""The report replays in long blocks away from its zooms and keeps what it draws.

The pipeline costs per block pushed, so :func:`~crampdetect.reports.report.collect` cuts the
stream in ``status_s`` steps only around the cramps a zoom shows (found by a first fast
replay) and in steps of about a pixel of the overview elsewhere. These tests compare that
against the cut used before (``status_s`` steps throughout: ``OVERVIEW_STEPS`` huge).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from htmlpage import ReportPage

from crampdetect.reports import report
from crampdetect.reports.report import collect, zoom_spans
from crampdetect.reports.report_files import make_report
from crampdetect.storage.reader import open_recording
from tests.test_reports_render import night_csv


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return night_csv(tmp_path_factory.mktemp("cut") / "night.csv")


def _collect(path: Path, profile: str, steps: int, monkeypatch) -> tuple:
    monkeypatch.setattr(report, "OVERVIEW_STEPS", steps)
    done: list[float] = []
    data = collect(open_recording(path), profile, progress=done.append)
    return data, done


@pytest.mark.parametrize("profile", ["night", "training"])
def test_long_blocks_keep_events_envelope_and_zoomed_states(
    night: Path, profile: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fine, fine_done = _collect(night, profile, 10**9, monkeypatch)  # 0.1 s blocks throughout
    cut, cut_done = _collect(night, profile, 100, monkeypatch)  # 1.4 s blocks outside zooms
    # fewer blocks pushed, the first replay included (half the night is in its zoom)
    assert len(cut_done) < 0.7 * len(fine_done)
    # progress counts the recording's signal once (its 0.5 s gap aside), whichever the passes
    assert sum(fine_done) == pytest.approx(fine.rec.duration_s - 0.5, abs=0.01)
    assert sum(cut_done) == pytest.approx(sum(fine_done))
    assert cut.events == fine.events and cut.quality == fine.quality
    assert cut.activity == fine.activity  # the training row
    np.testing.assert_array_equal(cut.status_t, fine.status_t)
    np.testing.assert_array_equal(cut.level_uv, fine.level_uv)  # the envelope, every step
    np.testing.assert_array_equal(cut.lo, fine.lo)
    np.testing.assert_array_equal(cut.hi, fine.hi)
    spans = zoom_spans(fine.events, profile, fine.rec.t_end)
    assert spans, "the night has a cramp to zoom on"
    inside = np.zeros(fine.status_t.size, dtype=bool)
    for a, b in spans:
        inside |= (fine.status_t > a) & (fine.status_t <= b)
    assert inside.any() and not inside.all()
    np.testing.assert_array_equal(cut.state[:, inside], fine.state[:, inside])  # zooms
    assert {0, 2} <= set(np.unique(cut.state[0]))  # idle and cramp on the left
    assert report.night_summary(cut) == report.night_summary(fine)
    if profile == "training":
        assert report.training_summary(cut) == report.training_summary(fine)


def test_html_page_of_a_long_block_replay_shows_every_event_and_the_activity_row(
    night: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report, "OVERVIEW_STEPS", 100)
    out = make_report(night, tmp_path / "r.html", "training")
    page = ReportPage()
    page.feed(out.read_text(encoding="utf-8"))
    data = collect(open_recording(night), "training")
    events = page.tables["events"][1:]
    assert len(events) == len(data.events) >= 1
    assert [row[2] for row in events] == [e["kind"] for e in data.events]
    assert "cramp" in [row[2] for row in events]
    activity = page.tables["activity"][1:]
    shown = report.shown_activity(data)  # the classifier's runs, the cramps laid over them
    assert len(activity) == len(shown) >= 1 and "cramp" in [row[3] for row in activity]
    assert {row[0] for row in activity} == set(data.rec.channels)
    assert out.read_text(encoding="utf-8").count("data:image/png;base64,") == 2  # overview, zoom
