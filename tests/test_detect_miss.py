"""Cramps that were missed or alerted late (helper `miss`): slow onsets, cramps that a
turnover runs into."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import detect_array
from synth import add_burst, scene

from crampdetect.core import Representation
from crampdetect.detect.onset import place_onset
from crampdetect.detect.settings import profile_settings

FR = 20.0  # frames per s


@pytest.mark.parametrize("rise_s", [3.0, 6.0])
def test_the_onset_of_a_slow_weak_rise_is_its_foot_not_halfway_up(rise_s):
    """A cramp that builds up over seconds to ~15x rest: the span just before the split of
    the envelope already holds part of the rise; the onset is where the envelope left the
    resting noise, within 0.5 s."""
    rng = np.random.default_rng(3)
    t = np.arange(round(60 * FR)) / FR
    onset_s = 40.0
    rest = 8.0 * (1 + 0.1 * rng.standard_normal(t.size))
    ramp = np.clip((t - onset_s) / rise_s, 0.0, 1.0)
    wax = 1.0 + 0.3 * np.sin(2 * np.pi * 0.4 * t) + 0.1 * rng.standard_normal(t.size)
    fast = np.sqrt(rest**2 + (120.0 * ramp * wax) ** 2)
    alert = round((onset_s + rise_s + 4.0) * FR)
    run_start = round((onset_s + 0.3 * rise_s) * FR)  # once up at 4x rest
    k = place_onset(fast, np.zeros_like(fast), 0, alert, run_start, FR, 12.0, np.nan)
    assert abs(k / FR - onset_s) <= 0.5


def _turnover_into_cramp(seed: int) -> tuple[np.ndarray, float]:
    """Both legs active while turning over from 28 s (the right one in bursts with short
    pauses) until the right leg rests at 44 s; the left leg stays up: a cramp."""
    fs = 1000.0
    t, x, rng = scene(fs=fs, duration_s=120.0, n_channels=2, seed=seed)
    a = 28.0
    while a < 44.0:
        d = rng.uniform(1.0, 3.0)
        add_burst(x, t, fs, rng, 1, a, min(a + d, 44.0), rng.uniform(200, 400), ramp_s=0.1)
        a += d + rng.uniform(0.05, 0.3)
    add_burst(x, t, fs, rng, 0, 28.0, 100.0, 300.0, ramp_s=0.5, irregular=0.4)
    return x, fs


@pytest.mark.parametrize("seed", [1, 2])
def test_a_turnover_that_runs_into_a_cramp_on_one_leg_alerts_in_time_at_night(seed):
    x, fs = _turnover_into_cramp(seed)
    uv = Representation("raw", "uV", None)
    events, _ = detect_array(x, fs, uv, "night")
    # Where the other leg last rose is carried across blocks: any block size, the same events.
    for block in (137, 20):
        assert detect_array(x, fs, uv, "night", block=block)[0] == events
    left = [e for e in events if e.kind == "cramp" and e.channel == "ch0"]
    assert left and 44.0 <= left[0].alert_s <= 54.0
    assert not [e for e in events if e.kind == "cramp" and e.channel == "ch1"]
    # Without the waiver the bilateral test holds the same cramp back.
    held = profile_settings("night").replace(bilateral_clear_s=1e6)
    events, _ = detect_array(x, fs, uv, "night", settings=held)
    assert not [e for e in events if e.kind == "cramp" and e.channel == "ch0" and e.alert_s <= 54]
