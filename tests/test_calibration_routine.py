"""Calibration: accepted and refused routines from recordings, the profile, and the detector."""

from __future__ import annotations

import functools
import itertools
import json
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crampdetect.calibration import (
    CalibrationError,
    Protocol,
    load_calibration,
    save_calibration,
)
from crampdetect.cli import main
from crampdetect.cli.calibrate import leg_channels, run_routine
from crampdetect.core import Block, InputError, Representation
from crampdetect.storage.paths import HOME_ENV, profile_path

FS = 1000.0
PROTO = Protocol()


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    return tmp_path


def routine_rms(rest_uv=4.0, max_uv=300.0, stretch_uv=5.0, react_s=0.6, seed=0) -> np.ndarray:
    """Target RMS (µV) per sample of someone following the prompts."""
    t = np.arange(int(PROTO.duration_s * FS)) / FS
    amp = np.full(t.size, rest_uv)
    for ph in PROTO.phases():
        if ph.name.startswith("contract"):
            on = (t >= ph.start_s + react_s) & (t < ph.end_s + react_s)
            amp[on] = max_uv
        elif ph.name == "stretch":
            amp[t >= ph.start_s] = stretch_uv
    return amp


def noise(amp: np.ndarray, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(amp.size) * amp


def write_csv(path, columns: dict[str, np.ndarray], fmt="%.3f"):
    n = len(next(iter(columns.values())))
    table = np.column_stack([np.arange(n) / FS, *columns.values()])
    header = ",".join(["time_s", *columns])
    np.savetxt(
        path, table, delimiter=",", header=header, comments="", fmt=["%.3f"] + [fmt] * len(columns)
    )
    return path


def test_both_legs_from_one_recording_are_accepted_and_saved(home, capsys):
    quiet = routine_rms(max_uv=4.0, stretch_uv=4.0)
    left = np.concatenate([noise(routine_rms(4.0, 300.0), 1), noise(quiet, 2)])
    right = np.concatenate([noise(quiet, 3), noise(routine_rms(6.0, 450.0), 4)])
    csv = write_csv(home / "cal.csv", {"calf_left": left, "calf_right": right})
    assert main(["calibrate", str(csv), "--user", "anna", "--non-interactive"]) == 0
    out = capsys.readouterr().out
    assert "Contraction 3/3" in out and "Calibration saved" in out

    cal = load_calibration("anna")
    assert set(cal) == {"calf_left", "calf_right"}
    (rest_l, max_l), (rest_r, max_r) = cal["calf_left"], cal["calf_right"]
    # Band-passed white noise keeps ~90 % of its RMS; the rest level is a low percentile.
    assert 0.7 * 4.0 < rest_l < 1.05 * 4.0 and 0.7 * 6.0 < rest_r < 1.05 * 6.0
    assert 0.85 * 300 < max_l < 1.05 * 300 and 0.85 * 450 < max_r < 1.05 * 450
    doc = json.loads(profile_path("anna").read_text())
    entry = doc["channels"]["calf_left"]
    assert entry["leg"] == "left" and entry["baseline_frozen"] is True
    assert entry["representation"]["signal"] == "raw" and entry["contractions_seen"] == 3
    assert oct(profile_path("anna").stat().st_mode & 0o777) == "0o600"


def test_calibration_feeds_the_detector(home):
    from crampdetect.pipeline import Pipeline

    x = noise(routine_rms(), 0)[None, :]
    block = Block(x, FS, channels=("calf_left",))
    (res,) = run_routine([block], Representation(), [("left", "calf_left")], say=lambda s: None)
    save_calibration("bo", [res], Representation(), FS)
    cal = load_calibration("bo")
    pipe = Pipeline(FS, ("calf_left",), Representation(), "night", calibration=cal)
    pipe.push(Block(noise(np.full(2000, 4.0), 9)[None, :], FS, channels=("calf_left",)))
    with pytest.raises(InputError, match="no entry for channel"):
        Pipeline(FS, ("calf_right",), Representation(), "night", calibration=cal)


X_SPLIT = noise(routine_rms(), 5)[None, :]
LEGS = [("left", "calf_left")]


@functools.cache
def unsplit():
    block = Block(X_SPLIT, FS, channels=("calf_left",))
    return run_routine([block], Representation(), LEGS, say=lambda s: None)[0]


@settings(max_examples=15)
@given(cuts=st.lists(st.integers(0, X_SPLIT.shape[1]), max_size=30))
def test_chunking_does_not_change_the_result(cuts):
    """Any split of the stream into blocks (empty ones included) gives the same calibration."""
    edges = [0, *sorted(cuts), X_SPLIT.shape[1]]
    parts = [
        Block(X_SPLIT[:, a:b], FS, start=a, t0=a / FS, channels=("calf_left",))
        for a, b in itertools.pairwise(edges)
    ]
    (split,) = run_routine(parts, Representation(), LEGS, say=lambda s: None)
    whole = unsplit()
    assert split.rest_rms_uv == pytest.approx(whole.rest_rms_uv, rel=1e-9)
    assert split.max_rms_uv == pytest.approx(whole.max_rms_uv, rel=1e-9)
    assert split.stretch_rms_uv == pytest.approx(whole.stretch_rms_uv, rel=1e-9)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: noise(routine_rms(max_uv=4.0), 0), "no contraction seen"),
        (lambda: noise(routine_rms(max_uv=28.0), 0), r"maximum is only [0-9.]+x rest"),
        (lambda: noise(routine_rms(), 0)[: int(50 * FS)], "recording ended after 50 s"),
    ],
)
def test_bad_calibrations_are_refused(home, capsys, make, message):
    csv = write_csv(home / "bad.csv", {"calf_left": make()})
    assert main(["calibrate", str(csv), "--leg", "left", "--non-interactive"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("crampdetect calibrate: error: left:") and err.count("\n") == 1
    assert re.search(message, err), err
    assert load_calibration("default") is None  # nothing saved


def test_lead_off_is_refused(home, capsys):
    flat = np.full(int(PROTO.duration_s * FS), 512.0)  # 10-bit raw counts stuck at mid-scale
    csv = write_csv(home / "flat.csv", {"calf_left": flat}, fmt="%d")
    args = ["calibrate", str(csv), "--leg", "left", "--non-interactive"]
    assert main([*args, "--units", "counts", "--adc-bits", "10", "--signal", "raw"]) == 2
    assert "lead-off" in capsys.readouterr().err


def test_saturation_is_refused(home, capsys):
    counts_per_uv = 1024 / 5.0 * 200 / 1e6
    amp = routine_rms(rest_uv=40.0, max_uv=30000.0)  # contractions far beyond the ADC range
    x = np.clip(np.round(512 + noise(amp, 2) * counts_per_uv), 0, 1023)
    csv = write_csv(home / "sat.csv", {"calf_left": x}, fmt="%d")
    args = ["calibrate", str(csv), "--leg", "left", "--non-interactive"]
    assert main([*args, "--units", "counts", "--adc-bits", "10", "--signal", "raw"]) == 2
    assert "saturated" in capsys.readouterr().err


def test_leg_channel_mapping():
    assert leg_channels(["left", "right"], ("calf_left", "calf_right")) == [
        ("left", "calf_left"),
        ("right", "calf_right"),
    ]
    assert leg_channels(["right"], ("calf",)) == [("right", "calf")]
    with pytest.raises(InputError, match="No channel for the left leg"):
        leg_channels(["left"], ("a", "b"))


def test_damaged_profile_is_a_clear_error(home):
    path = profile_path("cleo")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{truncated")
    with pytest.raises(InputError, match="not valid JSON"):
        load_calibration("cleo")
    assert load_calibration("nobody") is None
    with pytest.raises(InputError, match="Invalid user name"):
        load_calibration("../etc")
    with pytest.raises(CalibrationError):
        raise CalibrationError("x")


def test_one_contraction_out_of_three_is_refused(home, capsys):
    amp = routine_rms()
    second = PROTO.phases()[3]  # contract2
    t = np.arange(amp.size) / FS
    amp[t >= second.start_s] = np.where(
        amp[t >= second.start_s] > 100, 4.0, amp[t >= second.start_s]
    )
    csv = write_csv(home / "one.csv", {"calf_left": noise(amp, 0)})
    assert main(["calibrate", str(csv), "--leg", "left", "--non-interactive"]) == 2
    assert "only 1 of 3 contractions seen" in capsys.readouterr().err


def test_live_simulated_board_without_the_routine_is_refused(home, capsys):
    """The live path (sim:// board, wire protocol, ADC counts): a night has no contractions."""
    url = "sim://night-short?seed=1&speed=0&duration=100"
    assert main(["calibrate", url, "--leg", "left", "--non-interactive"]) == 2
    captured = capsys.readouterr()
    assert "[  69 s] Gently pull the toes" in captured.out
    # A stray leg movement may fall in one contraction slot: still refused.
    assert re.search(r"left: (no contraction seen|only 1 of 3 contractions seen)", captured.err)
    assert not profile_path("default").exists()


def test_envelope_signal_is_calibrated_from_its_level(home, capsys):
    """MyoWare ENV output (rectified, smoothed, never negative) at 100 Hz."""
    fs = 100.0
    t = np.arange(int(PROTO.duration_s * fs)) / fs
    level = np.interp(t, np.arange(int(PROTO.duration_s * FS)) / FS, routine_rms(5.0, 250.0))
    env = level * (1.0 + 0.05 * np.random.default_rng(0).standard_normal(t.size))
    table = np.column_stack([t, np.abs(env)])
    csv = home / "env.csv"
    np.savetxt(csv, table, delimiter=",", header="time_s,calf_left", comments="", fmt="%.4f")
    args = ["calibrate", str(csv), "--leg", "left", "--non-interactive", "--user", "env"]
    assert main([*args, "--signal", "env", "--units", "uV"]) == 0, capsys.readouterr().err
    ((rest, top),) = load_calibration("env").values()
    assert rest == pytest.approx(5.0, rel=0.1) and top == pytest.approx(250.0, rel=0.1)
