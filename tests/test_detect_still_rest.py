"""The weak path's still-rest test (``CrampDetector._still_rest``, nightweak session 20) as one
vectorised sliding minimum gives, to the bit, what its first form (a Python loop over the
candidate frames) gave: unknown frames (NaN, inf) are no rest, and rest spells that would
start before the span are not read."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from crampdetect.detect.cramp import CrampDetector


def _loop(ratio: np.ndarray, idx: np.ndarray, rest_w: int, back: int, limit: float) -> np.ndarray:
    """The loop it replaced (session 20), kept as the reference."""
    x = np.nan_to_num(ratio, nan=np.inf, posinf=np.inf)
    cs = np.concatenate([[0.0], np.cumsum(np.where(np.isfinite(x), x, 0.0))])
    bad = np.concatenate([[0], np.cumsum(~np.isfinite(x))])
    ok = np.zeros(idx.shape[0], dtype=bool)
    for i, e in enumerate(idx.tolist()):
        ends = np.arange(max(rest_w - 1, e - back + 1), e + 1)
        if not ends.size:
            continue
        lo = ends - rest_w + 1
        mean = (cs[ends + 1] - cs[lo]) / rest_w
        mean[(bad[ends + 1] - bad[lo]) > 0] = np.inf
        ok[i] = float(mean.min()) <= limit
    return ok


def _still_rest(ratio, idx, rest_w, back, limit):
    me = SimpleNamespace(settings=SimpleNamespace(weak_low_rest=limit))
    return CrampDetector._still_rest(me, ratio, idx, rest_w, back)


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(1, 80),
    rest_w=st.integers(1, 12),
    back=st.integers(1, 30),
    limit=st.sampled_from([1.0, 1.25, 1.5, 3.0]),
    seed=st.integers(0, 2**31 - 1),
    holes=st.floats(0.0, 0.3),
)
def test_still_rest_is_the_loop_to_the_bit(n, rest_w, back, limit, seed, holes):
    rng = np.random.default_rng(seed)
    ratio = rng.lognormal(0.1, 0.4, n)
    m = rng.random(n) < holes
    ratio[m] = rng.choice([np.nan, np.inf], int(m.sum()))
    idx = np.sort(rng.choice(n, size=int(rng.integers(0, n + 1)), replace=False))
    got = _still_rest(ratio, idx, rest_w, back, limit)
    assert got.dtype == bool
    np.testing.assert_array_equal(got, _loop(ratio, idx, rest_w, back, limit))


def test_still_rest_reads_only_rest_spells_within_the_span():
    # a still 1-s spell (mean 1.0) ending 5 frames before the index counts within back=6,
    # not within back=5; one cut off by the span's start does not count at all
    ratio = np.array([1.0, 1.0, 1.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0])
    idx = np.array([7])
    assert _still_rest(ratio, idx, 3, 6, 1.25).tolist() == [True]
    assert _still_rest(ratio, idx, 3, 5, 1.25).tolist() == [False]
    assert _still_rest(ratio, np.array([1]), 3, 6, 1.25).tolist() == [False]
    ratio[1] = np.nan  # an unknown frame is no rest
    assert _still_rest(ratio, idx, 3, 6, 1.25).tolist() == [False]
