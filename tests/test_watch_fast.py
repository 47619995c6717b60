"""watchfast (session 15): within the recurrence watch the fast path needs ``irregular`` x
``watch_fast_irregular`` (0.8), not x ``recurrence_scale`` (0.75): voluntary holds in the watch
alerted on the fast path at 0.75x (benchmarks/detection.md, session 15, part watchfast)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from synth import envelope_alerts

from crampdetect.detect.settings import profile_settings

HOP_S = 0.05
BASE = np.array([[1.0], [4.0]])  # resting baselines (µV)
REF = np.array([[50.0], [50.0]])  # activity references (µV)


def _frames(s: float) -> int:
    return round(s / HOP_S)


def _scene(depth: float) -> np.ndarray:
    """40 s: rest, then from 5 s to 35 s the left leg alone at 16 µV waxing and waning
    (smoothed noise over 0.5 s, ``depth`` sd around 1); the right leg at rest."""
    n = _frames(40.0)
    fast = np.ones((2, n)) * BASE
    span = slice(_frames(5.0), _frames(35.0))
    m = span.stop - span.start
    x = np.random.default_rng(1).standard_normal(m)
    x = np.convolve(x, np.ones(10) / 10, mode="same")
    fast[0, span] = 16.0 * np.clip(1.0 + depth * x / x.std(), 0.3, None)
    return fast


def _alerts(fast: np.ndarray, watch: bool, cuts=(), **changes: float) -> list[tuple[int, str]]:
    """Training alerts (channel, frame, path), the left leg in a recurrence watch if ``watch``."""
    return envelope_alerts(fast, HOP_S, BASE, REF, cuts, watch=(0,) if watch else (), **changes)


def test_sway_under_the_fast_watch_threshold_waits_for_the_slow_path():
    """A one-legged contraction whose waxing and waning passes 0.75x but not 0.8x the
    irregularity: main's watch alerts it on the fast path ~7 s early; with the rule it is
    alerted where it would be outside the watch."""
    s = profile_settings("training")
    assert s.watch_fast_irregular == 0.8 and s.recurrence_scale == 0.75
    fast = _scene(0.17)
    outside = _alerts(fast, watch=False)
    before = _alerts(fast, watch=True, watch_fast_irregular=0.0)
    assert before[0][2] == "fast" and before[0][1] < outside[0][1] - _frames(5.0)
    assert _alerts(fast, watch=True) == outside


def test_irregular_enough_keeps_the_watch_early_alert():
    """Deeper waxing and waning (over 0.8x): the watch's early fast alert stays."""
    fast = _scene(0.21)
    before = _alerts(fast, watch=True, watch_fast_irregular=0.0)
    assert before[0][2] == "fast"
    assert before[0][1] < _alerts(fast, watch=False)[0][1]
    assert _alerts(fast, watch=True) == before


def test_off_at_night():
    assert profile_settings("night").watch_fast_irregular == 0.0


@pytest.mark.slow
@settings(max_examples=10, deadline=None)
@given(st.lists(st.integers(1, _frames(40.0) - 1), max_size=20))
def test_the_rule_does_not_depend_on_block_sizes(cuts):
    for depth in (0.17, 0.21):
        fast = _scene(depth)
        assert _alerts(fast, True, cuts) == _alerts(fast, True)
