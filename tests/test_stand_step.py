"""fastfa: in training a contraction stepped up out of steady standing is a voluntary hold
while it could still be one: neither the early paths nor the slow path alert it for
``stand_step_s`` after the step (benchmarks/detection.md, session 12, part fastfa)."""

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
BASE = np.array([[1.0], [4.0]])  # resting baselines (µV)


def _frames(s: float) -> int:
    return round(s / HOP_S)


def _alerts(fast: np.ndarray, cuts=(), **changes: float) -> list[tuple[int, int, str]]:
    """Training alerts (``synth.envelope_alerts``) in blocks cut at ``cuts`` (frames)."""
    return envelope_alerts(fast, HOP_S, BASE, REF, cuts, **changes)


def _scene(before: float, hold_s: float) -> np.ndarray:
    """40 s: the right leg standing at 15 µV throughout; the left at rest for 5 s, then at
    ``before`` µV (16: standing, about a third of the reference; 1: rest) with a slow postural
    sway (±10 %, 0.3 Hz) until 15 s, then for ``hold_s`` s at 45 µV waxing and waning
    (±35 %, 1.3 Hz: irregular enough for the fast path), then standing at 16 µV."""
    t = np.arange(_frames(40.0)) * HOP_S
    sway = 1.0 + 0.1 * np.sin(2 * np.pi * 0.3 * t)
    fast = np.stack([np.ones_like(t), 15.0 * sway[::-1]])
    fast[0, _frames(5.0) : _frames(15.0)] = before * sway[_frames(5.0) : _frames(15.0)]
    span = slice(_frames(15.0), _frames(15.0 + hold_s))
    fast[0, span] = 45.0 * (1.0 + 0.35 * np.sin(2 * np.pi * 1.3 * (t[span] - 15.0)))
    fast[0, _frames(15.0 + hold_s) :] = 16.0 * sway[_frames(15.0 + hold_s) :]
    return fast


def test_a_hold_out_of_standing_is_not_alerted():
    """A 6 s hold out of 10 s of standing: the fast path alerts it without the rule, nothing
    with it (any block cuts)."""
    fast = _scene(16.0, 6.0)
    off = _alerts(fast, stand_step=0.0)
    assert [(c, p) for c, _, p in off][:1] == [(0, "fast")]
    assert _frames(15.0) < off[0][1] < _frames(21.0)
    assert _alerts(fast) == []
    assert _alerts(fast, cuts=(3, 301, 302, 333, 420)) == []


def test_the_same_contraction_from_rest_alerts_at_the_same_frame():
    """From rest (the leg not active before), held on: the same alert with the rule as
    without."""
    fast = _scene(1.0, 20.0)
    off = _alerts(fast, stand_step=0.0)
    assert [(c, p) for c, _, p in off][:1] == [(0, "fast")]
    assert _alerts(fast) == off


def test_a_contraction_held_on_out_of_standing_alerts_after_the_closure():
    """Held on out of standing for 20 s: not before ``stand_step_s`` after the step, but
    alerted (the slow path or the fast one) within the next seconds."""
    fast = _scene(16.0, 20.0)
    alerts = _alerts(fast)
    s = profile_settings("training")
    assert [c for c, *_ in alerts][:1] == [0]
    assert _frames(15.0 + s.stand_step_s) <= alerts[0][1] < _frames(15.0 + s.stand_step_s + 5.0)


@pytest.mark.slow
@settings(max_examples=10, deadline=None)
@given(st.lists(st.integers(1, _frames(40.0) - 1), max_size=20))
def test_the_rule_does_not_depend_on_block_sizes(cuts):
    for fast in (_scene(16.0, 6.0), _scene(16.0, 20.0)):
        assert _alerts(fast, cuts) == _alerts(fast)


def test_stand_step_settings_are_checked_and_off_at_night():
    for name in ("stand_step", "stand_step_floor", "stand_level", "stand_pre_s", "stand_step_s"):
        with pytest.raises(InputError):
            profile_settings("training").replace(**{name: -1.0})
    assert profile_settings("night").stand_step == 0.0
    assert profile_settings("training").stand_step > 0.0
