"""One calibration per leg, whatever the column is called: a profile measured on the board's
``calf_left`` applies to a CSV's ``calf_left_mV`` or ``Calf_Left`` (and the other way round),
never to the other leg or another muscle.

The detector level (:class:`Pipeline`), the calibration check, and ``detect --user`` on real
files in a temporary data folder, as a user runs it.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from synth import add_burst, scene

from crampdetect.calibration import (
    Calibration,
    CalibrationCheck,
    ChannelCalibration,
    calibrated_channels,
    channel_words,
    load_calibration,
    save_calibration,
)
from crampdetect.cli import main
from crampdetect.core import Block, InputError, Representation
from crampdetect.pipeline import Pipeline
from crampdetect.pipeline.offline import Collector

FS = 1000.0
REP = Representation("raw", "uV", None)


@pytest.mark.parametrize(
    ("name", "leg", "muscle"),
    [
        ("calf_left", "left", {"calf"}),
        ("calf_left_mV", "left", {"calf"}),
        ("Calf_Left", "left", {"calf"}),
        ("calf left (µV)", "left", {"calf"}),
        ("EMG right", "right", set()),
        ("right", "right", set()),
        ("ta_left_V", "left", {"ta"}),
        ("ch1", None, {"ch1"}),
        ("GL_left", "left", {"calf"}),
        ("soleus right mV", "right", {"calf"}),
        ("left_right", None, set()),
    ],
)
def test_channel_words(name, leg, muscle):
    assert channel_words(name) == (leg, frozenset(muscle))


@pytest.mark.parametrize(
    ("stored", "channel", "found"),
    [
        ("calf_left", "calf_left", "calf_left"),
        ("calf_left", "calf_left_mV", "calf_left"),
        ("calf_left", "Calf_Left", "calf_left"),
        ("calf_left_uV", "calf_left", "calf_left_uV"),
        ("calf_left", "left", "calf_left"),  # a name without the muscle: the leg's
        ("calf_left", "emg_left_mV", "calf_left"),
        ("calf_left", "calf_right", None),  # the other leg
        ("calf_left", "ta_left", None),  # another muscle of the leg
        ("calf_left", "ta_left_mV", None),
        ("calf_left", "gastroc_left", "calf_left"),  # another name of the calf
        ("calf_left", "soleus_left_mV", "calf_left"),
        ("calf_left", "calf_medial_left", "calf_left"),
        ("left", "calf_left", "left"),  # the routine calibrates the calf
        ("left", "ta_left", None),
        ("calf_left", "calf", None),  # no leg named: only the same name
        ("ch1", "ch1_mV", None),
    ],
)
def test_calibrated_channels(stored, channel, found):
    legs = {stored: channel_words(stored)[0]} if channel_words(stored)[0] else {}
    cal = Calibration({stored: (5.0, 800.0)}, legs=legs)
    assert calibrated_channels(cal, [channel]).get(channel) == found


def test_the_entry_leg_counts_and_the_newest_of_two_wins():
    # one sensor moved from leg to leg: the channel name says no leg, the entry does
    cal = Calibration({"emg": (5.0, 800.0)}, legs={"emg": "right"})
    assert calibrated_channels(cal, ["calf_right", "calf_left"]) == {"calf_right": "emg"}
    cal = Calibration(
        {"calf_left": (5.0, 800.0), "calf_left_mV": (6.0, 900.0)},
        legs={"calf_left": "left", "calf_left_mV": "left"},
        dates={
            "calf_left": "2026-01-01T10:00:00+00:00",
            "calf_left_mV": "2026-02-01T10:00:00+00:00",
        },
    )
    assert calibrated_channels(cal, ["Calf_Left"]) == {"Calf_Left": "calf_left_mV"}
    assert calibrated_channels(cal, ["calf_left"]) == {"calf_left": "calf_left"}  # its own name


def _events(channels, calibration) -> list[tuple]:
    t, x, rng = scene(fs=FS, duration_s=60.0, n_channels=1, seed=4)
    add_burst(x, t, FS, rng, 0, 20.0, 45.0, 250.0, ramp_s=1.0, irregular=0.5)
    pipe = Pipeline(FS, channels, REP, "night", calibration=calibration)
    col = Collector()
    for i in range(0, x.shape[1], 1000):
        col.add(pipe.push(Block(x[:, i : i + 1000], FS, i, i / FS, 0, channels)))
    col.add(pipe.finish())
    return [(e.kind, e.onset_s, e.alert_s, e.end_s) for e in col.result()[0]]


def test_the_pipeline_uses_the_leg_entry_under_another_column_name():
    exact = _events(("calf_left_mV",), {"calf_left_mV": (30.0, 900.0)})
    board = Calibration({"calf_left": (30.0, 900.0)}, legs={"calf_left": "left"})
    assert _events(("calf_left_mV",), board) == exact
    assert exact != _events(("calf_left_mV",), {"calf_left_mV": (2.0, 900.0)})  # it matters
    for other in ("calf_right", "ta_left"):
        with pytest.raises(InputError, match=f"no entry for channel\\(s\\) {other}"):
            Pipeline(FS, (other,), REP, "night", calibration=board)


def test_the_check_finds_the_entry_by_leg():
    stored = {"calf_left": {"leg": "left", "rest_rms_uv": 40.0, "fs": 500.0}}
    check = CalibrationCheck(stored, ("Calf_Left_mV", "calf_right"), REP, FS, 10, "anna")
    (line,) = check.setup_warnings()
    assert "for Calf_Left_mV was measured at 500 Hz" in line and "calf_right" not in line


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("CRAMPDETECT_HOME", str(tmp_path / "home"))
    return tmp_path


def _write(path, names, uv) -> None:
    t = np.arange(uv.shape[1]) / FS
    with open(path, "w") as fh:
        fh.write("time_s," + ",".join(names) + "\n")
        np.savetxt(fh, np.column_stack([t, *uv]), delimiter=",", fmt="%.9g")


def test_detect_user_on_a_csv_whose_columns_name_units_and_case(home, capsys):
    # measured on the board's channels; the CSV names its columns otherwise
    legs = [ChannelCalibration(c, c.split("_")[1], 40.0, 800.0, 40.0, 3) for c in
            ("calf_left", "calf_right")]  # fmt: skip
    save_calibration("anna", legs, REP, FS, "board")
    assert set(load_calibration("anna").legs.values()) == {"left", "right"}
    uv = np.random.default_rng(2).normal(0, 5, (2, int(70 * FS)))  # rests at 5 µV, not 40
    path = home / "lab.csv"
    _write(path, ["Calf_Left_mV", "calf_right_mV"], uv * 1e-3)
    capsys.readouterr()
    code = main(["detect", str(path), "--user", "anna", "--json", "-q"])
    out, err = capsys.readouterr()
    assert code == 0, err
    problems = json.loads(out)["input"]["problems"]
    floors = [p for p in problems if "quiet floor" in p]
    assert len(floors) == 2 and "for Calf_Left_mV" in floors[0], problems
    other = home / "ta.csv"
    _write(other, ["ta_left"], uv[:1])
    assert main(["detect", str(other), "--user", "anna", "-q"]) == 2
    assert "no entry for channel(s) ta_left" in capsys.readouterr().err
