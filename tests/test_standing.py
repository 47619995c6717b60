"""stand: in training the slow path does not take standing (low against the activity
reference, on both legs) for a cramp (benchmarks/detection.md, session 7, part stand)."""

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
#: Resting baselines (µV): the right leg's has settled at its standing level (training), so
#: standing there is no run and no rise of its own; the left one shifts weight onto it.
BASE = np.array([[1.0], [4.0]])


def _frames(s: float) -> int:
    return round(s / HOP_S)


def _alerts(
    fast: np.ndarray, cuts=(), ref: np.ndarray | None = None, **changes: float
) -> list[tuple[int, int, str]]:
    """Training alerts (``synth.envelope_alerts``) with activity references ``ref`` (2, 1) in
    µV (default REF on both legs)."""
    return envelope_alerts(fast, HOP_S, BASE, REF if ref is None else ref, cuts, **changes)


def _standing(left: float, right: float) -> np.ndarray:
    """30 s with the right leg at ``right`` µV throughout and the left at rest for 5 s, then
    20 s at ``left`` µV, both with a slow postural sway (±10 %, 0.3 Hz), then at rest."""
    t = np.arange(_frames(30.0)) * HOP_S
    sway = 1.0 + 0.1 * np.sin(2 * np.pi * 0.3 * t)
    fast = np.stack([np.ones_like(t), right * sway[::-1]])
    fast[0, _frames(5.0) : _frames(25.0)] = left * sway[: _frames(20.0)]
    return fast


def test_standing_on_both_legs_does_not_alert_on_the_slow_path():
    """Both legs at about a third of the reference (15-16x rest, over strong_ratio): the slow
    path alerts it unless the standing test is on (the training default)."""
    s = profile_settings("training")
    assert 1.1 * 16.0 / REF < s.stand_ref_ceiling and s.strong_ratio < 0.9 * 15.0
    fast = _standing(16.0, 15.0)
    assert [p for *_, p in _alerts(fast, stand_ref_ceiling=0.0)][:1] == ["slow"]
    assert _alerts(fast) == []


def test_one_leg_or_a_strong_level_still_alerts_at_the_same_frame():
    """The same steady run on one leg only, or at 0.7 of the reference on one leg over
    standing on the other, is not standing: the slow path alerts at the same frame."""
    for fast in (_standing(16.0, 1.0), _standing(35.0, 15.0)):
        off = _alerts(fast, stand_ref_ceiling=0.0)
        assert [(c, p) for c, _, p in off][:1] == [(0, "slow")]
        assert _alerts(fast) == off


@pytest.mark.slow
@settings(max_examples=10, deadline=None)
@given(st.lists(st.integers(1, _frames(30.0) - 1), max_size=20))
def test_standing_test_does_not_depend_on_block_sizes(cuts):
    for fast in (_standing(16.0, 15.0), _standing(35.0, 15.0)):
        assert _alerts(fast, cuts) == _alerts(fast)


# standfa (session 11): an electrode of low gain keeps even its leg's strongest activity under
# ``strong_ratio`` x its rest; that leg's reference counts once it reached ``on_ratio`` x rest
# (the leg has been active), so standing beside it is still standing on both legs.


def test_standing_beside_a_leg_of_low_gain_does_not_alert_on_the_slow_path():
    s = profile_settings("training")
    rest = BASE[1, 0]
    low = np.array([[REF], [10.0 * rest]])  # the right leg never went over 10x its rest
    assert s.on_ratio * rest <= low[1, 0] < s.strong_ratio * rest
    fast = _standing(16.0, 12.0)  # the right leg stands at 3x its rest, 0.3 of its reference
    assert [p for *_, p in _alerts(fast, ref=np.array([[REF], [3.0 * rest]]))][:1] == ["slow"]
    assert _alerts(fast, ref=low) == []
    assert _alerts(fast, [37, 211, 355], ref=low) == []


def test_a_leg_that_only_rested_is_still_no_reference():
    """The right leg's strongest activity under on_ratio x its rest: it has only rested, its
    rest is no reference, and the left leg's run is one-legged."""
    rest = BASE[1, 0]
    fast = _standing(16.0, rest)
    assert [p for *_, p in _alerts(fast, ref=np.array([[REF], [3.0 * rest]]))][:1] == ["slow"]


def test_stand_settings_are_checked_and_off_at_night():
    for name in ("stand_ref_ceiling", "stand_other_share"):
        with pytest.raises(InputError):
            profile_settings("training").replace(**{name: -1.0})
    assert profile_settings("night").stand_ref_ceiling == 0.0
    assert profile_settings("training").stand_ref_ceiling > 0.0


# holdfa: a hold or a raise stepped up out of standing is not the contraction the slow path
# found sustained: no slow-path alert while the envelope stands above ``slow_step`` x its
# median over the last ``fast_s`` (benchmarks/detection.md, session 8, part holdfa).


def _slow_alerts(fast: np.ndarray, cuts=(), **changes: float) -> list[tuple[int, int, str]]:
    """:func:`_alerts` with the fast path off (a step is "irregular" to it): the slow path is
    under test."""
    return _alerts(fast, cuts, irregular=10.0, **changes)


def _step_scene(left: float, step_at_s: float, step_s: float) -> np.ndarray:
    """30 s: the right leg standing at 15 µV throughout, the left at rest for 5 s, then at
    ``left`` µV (both with a slow postural sway) stepping up to 45 µV (0.9 of the reference)
    from ``step_at_s`` for ``step_s`` s, then at rest."""
    t = np.arange(_frames(30.0)) * HOP_S
    sway = 1.0 + 0.1 * np.sin(2 * np.pi * 0.3 * t)
    fast = np.stack([np.ones_like(t), 15.0 * sway[::-1]])
    fast[0, _frames(5.0) : _frames(25.0)] = left * sway[: _frames(20.0)]
    fast[0, _frames(step_at_s) : _frames(step_at_s + step_s)] = 45.0
    fast[0, _frames(step_at_s + step_s) :] = 1.0
    return fast


def test_a_brief_step_up_out_of_standing_is_not_alerted():
    """The left leg stands for 12 s (the slow path's run is long enough; the standing test
    keeps it quiet), then steps up for 1.2 s and sits down: a raise, not a sustained
    contraction."""
    fast = _step_scene(16.0, 17.0, 1.2)
    # (indtrain's slow_prior_step, fastfa's stand_step and standslow's learned standing level
    # keep it quiet too: off, to see this rule alone)
    before = _slow_alerts(
        fast, slow_step=0.0, slow_prior_step=0.0, stand_step=0.0, learned_stand_s=0.0
    )
    assert [(c, p) for c, _, p in before][:1] == [(0, "slow")]
    assert _frames(17.0) <= before[0][1] < _frames(18.2)
    assert _slow_alerts(fast) == []
    assert _slow_alerts(fast, cuts=(3, 339, 350, 351, 500)) == []


def test_a_contraction_from_rest_held_on_alerts_as_before():
    """From rest to 45 µV at 5 s for 14 s: the level is its own median long before the slow
    path's time; the same alert with the rule as without."""
    fast = _step_scene(1.0, 5.0, 14.0)
    alerts = _slow_alerts(fast)
    assert [c for c, *_ in alerts][:1] == [0]
    assert alerts == _slow_alerts(fast, slow_step=0.0)


# trainfa: a voluntary hold or calf raises are commanded and often start on both legs at
# once; a cramp takes one leg: no early alert while both legs stand at ``step_both`` x their
# level of ``step_back_s`` ago (benchmarks/detection.md, session 9, part trainfa).


def _hold_scene(both: bool) -> np.ndarray:
    """30 s: both legs standing (left 16 µV from 5 s, right 15 µV throughout), then from 15 s
    for 6 s the left leg (and the right one too if ``both``) at 45 µV waxing and waning
    (±35 %, 1.3 Hz: irregular enough for the fast path), then standing again."""
    fast = _standing(16.0, 15.0)
    t = np.arange(_frames(6.0)) * HOP_S
    hold = 45.0 * (1.0 + 0.35 * np.sin(2 * np.pi * 1.3 * t))
    span = slice(_frames(15.0), _frames(21.0))
    fast[0, span] = hold
    if both:
        fast[1, span] = hold[::-1]
    return fast


def test_a_step_up_on_both_legs_is_not_alerted_early():
    """Both legs step up together: without the rule the fast path alerts within the hold."""
    fast = _hold_scene(both=True)
    off = _alerts(fast, step_both=0.0, stand_step=0.0)  # (fastfa's stand_step off too)
    assert [(c, p) for c, _, p in off][:1] == [(0, "fast")]
    assert _frames(15.0) < off[0][1] < _frames(21.0)
    assert _alerts(fast) == []
    assert _alerts(fast, cuts=(3, 301, 302, 333, 420)) == []


def test_a_step_up_on_one_leg_alerts_at_the_same_frame():
    # (fastfa's stand_step, off here, keeps a hold out of standing quiet on one leg too:
    # tests/test_stand_step.py)
    fast = _hold_scene(both=False)
    off = _alerts(fast, step_both=0.0, stand_step=0.0)
    assert [(c, p) for c, _, p in off][:1] == [(0, "fast")]
    assert _alerts(fast, stand_step=0.0) == off


def test_step_settings_are_checked_and_off_at_night():
    for name in ("step_both", "step_now_s", "step_back_s"):
        with pytest.raises(InputError):
            profile_settings("training").replace(**{name: -1.0})
    assert profile_settings("night").step_both == 0.0


# indtrain (session 10): in training the slow path does not alert a hold stepped up out of
# standing within the last seconds: standing opened the run it counted, and the level now was
# not what was sustained (``slow_prior_step``; benchmarks/detection.md, session 10, part
# indtrain).


def test_a_hold_out_of_standing_is_not_alerted_on_the_slow_path():
    """The left leg stands for 12 s (the slow path's run is long enough; the standing test
    keeps it quiet), then holds for 3.5 s: without the rule the slow path alerts within the
    hold once the step is older than the slow_step test looks (its median over fast_s has
    caught up), with it nothing is alerted."""
    fast = _step_scene(16.0, 17.0, 3.5)
    before = _slow_alerts(fast, slow_prior_step=0.0, stand_step=0.0)  # (fastfa's off too)
    assert [(c, p) for c, _, p in before][:1] == [(0, "slow")]
    assert _frames(18.0) <= before[0][1] < _frames(20.5)
    assert _slow_alerts(fast) == []
    assert _slow_alerts(fast, cuts=(3, 339, 350, 351, 372, 500)) == []


def test_a_contraction_held_on_alerts_as_before():
    """From rest, or held on out of standing for 13 s: the level now is the level seconds ago
    long before the slow path's time; the same alert with the rule as without."""
    for fast in (_step_scene(1.0, 5.0, 14.0), _step_scene(16.0, 10.0, 13.0)):
        alerts = _slow_alerts(fast)
        assert [c for c, *_ in alerts][:1] == [0]
        assert alerts == _slow_alerts(fast, slow_prior_step=0.0)


@pytest.mark.slow
@settings(max_examples=10, deadline=None)
@given(st.lists(st.integers(1, _frames(30.0) - 1), max_size=20))
def test_the_rule_does_not_depend_on_block_sizes(cuts):
    for fast in (_step_scene(16.0, 17.0, 3.5), _step_scene(16.0, 10.0, 13.0)):
        assert _slow_alerts(fast, cuts) == _slow_alerts(fast)


def test_prior_step_setting_is_checked_and_off_at_night():
    with pytest.raises(InputError):
        profile_settings("training").replace(slow_prior_step=-1.0)
    assert profile_settings("night").slow_prior_step == 0.0
    assert profile_settings("training").slow_prior_step > 0.0
