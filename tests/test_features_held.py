"""How well an activation held up (part night): a cramp does not relax, a turnover sags."""

from __future__ import annotations

import numpy as np

from crampdetect.features.context import held_at

HOP_S = 0.05
W, K, CTX = round(3.0 / HOP_S), round(0.2 / HOP_S), round(4.0 / HOP_S)
T = np.arange(0.0, 40.0, HOP_S)
END = np.array([round(38.0 / HOP_S) - 1])


def _held(x, base=5.0, offset=0.0):
    return held_at(x, END, END - CTX, np.array([base]), W, K, rest_offset=offset)[0]


def _contraction(sag_to: float = 1.0, sag_s: float = 0.5, level: float = 300.0, offset=0.0):
    """Rest, then from 30 s a contraction at ``level`` (µV) sagging to ``sag_to`` x its level
    for ``sag_s`` around 36.5 s."""
    x = np.where(T >= 30.0, level, 5.0)
    x = np.where((T >= 36.5) & (T < 36.5 + sag_s), sag_to * level, x)
    return x + offset


def test_a_steady_contraction_holds_and_a_sagging_one_does_not():
    assert _held(_contraction()) == 1.0
    assert 0.25 < _held(_contraction(sag_to=0.3)) < 0.35
    # a sag shorter than the 200 ms mean is smoothed, not ignored
    assert 0.5 < _held(_contraction(sag_to=0.3, sag_s=0.1)) < 0.75


def test_a_sag_that_left_the_window_no_longer_counts():
    x = _contraction(sag_to=0.3)
    late = END + round(3.0 / HOP_S)  # 3 s on: the sag at 36.5-37 s lies outside the window
    x = np.concatenate([x, np.full(late[0] - END[0], 300.0)])
    assert held_at(x, late, late - CTX, np.array([5.0]), W, K)[0] == 1.0


def test_an_envelope_resting_on_an_offset_is_judged_above_it():
    # MyoWare ENV rests on an ADC offset: a sag to 30 % of what stands above a 600 µV offset
    # is a sag; judged with the offset, the envelope hardly moves.
    x = _contraction(sag_to=0.3, level=400.0, offset=600.0)
    assert _held(x, base=605.0, offset=1.0) < 0.4
    assert _held(x, base=605.0, offset=0.0) > 0.6


def test_the_median_is_taken_from_the_context_start_only():
    # A louder burst before the context (a turnover the cramp followed) does not count.
    x = _contraction()
    x = np.where((T >= 30.0) & (T < 35.0), 3000.0, x)
    assert _held(x) == 1.0
    assert held_at(x, END, END - 2 * CTX, np.array([5.0]), W, K)[0] < 0.2
