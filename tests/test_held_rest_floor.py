"""(trainmiss, session 24) The ``held`` path's floor beside legs at rest (``held_rest_floor``).

A cramp at a third of the leg's activity reference, waxing and waning down to a sixth of it,
held on one leg while the other leg stays at its rest: the held test's floor (``held_floor``,
a quarter of the reference) held it for its whole length, and its level over the resting
baseline (5x) is under ``strong_ratio``, so no path took it. Beside a leg at rest the lower
floor will do; beside a leg standing over its rest (a standing asymmetry), or held no longer
than a voluntary hold, or a hold stepped up out of standing late in the span (the span's two
halves uneven: ``held_rest_even``), it stays silent."""

from __future__ import annotations

import numpy as np
import pytest
from synth import envelope_alerts

HOP_S = 0.05
REST_UV = 20.0
BASE = np.full((2, 1), REST_UV)
REF = 300.0
CRAMP_S = 100.0


def _frames(t0: float, t1: float) -> slice:
    return slice(round(t0 / HOP_S), round(t1 / HOP_S))


def _envelopes(
    seed: int, hold_s: float = 30.0, other_uv: float = REST_UV, stand_uv: float = 0.0
) -> np.ndarray:
    """160 s of 100 ms envelopes (µV) of two legs at rest (20 µV); from CRAMP_S the left leg
    contracts for ``hold_s`` at about 105 µV (0.35 of the reference), waxing and waning
    between 50 and 150 µV (never under a sixth of the reference, nor under half its level);
    the right leg stands at ``other_uv`` meanwhile. With ``stand_uv`` the left leg stands at
    that level (µV) from 8 s before CRAMP_S (standing, then a step up into the contraction)."""
    rng = np.random.default_rng(seed)
    n = round(160.0 / HOP_S)
    x = REST_UV * (1.0 + 0.05 * rng.standard_normal((2, n)))
    k = _frames(CRAMP_S, CRAMP_S + hold_s)
    m = k.stop - k.start
    knots = np.arange(0, m + 10, 10)
    # waxing and waning by a half either way, as high early as late (never relaxing)
    wax = np.interp(
        np.arange(m), knots, 100.0 + 50.0 * np.sin(rng.uniform(0, 2 * np.pi, knots.size))
    )
    ramp = np.minimum(1.0, np.arange(m) / round(0.5 / HOP_S))
    x[0, k] = np.maximum(stand_uv or REST_UV, wax * ramp)
    if stand_uv:
        j = _frames(CRAMP_S - 8.0, CRAMP_S)
        x[0, j] = stand_uv * (1.0 + 0.03 * rng.standard_normal(j.stop - j.start))
    x[1, k] = other_uv * (1.0 + 0.05 * rng.standard_normal(m))
    return x


def _alerts(x: np.ndarray, cuts=(), **changes: float) -> list[tuple[int, float, str]]:
    found = envelope_alerts(x, HOP_S, BASE, REF, cuts, **changes)
    return [(c, round(f * HOP_S, 2), p) for c, f, p in found]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_cramp_beside_a_leg_at_rest_alerts_on_the_held_path(seed):
    x = _envelopes(seed)
    found = _alerts(x, held_rest_floor=0.12)
    assert len(found) == 1
    c, t, path = found[0]
    assert (c, path) == (0, "held")
    assert CRAMP_S + 9.0 <= t <= CRAMP_S + 11.0
    # the floor against the reference alone held it for its whole length
    assert _alerts(x, held_rest_floor=0.0) == []


@pytest.mark.parametrize("seed", [0, 1])
def test_beside_a_standing_leg_or_held_like_a_hold_it_stays_silent(seed):
    # the other leg standing at 3x its rest (over off_ratio): the reference's floor applies
    assert _alerts(_envelopes(seed, other_uv=3.0 * REST_UV), held_rest_floor=0.12) == []
    # a voluntary hold of 9 s beside a leg at rest is over before held_s
    assert _alerts(_envelopes(seed, hold_s=9.0), held_rest_floor=0.12) == []
    # standing at 0.17 of the reference, then a hold of 6 s stepped up out of it: the span's
    # halves are uneven (its lowest frame, standing's, would pass the lower floor)
    stepped = _envelopes(seed, hold_s=6.0, stand_uv=50.0)
    assert _alerts(stepped, held_rest_floor=0.12) == []
    assert _alerts(stepped, held_rest_floor=0.12, held_rest_even=0.0)


@pytest.mark.parametrize("block", [2000, 137, 20])
def test_the_lower_floor_is_block_cut_invariant(block):
    x = _envelopes(3)
    whole = _alerts(x, held_rest_floor=0.12)
    assert whole
    cuts = list(range(0, x.shape[1], block))
    assert _alerts(x, cuts, held_rest_floor=0.12) == whole
