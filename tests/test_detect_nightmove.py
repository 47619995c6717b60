"""Night leg movements against night cramps (part nightmove, session 22): a movement of both
legs at once (a turnover, a shift in bed) that rises in one step and falls again after 6 s
stays silent; a one-leg cramp that waxes and wanes without relaxing alerts within 10 s. Both
at any block size (2000, 137 and 20 samples: the live board's 20 ms blocks)."""

from __future__ import annotations

import pytest
from synth import add_burst, assert_one_cramp_within, night_cramps_uv, scene

FS = 1000.0
REST_UV = 5.0
START = 60.0  # s of rest before the movement or the cramp
BLOCKS = (2000, 137, 20)


@pytest.mark.parametrize(("seed", "hold_s"), [(0, 6.0), (1, 6.0), (2, 6.0), (0, 9.0)])
def test_a_movement_of_both_legs_stays_silent(seed, hold_s):
    """Both legs step up within 0.2 s to 24-30x their rest, hold ``hold_s``, and fall back: no
    cramp on either leg, whatever the block cut. (The same step on one leg alone is alerted
    on the quiet path once it has held about 7 s: at 9 s it is the other leg's rise that
    keeps this one silent.)"""
    t, x, rng = scene(fs=FS, duration_s=90.0, n_channels=2, seed=seed, rest_uv=REST_UV)
    add_burst(x, t, FS, rng, 0, START, START + hold_s, 150.0, ramp_s=0.3)
    add_burst(x, t, FS, rng, 1, START + 0.2, START + 0.2 + hold_s, 120.0, ramp_s=0.3)
    for block in BLOCKS:
        assert night_cramps_uv(x, FS, block) == []


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_a_one_leg_cramp_that_waxes_and_wanes_alerts_within_10_s(seed):
    """The left leg rises out of rest over 1 s and stays up for a minute, its level waxing
    and waning irregularly (log-normal, 2.5 knots a second) without a relaxation gap; the
    right leg rests. One cramp on the left leg, alerted within 10 s of the rise, the same
    event (onset, alert, path) at every block cut; nothing on the right leg."""
    t, x, rng = scene(fs=FS, duration_s=120.0, n_channels=2, seed=seed, rest_uv=REST_UV)
    add_burst(x, t, FS, rng, 0, START, 120.0, 150.0, ramp_s=1.0, irregular=0.5)
    assert_one_cramp_within(x, FS, BLOCKS, START)
