"""indtrain: in training the slow path does not alert a hold stepped up out of standing within
the last seconds: standing opened the run it counted, and the level now was not what was
sustained (``slow_prior_step``; benchmarks/detection.md, session 10, part indtrain)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crampdetect.core import InputError
from crampdetect.detect.cramp import CrampDetector
from crampdetect.detect.settings import profile_settings

HOP_S = 0.05
REF = 50.0  # activity reference (µV) of both legs
BASE = np.array([[1.0], [4.0]])  # resting baselines (µV); the right one at its standing level


def _frames(s: float) -> int:
    return round(s / HOP_S)


def _slow_alerts(fast: np.ndarray, cuts=(), **changes: float) -> list[tuple[int, int, str]]:
    """(channel, alert frame, path) of training alerts for 100 ms envelopes ``fast`` (2, n) in
    µV, fed to the detector in blocks cut at ``cuts`` (frames), with the fast path off (a step
    is "irregular" to it): the slow path is under test."""
    n = fast.shape[1]
    level = np.stack([np.convolve(f, np.ones(5) / 5, mode="same") for f in fast])
    s = profile_settings("training").replace(irregular=10.0, **changes)
    det = CrampDetector(2, HOP_S, s)
    out = []
    for a, b in itertools.pairwise(sorted({0, *cuts, n})):
        m = b - a
        zeros = np.zeros((2, m), dtype=bool)
        out += det.update(a, fast[:, a:b], level[:, a:b], BASE * np.ones(m), zeros, zeros,
                          np.full((2, m), REF))  # fmt: skip
    return [(e.channel, e.alert_frame, e.detail["path"]) for e in out if e.kind == "cramp"]


def _hold_scene(left: float, hold_at_s: float, hold_s: float) -> np.ndarray:
    """30 s: the right leg standing at 15 µV throughout, the left at rest for 5 s, then at
    ``left`` µV (both with a slow postural sway), holding 45 µV (0.9 of the reference) from
    ``hold_at_s`` for ``hold_s`` s, then at rest."""
    t = np.arange(_frames(30.0)) * HOP_S
    sway = 1.0 + 0.1 * np.sin(2 * np.pi * 0.3 * t)
    fast = np.stack([np.ones_like(t), 15.0 * sway[::-1]])
    fast[0, _frames(5.0) : _frames(25.0)] = left * sway[: _frames(20.0)]
    fast[0, _frames(hold_at_s) : _frames(hold_at_s + hold_s)] = 45.0
    fast[0, _frames(hold_at_s + hold_s) :] = 1.0
    return fast


def test_a_hold_out_of_standing_is_not_alerted_on_the_slow_path():
    """The left leg stands for 12 s (the slow path's run is long enough; the standing test
    keeps it quiet), then holds for 3.5 s: without the rule the slow path alerts within the
    hold once the step is older than the slow_step test looks (its median over fast_s has
    caught up), with it nothing is alerted."""
    fast = _hold_scene(16.0, 17.0, 3.5)
    before = _slow_alerts(fast, slow_prior_step=0.0)
    assert [(c, p) for c, _, p in before][:1] == [(0, "slow")]
    assert _frames(18.0) <= before[0][1] < _frames(20.5)
    assert _slow_alerts(fast) == []
    assert _slow_alerts(fast, cuts=(3, 339, 350, 351, 372, 500)) == []


def test_a_contraction_held_on_alerts_as_before():
    """From rest, or held on out of standing for 13 s: the level now is the level seconds ago
    long before the slow path's time; the same alert with the rule as without."""
    for fast in (_hold_scene(1.0, 5.0, 14.0), _hold_scene(16.0, 10.0, 13.0)):
        alerts = _slow_alerts(fast)
        assert [c for c, *_ in alerts][:1] == [0]
        assert alerts == _slow_alerts(fast, slow_prior_step=0.0)


@pytest.mark.slow
@settings(max_examples=10, deadline=None)
@given(st.lists(st.integers(1, _frames(30.0) - 1), max_size=20))
def test_the_rule_does_not_depend_on_block_sizes(cuts):
    for fast in (_hold_scene(16.0, 17.0, 3.5), _hold_scene(16.0, 10.0, 13.0)):
        assert _slow_alerts(fast, cuts) == _slow_alerts(fast)


def test_prior_step_setting_is_checked_and_off_at_night():
    with pytest.raises(InputError):
        profile_settings("training").replace(slow_prior_step=-1.0)
    assert profile_settings("night").slow_prior_step == 0.0
    assert profile_settings("training").slow_prior_step > 0.0
