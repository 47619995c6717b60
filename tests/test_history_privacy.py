"""Removing one's data: `history --delete` leaves calibration profiles, which
`history --delete-calibration NAME` removes; `history --where` says where the data is."""

from __future__ import annotations

from pathlib import Path

import pytest

from crampdetect.calibration import ChannelCalibration, load_calibration, save_calibration
from crampdetect.cli import main
from crampdetect.core import InputError, Representation


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CRAMPDETECT_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _calibrate(user: str) -> Path:
    leg = ChannelCalibration("calf_left", "left", 5.0, 400.0, 8.0, 3, [])
    return Path(save_calibration(user, [leg], Representation("raw", "uV"), 1000.0, "test"))


def test_where_names_the_data_directory_and_the_profiles(home: Path, capsys) -> None:
    """`history --where` says where the data is; an empty history says it (first use); a
    listing does not repeat it on every run, only with -v (on stderr); --help tells of it."""
    _calibrate("anna")
    assert main(["history", "--where"]) == 0
    out = capsys.readouterr().out
    assert str(home / "history.sqlite3") in out
    assert "calibration profiles: anna" in out and str(home / "profiles") in out
    assert main(["history"]) == 0  # nothing recorded yet: where it will be kept
    assert str(home / "history.sqlite3") in capsys.readouterr().out
    night = home.parent / "night.json"
    night.write_text('{"input": {"channels": ["calf_left"], "duration_s": 600}, "events": []}')
    assert main(["history", "--import", str(night), "--started", "2026-12-01T23:00"]) == 0
    capsys.readouterr()
    assert main(["history"]) == 0
    listed = capsys.readouterr()
    assert "night" in listed.out and str(home) not in listed.out + listed.err
    assert main(["-v", "history"]) == 0
    verbose = capsys.readouterr()
    assert str(home / "history.sqlite3") in verbose.err and str(home) not in verbose.out
    with pytest.raises(SystemExit):
        main(["history", "--help"])
    assert "--where" in capsys.readouterr().out


def test_delete_calibration_removes_the_profile_and_only_it(home: Path, capsys) -> None:
    anna, ben = _calibrate("anna"), _calibrate("ben")
    assert main(["history", "--delete", "--yes"]) == 0
    out = capsys.readouterr().out
    assert anna.exists() and "Calibration profiles kept (anna, ben)" in out
    assert main(["history", "--delete-calibration", "anna", "--yes"]) == 0
    assert "Deleted the calibration profile of 'anna'" in capsys.readouterr().out
    assert not anna.exists() and load_calibration("anna") is None
    assert ben.exists() and load_calibration("ben") is not None


def test_delete_calibration_asks_and_names_what_exists(home: Path, capsys) -> None:
    anna = _calibrate("anna")
    # not a terminal and no --yes: refused, nothing deleted
    assert main(["history", "--delete-calibration", "anna"]) == 2
    assert anna.exists()
    assert main(["history", "--delete-calibration", "nobody", "--yes"]) == 2
    assert "profiles: anna" in capsys.readouterr().err
    with pytest.raises(InputError):
        main(["--debug", "history", "--delete-calibration", "../etc", "--yes"])
