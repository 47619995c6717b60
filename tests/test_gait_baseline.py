"""(gaitbase, session 21) Running is no new rest. The resting-baseline tracker re-bases after
``rebase_s`` of uninterrupted activity (a new posture, a moved electrode); a long run used to
become that rest, and a weak cramp after the stop stood under ``on_ratio`` x the running's
floor: no run opened at all. Seconds with the stride rhythm on both legs (``rebase_rhythm``)
restart the count, so the legs are read against the rest before the run once it stops; standing
after it must still not alert, and standing of a minute still becomes the rest."""

from __future__ import annotations

import numpy as np
import pytest
from synth import add_burst, assert_cut_invariant, cramp_events, scene

from crampdetect.core import InputError, Representation
from crampdetect.detect.baseline import BaselineTracker
from crampdetect.detect.settings import profile_settings

FS = 500.0
CHANNELS = ("left", "right")
REP = Representation("raw", "uV")
RUN_S, STOP_S, END_S = 30.0, 230.0, 290.0  #: running from RUN_S to STOP_S (200 s)
STRIDE_UV = 400.0  #: running bursts, µV
TONIC_UV = 60.0  #: under the strides while running (12x rest: the run's 1-s floor)
PERIOD_S = 0.7  #: a stride per leg (running)
CRAMP_UV = 80.0  #: a low one-leg tonic contraction after the stop (about 0.15 of the reference)
STANDING_UV = 40.0  #: standing on both legs after the stop (8x rest)
CRAMP_AT = 4.0  #: the contraction begins this long (s) after the stop


def _session(seed: int, cramp: bool, standing_uv: float = 0.0) -> np.ndarray:
    """Rest, running on both legs from RUN_S to STOP_S, then ``standing_uv`` on both legs and,
    with ``cramp``, a waxing and waning contraction of the left leg from the stop + CRAMP_AT
    to END_S."""
    t, x, rng = scene(fs=FS, duration_s=END_S + 20.0, n_channels=2, seed=seed)
    for ch in (0, 1):
        add_burst(x, t, FS, rng, ch, RUN_S, STOP_S, TONIC_UV, ramp_s=0.3)
        for b in np.arange(RUN_S + ch * PERIOD_S / 2, STOP_S - 0.3, PERIOD_S):
            add_burst(x, t, FS, rng, ch, b, b + PERIOD_S / 2, STRIDE_UV, ramp_s=0.1)
        if standing_uv:
            add_burst(x, t, FS, rng, ch, STOP_S, END_S + 20.0, standing_uv, ramp_s=0.5)
    if cramp:
        add_burst(x, t, FS, rng, 0, STOP_S + CRAMP_AT, END_S, CRAMP_UV, ramp_s=1.0, irregular=0.3)
    return x


def _run(x: np.ndarray, cuts=(), **changes: float) -> list:
    return cramp_events(x, FS, CHANNELS, REP, "training", cuts, min_confidence=0.0, **changes)


def test_a_low_contraction_after_running_alerts_against_the_rest_before_it():
    for seed in (1, 2):
        x = _session(seed, cramp=True)
        cramps = _run(x)
        assert [e.channel for e in cramps][:1] == ["left"]
        assert STOP_S + CRAMP_AT <= cramps[0].alert_s <= STOP_S + CRAMP_AT + 10.0
        # without the rule the run became the rest and the contraction stands under it
        assert _run(x, rebase_rhythm=0.0) == []


def test_standing_after_running_does_not_alert():
    for seed in (1, 2, 3):
        assert _run(_session(seed, cramp=False, standing_uv=STANDING_UV)) == []


def test_gait_baseline_does_not_depend_on_block_sizes():
    assert_cut_invariant(_session(2, cramp=True), FS, CHANNELS, REP, "training", min_confidence=0)


def _tracker_baseline(x_env: np.ndarray, cuts, **kw) -> np.ndarray:
    import itertools

    tr = BaselineTracker(2, 20, 0.05, **kw)
    out = []
    n = x_env.shape[1]
    for a, b in itertools.pairwise(sorted({0, *cuts, n})):
        base, _ = tr.process(x_env[:, a:b], np.zeros((2, b - a), dtype=bool))
        out.append(base)
    return np.concatenate(out, axis=1)


def test_the_tracker_keeps_the_rest_through_strides_and_learns_standing():
    """100 ms envelopes at 20 frames/s: rest, 200 s of strides on both legs, 100 s of
    standing at 8x rest: the baseline stays the rest through the strides and takes the standing
    after rebase_s of it, for any block cut; without the rule it takes the strides' floor."""
    fr = 20
    rng = np.random.default_rng(0)
    t = np.arange(400 * fr) / fr
    env = 5.0 * (1 + 0.05 * rng.standard_normal((2, t.size)))
    run = (t >= 30) & (t < 230)
    for ch in (0, 1):
        phase = (t + ch * PERIOD_S / 2) % PERIOD_S < PERIOD_S / 2
        env[ch, run] = np.where(phase[run], STRIDE_UV, TONIC_UV)
    env[:, t >= 230] = STANDING_UV * (1 + 0.05 * rng.standard_normal((2, int((t >= 230).sum()))))
    kw = {"rebase_rhythm": profile_settings("training").rebase_rhythm, "rebase_rhythm_s": 6.0}
    whole = _tracker_baseline(env, (), **kw)
    assert np.all(whole[:, (t > 30) & (t < 285)] < 10.0)  # the rest, through the run
    assert np.all(whole[:, t > 295] > 30.0)  # a minute of standing is a new rest
    for step in (7, 33):
        cut = _tracker_baseline(env, range(0, t.size, step), **kw)
        assert np.array_equal(cut, whole, equal_nan=True)
    old = _tracker_baseline(env, ())
    assert np.all(old[:, (t > 95) & (t < 230)] > 30.0)  # before: the run became the rest


def test_gait_baseline_settings_are_checked_and_off_at_night():
    base = profile_settings("training")
    assert base.rebase_rhythm > 0
    assert profile_settings("night").rebase_rhythm == 0.0
    for bad in ({"rebase_rhythm": -0.1}, {"rebase_rhythm_s": 0.5}):
        with pytest.raises(InputError):
            base.replace(**bad)
