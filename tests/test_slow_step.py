"""(holdfa) Training: a hold or a raise stepped up out of standing is not the contraction the
slow path found sustained. No slow-path alert while the envelope stands above ``slow_step`` x
its median over the last ``fast_s``."""

from __future__ import annotations

import itertools

import numpy as np

from crampdetect.detect.cramp import CrampDetector
from crampdetect.detect.settings import profile_settings

HOP_S = 0.05
REF = 50.0  # activity reference (µV) of both legs
#: Resting baselines (µV): the right leg's has settled at its standing level (as in
#: tests/test_standing.py), the left one stands after a rest.
BASE = np.array([[1.0], [4.0]])


def _frames(s: float) -> int:
    return round(s / HOP_S)


def _alerts(fast: np.ndarray, cuts=(), **changes: float) -> list[tuple[int, int, str]]:
    """(channel, alert frame, path) of training alerts for 100 ms envelopes ``fast`` (2, n)
    in µV, fed to the detector directly in blocks cut at ``cuts`` (frames)."""
    n = fast.shape[1]
    level = np.stack([np.convolve(f, np.ones(5) / 5, mode="same") for f in fast])
    # the fast path off (a step is "irregular" to it): the slow path is under test
    s = profile_settings("training").replace(irregular=10.0, **changes)
    det = CrampDetector(2, HOP_S, s)
    out = []
    for a, b in itertools.pairwise(sorted({0, *cuts, n})):
        m = b - a
        zeros = np.zeros((2, m), dtype=bool)
        out += det.update(a, fast[:, a:b], level[:, a:b], BASE * np.ones(m), zeros, zeros,
                          np.full((2, m), REF))  # fmt: skip
    return [(e.channel, e.alert_frame, e.detail["path"]) for e in out if e.kind == "cramp"]


def _scene(left: float, step_at_s: float, step_s: float) -> np.ndarray:
    """30 s: the right leg standing at 15 µV throughout, the left at rest for 5 s, then at
    ``left`` µV (both with a slow postural sway) stepping up to 45 µV (0.9 of the reference)
    from ``step_at_s`` for ``step_s`` s, then at rest."""
    t = np.arange(_frames(30.0)) * HOP_S
    sway = 1.0 + 0.1 * np.sin(2 * np.pi * 0.3 * t)
    fast = np.stack([np.ones_like(t), 15.0 * sway[::-1]])
    fast[0, _frames(5.0) : _frames(25.0)] = left * sway[: _frames(20.0)]
    fast[0, _frames(step_at_s) : _frames(step_at_s + step_s)] = 45.0
    fast[0, _frames(step_at_s + step_s) :] = 1.0
    return fast


def test_a_brief_step_up_out_of_standing_is_not_alerted():
    """The left leg stands for 12 s (the slow path's run is long enough; the standing test
    keeps it quiet), then steps up for 1.2 s and sits down: a raise, not a sustained
    contraction."""
    fast = _scene(16.0, 17.0, 1.2)
    before = _alerts(fast, slow_step=0.0)
    assert [(c, p) for c, _, p in before][:1] == [(0, "slow")]
    assert _frames(17.0) <= before[0][1] < _frames(18.2)
    assert _alerts(fast) == []
    assert _alerts(fast, cuts=(3, 339, 350, 351, 500)) == []


def test_a_contraction_from_rest_held_on_alerts_as_before():
    """From rest to 45 µV at 5 s for 14 s: the level is its own median long before the slow
    path's time; the same alert with the rule as without."""
    fast = _scene(1.0, 5.0, 14.0)
    alerts = _alerts(fast)
    assert [c for c, *_ in alerts][:1] == [0]
    assert alerts == _alerts(fast, slow_step=0.0)
