"""(onsetdip, session 18) The onset an event reports may start at a dip before a slow rise (a
relaxation after a prodrome or an effort), without changing the onset the detector's rules read
(the confidence's rise features, the recurrence watch): same alerts, same confidence, and the
same reported onset for any block cut."""

from __future__ import annotations

import numpy as np
import pytest
from synth import add_burst, assert_cut_invariant, cramp_events, emg_noise, scene

from crampdetect.core import Representation
from crampdetect.detect.onset import place_onset

FR = 20.0  # frames per s
NAN = float("nan")
FS = 500.0
CHANNELS = ("left", "right")
REP = Representation("raw", "uV")
DIP = (2.0, 5.0, 1.25)  # dip_back_s, dip_rest_s, dip_plateau_s


def _cramp(t: np.ndarray, onset_s: float, rise_s: float, rng) -> np.ndarray:
    """A cramp's envelope: a cosine rise from ``onset_s`` over ``rise_s``, waxing and waning."""
    ramp = np.clip((t - onset_s) / rise_s, 0.0, 1.0)
    wax = 1.0 + 0.35 * np.sin(2 * np.pi * 0.3 * t) + 0.1 * rng.standard_normal(t.size)
    return 400.0 * 0.5 * (1 - np.cos(np.pi * ramp)) * wax


def _prodrome_envelope(seed: int, rise_s: float, onset_s: float = 45.0):
    rng = np.random.default_rng(seed)
    t = np.arange(round(60 * FR)) / FR
    rest = 8.0 * (1 + 0.1 * rng.standard_normal(t.size))
    prodrome = np.where((t > 10.0) & (t < onset_s), 30.0 * (1 + 0.2 * rng.random(t.size)), 0.0)
    return rest + prodrome + 0.3 * _cramp(t, onset_s, rise_s, rng)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("rise_s", [3.0, 4.0, 5.0])
def test_a_slow_rise_out_of_the_dip_after_a_prodrome_is_reported_at_the_dip(seed, rise_s):
    """The raised resting activity of a prodrome stops as the cramp begins and the envelope
    dips before the cramp's slow rise shows: the rest before the rise is the dip, not the
    prodrome's level (measured against that, the foot comes up to 1.3 s up the rise). The same
    whatever history is kept and whatever follows the alert. Without the dip rule (the onset
    the rules read) the foot is found against the prodrome."""
    onset_s = 45.0
    fast = _prodrome_envelope(seed, rise_s, onset_s)
    alert = round((onset_s + rise_s + 1.0) * FR)
    run_start = round(12.0 * FR)  # the run began within the prodrome
    got, plain = set(), set()
    for first_s in (0.0, 5.0, 15.0):
        for after_s in (0.0, 5.0):
            a, b = round(first_s * FR), alert + 1 + round(after_s * FR)
            args = (fast[a:b], np.zeros(b - a), a, alert, run_start, FR, 12.0, NAN, None)
            got.add(place_onset(*args, *DIP))
            plain.add(place_onset(*args))
    assert len(got) == 1 and len(plain) == 1
    assert abs(got.pop() / FR - onset_s) <= 0.5
    assert plain.pop() / FR - onset_s > 0.0  # the foot against the prodrome: later


@pytest.mark.parametrize("seed", range(3))
def test_a_fast_rise_from_a_level_above_an_earlier_trough_keeps_its_step(seed):
    """Standing after a hold: a brief trough, then the standing level a little higher, then the
    cramp's fast rise. The rest before the rise is that standing level; the trough is not taken
    for it (the foot stood at the rise's foot)."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(40 * FR)) / FR
    onset_s = 25.0
    hold = np.where((t > 15.0) & (t < onset_s - 3.0), 400.0, 0.0)
    standing = np.where((t > onset_s - 3.0) & (t < onset_s - 2.0), 40.0, 55.0)
    fast = standing * (1 + 0.08 * rng.standard_normal(t.size)) + hold
    fast = fast + _cramp(t, onset_s, 0.4, rng) * 5.0
    alert = round((onset_s + 3.0) * FR)
    args = (fast, np.zeros_like(fast), 0, alert, round(onset_s * FR), FR, 12.0, NAN, None)
    assert abs(place_onset(*args, *DIP) / FR - onset_s) <= 0.3


def _cosine_cramp(x, t, rng, ch, onset_s, rise_s, stop_s, amp_uv):
    """A cramp on channel ``ch``: a raised-cosine rise from ``onset_s`` over ``rise_s`` (the
    generators' shape: its first part is under the noise), up to ``stop_s``."""
    m = (t >= onset_s) & (t < stop_s)
    u = np.clip((t[m] - onset_s) / rise_s, 0.0, 1.0)
    x[ch, m] += amp_uv * 0.5 * (1 - np.cos(np.pi * u)) * emg_noise(int(m.sum()), FS, rng)
    return x


def _night_prodrome(seed: int, rise_s: float) -> np.ndarray:
    """Night: a prodrome (raised resting activity) on the left leg that stops as a cramp with
    a slow rise begins at 45 s."""
    t, x, rng = scene(fs=FS, duration_s=80.0, n_channels=2, seed=seed)
    add_burst(x, t, FS, rng, 0, 15.0, 45.0, 40.0, ramp_s=5.0)
    return _cosine_cramp(x, t, rng, 0, 45.0, rise_s, 75.0, 300.0)


def _training_after_hold(seed: int, rise_s: float) -> np.ndarray:
    """Training: movements of both legs (the activity reference), a hold of the left leg up to
    40 s, then a cramp of the same leg with a slow rise from 40.5 s."""
    t, x, rng = scene(fs=FS, duration_s=80.0, n_channels=2, seed=seed)
    for ch in (0, 1):
        for b in (4.0, 10.0, 16.0):
            add_burst(x, t, FS, rng, ch, b + ch, b + ch + 1.0, 300.0)
    add_burst(x, t, FS, rng, 0, 30.0, 40.0, 60.0, ramp_s=0.5)
    return _cosine_cramp(x, t, rng, 0, 40.5, rise_s, 70.0, 300.0)


SCENES = [("night", _night_prodrome, 45.0), ("training", _training_after_hold, 40.5)]


@pytest.mark.parametrize(("profile", "build", "onset_s"), SCENES)
@pytest.mark.parametrize("seed", [0, 2])
def test_the_reported_onset_after_a_prodrome_or_an_effort_is_the_same_for_any_block_cut(
    profile, build, onset_s, seed
):
    x = build(seed, 3.0)
    assert_cut_invariant(x, FS, CHANNELS, REP, profile, steps_s=(0.02, 0.37, 2.9))
    (ev,) = cramp_events(x, FS, CHANNELS, REP, profile)
    assert ev.channel == "left" and abs(ev.onset_s - onset_s) <= 0.5


@pytest.mark.parametrize(("profile", "build", "onset_s"), SCENES)
@pytest.mark.parametrize("seed", [0, 2])
def test_the_dip_rule_changes_no_alert_and_no_confidence(profile, build, onset_s, seed):
    """The rules and the confidence read the onset they were fitted with, whatever the dip rule
    reports."""
    x = build(seed, 3.0)
    on = cramp_events(x, FS, CHANNELS, REP, profile)
    off = cramp_events(x, FS, CHANNELS, REP, profile, onset_dip_back_s=0.0)
    assert on and [(e.channel, e.alert_s, e.confidence, e.kind) for e in on] == [
        (e.channel, e.alert_s, e.confidence, e.kind) for e in off
    ]


@pytest.mark.parametrize("seed", [0, 2])
def test_a_rise_from_a_plateau_after_a_trough_keeps_its_foot(seed):
    """Standing: a trough of 0.75 s, then a plateau under the standing level for 2 s, then the
    cramp's fast rise. The cramp rose from the plateau, not out of the trough: the onset stays
    at the foot (with the change point allowed 3 s back and no plateau test, it came 2 s
    early)."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(40 * FR)) / FR
    onset_s = 25.0
    trough = (t > onset_s - 2.75) & (t <= onset_s - 2.0)
    level = np.where(trough, 12.0, np.where(t > onset_s - 2.0, 35.0, 60.0))
    fast = level * (1 + 0.08 * rng.standard_normal(t.size)) + 0.8 * _cramp(t, onset_s, 0.8, rng)
    alert = round((onset_s + 3.0) * FR)
    args = (fast, np.zeros_like(fast), 0, alert, round(onset_s * FR), FR, 12.0, NAN, None)
    k = place_onset(*args, 3.0, 0.0, 1.25)
    assert abs(k / FR - onset_s) <= 0.3
    assert k == place_onset(*args) == place_onset(*args, *DIP)


@pytest.mark.parametrize("seed", range(3))
def test_a_trough_like_those_before_it_is_no_rest(seed):
    """Standing with troughs every 2.5 s (sway, or strides' swing phases): the last one before
    a slow rise is no relaxation, so the onset is not taken back to it."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(40 * FR)) / FR
    onset_s = 25.0
    troughs = (np.mod(t - 0.8, 2.5) < 0.6) & (t < onset_s - 0.2)
    standing = np.where(troughs, 15.0, 60.0 * (1 + 0.08 * rng.standard_normal(t.size)))
    fast = standing + 0.5 * _cramp(t, onset_s, 3.0, rng)
    alert = round((onset_s + 4.0) * FR)
    args = (fast, np.zeros_like(fast), 0, alert, round(onset_s * FR), FR, 12.0, NAN, None)
    assert place_onset(*args, *DIP) == place_onset(*args)
