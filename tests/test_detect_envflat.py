"""envflat (session 18): at night on ENV input a cramp waxes and wanes, while a rectified
artefact (baseline wander, mains) stands still at 0.5 s and ripples at 100 ms, and a cramp
clipped at the ADC rail stands still without rippling. A run found standing still and
rippling (``flat_cv``, ``flat_ripple`` over ``flat_s``) is held until it rises ``rise_ratio``
x above the level it stood still at (benchmarks/detection.md, session 18, part nightfa)."""

from __future__ import annotations

import numpy as np
import pytest
from synth import envelope_alerts

from crampdetect.detect.settings import profile_settings

HOP = 0.05
BASE = 10.0
N = int(160 / HOP)
T = np.arange(N) * HOP
ON = {"flat_cv": 0.05, "flat_ripple": 0.06, "flat_s": 4.0}
OFF = {"flat_cv": 0.0}


def _quiet() -> np.ndarray:
    rng = np.random.default_rng(3)
    return BASE * (1.0 + 0.05 * rng.random((2, N)))


def _ripple(t: np.ndarray) -> np.ndarray:
    # rectified wander through the board's smoothing: a fast ripple, still over 0.5 s
    return 1.0 + 0.15 * np.sin(2 * np.pi * 4.0 * t)


def _waxing(t: np.ndarray, seed: int) -> np.ndarray:
    # a cramp's waxing and waning: irregular components of 0.2-1.5 Hz
    rng = np.random.default_rng(seed)
    f, ph = rng.uniform(0.2, 1.5, 4), rng.uniform(0, 2 * np.pi, 4)
    return 1.0 + 0.3 * np.sin(2 * np.pi * f[:, None] * t[None, :] + ph[:, None]).mean(axis=0)


def _alerts(fast: np.ndarray, cuts=(), **changes: float):
    return envelope_alerts(fast, HOP, np.full((2, 1), BASE), 40 * BASE, cuts, "night", **changes)


def _put(fast: np.ndarray, start: float, stop: float, shape: np.ndarray) -> None:
    m = (T >= start) & (T < stop)
    fast[0, m] = BASE * 20.0 * shape[m]


CUTS = ((), tuple(range(0, N, 7)), tuple(range(0, N, 333)))


def test_the_night_env_profile_holds_still_envelopes_and_the_others_do_not():
    assert profile_settings("night", "env").flat_cv > 0
    assert profile_settings("night", "raw").flat_cv == 0
    assert profile_settings("training", "env").flat_cv == 0


@pytest.mark.parametrize("cuts", CUTS)
def test_a_still_rippling_plateau_is_not_alerted(cuts):
    fast = _quiet()
    _put(fast, 80.0, 110.0, _ripple(T))  # 30 s of wander at 20x rest
    assert _alerts(fast, cuts, **OFF)  # alerted without the rule
    assert _alerts(fast, cuts, **ON) == []


@pytest.mark.parametrize("cuts", CUTS)
def test_a_waxing_cramp_and_a_railed_one_are_alerted_as_before(cuts):
    for shape in (_waxing(T, 1) * _ripple(T), np.ones(N)):  # railed: still, no ripple
        fast = _quiet()
        _put(fast, 80.0, 140.0, shape)
        before = _alerts(fast, cuts, **OFF)
        assert before and _alerts(fast, cuts, **ON) == before


@pytest.mark.parametrize("cuts", CUTS)
def test_a_cramp_rising_out_of_a_still_plateau_is_alerted_once_it_rose(cuts):
    fast = _quiet()
    _put(fast, 80.0, 100.0, _ripple(T))
    _put(fast, 100.0, 150.0, 2.5 * _waxing(T, 2) * _ripple(T))  # 50x rest, waxing
    (alert,) = _alerts(fast, cuts, **ON)
    assert alert[0] == 0 and 100.0 <= alert[1] * HOP <= 110.0
