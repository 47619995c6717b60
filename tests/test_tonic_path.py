"""(tonic, session 19) A weak training cramp right after an effort (calf raises here) keeps one
leg up without relaxing or striding, at a few times the level that leg stands at, while the
other leg stands at its own: after ``tonic_s`` it alerts on the ``held`` path, named ``tonic``,
judged against each leg's learned standing level (``learned_stand_s``), not the resting
baseline or the activity reference the effort moved. A voluntary one-legged hold (shorter
than ``tonic_s``) after the same raises, and one leg standing higher than the other throughout,
do not."""

from __future__ import annotations

import numpy as np
import pytest
from synth import add_burst, assert_cut_invariant, cramp_events, scene

from crampdetect.core import InputError, Representation
from crampdetect.detect.settings import profile_settings

FS = 500.0
CHANNELS = ("left", "right")
REP = Representation("raw", "uV")
RUN = (40.0, 100.0)  #: running on both legs: the activity reference sees the session's effort
RAISES = (160.0, 190.0)  #: calf raises on both legs, a raise every 2 s
END_S = 250.0
STAND_UV = 20.0  #: both legs stand here (over a 5 µV rest)
STRIDE_UV, RAISE_UV = 400.0, 350.0
PERIOD_S = 0.7  #: a stride per leg
WEAK_UV = 60.0  #: the left leg's weak cramp: about 3x its standing, ~0.15 of its reference


def _session(seed: int, cramp_s: float = 0.0, hold_s: float = 0.0, left_stand: float = 1.0):
    """Standing throughout, running over RUN and raises over RAISES on both legs; then a weak
    left-leg cramp (waxing and waning) of ``cramp_s`` or a steady left-leg hold of ``hold_s``
    starting as the raises end; the left leg standing at ``left_stand`` x STAND_UV."""
    t, x, rng = scene(fs=FS, duration_s=END_S, n_channels=2, seed=seed)
    for ch in (0, 1):
        stand = STAND_UV * (left_stand if ch == 0 else 1.0)
        add_burst(x, t, FS, rng, ch, 0.0, END_S, stand, ramp_s=0.3, irregular=0.15)
        for b in np.arange(RUN[0] + ch * PERIOD_S / 2, RUN[1] - 0.3, PERIOD_S):
            add_burst(x, t, FS, rng, ch, b, b + PERIOD_S / 2, STRIDE_UV, ramp_s=0.1)
        for b in np.arange(RAISES[0], RAISES[1] - 0.5, 2.0):
            add_burst(x, t, FS, rng, ch, b, b + 1.0, RAISE_UV, ramp_s=0.2)
    end = RAISES[1] - 1.0
    if cramp_s:
        add_burst(x, t, FS, rng, 0, end, end + cramp_s, WEAK_UV, ramp_s=1.0, irregular=0.3)
    if hold_s:
        add_burst(x, t, FS, rng, 0, end + 1.0, end + 1.0 + hold_s, 3 * WEAK_UV, ramp_s=0.3)
    return x


def _run(x: np.ndarray, cuts=(), **changes: float) -> list:
    return cramp_events(x, FS, CHANNELS, REP, "training", cuts, **changes)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_weak_cramp_after_raises_alerts_as_tonic(seed):
    s = profile_settings("training")
    x = _session(seed, cramp_s=45.0)
    cramps = _run(x)
    assert [(e.channel, e.detail["path"]) for e in cramps] == [("left", "tonic")]
    start = RAISES[1] - 1.0
    assert start + s.tonic_s - 1.0 <= cramps[0].alert_s <= start + s.tonic_s + 8.0
    # without the rule no path takes it
    assert _run(x, tonic_s=0.0) == []


@pytest.mark.parametrize("seed", [1, 2])
def test_a_one_legged_hold_after_raises_is_not_taken(seed):
    assert _run(_session(seed, hold_s=9.0)) == []


def test_one_leg_standing_higher_throughout_is_not_taken():
    assert _run(_session(3, left_stand=2.5)) == []


def test_the_tonic_rule_does_not_depend_on_block_sizes():
    assert_cut_invariant(_session(2, cramp_s=45.0), FS, CHANNELS, REP, "training")


def test_tonic_settings_are_checked_and_off_at_night():
    base = profile_settings("training")
    bad_values = (
        {"tonic_level": 1.5},
        {"tonic_one_leg": 0.5},
        {"tonic_s": 30.0},
        {"tonic_relax": -1},
        {"tonic_effort": 2.0},
    )
    for bad in bad_values:
        with pytest.raises(InputError):
            base.replace(**bad)
    assert base.tonic_s > 0 and base.learned_stand_s > 0
    assert profile_settings("night").tonic_s == 0.0
