"""`monitor --history --record` classifies the session's activity as it goes: at its end the
timeline is only stored (the recording is not read again), and it is the timeline
`history --import REC --recording REC` computes from the recording."""

from __future__ import annotations

from pathlib import Path

import pytest

from crampdetect.cli import main
from crampdetect.reports import activity
from crampdetect.storage.history import open_history


def _timeline(home: Path) -> list[tuple]:
    with open_history(home / "history.sqlite3") as history:
        (row,) = history.sessions()
        rows = history.records("activity", int(row["id"]))
        return [(r["leg"], r["start_s"], r["end_s"], r["activity"]) for r in rows]


@pytest.mark.parametrize("profile", ["night", "training"])
def test_the_live_timeline_is_the_one_import_computes(tmp_path, monkeypatch, capsys, profile):
    rec = tmp_path / "night.cdrec"
    live_home, other = tmp_path / "live", tmp_path / "other"
    monkeypatch.setenv("CRAMPDETECT_HOME", str(live_home))

    def no_reread(*args, **kwargs):
        raise AssertionError("the monitor read the recording again")

    with monkeypatch.context() as m:
        m.setattr(activity, "timeline_of", no_reread)
        m.setattr(activity, "open_recording", no_reread)
        url = "sim://night-short?seed=3&speed=0&duration=75"
        argv = ["monitor", url, "--profile", profile, "--no-view", "--history"]
        assert main([*argv, "--record", str(rec)]) == 0
    assert "history session 1: its activity timeline stored" in capsys.readouterr().out
    stored = _timeline(live_home)
    assert {leg for leg, *_ in stored} == {"calf_left", "calf_right"}
    assert "rest" in {what for *_, what in stored}
    monkeypatch.setenv("CRAMPDETECT_HOME", str(other))
    assert main(["history", "--import", str(rec), "--recording", str(rec)]) == 0
    assert _timeline(other) == stored
