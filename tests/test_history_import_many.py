"""`history --import` of several results: one session each; a file that cannot be imported is
named and the others are still stored (a carer's week of nights in one command)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crampdetect.cli import main
from crampdetect.storage.history import open_history


def _night(path: Path, duration_s: float) -> Path:
    path.write_text(
        json.dumps({
            "input": {"channels": ["calf_left"], "duration_s": duration_s},
            "events": [{"channel": "calf_left", "kind": "cramp", "onset_s": 100.0,
                        "alert_s": 103.0, "end_s": 160.0, "confidence": 0.7}],
            "quality": [],
        })
    )  # fmt: skip
    return path


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CRAMPDETECT_HOME", str(tmp_path / "home"))
    return tmp_path


def test_several_results_import_as_one_session_each_and_a_bad_one_is_named(home, capsys):
    good1 = _night(home / "mon.json", 20_000.0)
    bad = home / "tue.json"
    bad.write_text("this is not a detect result")
    good2 = _night(home / "wed.json", 21_000.0)

    assert main(["history", "--import", str(good1), str(bad), str(good2)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "2 of 3 files imported" in err
    assert str(good1) not in err and str(good2) not in err
    with open_history() as history:
        sessions = history.sessions()
    assert len(sessions) == 2
    assert sorted(round(s["duration_s"]) for s in sessions) == [20_000, 21_000]

    # the same files again: the two stored are known, nothing is added twice
    assert main(["history", "--import", str(good1), str(good2)]) == 0
    assert capsys.readouterr().out.count("Already imported") == 2
    with open_history() as history:
        assert len(history.sessions()) == 2


def test_started_and_recording_go_with_one_file_only(home, capsys):
    a, b = _night(home / "a.json", 20_000.0), _night(home / "b.json", 20_500.0)
    args = ["history", "--import", str(a), str(b), "--started", "2026-11-20T23:05"]
    assert main(args) == 2
    assert "--import of one file" in capsys.readouterr().err
    with open_history() as history:
        assert history.sessions() == []
