"""(rebase) A cramp of minutes is not a new rest, and while one leg cramps the other one moves.

The baseline tracker re-bases a channel to its floor after 60 s of uninterrupted activity (a
new contact or posture). The detector holds a cramping channel's baseline at its value at the
alert (and after the end until the tracker is back), and tells the other legs it cramps.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from synth import add_burst, scene

from crampdetect.core import Block, Representation
from crampdetect.detect.settings import profile_settings
from crampdetect.pipeline import Pipeline
from crampdetect.pipeline.offline import Collector

FS = 500.0
CHANNELS = ("left", "right")
REP = Representation("raw", "uV")
NIGHT = profile_settings("night", "raw")
#: A long cramp on the right calf, 100-290 s (the tracker would re-base it at ~160 s).
CRAMP_S = (100.0, 290.0)


def _long_cramp(seed: int, duration_s: float = 330.0):
    t, x, rng = scene(fs=FS, duration_s=duration_s, n_channels=2, seed=seed)
    add_burst(x, t, FS, rng, 1, *CRAMP_S, 300.0, ramp_s=2.0, irregular=0.5)
    return t, x, rng


def _run(x: np.ndarray, detector=NIGHT, cuts=()) -> list:
    pipe = Pipeline(FS, CHANNELS, REP, "night", detector)
    col = Collector()
    for a, b in itertools.pairwise(sorted({0, *cuts, x.shape[1]})):
        col.add(pipe.push(Block(x[:, a:b], FS, a, a / FS, 0, CHANNELS)))
    col.add(pipe.finish())
    events, _ = col.result()
    return events


def _other_leg_moving(seed: int = 0) -> np.ndarray:
    """The long cramp, and the left leg moved three times during it (6-8 s each)."""
    t, x, rng = _long_cramp(seed)
    for a, b in ((150.0, 157.0), (200.0, 208.0), (250.0, 256.0)):
        add_burst(x, t, FS, rng, 0, a, b, 400.0, ramp_s=1.0, irregular=0.6)
    return x


def test_the_other_leg_moving_during_a_cramp_is_not_a_cramp():
    x = _other_leg_moving()
    events = _run(x)
    assert [e.channel for e in events] == ["right"]
    assert abs(events[0].onset_s - CRAMP_S[0]) < 1.0 and events[0].end_s > 280.0
    # Without the rule each movement of the left leg is alerted.
    before = _run(x, NIGHT.replace(other_cramp_s=0.0))
    assert [e.channel for e in before].count("left") == 3


def test_a_cramp_of_both_legs_is_alerted_on_each_as_quickly():
    """The left calf cramps 6 s after the right one: not a movement of the other leg."""
    t, x, rng = _long_cramp(3)
    add_burst(x, t, FS, rng, 0, 106.0, 200.0, 300.0, ramp_s=2.0, irregular=0.5)
    events = _run(x)
    assert sorted(e.channel for e in events) == ["left", "right"]
    left = next(e for e in events if e.channel == "left")
    before = next(e for e in _run(x, NIGHT.replace(other_cramp_s=0.0)) if e.channel == "left")
    assert left.alert_s == before.alert_s and left.alert_s < 106.0 + NIGHT.other_cramp_s
    # ... which the rule alone, from the other leg's alert on, would have delayed
    late = _run(x, NIGHT.replace(other_cramp_after_s=0.0))
    assert next(e for e in late if e.channel == "left").alert_s > left.alert_s


def test_a_recurrence_right_after_a_long_cramp_is_judged_against_the_old_rest():
    """A weaker cramp 3 s after the long one: the tracker, re-based to the long cramp's
    floor during it, is still several times over the rest before it."""
    t, x, rng = _long_cramp(1, 340.0)
    add_burst(x, t, FS, rng, 1, 293.0, 330.0, 50.0, ramp_s=1.0, irregular=0.5)
    events = _run(x)
    assert [e.channel for e in events] == ["right", "right"]
    assert 292.0 < events[1].onset_s < 294.0 and events[1].alert_s < 303.0
    # (rebase2: the tracker itself no longer re-bases a cramp that waxes and wanes)
    assert len(_run(x, NIGHT.replace(rest_hold_s=0.0, rebase_swing=0.0))) == 1


def test_a_new_contact_during_a_cramp_becomes_the_rest():
    """The electrode re-seated during the cramp (a lead-off: flat input for 3 s), after which
    the channel reads 6x what it did: no alert follows at the new rest after the cramp."""
    t, x, _ = _long_cramp(2, 420.0)
    x[1, (t >= 200.0) & (t < 203.0)] = 0.0
    x[1, t >= 203.0] *= 6.0
    events = _run(x)
    # The lead-off ends the event; the cramp seen again after it is a second one.
    assert {e.channel for e in events} == {"right"} and events[0].end_s <= 203.0
    assert all(e.onset_s < 240.0 for e in events)
    assert CRAMP_S[1] - 2.0 < events[-1].end_s < CRAMP_S[1] + 5.0


@pytest.mark.slow
@settings(max_examples=8)
@given(st.integers(0, 2), st.lists(st.floats(0.0, 1.0), min_size=1, max_size=30))
def test_holds_and_the_other_legs_do_not_depend_on_block_sizes(seed, fractions):
    x = _other_leg_moving(seed)
    t = np.arange(x.shape[1]) / FS
    add_burst(x, t, FS, np.random.default_rng(seed), 1, 293.0, 320.0, 50.0, irregular=0.5)
    cuts = [round(f * x.shape[1]) for f in fractions]
    assert _run(x, cuts=cuts) == _run(x)


def test_a_leg_movement_of_10_s_during_the_other_legs_cramp_is_not_a_cramp():
    """(nightfa) A leg movement lasts up to 10 s; the detector's run around it is longer by
    its rise and fall, so a 10 s movement of the left leg during the right calf's cramp
    outlasted the old 9.5 s wait."""
    t, x, rng = _long_cramp(5)
    add_burst(x, t, FS, rng, 0, 180.0, 190.0, 400.0, ramp_s=0.4, irregular=0.3)
    assert [e.channel for e in _run(x)] == ["right"]
    before = _run(x, NIGHT.replace(other_cramp_s=9.5))
    assert [e.channel for e in before].count("left") == 1
