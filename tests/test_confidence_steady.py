"""confsteady (session 19): steadiness and onset shape of the run at the alert, as confidence
evidence (``tail_cv``, ``swing``, ``swing_ratio``, ``step_share``, ``ramp_s``): a voluntary
hold steps up to a flat plateau, a cramp may ramp up and waxes and wanes."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crampdetect.detect import confidence as conf
from crampdetect.detect.cramp import ALERT_FEATURES, CrampDetector
from crampdetect.detect.settings import profile_settings

FR = 20.0  # frames per s
NAMES = ("tail_cv", "swing", "swing_ratio", "step_share", "ramp_s")


def _steady(fast: np.ndarray, run_start: int, onset: int) -> dict[str, float]:
    x = conf.steady_context(fast, run_start, onset, fast.size - 1, FR)
    return dict(zip(NAMES, x.tolist(), strict=True))


def _run(rise_s: float, wax: float, seed: int = 2) -> tuple[np.ndarray, int]:
    """30 s of a 100 ms envelope (µV): rest at 5, from 20 s a contraction to 150 rising over
    ``rise_s`` s, waxing and waning slowly by ``wax`` (sd, below 1 Hz) over envelope noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(30 * FR)) / FR
    start = round(20 * FR)
    slow = np.convolve(rng.standard_normal(t.size), np.ones(30) / 30, mode="same")
    level = 150.0 * (1.0 + wax * slow / slow.std())
    up = np.clip((t - 20.0) / max(rise_s, 1e-9), 0.0, 1.0)
    fast = 5.0 + up * level * (1.0 + 0.08 * rng.standard_normal(t.size))
    return np.maximum(fast, 1.0), start


def test_a_stepped_flat_hold_and_a_ramped_waxing_cramp_differ():
    hold = _steady(*_run(0.1, 0.0), onset=round(20 * FR))
    cramp = _steady(*_run(3.0, 0.25), onset=round(20 * FR))
    assert cramp["swing"] > 2 * hold["swing"]
    assert cramp["swing_ratio"] > hold["swing_ratio"] + 0.5
    assert cramp["tail_cv"] > hold["tail_cv"]
    assert hold["step_share"] > 0.8 > 0.4 > cramp["step_share"]
    assert hold["ramp_s"] < 0.5 < 1.5 < cramp["ramp_s"]


def test_swing_ratio_does_not_depend_on_the_level():
    fast, start = _run(3.0, 0.25)
    a, b = _steady(fast, start, start), _steady(7.0 * fast, start, start)
    for name in NAMES:
        assert a[name] == pytest.approx(b[name])


def test_nothing_to_read_is_no_evidence():
    assert not conf.steady_context(np.zeros(100), 50, 50, 99, FR).any()
    assert not conf.steady_context(np.ones(1), 0, 0, 0, FR).any()


HOP_S = 0.05


def _scene(depth: float) -> np.ndarray:
    """40 s: rest, then from 5 s to 35 s the left leg alone at 16 µV waxing and waning."""
    n = round(40.0 / HOP_S)
    base = np.array([[1.0], [4.0]])
    fast = np.ones((2, n)) * base
    span = slice(round(5.0 / HOP_S), round(35.0 / HOP_S))
    x = np.random.default_rng(1).standard_normal(span.stop - span.start)
    x = np.convolve(x, np.ones(10) / 10, mode="same")
    fast[0, span] = 16.0 * np.clip(1.0 + depth * x / x.std(), 0.3, None)
    return fast


def _alert_rows(fast: np.ndarray, cuts=()) -> list[tuple[int, int, list[float]]]:
    """The detector's alert log (channel, frame, ALERT_FEATURES) for envelopes ``fast`` fed in
    blocks cut at ``cuts`` (frames)."""
    base, ref = np.array([[1.0], [4.0]]), np.array([[50.0], [50.0]])
    level = np.stack([np.convolve(f, np.ones(5) / 5, mode="same") for f in fast])
    det = CrampDetector(2, HOP_S, profile_settings("training").replace(min_confidence=0.0))
    det.alert_log = []
    n = fast.shape[1]
    for a, b in itertools.pairwise(sorted({0, *cuts, n})):
        m = b - a
        zeros = np.zeros((2, m), dtype=bool)
        det.update(
            a, fast[:, a:b], level[:, a:b], base * np.ones(m), zeros, zeros, ref * np.ones(m)
        )
    return [(c, f, x.tolist()) for c, f, x in det.alert_log]


def test_the_detector_logs_the_features_at_its_alerts():
    rows = _alert_rows(_scene(0.21))
    assert rows
    for _c, _f, x in rows:
        got = dict(zip(ALERT_FEATURES, x, strict=True))
        assert got["swing"] > 0 and got["step_share"] > 0
        assert np.isfinite([got[n] for n in NAMES]).all()


@pytest.mark.slow
@settings(max_examples=10, deadline=None)
@given(st.lists(st.integers(1, round(40.0 / HOP_S) - 1), max_size=20))
def test_the_features_do_not_depend_on_block_sizes(cuts):
    fast = _scene(0.21)
    assert _alert_rows(fast, cuts) == _alert_rows(fast)
