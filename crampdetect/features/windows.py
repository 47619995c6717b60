"""Trailing windows over feature frames, as zero-copy strided views."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided


def windows(x: np.ndarray, w: int) -> np.ndarray:
    """Every window of ``w`` consecutive frames of ``x`` (n_channels, n) -> (n_channels, n-w+1, w).

    The same as ``sliding_window_view(x, w, axis=1)`` (read-only view), without its per-call
    argument handling, which dominates when a live block brings one or two frames.
    """
    c, n = x.shape
    m = n - w + 1
    if m <= 0:
        return np.empty((c, 0, w), dtype=x.dtype)
    s0, s1 = x.strides
    if not x.flags.c_contiguous:
        return as_strided(x, shape=(c, m, w), strides=(s0, s1, s1), writeable=False)
    v = np.ndarray((c, m, w), x.dtype, x, 0, (s0, s1, s1))  # a few µs less than as_strided
    v.flags.writeable = False
    return v
