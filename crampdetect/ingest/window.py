"""Cutting a stream of contiguous samples into blocks on fixed windows of the sample clock."""

from __future__ import annotations

import numpy as np

from crampdetect.core import Block


class BlockWindow:
    """Collects contiguous samples and cuts them into blocks that end on multiples of
    ``block_s`` of the sample clock, and at gaps (after every frame when ``block_s`` is None).

    The cuts depend only on the sample indices, never on how the samples arrived, so the
    blocks are the same for any chunking of the input.

    Examples
    --------
    >>> w, out = BlockWindow(0.1), []
    >>> for start in range(0, 250, 25):
    ...     w.add(np.zeros((1, 25), np.uint16), start, start / 1000, 0, 1000.0, ("calf",), out)
    >>> [(b.start, b.n_samples) for b in out + w.flush()]
    [(0, 100), (100, 100), (200, 50)]
    """

    def __init__(self, block_s: float | None) -> None:
        self.block_s = block_s
        self._parts: list[np.ndarray] = []
        self._n = 0
        self._start = self._gap = 0
        self._t0 = self._fs = 0.0
        self._names: tuple[str, ...] = ()

    def add(
        self,
        samples: np.ndarray,
        start: int,
        t0: float,
        gap: int,
        fs: float,
        names: tuple[str, ...],
        out: list[Block],
    ) -> None:
        """Append samples (n_channels, n) whose first index is ``start``; completed blocks
        go to ``out``. A gap, or a new rate or channel set, ends the current block."""
        if self._parts and (gap or fs != self._fs or names != self._names):
            out += self.flush()
        if not self._parts:
            self._start, self._t0, self._gap, self._fs, self._names = start, t0, gap, fs, names
        self._parts.append(samples)
        self._n += samples.shape[1]
        if self.block_s is None:
            out += self.flush()
            return
        width = max(1, round(self.block_s * fs))
        boundary = (self._start // width + 1) * width
        if self._start + self._n < boundary:
            return
        data = self._parts[0] if len(self._parts) == 1 else np.concatenate(self._parts, axis=1)
        while self._start + data.shape[1] >= boundary:
            cut = boundary - self._start
            out.append(self._block(data[:, :cut]))
            data = data[:, cut:]
            self._t0 += cut / fs
            self._start, self._gap = boundary, 0
            boundary += width
        self._parts = [data] if data.shape[1] else []
        self._n = data.shape[1]

    def _block(self, data: np.ndarray) -> Block:
        values = data.astype(np.float64)
        return Block(values, self._fs, self._start, self._t0, self._gap, self._names)

    def flush(self) -> list[Block]:
        """The samples collected so far as one block (end of stream or link loss)."""
        if not self._parts:
            return []
        data = self._parts[0] if len(self._parts) == 1 else np.concatenate(self._parts, axis=1)
        self._parts, self._n = [], 0
        return [self._block(data)]
