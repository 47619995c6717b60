"""Training profile decisions (issue 10, part `train`): the recurrence watch after a cramp
does not shorten the slow path below the length of a voluntary hold (``slow_min_s``)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from synth import add_burst, scene

from crampdetect.core import Block, InputError, Representation
from crampdetect.detect.settings import profile_settings
from crampdetect.pipeline import Pipeline
from crampdetect.pipeline.offline import Collector

FS = 500.0
CHANNELS = ("left", "right")
HOLD_S = (70.0, 79.0)


def _cramp_then_hold(seed: int):
    """A 30 s waxing-and-waning cramp on the left, rest, then a steady 9 s one-legged hold on
    the same leg 30 s after it (within the recurrence watch)."""
    t, x, rng = scene(fs=FS, duration_s=95.0, n_channels=2, seed=seed)
    add_burst(x, t, FS, rng, 0, 10.0, 40.0, 250.0, ramp_s=0.5, irregular=0.5)
    add_burst(x, t, FS, rng, 0, *HOLD_S, 200.0, ramp_s=0.4)
    return x


def _cramps(x, **changes: float) -> list:
    settings = profile_settings("training").replace(**changes)
    pipe = Pipeline(FS, CHANNELS, Representation("raw", "uV"), "training", settings=settings)
    col = Collector()
    col.add(pipe.push(Block(x, FS, 0, 0.0, 0, CHANNELS)))
    col.add(pipe.finish())
    return [e for e in col.result()[0] if e.kind == "cramp"]


@pytest.mark.parametrize("seed", [0, 1])
def test_a_hold_after_a_cramp_is_not_alerted_by_the_shortened_slow_path(seed):
    x = _cramp_then_hold(seed)
    shortened = _cramps(x, slow_min_s=0.0)
    assert len(shortened) == 2 and shortened[0].alert_s < 40.0
    assert shortened[1].detail["recurrence"] and HOLD_S[0] < shortened[1].alert_s < HOLD_S[1]
    floored = _cramps(x)
    assert [e.alert_s for e in floored] == [shortened[0].alert_s]


def test_slow_min_s_is_checked():
    with pytest.raises(InputError):
        profile_settings("training").replace(slow_min_s=-1.0)
    assert profile_settings("night").slow_min_s == 0.0


HOP_S = 0.05


def _envelope_alerts(fast: np.ndarray, **changes: float) -> list:
    """Training alerts for 100 ms envelopes ``fast`` (2, n) in µV (rest 1 µV, activity
    reference 40 µV), fed to the detector directly; the 250 ms level is a 5-frame mean."""
    from crampdetect.detect.cramp import CrampDetector

    n = fast.shape[1]
    level = np.stack([np.convolve(f, np.ones(5) / 5, mode="same") for f in fast])
    det = CrampDetector(2, HOP_S, profile_settings("training").replace(**changes))
    zeros = np.zeros((2, n), dtype=bool)
    return det.update(0, fast, level, np.ones((2, n)), zeros, zeros, np.full((2, n), 40.0))


def _frames(s: float) -> int:
    return round(s / HOP_S)


def _dipping_run(depth: float, **changes: float) -> list:
    """Alerts for a 12 s one-legged activation (30x rest) whose 100 ms envelope falls to
    ``depth`` x its level for 0.2 s every 0.8 s (repetition-like dips that never relax it to
    rest), after 5 s of rest."""
    fast = np.ones((2, _frames(20.0)))
    k = np.arange(_frames(12.0))
    fast[0, _frames(5.0) : _frames(17.0)] = np.where(k % 16 < 4, 30.0 * depth, 30.0)
    return _envelope_alerts(fast, **changes)


def test_fast_path_needs_dips_shallower_than_fast_dip():
    assert profile_settings("training").fast_dip > 0.3
    # Dips to 0.3 of the level (~0.35 of the window mean): irregular, above `dip`, never a
    # relaxation; only fast_dip keeps the fast path from alerting them (trainfa: their strict
    # 1.25 Hz period with troughs is gait to the gait test, off here to test fast_dip alone).
    unchecked = _dipping_run(0.3, fast_dip=0.0, gait_window_s=0.0)
    assert [e.detail["path"] for e in unchecked][:1] == ["fast"]
    assert unchecked[0].alert_frame * HOP_S < 5.0 + 4.0
    assert all(e.detail["path"] != "fast" for e in _dipping_run(0.3))


def test_fast_dip_and_bilateral_recent_s_are_checked():
    for name in ("fast_dip", "bilateral_recent_s"):
        with pytest.raises(InputError):
            profile_settings("training").replace(**{name: -1.0})
    assert profile_settings("night").fast_dip == 0.0
    assert profile_settings("night").bilateral_recent_s == 0.0


def test_a_hold_on_both_legs_inside_a_longer_run_is_bilateral():
    """Light activity on the left from 2 s (a recording's first seconds standing), then a
    strong hold on both legs from 10 s to 18 s: over the whole run the other leg rose during
    less than half of it, over the last seconds during all of it."""
    fast = np.ones((2, _frames(25.0)))
    fast[0, _frames(2.0) : _frames(10.0)] = 6.0
    k = np.arange(_frames(8.0))
    hold = np.where(k % 16 < 4, 20.0, 30.0)
    fast[:, _frames(10.0) : _frames(18.0)] = hold
    # the slow path: run >= 9.5 s (fastfa's stand_step, which sees a step out of standing, off)
    whole_run_only = _envelope_alerts(fast, bilateral_recent_s=0.0, stand_step=0.0)
    assert whole_run_only and whole_run_only[0].alert_frame < _frames(18.0)
    assert profile_settings("training").bilateral_recent_s > 0
    assert _envelope_alerts(fast) == []
    one_leg = fast.copy()
    one_leg[1] = 1.0
    # (the same contraction on one leg still alerts; with fastfa's stand_step, off here, not as
    # long as it could be a hold stepped up out of the light activity before it)
    assert _envelope_alerts(one_leg, stand_step=0.0), "the same contraction on one leg alerts"


def _stream(fast: np.ndarray, cuts: list[int]) -> list:
    """Alerts and ends for envelopes ``fast`` fed to a training detector in blocks cut at
    ``cuts`` (frames)."""
    from crampdetect.detect.cramp import CrampDetector

    n = fast.shape[1]
    level = np.stack([np.convolve(f, np.ones(5) / 5, mode="same") for f in fast])
    det = CrampDetector(2, HOP_S, profile_settings("training"))
    out = []
    for a, b in itertools.pairwise(sorted({0, *cuts, n})):
        m = b - a
        zeros = np.zeros((2, m), dtype=bool)
        out += det.update(a, fast[:, a:b], level[:, a:b], np.ones((2, m)), zeros, zeros,
                          np.full((2, m), 40.0))  # fmt: skip
    out += det.finish()
    return [(e.channel, e.onset_frame, e.alert_frame, e.end_frame, e.detail["path"]) for e in out]


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(1, _frames(45.0) - 1), max_size=30))
def test_training_decisions_do_not_depend_on_block_sizes(cuts):
    """Light one-legged activity, a bilateral hold inside it, rest, a dipping one-legged run
    and an irregular one-legged cramp, cut into random blocks."""
    fast = np.ones((2, _frames(45.0)))
    fast[0, _frames(2.0) : _frames(10.0)] = 6.0
    k = np.arange(_frames(12.0))
    fast[:, _frames(10.0) : _frames(16.0)] = np.where(k[: _frames(6.0)] % 16 < 4, 20.0, 30.0)
    fast[0, _frames(20.0) : _frames(32.0)] = np.where(k % 16 < 4, 9.0, 30.0)
    t = np.arange(_frames(10.0)) * HOP_S  # waxing and waning, s
    wax = 0.45 * np.sin(2 * np.pi * 0.7 * t) * np.sin(2 * np.pi * 0.23 * t + 1.0)
    fast[1, _frames(34.0) : _frames(44.0)] = 30.0 * (1.0 + wax)
    whole = _stream(fast, [])
    assert any(path == "fast" for *_, path in whole)
    assert _stream(fast, cuts) == whole


def _env_alerts(fast: np.ndarray, **changes: float) -> list:
    """Training alerts on ENV input (the ENV ratios) for 100 ms envelopes ``fast`` (2, n)
    relative to a rest floor of 1 (activity reference 20x it)."""
    from crampdetect.detect.cramp import CrampDetector

    n = fast.shape[1]
    level = np.stack([np.convolve(f, np.ones(5) / 5, mode="same") for f in fast])
    det = CrampDetector(2, HOP_S, profile_settings("training", "env").replace(**changes))
    zeros = np.zeros((2, n), dtype=bool)
    out = det.update(0, fast, level, np.ones((2, n)), zeros, zeros, np.full((2, n), 20.0))
    return [e for e in out if e.kind == "cramp"]


def _steady_env_run(level: float) -> np.ndarray:
    """20 s steady one-legged activity at ``level`` x the ENV rest floor, after 5 s of rest."""
    fast = np.ones((2, _frames(30.0)))
    fast[0, _frames(5.0) : _frames(25.0)] = level
    return fast


def test_slow_strong_ratio_keeps_standing_level_from_the_slow_path():
    """ENV input, training: a steady run at standing's tonic level (4.5x the rest floor, above
    the ENV strong_ratio) alerts on the slow path unless slow_strong_ratio (6x) is set; a
    steady run at 10x rest alerts at the same frame either way."""
    env = profile_settings("training", "env")
    assert env.strong_ratio < 4.5 and env.slow_strong_ratio == 0.0
    standing = _steady_env_run(4.5)
    unchecked = _env_alerts(standing)
    assert {(e.channel, e.detail["path"]) for e in unchecked} == {(0, "slow")}
    assert _env_alerts(standing, slow_strong_ratio=6.0) == []
    strong = _env_alerts(_steady_env_run(10.0), slow_strong_ratio=6.0)
    assert {(e.channel, e.detail["path"], e.alert_frame) for e in strong} == {
        (0, "slow", unchecked[0].alert_frame)
    }


def test_slow_strong_ratio_is_checked_and_off_by_default():
    with pytest.raises(InputError):
        profile_settings("training").replace(slow_strong_ratio=-1.0)
    for profile in ("night", "training"):
        for signal in ("raw", "env"):
            assert profile_settings(profile, signal).slow_strong_ratio == 0.0
