"""(endearly, session 18) Night: a weak alert (under ``end_weak_below`` x its baseline) ends
below ``end_weak_ratio`` x that baseline, as in training, instead of ``off_ratio`` x. A weak
cramp of minutes waxes and wanes at 2-4x its rest; in a trough it sat under ``off_ratio`` x
for ``end_s`` and its event closed minutes before the cramp did (then a second alert on the
same cramp). The rest after the cramp (about 1x) still ends it."""

from __future__ import annotations

import numpy as np
import pytest
from synth import cramp_events, emg_noise, scene, slow_modulation

from crampdetect.core import Representation
from crampdetect.detect.settings import profile_settings

FS = 500.0
CHANNELS = ("left", "right")
REP = Representation("raw", "uV")
DURATION_S = 200.0
#: a weak cramp of the right calf (~3x a 5 µV rest, waxing and waning) ...
CRAMP_S = (20.0, 190.0)
#: ... with a trough at ~1.5-2x its rest
TROUGH_S = (120.0, 124.0)
CUTS = tuple(range(0, round(DURATION_S * FS), 997))


def _weak_cramp_with_a_trough() -> np.ndarray:
    t, x, rng = scene(fs=FS, duration_s=DURATION_S, n_channels=2, seed=0)
    a, b = CRAMP_S
    m = (t >= a) & (t < b)
    n = int(m.sum())
    env = np.minimum(1.0, np.minimum(t[m] - a, b - t[m]) / 3.0)
    env = env * slow_modulation(n, FS, rng, 0.3, 2.5)
    env = env * np.where((t[m] >= TROUGH_S[0]) & (t[m] < TROUGH_S[1]), 7.0 / 15.0, 1.0)
    x[1, m] += 15.0 * env * emg_noise(n, FS, rng)
    return x


@pytest.mark.parametrize("cuts", [(), CUTS])
def test_a_weak_night_cramp_lasts_through_its_trough(cuts):
    x = _weak_cramp_with_a_trough()
    events = cramp_events(x, FS, CHANNELS, REP, "night", cuts=cuts)
    assert [e.channel for e in events] == ["right"]
    s = profile_settings("night")
    assert events[0].detail["level_uv"] < s.end_weak_below * 5.5  # a weak alert
    # one event to the cramp's end: the rest after it ends it
    assert CRAMP_S[1] - 2.0 <= events[0].end_s <= CRAMP_S[1] + 1.0
    # without the rule it closed in the trough and the same cramp was alerted again
    old = cramp_events(x, FS, CHANNELS, REP, "night", cuts=cuts, end_weak_ratio=0.0)
    assert old[0].alert_s == events[0].alert_s
    assert old[0].end_s < TROUGH_S[1] + 1.0 and len(old) == 2


def test_the_night_end_level_of_a_weak_alert_is_checked():
    s = profile_settings("night")
    assert 0 < s.end_weak_ratio <= s.off_ratio < s.end_weak_below
    assert s.end_weak_ratio <= profile_settings("night", "env").off_ratio
