"""(outlast, session 20) A hold that runs straight into a cramp opens the contraction the held
path reads, so its rise is never in view; a strong cramp that waxes and wanes deeply falls under
``held_floor``. Held past any voluntary hold (``outlast_s``), strong against the activity
reference and on one leg, it alerts on the ``held`` path; a hold alone, a leg standing under
``outlast_level`` and the rule off (``outlast_s`` 0) do not."""

from __future__ import annotations

import numpy as np
import pytest
from synth import envelope_alerts

from crampdetect.core import InputError
from crampdetect.detect.settings import profile_settings

HOP_S = 0.05
BASE = np.array([[10.0], [10.0]])
REF = 1000.0
HOLD_S, CRAMP_S = 100.0, 108.6
ON = {"outlast_s": 12.0}
DIP_UV = 220.0
TROUGH = 0.33


def _frames(t0: float, t1: float) -> slice:
    return slice(round(t0 / HOP_S), round(t1 / HOP_S))


def _envelopes(seed: int, cramp_uv: float = 550.0, cramp_s: float = 60.0) -> np.ndarray:
    """200 s of 100 ms envelopes (µV) of two legs standing at 30 µV. The left leg holds
    600 µV from HOLD_S for 8 s, lets go to 220 µV for 0.6 s and from CRAMP_S contracts at
    ``cramp_uv`` for ``cramp_s``, waning to TROUGH x that for 0.3 s every 2 s (deeper than a
    run's relaxation test allows, so no run outlasts the slow wait; under ``held_floor``)."""
    rng = np.random.default_rng(seed)
    n = round(200.0 / HOP_S)
    x = 30.0 * (1.0 + 0.05 * rng.standard_normal((2, n)))
    left = x[0]
    left[_frames(HOLD_S, HOLD_S + 8.0)] = 600.0 * (1.0 + 0.03 * rng.standard_normal(160))
    left[_frames(HOLD_S + 8.0, CRAMP_S)] = DIP_UV
    if cramp_s:
        k = _frames(CRAMP_S, CRAMP_S + cramp_s)
        m = k.stop - k.start
        wax = rng.uniform(0.9, 1.1, m)
        wax[np.arange(m) % 40 < 6] = TROUGH  # a 0.3 s trough every 2 s
        left[k] = cramp_uv * wax
    return x


def _alerts(x: np.ndarray, cuts=(), **changes: float) -> list[tuple[int, float, str]]:
    found = envelope_alerts(x, HOP_S, BASE, REF, cuts, **changes)
    return [(c, round(f * HOP_S, 2), p) for c, f, p in found]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_strong_cramp_a_hold_ran_into_alerts_once_it_outlasts_a_hold(seed):
    x = _envelopes(seed)
    found = _alerts(x, **ON)
    assert [(c, p) for c, _, p in found] == [(0, "held")]
    assert HOLD_S + ON["outlast_s"] <= found[0][1] <= CRAMP_S + ON["outlast_s"] + 1.0
    assert _alerts(x, outlast_s=0.0) == []


@pytest.mark.parametrize("seed", [0, 1])
def test_a_hold_alone_or_a_leg_standing_lower_does_not_alert(seed):
    assert _alerts(_envelopes(seed, cramp_s=0.0), **ON) == []
    # a level under outlast_level x the reference (standing's weight shift)
    low = 0.8 * profile_settings("training").outlast_level * REF
    assert _alerts(_envelopes(seed, cramp_uv=low / 1.6 * 1.0), **ON) == []


@pytest.mark.parametrize("step", [1, 13, 97])
def test_outlast_is_block_cut_invariant(step):
    x = _envelopes(3)
    whole = _alerts(x, **ON)
    assert len(whole) == 1
    assert _alerts(x, list(range(0, x.shape[1], step)), **ON) == whole


def test_outlast_settings_are_bounded():
    with pytest.raises(InputError):
        profile_settings("training").replace(outlast_s=40.0)
    with pytest.raises(InputError):
        profile_settings("training").replace(outlast_floor=-0.1)
