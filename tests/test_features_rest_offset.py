"""The envelope's resting offset is taken off before the dip and relaxation tests (ENV)."""

from __future__ import annotations

import numpy as np
import pytest

from crampdetect.features.context import trailing_stats


def _stats(level: np.ndarray, base: float, rest_offset: float, cut: int | None = None):
    """Stats of a 1-channel envelope, frames at 50 ms, in one call or cut at ``cut``."""
    x, b = level[None, :], np.full((1, level.size), base)
    z = np.zeros((1, 0))
    zb = np.zeros((1, 0), dtype=bool)
    art = np.zeros_like(x, dtype=bool)
    args = dict(w=30, persist=10, relax_w=60, relax_fraction=0.25, rest_offset=rest_offset)
    if cut is None:
        return trailing_stats(z, x, z, x, zb, art, b, **args)
    keep = 60  # history the detector keeps is longer than any window here
    first = trailing_stats(z, x[:, :cut], z, x[:, :cut], zb, art[:, :cut], b[:, :cut], **args)
    h = x[:, max(0, cut - keep) : cut]
    ha = art[:, max(0, cut - keep) : cut]
    second = trailing_stats(h, x[:, cut:], h, x[:, cut:], ha, art[:, cut:], b[:, cut:], **args)
    return {k: np.concatenate([first[k], second[k]], axis=1) for k in first}


def _gait_on_an_offset(n: int = 400) -> np.ndarray:
    """Stride bursts of 8x an offset floor of 500 µV, falling back to the floor between."""
    t = np.arange(n) * 0.05
    burst = np.clip(np.sin(2 * np.pi * t / 0.7), 0.0, None) ** 2
    return 500.0 + 3500.0 * burst


def test_relaxations_between_strides_show_above_the_floor_only():
    env = _gait_on_an_offset()
    plain, floored = _stats(env, 500.0, 0.0), _stats(env, 500.0, 1.0)
    # The floor is 12 % of the bursts' mean: no frame falls below 25 % of it ...
    assert not plain["relaxed"][0, 60:].any()
    assert plain["dip"][0, 60:].min() > 0.2
    # ... while above the floor the envelope relaxes every stride.
    assert floored["relaxed"][0, 60:].mean() > 0.2
    assert floored["dip"][0, 60:].max() < 0.05


def test_a_steady_contraction_is_not_relaxed_either_way():
    env = np.full(400, 4000.0) * (1 + 0.1 * np.sin(np.arange(400) * 0.3))
    for offset in (0.0, 1.0):
        s = _stats(env, 500.0, offset)
        assert not s["relaxed"][0, 60:].any()
        assert s["dip"][0, 60:].min() > 0.5


@pytest.mark.parametrize("cut", [1, 77, 250])
def test_the_same_whatever_the_block_cut(cut):
    env = _gait_on_an_offset()
    whole, parts = _stats(env, 500.0, 1.0), _stats(env, 500.0, 1.0, cut)
    for k in ("relaxed", "dip", "irr", "med"):
        np.testing.assert_array_equal(whole[k], parts[k])
