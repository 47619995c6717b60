"""The detector's window statistics computed only over the spans asked for are the ones
computed over the whole block, bit for bit."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from crampdetect.features.context import LazyStats, trailing_stats

ARGS = dict(w=30, persist=10, relax_w=60, relax_fraction=0.25, rest_offset=0.5)


def _block(seed: int, n_hist: int, n: int):
    rng = np.random.default_rng(seed)
    level = np.exp(rng.normal(3.0, 1.0, (2, n_hist + n)))
    fast = level * np.exp(rng.normal(0.0, 0.3, level.shape))
    art = rng.random(level.shape) < 0.05
    base = np.where(rng.random((2, n)) < 0.1, np.nan, rng.uniform(5.0, 30.0, (2, n)))
    return level, fast, art, base


def _lazy(level, fast, art, base, n_hist):
    """LazyStats over the block after ``n_hist`` frames of history, as the detector builds it."""

    def compute(lo: int, hi: int) -> dict[str, np.ndarray]:
        a = n_hist + lo
        return trailing_stats(
            level[:, :a],
            level[:, a : n_hist + hi],
            fast[:, :a],
            fast[:, a : n_hist + hi],
            art[:, max(0, a - ARGS["w"] + 1) : a],
            art[:, a : n_hist + hi],
            base[:, lo:hi],
            **ARGS,
        )

    return LazyStats(compute, base.shape[1])


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_hist=st.integers(0, 90),
    n=st.integers(1, 400),
    spans=st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=4),
)
def test_spans_give_the_whole_blocks_values(seed, n_hist, n, spans):
    level, fast, art, base = _block(seed, n_hist, n)
    whole = _lazy(level, fast, art, base, n_hist)
    lazy = _lazy(level, fast, art, base, n_hist)
    asked = np.zeros(n, dtype=bool)
    for u, v in spans:
        mask = np.zeros(n, dtype=bool)
        mask[int(min(u, v) * (n - 1)) : int(max(u, v) * (n - 1)) + 1] = True
        lazy.need_where(mask)
        asked |= mask
    for key in ("relaxed", "irr", "dip", "med", "art"):
        got, want = lazy[key], whole[key]  # the whole one computes everything when read
        assert got.shape == want.shape
        np.testing.assert_array_equal(got[:, asked], want[:, asked], strict=True)
        if want.dtype == bool:
            assert not got[:, ~asked].any()
        else:
            assert np.isnan(got[:, ~asked]).all()


def test_nothing_is_computed_where_nothing_is_asked():
    level, fast, art, base = _block(1, 40, 200)
    calls = []
    lazy = _lazy(level, fast, art, base, 40)
    compute = lazy._compute
    lazy._compute = lambda lo, hi: calls.append((lo, hi)) or compute(lo, hi)
    lazy.need_where(np.zeros(200, dtype=bool))
    assert calls == []
    mask = np.zeros(200, dtype=bool)
    mask[10:20] = mask[30:40] = mask[170:180] = True  # the first two close: one span
    lazy.need_where(mask)
    assert calls == [(10, 40), (170, 180)]
    lazy.need_where(mask)  # asked again: computed already
    assert calls == [(10, 40), (170, 180)]
