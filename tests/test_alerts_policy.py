"""Alert policy on scripted event sequences: escalation, cap, refractory, ack, recurrence."""

from __future__ import annotations

import itertools
import logging

import pytest

from crampdetect.alerts.patterns import (
    MAX_PULSE_MS,
    NIGHT_ESCALATION,
    TRAINING_ESCALATION,
    VibrationPattern,
    settings_for,
)
from crampdetect.alerts.policy import Action, AlertPolicy
from crampdetect.core import Event, InputError


def cramp(t: float, eid: int = 1, leg: str = "left") -> Event:
    return Event(leg, "cramp", onset_s=t - 1.5, alert_s=t, id=eid)


def run(policy: AlertPolicy, script: dict[float, list[Event]], t_end: float, acks=None):
    """Call update every 0.5 s; return all actions."""
    acks = acks or {}
    out: list[Action] = []
    t = 0.0
    while t <= t_end:
        out += policy.update(script.get(t, []), now_s=t, acks=acks.get(t, 0))
        t = round(t + 0.5, 3)
    return out


def vibrations(actions: list[Action]) -> list[Action]:
    return [a for a in actions if a.kind == "vibrate"]


def test_night_prompts_escalate_and_stop_at_the_cap():
    policy = AlertPolicy("night")
    actions = run(policy, {10.0: [cramp(10.0)]}, t_end=400.0)
    vib = vibrations(actions)
    s = policy.settings
    assert [a.t_s for a in vib] == [10.0 + k * s.repeat_every_s for k in range(s.max_prompts)]
    names = [a.pattern.name for a in vib]
    assert names == ["night-gentle", "night-medium", "night-strong", "night-strong"]
    intensities = [a.pattern.intensity for a in vib]
    assert intensities == sorted(intensities) and intensities[0] < intensities[-1]
    assert all(a.channel == "left" and a.event_id == 1 for a in vib)


def test_training_prompt_is_firm_from_the_start():
    policy = AlertPolicy("training")
    vib = vibrations(run(policy, {5.0: [cramp(5.0)]}, t_end=200.0))
    assert vib[0].pattern == TRAINING_ESCALATION[0]
    assert vib[0].pattern.intensity > NIGHT_ESCALATION[0].intensity
    assert len(vib) == policy.settings.max_prompts


def test_acknowledgement_silences_and_starts_hold_timer():
    policy = AlertPolicy("night")
    actions = run(policy, {10.0: [cramp(10.0)]}, t_end=120.0, acks={15.0: 1})
    stops = [a for a in actions if a.kind == "stop"]
    assert [a.t_s for a in stops] == [15.0]
    vib = vibrations(actions)
    prompts = [a for a in vib if a.pattern.name.startswith("night")]
    ticks = [a for a in vib if a.pattern.name == "hold-tick"]
    assert [a.t_s for a in prompts] == [10.0]  # no repetition after the ack
    assert [a.t_s for a in ticks] == [25.0, 35.0, 45.0]  # every 10 s of a 30 s hold
    texts = " ".join(a.text for a in actions if a.kind == "message")
    assert "toes towards your shin" in texts and "Release slowly" in texts


def test_ack_without_pending_prompt_does_nothing():
    policy = AlertPolicy("night")
    assert policy.update([], now_s=3.0, acks=2) == []


def test_refractory_prevents_burst_when_detector_splits_a_cramp():
    policy = AlertPolicy("night")
    first = cramp(10.0, eid=1)
    script = {
        10.0: [first],
        14.0: [first.ended(14.0)],
        16.0: [cramp(16.0, eid=2)],  # same cramp, split by the detector
    }
    vib = vibrations(run(policy, script, t_end=60.0))
    times = [a.t_s for a in vib]
    assert times[0] == 10.0
    assert times[1] >= 10.0 + policy.settings.refractory_s
    assert all(b - a >= policy.settings.refractory_s for a, b in itertools.pairwise(times))


def test_both_legs_at_once_give_one_prompt():
    policy = AlertPolicy("night")
    script = {10.0: [cramp(10.0, eid=1, leg="left"), cramp(10.0, eid=2, leg="right")]}
    vib = vibrations(run(policy, script, t_end=12.0))
    assert len(vib) == 1


def test_end_gives_rest_advice_stop_and_recurrence_watch():
    policy = AlertPolicy("night")
    c = cramp(10.0)
    actions = run(policy, {10.0: [c], 100.0: [c.ended(100.0)]}, t_end=101.0)
    stop = [a for a in actions if a.kind == "stop"]
    assert [a.t_s for a in stop] == [100.0]
    rest = [a for a in actions if a.kind == "message" and "Rest" in a.text]
    assert len(rest) == 1 and rest[0].t_s == 100.0
    assert policy.recurrence_watch("left", 100.0 + 3599.0)
    assert not policy.recurrence_watch("left", 100.0 + 3601.0)
    assert not policy.recurrence_watch("right", 200.0)
    assert policy.recurrence_until("left") == pytest.approx(3700.0)


def test_recurrence_labelled_inside_window_only():
    policy = AlertPolicy("night")
    first = cramp(10.0, eid=1)
    policy.update([first], 10.0)
    policy.update([first.ended(60.0)], 60.0)
    second = cramp(60.0 + 1800.0, eid=2)
    msgs = policy.update([second], second.alert_s)
    assert policy.is_recurrence(second)
    assert "Recurring cramp" in msgs[0].text and "recurrence" in msgs[0].reason
    policy.update([second.ended(2000.0)], 2000.0)
    third = cramp(2000.0 + 3700.0, eid=3)
    msgs = policy.update([third], third.alert_s)
    assert not policy.is_recurrence(third)
    assert msgs[0].text.startswith("Cramp in the left calf")
    other_leg = cramp(2100.0, eid=4, leg="right")
    policy.update([other_leg], 2100.0)
    assert not policy.is_recurrence(other_leg)


def test_early_warning_prompt_is_off_by_default_and_gentle_when_on():
    warning = Event("left", "early_warning", 5.0, 6.0, id=7)
    actions = AlertPolicy("night").update([warning], 6.0)
    assert [a.kind for a in actions] == ["message"]
    s = settings_for("night")
    on = AlertPolicy("night", settings=type(s)(**{**_fields(s), "warn_prompt": True}))
    vib = vibrations(on.update([warning], 6.0))
    assert len(vib) == 1 and vib[0].pattern.intensity <= NIGHT_ESCALATION[0].intensity


def test_every_decision_is_logged_with_its_reason(caplog):
    caplog.set_level(logging.INFO, logger="crampdetect.alerts.policy")
    policy = AlertPolicy("night")
    run(policy, {10.0: [cramp(10.0)]}, t_end=200.0)
    text = caplog.text
    assert "first prompt" in text and "cap of 4 prompts reached" in text
    policy.update([cramp(10.0).ended(250.0)], 250.0)
    policy.update([], 300.0, acks=1)
    assert "acknowledgement with no prompt pending" in caplog.text


def test_no_pulse_longer_than_three_seconds():
    for profile in ("night", "training"):
        s = settings_for(profile)
        for p in (*s.escalation, s.hold_tick):
            assert max(on for on, _ in p.pulses) <= MAX_PULSE_MS
    with pytest.raises(InputError, match="on-time"):
        VibrationPattern(((3001, 0),))


def test_late_update_calls_never_burst():
    """A monitor that stalls for 2 min catches up with one prompt, not four."""
    policy = AlertPolicy("night")
    policy.update([cramp(10.0)], 10.0)
    late = policy.update([], 130.0)
    assert len(vibrations(late)) == 1


def _fields(s):
    return {name: getattr(s, name) for name in s.__slots__}


def test_a_warning_prompt_never_delays_the_cramp_prompt():
    s = settings_for("night")
    policy = AlertPolicy("night", settings=type(s)(**{**_fields(s), "warn_prompt": True}))
    warning = Event("left", "early_warning", 5.0, 6.0, id=1)
    assert len(vibrations(policy.update([warning], 6.0))) == 1
    assert vibrations(policy.update([Event("left", "early_warning", 8.0, 9.0, id=2)], 9.0)) == []
    vib = vibrations(policy.update([cramp(12.0, eid=3)], 12.0))
    assert [a.pattern.name for a in vib] == ["night-gentle"]
