"""Turn per-frame boolean masks into intervals, causally and independently of block boundaries."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: ``ndarray.any()`` over all axes without its Python-level wrapper (small live arrays).
_any = np.logical_or.reduce


@dataclass(frozen=True, slots=True)
class Span:
    """An interval of frames [start, stop) on one channel; ``stop`` None while still open."""

    channel: int
    start: int
    stop: int | None


class IntervalTracker:
    """Open an interval after ``min_on`` consecutive true frames, close it after ``min_off`` false.

    ``feed`` returns spans as they open (``stop`` None) and as they close. A closed span ends
    at the frame after its last true frame.

    Parameters
    ----------
    n_channels : int
        Number of channels (rows of the masks).
    min_on, min_off : int
        Frames of persistence to open and to close.
    """

    def __init__(self, n_channels: int, min_on: int = 1, min_off: int = 1) -> None:
        self.n_channels = n_channels
        self.min_on = max(1, min_on)
        self.min_off = max(1, min_off)
        #: Per frame of the last ``feed``: an interval was open (or not yet closed) there.
        self.open_mask = np.zeros((n_channels, 0), dtype=bool)
        self.reset()

    def reset(self) -> None:
        c = self.n_channels
        self._open = np.zeros(c, dtype=bool)  # interval reported open
        self._run_start = np.full(c, -1)  # start of the current true run (-1: none)
        self._last_true = np.full(c, -(10**12))  # last frame that was true
        self._start = np.zeros(c, dtype=np.int64)  # start of the open interval
        self._idle = True  # no interval open and no true run going on, on any channel

    @property
    def idle(self) -> bool:
        """No interval open and no true run going on, on any channel."""
        return self._idle

    def is_open(self, channel: int) -> bool:
        return bool(self._open[channel])

    def feed(self, mask: np.ndarray, start: int) -> list[Span]:
        """Add frames ``start .. start + n`` of a (n_channels, n) mask."""
        out: list[Span] = []
        n = mask.shape[1]
        self.open_mask = np.zeros((self.n_channels, n), dtype=bool)
        if n == 0:
            return out
        if self._idle and not _any(mask, None):  # nothing open, no run going on, nothing new
            return out
        for ch in range(self.n_channels):
            m = mask[ch]
            if not m.any() and not self._open[ch] and self._run_start[ch] < 0:
                continue
            out.extend(self._feed_channel(ch, m, start, self.open_mask[ch]))
        self._idle = not self._open.any() and bool((self._run_start < 0).all())
        return out

    def _feed_channel(self, ch: int, m: np.ndarray, start: int, om: np.ndarray) -> list[Span]:
        out: list[Span] = []
        idx = np.flatnonzero(np.diff(np.concatenate([[0], m.astype(np.int8), [0]])))
        runs = idx.reshape(-1, 2) + start  # [first_true, past_last_true) per run
        n_end = start + m.shape[0]
        opened = start  # frame from which the current interval is known to be open

        def close() -> None:
            out.append(Span(ch, int(self._start[ch]), int(self._last_true[ch] + 1)))
            om[max(opened - start, 0) : max(self._last_true[ch] + self.min_off - start, 0)] = True
            self._open[ch] = False

        for a, b in runs:
            # Gap of falses before this run.
            if self._open[ch] and a - self._last_true[ch] - 1 >= self.min_off:
                close()
            if self._run_start[ch] >= 0 and a != self._last_true[ch] + 1:
                self._run_start[ch] = -1
            if self._run_start[ch] < 0:
                self._run_start[ch] = a
            self._last_true[ch] = b - 1
            if not self._open[ch] and b - self._run_start[ch] >= self.min_on:
                self._open[ch] = True
                self._start[ch] = self._run_start[ch]
                opened = max(a, self._run_start[ch] + self.min_on - 1)
                out.append(Span(ch, int(self._start[ch]), None))
        if self._last_true[ch] < n_end - 1:
            self._run_start[ch] = -1
            if self._open[ch] and n_end - 1 - self._last_true[ch] >= self.min_off:
                close()
        if self._open[ch]:
            om[max(opened - start, 0) :] = True
        return out

    def close_all(self) -> list[Span]:
        """End of stream: close every open interval at its last true frame."""
        out = []
        for ch in np.flatnonzero(self._open):
            out.append(Span(int(ch), int(self._start[ch]), int(self._last_true[ch] + 1)))
        self.reset()
        return out
