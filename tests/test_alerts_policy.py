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


def flapping(period_s: float, on_s: float, t_end: float, leg: str = "left", first_id: int = 1):
    """A detector that raises a cramp for ``on_s`` s every ``period_s`` s until ``t_end``."""
    script: dict[float, list[Event]] = {}
    for k, t in enumerate(range(10, int(t_end), int(period_s))):
        c = cramp(float(t), eid=first_id + k, leg=leg)
        script.setdefault(float(t), []).append(c)
        script.setdefault(float(t + on_s), []).append(c.ended(float(t + on_s)))
    return script


@pytest.mark.parametrize("profile", ["night", "training"])
@pytest.mark.parametrize(("period_s", "on_s"), [(10, 4), (25, 20), (30, 5)])
def test_a_flapping_detector_cannot_restart_the_escalation_all_night(profile, period_s, on_s):
    """Cramp pieces on one leg separated by gaps shorter than ``rejoin_s`` are one episode: the
    cap of prompts holds for the whole hour. Before, every piece was a new cramp with a fresh
    first prompt: a prompt every refractory period all night (180 an hour at night)."""
    policy = AlertPolicy(profile)
    s = policy.settings
    assert period_s - on_s <= s.rejoin_s
    vib = vibrations(run(policy, flapping(period_s, on_s, 3600.0), t_end=3610.0))
    assert 1 <= len(vib) <= s.max_prompts, [a.t_s for a in vib]
    names = [a.pattern.name for a in vib]
    last = len(s.escalation) - 1
    assert names == [s.escalation[min(k, last)].name for k in range(len(names))]  # no restart
    assert policy.active == []


def test_a_cramp_after_the_rejoin_gap_is_prompted_afresh_and_acks_carry_over():
    policy = AlertPolicy("night")
    s = policy.settings
    first = cramp(10.0, eid=1)
    second = cramp(60.0, eid=2)  # 10 s after the first ended: the same episode, acknowledged
    third = cramp(50.0 + s.rejoin_s + 60.0, eid=3)  # well after: a recurrence of its own
    script = {
        10.0: [first],
        50.0: [first.ended(50.0)],
        60.0: [second],
        80.0: [second.ended(80.0)],
        third.alert_s: [third],
    }
    actions = run(policy, script, t_end=third.alert_s + 5.0, acks={12.0: 1})
    prompts = [a for a in vibrations(actions) if a.pattern.name != "hold-tick"]
    assert [(a.t_s, a.pattern.name) for a in prompts] == [
        (10.0, "night-gentle"),
        (third.alert_s, "night-gentle"),
    ]
    reasons = [a.reason for a in actions if a.kind == "message" and a.event_id == 2]
    assert "continues that cramp (1 prompt so far, acknowledged)" in reasons[0]
    assert policy.is_recurrence(third)


def test_the_other_leg_is_never_joined():
    policy = AlertPolicy("night")
    left, right = cramp(10.0, eid=1), cramp(30.0, eid=2, leg="right")
    script = {10.0: [left], 20.0: [left.ended(20.0)], 30.0: [right]}
    prompts = vibrations(run(policy, script, t_end=31.0))
    assert [(a.t_s, a.channel, a.pattern.name) for a in prompts] == [
        (10.0, "left", "night-gentle"),
        (30.0, "right", "night-gentle"),
    ]


@pytest.mark.parametrize("profile", ["night", "training"])
@pytest.mark.parametrize("gap_s", [65, 90, 200])
def test_a_detector_flapping_past_the_rejoin_gap_backs_off_and_a_recurrence_still_vibrates(
    profile, gap_s
):
    """Pieces on one leg with gaps just over ``rejoin_s`` are new cramps each; before, each got
    its own first prompt (about 50 an hour at 65 s gaps at night). Now a leg with ``flap_limit``
    cramps prompted within the hour backs off while the gaps stay short, and a cramp after a
    calm of ``flap_quiet_s`` (a true recurrence) is prompted again."""
    policy = AlertPolicy(profile)
    s = policy.settings
    on_s = 10
    period_s = on_s + max(gap_s, int(s.rejoin_s) + 5)
    assert period_s - on_s > s.rejoin_s and period_s - on_s < s.flap_quiet_s
    script = flapping(period_s, on_s, 3600.0)
    last_end = max(t for t, evs in script.items() if any(e.end_s is not None for e in evs))
    back = last_end + s.flap_quiet_s + 5.0  # after a calm spell
    script[back] = [cramp(back, eid=9999)]
    actions = run(policy, script, t_end=back + 1.0)
    firsts = [a for a in vibrations(actions) if a.t_s < back and "first prompt" in a.reason]
    assert 1 <= len(firsts) <= s.flap_limit, [a.t_s for a in firsts]
    assert any(a.t_s == back for a in vibrations(actions))  # the recurrence vibrates
    quiet = [a for a in actions if a.kind == "message" and "no vibration" in a.reason]
    assert quiet and "prompted within 60 min" in quiet[0].reason


def test_a_second_and_third_cramp_within_the_hour_are_still_prompted():
    """The back-off only starts after ``flap_limit`` prompted cramps: recurrences a few
    minutes apart are prompted; the other leg has its own count."""
    policy = AlertPolicy("night")
    s = policy.settings
    times = [10.0 + k * (s.rejoin_s + 100.0) for k in range(s.flap_limit)]
    script: dict[float, list[Event]] = {}
    for k, t in enumerate(times, start=1):
        c = cramp(t, eid=k)
        script.setdefault(t, []).append(c)
        script.setdefault(t + 10.0, []).append(c.ended(t + 10.0))
    other = times[-1] + s.rejoin_s + 100.0
    script[other] = [cramp(other, eid=50, leg="right")]
    prompts = [a for a in vibrations(run(policy, script, other + 1.0)) if "first" in a.reason]
    assert [a.t_s for a in prompts] == [*times, other]


def test_the_flap_settings_are_validated():
    s = settings_for("night")
    with pytest.raises(InputError, match="flap_quiet_s"):
        type(s)(**{**_fields(s), "flap_quiet_s": s.rejoin_s - 1})
    with pytest.raises(InputError, match="flap_limit"):
        type(s)(**{**_fields(s), "flap_limit": -1})
    off = AlertPolicy("night", settings=type(s)(**{**_fields(s), "flap_limit": 0}))
    vib = vibrations(run(off, flapping(80, 10, 1000.0), t_end=1001.0))
    assert len([a for a in vib if "first prompt" in a.reason]) > s.flap_limit  # 0: off


def test_a_prompt_not_played_is_not_counted():
    """``not_played`` (the live monitor behind a backlog): the next prompt is the first one
    the wearer feels, gentle, and the cap still allows ``max_prompts`` played ones."""
    policy = AlertPolicy("night")
    s = policy.settings
    (vib,) = vibrations(policy.update([cramp(10.0)], 10.0))
    policy.not_played(vib)
    played = vibrations(run(policy, {}, t_end=400.0))
    assert [a.pattern.name for a in played] == [
        s.escalation[min(k, len(s.escalation) - 1)].name for k in range(s.max_prompts)
    ]
    assert played[0].t_s == 10.0 + s.repeat_every_s  # paced by the one not played
