"""(heldend, session 15) Training: a weak alert (under ``end_weak_below`` x its baseline)
ends below ``end_weak_ratio`` x that baseline instead of ``off_ratio`` x. A weak cramp held
after running, waxing and waning over a baseline standing and running raised, dipped to
``off_ratio`` x it and its event closed while the cramp went on; the leg standing after the
cramp still ends it."""

from __future__ import annotations

import numpy as np
import pytest
from synth import add_burst, cramp_events, emg_noise, scene, slow_modulation

from crampdetect.core import InputError, Representation
from crampdetect.detect.settings import profile_settings

FS = 500.0
CHANNELS = ("left", "right")
REP = Representation("raw", "uV")
START_S, CRAMP_S = 75.0, 30.0


def _standing_and_running() -> tuple[np.ndarray, np.ndarray, np.random.Generator]:
    """130 s standing on both legs (80 µV), running from 10 s to START_S."""
    t, x, rng = scene(fs=FS, duration_s=130.0, n_channels=2, seed=0)
    for ch in (0, 1):
        add_burst(x, t, FS, rng, ch, 0.0, 130.0, 80.0, ramp_s=0.5)
        for b in np.arange(10.0 + ch * 0.35, START_S - 0.4, 0.7):
            add_burst(x, t, FS, rng, ch, b, b + 0.35, 500.0, ramp_s=0.1)
    return t, x, rng


def _session() -> np.ndarray:
    """Standing and running, then a 180 µV contraction of the left leg waxing and waning for
    CRAMP_S, then standing again."""
    t, x, rng = _standing_and_running()
    add_burst(x, t, FS, rng, 0, START_S, START_S + CRAMP_S, 180.0, irregular=0.3)
    return x


def _session_with_a_trough() -> np.ndarray:
    """(endearly, session 18) As ``_session``, the contraction waxing and waning at 180 µV
    over the 80 µV standing but falling to 60 µV for 4 s in its middle (92-96 s): a weak
    cramp after gait dips to 1.2-1.5 x the baseline the running raised."""
    t, x, rng = _standing_and_running()
    a, b = START_S, START_S + CRAMP_S
    m = (t >= a) & (t < b)
    n = int(m.sum())
    env = np.minimum(1.0, np.minimum(t[m] - a, b - t[m]) / 0.3)
    env = env * slow_modulation(n, FS, rng, 0.3, 2.5)
    env = env * np.where((t[m] >= 92.0) & (t[m] < 96.0), 60.0 / 180.0, 1.0)
    x[0, m] += 180.0 * env * emg_noise(n, FS, rng)
    return x


@pytest.mark.parametrize(
    ("session", "old_ratio", "old_end_before"),
    [
        # without the rule (session 15) it ended at once, 10 s and more before the cramp did
        (_session, 0.0, START_S + CRAMP_S - 10.0),
        # at 1.5 x (session 15's value; endearly, session 18) it ended in the trough
        (_session_with_a_trough, 1.5, 97.0),
    ],
)
def test_a_weak_cramp_held_after_running_lasts_to_its_end(session, old_ratio, old_end_before):
    x = session()
    cramps = cramp_events(x, FS, CHANNELS, REP, "training")
    assert [(e.channel, e.detail["path"]) for e in cramps] == [("left", "held")]
    end = START_S + CRAMP_S
    assert end - 1.0 <= cramps[0].end_s <= end + 1.0  # standing after it still ends it
    cut = cramp_events(x, FS, CHANNELS, REP, "training", [7, 16_000, 40_001, 52_345])
    assert [(e.alert_s, e.end_s) for e in cut] == [(e.alert_s, e.end_s) for e in cramps]
    old = cramp_events(x, FS, CHANNELS, REP, "training", end_weak_ratio=old_ratio)
    assert old[0].alert_s == cramps[0].alert_s and old[0].end_s < old_end_before


def test_end_weak_settings_are_checked():
    base = profile_settings("training")
    assert 0 < base.end_weak_ratio <= base.off_ratio < base.end_weak_below
    # endearly (session 18): at night too
    assert 0 < profile_settings("night").end_weak_ratio <= base.off_ratio
    for bad in ({"end_weak_ratio": base.off_ratio + 0.1}, {"end_weak_below": 0.5}):
        with pytest.raises(InputError):
            base.replace(**bad)
