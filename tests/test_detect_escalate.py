"""A precursor alerted before the cramp it runs into (part nightmiss2): the cramp, far
stronger, is raised as well (the ``escalate`` path, night)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import detect_array
from synth import add_burst, scene

from crampdetect.core import Representation
from crampdetect.detect.settings import profile_settings

UV = Representation("raw", "uV", None)
COUNTS10 = Representation("raw", "counts", 10)


def _precursor_then_cramp(
    seed: int, cramp_uv: float, cramp_at_s: float = 60.0
) -> tuple[np.ndarray, float]:
    """Night, 1 kHz, two legs at rest (5 µV); the left leg rises to ~60 µV, waxing and
    waning, from 45 s (alerted at ~52 s), and at ``cramp_at_s`` (s) the cramp it ran into
    sets in at ``cramp_uv`` (µV) until 100 s."""
    fs = 1000.0
    t, x, rng = scene(fs=fs, duration_s=110.0, n_channels=2, seed=seed)
    add_burst(x, t, fs, rng, 0, 45.0, cramp_at_s, 60.0, ramp_s=0.5, irregular=0.4)
    add_burst(x, t, fs, rng, 0, cramp_at_s, 100.0, cramp_uv, ramp_s=0.5, irregular=0.4)
    return x, fs


def _left(events):
    return [e for e in events if e.kind == "cramp" and e.channel == "ch0"]


@pytest.mark.parametrize("seed", [1, 2])
def test_the_cramp_a_precursor_ran_into_is_raised_within_seconds(seed):
    x, fs = _precursor_then_cramp(seed, 400.0)
    events, _ = detect_array(x, fs, UV, "night")
    for block in (137,):  # the count is carried across blocks: the same events
        assert detect_array(x, fs, UV, "night", block=block)[0] == events
    left = _left(events)
    assert left and left[0].alert_s < 60.0  # the precursor was alerted
    late = [e for e in left if e.alert_s >= 60.0]
    assert late and late[0].alert_s <= 65.0 and late[0].detail["path"] == "escalate"
    assert left[0].end_s is not None and left[0].end_s <= late[0].alert_s
    assert not [e for e in events if e.kind == "cramp" and e.channel == "ch1"]
    # Without it the precursor's event swallows the cramp.
    off = profile_settings("night").replace(escalate_ratio=0.0)
    assert not [
        e for e in _left(detect_array(x, fs, UV, "night", settings=off)[0]) if e.alert_s >= 60
    ]


def test_a_cramp_that_rises_on_right_after_its_alert_is_one_event():
    """Alerted at ~52 s, the contraction goes on rising 7x from 52.5 s: one cramp alerted
    early on its own ramp (it never stands at its alerted level again), not a precursor and
    a second cramp."""
    # escshape: without the hold test, and no time limit after the alert, it splits in two
    unheld = profile_settings("night").replace(escalate_hold_ratio=0.0, escalate_after_s=0.0)
    split = []
    for seed in (1, 2):
        x, fs = _precursor_then_cramp(seed, 400.0, cramp_at_s=52.5)
        left = _left(detect_array(x, fs, UV, "night")[0])
        assert len(left) == 1 and left[0].alert_s < 53.0
        split.append(len(_left(detect_array(x, fs, UV, "night", settings=unheld)[0])) == 2)
    assert all(split)


@pytest.mark.slow  # ~4 s: a 3 min recording, twice
def test_the_readme_demo_cramp_is_one_event_without_time_limits():
    """(escshape) The README's demo cramp, alerted at 57 s on its ramp, stays one event with
    no time limit after the alert: the hold test alone keeps it whole."""
    from crampdetect.simulate import simulate

    _, emg = next(simulate("cramp", seed=1).iter_chunks(1e9))
    night = profile_settings("night").replace(escalate_after_s=0.0, escalate_within_s=900.0)
    events, _ = detect_array(emg, 1000.0, UV, "night", settings=night)
    assert [round(e.alert_s) for e in events if e.kind == "cramp"] == [57]
    off = night.replace(escalate_hold_ratio=0.0)
    assert (
        len(
            [
                e
                for e in detect_array(emg, 1000.0, UV, "night", settings=off)[0]
                if e.kind == "cramp"
            ]
        )
        == 2
    )


def test_a_contraction_that_goes_on_at_its_level_is_not_raised_again():
    x, fs = _precursor_then_cramp(1, 60.0)
    left = _left(detect_array(x, fs, UV, "night")[0])
    assert len(left) == 1 and left[0].alert_s < 60.0


def test_the_escalated_alert_is_judged_at_the_cramp_s_level():
    """The confidence of the escalated alert sees the level the leg jumped to and the time
    since the first alert, not the precursor's features."""
    from crampdetect.core import Block
    from crampdetect.detect.cramp import CANDIDATE_FEATURES
    from crampdetect.pipeline import Pipeline
    from crampdetect.pipeline.offline import run_blocks

    x, fs = _precursor_then_cramp(1, 400.0)
    pipe = Pipeline(fs, ("ch0", "ch1"), UV, "night")
    log: list = []
    pipe._detector.alert_log = log
    blocks = (
        Block(x[:, a : a + 2000], fs, a, a / fs, 0, pipe.channels)
        for a in range(0, x.shape[1], 2000)
    )
    run_blocks(pipe, blocks)
    left = [(frame, row) for c, frame, row in log if c == 0]
    assert len(left) == 2  # the precursor, then the escalated cramp
    (f0, first), (f1, second) = left
    s = profile_settings("night")
    for name in ("log_level_rest", "log_rise", "log_level_reference"):
        k = CANDIDATE_FEATURES.index(name)
        assert second[k] - first[k] >= np.log(s.escalate_ratio)
    k = CANDIDATE_FEATURES.index("elapsed_s")
    assert second[k] - first[k] == pytest.approx((f1 - f0) * pipe.hop_s)


@pytest.mark.parametrize("seed", [1, 3])
def test_a_cramp_setting_in_as_the_other_leg_relaxes_is_raised(seed):
    """(escshape) The other leg moved until the cramp set in (the end of a turnover) and is
    quiet during the jump: the cramp is raised; the other leg still moving during the jump
    (turning over) holds it."""
    x, fs = _precursor_then_cramp(seed, 400.0)
    t = np.arange(x.shape[1]) / fs
    rng = np.random.default_rng(seed)
    relaxed, moving = x.copy(), x.copy()
    add_burst(relaxed, t, fs, rng, 1, 57.0, 60.0, 100.0, ramp_s=0.3, irregular=0.4)
    add_burst(moving, t, fs, rng, 1, 59.5, 64.0, 100.0, ramp_s=0.3, irregular=0.4)
    late = [e for e in _left(detect_array(relaxed, fs, UV, "night")[0]) if e.alert_s >= 60.0]
    assert late and late[0].alert_s <= 65.0 and late[0].detail["path"] == "escalate"
    assert not [e for e in _left(detect_array(moving, fs, UV, "night")[0]) if e.alert_s >= 60.0]
    # Read over turn_other_s (6 s), as before, the other leg's last move holds it.
    six = profile_settings("night").replace(escalate_other_s=0.0)
    assert not [
        e for e in _left(detect_array(relaxed, fs, UV, "night", settings=six)[0]) if e.alert_s >= 60
    ]


def _night_short_counts() -> tuple[np.ndarray, float, list]:
    """(escpeak, session 18) The monitor's default simulated night (``night-short``, seed 0,
    10-bit counts): one left-calf cramp that waxes and wanes between ~26 and ~70 counts (RMS)
    and is alerted in one of its troughs, 4 s after onset."""
    from crampdetect.simulate import simulate

    session = simulate("night-short", seed=0, fs=1000.0, representation=COUNTS10)
    x = np.concatenate([chunk for _, chunk in session.iter_chunks(10.0)], axis=1)
    cramps = [i for i in session.planned_labels["intervals"] if i["kind"] == "cramp"]
    return x, 1000.0, cramps


LEGS = ("calf_left", "calf_right")


def test_a_cramp_waxing_back_to_its_own_peak_is_one_event():
    x, fs, (cramp,) = _night_short_counts()
    events, _ = detect_array(x, fs, COUNTS10, "night", channels=LEGS)
    for block in (20, 137, 2900):  # 20: the live board's 20 ms blocks
        assert detect_array(x, fs, COUNTS10, "night", block=block, channels=LEGS)[0] == events
    left = [e for e in events if e.kind == "cramp" and e.channel == cramp["channel"]]
    assert len(left) == 1, left  # one cramp, one event, one prompt
    assert left[0].onset_s <= cramp["start_s"] + 0.5 and left[0].end_s >= cramp["end_s"] - 5.0
    # without escpeak its waxing 2x over the trough it was alerted in split it in two
    off = profile_settings("night").replace(escalate_peak_ratio=0.0)
    old, _ = detect_array(x, fs, COUNTS10, "night", channels=LEGS, settings=off)
    old = [e for e in old if e.kind == "cramp" and e.channel == cramp["channel"]]
    assert [e.detail["path"] for e in old] == [left[0].detail["path"], "escalate"]
