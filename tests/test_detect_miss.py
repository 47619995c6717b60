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


def _assert_left_alone_alerted(
    x: np.ndarray, fs: float, window_s: tuple[float, float], blocks: tuple[int, ...], **off
) -> None:
    """At night the left leg (ch0) alone is alerted within ``window_s`` (s), with the same
    events for every block size in ``blocks``; with the settings ``off`` it is not alerted by
    the window's end."""
    uv = Representation("raw", "uV", None)
    events, _ = detect_array(x, fs, uv, "night")
    for block in blocks:
        assert detect_array(x, fs, uv, "night", block=block)[0] == events
    left = [e for e in events if e.kind == "cramp" and e.channel == "ch0"]
    assert left and window_s[0] <= left[0].alert_s <= window_s[1]
    assert not [e for e in events if e.kind == "cramp" and e.channel == "ch1"]
    held = profile_settings("night").replace(**off)
    events, _ = detect_array(x, fs, uv, "night", settings=held)
    assert not [
        e for e in events if e.kind == "cramp" and e.channel == "ch0" and e.alert_s <= window_s[1]
    ]


def _turnover_scene(
    seed: int,
    duration_s: float,
    turn: tuple[float, float],
    turn_uv: tuple[float, float],
    left: tuple[float, float],
    left_ramp_s: float,
) -> tuple[np.ndarray, float]:
    """Night, 1 kHz, two legs: turning over over ``turn`` (s), the right leg in bursts of
    1-3 s at ``turn_uv`` (µV) with pauses of 0.05-0.3 s; the left leg up at 300 µV, waxing
    and waning, over ``left`` (s)."""
    fs = 1000.0
    t, x, rng = scene(fs=fs, duration_s=duration_s, n_channels=2, seed=seed)
    a, end = turn
    while a < end:
        d = rng.uniform(1.0, 3.0)
        add_burst(x, t, fs, rng, 1, a, min(a + d, end), rng.uniform(*turn_uv), ramp_s=0.1)
        a += d + rng.uniform(0.05, 0.3)
    add_burst(x, t, fs, rng, 0, *left, 300.0, ramp_s=left_ramp_s, irregular=0.4)
    return x, fs


def _turnover_into_cramp(seed: int) -> tuple[np.ndarray, float]:
    """Both legs active while turning over from 28 s until the right leg rests at 44 s; the
    left leg stays up: a cramp."""
    return _turnover_scene(seed, 120.0, (28.0, 44.0), (200, 400), (28.0, 100.0), 0.5)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_turnover_that_runs_into_a_cramp_on_one_leg_alerts_in_time_at_night(seed):
    x, fs = _turnover_into_cramp(seed)
    # Where the other leg last rose is carried across blocks: any block size, the same events.
    # Without the waiver the bilateral test holds the same cramp back.
    _assert_left_alone_alerted(x, fs, (44.0, 54.0), (137, 20), bilateral_clear_s=1e6)


def _weak_scene(
    seed: int, both_legs: bool = False, rest_uv: float = 20.0
) -> tuple[np.ndarray, float, float]:
    """A minute of rest on a floor of ``rest_uv`` µV RMS (20: a 10-bit ADC's quantization
    noise), then a weak cramp on the left leg (~4.5x that floor) whose waxing and waning takes
    its 100 ms envelope below ``off_ratio`` again and again, but never back to the floor;
    with ``both_legs`` the right leg does the same."""
    fs = 1000.0
    t, x, rng = scene(fs=fs, duration_s=110.0, n_channels=2, seed=seed, rest_uv=rest_uv)
    onset = 60.0
    for ch in (0, 1) if both_legs else (0,):
        m = t >= onset
        ramp = np.clip((t[m] - onset) / 1.0, 0.0, 1.0)
        swing = 1.0 + 0.45 * np.sin(2 * np.pi * 0.7 * t[m] + rng.uniform(0, 6)) * ramp
        x[ch, m] += 4.0 * rest_uv * ramp * swing * rng.standard_normal(int(m.sum()))
    return x, fs, onset


@pytest.mark.parametrize("seed", [1, 2])
def test_a_weak_cramp_that_never_returns_to_rest_alerts_on_the_weak_path_at_night(seed):
    x, fs, onset = _weak_scene(seed)
    uv = Representation("raw", "uV", None)
    events, _ = detect_array(x, fs, uv, "night")
    for block in (137, 20):
        assert detect_array(x, fs, uv, "night", block=block)[0] == events
    cramps = [e for e in events if e.kind == "cramp"]
    assert cramps and all(e.channel == "ch0" for e in cramps)
    assert onset + 7.0 <= cramps[0].alert_s <= onset + 10.0
    assert cramps[0].detail["path"] == "weak"
    assert abs(cramps[0].onset_s - onset) <= 1.0
    # Without the weak path no other path takes it.
    off = profile_settings("night").replace(weak_s=0.0)
    assert not [e for e in detect_array(x, fs, uv, "night", settings=off)[0] if e.kind == "cramp"]


@pytest.mark.parametrize(
    ("both_legs", "rest_uv"),
    [(False, 5.0)],
    ids=["a-few-uV-over-a-clean-floor"],
)
def test_weak_contractions_that_are_no_cramp_are_not_taken_by_the_weak_path(both_legs, rest_uv):
    """Over a clean 5 µV floor the same rise to ~4.5x is ~20 µV, under ``weak_min_uv``: the
    weak path's upper tier does not take it. (nightmiss, session 12: the same weak contraction
    held on both legs at once, the case this test also had, is a cramp of both legs and
    alerted, ``tests/test_detect_both_legs.py``; the other leg moving in bursts still holds it
    back.) (nightweak, session 20: its lower tier, ``weak_low_uv``, takes it where it rose out
    of a still rest, and a prodrome's creep it does not: ``tests/test_detect_nightweak.py``.)"""
    x, fs, _ = _weak_scene(1, both_legs=both_legs, rest_uv=rest_uv)
    upper = profile_settings("night").replace(weak_low_uv=0.0)
    events, _ = detect_array(x, fs, Representation("raw", "uV", None), "night", settings=upper)
    assert not [e for e in events if e.kind == "cramp" and e.detail.get("path") == "weak"]


@pytest.mark.parametrize("seed", [1, 2])
def test_a_prodrome_that_creeps_up_over_tens_of_seconds_is_not_alerted(seed):
    """Over a 20 µV floor, EMG rising slowly to 6x that over 30 s and staying there 20 s (a
    prodrome without its cramp): continuous, as high as a weak cramp and waxing and waning,
    but not from rest within ``weak_rest_s``."""
    fs = 1000.0
    t, x, rng = scene(fs=fs, duration_s=120.0, n_channels=2, seed=seed, rest_uv=20.0)
    m = (t >= 50.0) & (t < 100.0)
    rise = np.clip((t[m] - 50.0) / 30.0, 0.0, 1.0)
    swing = 1.0 + 0.45 * np.sin(2 * np.pi * 0.7 * t[m])  # not a flat plateau either
    x[0, m] += 20.0 * np.sqrt(35.0) * rise * swing * rng.standard_normal(int(m.sum()))
    events, _ = detect_array(x, fs, Representation("raw", "uV", None), "night")
    assert not [e for e in events if e.kind == "cramp"]


# nightmiss: a cramp that goes on after turning over
def _turnover_then_one_leg_held(seed: int) -> tuple[np.ndarray, float]:
    """Both legs turn over strongly from 28 s to 43 s (bursts with short pauses); the right
    leg then rests, the left one stays contracted, weaker than its turnover bursts but
    without relaxing, until 100 s: a cramp that goes on after the turnover."""
    fs = 1000.0
    t, x, rng = scene(fs=fs, duration_s=120.0, n_channels=2, seed=seed)
    for ch in (0, 1):
        a = 28.0
        while a < 43.0:
            d = rng.uniform(1.0, 3.0)
            add_burst(x, t, fs, rng, ch, a, min(a + d, 43.0), rng.uniform(800, 1200), ramp_s=0.1)
            a += d + rng.uniform(0.05, 0.3)
    add_burst(x, t, fs, rng, 0, 43.0, 100.0, 250.0, ramp_s=0.3, irregular=0.3)
    return x, fs


@pytest.mark.parametrize("seed", [1])
def test_a_leg_still_contracted_after_a_turnover_is_judged_from_its_rest(seed):
    """The turnover before the run is not the level the cramp must rise above: once the
    other leg has rested for ``turn_quiet_s`` the left leg alerts within 10 s of the
    turnover's end; without the waiver the rise test holds it back."""
    x, fs = _turnover_then_one_leg_held(seed)
    # The other legs' rest is read from the history: any block size, the same events.
    _assert_left_alone_alerted(x, fs, (43.0, 53.0), (137,), turn_quiet_s=0.0)


# turnfa: turning over moves both legs
def _one_leg_up_inside_a_turnover(seed: int) -> tuple[np.ndarray, float]:
    """Turning over from 26 s to 46 s, the right leg in bursts throughout; the left leg up from
    30 s to 38.5 s (shorter than the slow path's 9 s), then back at rest."""
    return _turnover_scene(seed, 70.0, (26.0, 46.0), (30, 130), (30.0, 38.5), 1.0)


def _held_at_night(x, fs, **off):
    """Assert that ``x`` (µV) raises no cramp at night, whatever the block size (the other
    leg is read from the history), and return the left leg's cramps with ``off`` changed."""
    uv = Representation("raw", "uV", None)
    events, _ = detect_array(x, fs, uv, "night")
    assert detect_array(x, fs, uv, "night", block=137)[0] == events
    assert not [e for e in events if e.kind == "cramp"]
    events, _ = detect_array(x, fs, uv, "night", settings=profile_settings("night").replace(**off))
    return [e for e in events if e.kind == "cramp" and e.channel == "ch0"]


@pytest.mark.parametrize("seed", [1, 3])
def test_one_leg_up_while_the_other_is_up_too_takes_no_early_path_at_night(seed):
    """The other leg has been up for most of the last ``turn_other_s``: a turnover, not a
    cramp; the early paths wait (the run ends before the slow path's 9 s). Without the rule
    the left leg alerts on an early path."""
    x, fs = _one_leg_up_inside_a_turnover(seed)
    assert _held_at_night(x, fs, turn_other_s=0.0)


@pytest.mark.parametrize("seed", [0])
def test_a_cramp_while_the_other_leg_cramps_still_takes_the_early_paths(seed):
    """The right leg cramps from 30 s (alerted), the left one from 45 s: a leg in a raised
    cramp is not turning over, so the left leg still alerts on an early path, before the
    slow path's 9 s."""
    fs = 1000.0
    t, x, rng = scene(fs=fs, duration_s=90.0, n_channels=2, seed=seed)
    add_burst(x, t, fs, rng, 1, 30.0, 80.0, 300.0, ramp_s=1.0, irregular=0.4)
    add_burst(x, t, fs, rng, 0, 45.0, 80.0, 300.0, ramp_s=1.0, irregular=0.4)
    uv = Representation("raw", "uV", None)
    events, _ = detect_array(x, fs, uv, "night")
    # Where the other leg's raised cramp begins, parts are cut: any block size, the same events.
    assert detect_array(x, fs, uv, "night", block=137)[0] == events
    right = [e for e in events if e.kind == "cramp" and e.channel == "ch1"]
    left = [e for e in events if e.kind == "cramp" and e.channel == "ch0"]
    assert right and right[0].alert_s < 45.0
    assert left and left[0].alert_s < 45.0 + 8.0
    assert left[0].detail["path"] in ("fast", "quiet")


@pytest.mark.parametrize("seed", [0])
def test_a_cramp_while_the_other_leg_relaxes_after_its_cramp_takes_the_early_paths(seed):
    """nightmove: the right leg cramps from 30 s (alerted) and relaxes to a tail of ~8x rest
    until 69 s; the detector ends its cramp at ~30 % of its level, before the tail is over.
    The left leg cramps from 64 s: the other leg relaxing after its cramp is not turning
    over, so the left leg alerts on an early path within 6 s. Without ``turn_decay_s`` (and
    ``turn_other_rise``, turnwin: the tail is no higher than that leg's cramp over the 25 s
    before the run) the tail counts as the other leg up and the early paths wait."""
    fs = 1000.0
    t, x, rng = scene(fs=fs, duration_s=100.0, n_channels=2, seed=seed)
    add_burst(x, t, fs, rng, 1, 30.0, 58.0, 300.0, ramp_s=1.0, irregular=0.4)
    add_burst(x, t, fs, rng, 1, 57.0, 69.0, 40.0, ramp_s=0.5)
    add_burst(x, t, fs, rng, 0, 64.0, 95.0, 300.0, ramp_s=1.0, irregular=0.4)
    uv = Representation("raw", "uV", None)
    events, _ = detect_array(x, fs, uv, "night")
    # Where the other leg's raised cramp ends, parts are cut: any block size, the same events.
    assert detect_array(x, fs, uv, "night", block=137)[0] == events
    left = [e for e in events if e.kind == "cramp" and e.channel == "ch0"]
    assert left and left[0].alert_s <= 64.0 + 6.0
    assert left[0].detail["path"] in ("fast", "quiet")
    off = profile_settings("night").replace(turn_decay_s=0.0, turn_other_rise=0.0)
    events, _ = detect_array(x, fs, uv, "night", settings=off)
    assert not [e for e in events if e.kind == "cramp" and e.channel == "ch0" and e.alert_s <= 70.0]


@pytest.mark.parametrize("seed", [1])
def test_one_leg_up_through_a_turnover_takes_no_slow_path_at_night(seed):
    """nightmove: turning over from 26 s to 50 s, the right leg in strong bursts (20-60x
    rest) with pauses; the left leg up from 30 s to 45 s, longer than the slow path's 9 s.
    The other leg moves strongly and relaxes between bursts: a turnover, not a cramp, so the
    slow path waits too. Without ``turn_slow_s`` the left leg alerts by 40 s."""
    x, fs = _turnover_scene(seed, 80.0, (26.0, 50.0), (100, 300), (30.0, 45.0), 1.0)
    assert [e for e in _held_at_night(x, fs, turn_slow_s=0.0) if e.alert_s <= 40.0]


# nightfa: a leg bursting from rest is turning over, not cramping
@pytest.mark.parametrize("seed", [1])
def test_one_leg_up_while_the_other_bursts_from_rest_takes_no_slow_path_at_night(seed):
    """Turning over from 29.5 s to 50 s, both legs at once: the right leg in short strong
    bursts (0.6-1.2 s at 100-300 µV; a leg movement lasts >= 0.5 s) back at rest for 1.5-3 s
    between them, the left leg up from 30 s to 45 s. Over the hold test's context the right
    leg is mostly at rest, so its lowest point is near its recent median: without
    ``turn_firm_ratio`` it passes for a cramp of both legs and the left leg takes the slow
    path by 40 s."""
    fs = 1000.0
    t, x, rng = scene(fs=fs, duration_s=80.0, n_channels=2, seed=seed)
    a = 29.5
    while a < 50.0:
        d = rng.uniform(0.6, 1.2)
        add_burst(x, t, fs, rng, 1, a, a + d, rng.uniform(100, 300), ramp_s=0.1)
        a += d + rng.uniform(1.5, 3.0)
    add_burst(x, t, fs, rng, 0, 30.0, 45.0, 300.0, ramp_s=1.0, irregular=0.4)
    assert [e for e in _held_at_night(x, fs, turn_firm_ratio=0.0) if e.alert_s <= 40.0]


@pytest.mark.parametrize("seed", [0])
def test_a_cramp_while_the_other_leg_moves_after_it_began_still_alerts_in_time(seed):
    """The left leg cramps from 30 s; 3 s later the woken sleeper moves the right leg for
    3 s (a burst that ends). Turning over moves both legs at once: a leg that began moving
    only after the cramp is not taken for a turnover, so the slow path is not held for it
    (with ``turn_with_s`` 5 s it is: the alert comes later)."""
    fs = 1000.0
    t, x, rng = scene(fs=fs, duration_s=90.0, n_channels=2, seed=seed)
    add_burst(x, t, fs, rng, 0, 30.0, 85.0, 300.0, ramp_s=1.0)
    add_burst(x, t, fs, rng, 1, 33.0, 36.0, 200.0, ramp_s=0.1)
    uv = Representation("raw", "uV", None)

    def left(**off):
        settings = profile_settings("night").replace(**off)
        events, _ = detect_array(x, fs, uv, "night", settings=settings)
        return [e.alert_s for e in events if e.kind == "cramp" and e.channel == "ch0"]

    now, wide = left(), left(turn_with_s=5.0)
    assert now and now[0] <= 30.0 + 10.0
    assert not wide or wide[0] > now[0]
