"""Per-frame flags over a stream's recent frames, one part of them computed only where read."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


class FrameFlags:
    """Boolean flags (n_channels, frames) on a stream's frame clock, kept for the last ``keep``
    frames before the newest :meth:`extend`.

    ``lazy(lo, hi)``, if given, returns flags (n_channels, hi - lo) of frames ``lo .. hi - 1``
    that are OR-ed in only where :meth:`frames` reads: a costly test (the detector reads the
    motion-artefact flag only inside runs) is then paid for only where something needs it.
    """

    def __init__(
        self,
        n_channels: int,
        keep: int,
        lazy: Callable[[int, int], np.ndarray] | None = None,
    ) -> None:
        self.keep = keep
        self._lazy = lazy
        self._flags = np.zeros((n_channels, 0), dtype=bool)
        self.start = 0  # frame of the first flag kept

    @property
    def stop(self) -> int:
        """The frame after the last one added."""
        return self.start + self._flags.shape[1]

    def extend(self, start: int, flags: np.ndarray) -> None:
        """Add the flags (n_channels, n) of frames ``start .. start + n - 1``. The frames kept
        are the ones just before ``start`` (relabelled if the clock jumped)."""
        kept = self._flags[:, max(0, self._flags.shape[1] - self.keep) :]
        self._flags = np.concatenate([kept, flags], axis=1)
        self.start = start - kept.shape[1]

    def frames(self, lo: int, hi: int) -> np.ndarray:
        """Flags (n_channels, hi - lo) of frames ``lo .. hi - 1`` (a new array)."""
        if lo < self.start or hi > self.stop or hi < lo:
            raise ValueError(f"frames {lo}..{hi} outside the {self.start}..{self.stop} kept")
        out = self._flags[:, lo - self.start : hi - self.start]
        if self._lazy is None or hi == lo:
            return out.copy()
        return out | self._lazy(lo, hi)
