"""The activity classifier reads a recording a chunk at a time (a whole night fits): the
envelope of a run read in chunks is the envelope of the run read whole, each segment loaded
once, and windows classified in batches get the labels of one pass."""

from __future__ import annotations

import numpy as np
import pytest

from crampdetect.core import Representation
from crampdetect.reports import activity
from crampdetect.storage.recording import Segment

FS = 500.0


def _segments(data: np.ndarray, size: int, held: list[int]) -> list[Segment]:
    """``data`` cut into segments of ``size`` samples whose loads are counted in ``held``."""
    out = []
    for start in range(0, data.shape[1], size):
        part = data[:, start : start + size]

        def load(p=part):
            held.append(p.shape[1])
            return p

        out.append(Segment(start, start / FS, part.shape[1], load))
    return out


@pytest.mark.parametrize("signal", ["raw", "env"])
def test_a_run_read_in_chunks_has_the_envelope_of_the_run_read_whole(signal, monkeypatch):
    rng = np.random.default_rng(3)
    n = int(95 * FS) + 7  # not a whole number of chunks nor of envelope steps
    burst = 1 + 20 * (np.sin(np.arange(n) / FS * 2 * np.pi * 0.9) > 0.6)
    data = rng.normal(0, 5, (2, n)) * burst
    monkeypatch.setattr(activity, "CHUNK_S", 7.3)  # many seams
    monkeypatch.setattr(activity, "MARGIN_S", 2.0)
    held: list[int] = []
    uv = Representation(signal, "uV")
    chunked = activity.run_envelope(_segments(data, 333, held), FS, uv, signal)
    whole = activity.rms_envelope(data, FS, signal)
    assert chunked.shape == whole.shape
    assert np.allclose(chunked, whole, rtol=1e-9, atol=1e-9 * np.abs(whole).max())
    assert sum(held) < 1.2 * n  # each segment loaded about once (a margin's worth again)


def test_classify_in_batches_labels_every_window_as_a_whole_pass_does(monkeypatch):
    rng = np.random.default_rng(5)
    t = np.arange(int(900 * activity.ENV_FS)) / activity.ENV_FS
    env = np.abs(rng.normal(30, 12, (2, t.size))) * (1 + np.sin(2 * np.pi * 1.4 * t)) + 4
    env[:, : t.size // 3] = np.abs(rng.normal(6, 1, (2, t.size // 3)))
    monkeypatch.setattr(activity, "BATCH_WINDOWS", 10**9)  # one pass over every window
    whole = activity.classify(env)
    monkeypatch.setattr(activity, "BATCH_WINDOWS", 37)
    assert np.array_equal(activity.classify(env), whole)
    assert {"rest", "running"} <= set(whole.ravel())
