"""Night: a weak cramp does not relax (part cases, session 23). A leg twitching on its resting
floor -- bursts of 1.5-2.5 s at ~6x its rest, each falling back to the rest for a fraction of a
second (a prodrome stepping to a few times its rest) -- is not taken by the weak path
(``weak_relax``, ``weak_relaxes``); the cramp after it is alerted within 10 s of its onset, a
weak cramp that stands without relaxing still alerts on the weak path at the same frame, at any
block size."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import detect_array
from synth import add_burst, scene

from crampdetect.core import InputError, Representation
from crampdetect.detect.settings import DetectorSettings, profile_settings

UV = Representation("raw", "uV", None)
FS = 1000.0
START = 80.0  # s: the left leg starts twitching (or a weak cramp sets in)
STOP = 118.0  # s: ... until here
ONSET = 120.0  # s: a cramp


def _night(seed: int, twitch: bool = True, weak: bool = False) -> np.ndarray:
    """Two legs at rest on a 10 µV floor; from ``START`` to ``STOP`` the left leg twitches
    (``twitch``: bursts of 60 µV for 1.5-2.5 s, each back at rest for 0.15-0.3 s) or holds a
    weak cramp (``weak``: 60 µV, waxing and waning, no return to rest); a cramp (400 µV, a
    3-s rise) from ``ONSET`` for 40 s."""
    t, x, rng = scene(fs=FS, duration_s=170.0, n_channels=2, seed=seed, rest_uv=10.0)
    if twitch:
        a = START
        while a < STOP:
            b = a + rng.uniform(1.5, 2.5)
            add_burst(x, t, FS, rng, 0, a, b, 60.0, ramp_s=0.1, irregular=0.3)
            a = b + rng.uniform(0.15, 0.3)
    if weak:
        add_burst(x, t, FS, rng, 0, START, STOP, 60.0, ramp_s=1.0, irregular=0.3)
    add_burst(x, t, FS, rng, 0, ONSET, ONSET + 40.0, 400.0, ramp_s=3.0, irregular=0.4)
    return x


def _cramps(x: np.ndarray, block: int = 2000, **changes) -> list[tuple]:
    s = profile_settings("night").replace(**changes)
    events, _ = detect_array(x, FS, UV, "night", block=block, settings=s)
    return [
        (e.channel, round(e.onset_s, 3), round(e.alert_s, 3), e.detail["path"])
        for e in events
        if e.kind == "cramp"
    ]


@pytest.mark.parametrize("seed", [0, 1])
def test_a_leg_twitching_back_to_its_rest_is_no_weak_cramp(seed):
    x = _night(seed)
    cramps = _cramps(x)
    # only the cramp, alerted within 10 s of its onset
    assert [c[0] for c in cramps] == ["ch0"]
    assert ONSET < cramps[0][2] <= ONSET + 10.0
    for block in (137, 20):
        assert _cramps(x, block=block) == cramps
    # without the test the weak path took the twitching for a cramp
    off = _cramps(x, weak_relax=0.0)
    assert off[0][3] == "weak" and START < off[0][2] < STOP


@pytest.mark.parametrize("seed", [0, 1])
def test_a_weak_cramp_that_does_not_relax_still_alerts_on_the_weak_path(seed):
    x = _night(seed, twitch=False, weak=True)
    cramps = _cramps(x)
    assert cramps[0][0] == "ch0" and cramps[0][3] == "weak"
    assert START < cramps[0][2] <= START + 10.0
    assert cramps == _cramps(x, weak_relax=0.0)
    for block in (137, 20):
        assert _cramps(x, block=block) == cramps


def test_the_relaxation_settings_are_on_at_night_off_in_training_and_bounded():
    assert profile_settings("night").weak_relax > 0
    assert profile_settings("night", "env").weak_relax > 0
    assert profile_settings("training").weak_relax == 0
    assert profile_settings("night").weak_relaxes >= 1
    with pytest.raises(InputError):
        DetectorSettings(weak_relax=-1.0)
    with pytest.raises(InputError):
        DetectorSettings(weak_relaxes=0.0)
