"""The harmonics rechecks of a block scored at once give what scoring each segment gives."""

import numpy as np
import pytest

from crampdetect.filters.mains import MainsSuppressor


class _OneAtATime(MainsSuppressor):
    """Scores every recheck from its own running spectrum (no batch)."""

    def _recheck_harmonics(self, db: np.ndarray | None = None) -> bool:
        return super()._recheck_harmonics(None)


def _hum(fs: float, n_channels: int, seconds: float, seed: int) -> np.ndarray:
    """EMG-like noise (µV) with 50 Hz hum, harmonics switching on part-way."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(seconds * fs)) / fs
    x = rng.normal(0.0, 20.0, (n_channels, t.size))
    x[0] += 40.0 * np.sin(2 * np.pi * 50.0 * t)
    x[-1] += np.where(t > 0.4 * seconds, 15.0, 0.0) * np.sin(2 * np.pi * 150.0 * t + 0.3)
    x[-1] += np.where(t > 0.7 * seconds, 10.0, 0.0) * np.sin(2 * np.pi * 250.0 * t)
    return x


def _run(m: MainsSuppressor, x: np.ndarray, block: int) -> tuple[np.ndarray, np.ndarray]:
    outs, figs = [], []
    for a in range(0, x.shape[1], block):
        outs.append(m.process(x[:, a : a + block]))
        ends = np.arange(a, a + outs[-1].shape[1], 100) + 100
        figs.append(np.stack(list(m.share_at(ends).values())))
    return np.concatenate(outs, axis=1), np.concatenate(figs, axis=2)


@pytest.mark.parametrize(
    ("fs", "n_channels", "block_s"), [(1000.0, 1, 60.0), (1000.0, 2, 60.0), (2000.0, 3, 37.3)]
)
def test_batched_rechecks_equal_one_segment_at_a_time(fs, n_channels, block_s):
    x = _hum(fs, n_channels, 150.0, seed=int(fs) + n_channels)
    block = round(block_s * fs)
    batched = MainsSuppressor(fs, n_channels)
    single = _OneAtATime(fs, n_channels)
    out_b, figs_b = _run(batched, x, block)
    out_s, figs_s = _run(single, x, block)
    assert batched.harmonics_hz == single.harmonics_hz
    assert {150.0, 250.0} <= set(batched.harmonics_hz)  # notches were added mid-stream
    assert out_b.tobytes() == out_s.tobytes()
    assert figs_b.tobytes() == figs_s.tobytes()


@pytest.mark.parametrize("n_channels", [1, 2])
@pytest.mark.parametrize("fundamental_only", [True, False])
def test_segment_scores_do_not_depend_on_the_batch(n_channels, fundamental_only):
    """A segment's line score is bit-identical alone, in a short batch or in a long one, so a
    line exactly at the threshold is found at the same segment whatever the block cuts."""
    m = MainsSuppressor(1000.0, n_channels)
    rng = np.random.default_rng(n_channels)
    avgs = rng.gamma(1.0, 1.0, size=(n_channels, 40, m._freqs.size))
    for f0 in (50.0, 60.0):
        batch = m._scores(avgs, f0, fundamental_only)[1]
        alone = np.stack([m._scores(avgs[:, k], f0, fundamental_only)[1] for k in range(40)], 1)
        short = np.concatenate(
            [m._scores(avgs[:, k : k + 7], f0, fundamental_only)[1] for k in range(0, 40, 7)], 1
        )
        assert batch.tobytes() == alone.tobytes() == short.tobytes()
