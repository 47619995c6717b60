"""plateau (session 13): a weak cramp right after an effort stands under ``strong_ratio`` over
rest (6-9x) beside a leg that is not active at all (under ``after_effort_idle_other`` x its rest,
whose low reference makes that rest read like standing); the after-effort path takes it
(benchmarks/detection.md, session 13, part plateau)."""

from __future__ import annotations

import numpy as np
import pytest
from synth import envelope_alerts

from crampdetect.core import InputError
from crampdetect.detect.settings import profile_settings

HOP_S = 0.05
#: Activity references (µV): the right leg's is low (12x its rest: an electrode of low gain),
#: so its rest at 2x reads as a sixth of it, as high relative to it as the cramp beside it.
REF = np.array([[300.0], [24.0]])
BASE = np.array([[10.0], [2.0]])  # resting baselines (µV)
OFF = {"after_effort_ratio": 0.0, "after_effort_idle_other": 0.0}


def _frames(s: float) -> int:
    return round(s / HOP_S)


def _alerts(fast: np.ndarray, cuts=(), **changes: float) -> list[tuple[int, int, str]]:
    """Training alerts (``synth.envelope_alerts``) in blocks cut at ``cuts`` (frames)."""
    return envelope_alerts(fast, HOP_S, BASE, REF, cuts, **changes)


def _scene(other: float = 4.0, cramp: float = 75.0) -> np.ndarray:
    """70 s: the left leg at rest (10 µV) but for a hold at 150 µV from 32 to 40 s, then from
    41.5 s a contraction at ``cramp`` µV waxing and waning ±15 % (irregularly, at 0.4 and
    1.1 Hz) to the end; the right leg at ``other`` µV throughout (its rest is 2 µV)."""
    t = np.arange(_frames(70.0)) * HOP_S
    fast = np.empty((2, t.size))
    fast[0] = 10.0
    fast[0, _frames(32.0) : _frames(40.0)] = 150.0
    late = slice(_frames(41.5), None)
    wax = 1.0 + 0.1 * np.sin(2 * np.pi * 0.4 * t[late]) + 0.05 * np.sin(2 * np.pi * 1.1 * t[late])
    fast[0, late] = cramp * wax
    fast[1] = other
    return fast


def test_a_weak_contraction_after_a_hold_beside_an_idle_leg_takes_the_after_effort_path():
    s = profile_settings("training")
    fast = _scene()
    assert _alerts(fast, **OFF) == []
    alerts = _alerts(fast)
    assert [(c, p) for c, _, p in alerts] == [(0, "slow")]
    assert _frames(41.5 + s.after_effort_slow_s) - 1 <= alerts[0][1] < _frames(41.5 + s.slow_min_s)
    assert _alerts(fast, cuts=(7, 399, 830, 831, 950, 951, 1001)) == alerts
    # the level floor and the idle test both matter
    assert _alerts(fast, after_effort_ratio=0.0) == []
    assert _alerts(fast, after_effort_idle_other=0.0) == []


def test_beside_an_active_other_leg_it_still_waits():
    """The right leg at 3x its rest (over ``after_effort_idle_other``): standing, as before."""
    fast = _scene(other=6.0)
    assert _alerts(fast) == _alerts(fast, **OFF) == []


def test_under_the_floor_it_still_waits():
    """A contraction at 4x rest (under ``after_effort_ratio``): none, as before."""
    fast = _scene(cramp=40.0)
    assert _alerts(fast) == _alerts(fast, **OFF) == []


def test_plateau_settings_are_checked_and_off_at_night():
    for name in ("after_effort_ratio", "after_effort_idle_other"):
        with pytest.raises(InputError):
            profile_settings("training").replace(**{name: -1.0})
        assert getattr(profile_settings("night"), name) == 0.0
