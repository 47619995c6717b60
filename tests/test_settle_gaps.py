"""gaitcramp (session 13): a cramp that starts during gait takes away the relaxation gaps
between that leg's strides while the other leg keeps its own. The settle path then does not
ask the contraction to wax and wane (``settle_gap_ratio``): an ENV output driven to its rail
by a cramp is flat. A flat contraction that only begins after the stop (a voluntary hold)
still needs the irregularity."""

from __future__ import annotations

import numpy as np
import pytest
from synth import envelope_alerts

from crampdetect.core import InputError
from crampdetect.detect.settings import profile_settings

HOP = 0.05
STOP_S = 70.0


def _flat_from(seed: int, start_s: float) -> np.ndarray:
    """100 ms envelopes (2, n), µV, 50 ms frames, 90 s: walking (0.4 s bursts of 500 µV every
    1.1 s over 30 µV, legs alternating) from 2 s to STOP_S, standing (40 µV) after it; from
    ``start_s`` a flat 400 µV contraction of the left leg (at a rail: 1 % ripple) to the end,
    under its last strides if it starts before the stop."""
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, 90.0, HOP)
    x = np.empty((2, t.size))
    for ch in range(2):
        phase = (t - 2.0 - ch * 0.55) % 1.1
        walk = (t >= 2.0) & (t < STOP_S)
        x[ch] = np.where(walk, np.where(phase < 0.4, 500.0, 30.0), 40.0)
        x[ch] *= 1 + 0.05 * rng.standard_normal(t.size)
    up = t >= start_s
    x[0, up] = np.maximum(x[0, up], 400.0 * (1 + 0.01 * rng.standard_normal(up.sum())))
    return x


def _alerts(x: np.ndarray, cuts=(), **changes: float) -> list[tuple[int, float, str]]:
    out = envelope_alerts(x, HOP, np.full((2, 1), 20.0), 600.0, cuts, **changes)
    return [(c, f * HOP, path) for c, f, path in out]


def test_a_flat_cramp_that_closed_one_legs_gaps_in_gait_alerts_on_the_settle_path():
    alerts = _alerts(_flat_from(0, STOP_S - 2.5))
    assert [(c, p) for c, _, p in alerts][:1] == [(0, "settle")]
    assert alerts[0][1] <= STOP_S + 5.0
    # without the rule the flat contraction is too regular for the settle path: later
    off = _alerts(_flat_from(0, STOP_S - 2.5), settle_gap_ratio=0.0)
    assert all(p != "settle" and a > alerts[0][1] + 1.0 for _, a, p in off)


def test_a_flat_contraction_begun_after_the_stop_is_not_the_settle_path():
    alerts = _alerts(_flat_from(1, STOP_S + 0.5))
    assert all(p != "settle" for _, _, p in alerts)


@pytest.mark.parametrize("cuts", [[731, 1390], list(range(0, 1800, 37)), [1350]])
def test_the_gap_rule_does_not_depend_on_block_sizes(cuts):
    x = _flat_from(2, STOP_S - 2.0)
    assert _alerts(x, cuts) == _alerts(x)


def test_gap_settings_are_checked():
    base = profile_settings("training")
    for bad in (
        {"settle_gap_ratio": 1.5},
        {"settle_gap_stride_s": 0.0},
        {"settle_gap_s": 9.0},
        {
            "settle_s": 10.0,
            "settle_after_s": 10.0,
            "settle_gait_s": 2.0,
            "settle_gap_stride_s": 2.0,
        },
    ):
        with pytest.raises(InputError):
            base.replace(**bad)
    assert base.settle_gap_ratio > 0 and profile_settings("night").settle_gap_ratio == 0.0
