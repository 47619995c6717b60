"""trainend (after session 8's trainmiss): a cramping leg does not stride. In training, an
event whose leg strides again with the other leg (gait on both legs) ends there, even where
its envelope never falls below the end floor frozen at the alert (a tonic level under the
strides); a contraction without strides goes on; for ``strode_watch_s`` after such an end the
leg alerts again only well above the level it walked away from; the result does not depend
on block sizes."""

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
CRAMP_S = (5.0, 20.0)  # the left leg's contraction (s)
GAIT_S = (20.0, 45.0)  # then both legs stride (s)
DURATION_S = 55.0
AGAIN_S = (60.0, 80.0)  # the left leg contracts again (s)


def _cramp_then_gait(seed: int, gait: bool = True) -> np.ndarray:
    """55 s: rest, a 300 µV waxing and waning contraction of the left leg over CRAMP_S, then
    over GAIT_S on both legs 0.35 s bursts of 500 µV every 0.7 s in antiphase over a 100 µV
    tone that never lets the envelope relax (``gait`` False: the left leg's contraction goes
    on over GAIT_S instead, the right leg at rest), then rest."""
    t, x, rng = scene(fs=FS, duration_s=DURATION_S, n_channels=2, seed=seed)
    a, b = CRAMP_S
    if not gait:
        return add_burst(x, t, FS, rng, 0, a, GAIT_S[1], 300.0, ramp_s=0.5, irregular=0.3)
    add_burst(x, t, FS, rng, 0, a, b + 0.2, 300.0, ramp_s=0.5, irregular=0.3)
    add_burst(x, t, FS, rng, 0, b, GAIT_S[1], 100.0, ramp_s=0.2)
    for s in np.arange(b, GAIT_S[1] - 0.5, 0.7):
        add_burst(x, t, FS, rng, 0, s, s + 0.35, 500.0, ramp_s=0.1)
        add_burst(x, t, FS, rng, 1, s + 0.35, s + 0.7, 500.0, ramp_s=0.1)
    return x


def _cramps(x: np.ndarray, cuts: list[int] = (), **changes: float) -> list:
    return cramp_events(x, FS, CHANNELS, REP, "training", cuts, **changes)


def test_a_cramp_ends_when_its_leg_strides_again():
    x = _cramp_then_gait(0)
    cramps = _cramps(x)
    assert [e.channel for e in cramps] == ["left"]
    assert cramps[0].alert_s <= CRAMP_S[0] + 10.0
    # ended within the gait window (4 s) and a step of the strides' start
    assert GAIT_S[0] < cramps[0].end_s <= GAIT_S[0] + 5.0
    # without the test the strides, which never relax, hold it open until the rest after them
    (held,) = _cramps(x, end_gait_step_s=0.0)
    assert held.end_s > GAIT_S[1] - 1.0


def test_a_cramp_without_strides_goes_on():
    (cramp,) = _cramps(_cramp_then_gait(1, gait=False))
    assert cramp.channel == "left" and cramp.end_s > GAIT_S[1] - 1.0


@pytest.mark.slow
@settings(max_examples=6, deadline=None)
@given(st.integers(0, 3), st.lists(st.floats(0.0, 1.0), max_size=12))
def test_the_gait_end_does_not_depend_on_block_sizes(seed, fractions):
    x = _again(seed, 300.0)  # the end and the watch after it
    cuts = [round(f * x.shape[1]) for f in fractions]
    assert _cramps(x, cuts) == _cramps(x)


def _again(seed: int, amp_uv: float) -> np.ndarray:
    """The scene of :func:`_cramp_then_gait`, then from 60 to 80 s the left leg contracts
    again at ``amp_uv`` (µV), waxing and waning like the first."""
    t, x, rng = scene(fs=FS, duration_s=AGAIN_S[1] + 10.0, n_channels=2, seed=seed + 10)
    x[:, : round(DURATION_S * FS)] = _cramp_then_gait(seed)
    return add_burst(x, t, FS, rng, 0, *AGAIN_S, amp_uv, ramp_s=0.5, irregular=0.3)


@pytest.mark.slow
def test_the_leg_that_strode_away_alerts_again_only_well_above_that_level():
    same = _again(0, 300.0)
    first, *rest = _cramps(same)
    assert first.end_s <= GAIT_S[0] + 5.0 and rest == []
    # without the watch the same level alerts again
    assert [e.alert_s > AGAIN_S[0] for e in _cramps(same, strode_watch_s=0.0)] == [False, True]
    # ... and with it, a contraction twice as strong does
    stronger = _cramps(_again(0, 600.0))
    assert len(stronger) == 2 and AGAIN_S[0] < stronger[1].alert_s <= AGAIN_S[0] + 10.0


def test_the_gait_end_setting_is_checked():
    base = profile_settings("training")
    for bad in ({"end_gait_step_s": -0.5}, {"end_gait_step_s": 20.0}, {"strode_rise": 0.5}):
        with pytest.raises(InputError):
            base.replace(**bad)
    assert base.end_gait_step_s > 0 and profile_settings("night").end_gait_step_s == 0.0
    assert base.strode_watch_s > 0 and profile_settings("night").strode_watch_s == 0.0
