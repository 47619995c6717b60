"""(latency, session 24; afterstride, session 25) Training: the slow path's wait is counted from
the onset the onset finder places for the run, up to ``slow_onset_s`` before the run's start: a
cramp that builds up slowly starts its run only once it crosses the activation level, seconds
after its rise began. The head start is given only where the onset lies at least
``slow_onset_min_s`` before the run (a voluntary hold is ramped up within about a second) and
only right after gait: some leg had the stride rhythm within ``slow_onset_gait_s`` before the
onset (a voluntary hold is held out of standing, not out of strides)."""

from __future__ import annotations

import numpy as np
import pytest
from synth import add_burst, cramp_events, emg_noise, scene

from crampdetect.core import InputError, Representation
from crampdetect.detect.settings import DetectorSettings, profile_settings

FS = 500.0
CHANNELS = ("left", "right")
REP = Representation("raw", "uV")
START_S = 80.0
DURATION_S = 130.0
CUTS = {
    "whole": [],
    "2000": list(range(0, int(DURATION_S * FS), 2000)),
    "137": list(range(0, int(DURATION_S * FS), 137)),
    "20": list(range(0, int(DURATION_S * FS), 20)),
}
#: The slow path alone: the after-effort, settle and held paths off (on the generated sets they
#: miss such cramps for reasons a clean synthetic scene does not reproduce).
SLOW_ONLY = {"after_effort_s": 0.0, "held_s": 0.0, "settle_s": 0.0}
STRIDE_S, STRIDE_UV = 0.7, 300.0


def _session(stride_end_s: float, length_s: float, ramp_s: float, build: bool) -> np.ndarray:
    """130 s at rest but for running from 20 s (bursts alternating between the legs every
    STRIDE_S / 2) to ``stride_end_s`` and, from START_S, a steady contraction of the
    left leg for ``length_s`` s: a slow build-up (quadratic over ``ramp_s``) or a hold's
    straight ramp, released over 0.5 s."""
    t, x, rng = scene(fs=FS, duration_s=DURATION_S, n_channels=2, seed=3)
    for ch in (0, 1):
        for b in np.arange(20.0 + ch * STRIDE_S / 2, stride_end_s - STRIDE_S / 2, STRIDE_S):
            add_burst(x, t, FS, rng, ch, b, b + STRIDE_S / 2, STRIDE_UV, ramp_s=0.1)
    m = (t >= START_S) & (t < START_S + length_s)
    rise = np.minimum(1.0, (t[m] - START_S) / ramp_s)
    env = np.minimum(rise**2 if build else rise, (START_S + length_s - t[m]) / 0.5)
    x[0, m] += 200.0 * env * emg_noise(int(m.sum()), FS, rng)
    return x


def _run(x: np.ndarray, cuts: list[int] | None = None, **changes: float) -> list:
    return cramp_events(x, FS, CHANNELS, REP, "training", cuts or [], **changes)


@pytest.mark.parametrize("cut", list(CUTS))
def test_a_build_up_right_after_striding_is_alerted_within_10_s_of_its_onset(cut):
    x = _session(START_S, 16.0, 3.0, build=True)
    cramps = _run(x, CUTS[cut], **SLOW_ONLY)
    assert [(e.channel, e.detail["path"]) for e in cramps] == [("left", "slow")]
    assert START_S - 1.0 <= cramps[0].onset_s and cramps[0].alert_s <= START_S + 10.0
    whole = _run(x, **SLOW_ONLY)
    assert [(e.onset_s, e.alert_s) for e in cramps] == [(e.onset_s, e.alert_s) for e in whole]
    # (with every path, an earlier one takes it first)
    assert [e.channel for e in _run(x, CUTS[cut]) if e.alert_s <= START_S + 10.0] == ["left"]


def test_without_the_head_start_the_build_up_is_alerted_past_10_s():
    x = _session(START_S, 16.0, 3.0, build=True)
    cramps = _run(x, slow_onset_s=0.0, **SLOW_ONLY)
    assert [e.channel for e in cramps] == ["left"]
    assert cramps[0].alert_s > START_S + 10.0


def test_the_same_build_up_30_s_after_striding_gains_no_head_start():
    # the leg rested for 30 s: no stride rhythm within slow_onset_gait_s before the onset
    x = _session(START_S - 30.0, 16.0, 3.0, build=True)
    cramps = _run(x, **SLOW_ONLY)
    assert [e.channel for e in cramps] == ["left"]
    assert cramps[0].alert_s > START_S + 10.0
    # without the gait test (session 24's rule) its ramp alone would have earned it
    early = _run(x, slow_onset_gait_s=0.0, **SLOW_ONLY)
    assert [e.channel for e in early] == ["left"]
    assert early[0].alert_s <= START_S + 10.0


@pytest.mark.parametrize("cut", list(CUTS))
def test_a_9_6_s_hold_ramped_up_over_1_5_s_out_of_rest_stays_silent(cut):
    x = _session(START_S - 30.0, 9.6, 1.5, build=False)
    assert _run(x, CUTS[cut]) == []


@pytest.mark.parametrize("cut", ["whole", "137"])
def test_a_hold_out_of_rest_gains_no_head_start_whatever_its_ramp(cut):
    # a 9.8-s hold ramped up over 1.5 s: even with no least head start (slow_onset_min_s 0)
    # the gait test alone keeps it silent; without the gait test too it is alerted
    x = _session(START_S - 30.0, 9.8, 1.5, build=False)
    assert _run(x, CUTS[cut], slow_onset_min_s=0.0) == []
    alerted = _run(x, CUTS[cut], slow_onset_min_s=0.0, slow_onset_gait_s=0.0)
    assert [(e.channel, e.detail["path"]) for e in alerted] == [("left", "slow")]


def test_the_same_hold_right_after_striding_is_the_held_paths_not_the_head_starts():
    # Right after 60 s of running the 9.6-s hold is alerted, on the held path (exert2: a
    # contraction kept up on one leg straight out of the strides, over held_gait_s) and
    # the same with or without the head start: the head start plays no part in it (its ramp
    # under the activation level is under slow_onset_min_s); the slow path alone stays
    # silent (the hold is released before the slow wait ends).
    x = _session(START_S, 9.6, 1.5, build=False)
    held_gait_s = profile_settings("training").held_gait_s
    cramps = _run(x)
    assert [(e.channel, e.detail["path"]) for e in cramps] == [("left", "held")]
    assert cramps[0].alert_s <= START_S + held_gait_s
    assert [(e.onset_s, e.alert_s) for e in _run(x, slow_onset_s=0.0)] == [
        (e.onset_s, e.alert_s) for e in cramps
    ]
    assert _run(x, **SLOW_ONLY) == []


def test_the_settings_are_bounded_and_off_at_night():
    for name in ("slow_onset_s", "slow_onset_min_s", "slow_onset_gait_s"):
        assert getattr(profile_settings("night"), name) == 0.0
        assert getattr(profile_settings("training"), name) > 0.0
        with pytest.raises(InputError):
            DetectorSettings(**{name: -1.0})
    # the gait span read before the onset must lie within the detector's history
    with pytest.raises(InputError, match="slow_onset_gait_s"):
        profile_settings("training").replace(slow_min_s=20.0)
    profile_settings("training").replace(slow_min_s=20.0, slow_onset_gait_s=0.0)
