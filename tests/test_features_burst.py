"""nightfa: a burst that ended (turning over) against a contraction rising from rest."""

from __future__ import annotations

import numpy as np

from crampdetect.features.context import fell_after_up

HOP_S = 0.05
T = np.arange(0.0, 20.0, HOP_S)
END = np.array([T.size - 1])
W, K_UP, K_LOW = round(6.0 / HOP_S), round(0.5 / HOP_S), round(0.2 / HOP_S)
REST = 5.0


def _fell(x):
    return bool(fell_after_up(x, END, np.array([REST]), W, K_UP, K_LOW, 4.0)[0])


def _up(x, a, b, level):
    return np.where((T >= a) & (T < b), level, x)


def test_a_burst_back_to_rest_fell_and_a_rising_contraction_did_not():
    rest = np.full(T.size, REST)
    assert _fell(_up(rest, 16.0, 17.0, 300.0))  # 1 s burst, then 3 s of rest
    assert not _fell(_up(rest, 17.0, 20.0, 300.0))  # rose from rest 3 s ago, still up
    assert not _fell(rest)


def test_a_twitch_or_a_burst_long_ago_is_not_a_burst_that_ended():
    rest = np.full(T.size, REST)
    assert not _fell(_up(rest, 16.0, 16.2, 3000.0))  # 0.2 s: a twitch, however strong
    assert not _fell(_up(rest, 10.0, 12.0, 300.0))  # ended before the last 6 s


def test_a_burst_that_sags_but_stays_up_did_not_fall():
    rest = np.full(T.size, REST)
    x = _up(_up(rest, 15.0, 20.0, 300.0), 17.0, 17.5, 30.0)  # sags to 6x rest: still up
    assert not _fell(x)
    assert _fell(_up(x, 17.0, 17.5, 15.0))  # down to 3x rest: back towards rest
