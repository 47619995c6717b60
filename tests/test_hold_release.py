"""(holds) Training: a voluntary hold is released by ~10 s, about when the slow path would take
it; a cramp does not relax. No slow-path alert while the envelope falls below
``slow_release`` x its median over the last ``fast_s``."""

from __future__ import annotations

from synth import add_burst, cramp_events, scene

from crampdetect.core import Representation

FS = 500.0
CHANNELS = ("left", "right")
REP = Representation("raw", "uV")
START_S = 30.0


def _session(length_s: float):
    """70 s at rest but for movements of both legs early on (the activity reference) and a
    steady contraction of the left leg from START_S for ``length_s`` s (1-s ramps)."""
    t, x, rng = scene(fs=FS, duration_s=70.0, n_channels=2, seed=3)
    for ch in (0, 1):
        for b in (4.0, 10.0, 16.0):
            add_burst(x, t, FS, rng, ch, b + ch, b + ch + 1.0, 300.0)
    add_burst(x, t, FS, rng, 0, START_S, START_S + length_s, 200.0, ramp_s=1.0)
    return x


def test_a_hold_released_as_the_slow_path_would_take_it_is_not_alerted():
    x = _session(10.0)
    assert cramp_events(x, FS, CHANNELS, REP, "training") == []
    assert cramp_events(x, FS, CHANNELS, REP, "training", [9, 19_500, 19_777]) == []
    # without the rule the slow path takes the hold as it is being released
    alerted = cramp_events(x, FS, CHANNELS, REP, "training", slow_release=0.0)
    assert [e.channel for e in alerted] == ["left"]
    assert alerted[0].alert_s > START_S + 9.0


def test_a_contraction_held_on_is_alerted_as_before():
    x = _session(14.0)
    cramps = cramp_events(x, FS, CHANNELS, REP, "training")
    before = cramp_events(x, FS, CHANNELS, REP, "training", slow_release=0.0)
    assert [e.channel for e in cramps] == ["left"]
    assert [(e.alert_s, e.onset_s) for e in cramps] == [(e.alert_s, e.onset_s) for e in before]
