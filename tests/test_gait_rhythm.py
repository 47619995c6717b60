"""trainfa: the fast and slow paths (training) do not alert on a leg that keeps the stride
rhythm, even where its envelope never relaxes between strides (a tonic level under the
bursts, the MyoWare ENV filter's smearing); a contraction without that rhythm still alerts;
the result does not depend on block sizes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from synth import add_burst, cramp_events, scene

from crampdetect.core import InputError, Representation
from crampdetect.detect.settings import profile_settings

FS = 500.0
CHANNELS = ("left", "right")
REP = Representation("raw", "uV")
START_S = 5.0


def _striding(seed: int, stride_s: float = 0.7, rhythm: bool = True) -> np.ndarray:
    """40 s: rest, then from START_S on the left leg 0.35 s bursts of 500 µV every
    ``stride_s`` over a 100 µV tone that never lets the envelope relax, the right leg's
    bursts in antiphase (``rhythm`` False: the left leg's same mean level held and waxing
    and waning, without the strides, the right leg at rest)."""
    t, x, rng = scene(fs=FS, duration_s=40.0, n_channels=2, seed=seed)
    if not rhythm:
        return add_burst(x, t, FS, rng, 0, START_S, 40.0, 300.0, ramp_s=0.5, irregular=0.3)
    add_burst(x, t, FS, rng, 0, START_S, 40.0, 100.0, ramp_s=0.5)
    for b in np.arange(START_S, 39.5, stride_s):
        add_burst(x, t, FS, rng, 0, b, b + 0.35, 500.0, ramp_s=0.1)
        add_burst(x, t, FS, rng, 1, b + stride_s / 2, b + stride_s / 2 + 0.35, 500.0, ramp_s=0.1)
    return x


def _cramps(x: np.ndarray, cuts: list[int] = (), **changes: float) -> list:
    return cramp_events(x, FS, CHANNELS, REP, "training", cuts, **changes)


@pytest.mark.parametrize("stride_s", [0.7, 1.05])  # running, walking
def test_a_leg_keeping_the_stride_rhythm_does_not_alert(stride_s):
    x = _striding(0, stride_s)
    assert _cramps(x) == []
    # without the test the same strides, which never relax, are taken for a cramp (both legs
    # moving: the bilateral rule turned off so as to see the gait test alone)
    assert _cramps(x, bilateral_share=1.0) == []
    paths = [e.detail["path"] for e in _cramps(x, gait_window_s=0.0, bilateral_share=1.0)]
    assert paths in (["fast"], ["slow"])


def test_a_contraction_without_the_stride_rhythm_still_alerts():
    cramps = _cramps(_striding(1, rhythm=False))
    assert [e.channel for e in cramps] == ["left"]
    assert cramps[0].alert_s <= START_S + 10.0


def test_a_contraction_waxing_and_waning_periodically_without_troughs_still_alerts():
    """A cramp's waxing and waning may be nearly periodic (common drive at 1-2 Hz) but never
    falls back between its waves as gait does between strides."""
    t, x, rng = scene(fs=FS, duration_s=40.0, n_channels=2, seed=2)
    add_burst(x, t, FS, rng, 0, START_S, 40.0, 300.0, ramp_s=0.5)
    x[0] *= np.where(t >= START_S, 1.0 + 0.5 * np.sin(2 * np.pi * 1.4 * t), 1.0)
    cramps = _cramps(x)
    assert [e.channel for e in cramps] == ["left"]
    assert cramps[0].alert_s <= START_S + 10.0
    # the rhythm alone (troughs not asked for, the other leg not looked at) would have taken
    # it for gait
    assert all(
        e.alert_s > START_S + 10.0 for e in _cramps(x, gait_trough=1.0, gait_other_fraction=0.0)
    )


# gaitcramp: a cramp that stops a runner can wax and wane at a stride's period, with troughs,
# while the other leg stands: gait moves both legs, so one leg's rhythm alone is not gait.
def _one_leg_rhythm(seed: int, other_strides: bool = False) -> np.ndarray:
    """40 s: from START_S on the left leg a 300 µV contraction waxing and waning at 1.4 Hz
    by ±70 % (troughs at a sixth of its crests, as between strides); the right leg stands
    at 30 µV (``other_strides``: its 0.35 s bursts of 500 µV every 0.7 s)."""
    t, x, rng = scene(fs=FS, duration_s=40.0, n_channels=2, seed=seed)
    add_burst(x, t, FS, rng, 0, START_S, 40.0, 300.0, ramp_s=0.5)
    x[0] *= np.where(t >= START_S, 1.0 + 0.7 * np.sin(2 * np.pi * 1.4 * t), 1.0)
    if not other_strides:
        return add_burst(x, t, FS, rng, 1, 0.0, 40.0, 30.0, ramp_s=0.2)
    for b in np.arange(START_S, 39.5, 0.7):
        add_burst(x, t, FS, rng, 1, b, b + 0.35, 500.0, ramp_s=0.1)
    return x


def test_one_legs_rhythm_alone_is_not_gait():
    x = _one_leg_rhythm(4)
    cramps = _cramps(x)
    assert [e.channel for e in cramps] == ["left"]
    assert cramps[0].alert_s <= START_S + 10.0
    # judged on the left leg alone, its waxing and waning is taken for strides
    assert all(e.alert_s > START_S + 10.0 for e in _cramps(x, gait_other_fraction=0.0))
    # with the other leg striding it is gait (the bilateral rule aside)
    striding = _one_leg_rhythm(4, other_strides=True)
    assert _cramps(striding, bilateral_share=1.0) == []


@pytest.mark.slow
@settings(max_examples=6, deadline=None)
@given(st.integers(0, 3), st.lists(st.floats(0.0, 1.0), max_size=12))
def test_gait_test_does_not_depend_on_block_sizes(seed, fractions):
    x = _striding(seed)
    x[0, int(25 * FS) :] *= 0.3  # the strides stop: a run to be judged without them
    cuts = [round(f * x.shape[1]) for f in fractions]
    assert _cramps(x, cuts) == _cramps(x)


def test_gait_settings_are_checked():
    base = profile_settings("training")
    for bad in (
        {"gait_window_s": -1.0},
        {"gait_window_s": 30.0},
        {"gait_rhythm": 3.0},
        {"gait_trough": 1.5},
        {"gait_other_fraction": -0.1},
        {"gait_other_rhythm": 2.5},
    ):
        with pytest.raises(InputError):
            base.replace(**bad)
    assert base.gait_window_s > 0 and profile_settings("night").gait_window_s == 0.0
