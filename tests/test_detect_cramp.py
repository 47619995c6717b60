"""The cramp detector on seeded synthetic scenes: cramps found, look-alikes ignored."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import detect_array
from synth import add_burst, scene

from crampdetect.core import Representation

FS = 1000.0
UV = Representation("raw", "uV")


def detect(x, profile="night", fs=FS, rep=UV, channels=None):
    return detect_array(x, fs, rep, profile, channels=channels)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("profile", ["night", "training"])
def test_irregular_cramp_from_rest_is_alerted_fast_with_its_onset(seed, profile):
    t, x, rng = scene(duration_s=90.0, seed=seed)
    onset = 30.0 + seed
    add_burst(x, t, FS, rng, 0, onset, 80.0, 150.0 + 100 * seed, ramp_s=1.0, irregular=0.5)
    events, _ = detect(x, profile)
    cramps = [e for e in events if e.kind == "cramp"]
    assert len(cramps) == 1
    e = cramps[0]
    assert abs(e.onset_s - onset) <= 0.5
    assert e.onset_s <= e.alert_s <= onset + 10.0
    assert e.end_s is not None and abs(e.end_s - 80.0) < 3.0


@pytest.mark.parametrize("seed", range(3))
def test_steady_cramp_is_alerted_within_ten_seconds(seed):
    t, x, rng = scene(duration_s=60.0, seed=seed)
    add_burst(x, t, FS, rng, 0, 20.0, 55.0, 200.0, ramp_s=2.0)
    (e,) = detect(x, "training")[0]
    assert e.alert_s - 20.0 <= 10.0


@pytest.mark.parametrize("seed", range(4))
def test_voluntary_holds_and_calf_raises_are_not_alerted_in_training(seed):
    t, x, rng = scene(duration_s=120.0, seed=seed)
    for k, dur in enumerate([3.0, 5.0, 7.0, 9.0]):
        add_burst(x, t, FS, rng, 0, 5 + 15 * k, 5 + 15 * k + dur, 400.0 + 100 * k, ramp_s=0.4)
    for rep_start in np.arange(70.0, 100.0, 2.5):  # calf raises: 2.5 s per repetition
        add_burst(x, t, FS, rng, 0, rep_start, rep_start + 1.6, 500.0, ramp_s=0.5)
    assert detect(x, "training")[0] == []


@pytest.mark.parametrize("seed", range(3))
def test_running_bursts_above_mvc_are_not_alerted(seed):
    t, x, rng = scene(duration_s=90.0, seed=seed)
    stride = 1 / 1.4
    for s in np.arange(5.0, 85.0, stride):
        add_burst(x, t, FS, rng, 0, s, s + 0.35, 2000.0, ramp_s=0.08)
    assert detect(x, "training")[0] == []


def test_bilateral_turning_over_is_not_alerted_at_night():
    t, x, rng = scene(duration_s=80.0, n_channels=2, seed=3)
    for s in np.arange(20.0, 45.0, 1.3):  # mixed bursts on both legs for 25 s
        add_burst(x, t, FS, rng, 0, s, s + 0.9, 300.0, ramp_s=0.1, irregular=0.6)
        add_burst(x, t, FS, rng, 1, s + 0.4, s + 1.2, 250.0, ramp_s=0.1, irregular=0.6)
    assert detect(x, "night")[0] == []


def test_periodic_leg_movements_are_not_alerted():
    t, x, rng = scene(duration_s=300.0, seed=4)
    for s in np.arange(10.0, 290.0, 25.0):
        add_burst(x, t, FS, rng, 0, s, s + 2.5, 150.0, ramp_s=0.5)
    assert detect(x, "night")[0] == []


def test_cramp_on_one_leg_is_alerted_on_that_channel_only():
    t, x, rng = scene(duration_s=60.0, n_channels=2, seed=5)
    add_burst(x, t, FS, rng, 1, 15.0, 50.0, 300.0, ramp_s=1.0, irregular=0.5)
    events, _ = detect(x, channels=("calf_left", "calf_right"))
    assert [e.channel for e in events] == ["calf_right"]


def test_lead_off_at_the_rail_never_alerts_and_is_flagged():
    rep = Representation("raw", "counts", 10)
    _t, x, _rng = scene(duration_s=60.0, seed=6)
    counts = np.round(512 + x / rep.uv_per_unit).clip(0, 1023)
    counts[0, 20_000:45_000] = 1023
    events, quality = detect(counts, rep=rep)
    assert events == []
    lead = [q for q in quality if q.issue == "lead_off"]
    assert len(lead) == 1 and abs(lead[0].start_s - 20.0) < 1.1 and abs(lead[0].end_s - 45.0) < 1.1
    flagged = sum(q.end_s - q.start_s for q in quality)
    assert flagged < 25.0 + 4.0  # the clean minute around it is not flagged


def test_recurrence_is_labelled_and_watched():
    t, x, rng = scene(duration_s=150.0, seed=8)
    add_burst(x, t, FS, rng, 0, 20.0, 60.0, 300.0, ramp_s=1.0, irregular=0.5)
    add_burst(x, t, FS, rng, 0, 100.0, 140.0, 300.0, ramp_s=1.0, irregular=0.5)
    events, _ = detect(x)
    assert [e.detail["recurrence"] for e in events] == [False, True]


def _detect_with(x, profile="night", **changes):
    from crampdetect.detect.settings import profile_settings

    settings = profile_settings(profile).replace(**changes)
    return detect_array(x, FS, UV, profile, block=3000, settings=settings)[0]


def test_early_warning_on_a_raised_resting_level_before_a_cramp_only_when_enabled():
    t, x, rng = scene(duration_s=150.0, seed=12)
    add_burst(x, t, FS, rng, 0, 60.0, 100.0, 15.0, ramp_s=10.0)  # prodrome: ~3x rest
    add_burst(x, t, FS, rng, 0, 100.0, 140.0, 400.0, ramp_s=1.0, irregular=0.5)
    kinds = [e.kind for e in _detect_with(x, early_warning=True)]
    assert kinds == ["early_warning", "cramp"]
    (warning,) = [e for e in _detect_with(x, early_warning=True) if e.kind == "early_warning"]
    assert 60.0 <= warning.onset_s < warning.alert_s < 100.0
    assert [e.kind for e in _detect_with(x, early_warning=False)] == ["cramp"]


def test_leg_movements_raise_no_early_warning():
    t, x, rng = scene(duration_s=200.0, seed=13)
    for s in np.arange(10.0, 190.0, 20.0):
        add_burst(x, t, FS, rng, 0, s, s + 1.5, 200.0, ramp_s=0.2)
    assert [e for e in _detect_with(x, early_warning=True) if e.kind == "early_warning"] == []


def _night_events(x, channels=None, **changes):
    from crampdetect.detect.settings import profile_settings

    settings = profile_settings("night").replace(**changes)
    return detect_array(x, FS, UV, "night", channels=channels, settings=settings)[0]


@pytest.mark.parametrize("seed", range(3))
def test_steady_cramp_after_rest_seen_since_the_start_is_alerted_early(seed):
    # No movement since the recording began: 70 s of rest seen is enough for the steady path
    # (quiet_start_s); counting the start as a movement makes it wait for moved_fast_s (7 s).
    t, x, rng = scene(duration_s=120.0, seed=seed)
    add_burst(x, t, FS, rng, 0, 70.0, 110.0, 300.0, ramp_s=1.0)
    (e,) = _night_events(x)
    assert e.alert_s - 70.0 <= 6.0
    # (moved_swing off: this build-up would otherwise take the early paths after a movement)
    (late,) = _night_events(x, quiet_start_s=90.0, moved_swing=0.0)
    assert late.alert_s - 70.0 >= 6.5


def test_steady_contraction_at_the_start_of_a_recording_is_not_alerted_early():
    t, x, rng = scene(duration_s=60.0, seed=4)
    add_burst(x, t, FS, rng, 0, 20.0, 50.0, 300.0, ramp_s=1.0)
    (e,) = _night_events(x)
    assert e.alert_s - 20.0 >= 6.5


@pytest.mark.parametrize("seed", range(3))
def test_steady_contraction_while_the_other_leg_moves_is_not_taken_as_quiet(seed):
    t, x, rng = scene(duration_s=130.0, n_channels=2, seed=seed)
    add_burst(x, t, FS, rng, 0, 90.0, 125.0, 300.0, ramp_s=1.0)
    for s in np.arange(90.5, 100.0, 2.0):  # the other leg moves now and then
        add_burst(x, t, FS, rng, 1, s, s + 0.7, 300.0, ramp_s=0.1)
    ch = ("calf_left", "calf_right")
    (e,) = [e for e in _night_events(x, ch) if e.channel == "calf_left"]
    assert e.alert_s - 90.0 >= 8.0
    # Two rules hold it: the run's share with the other leg up, and (turnfa) the other leg up
    # over the last 4 s; with both off it is alerted early.
    off = {"quiet_other_share": 1.0, "turn_other_s": 0.0}
    (early,) = [e for e in _night_events(x, ch, **off) if e.channel == "calf_left"]
    assert early.alert_s - 90.0 <= 6.0
    (held,) = [e for e in _night_events(x, ch, quiet_other_share=1.0) if e.channel == "calf_left"]
    assert held.alert_s - 90.0 >= 8.0


@pytest.mark.parametrize("seed", range(3))
def test_flat_contraction_right_after_a_leg_movement_waits_for_moved_fast_s(seed):
    t, x, rng = scene(duration_s=140.0, seed=seed)
    add_burst(x, t, FS, rng, 0, 80.0, 82.5, 200.0, ramp_s=0.2)  # a leg movement
    add_burst(x, t, FS, rng, 0, 85.0, 130.0, 300.0, ramp_s=0.2)  # reached at once
    (e,) = _night_events(x)
    assert 6.5 <= e.alert_s - 85.0 <= 8.5
    (late,) = _night_events(x, moved_fast_s=12.0)  # only the slow path (slow_s 9 s)
    assert late.alert_s - 85.0 >= 8.5


@pytest.mark.parametrize("seed", range(3))
def test_cramp_building_up_right_after_a_leg_movement_takes_the_early_paths(seed):
    # latency: a contraction that builds up over 2 s after a leg movement and does not relax
    # is a cramp at fast_s (4 s); before moved_swing it waited for moved_fast_s (7 s).
    t, x, rng = scene(duration_s=140.0, seed=seed)
    add_burst(x, t, FS, rng, 0, 80.0, 82.5, 200.0, ramp_s=0.2)  # a leg movement
    add_burst(x, t, FS, rng, 0, 85.0, 130.0, 300.0, ramp_s=2.0)
    (e,) = _night_events(x)
    assert e.alert_s - 85.0 <= 5.0
    (was,) = _night_events(x, moved_swing=0.0)
    assert was.alert_s - 85.0 >= 6.5


def test_night_movement_context_does_not_depend_on_block_cuts():
    # A leg movement, then a cramp on one leg while the other leg moves, 70 s into the stream:
    # the movement context (quiet_start_s, moved_fast_s, quiet_other_share) spans many blocks.
    t, x, rng = scene(duration_s=140.0, n_channels=2, seed=21)
    add_burst(x, t, FS, rng, 0, 70.0, 72.5, 200.0, ramp_s=0.2)
    add_burst(x, t, FS, rng, 0, 75.0, 120.0, 300.0, ramp_s=1.0)
    add_burst(x, t, FS, rng, 1, 76.0, 77.0, 300.0, ramp_s=0.1)
    add_burst(x, t, FS, rng, 1, 100.0, 104.0, 300.0, ramp_s=0.5)
    runs = [detect_array(x, FS, UV, "night", block=b)[0] for b in (137, 2000, 7919, 40000)]
    assert runs[0] and all(r == runs[0] for r in runs)


@pytest.mark.parametrize("seed", range(3))
def test_flat_leg_movement_after_rest_waits_but_a_building_cramp_does_not(seed):
    # Night, minutes of rest seen: a 6 s leg movement reaches its level at once and holds it
    # (a flat plateau): no alert (before plateau_swing it alerted after fast_s, 4 s). A
    # cramp that builds up over 1.5 s is alerted after fast_s as before.
    t, x, rng = scene(duration_s=200.0, seed=seed)
    add_burst(x, t, FS, rng, 0, 80.0, 86.0, 300.0, ramp_s=0.1)
    assert _night_events(x) == []
    (was,) = _night_events(x, plateau_swing=0.0)
    assert was.alert_s - 80.0 <= 5.0
    add_burst(x, t, FS, rng, 0, 180.0, 198.0, 300.0, ramp_s=1.5)
    (e,) = _night_events(x)
    assert e.alert_s - 180.0 <= 5.0


@pytest.mark.parametrize("seed", range(2))
def test_flat_contraction_after_rest_is_alerted_once_it_outlasts_a_leg_movement(seed):
    t, x, rng = scene(duration_s=150.0, seed=seed)
    add_burst(x, t, FS, rng, 0, 100.0, 140.0, 300.0, ramp_s=0.1)
    (e,) = _night_events(x)
    assert 6.5 <= e.alert_s - 100.0 <= 8.0  # moved_fast_s (7 s), before the slow path (9 s)


def _sagging(x, t, rng, start, stop, amp=300.0, sag=0.25, every_s=2.0, sag_s=0.4):
    """A contraction from ``start`` to ``stop`` (s) that sags to ``sag`` x ``amp`` for
    ``sag_s`` every ``every_s`` (bursts the envelope joins into one run: turning over)."""
    add_burst(x, t, FS, rng, 0, start, stop, amp, ramp_s=1.0)
    for s in np.arange(start + 3.0, stop - 0.5, every_s):
        m = (t >= s) & (t < s + sag_s)
        x[0, m] *= sag


@pytest.mark.parametrize("seed", range(3))
def test_a_run_that_keeps_sagging_is_not_alerted_but_one_that_holds_is(seed):
    # Night, minutes of rest seen: an 8.5 s run that sags every 2 s (a turnover's bursts, a
    # leg movement decaying) is not alerted; without the hold test it was, after fast_s.
    t, x, rng = scene(duration_s=240.0, seed=seed)
    _sagging(x, t, rng, 80.0, 88.5)
    assert _night_events(x) == []
    (was,) = _night_events(x, hold_floor=0.0)
    assert was.alert_s - 80.0 <= 5.0
    # A cramp that waxes and wanes without relaxing, 90 s later, is alerted after fast_s.
    add_burst(x, t, FS, rng, 0, 200.0, 238.0, 300.0, ramp_s=1.5, irregular=0.3)
    (e,) = _night_events(x)
    assert e.alert_s - 200.0 <= 5.0


def test_a_sag_delays_the_alert_until_it_has_left_the_hold_window():
    t, x, rng = scene(duration_s=200.0, seed=5)
    add_burst(x, t, FS, rng, 0, 80.0, 120.0, 300.0, ramp_s=1.5)
    m = (t >= 83.0) & (t < 83.4)
    x[0, m] *= 0.25
    (e,) = _night_events(x)
    assert e.alert_s >= 83.4 + 3.0 - 0.3  # hold_s (3 s) after the sag, one smoothing early
    (was,) = _night_events(x, hold_floor=0.0)
    assert was.alert_s - 80.0 <= 5.0


def test_the_hold_test_does_not_depend_on_block_cuts():
    t, x, rng = scene(duration_s=240.0, n_channels=2, seed=7)
    _sagging(x, t, rng, 80.0, 88.5)
    add_burst(x, t, FS, rng, 0, 200.0, 238.0, 300.0, ramp_s=2.5, irregular=0.4)
    add_burst(x, t, FS, rng, 1, 201.0, 203.0, 300.0, ramp_s=0.1)
    runs = [detect_array(x, FS, UV, "night", block=b)[0] for b in (137, 2000, 7919, 40000)]
    assert runs[0] and all(r == runs[0] for r in runs)


def _series(x, t, rng, starts, length_s=2.0):
    for s in starts:  # periodic leg movements (one leg, flat, 2 s each)
        add_burst(x, t, FS, rng, 0, s, s + length_s, 200.0, ramp_s=0.2)


@pytest.mark.parametrize("seed", range(2))
def test_the_next_burst_of_a_periodic_series_waits_past_a_leg_movement(seed):
    # nightmove (session 10): leg movements every 30 s, then one of 8.5 s one period later:
    # the next of the series, not alerted (before series_wait_s it alerted at moved_fast_s,
    # 7 s, 1.5 s before its end).
    t, x, rng = scene(duration_s=170.0, seed=seed)
    _series(x, t, rng, (40.0, 70.0, 100.0))
    add_burst(x, t, FS, rng, 0, 130.0, 138.5, 300.0, ramp_s=0.2)
    assert _night_events(x) == []
    (was,) = _night_events(x, series_wait_s=0.0)
    assert 130.0 < was.alert_s < 138.5
    runs = [detect_array(x, FS, UV, "night", block=b)[0] for b in (137, 2000, 7919, 40000)]
    assert all(r == [] for r in runs)


@pytest.mark.parametrize("seed", range(2))
def test_a_cramp_off_the_period_of_a_series_is_not_held(seed):
    # The same series; a contraction that begins 3 s after the last movement (a cramp after
    # a movement) or a third of a period after it is no next burst: alerted as before.
    for begin in (103.0, 110.0):
        t, x, rng = scene(duration_s=170.0, seed=seed)
        _series(x, t, rng, (40.0, 70.0, 100.0))
        add_burst(x, t, FS, rng, 0, begin, begin + 40.0, 300.0, ramp_s=0.2)
        (e,) = _night_events(x)
        (was,) = _night_events(x, series_wait_s=0.0)
        assert e == was and e.alert_s - begin <= 8.0
    # ... and one period after it, it is alerted once it has outlasted a leg movement
    t, x, rng = scene(duration_s=170.0, seed=seed)
    _series(x, t, rng, (40.0, 70.0, 100.0))
    add_burst(x, t, FS, rng, 0, 130.0, 165.0, 300.0, ramp_s=0.2)
    (e,) = _night_events(x)
    assert 10.0 <= e.alert_s - 130.0 <= 11.5  # series_wait_s (the run starts in the ramp)


@pytest.mark.parametrize("seed", range(2))
def test_a_series_does_not_hold_back_a_cramp_in_its_recurrence_watch(seed):
    # A cramp of 70 s, then leg movements every 30 s, then a second cramp one period after the
    # last of them: within the first cramp's recurrence watch it is not held for
    # series_wait_s (a muscle that has just cramped is prone to cramp again).
    t, x, rng = scene(duration_s=300.0, seed=seed)
    add_burst(x, t, FS, rng, 0, 20.0, 90.0, 300.0, ramp_s=0.5, irregular=0.3)
    _series(x, t, rng, (150.0, 180.0, 210.0))
    add_burst(x, t, FS, rng, 0, 240.0, 280.0, 300.0, ramp_s=0.2)
    first, second = _night_events(x)
    assert first.end_s - first.onset_s >= 60.0 and second.detail["recurrence"]
    assert second.alert_s - 240.0 < 8.0
    # After a shorter event (series_cramp_s above its length) the same run waits.
    (_, later) = _night_events(x, series_cramp_s=600.0)
    assert later.alert_s - 240.0 >= 10.0
