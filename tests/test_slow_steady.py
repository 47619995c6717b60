"""trainslow (session 18): in training the plain slow path does not take a steady plateau
before it has lasted longer than a voluntary hold (``slow_steady_cv``, ``slow_steady_s``;
benchmarks/detection.md, session 18, part trainslow)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from synth import envelope_alerts

from crampdetect.core import InputError
from crampdetect.detect.settings import profile_settings

HOP_S = 0.05
REF = 50.0  # activity reference (µV) of both legs
BASE = np.array([[1.0], [1.0]])  # resting baselines (µV)
ON = {"slow_steady_cv": 0.15, "slow_steady_s": 10.5}
OFF = {"slow_steady_cv": 0.0}


def _frames(s: float) -> int:
    return round(s / HOP_S)


def _scene(hold_s: float, wax: float, seed: int = 3) -> np.ndarray:
    """40 s: the left leg at rest for 5 s, then ``hold_s`` at 0.7 of the reference with a
    slow random waxing and waning of relative depth ``wax`` (a 1.5 s smoothed random walk,
    std ``wax``) and 3 % frame noise, then at rest; the right leg at rest throughout."""
    rng = np.random.default_rng(seed)
    n = _frames(40.0)
    fast = np.ones((2, n))
    a, b = _frames(5.0), _frames(5.0 + hold_s)
    k = np.ones(_frames(1.5)) / _frames(1.5)
    mod = np.convolve(rng.standard_normal(b - a + k.size), k, mode="same")[: b - a]
    mod = 1.0 + wax * (mod - mod.mean()) / max(mod.std(), 1e-9)
    noise = 1.0 + 0.03 * rng.standard_normal(b - a)
    fast[0, a:b] = 0.7 * REF * np.clip(mod, 0.3, None) * noise
    return fast


def _alerts(fast: np.ndarray, cuts=(), **changes: float) -> list[tuple[int, int, str]]:
    return envelope_alerts(fast, HOP_S, BASE, REF, cuts, **changes)


def test_a_steady_hold_of_ten_seconds_is_not_alerted():
    """A plateau held 10 s on one leg from rest: the slow path takes it about 9.5 s in
    without the rule, and nothing is alerted with it (the hold ends before slow_steady_s)."""
    fast = _scene(10.0, 0.02)
    before = _alerts(fast, **OFF)
    assert [(c, p) for c, _, p in before] == [(0, "slow")]
    assert _alerts(fast, **ON) == []
    assert _alerts(fast) == []  # the training default (raw EMG)


def test_a_waxing_and_waning_contraction_alerts_at_the_same_frame():
    """The same contraction held 20 s, waxing and waning by 30 %: the same alert with the
    rule as without."""
    fast = _scene(20.0, 0.3)
    before = _alerts(fast, **OFF)
    assert [c for c, *_ in before] == [0]
    assert _alerts(fast, **ON) == before


def test_a_steady_contraction_held_on_alerts_once_longer_than_a_hold():
    """A steady plateau held 20 s: alerted on the slow path once the run has lasted
    slow_steady_s, not before."""
    fast = _scene(20.0, 0.02)
    before = _alerts(fast, **OFF)
    after = _alerts(fast, **ON)
    assert [(c, p) for c, _, p in after] == [(0, "slow")]
    assert after[0][1] > before[0][1]
    assert after[0][1] >= _frames(5.0 + ON["slow_steady_s"]) - 2


@pytest.mark.slow
@settings(max_examples=10, deadline=None)
@given(st.lists(st.integers(1, _frames(40.0) - 1), max_size=20))
def test_the_steady_test_does_not_depend_on_block_sizes(cuts):
    for fast in (_scene(10.0, 0.02), _scene(20.0, 0.02), _scene(20.0, 0.3)):
        assert _alerts(fast, cuts, **ON) == _alerts(fast, **ON)


def test_steady_settings_are_checked_and_off_at_night():
    with pytest.raises(InputError):
        profile_settings("training").replace(slow_steady_cv=-1.0)
    with pytest.raises(InputError):
        profile_settings("training").replace(slow_steady_s=-1.0)
    assert profile_settings("night").slow_steady_cv == 0.0
    assert profile_settings("training").slow_steady_cv > 0.0
    # the MyoWare filter smooths a cramp's waxing and waning: off on ENV input
    assert profile_settings("training", "env").slow_steady_cv == 0.0
