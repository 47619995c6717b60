"""Resting-level baseline per channel, updated once per second and frozen during activity."""

from __future__ import annotations

import numpy as np


class BaselineTracker:
    """Track each channel's resting envelope level (µV) from 1-s segments of feature frames.

    Each completed segment contributes its floor (20th percentile of the envelope). A floor
    close to the baseline moves it (quickly down, slowly up); a floor well above it (activity,
    a cramp) leaves it frozen. After ``rebase_s`` of uninterrupted activity without a rest the
    baseline jumps to the current floor: a new steady level (standing, a changed electrode
    contact) becomes the reference. Frames of a segment use the baseline from before it, so the
    result does not depend on block boundaries.

    Parameters
    ----------
    n_channels : int
        Number of channels.
    seg_frames : int
        Frames per segment (1 s).
    floor_uv : float
        Lowest allowed baseline in µV (ADC resolution or amplifier noise).
    fixed : ndarray or None
        Calibrated resting levels in µV per channel: used as a frozen baseline.
    """

    def __init__(
        self,
        n_channels: int,
        seg_frames: int,
        floor_uv: float,
        fixed: np.ndarray | None = None,
        rebase_s: float = 60.0,
    ) -> None:
        self.n_channels = n_channels
        self.seg_frames = seg_frames
        self.floor_uv = floor_uv
        self.fixed = None if fixed is None else np.asarray(fixed, dtype=float)
        self.rebase_segments = round(rebase_s)
        self.reset()

    def reset(self) -> None:
        c = self.n_channels
        self.value = np.full(c, np.nan) if self.fixed is None else self.fixed.copy()
        self._buf = np.zeros((c, 0))
        self._skip = np.zeros((c, 0), dtype=bool)
        self._active = np.zeros(c, dtype=int)

    def process(self, level: np.ndarray, skip: np.ndarray) -> np.ndarray:
        """Baseline per frame (n_channels, n) for envelope ``level``; ``skip`` marks bad frames."""
        n = level.shape[1]
        out = np.empty_like(level)
        if self.fixed is not None:
            out[:] = self.fixed[:, None]
            return out
        buf = np.concatenate([self._buf, level], axis=1)
        sk = np.concatenate([self._skip, skip], axis=1)
        offset = self._buf.shape[1]  # frames of buf that were output already
        seg = self.seg_frames
        n_seg = buf.shape[1] // seg
        pos = 0
        for k in range(n_seg):
            a, b = k * seg, (k + 1) * seg
            lo, hi = max(a, offset) - offset, b - offset
            if hi > lo:
                out[:, lo:hi] = self.value[:, None]
            self._update(buf[:, a:b], sk[:, a:b])
            pos = b
        rest = buf.shape[1] - pos
        if rest:
            lo = max(pos, offset) - offset
            out[:, lo:] = self.value[:, None]
        self._buf = buf[:, pos:]
        self._skip = sk[:, pos:]
        assert out.shape[1] == n
        return out

    def _update(self, seg: np.ndarray, skip: np.ndarray) -> None:
        k = max(0, int(0.2 * seg.shape[1]) - 1)
        floor = np.maximum(np.partition(seg, k, axis=1)[:, k], self.floor_uv)
        usable = skip.mean(axis=1) < 0.5
        v = self.value
        first = np.isnan(v) & usable
        v = np.where(first, floor, v)
        ratio = floor / np.where(np.isnan(v), 1.0, v)
        quiet = usable & ~first & (ratio < 2.0)
        rate = np.where(ratio < 1.0, 0.25, 1.0 / 30.0)
        v = np.where(quiet, v * ratio**rate, v)
        self._active = np.where(quiet | first, 0, self._active + usable)
        rebase = self._active >= self.rebase_segments
        v = np.where(rebase, floor, v)
        self._active[rebase] = 0
        self.value = np.maximum(v, self.floor_uv)
