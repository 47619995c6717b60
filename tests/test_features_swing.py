"""The envelope's swing (part night): a flat plateau against a contraction that builds up."""

from __future__ import annotations

import numpy as np

from crampdetect.features.context import swing_at

HOP_S = 0.05
W = round(4.0 / HOP_S)  # the night profile's fast_s


def _envelope(rise_s: float, level: float = 300.0, rest: float = 5.0, offset: float = 0.0):
    """30 s of rest, then a contraction rising linearly over ``rise_s`` to ``level`` (µV)."""
    t = np.arange(0.0, 40.0, HOP_S)
    up = np.clip((t - 30.0) / rise_s, 0.0, 1.0)
    return offset + rest + (level - rest) * up * (t >= 30.0)


def test_a_flat_plateau_swings_less_than_a_contraction_that_builds_up():
    end = np.array([round(34.0 / HOP_S) - 1])  # 4 s into the contraction
    base = np.array([5.0])
    flat = swing_at(_envelope(0.1), end, base, W)[0]
    built = swing_at(_envelope(1.5), end, base, W)[0]
    assert flat < 0.1
    assert built > 0.6


def test_an_envelope_resting_on_an_offset_is_judged_above_it():
    # MyoWare ENV rests on an ADC offset: the same build-up on a 600 µV offset swings as much
    # once the offset is taken off, far less if it is not.
    end = np.array([round(34.0 / HOP_S) - 1])
    base = np.array([605.0])
    on_offset = _envelope(1.5, level=400.0, offset=600.0)
    judged = swing_at(on_offset, end, base, W, rest_offset=1.0)[0]
    raw = swing_at(on_offset, end, base, W, rest_offset=0.0)[0]
    assert judged > 0.6 > raw


def test_windows_reaching_before_the_first_frame_repeat_it():
    x = _envelope(1.5)[round(29.0 / HOP_S) :]  # history begins 1 s before the contraction
    end = np.array([round(3.0 / HOP_S)])
    padded = np.concatenate([np.full(W, x[0]), x])
    assert (
        swing_at(x, end, np.array([5.0]), W)[0] == swing_at(padded, end + W, np.array([5.0]), W)[0]
    )
