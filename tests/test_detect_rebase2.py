"""(rebase2) A weak cramp of minutes is no new rest; a moved electrode still is.

The baseline tracker re-bases a channel to its floor after 60 s of uninterrupted activity.
A weak cramp no path took in its first minute (3-5x a low floor, under ``weak_min_uv``) was
then invisible for the rest of it. At night the re-base is held while the stretch's floor
waxes and wanes (``rebase_swing``), and the stretch is the weak path's late ``long``
candidate; a step to a steady level (a moved electrode, a new posture) still re-bases.
"""

from __future__ import annotations

import numpy as np
import pytest
from synth import add_burst, cramp_events, scene

from crampdetect.core import Representation
from crampdetect.detect.baseline import BaselineTracker
from crampdetect.detect.settings import profile_settings

FS = 500.0
CHANNELS = ("left", "right")
REP = Representation("raw", "uV")
NIGHT = profile_settings("night", "raw")
#: A weak cramp on the right calf: ~4x a 5 µV rest (~20 µV), waxing and waning, ~3 min.
WEAK_S = (20.0, 190.0)
DURATION_S = 200.0
CUTS = tuple(range(0, round(DURATION_S * FS), 997))


def _weak_cramp(seed: int = 0) -> np.ndarray:
    t, x, rng = scene(fs=FS, duration_s=DURATION_S, n_channels=2, seed=seed)
    add_burst(x, t, FS, rng, 1, *WEAK_S, 17.0, ramp_s=3.0, irregular=0.3)
    return x


def _moved_electrode(seed: int = 0) -> np.ndarray:
    """At 20 s the right channel's contact changes: it reads 4x what it did, steadily."""
    t, x, _ = scene(fs=FS, duration_s=DURATION_S, n_channels=2, seed=seed)
    x[1, t >= WEAK_S[0]] *= 4.0
    return x


@pytest.mark.parametrize("cuts", [(), CUTS])
def test_a_weak_cramp_of_minutes_is_alerted_not_absorbed(cuts):
    x = _weak_cramp()
    events = cramp_events(x, FS, CHANNELS, REP, "night", cuts=cuts)
    assert [e.channel for e in events] == ["right"]
    # alerted once its stretch outlasted the 60 s re-base, and not taken for a new rest
    assert WEAK_S[0] + 60.0 < events[0].alert_s < WEAK_S[0] + 75.0
    assert events[0].detail["path"] == "long"  # endearly: named after its candidates
    assert events[0].end_s > WEAK_S[1] - 10.0
    # its onset is the held stretch's start (the cramp's rise), not a minute later
    assert abs(events[0].onset_s - WEAK_S[0]) < 3.0
    # Without the rule no path takes it, and the tracker re-bases to it after 60 s.
    assert cramp_events(x, FS, CHANNELS, REP, "night", cuts=cuts, rebase_swing=0.0) == []


def test_a_moved_electrode_is_still_a_new_rest():
    x = _moved_electrode()
    assert cramp_events(x, FS, CHANNELS, REP, "night") == []
    assert cramp_events(x, FS, CHANNELS, REP, "night", cuts=CUTS) == []


def _tracker_run(level: np.ndarray, cut: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    tr = BaselineTracker(
        1, 20, 0.05, rebase_swing=NIGHT.rebase_swing, rebase_hold_s=NIGHT.rebase_hold_s
    )
    parts = [level] if cut is None else [level[:, :cut], level[:, cut:]]
    base, held = [], []
    for p in parts:
        b, _ = tr.process(p, np.zeros(p.shape, dtype=bool))
        base.append(b)
        held.append(tr.held)
    return np.concatenate(base, axis=1), np.concatenate(held, axis=1)


def test_the_tracker_holds_a_swinging_stretch_and_re_bases_a_step():
    rng = np.random.default_rng(1)
    n = 20 * 300  # 300 s of 50 ms frames
    rest = 5.0 * (1 + 0.05 * rng.standard_normal((1, n)))
    sec = np.arange(n) // 20
    step = rest * np.where(sec >= 60, 4.0, 1.0)
    swing = rest * np.where(sec >= 60, 4.0 * np.exp(0.2 * rng.standard_normal(300))[sec], 1.0)
    b_step, h_step = _tracker_run(step)
    b_swing, h_swing = _tracker_run(swing)
    # a step: re-based to the new level after 60 s, never held
    assert b_step[0, -1] > 15.0 and not h_step.any()
    # a swinging stretch: the rest before it stays the baseline; held from 60 s on
    assert b_swing[0, -1] < 6.0
    assert h_swing[0, 20 * 125] >= 60 and not h_swing[0, : 20 * 119].any()
    # ... and for any block boundary
    for cut in (1, 20 * 61 + 7, 2401):
        b, h = _tracker_run(swing, cut)
        assert np.array_equal(b, b_swing, equal_nan=True) and np.array_equal(h, h_swing)
