"""(exert) The held path (training profile, ``held_s`` 10.5 s): a contraction that stays up on
one leg without relaxing and without the stride rhythm for longer than a voluntary hold
alerts, even when standing's tonic activity has raised the resting baseline so far that the
contraction never looks strong over it; a shorter hold, standing and running do not.
(exert2) Straight out of gait (the other leg drops to standing, the cramped one stays up) the
shorter ``held_gait_s`` will do; a hold ramped up from standing still waits ``held_s``."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from synth import add_burst, cramp_events, scene

from crampdetect.core import InputError, Representation
from crampdetect.detect.settings import profile_settings

FS = 500.0
CHANNELS = ("left", "right")
REP = Representation("raw", "uV")
STOP_S = 75.0
STANDING_UV, STRIDE_UV, CRAMP_UV = 40.0, 500.0, 250.0


def _session(
    seed: int, left_s: float, right_s: float = 0.0, running: bool = True, pause_s: float = 0.0
):
    """120 s standing on both legs (a tonic ``STANDING_UV``, from the start: the baseline is
    standing), running from 10 s to STOP_S (bursts alternating between the legs), then from
    STOP_S + ``pause_s`` (standing before it) a ``CRAMP_UV`` contraction waxing and waning for
    ``left_s`` / ``right_s`` s."""
    t, x, rng = scene(fs=FS, duration_s=120.0, n_channels=2, seed=seed)
    start = STOP_S + pause_s
    for ch, dur in enumerate((left_s, right_s)):
        add_burst(x, t, FS, rng, ch, 0.0, 120.0, STANDING_UV, ramp_s=0.01)
        for b in np.arange(10.0 + ch * 0.35, STOP_S - 0.4, 0.7) if running else []:
            add_burst(x, t, FS, rng, ch, b, b + 0.35, STRIDE_UV, ramp_s=0.1)
        if dur:
            add_burst(x, t, FS, rng, ch, start, start + dur, CRAMP_UV, irregular=0.15)
    return x


def _run(x: np.ndarray, cuts: list[int], **changes: float) -> list:
    return cramp_events(x, FS, CHANNELS, REP, "training", cuts, **changes)


def test_a_contraction_held_on_one_leg_after_running_alerts_after_held_s():
    start = STOP_S + 8.0  # standing first: not straight out of gait
    cramps = _run(_session(0, 30.0, pause_s=8.0), [])
    assert [e.channel for e in cramps] == ["left"]
    assert cramps[0].detail["path"] == "held"
    held_s = profile_settings("training").held_s
    assert start + held_s <= cramps[0].alert_s <= start + held_s + 2.0
    assert abs(cramps[0].onset_s - start) <= 1.0


def test_held_straight_out_of_gait_alerts_after_held_gait_s():
    # exert2: the cramped leg stays up out of the last strides, the other drops to standing
    s = profile_settings("training")
    cramps = _run(_session(0, 40.0), [], stop_s=0.0)  # (gaitrun's shorter span aside)
    assert [e.channel for e in cramps] == ["left"]
    assert cramps[0].detail["path"] == "held"
    assert STOP_S + s.held_gait_s <= cramps[0].alert_s <= STOP_S + s.held_gait_s + 2.0 < 85.0
    assert abs(cramps[0].onset_s - STOP_S) <= 1.0  # (held_gait_s 0: alerted after held_s)
    # gaitrun (session 17): kept up out of running on both legs, over stop_s already
    early = _run(_session(0, 40.0), [])
    assert [(e.channel, e.detail["path"]) for e in early] == [("left", "held")]
    assert STOP_S + s.stop_s <= early[0].alert_s < cramps[0].alert_s
    assert abs(early[0].onset_s - STOP_S) <= 1.0


def test_without_the_path_the_same_contraction_is_not_alerted():
    # Standing made the baseline: the contraction is never "strong" over it.
    assert _run(_session(0, 40.0), [], held_s=0.0) == []
    # Nor before the activity reference has had time to see the session's exertion.
    assert _run(_session(0, 40.0), [], held_start_s=STOP_S + 30.0) == []


def test_a_voluntary_hold_standing_and_running_do_not_alert():
    assert _run(_session(1, 10.0, pause_s=8.0), []) == []  # one leg, as long as a hold
    assert _run(_session(2, 40.0, 40.0), []) == []  # both legs: posture, not a cramp
    assert _run(_session(3, 0.0), []) == []  # running, then standing


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 3), st.lists(st.floats(0.0, 1.0), max_size=20))
def test_held_alerts_do_not_depend_on_block_sizes(seed, fractions):
    x = _session(seed, 30.0)
    cuts = [round(f * x.shape[1]) for f in fractions]
    assert _run(x, cuts) == _run(x, [])


def test_held_settings_are_checked():
    base = profile_settings("training")
    for bad in (
        {"held_s": -1.0},
        {"held_s": 40.0},
        {"held_s": 20.0, "pre_run_s": 10.0},
        {"held_floor": 2.0},
        {"held_relax": -0.1},
        {"held_start_s": -1.0},
        {"held_gait_s": -1.0},
        {"held_gait_s": 20.0},  # with the gait span before it, beyond the history
    ):
        with pytest.raises(InputError):
            base.replace(**bad)
    assert base.held_s > 0 and profile_settings("night").held_s == 0.0  # training only
    assert 0 < base.held_gait_s < base.held_s
