"""trainfa (session 21): outside the recurrence watch, too, a fast-path frame is dropped where
the stand test finds the leg standing (``stand_fast_irregular``, training): standing is
bilateral and low against the activity reference, and its postural sway can wax and wane
enough for the fast path (benchmarks/detection.md, session 21, part trainfa)."""

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
ON = {"stand_fast_irregular": 10.0}  # every fast frame, whatever its irregularity


def _frames(s: float) -> int:
    return round(s / HOP_S)


def _sway(seed: int, n: int, depth: float) -> np.ndarray:
    """Postural sway: smoothed noise (0.5 s), ``depth`` sd around 1."""
    x = np.random.default_rng(seed).standard_normal(n)
    x = np.convolve(x, np.ones(10) / 10, mode="same")
    return np.clip(1.0 + depth * x / x.std(), 0.3, None)


def _scene(other: float, depth: float = 0.4) -> np.ndarray:
    """40 s: rest, then from 5 s to 35 s the left leg at 16 µV (16x its rest, 0.32 of its
    reference) and the right one at ``other`` µV, each swaying by ``depth``; rest after."""
    n = _frames(40.0)
    fast = np.ones((2, n)) * BASE
    span = slice(_frames(5.0), _frames(35.0))
    m = span.stop - span.start
    fast[0, span] = 16.0 * _sway(1, m, depth)
    fast[1, span] = other * _sway(2, m, depth)
    return fast


def _alerts(fast: np.ndarray, cuts=(), **changes: float) -> list[tuple[int, int, str]]:
    """Training alerts (channel, frame, path) outside any recurrence watch."""
    return envelope_alerts(fast, HOP_S, BASE, REF, cuts, **changes)


def test_standing_that_sways_is_no_fast_alert():
    """Both legs low against their references, swaying: without the rule the fast path
    alerts the left leg within seconds; with it, no fast alert."""
    assert 8.0 < profile_settings("training").on_ratio * BASE[1, 0]
    fast = _scene(8.0)
    before = _alerts(fast, stand_fast_irregular=0.0)
    assert before and before[0][2] == "fast" and before[0][1] < _frames(10.0)
    assert all(path != "fast" for _, _, path in _alerts(fast, **ON))


def test_one_leg_keeps_its_fast_alert():
    """The same left leg beside a right leg at rest is no standing: still a fast alert
    within seconds of its start."""
    fast = _scene(BASE[1, 0])
    after = _alerts(fast, **ON)
    assert after and after[0][2] == "fast" and after[0][1] < _frames(10.0)


def test_off_at_night():
    assert profile_settings("night").stand_fast_irregular == 0.0


@pytest.mark.slow
@settings(max_examples=10, deadline=None)
@given(st.lists(st.integers(1, _frames(40.0) - 1), max_size=20))
def test_the_rule_does_not_depend_on_block_sizes(cuts):
    for other in (8.0, BASE[1, 0]):
        fast = _scene(other)
        assert _alerts(fast, cuts, **ON) == _alerts(fast, **ON)
