"""Per-frame minimum, maximum and largest step of the unfiltered input: bit for bit the
per-frame reductions, for any block cuts, with zeros of either sign and NaN among the samples."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from crampdetect.features.hop import HopFeatures

FS, HOP, N = 1000.0, 50, 6000
RNG = np.random.default_rng(7)
NOISE = RNG.normal(0.0, 40.0, (2, N))
ZEROS = np.where(RNG.random((2, N)) < 0.4, 0.0, np.round(NOISE / 30.0))
ZEROS *= np.where(RNG.random((2, N)) < 0.5, -1.0, 1.0)  # -0.0 and +0.0 mixed
HOLES = NOISE.copy()
HOLES[:, 1234] = np.nan
SIGNALS = {"noise": NOISE, "zeros": ZEROS, "nan": HOLES}


def direct(x: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each frame's own reductions; the stream's first sample steps by 0."""
    n = x.shape[1] // HOP
    frames = x[:, : n * HOP].reshape(2, n, HOP)
    step = np.abs(np.diff(x, axis=1, prepend=x[:, :1]))[:, : n * HOP].reshape(2, n, HOP)
    return (
        np.minimum.reduce(frames, axis=2),
        np.maximum.reduce(frames, axis=2),
        np.maximum.reduce(step, axis=2),
    )


@settings(max_examples=30, deadline=None)
@given(name=st.sampled_from(sorted(SIGNALS)), cuts=st.lists(st.integers(0, N), max_size=10))
def test_extremes_are_the_per_frame_reductions_bit_for_bit(name, cuts):
    x = SIGNALS[name]
    feats = HopFeatures(FS, 2)
    got = []
    for a, b in itertools.pairwise([0, *sorted(cuts), N]):
        f = feats.process(x[:, a:b], x[:, a:b])
        got.append((f.raw_min, f.raw_max, f.raw_jump))
    for k, want in enumerate(direct(x)):
        joined = np.concatenate([g[k] for g in got], axis=1)
        assert joined.tobytes() == want.tobytes()
