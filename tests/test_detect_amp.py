"""Weak cramps of a low-amplitude subject or electrode (part `amp`): judged against the leg's
own movements, not against a fixed µV floor."""

from __future__ import annotations

import numpy as np
from conftest import detect_array
from synth import add_burst, scene

from crampdetect.core import Representation
from crampdetect.detect.settings import profile_settings

UV = Representation("raw", "uV", None)
REST_UV = 3.0  # a clean electrode's floor, µV RMS
ONSET_S = 70.0


def _low_amplitude_night(seed: int, movement_uv: float) -> np.ndarray:
    """Two leg movements of ``movement_uv`` µV on the left leg (20-21.5 s, 40-41 s), then
    from ONSET_S a weak cramp on it at ~7x its 3 µV floor (~21 µV, below the quiet path's
    ``strong_ratio`` and far below ``weak_min_uv``) that waxes and wanes but never returns to
    the floor. fs 1000 Hz, 110 s, two legs."""
    fs = 1000.0
    t, x, rng = scene(fs=fs, duration_s=110.0, n_channels=2, seed=seed, rest_uv=REST_UV)
    add_burst(x, t, fs, rng, 0, 20.0, 21.5, movement_uv, ramp_s=0.1)
    add_burst(x, t, fs, rng, 0, 40.0, 41.0, movement_uv, ramp_s=0.1)
    m = t >= ONSET_S
    ramp = np.clip((t[m] - ONSET_S) / 1.0, 0.0, 1.0)
    swing = 1.0 + 0.4 * np.sin(2 * np.pi * 0.7 * t[m] + rng.uniform(0, 6)) * ramp
    x[0, m] += 7.0 * REST_UV * ramp * swing * rng.standard_normal(int(m.sum()))
    return x


def _cramps(x: np.ndarray, block: int = 2000, **changes: float) -> list:
    settings = profile_settings("night").replace(**changes)
    events, _ = detect_array(x, 1000.0, UV, "night", block=block, settings=settings)
    return [e for e in events if e.kind == "cramp"]


def test_a_weak_cramp_near_the_legs_own_movements_alerts_on_the_weak_path():
    """Its movements stood at 50 µV: the leg's subject or electrode is of low amplitude, and
    a cramp at ~21 µV is ~0.4 of them. Without the relative floor ``weak_min_uv`` (50 µV)
    refuses it and no other path takes it."""
    x = _low_amplitude_night(2, movement_uv=50.0)
    cramps = _cramps(x)
    assert cramps and all(e.channel == "ch0" for e in cramps)
    assert ONSET_S + 7.0 <= cramps[0].alert_s <= ONSET_S + 10.0
    assert cramps[0].detail["path"] == "weak"
    assert cramps[0].detail["level_uv"] < profile_settings("night").weak_min_uv
    # the reference before the rise is read from the history: any block size, same events
    assert [(e.alert_s, e.onset_s) for e in _cramps(x, block=137)] == [
        (e.alert_s, e.onset_s) for e in cramps
    ]
    assert not _cramps(x, weak_ref_fraction=0.0)


def test_the_same_contraction_far_below_the_legs_movements_is_not_alerted():
    """After movements of 250 µV the same ~21 µV contraction is under a tenth of them: a
    prodrome's raised resting tone or a light movement of a loud subject, not a cramp."""
    assert not _cramps(_low_amplitude_night(1, movement_uv=250.0))
