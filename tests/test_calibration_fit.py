"""A calibration fits the recording it is used on, or the user is told.

At the level a user meets it: ``crampdetect simulate`` writes CSVs to a temp folder,
``crampdetect calibrate`` stores the profile (``CRAMPDETECT_HOME``), and ``detect --user`` /
``monitor --user`` (separate processes) use it.
"""

from __future__ import annotations

import json

import pytest
from conftest import run_cli


def _cli(home, *args):
    return run_cli(*args, home=home)


def _monitor(home, user):
    """The simulated board's short night (10-bit counts), monitored with ``--user user``."""
    args = ("monitor", "sim://night-short?speed=400", "--user", user, "--no-view", "--json-events")
    return _ok(_cli(home, *args))


def _ok(r):
    assert r.returncode == 0, r.stderr
    return r


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """Profiles ``uv`` (calibrated on µV samples) and ``counts`` (10-bit counts) of the
    simulated calibration routine, and the night-short of the same seed in µV and counts."""
    home = tmp_path_factory.mktemp("home")
    for units in ("uV", "counts"):
        cal = home / f"calibration_{units}.csv"
        _ok(_cli(home, "simulate", "calibration", "--seed", 0, "--units", units, "--out", cal))
        _ok(_cli(home, "calibrate", cal, "--user", units.lower(), "--non-interactive"))
        night = home / f"night_{units}.csv"
        _ok(_cli(home, "simulate", "night-short", "--seed", 0, "--units", units, "--out", night))
    return home


def _cramp(home, units):
    labels = json.loads((home / f"night_{units}.labels.json").read_text())
    (cramp,) = [i for i in labels["intervals"] if i["kind"] == "cramp"]
    return cramp


@pytest.mark.parametrize("units", ["uV", "counts"])
def test_the_simulated_calibration_fits_the_simulated_night(home, units):
    # the routine plays the night's wearer: its rest is the night's resting floor
    r = _ok(_cli(home, "detect", home / f"night_{units}.csv", "--user", units.lower(), "--json"))
    assert "warning" not in r.stderr
    truth = _cramp(home, units)
    cramps = [e for e in json.loads(r.stdout)["events"] if e["kind"] == "cramp"]
    assert [e["channel"] for e in cramps] == [truth["channel"]]
    (ev,) = cramps
    assert truth["start_s"] <= ev["alert_s"] <= truth["start_s"] + 10.0  # not 24 s early
    assert ev["end_s"] < truth["end_s"] + 15.0  # not held to the end of the file


@pytest.mark.parametrize("calibrated,recorded", [("uV", "counts"), ("counts", "uV")])
def test_detect_says_when_the_calibration_does_not_fit(home, calibrated, recorded):
    night = home / f"night_{recorded}.csv"
    r = _ok(_cli(home, "detect", night, "--user", calibrated.lower()))
    lines = [x for x in r.stderr.splitlines() if "warning" in x]
    assert lines and all(night.name in x and f"'{calibrated.lower()}'" in x for x in lines)
    assert any("10-bit ADC counts" in x for x in lines)  # the representation differs
    floor = [x for x in lines if "quiet floor" in x]  # and so does the resting level
    assert {"calf_left", "calf_right"} <= {w for x in floor for w in x.replace(",", " ").split()}


def test_monitor_says_when_the_calibration_does_not_fit(home):
    # a simulated board sends 10-bit counts; the profile was measured on µV samples
    r = _monitor(home, "uv")
    lines = [x for x in r.stderr.splitlines() if "warning" in x]
    assert any("10-bit ADC counts" in x and "'uv'" in x for x in lines)
    assert any("quiet floor" in x and "--user" in x for x in lines)


def test_monitor_is_quiet_when_the_calibration_fits(home):
    _ok(
        _cli(
            home, "calibrate", "sim://calibration?speed=400", "--user", "board", "--non-interactive"
        )
    )
    r = _monitor(home, "board")
    assert "warning" not in r.stderr


def test_a_routine_recorded_in_millivolts_calibrates_as_in_microvolts(home):
    cal = home / "calibration_mV.csv"
    _ok(_cli(home, "simulate", "calibration", "--seed", 0, "--units", "mV", "--out", cal))
    r = _ok(_cli(home, "calibrate", cal, "--user", "mv", "--non-interactive"))
    assert "warning" not in r.stderr
    profiles = home / "profiles"
    mv = json.loads((profiles / "mv.json").read_text())["channels"]
    uv = json.loads((profiles / "uv.json").read_text())["channels"]
    for ch in ("calf_left", "calf_right"):
        assert mv[ch]["representation"]["units"] == "mV"
        assert mv[ch]["rest_rms_uv"] == pytest.approx(uv[ch]["rest_rms_uv"], rel=0.01)
