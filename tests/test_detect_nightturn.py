"""Night turnovers against cramps after them (part nightturn, session 23): while the other leg
bursts and relaxes to rest between its bursts (turning over), a leg held up for the turnover's
15 s stays silent; a cramp that sets in as the turnover ends, the other leg back at rest, alerts
within 10 s. Both at any block size (2000, 137 and 20 samples: the live board's 20 ms blocks)."""

from __future__ import annotations

import pytest
from synth import add_burst, assert_one_cramp_within, night_cramps_uv, scene

FS = 1000.0
REST_UV = 5.0
START = 60.0  # s of rest before the turnover
TURN_S = 15.0  # the turnover's length
BLOCKS = (2000, 137, 20)


def _turnover(x, t, rng, stop: float) -> None:
    """The right leg bursts (0.8 s at ~40x its rest) every 1.6 s from START to ``stop``,
    back at rest between its bursts."""
    b = START
    while b + 0.8 <= stop:
        add_burst(x, t, FS, rng, 1, b, b + 0.8, 200.0, ramp_s=0.1)
        b += 1.6


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_leg_held_up_while_the_other_bursts_stays_silent(seed):
    """The left leg steps up to ~24x its rest for the turnover's 15 s and falls back as it
    ends, the right leg bursting and relaxing beside it: no cramp on either leg, at any cut.
    (On main a126ff1 the one-leg test holds it -- the right leg rose with the run -- before
    the turnover waits do: it stays silent with ``turn_slow_s``, ``turn_other_s`` and
    ``turn_firm_ratio`` all 0. A rule that lets a leg through beside a bursting one must
    keep it silent.)"""
    t, x, rng = scene(fs=FS, duration_s=100.0, n_channels=2, seed=seed, rest_uv=REST_UV)
    add_burst(x, t, FS, rng, 0, START + 0.3, START + TURN_S, 120.0, ramp_s=0.3)
    _turnover(x, t, rng, START + TURN_S)
    for block in BLOCKS:
        assert night_cramps_uv(x, FS, block) == []


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_cramp_as_the_turnover_ends_alerts_within_10_s(seed):
    """The left leg rises 2 s before the turnover ends and stays up for a minute, waxing and
    waning without relaxing; the right leg is back at rest: one cramp on the left leg, alerted
    within 10 s of its rise, the same event at every cut."""
    t, x, rng = scene(fs=FS, duration_s=160.0, n_channels=2, seed=seed, rest_uv=REST_UV)
    rise = START + TURN_S - 2.0
    _turnover(x, t, rng, START + TURN_S)
    add_burst(x, t, FS, rng, 0, rise, 160.0, 150.0, ramp_s=1.0, irregular=0.5)
    assert_one_cramp_within(x, FS, BLOCKS, rise)
