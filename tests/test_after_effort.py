"""(afterhold) Training: a cramp that strikes within ``after_effort_s`` of the end of a hold on
the same leg takes the slow path after ``after_effort_slow_s``, not after ``slow_min_s`` (the
length of a voluntary hold); a hold after a longer pause still waits ``slow_min_s``."""

from __future__ import annotations

import pytest
from synth import add_burst, cramp_events, scene

from crampdetect.core import InputError, Representation
from crampdetect.detect.settings import profile_settings

FS = 500.0
CHANNELS = ("left", "right")
REP = Representation("raw", "uV")
HOLD_END_S = 40.0


def _session(
    pause_s: float, second_s: float, ramp_s: float = 0.3, hold_s: float = 8.0, duration_s=70.0
):
    """``duration_s`` at rest but for movements of both legs early on (the activity
    reference), a steady ``hold_s`` hold of the left leg ending at HOLD_END_S, then after
    ``pause_s`` a steady contraction of the same leg ramped up over ``ramp_s`` and lasting
    ``second_s`` s."""
    t, x, rng = scene(fs=FS, duration_s=duration_s, n_channels=2, seed=3)
    for ch in (0, 1):
        for b in (4.0, 10.0, 16.0):
            add_burst(x, t, FS, rng, ch, b + ch, b + ch + 1.0, 300.0)
    add_burst(x, t, FS, rng, 0, HOLD_END_S - hold_s, HOLD_END_S, 200.0, ramp_s=0.5)
    start = HOLD_END_S + pause_s
    add_burst(x, t, FS, rng, 0, start, start + second_s, 200.0, ramp_s=ramp_s)
    return x


def test_a_contraction_right_after_a_hold_alerts_after_after_effort_slow_s():
    s = profile_settings("training")
    start = HOLD_END_S + 1.5
    x = _session(1.5, 25.0)
    cramps = cramp_events(x, FS, CHANNELS, REP, "training")
    assert [e.channel for e in cramps] == ["left"]
    cut = cramp_events(x, FS, CHANNELS, REP, "training", [7, 16_000, 21_777, 22_001])
    assert [(e.alert_s, e.onset_s) for e in cut] == [(e.alert_s, e.onset_s) for e in cramps]
    assert start + s.after_effort_slow_s <= cramps[0].alert_s <= start + s.after_effort_slow_s + 1.5
    assert cramps[0].alert_s < start + s.slow_min_s
    # without the rule it waits out a voluntary hold (or, judged against the hold, never rises)
    late = cramp_events(x, FS, CHANNELS, REP, "training", after_effort_s=0.0)
    assert all(e.alert_s >= start + s.slow_min_s for e in late)


def test_a_hold_after_a_pause_still_waits_slow_min_s():
    s = profile_settings("training")
    pause = s.after_effort_s + 3.0
    # a second hold as long as after_effort_slow_s + 2 s: not alerted
    hold = cramp_events(_session(pause, s.after_effort_slow_s + 2.0), FS, CHANNELS, REP, "training")
    assert hold == []
    # the same after a short pause is taken for a cramp
    short = cramp_events(_session(1.5, s.after_effort_slow_s + 2.0), FS, CHANNELS, REP, "training")
    assert [e.channel for e in short] == ["left"]


# (replead, session 10) A contraction that begins up to ``after_effort_late_s`` after a hold on
# the same leg takes the after-effort path (``after_effort_slow_s``) when it rose more slowly
# than a voluntary contraction is ramped up (``after_effort_rise_s`` from 20 % to 80 % of its
# level): a cramp builds up, a repeated hold is ramped up in well under a second.
PAUSE_S = 4.0  # longer than after_effort_s (3 s), within after_effort_late_s (5 s)


def test_a_slow_rise_after_the_pause_alerts_on_the_after_effort_path():
    s = profile_settings("training")
    assert s.after_effort_s < PAUSE_S <= s.after_effort_late_s
    start = HOLD_END_S + PAUSE_S
    x = _session(PAUSE_S, 25.0, ramp_s=2.0)
    cramps = cramp_events(x, FS, CHANNELS, REP, "training")
    assert [e.channel for e in cramps] == ["left"]
    assert cramps[0].alert_s < start + s.slow_min_s
    cut = cramp_events(x, FS, CHANNELS, REP, "training", [7, 16_000, 22_111, 23_001])
    assert [(e.alert_s, e.onset_s) for e in cut] == [(e.alert_s, e.onset_s) for e in cramps]
    # without the rule it waits out a voluntary hold
    late = cramp_events(x, FS, CHANNELS, REP, "training", after_effort_rise_s=0.0)
    assert all(e.alert_s >= start + s.slow_min_s for e in late)


def test_a_hold_ramped_up_after_the_pause_is_not_alerted():
    s = profile_settings("training")
    x = _session(PAUSE_S, s.after_effort_slow_s + 2.0, ramp_s=0.3)
    assert cramp_events(x, FS, CHANNELS, REP, "training") == []


# (indeffort, session 11) An event that ended is an effort of its leg too: a contraction
# right after a contraction the detector alerted (a hold alerted falsely, or a cramp) takes the
# after-effort path, though the alerted run never ended as a movement.
ALERTED_END_S = HOLD_END_S  # the first contraction, long enough to be alerted, is released here


def _after_alerted(pause_s: float):
    """80 s: early movements of both legs (the activity reference), a steady 14-s contraction
    of the left leg (alerted on the slow path) released at ALERTED_END_S, then after
    ``pause_s`` a steady 25-s contraction of the same leg."""
    return _session(pause_s, 25.0, hold_s=14.0, duration_s=80.0)


def test_a_contraction_right_after_an_alerted_one_takes_the_after_effort_path():
    s = profile_settings("training")
    start = ALERTED_END_S + 1.5
    x = _after_alerted(1.5)
    cramps = cramp_events(x, FS, CHANNELS, REP, "training")
    assert [e.channel for e in cramps] == ["left", "left"]
    assert cramps[0].end_s <= ALERTED_END_S < cramps[1].onset_s + 1.0
    second = cramps[1]
    assert start + s.after_effort_slow_s <= second.alert_s < start + s.slow_min_s
    cut = cramp_events(x, FS, CHANNELS, REP, "training", [7, 16_000, 20_555, 21_001])
    assert [(e.alert_s, e.onset_s) for e in cut] == [(e.alert_s, e.onset_s) for e in cramps]
    # without the after-effort path it waits out a voluntary hold (or never rises)
    off = cramp_events(x, FS, CHANNELS, REP, "training", after_effort_s=0.0)
    assert all(e.alert_s >= start + s.slow_min_s for e in off[1:])
    # after a longer pause (a voluntary contraction begins after one) it waits slow_min_s
    later = cramp_events(_after_alerted(3.5), FS, CHANNELS, REP, "training")
    assert later[1].alert_s >= ALERTED_END_S + 3.5 + s.slow_min_s


# (standfa, session 11) A sway dip splits one steady contraction (standing, in the independent
# set) into two runs; the second one resumed the steady level the leg held before the dip
# (within ``resume_ratio`` either way): no effort ended before it, so it does not take the
# after-effort path and is judged as any run (against the level before it, after
# ``slow_min_s``). A contraction after a release (the leg fell to rest) keeps the path.
DIP_S = 40.0


def _resumed_session(dip_s: float):
    """As :func:`_session`, but the left leg holds 150 µV steadily for 7 s up to DIP_S, dips
    for ``dip_s`` s and resumes the same level for 25 s."""
    t, x, rng = scene(fs=FS, duration_s=70.0, n_channels=2, seed=3)
    for ch in (0, 1):
        for b in (4.0, 10.0, 16.0):
            add_burst(x, t, FS, rng, ch, b + ch, b + ch + 1.0, 300.0)
    add_burst(x, t, FS, rng, 0, DIP_S - 7.0, DIP_S, 150.0, ramp_s=0.05)
    add_burst(x, t, FS, rng, 0, DIP_S + dip_s, DIP_S + dip_s + 25.0, 150.0, ramp_s=0.05)
    return x


def test_a_run_that_resumed_the_level_before_a_dip_waits_slow_min_s():
    s = profile_settings("training")
    assert s.resume_ratio > 0
    dip = 0.3
    start = DIP_S + dip
    x = _resumed_session(dip)
    # without the rule the dip reads as the end of an effort: the after-effort path
    early = cramp_events(x, FS, CHANNELS, REP, "training", resume_ratio=0.0)
    assert [e.channel for e in early] == ["left"]
    assert early[0].alert_s < start + s.slow_min_s - 1.0
    # with it the run is judged as any run: it did not rise above the level before it
    for cuts in ((), (7, 16_000, 20_150, 20_333, 22_400)):
        cramps = cramp_events(x, FS, CHANNELS, REP, "training", cuts)
        assert all(e.alert_s >= start + s.slow_min_s for e in cramps)


def test_a_run_after_a_release_keeps_the_after_effort_path():
    s = profile_settings("training")
    start = DIP_S + 1.5
    # the leg fell to rest for 1.5 s: an effort ended
    cramps = cramp_events(_resumed_session(1.5), FS, CHANNELS, REP, "training")
    assert [e.channel for e in cramps] == ["left"]
    assert cramps[0].alert_s < start + s.slow_min_s


def test_resume_settings_are_checked_and_off_at_night():
    for name, bad in (("resume_ratio", -1.0), ("resume_floor", 1.5)):
        with pytest.raises(InputError):
            profile_settings("training").replace(**{name: bad})
    assert profile_settings("night").resume_ratio == 0.0
    assert profile_settings("training").resume_ratio > 0.0
