"""Onset placement: the rise to the cramp, not the prodrome, movement or gait before it."""

from __future__ import annotations

import numpy as np
import pytest

from crampdetect.detect.onset import place_onset

FR = 20.0  # frames per s
NAN = float("nan")


def _cramp(t: np.ndarray, onset_s: float, rise_s: float, rng) -> np.ndarray:
    """A cramp's envelope: a cosine rise from ``onset_s`` over ``rise_s``, waxing and waning."""
    ramp = np.clip((t - onset_s) / rise_s, 0.0, 1.0)
    wax = 1.0 + 0.35 * np.sin(2 * np.pi * 0.3 * t) + 0.1 * rng.standard_normal(t.size)
    return 400.0 * 0.5 * (1 - np.cos(np.pi * ramp)) * wax


@pytest.mark.parametrize("rise_s", [0.3, 1.5, 4.0])
@pytest.mark.parametrize("before", ["rest", "prodrome", "movement", "gait"])
def test_onset_is_the_foot_of_the_cramp_rise(before, rise_s):
    rng = np.random.default_rng(7)
    t = np.arange(round(40 * FR)) / FR
    onset_s = 25.0
    rest = 8.0 * (1 + 0.1 * rng.standard_normal(t.size))
    prior = {
        "rest": 0.0 * t,
        "prodrome": np.where(t < onset_s, 40.0 * np.clip((t - 5.0) / 15.0, 0, 1), 0.0),
        "movement": np.where((t > onset_s - 3.5) & (t < onset_s - 1.0), 250.0, 0.0),
        "gait": np.where(
            (t > 10.0) & (t < onset_s) & (np.sin(2 * np.pi * t / 0.7) > -0.3), 300.0, 0.0
        ),
    }[before]
    fast = np.maximum(rest + prior, 1e-3) + _cramp(t, onset_s, rise_s, rng)
    alert = round((onset_s + rise_s + 3.0) * FR)
    # The run began once the envelope was up: within the prodrome or the gait, or at the cramp.
    run_start = {"rest": onset_s, "prodrome": 12.0, "movement": onset_s - 3.5, "gait": 10.0}[before]
    k = place_onset(fast, np.zeros_like(fast), 0, alert, round(run_start * FR), FR, 12.0, NAN)
    assert abs(k / FR - onset_s) <= max(0.5, 0.35 * rise_s)


def test_onset_stays_within_the_lookback_and_before_the_alert():
    fast = np.full(600, 300.0)  # up all along: no rise to find
    k = place_onset(fast, np.zeros(600), 100, 650, -1, FR, 5.0, NAN)
    assert 650 - round(5.0 * FR) <= k <= 650


def test_tkeo_moves_the_onset_back_at_most_half_a_second():
    t = np.arange(800) / FR
    fast = np.where(t >= 20.0, 300.0, 5.0)
    tkeo = np.where(t >= 17.0, 1e6, 1.0)  # motor-unit activity long before the envelope
    k0 = place_onset(fast, tkeo, 0, round(25 * FR), round(20 * FR), FR, 12.0, NAN)
    k = place_onset(fast, tkeo, 0, round(25 * FR), round(20 * FR), FR, 12.0, 10.0)
    assert abs(k0 - round(20.0 * FR)) <= 1  # the step's foot, from the envelope alone
    assert k == k0 - round(0.5 * FR)


@pytest.mark.parametrize("seed", range(5))
def test_a_slow_rise_out_of_the_dip_after_a_hold_starts_at_the_dip(seed):
    """(onset) The first part of a slow rise is under the noise, so its foot comes late; the
    onset is where the envelope stopped falling after the hold."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(40 * FR)) / FR
    onset_s, rise_s = 25.0, 3.0
    end = onset_s - 1.5  # the hold ends, the level falls back to rest within about a second
    hold = np.where((t > 15.0) & (t < end), 300.0, 0.0)
    relax = 300.0 * np.exp(-np.clip(t - end, 0, None) / 0.2) * (t >= end)
    rest = 8.0 * (1 + 0.1 * rng.standard_normal(t.size))
    fast = rest + hold + relax + _cramp(t, onset_s, rise_s, rng)
    alert = round((onset_s + rise_s + 3.0) * FR)
    run_start = round((onset_s + 1.0) * FR)
    k = place_onset(fast, np.zeros_like(fast), 0, alert, run_start, FR, 12.0, NAN)
    assert abs(k / FR - onset_s) <= 0.3


@pytest.mark.parametrize("seed", range(3))
def test_a_late_alert_finds_the_rise_before_the_lookback(seed):
    """(onset2) Alerted 18 s after a cramp rose from rest (a slow path, after raises): the
    lookback window lies inside the contraction, so the onset is the run's rise, not the
    later swell within the window."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(60 * FR)) / FR
    onset_s = 30.0
    rest = 8.0 * (1 + 0.1 * rng.standard_normal(t.size))
    level = np.where(t >= onset_s, 200.0, 0.0) + np.where(t >= onset_s + 10.0, 220.0, 0.0)
    fast = rest + level * (1 + 0.1 * rng.standard_normal(t.size))
    alert = round((onset_s + 18.0) * FR)
    run_start = round((onset_s + 0.5) * FR)
    k = place_onset(fast, np.zeros_like(fast), 0, alert, run_start, FR, 12.0, NAN)
    assert abs(k / FR - onset_s) <= 0.3


def test_a_rise_within_the_lookback_is_not_taken_back_to_an_earlier_movement():
    """(onset2) A movement (turnover) opens the run, the level drops near rest, then the cramp
    rises within the lookback: the search does not reach back to the movement."""
    t = np.arange(round(60 * FR)) / FR
    fast = 8.0 + np.where((t >= 20.0) & (t < 27.0), 250.0, 0.0) + np.where(t >= 28.0, 300.0, 0.0)
    fast = fast + np.where((t >= 27.0) & (t < 28.0), 12.0, 0.0)
    alert = round(38.0 * FR)  # lookback 12 s: from 26 s, the run began at 20 s
    k = place_onset(fast, np.zeros_like(fast), 0, alert, round(20.0 * FR), FR, 12.0, NAN)
    assert abs(k / FR - 28.0) <= 0.3


def test_a_run_opened_by_both_legs_moving_is_not_searched_back():
    """(onset2) Both legs rose together (a long turnover) and the cramp continued it on one:
    the search keeps to the lookback, not the movement's start."""
    rng = np.random.default_rng(3)
    t = np.arange(round(60 * FR)) / FR
    move = np.where((t >= 20.0) & (t < 34.0), 200.0, 0.0)
    fast = 8.0 + move * (1 + 0.1 * rng.standard_normal(t.size)) + np.where(t >= 32.0, 500.0, 0.0)
    other = 8.0 + move
    alert = round(38.0 * FR)
    # The cramp's step (200 -> 700 µV) stands above the movement: its foot, not the movement's.
    k = place_onset(fast, np.zeros_like(fast), 0, alert, round(20.0 * FR), FR, 12.0, NAN)
    assert abs(k / FR - 20.0) <= 0.5  # one leg alone: searched back to the run's start
    k = place_onset(
        fast, np.zeros_like(fast), 0, alert, round(20.0 * FR), FR, 12.0, NAN, other[None, :]
    )
    assert abs(k / FR - 32.0) <= 0.3


@pytest.mark.parametrize("seed", range(3))
def test_a_late_alert_after_a_turnover_the_cramp_continued_is_searched_back(seed):
    """(onset3) Turning over moved both legs in bursts until the cramp took one of them
    without a relaxation gap; the other leg's last burst fell at the start of the cramp's run,
    and the alert came 22 s later. The other leg up only at the extension's start does not
    keep the search inside the plateau: the onset is the run's start, not a late swell."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(60 * FR)) / FR
    onset_s = 19.5
    bursts = (t >= 12.0) & (np.sin(2 * np.pi * t / 1.5) > 0.0)
    rest = 8.0 * (1 + 0.1 * rng.standard_normal(t.size))
    fast = rest + np.where(bursts & (t < onset_s), 200.0, 0.0) + _cramp(t, onset_s, 0.3, rng)
    other = 8.0 * (1 + 0.1 * rng.standard_normal(t.size)) + np.where(bursts & (t < 20.3), 200.0, 0)
    alert = round((onset_s + 22.0) * FR)
    args = (np.zeros_like(fast), 0, alert, round(onset_s * FR), FR, 12.0, NAN, other[None, :])
    k = place_onset(fast, *args)
    assert abs(k / FR - onset_s) <= 0.5


@pytest.mark.parametrize("other_moves", [False, True])
@pytest.mark.parametrize("seed", range(3))
def test_a_swell_of_a_cramp_up_since_its_run_began_is_not_its_onset(seed, other_moves):
    """(onset3) A cramp stopped the strides: the leg stayed up out of its last stride (the
    run's start) while the other leg stood; 10 s later the cramp swelled and the alert came
    2 s after. The swell is not the onset: the run's start is. When the other leg moved
    through the run as much (a turnover that both legs took), the later rise stays."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(60 * FR)) / FR
    run_s, swell_s = 20.0, 30.0
    strides = (t < run_s) & (np.sin(2 * np.pi * t / 1.1) > 0.0)
    noise = 1 + 0.1 * rng.standard_normal(t.size)
    fast = (8.0 + np.where(strides, 400.0, 0.0) + np.where(t >= run_s, 300.0, 0.0)) * noise
    fast += np.where(t >= swell_s, 200.0, 0.0)
    up = (t >= run_s) & (t < swell_s) if other_moves else t < 0
    other = 8.0 + np.where(strides, 400.0, 0.0) + np.where(t >= run_s, 12.0, 0.0)
    other = other + np.where(up, 300.0, 0.0)
    alert = round((swell_s + 2.0) * FR)
    args = (np.zeros_like(fast), 0, alert, round(run_s * FR), FR, 12.0, NAN, other[None, :])
    k = place_onset(fast, *args)
    assert abs(k / FR - (swell_s if other_moves else run_s)) <= 0.5
    # Chunk invariance: the same onset whatever the history kept (at least 30 s) and the
    # frames after the alert within the block.
    for first in (round(1 * FR), alert - round(30 * FR)):
        tail, o = fast[first:].copy(), other[first:].copy()
        tail[alert - first + 1 :] = rng.uniform(0, 1e4, tail.size - (alert - first + 1))
        args = (np.zeros_like(tail), first, alert, round(run_s * FR), FR, 12.0, NAN, o[None, :])
        assert place_onset(tail, *args) == k


@pytest.mark.parametrize("seed", range(3))
def test_a_cramp_that_drove_the_input_to_its_rail_rose_where_the_block_began(seed):
    """(onset) The chain zeroes the envelope of frames masked as lead-off: the cramp's rise
    pinned the input at its rail and the mask held for 8 s, then the railed level showed and
    the alert came 9 s later. The onset is where the block began, not where it lifted."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(60 * FR)) / FR
    onset_s = 25.0
    fast = 8.0 * (1 + 0.1 * rng.standard_normal(t.size))
    fast[t >= onset_s] = 16000.0
    fast[(t >= onset_s) & (t < onset_s + 8.0)] = 0.0  # blocked
    alert = round((onset_s + 17.0) * FR)
    run_start = round((onset_s + 8.1) * FR)
    k = place_onset(fast, np.zeros_like(fast), 0, alert, run_start, FR, 12.0, NAN)
    assert abs(k / FR - onset_s) <= 0.3


@pytest.mark.parametrize("seed", range(3))
def test_a_blocked_stretch_before_rest_is_not_the_resting_level(seed):
    """(onset) A hold pinned the input (blocked, envelope 0) until a second before the cramp;
    the leg rested in between: the onset is the rise from that rest, not the block's end."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(60 * FR)) / FR
    onset_s = 30.0
    fast = 40.0 * (1 + 0.2 * rng.standard_normal(t.size)) + _cramp(t, onset_s, 0.5, rng)
    fast[(t >= 20.0) & (t < onset_s - 1.0)] = 0.0  # blocked
    alert = round((onset_s + 5.0) * FR)
    run_start = round((onset_s + 0.3) * FR)
    k = place_onset(fast, np.zeros_like(fast), 0, alert, run_start, FR, 12.0, NAN)
    assert abs(k / FR - onset_s) <= 0.3


@pytest.mark.parametrize("block_from_s", [10.0, 29.5])
def test_a_blocked_onset_does_not_depend_on_the_history_kept_or_frames_after_the_alert(
    block_from_s,
):
    """(onset) Chunk invariance: the detector keeps at least 30 s (``RUN_BACK_S``) before
    the alert, more with longer blocks, and frames after the alert within the block; neither
    changes the onset, even when the blocked stretch began near the history's reach."""
    rng = np.random.default_rng(5)
    t = np.arange(round(80 * FR)) / FR
    fast = 8.0 * (1 + 0.1 * rng.standard_normal(t.size))
    alert_s = 70.0
    on = alert_s - block_from_s
    fast[t >= on] = 16000.0
    fast[(t >= on) & (t < on + 8.0)] = 0.0
    alert = round(alert_s * FR)
    onsets = set()
    for first in (0, round(20 * FR), alert - round(30 * FR)):
        for end in (alert + 1, t.size):
            tail = fast[first:end].copy()
            tail[alert - first + 1 :] = rng.uniform(0, 1e4, tail.size - (alert - first + 1))
            args = (np.zeros_like(tail), first, alert, round((on + 8.1) * FR), FR, 12.0, NAN)
            onsets.add(place_onset(tail, *args))
    assert len(onsets) == 1


@pytest.mark.parametrize("before", ["rest", "prodrome", "other_moves"])
@pytest.mark.parametrize("seed", range(3))
def test_a_cramp_up_since_a_run_older_than_the_history_is_placed_at_the_run(seed, before):
    """(onset4) Alerted 35 s after a cramp rose from rest: its run began before the history
    kept (30 s) reaches, so the level before it is out of sight and the split finds the swell
    within the plateau 30 s in; the cramp was up all along, so the onset is the run's start.
    Not when the run opened on a prodrome at a fraction of the cramp's level (the cramp rose
    out of it later) nor when the other leg moved through the run (both legs moving)."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(60 * FR)) / FR
    run_s, rise_s, swell_s = 10.0, 40.0, 40.0
    noise = 1 + 0.1 * rng.standard_normal(t.size)
    if before == "prodrome":  # a prodrome from run_s; the cramp rises at rise_s
        level = np.where(t >= run_s, 60.0, 0.0) + np.where(t >= rise_s, 340.0, 0.0)
    else:  # the cramp rises at run_s and swells at swell_s
        level = np.where(t >= run_s, 300.0, 0.0) + np.where(t >= swell_s, 200.0, 0.0)
    fast = (8.0 + level) * noise
    other = 8.0 * (1 + 0.1 * rng.standard_normal(t.size))
    if before == "other_moves":
        other += np.where((t >= run_s) & (np.sin(2 * np.pi * t / 1.1) > 0.0), 300.0, 0.0)
    alert = round(45.0 * FR)
    run_start = round((run_s + 0.3) * FR)
    want = run_start if before == "rest" else round(rise_s * FR)
    ks = []
    # Chunk invariance: the same onset whatever the history kept (at least 30 s) and the
    # frames after the alert within the block.
    for first in (0, round(5 * FR), alert - round(30 * FR)):
        tail, o = fast[first:].copy(), other[first:].copy()
        tail[alert - first + 1 :] = rng.uniform(0, 1e4, tail.size - (alert - first + 1))
        args = (np.zeros_like(tail), first, alert, run_start, FR, 12.0, NAN, o[None, :])
        ks.append(place_onset(tail, *args))
    assert len(set(ks)) == 1
    assert abs(ks[0] - want) <= round(0.5 * FR)
