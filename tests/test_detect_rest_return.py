"""A cramp never returns to rest (part indnight, night): an open event whose leg is back at
its resting floor is no cramp any more, so a cramp after it is raised."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import detect_array
from synth import add_burst, scene

from crampdetect.core import Representation
from crampdetect.detect.settings import profile_settings

UV = Representation("raw", "uV", None)


def _left(events):
    return [e for e in events if e.kind == "cramp" and e.channel == "ch0"]


def _prodrome_dip_cramp(seed: int) -> tuple[np.ndarray, float]:
    """Night, 1 kHz, two legs at rest (5 µV); the left leg rises to ~60 µV from 45 s
    (alerted at ~52 s), is back at rest for 0.8 s at 80 s (shorter than ``end_s``), then
    cramps at 400 µV from 80.8 s: long after ``escalate_within_s`` from the first alert."""
    fs = 1000.0
    t, x, rng = scene(fs=fs, duration_s=120.0, n_channels=2, seed=seed)
    add_burst(x, t, fs, rng, 0, 45.0, 80.0, 60.0, ramp_s=0.5, irregular=0.4)
    add_burst(x, t, fs, rng, 0, 80.8, 110.0, 400.0, ramp_s=1.0, irregular=0.4)
    return x, fs


@pytest.mark.parametrize("seed", [1, 2])
def test_a_cramp_rising_out_of_a_dip_to_rest_escalates(seed):
    x, fs = _prodrome_dip_cramp(seed)
    # the share test would end the first event at the dip; judge the escalation alone
    night = profile_settings("night").replace(end_rest_share=0.0)
    events = detect_array(x, fs, UV, "night", settings=night)[0]
    assert detect_array(x, fs, UV, "night", block=137, settings=night)[0] == events
    left = _left(events)
    assert left and left[0].alert_s < 60.0
    late = [e for e in left if e.alert_s >= 80.0]
    assert late and late[0].alert_s <= 86.0 and late[0].detail["path"] == "escalate"
    # Without it the first event swallows the cramp (its escalation window is long over).
    off = night.replace(escalate_rest_s=0.0)
    assert not [
        e for e in _left(detect_array(x, fs, UV, "night", settings=off)[0]) if e.alert_s >= 80
    ]


def _motor_unit_after(seed: int) -> tuple[np.ndarray, float]:
    """Night, 1 kHz, two legs at rest (5 µV); the left leg contracts at ~70 µV from 20 to 40 s
    (alerted), then one motor unit fires on at rest (~6 per s, 8 ms biphasic potentials of
    150 µV: the 100 ms frames it fires in stand ~5x rest, the others at rest), and the leg
    cramps at 300 µV from 90 to 110 s."""
    fs = 1000.0
    t, x, rng = scene(fs=fs, duration_s=120.0, n_channels=2, seed=seed)
    add_burst(x, t, fs, rng, 0, 20.0, 40.0, 70.0, ramp_s=0.5, irregular=0.4)
    times = 40.0 + np.cumsum(rng.gamma(25.0, 1 / (25.0 * 6.0), 600))
    w = 0.004
    tk = np.arange(-2 * w, 2 * w, 1 / fs)
    wave = -tk / (w / 2) * np.exp(0.5 - 0.5 * (tk / (w / 2)) ** 2)
    for ts in times[times < 119.0]:
        i = int(ts * fs)
        x[0, i : i + tk.size] += 150.0 * wave
    add_burst(x, t, fs, rng, 0, 90.0, 110.0, 300.0, ramp_s=1.0, irregular=0.4)
    return x, fs


@pytest.mark.parametrize("seed", [1, 2])
def test_an_event_ends_where_its_leg_is_back_at_rest_between_motor_unit_potentials(seed):
    x, fs = _motor_unit_after(seed)
    events = detect_array(x, fs, UV, "night")[0]
    assert detect_array(x, fs, UV, "night", block=137)[0] == events
    left = _left(events)
    assert len(left) == 2
    assert left[0].alert_s < 40.0 and left[0].end_s is not None and left[0].end_s <= 42.0
    assert 90.0 <= left[1].alert_s <= 96.0
    # Without it the motor unit keeps the first event open over the cramp.
    off = profile_settings("night").replace(end_rest_share=0.0)
    left = _left(detect_array(x, fs, UV, "night", settings=off)[0])
    assert len(left) == 1 and (left[0].end_s is None or left[0].end_s > 110.0)
