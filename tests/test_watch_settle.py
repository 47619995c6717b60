"""watchsettle (session 17): within the recurrence watch the settle path needs the leg
``watch_settle_rise`` x over its learned standing level (``learned_stand_s``): standing after
gait on a watched leg met the watch's looser settle irregularity at 1.6-2.2x that level, the
cramps in a watch stood at 3.7x and over (benchmarks/detection.md, session 17, watchsettle)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from synth import envelope_alerts

from crampdetect.core import InputError
from crampdetect.detect.settings import profile_settings

HOP_S = 0.05
BASE = np.array([[2.0], [2.0]])  # resting baselines (µV)
REF = 200.0  # activity references (µV)
STAND_UV = 20.0  # both legs' standing level before the run
STOP_S = 55.0  # the run stops


def _frames(s: float) -> int:
    return round(s / HOP_S)


def _sway(seed: int, n: int, depth: float) -> np.ndarray:
    """Waxing and waning: smoothed noise (0.5 s), ``depth`` sd around 1."""
    x = np.random.default_rng(seed).standard_normal(n)
    x = np.convolve(x, np.ones(10) / 10, mode="same")
    return np.clip(1.0 + depth * x / x.std(), 0.3, None)


def _scene(left_uv: float, depth: float) -> np.ndarray:
    """75 s: rest, both legs standing at ``STAND_UV`` from 5 s to 35 s, running from 35 s to
    ``STOP_S`` (0.35 s strides of 400 µV every 0.7 s, legs alternating, over the standing
    tone), then the left leg alone at ``left_uv`` for 8 s waxing and waning (``depth``), the
    right leg at rest; rest after."""
    n = _frames(75.0)
    fast = np.ones((2, n)) * BASE
    t = np.arange(n) * HOP_S
    for c in (0, 1):
        span = (t >= 5.0) & (t < STOP_S)
        fast[c, span] = STAND_UV * _sway(10 + c, int(span.sum()), 0.15)
        strides = (t >= 35.0) & (t < STOP_S) & (((t - 35.0 - 0.35 * c) % 0.7) < 0.35)
        fast[c, strides] = 400.0
    span = (t >= STOP_S) & (t < STOP_S + 8.0)
    fast[0, span] = left_uv * _sway(1, int(span.sum()), depth)
    return fast


def _alerts(fast: np.ndarray, watch: bool, cuts=(), **changes: float) -> list[tuple[int, str]]:
    """Training alerts (channel, frame, path), the left leg in a recurrence watch if ``watch``;
    the settle path open from the start (``settle_start_s``: the scene is short)."""
    watched = (0,) if watch else ()
    return envelope_alerts(
        fast, HOP_S, BASE, REF, cuts, watch=watched, settle_start_s=0.0, **changes
    )


#: (x STAND_UV, depth): the left leg after the stop at 1.8x its standing, and a cramp at 4x
#: whose waxing and waning meets only the watch's looser settle irregularity
STANDING, CRAMP = (1.8, 0.15), (4.0, 0.1)


def test_standing_after_gait_in_the_watch_is_no_settle_alert():
    s = profile_settings("training")
    assert s.watch_settle_rise == 2.5 and s.learned_stand_s > 0
    fast = _scene(STANDING[0] * STAND_UV, STANDING[1])
    before = _alerts(fast, watch=True, watch_settle_rise=0.0)
    assert before[0][0] == 0 and before[0][2] == "settle"
    assert _frames(STOP_S) < before[0][1] < _frames(STOP_S + 3.0)
    assert _alerts(fast, watch=True) == []


def test_a_cramp_far_over_standing_keeps_its_early_settle_alert_in_the_watch():
    fast = _scene(CRAMP[0] * STAND_UV, CRAMP[1])
    now = _alerts(fast, watch=True)
    assert now[0][0] == 0 and now[0][2] == "settle" and now[0][1] < _frames(STOP_S + 3.0)
    assert now == _alerts(fast, watch=True, watch_settle_rise=0.0)
    assert _alerts(fast, watch=False)[0][1] > now[0][1] + _frames(1.0)  # the watch's gain


def test_outside_the_watch_nothing_changes():
    for uv, depth in (STANDING, CRAMP):
        fast = _scene(uv * STAND_UV, depth)
        assert _alerts(fast, watch=False) == _alerts(fast, watch=False, watch_settle_rise=0.0)


def test_settings_checked_and_off_at_night():
    assert profile_settings("night").watch_settle_rise == 0.0
    with pytest.raises(InputError):
        profile_settings("training").replace(watch_settle_rise=-1.0)


@pytest.mark.slow
@settings(max_examples=8, deadline=None)
@given(st.lists(st.integers(1, _frames(75.0) - 1), max_size=20))
def test_the_rule_does_not_depend_on_block_sizes(cuts):
    for uv, depth in (STANDING, CRAMP):
        fast = _scene(uv * STAND_UV, depth)
        assert _alerts(fast, True, cuts) == _alerts(fast, True)
