"""A calibration that does not fit the session cannot make cramps; one that fits keeps its
benefit; the fit check compares a training session's floor with quiet standing."""

from __future__ import annotations

import functools
import itertools

import numpy as np
import pytest
from synth import add_burst, scene

from crampdetect.calibration import CHECK_AFTER_S, CalibrationCheck
from crampdetect.core import Block, Representation
from crampdetect.pipeline import Pipeline
from crampdetect.pipeline.offline import Collector

FS = 1000.0
LEGS = ("calf_left", "calf_right")


def cramps(x, profile, calibration=None, step_s=None) -> list[tuple[str, float]]:
    """(channel, alert s) of the cramp alerts of ``x`` (2, n; µV) in blocks of ``step_s``."""
    pipe = Pipeline(FS, LEGS, Representation(), profile, calibration=calibration)
    col = Collector()
    n = x.shape[1]
    cuts = [0, n] if step_s is None else [*range(0, n, round(step_s * FS)), n]
    for a, b in itertools.pairwise(sorted(set(cuts))):
        col.add(pipe.push(Block(x[:, a:b], FS, a, a / FS, 0, LEGS)))
    col.add(pipe.finish())
    return [(e.channel, round(e.alert_s, 3)) for e in col.result()[0] if e.kind == "cramp"]


@functools.cache
def training_session() -> np.ndarray:
    """The tryout's session: 15 min of standing, walking, running and calf raises, no cramp."""
    from crampdetect.simulate import simulate

    session = simulate("training", seed=4, duration_s=900.0, fs=FS)
    assert not [i for i in session.planned_labels["intervals"] if i["kind"] == "cramp"]
    return np.concatenate([chunk for _, chunk in session.iter_chunks(10.0)], axis=1)


#: The tryout's calibration: another wearer's routine (simulate calibration --seed 4 plays
#: night-short's), rest 1 µV and maximum 589 µV, where this session stands at ~60 µV.
MISFIT = {leg: (1.0, 589.0) for leg in LEGS}


@pytest.mark.parametrize("step_s", [None, 0.02, 0.37, 2.9])
def test_a_calibration_that_does_not_fit_a_training_session_makes_no_cramp(step_s):
    # before: a cramp on calf_right from 432 s to the end of the standing (frozen 1 µV rest
    # and a 589 µV reference under a session that runs above it)
    x = training_session()
    if step_s == 0.02:  # the live board's blocks: up to the false cramp's alert (8 min)
        x = x[:, : round(480 * FS)]
    plain = cramps(x, "training", step_s=step_s)
    calibrated = cramps(x, "training", MISFIT, step_s=step_s)
    assert plain == []
    assert calibrated == []


def _night_starting_inside_a_cramp(seed: int) -> np.ndarray:
    t, x, rng = scene(duration_s=240.0, rest_uv=5.0, seed=seed, n_channels=2)
    return add_burst(x, t, FS, rng, 0, 0.0, 50.0, 150.0, ramp_s=0.5, irregular=0.5)


@pytest.mark.parametrize("seed", [0, 1])
def test_a_calibration_that_fits_still_catches_a_night_that_starts_inside_a_cramp(seed):
    # without a calibration the cramp is the first rest the detector learns; with one whose
    # rest is the night's (5 µV), it is a cramp from the start
    x = _night_starting_inside_a_cramp(seed)
    fits = {leg: (4.5, 1500.0) for leg in LEGS}
    assert cramps(x, "night") == []
    whole = cramps(x, "night", fits)
    assert [c for c, _ in whole] == ["calf_left"]
    assert whole[0][1] <= 15.0
    for step_s in (0.02, 0.37, 2.9):
        assert cramps(x, "night", fits, step_s) == whole


def _check(profile: str, floor_uv: float, rest_uv: float, max_uv: float) -> list[str]:
    stored = {leg: {"leg": leg[5:], "rest_rms_uv": rest_uv, "max_rms_uv": max_uv} for leg in LEGS}
    check = CalibrationCheck(stored, LEGS, Representation(), FS, 10, "ann", profile)
    rng = np.random.default_rng(0)
    seconds = round(2 * CHECK_AFTER_S)
    check.feed(floor_uv * np.exp(0.3 * rng.standard_normal((2, 10 * seconds))))
    return check.floor_warnings()


def test_the_fit_check_compares_a_training_session_with_quiet_standing():
    # an athlete's calibration (rest 3.5 µV, maximum 3400 µV) and their session standing at
    # ~60 µV (2 % of the maximum): fits; scored as a night (seated rest) it does not
    assert _check("training", 60.0, 3.5, 3400.0) == []
    night = _check("night", 60.0, 3.5, 3400.0)
    assert len(night) == 2 and all("rest of 3.5 µV" in w for w in night)
    # standing at ~40 % of the calibrated maximum is no quiet standing: another sensor
    high = _check("training", 250.0, 3.5, 600.0)
    assert len(high) == 2 and all("% of it" in w and "training" in w for w in high)
    # a floor below the calibrated rest is a misfit whatever the profile
    assert len(_check("training", 1.0, 6.0, 1000.0)) == 2
