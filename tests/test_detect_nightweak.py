"""Weak night cramps under ``weak_min_uv`` (part nightweak, session 20): the weak path's lower
tier (``weak_low_uv``, ``weak_low_ratio``) takes a weak contraction that rose out of a still
rest (``weak_low_rest``) and waits out one shortly after a leg movement; a prodrome's creep out
of a raised rest is not taken. Part nightweak2: the wait reads leg movements on the tier's own
scale (``weak_low_move``), as a series of weak movements at a 10-bit quantization floor stands."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import detect_array
from synth import add_burst, emg_noise, scene

from crampdetect.core import InputError, Representation
from crampdetect.detect.settings import DetectorSettings, profile_settings

UV = Representation("raw", "uV", None)
COUNTS10 = Representation("raw", "counts", 10)
LSB_UV = 5.0 / 1024 / 200 * 1e6  # one count of a 10-bit 5 V ADC behind a gain of 200 (24 µV)
FS = 1000.0
ONSET = 60.0


def _weak_night(seed: int, creep: bool = False, move_at: float | None = None) -> np.ndarray:
    """Two legs at rest on a clean 5 µV floor; from ``ONSET`` the left leg holds a weak cramp
    (~4x that floor, ~20 µV, waxing and waning) for 50 s. ``creep``: the 20 s before it, the
    left leg's resting EMG creeps up from 1x to 1.7x (a prodrome, under the weak floor);
    ``move_at``: a 3-s leg movement (200 µV) of the left leg at that time (s)."""
    t, x, rng = scene(fs=FS, duration_s=110.0, n_channels=2, seed=seed, rest_uv=5.0)
    if creep:
        m = (t >= ONSET - 20.0) & (t < ONSET)
        r = 1.0 + 0.7 * (t[m] - (ONSET - 20.0)) / 20.0
        x[0, m] += 5.0 * np.sqrt(r**2 - 1.0) * emg_noise(int(m.sum()), FS, rng)
    if move_at is not None:
        m = (t >= move_at) & (t < move_at + 3.0)
        x[0, m] += 200.0 * emg_noise(int(m.sum()), FS, rng)
    m = (t >= ONSET) & (t < ONSET + 50.0)
    ramp = np.clip(t[m] - ONSET, 0.0, 1.0)
    swing = 1.0 + 0.45 * np.sin(2 * np.pi * 0.7 * t[m] + rng.uniform(0, 6)) * ramp
    x[0, m] += 20.0 * ramp * swing * emg_noise(int(m.sum()), FS, rng)
    return x


def _cramps(x: np.ndarray, block: int = 2000, **changes) -> list:
    s = profile_settings("night").replace(**changes)
    events, _ = detect_array(x, FS, UV, "night", block=block, settings=s)
    return [e for e in events if e.kind == "cramp"]


@pytest.mark.parametrize("seed", [1, 2])
def test_a_weak_cramp_out_of_a_still_rest_alerts_within_10_s_at_any_block_size(seed):
    x = _weak_night(seed)
    cramps = _cramps(x)
    assert [e.channel for e in cramps] == ["ch0"]
    assert cramps[0].detail["path"] == "weak"
    assert ONSET + 7.0 <= cramps[0].alert_s <= ONSET + 10.0
    assert abs(cramps[0].onset_s - ONSET) <= 1.0
    for block in (137, 20):
        assert _cramps(x, block=block) == cramps
    # under weak_min_uv (50 µV): without the lower tier no path takes it within a minute
    assert not [e for e in _cramps(x, weak_low_uv=0.0) if e.alert_s <= ONSET + 30.0]


@pytest.mark.parametrize("seed", [1, 2])
def test_the_same_rise_out_of_a_prodromes_creep_is_not_taken(seed):
    """The resting EMG crept up to 1.5-1.7x for seconds before it: the rest it rose from was
    not still (its quietest second over ``weak_rest_s`` above ``weak_low_rest``)."""
    x = _weak_night(seed, creep=True)
    assert not _cramps(x)
    assert not _cramps(x, block=137)
    loose = _cramps(x, weak_low_rest=100.0)
    assert loose and loose[0].detail["path"] == "weak" and loose[0].alert_s <= ONSET + 10.0


@pytest.mark.parametrize("seed", [1, 2])
def test_the_same_rise_shortly_after_a_leg_movement_waits(seed):
    """30 s after a leg movement of the same leg, a weak contraction may be the next movement
    of a series: the lower tier waits until it outlasted one (``series_wait_s``), which a run
    that breaks below ``off_ratio`` never does."""
    x = _weak_night(seed, move_at=30.0)
    assert not [e for e in _cramps(x) if e.channel == "ch0" and e.alert_s >= ONSET]
    loose = [e for e in _cramps(x, series_wait_s=0.0) if e.alert_s >= ONSET]
    assert loose and loose[0].detail["path"] == "weak" and loose[0].alert_s <= ONSET + 10.0


def _weak_series(seed: int) -> np.ndarray:
    """Two legs at rest (8 µV) read by a 10-bit ADC (one count 24 µV: the resting floor is the
    quantization's); the left leg moves every 20 s from 60 s (4-s bursts of ~40 µV, 3-5x that
    floor, never the 6x of a movement), the last time in two overlapping bursts 140-149 s
    (9 s, longer than ``weak_s``), then rests again."""
    t, x, rng = scene(fs=FS, duration_s=200.0, n_channels=2, seed=seed, rest_uv=8.0)
    spans = [(s0, s0 + 4.0) for s0 in (60.0, 80.0, 100.0, 120.0)] + [(140.0, 145.0), (143.5, 149.0)]
    for a, b in spans:
        add_burst(x, t, FS, rng, 0, a, b, 40.0, ramp_s=0.5, irregular=0.3)
    return np.round(512 + x / LSB_UV).clip(0, 1023)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_series_of_weak_leg_movements_at_a_quantized_floor_is_not_taken_at_any_block_size(seed):
    """nightweak2: the series' movements stand over ``weak_floor`` for seconds (a leg
    movement on the tier's scale, ``weak_low_move``), so the last one waits until it outlasted
    one (``series_wait_s``) and ends before; read only at 6x, none of them is a movement and
    the lower tier takes the last one as a weak cramp."""
    x = _weak_series(seed)
    s = profile_settings("night")
    for block in (2000, 137, 20):
        events, _ = detect_array(x, FS, COUNTS10, "night", block=block, settings=s)
        assert not [e for e in events if e.kind == "cramp"], block
    loose, _ = detect_array(x, FS, COUNTS10, "night", settings=s.replace(weak_low_move=0.0))
    loose = [e for e in loose if e.kind == "cramp"]
    assert [(e.channel, e.detail["path"]) for e in loose] == [("ch0", "weak")]
    assert 140.0 < loose[0].alert_s < 149.0


def test_night_settings_of_the_lower_tier():
    night = profile_settings("night")
    assert 0 < night.weak_low_uv < night.weak_min_uv
    assert 1.0 < night.weak_low_ratio <= night.weak_ratio
    assert 1.0 <= night.weak_low_rest < night.weak_floor
    assert 1.0 < night.weak_low_move < night.movement_fraction * night.strong_ratio
    assert profile_settings("night", "env").weak_low_uv == 0
    assert profile_settings("training").weak_low_uv == 0
    with pytest.raises(InputError):
        DetectorSettings(weak_low_ratio=0.5)


def _stream_opens_in_a_creep(seed: int) -> np.ndarray:
    """(holdgate, session 21) A stream that begins at rest (5 µV, two legs) and after 2 s
    the left leg's resting EMG creeps up 1x -> 2x over 6 s (a prodrome's slow rise), then
    stands as a weak contraction (~6x, ~30 µV, waxing and waning) for 40 s."""
    t, x, rng = scene(fs=FS, duration_s=70.0, n_channels=2, seed=seed, rest_uv=5.0)
    m = (t >= 2.0) & (t < 8.0)
    r = 1.0 + (t[m] - 2.0) / 6.0
    x[0, m] += 5.0 * np.sqrt(r**2 - 1.0) * emg_noise(int(m.sum()), FS, rng)
    m = (t >= 8.0) & (t < 48.0)
    level = 2.0 + np.clip(t[m] - 8.0, 0.0, 1.0) * 4.0
    swing = 1.0 + 0.45 * np.sin(2 * np.pi * 0.7 * t[m] + rng.uniform(0, 6))
    x[0, m] += (
        5.0
        * np.sqrt(np.maximum((level * swing) ** 2 - 1.0, 0.0))
        * emg_noise(int(m.sum()), FS, rng)
    )
    return x


@pytest.mark.parametrize("seed", [1, 2])
def test_a_stream_opening_in_a_slow_rise_is_not_taken_by_the_lower_tier(seed):
    """The only rest seen is the stream's first seconds, from which the baseline is learned:
    the start of a stream counts as a movement until ``quiet_start_s`` of rest was seen, so
    the lower tier waits until the run outlasted a leg movement (``series_wait_s``), and by
    then the rest it rose from is out of its window (``weak_rest_s``). No block cut alerts
    it; without the wait the lower tier (and no other path) takes it ~6 s after its rise."""
    x = _stream_opens_in_a_creep(seed)
    for block in (2000, 137, 20):
        assert not _cramps(x, block=block), block
    loose = _cramps(x, series_wait_s=0.0)
    assert [(e.channel, e.detail["path"]) for e in loose] == [("ch0", "weak")]
    assert loose[0].alert_s < 8.0 + 10.0
    assert not _cramps(x, series_wait_s=0.0, weak_low_uv=0.0)
