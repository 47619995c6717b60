"""A weak cramp of both legs at once (part nightmiss, session 12): the other leg held over its
resting floor like this one is cramping too, not turning over (``weak_both_s``)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import detect_array
from synth import scene

from crampdetect.core import Representation
from crampdetect.detect.settings import profile_settings

UV = Representation("raw", "uV", None)
REST_UV = 20.0  # a 10-bit ADC's quantization floor, as in test_detect_miss
ONSET = 60.0


def _weak(x, t, rng, ch: int, start: float, stop: float, floor_uv: float = REST_UV) -> None:
    """A weak contraction (~4.5x the floor) on ``ch`` from ``start`` to ``stop`` s, rising in
    1 s, waxing and waning below ``off_ratio`` again and again but never back to the floor."""
    m = (t >= start) & (t < stop)
    ramp = np.clip(np.minimum(t[m] - start, stop - t[m]) / 1.0, 0.0, 1.0)
    swing = 1.0 + 0.45 * np.sin(2 * np.pi * 0.7 * t[m] + rng.uniform(0, 6)) * ramp
    x[ch, m] += 4.0 * floor_uv * ramp * swing * rng.standard_normal(int(m.sum()))


def _both_legs(seed: int, lag_s: float) -> tuple[np.ndarray, float]:
    """A minute of rest, then a weak cramp on the left leg and, ``lag_s`` later, on the right."""
    fs = 1000.0
    t, x, rng = scene(fs=fs, duration_s=110.0, n_channels=2, seed=seed, rest_uv=REST_UV)
    _weak(x, t, rng, 0, ONSET, 110.0)
    _weak(x, t, rng, 1, ONSET + lag_s, 110.0)
    return x, fs


def _cramps(x, fs, block: int = 2000, **changes) -> list:
    s = profile_settings("night").replace(**changes)
    return [
        e for e in detect_array(x, fs, UV, "night", block=block, settings=s)[0] if e.kind == "cramp"
    ]


@pytest.mark.parametrize(("seed", "lag_s"), [(1, 0.0), (2, 1.5)])
def test_a_weak_cramp_of_both_legs_at_once_alerts_both_on_the_weak_path(seed, lag_s):
    """Both legs rise from rest within seconds and neither returns to its floor: each is
    alerted on the weak path within 10 s of its onset, at any block size. Without
    ``weak_both_s`` each leg holds the other back ("another leg elevated") and neither is
    alerted within 10 s."""
    x, fs = _both_legs(seed, lag_s)
    events = _cramps(x, fs)
    for block in (137, 20):
        assert _cramps(x, fs, block=block) == events
    for ch, onset in (("ch0", ONSET), ("ch1", ONSET + lag_s)):
        mine = [e for e in events if e.channel == ch]
        assert mine and onset + 7.0 <= mine[0].alert_s <= onset + 10.0
        assert mine[0].detail["path"] == "weak"
    late = _cramps(x, fs, weak_both_s=0.0)
    assert not [e for e in late if e.alert_s <= ONSET + lag_s + 10.0]


@pytest.mark.parametrize("seed", [1, 2])
def test_a_weak_contraction_while_the_other_leg_moves_in_bursts_is_still_held_back(seed):
    """The left leg held weakly from 60 s; the right leg moves over the same time in bursts of
    the same size, 1-3 s long, back at its floor for 0.7-1.5 s between them (turning over,
    restless legs): that leg is not cramping, and the weak path still waits for it."""
    fs = 1000.0
    t, x, rng = scene(fs=fs, duration_s=110.0, n_channels=2, seed=seed, rest_uv=REST_UV)
    _weak(x, t, rng, 0, ONSET, 110.0)
    a = ONSET
    while a < 105.0:
        d = rng.uniform(1.0, 3.0)
        _weak(x, t, rng, 1, a, a + d)
        a += d + rng.uniform(0.7, 1.5)
    assert not [e for e in _cramps(x, fs) if e.channel == "ch0" and e.detail["path"] == "weak"]
