"""The detector's explicit state machine, its validated settings, and the observed-rest rule."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from synth import add_burst, scene, write_csv

from crampdetect.core import Block, InputError, Representation
from crampdetect.detect.cramp import TRANSITIONS, State, Transition
from crampdetect.detect.settings import LIMITS, DetectorSettings, profile_settings
from crampdetect.pipeline import Pipeline

FS = 500.0
REP = Representation("raw", "uV")


def _stream(x: np.ndarray, settings: DetectorSettings | None = None, block_s: float = 1.0):
    """Run one channel; returns cramp events, the state after each block, transitions."""
    pipe = Pipeline(FS, ("calf",), REP, "night", settings)
    log: list = []
    pipe._detector.transition_log = log
    events, states = [], []
    step = round(block_s * FS)
    for i in range(0, x.shape[1], step):
        events += pipe.push(Block(x[:, i : i + step], FS, i, i / FS, 0, ("calf",))).events
        states.append(pipe.status["calf"].state)
    events += pipe.finish().events
    final = {e.id: e for e in events if e.kind == "cramp"}  # closed versions replace open ones
    return list(final.values()), states, log


def test_a_cramp_walks_idle_suspect_cramp_recovery_idle():
    t, x, rng = scene(fs=FS, duration_s=200.0, seed=3)
    add_burst(x, t, FS, rng, 0, 120.0, 150.0, 300.0, ramp_s=0.5, irregular=0.5)
    settings = profile_settings("night").replace(recurrence_s=20.0)
    cramps, states, log = _stream(x, settings)
    assert len(cramps) == 1
    visited = [s for k, s in enumerate(states) if k == 0 or s != states[k - 1]]
    assert visited == ["idle", "suspect", "cramp", "recovery", "idle"]
    assert [t for _, _, t in log] == [
        Transition.ACTIVATE,
        Transition.ALERT,
        Transition.RELAX,
        Transition.WATCH_OVER,
    ]


def test_logged_transitions_only_leave_states_the_table_allows():
    t, x, rng = scene(fs=FS, duration_s=240.0, seed=4)
    for a in (20.0, 50.0, 95.0):  # leg movements, then two cramps
        add_burst(x, t, FS, rng, 0, a, a + 2.0, 250.0)
    add_burst(x, t, FS, rng, 0, 130.0, 160.0, 300.0, irregular=0.5)
    add_burst(x, t, FS, rng, 0, 175.0, 200.0, 300.0, irregular=0.5)
    _, _, log = _stream(x, block_s=0.37)
    assert sum(t is Transition.ALERT for _, _, t in log) == 2
    state = State.IDLE
    for _, _, transition in log:
        leave, enter = TRANSITIONS[transition]
        assert state in leave, (state, transition)
        state = enter


def test_quiet_path_needs_rest_actually_seen():
    """A 7 s contraction alerts at night after minutes of observed rest, not when the stream
    opens on it (a voluntary hold 3 s into a recording). (The second one builds up over
    1.5 s like a cramp: a flat plateau reached at once would wait for ``moved_fast_s``, see
    ``plateau_swing``.)"""
    t, x, rng = scene(fs=FS, duration_s=200.0, seed=5)
    add_burst(x, t, FS, rng, 0, 3.0, 10.0, 300.0)
    add_burst(x, t, FS, rng, 0, 150.0, 157.0, 300.0, ramp_s=1.5)
    cramps, _, _ = _stream(x)
    assert [round(e.alert_s) for e in cramps] == [154]
    assert cramps[0].detail["path"] == "quiet"


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_every_setting_is_checked_on_construction(name):
    lo, hi, _ = LIMITS[name]
    with pytest.raises(InputError, match=name):
        DetectorSettings().replace(**{name: hi * 2 + 1})
    with pytest.raises(InputError, match=name):
        DetectorSettings().replace(**{name: float("nan")})
    if lo > 0:
        with pytest.raises(InputError, match=name):
            DetectorSettings().replace(**{name: lo / 2 - 1e-3})


def test_both_profiles_are_valid_and_inconsistent_ratios_are_refused():
    for profile in ("night", "training"):
        for signal in ("raw", "env"):
            assert profile_settings(profile, signal).to_dict()
    with pytest.raises(InputError, match="off_ratio"):
        DetectorSettings(on_ratio=2.0, off_ratio=3.0)


def test_cli_refuses_an_out_of_range_setting(tmp_path):
    t, x, _ = scene(fs=FS, duration_s=5.0)
    path = tmp_path / "r.csv"
    write_csv(path, t, x)
    out = subprocess.run(
        [sys.executable, "-m", "crampdetect", "detect", str(path), "--set", "gap_s=-1"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2
    assert "gap_s" in out.stderr and len(out.stderr.strip().splitlines()) == 1
