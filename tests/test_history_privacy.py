"""Removing one's data: `history --delete` leaves calibration profiles, which
`history --delete-calibration NAME` removes; `history` says where the data is."""

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


def test_the_listing_names_the_data_directory_and_the_profiles(home: Path, capsys) -> None:
    _calibrate("anna")
    assert main(["history"]) == 0
    out = capsys.readouterr().err  # the listing on stdout stays one line per session
    assert str(home / "history.sqlite3") in out
    assert "calibration profiles: anna" in out and str(home / "profiles") in out


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
