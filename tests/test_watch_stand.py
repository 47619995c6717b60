"""watchstand (session 14): within the recurrence watch the fast path's looser irregularity
is met by standing's postural sway; where the stand test finds the leg standing, the fast
path needs the full irregularity (benchmarks/detection.md, session 14, part standing)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from synth import envelope_alerts

from crampdetect.detect.settings import profile_settings

HOP_S = 0.05
#: Resting baselines (µV): the right leg's electrode has a low gain over its rest tone, so its
#: standing stays under ``on_ratio`` x its rest (no "rise" of its own for the bilateral tests).
BASE = np.array([[1.0], [4.0]])
REF = np.array([[50.0], [50.0]])  # activity references (µV)


def _frames(s: float) -> int:
    return round(s / HOP_S)


def _sway(seed: int, n: int, depth: float = 0.2) -> np.ndarray:
    """Postural sway: smoothed noise (0.5 s), ``depth`` sd around 1."""
    x = np.random.default_rng(seed).standard_normal(n)
    x = np.convolve(x, np.ones(10) / 10, mode="same")
    return np.clip(1.0 + depth * x / x.std(), 0.3, None)


def _scene(other: float) -> np.ndarray:
    """40 s: rest, then from 5 s to 35 s the left leg at 16 µV (16x its rest, 0.32 of its
    reference) and the right one at ``other`` µV, each with its own sway; rest after."""
    n = _frames(40.0)
    fast = np.ones((2, n)) * BASE
    span = slice(_frames(5.0), _frames(35.0))
    m = span.stop - span.start
    fast[0, span] = 16.0 * _sway(1, m)
    fast[1, span] = other * _sway(2, m)
    return fast


def _alerts(fast: np.ndarray, watch: bool, cuts=(), **changes: float) -> list[tuple[int, str]]:
    """Training alerts (channel, frame, path), the left leg in a recurrence watch if ``watch``."""
    return envelope_alerts(fast, HOP_S, BASE, REF, cuts, watch=(0,) if watch else (), **changes)


def test_standing_in_the_watch_is_judged_as_outside_it():
    """The left leg stands beside a right leg standing at 2x its rest (the stand test: both
    legs low against their references): main's watch alerts it on the fast path ~10 s early;
    with the rule the watch changes nothing there."""
    s = profile_settings("training")
    assert s.watch_stand_irregular == 1.0
    assert 8.0 < s.on_ratio * BASE[1, 0]  # the right leg never "rises" for the bilateral tests
    fast = _scene(8.0)
    outside = _alerts(fast, watch=False)
    before = _alerts(fast, watch=True, watch_stand_irregular=0.0)
    assert before[0][2] == "fast" and before[0][1] < outside[0][1] - _frames(5.0)
    assert _alerts(fast, watch=True) == outside


def test_one_leg_in_the_watch_keeps_its_early_alert():
    """The same left leg beside a right leg at rest is no standing: the watch's fast alert
    stays where it was."""
    fast = _scene(BASE[1, 0])
    before = _alerts(fast, watch=True, watch_stand_irregular=0.0)
    assert before[0][2] == "fast"
    assert before[0][1] < _alerts(fast, watch=False)[0][1]
    assert _alerts(fast, watch=True) == before


def test_off_at_night():
    assert profile_settings("night").watch_stand_irregular == 0.0


@pytest.mark.slow
@settings(max_examples=10, deadline=None)
@given(st.lists(st.integers(1, _frames(40.0) - 1), max_size=20))
def test_the_rule_does_not_depend_on_block_sizes(cuts):
    for other in (8.0, BASE[1, 0]):
        fast = _scene(other)
        assert _alerts(fast, True, cuts) == _alerts(fast, True)
