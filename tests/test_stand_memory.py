"""standmem (session 12): a leg that stood up to the level it last stood at, beside a leg that
contracts well above its own standing level, is standing on one leg while the other cramps,
not a contraction of both legs: it does not count as the other leg rising with it
(benchmarks/detection.md, session 12, part indtrain)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from synth import envelope_alerts

from crampdetect.core import InputError
from crampdetect.detect.settings import profile_settings

HOP_S = 0.05
#: Activity references (µV): the left leg's is lower (an electrode of lower gain, or only
#: walking seen), so its standing stands at a third of it.
REF = np.array([[30.0], [50.0]])
BASE = np.array([[1.0], [1.0]])  # resting baselines (µV)


def _frames(s: float) -> int:
    return round(s / HOP_S)


def _alerts(fast: np.ndarray, cuts=(), **changes: float) -> list[tuple[int, int, str]]:
    """Training alerts (``synth.envelope_alerts``) in blocks cut at ``cuts`` (frames)."""
    return envelope_alerts(fast, HOP_S, BASE, REF, cuts, **changes)


def _scene(left_after: float) -> np.ndarray:
    """60 s: both legs stand for 20 s (left 10 µV, right 8 µV, slow sway ±10 %), sit at rest
    for 10 s, then from 30 s the right leg contracts at 40 µV (5x its standing level, waxing
    and waning ±10 %) while the left one rises to ``left_after`` µV."""
    t = np.arange(_frames(60.0)) * HOP_S
    sway = 1.0 + 0.1 * np.sin(2 * np.pi * 0.3 * t)
    fast = np.ones((2, t.size))
    stand, rest = slice(0, _frames(20.0)), slice(_frames(30.0), None)
    fast[0, stand], fast[1, stand] = 10.0 * sway[stand], 8.0 * sway[stand][::-1]
    fast[0, rest] = left_after * sway[rest]
    fast[1, rest] = 40.0 * (1.0 + 0.1 * np.sin(2 * np.pi * 0.7 * t[rest]))
    return fast


def test_the_other_leg_standing_up_beside_a_contraction_is_not_bilateral():
    """The left leg stands up at its standing level as the right one contracts: without the
    rule the bilateral tests hold the contraction back for its 30 s; with it the slow path
    alerts once the run has lasted ``slow_min_s``."""
    s = profile_settings("training")
    fast = _scene(10.0)
    assert _alerts(fast, stand_memory_other=0.0) == []
    alerts = _alerts(fast)
    assert [(c, p) for c, _, p in alerts][:1] == [(1, "slow")]
    assert _frames(29.5 + s.slow_min_s) <= alerts[0][1] < _frames(30.5 + s.slow_min_s)
    assert _alerts(fast, cuts=(7, 399, 400, 401, 599, 600, 601, 777)) == alerts


def test_both_legs_rising_above_their_standing_levels_stay_bilateral():
    """The left leg rises to 3x its standing level with the right one (a hold of both legs):
    the same alerts with the rule as without (none)."""
    fast = _scene(30.0)
    assert _alerts(fast) == _alerts(fast, stand_memory_other=0.0) == []


@pytest.mark.slow
@settings(max_examples=10, deadline=None)
@given(st.lists(st.integers(1, _frames(60.0) - 1), max_size=20))
def test_stand_memory_does_not_depend_on_block_sizes(cuts):
    fast = _scene(10.0)
    assert _alerts(fast, cuts) == _alerts(fast)


def test_stand_memory_settings_are_checked_and_off_at_night():
    for name in ("stand_memory_other", "stand_memory_rise"):
        with pytest.raises(InputError):
            profile_settings("training").replace(**{name: -1.0})
    assert profile_settings("night").stand_memory_other == 0.0
    assert profile_settings("training").stand_memory_other > 0.0
