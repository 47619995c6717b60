"""Alert-policy invariants over random event scripts and random monitor tick rates (hypothesis)."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from crampdetect.alerts.patterns import MAX_PULSE_MS
from crampdetect.alerts.policy import AlertPolicy
from crampdetect.core import Event

cramp_spec = st.tuples(
    st.sampled_from(["left", "right"]),
    st.floats(0.0, 600.0),  # alert time, s
    st.floats(1.0, 400.0),  # duration, s
)


@given(
    profile=st.sampled_from(["night", "training"]),
    cramps=st.lists(cramp_spec, max_size=6),
    acks=st.lists(st.floats(0.0, 1000.0), max_size=4),
    tick_s=st.sampled_from([0.1, 0.5, 1.0, 3.0]),
)
def test_policy_invariants(profile, cramps, acks, tick_s):
    policy = AlertPolicy(profile)
    s = policy.settings
    script: dict[int, list[Event]] = {}
    for k, (leg, alert, dur) in enumerate(cramps, start=1):
        raised = Event(leg, "cramp", alert - 1.0, alert, id=k)
        script.setdefault(int(alert / tick_s), []).append(raised)
        script.setdefault(int((alert + dur) / tick_s), []).append(raised.ended(alert + dur))
    ack_ticks = {int(t / tick_s) for t in acks}
    prompts: list[tuple[float, int | None]] = []
    n_ticks = int(1100 / tick_s)
    for i in range(n_ticks):
        now = i * tick_s
        events = sorted(script.get(i, []), key=lambda e: e.end_s is not None)
        for action in policy.update(events, now, acks=int(i in ack_ticks)):
            if action.kind == "vibrate":
                assert max(on for on, _ in action.pattern.pulses) <= MAX_PULSE_MS
                if action.pattern.name != "hold-tick":
                    prompts.append((now, action.event_id))
    times = [t for t, _ in prompts]
    # Never a burst: prompts are at least the refractory period apart.
    assert all(b - a >= s.refractory_s - 1e-9 for a, b in itertools.pairwise(times))
    # A cap per cramp.
    for _, group in itertools.groupby(sorted(e for _, e in prompts)):
        assert len(list(group)) <= s.max_prompts
    # Nothing is left running after every cramp ended.
    assert policy.active == []
