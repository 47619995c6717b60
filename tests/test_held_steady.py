"""(indgait) The held path straight out of gait at a lower, steadier level (training): a weak
cramp that stops a runner stands at a third to a half of its leg's gait bursts without
falling below about half its level, while the other leg drops to standing; the exert2 test
(the lowest frame at ``held_floor`` x the reference, ``settle_one_leg`` x the other leg) never
took it. A steady level under a third of the gait bursts, on one leg, does not alert."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from synth import add_burst, assert_cut_invariant, cramp_events, scene

from crampdetect.core import InputError, Representation
from crampdetect.detect.settings import profile_settings

FS = 500.0
CHANNELS = ("left", "right")
REP = Representation("raw", "uV")
STOP_S = 75.0
#: gait bursts (left, right), µV; the right leg's muscle is the weaker one
STRIDE_UV = (700.0, 500.0)
#: standing after the run (left, right), µV: the right leg stands at a fifth of its bursts
STANDING_UV = (40.0, 100.0)


def _session(seed: int, left_uv: float, irregular: float = 0.15, period_s: float = 0.7):
    """120 s: standing on both legs from the start, running from 10 s to STOP_S (bursts
    alternating between the legs, a stride every ``period_s`` per leg: 0.7 s running, 1 s
    walking pace), then from STOP_S a ``left_uv`` contraction of the left leg (waxing and
    waning by ``irregular``) for 40 s while the right leg stands."""
    t, x, rng = scene(fs=FS, duration_s=120.0, n_channels=2, seed=seed)
    for ch in (0, 1):
        add_burst(x, t, FS, rng, ch, 0.0, 120.0, STANDING_UV[ch], ramp_s=0.01)
        for b in np.arange(10.0 + ch * period_s / 2, STOP_S - 0.4, period_s):
            add_burst(x, t, FS, rng, ch, b, b + period_s / 2, STRIDE_UV[ch], ramp_s=0.1)
    add_burst(x, t, FS, rng, 0, STOP_S, STOP_S + 40.0, left_uv, irregular=irregular)
    return x


def _run(x: np.ndarray, cuts: list[int], **changes: float) -> list:
    return cramp_events(x, FS, CHANNELS, REP, "training", cuts, **changes)


def test_a_weak_cramp_straight_out_of_gait_alerts_within_10_s():
    s = profile_settings("training")
    cramps = _run(_session(0, 260.0), [])
    assert [e.channel for e in cramps] == ["left"]
    assert cramps[0].detail["path"] == "held"
    assert STOP_S + s.held_gait_s <= cramps[0].alert_s <= STOP_S + 10.0
    assert abs(cramps[0].onset_s - STOP_S) <= 1.0


def test_without_the_steady_test_it_is_not_alerted():
    assert _run(_session(0, 260.0), [], held_gait_level=0.0) == []
    # nor when the other leg is held to the exert2 one-leg factor
    assert _run(_session(0, 260.0), [], held_gait_one_leg=3.0) == []


def test_a_standing_leg_of_low_gain_beside_the_cramp_is_no_bar(monkeypatch):
    # watchsettle (session 17): the right leg stands at 160 µV after its 500 µV bursts, less
    # than 1.5x but more than 1.2x under the cramped leg's relative level
    monkeypatch.setattr(sys.modules[__name__], "STANDING_UV", (40.0, 160.0))
    x = _session(0, 260.0)
    assert profile_settings("training").held_gait_one_leg == 1.2
    assert [(e.channel, e.detail["path"]) for e in _run(x, [])] == [("left", "held")]
    assert _run(x, [], held_gait_one_leg=1.5) == []


def test_only_straight_out_of_running_pace_strides():
    # standing after walking may stand at a third of walking's bursts: the strides before
    # must be running's (a period of held_gait_stride_s or less); these are 0.7 s apart
    assert _run(_session(0, 260.0), [], held_gait_stride_s=0.55) == []
    assert _run(_session(0, 260.0, period_s=1.0), []) == []  # walking pace


def test_a_steady_level_under_a_third_of_the_gait_bursts_does_not_alert():
    # the left leg stands steadily at 220 µV after its 700 µV bursts: one-legged, but below
    # held_gait_level x its activity reference (the 90th percentile of its bursts)
    x = _session(1, 220.0, irregular=0.0)
    assert _run(x, []) == []
    assert [e.channel for e in _run(x, [], held_gait_level=0.15)] == ["left"]


def test_the_steady_test_does_not_depend_on_block_sizes():
    assert_cut_invariant(_session(2, 260.0), FS, CHANNELS, REP, "training")


def test_steady_settings_are_checked():
    base = profile_settings("training")
    for bad in (
        {"held_gait_level": -0.1},
        {"held_gait_level": 1.5},
        {"held_gait_relax": 1.2},
        {"held_gait_one_leg": 0.5},
        {"held_gait_stride_s": 0.3},
        {"held_gait_stride_s": 1.5},
    ):
        with pytest.raises(InputError):
            base.replace(**bad)
    assert 0 < base.held_gait_level < 1
    assert profile_settings("night").held_gait_level == 0.0
