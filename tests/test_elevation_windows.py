"""The weak path's elevation figures (running counts and maxima) equal each window reduced
on its own, bit for bit."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from crampdetect.features.context import elevation
from crampdetect.features.windows import windows


def _by_window(ratio_ext, n, w, floor, rest_w, rest_share, back):
    """``elevation`` by its definition: every window reduced on its own."""
    span = n + max(w, back + rest_w) - 1
    x = ratio_ext[:, -span:]
    if x.shape[1] < span:
        x = np.concatenate([np.full((x.shape[0], span - x.shape[1]), np.nan), x], axis=1)
    with np.errstate(invalid="ignore"):
        up, down = x >= floor, x < floor
    idx = np.arange(span)
    not_up = idx - np.maximum.accumulate(np.where(up, idx, -1), axis=1)
    tail = slice(span - (n + w - 1), span)
    share = windows(up[:, tail].astype(np.float64), w).mean(axis=2)
    longest = np.minimum(windows(not_up[:, tail], w).max(axis=2), w)
    spell = windows(down.astype(np.float64), rest_w).mean(axis=2) >= rest_share
    rested = windows(spell[:, -(n + back - 1) :], back).any(axis=2)
    return share, longest, rested, up[:, -n:], windows(x[:, tail], w)


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    channels=st.integers(1, 3),
    n=st.integers(1, 300),
    w=st.integers(2, 120),
    rest_w=st.integers(1, 30),
    back=st.integers(1, 200),
    history=st.integers(0, 500),
    nan_share=st.sampled_from([0.0, 0.05, 0.5]),
)
def test_running_counts_and_maxima_equal_each_window_reduced(
    seed, channels, n, w, rest_w, back, history, nan_share
):
    rng = np.random.default_rng(seed)
    ratio = np.exp(rng.normal(0.3, 1.0, (channels, n + history)))
    ratio[rng.random(ratio.shape) < nan_share] = np.nan
    args = (n, w, 1.5, rest_w, 0.8, back)
    for got, want in zip(elevation(ratio, *args), _by_window(ratio, *args), strict=True):
        np.testing.assert_array_equal(got, want, strict=True)
