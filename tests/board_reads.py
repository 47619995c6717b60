"""Test helpers shared by the serial and BLE source tests: a known sample pattern, reading a
source until a sample index, and checking that blocks came out exact and in place."""

from __future__ import annotations

import time

import numpy as np

from crampdetect.ingest.sources import BoardSource


def counts(n_samples: int) -> np.ndarray:
    """Two channels of distinct 10-bit counts, (2, n_samples) uint16."""
    i = np.arange(n_samples)
    return np.stack([(i * 7) % 1024, (i * 7 + 100) % 1024]).astype(np.uint16)


def read_until(source: BoardSource, n_samples: int, timeout_s: float = 20.0) -> list:
    """Blocks until their stop index reaches n_samples (waits on the queue, no polling sleep)."""
    blocks: list = []
    deadline = time.monotonic() + timeout_s
    while (not blocks or blocks[-1].stop < n_samples) and time.monotonic() < deadline:
        blocks += source.read(timeout_s=0.5)
    return blocks


def check(blocks: list, data: np.ndarray) -> None:
    """Every block starts where the last stopped (plus its gap) and holds exactly ``data``."""
    stop = 0
    for b in blocks:
        assert b.start == stop + b.gap, "samples duplicated or reordered"
        np.testing.assert_array_equal(b.data, data[:, b.start : b.stop])
        stop = b.stop
