"""(latency, session 24) Training: the slow path's wait is counted from the onset the onset
finder places for the run, up to ``slow_onset_s`` before the run's start: a cramp that builds
up slowly starts its run only once it crosses the activation level, seconds after its rise
began. A voluntary hold is ramped up within about a second: the part of its ramp under the
activation level is shorter than ``slow_onset_min_s``, so it gains nothing and stays silent."""

from __future__ import annotations

import numpy as np
import pytest
from synth import add_burst, cramp_events, emg_noise, scene

from crampdetect.core import InputError, Representation
from crampdetect.detect.settings import DetectorSettings, profile_settings

FS = 500.0
CHANNELS = ("left", "right")
REP = Representation("raw", "uV")
START_S = 30.0
CUTS = {
    "whole": [],
    "2000": list(range(0, 35_000, 2000)),
    "137": list(range(0, 35_000, 137)),
    "20": list(range(0, 35_000, 20)),
}


def _session(length_s: float, ramp_s: float, build: bool) -> np.ndarray:
    """70 s at rest but for movements of both legs early on (the activity reference) and a
    steady contraction of the left leg from START_S for ``length_s`` s: a slow build-up
    (quadratic over ``ramp_s``) or a hold's straight ramp."""
    t, x, rng = scene(fs=FS, duration_s=70.0, n_channels=2, seed=3)
    for ch in (0, 1):
        for b in (4.0, 10.0, 16.0):
            add_burst(x, t, FS, rng, ch, b + ch, b + ch + 1.0, 300.0)
    m = (t >= START_S) & (t < START_S + length_s)
    rise = np.minimum(1.0, (t[m] - START_S) / ramp_s)
    env = np.minimum(rise**2 if build else rise, (START_S + length_s - t[m]) / 0.5)
    x[0, m] += 200.0 * env * emg_noise(int(m.sum()), FS, rng)
    return x


@pytest.mark.parametrize("cut", list(CUTS))
def test_a_slow_build_up_is_alerted_within_10_s_of_its_onset(cut):
    x = _session(16.0, 3.0, build=True)
    cramps = cramp_events(x, FS, CHANNELS, REP, "training", CUTS[cut])
    assert [(e.channel, e.detail["path"]) for e in cramps] == [("left", "slow")]
    assert START_S - 1.0 <= cramps[0].onset_s and cramps[0].alert_s <= START_S + 10.0
    whole = cramp_events(x, FS, CHANNELS, REP, "training")
    assert [(e.onset_s, e.alert_s) for e in cramps] == [(e.onset_s, e.alert_s) for e in whole]


def test_without_the_rule_the_build_up_is_alerted_past_10_s():
    x = _session(16.0, 3.0, build=True)
    cramps = cramp_events(x, FS, CHANNELS, REP, "training", slow_onset_s=0.0)
    assert [e.channel for e in cramps] == ["left"]
    assert cramps[0].alert_s > START_S + 10.0


@pytest.mark.parametrize("cut", list(CUTS))
@pytest.mark.parametrize("ramp_s", [0.5, 1.0])
def test_a_9_s_hold_stays_silent(cut, ramp_s):
    x = _session(9.0, ramp_s, build=False)
    assert cramp_events(x, FS, CHANNELS, REP, "training", CUTS[cut]) == []


@pytest.mark.parametrize("cut", list(CUTS))
def test_a_hold_ramped_up_within_a_second_gains_no_head_start(cut):
    # the part of a hold's ramp under the activation level is shorter than slow_onset_min_s
    x = _session(9.6, 1.0, build=False)
    assert cramp_events(x, FS, CHANNELS, REP, "training", CUTS[cut]) == []


def test_without_the_least_head_start_the_hold_is_alerted():
    x = _session(9.6, 1.0, build=False)
    alerted = cramp_events(x, FS, CHANNELS, REP, "training", slow_onset_min_s=0.0)
    assert [e.channel for e in alerted] == ["left"]


def test_the_settings_are_bounded_and_off_at_night():
    for name in ("slow_onset_s", "slow_onset_min_s"):
        assert getattr(profile_settings("night"), name) == 0.0
        assert getattr(profile_settings("training"), name) > 0.0
        with pytest.raises(InputError):
            DetectorSettings(**{name: -1.0})
