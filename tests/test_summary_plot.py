"""`summary --plot`: a clock-time night, the week below, axis titles, a legend, unique ticks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from crampdetect.core import Event, QualityInterval
from crampdetect.storage.history import History
from crampdetect.storage.recorder import SessionRecorder

pytest.importorskip("matplotlib")
TZ = dt.timezone(dt.timedelta(hours=1))
#: night (day of Nov 2026) -> cramps as (hour into the night, leg, length s, recurrence)
PLAN = {
    15: [(2.5, "calf_left", 90, False)],
    17: [(1.0, "calf_right", 40, False), (1.6, "calf_right", 25, True)],
    18: [],
    20: [
        (0.8, "calf_left", 60, False),
        (1.3, "calf_left", 30, True),
        (4.0, "calf_right", 45, False),
    ],
}


def _history(path: Path) -> History:
    h = History(path)
    for day, cramps in PLAN.items():
        rec = SessionRecorder(
            h,
            "night",
            ["calf_left", "calf_right"],
            started_at=dt.datetime(2026, 11, day, 23, 10, tzinfo=TZ),
        )
        for k, (hour, leg, length, again) in enumerate(cramps, 1):
            ev = Event(leg, "cramp", hour * 3600, hour * 3600 + 3, end_s=hour * 3600 + length, id=k)
            rec.record_event(ev, recurrence=again)
        rec.record_quality(QualityInterval("calf_right", "lead_off", 3 * 3600, 3.3 * 3600))
        rec.close(7.8 * 3600)
    return h


def test_week_and_night_are_drawn_with_titles_legends_and_unique_ticks(tmp_path: Path) -> None:
    from matplotlib.figure import Figure

    from crampdetect.reports import night_plot

    with _history(tmp_path / "h.sqlite3") as h:
        out = night_plot.plot_night(h, "2026-11-20", tmp_path / "night.png")
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 20_000
        fig = Figure()
        ax = fig.add_subplot()
        night = [int(r["id"]) for r in h.sessions("2026-11-20", "2026-11-20")]
        night_plot._timeline(ax, h, night)
        fig.canvas.draw()
        ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
        assert len(ticks) >= 4 and len(ticks) == len(set(ticks))  # no repeated tick label
        assert ax.get_xlabel() == "Clock time" and ax.get_ylabel() == "Leg"
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert labels[:3] == ["cramp", "recurrence (within 1 h)", "sensor problem"]
        cramp_colours = {
            tuple(c.get_facecolor()[0][:3])
            for c in ax.collections
            if len(c.get_facecolor()) and c.get_hatch() is None
        }
        assert len(cramp_colours) == 2  # cramps and recurrences told apart


def test_cli_summary_plot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from crampdetect.cli import main
    from crampdetect.storage.paths import history_path

    monkeypatch.setenv("CRAMPDETECT_HOME", str(tmp_path / "home"))
    _history(history_path()).close()
    assert main(["summary", "--night", "2026-11-20", "--plot", str(tmp_path / "w.png")]) == 0
    assert "Plot written to" in capsys.readouterr().out
    assert (tmp_path / "w.png").stat().st_size > 20_000


@pytest.mark.parametrize("length_s", [90.0, 25 * 60.0, 7.8 * 3600])
def test_every_clock_tick_is_a_full_clock_time(tmp_path: Path, length_s: float) -> None:
    """A short session's axis read ``23:30, 30, 23:31, 30``: each tick is a clock time."""
    import re

    from matplotlib.figure import Figure

    from crampdetect.reports import night_plot

    with History(tmp_path / "h.sqlite3") as h:
        rec = SessionRecorder(
            h, "night", ["calf_left"], started_at=dt.datetime(2026, 11, 20, 23, 30, tzinfo=TZ)
        )
        rec.record_event(Event("calf_left", "cramp", 20.0, 23.0, end_s=60.0, id=1))
        rec.close(length_s)
        fig = Figure()
        ax = fig.add_subplot()
        night_plot._timeline(ax, h, [rec.session_id])
        fig.canvas.draw()
        ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert len(ticks) >= 3 and len(ticks) == len(set(ticks)), ticks
    assert all(re.fullmatch(r"\d\d:\d\d(:\d\d)?", t) for t in ticks), ticks
