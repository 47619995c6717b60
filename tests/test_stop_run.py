"""(gaitrun, session 17) After a long run the resting baseline has learned it, so no run opens
over it after the stop; the rest floor (``rest_floor_tau_s``) has not. A contraction that keeps
one leg up straight out of its last strides, while the other leg drops to standing, takes the
``held`` path after ``stop_s``, judged over the rest floor and on the activity reference's
scale (``stop_*``). The same contraction ramped up after the stop, out of standing, does not."""

from __future__ import annotations

import numpy as np
import pytest
from synth import add_burst, assert_cut_invariant, cramp_events, scene

from crampdetect.core import InputError, Representation
from crampdetect.detect.settings import profile_settings

FS = 500.0
CHANNELS = ("left", "right")
REP = Representation("raw", "uV")
RUN_S, STOP_S, END_S = 30.0, 230.0, 270.0  #: running from RUN_S to STOP_S (200 s)
STRIDE_UV = 400.0  #: running bursts, µV
TONIC_UV = 60.0  #: under the strides while running: the resting baseline learns it
STANDING_UV = (0.0, 30.0)  #: standing after the stop (left: the cramp alone, right), µV
LEVEL_UV = 130.0  #: the left leg's contraction: under held_gait_level x its reference
PERIOD_S = 0.7  #: a stride per leg (running)


def _session(seed: int, begin_s: float) -> np.ndarray:
    """Rest, running on both legs from RUN_S to STOP_S (strides over a tonic level the resting
    baseline learns), standing after it; a steady
    LEVEL_UV contraction of the left leg from ``begin_s`` to END_S."""
    t, x, rng = scene(fs=FS, duration_s=END_S + 10.0, n_channels=2, seed=seed)
    for ch in (0, 1):
        add_burst(x, t, FS, rng, ch, STOP_S, END_S + 10.0, STANDING_UV[ch], ramp_s=0.3)
        add_burst(x, t, FS, rng, ch, RUN_S, STOP_S, TONIC_UV, ramp_s=0.3)
        for b in np.arange(RUN_S + ch * PERIOD_S / 2, STOP_S - 0.3, PERIOD_S):
            add_burst(x, t, FS, rng, ch, b, b + PERIOD_S / 2, STRIDE_UV, ramp_s=0.1)
    add_burst(x, t, FS, rng, 0, begin_s, END_S, LEVEL_UV, ramp_s=0.5, irregular=0.2)
    return x


def _run(x: np.ndarray, cuts=(), **changes: float) -> list:
    return cramp_events(x, FS, CHANNELS, REP, "training", cuts, **changes)


def test_a_leg_kept_up_out_of_running_alerts_on_the_held_path():
    s = profile_settings("training")
    x = _session(3, STOP_S - 2.0)
    cramps = _run(x)
    assert [(e.channel, e.detail["path"]) for e in cramps][:1] == [("left", "held")]
    assert cramps[0].alert_s <= STOP_S + s.stop_s + 2.0
    # without the rule the re-based baseline hides it
    assert _run(x, stop_s=0.0) == []


def test_the_same_level_ramped_up_after_the_stop_is_not_taken():
    for seed in (1, 2):
        assert _run(_session(seed, STOP_S + 3.0)) == []


def test_the_stop_rule_does_not_depend_on_block_sizes():
    assert_cut_invariant(_session(2, STOP_S - 2.0), FS, CHANNELS, REP, "training")


def test_stop_settings_are_checked_and_off_at_night():
    base = profile_settings("training")
    for bad in ({"stop_level": 1.5}, {"stop_one_leg": 0.5}, {"stop_s": 20.0}, {"stop_relax": -1}):
        with pytest.raises(InputError):
            base.replace(**bad)
    assert base.stop_s > 0 and base.rest_floor_tau_s > 0
    assert profile_settings("night").stop_s == 0.0
