"""(restref, session 15) Training: a leg whose resting baseline re-based to standing keeps a
rest floor standing does not move (``rest_floor_tau_s``); where the baseline stands
``rest_learned_ratio`` x over that floor, the slow path's level test reads the run's median
over the floor, if it also reaches ``rest_learned_ref`` x the activity reference. A cramp
stepped up out of long standing then alerts on the slow path instead of waiting for the held
path (``held_s``)."""

from __future__ import annotations

import numpy as np
import pytest
from synth import add_burst, cramp_events, scene

from crampdetect.core import InputError, Representation
from crampdetect.detect.cramp import CrampDetector
from crampdetect.detect.settings import profile_settings

FS = 500.0
CHANNELS = ("left", "right")
REP = Representation("raw", "uV")
START_S = 110.0


def _standing_then(amp_uv: float) -> np.ndarray:
    """150 s: rest, movements of both legs (the activity reference, 400 µV), standing on both
    legs from 25 s on (long enough for the baseline to re-base to it), and from START_S a steady
    20-s contraction of the left leg at ``amp_uv``."""
    t, x, rng = scene(fs=FS, duration_s=150.0, n_channels=2, seed=3)
    for ch in (0, 1):
        for b in (4.0, 10.0, 16.0):
            add_burst(x, t, FS, rng, ch, b + ch, b + ch + 1.0, 400.0)
        add_burst(x, t, FS, rng, ch, 25.0, 150.0, 40.0, ramp_s=1.0)
    add_burst(x, t, FS, rng, 0, START_S, START_S + 20.0, amp_uv, ramp_s=1.0)
    return x


def test_a_contraction_out_of_long_standing_takes_the_slow_path():
    s = profile_settings("training")
    x = _standing_then(300.0)
    cramps = cramp_events(x, FS, CHANNELS, REP, "training")
    assert [(e.channel, e.detail["path"]) for e in cramps] == [("left", "slow")]
    assert START_S + s.slow_min_s <= cramps[0].alert_s < START_S + s.held_s
    cut = cramp_events(x, FS, CHANNELS, REP, "training", [7, 16_000, 54_321, 55_001])
    assert [(e.alert_s, e.onset_s) for e in cut] == [(e.alert_s, e.onset_s) for e in cramps]
    # without the rule its level over the learned baseline (under strong_ratio) leaves it to
    # the held path
    late = cramp_events(x, FS, CHANNELS, REP, "training", rest_learned_ratio=0.0)
    assert [e.detail["path"] for e in late] == ["held"]
    assert late[0].alert_s > cramps[0].alert_s


def test_a_step_up_far_under_the_reference_does_not_take_the_slow_path():
    # a third of the activity reference: standing's asymmetry, not a cramp's level
    cramps = cramp_events(_standing_then(130.0), FS, CHANNELS, REP, "training")
    assert all(e.detail["path"] != "slow" for e in cramps)


def test_the_rest_floor_is_a_decayed_minimum_whatever_the_cuts():
    s = profile_settings("training")
    rng = np.random.default_rng(1)
    base = np.exp(rng.normal(0.0, 1.0, (2, 4000))).cumsum(axis=1) / np.arange(1, 4001)
    base[:, :5] = np.nan  # unknown at first
    hop = 0.05
    whole = CrampDetector(2, hop, s)._rest_floor(0, base)
    det = CrampDetector(2, hop, s)
    parts = [det._rest_floor(a, base[:, a:b]) for a, b in ((0, 3), (3, 1777), (1777, 4000))]
    assert np.array_equal(np.concatenate(parts, axis=1), whole, equal_nan=True)
    assert np.isnan(whole[:, :5]).all()
    g = hop / s.rest_floor_tau_s
    k = np.arange(5, 4000)
    expect = np.minimum.accumulate(np.log(base[:, 5:]) - g * k, axis=1) + g * k
    assert np.allclose(np.log(whole[:, 5:]), expect)
    assert (whole[:, 5:] <= base[:, 5:] * (1 + 1e-12)).all()


def test_rest_floor_settings_are_checked_and_off_at_night():
    night = profile_settings("night")
    assert night.rest_floor_tau_s == 0 and night.rest_learned_ratio == 0
    with pytest.raises(InputError):
        profile_settings("training").replace(rest_learned_ref=1.5)
    with pytest.raises(InputError):
        profile_settings("training").replace(rest_floor_tau_s=-1.0)
