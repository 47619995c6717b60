"""(s15 indgait) A weak cramp begun during running closes its leg's gaps between strides
before the runner stops, while the other leg still strides; straight out of running the
steady ``held`` test then passes at ``held_gait_gap_level`` (below ``held_gait_level``) and
needs no rise out of a lower level before its span (the closing gaps were the rise). The
same steady level begun at the stop (both legs' strides ended together) is not alerted."""

from __future__ import annotations

import numpy as np
import pytest
from synth import add_burst, cramp_events, scene

from crampdetect.core import InputError, Representation
from crampdetect.detect.settings import profile_settings

FS = 500.0
CHANNELS = ("left", "right")
REP = Representation("raw", "uV")
STOP_S = 75.0
STRIDE_UV = (900.0, 500.0)  #: running bursts (left, right), µV
STANDING_UV = (40.0, 100.0)  #: standing (left, right), µV
LEVEL_UV = 300.0  #: the left leg's contraction: under held_gait_level x its reference
PERIOD_S = 0.7  #: a stride per leg (running)
SLOW_S = 1.5  #: the strides weaken over the last SLOW_S before the stop
TIRED, TIRED_S = 0.5, 15.0  #: strides at TIRED x STRIDE_UV over the last TIRED_S


def _session(seed: int, begin_s: float) -> np.ndarray:
    """120 s: standing on both legs, running from 10 s to STOP_S (slowing down over
    the last SLOW_S), a steady LEVEL_UV
    contraction of the left leg from ``begin_s`` to STOP_S + 40 s (under its strides
    before the stop) while the right leg stands after the stop."""
    t, x, rng = scene(fs=FS, duration_s=120.0, n_channels=2, seed=seed)
    for ch in (0, 1):
        add_burst(x, t, FS, rng, ch, 0.0, 120.0, STANDING_UV[ch], ramp_s=0.01)
        for b in np.arange(10.0 + ch * PERIOD_S / 2, STOP_S - 0.4, PERIOD_S):
            slow = np.clip((STOP_S - b) / SLOW_S, 0.3, 1.0)  # the runner slows down
            slow *= TIRED if b > STOP_S - TIRED_S else 1.0  # and tires (weaker strides)
            add_burst(x, t, FS, rng, ch, b, b + PERIOD_S / 2, slow * STRIDE_UV[ch], ramp_s=0.1)
    add_burst(x, t, FS, rng, 0, begin_s, STOP_S + 40.0, LEVEL_UV, irregular=0.0)
    return x


def _run(x: np.ndarray, cuts: list[int], **changes: float) -> list:
    return cramp_events(x, FS, CHANNELS, REP, "training", cuts, **changes)


def test_gaps_closed_in_running_alert_the_weaker_steady_level():
    s = profile_settings("training")
    cramps = _run(_session(1, STOP_S - 2.5), [])
    assert [e.channel for e in cramps][:1] == ["left"]
    assert cramps[0].detail["path"] == "held"
    assert cramps[0].alert_s <= STOP_S + s.held_gait_s + 3.0
    # without the rule (held_gait_gap_level 0), not at all
    assert _run(_session(1, STOP_S - 2.5), [], held_gait_gap_level=0.0) == []
    assert _run(_session(2, STOP_S - 2.5), [], held_gait_gap_level=0.0) == []
    assert _run(_session(1, STOP_S - 2.5), [], settle_gap_ratio=0.0) == []  # its gap test


def test_the_same_level_begun_at_the_stop_is_not_alerted():
    for seed in (1, 2):
        assert _run(_session(seed, STOP_S), []) == []


def test_the_gap_level_does_not_depend_on_block_sizes():
    x = _session(2, STOP_S - 2.5)
    whole = [(e.channel, e.onset_s, e.alert_s) for e in _run(x, [])]
    assert whole
    for step_s in (0.37, 2.9):
        cuts = list(range(0, x.shape[1], int(step_s * FS)))
        assert [(e.channel, e.onset_s, e.alert_s) for e in _run(x, cuts)] == whole


def test_gap_level_settings_are_checked():
    base = profile_settings("training")
    for bad in (
        {"held_gait_gap_level": -0.1},
        {"held_gait_gap_level": 1.5},
    ):
        with pytest.raises(InputError):
            base.replace(**bad)
    assert 0 < base.held_gait_gap_level <= base.held_gait_level
    assert profile_settings("night").held_gait_gap_level == 0.0
