"""Per-hop features at a fixed hop (default 50 ms): amplitude, TKEO, spectrum, and raw-signal stats.

A :class:`HopFeatures` turns blocks of filtered EMG (µV) plus the unfiltered input into one
feature frame per hop per channel. Leftover samples are carried to the next block, so the
frames do not depend on block boundaries. The median frequency, which only the
motion-artefact test reads and only inside runs, is computed when asked for
(:meth:`HopFeatures.median_frequency`) over the recent frames.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

#: Hops per spectral window (4 x 50 ms = 200 ms).
SPECTRAL_HOPS = 4


@dataclass(frozen=True, slots=True)
class FeatureFrames:
    """Feature frames for consecutive hops; every array is shaped (n_channels, n_frames).

    Attributes
    ----------
    start : int
        Index of the first frame on the stream's frame clock.
    hop_s : float
        Frame spacing in s.
    rms_fast, rms : ndarray
        RMS of the band-passed EMG over 2 and 5 hops (100 and 250 ms), µV. For ENV input,
        the mean envelope over the same spans.
    tkeo : ndarray
        Mean Teager-Kaiser energy over the hop, µV².
    raw_min, raw_max, raw_mean, raw_jump : ndarray
        Minimum, maximum, mean and largest sample-to-sample step of the unfiltered input
        over the hop, in input units.
    """

    start: int
    hop_s: float
    rms_fast: np.ndarray
    rms: np.ndarray
    tkeo: np.ndarray
    raw_min: np.ndarray
    raw_max: np.ndarray
    raw_mean: np.ndarray
    raw_jump: np.ndarray

    @property
    def n_frames(self) -> int:
        return self.rms.shape[1]

    @property
    def stop(self) -> int:
        return self.start + self.n_frames


def _join(tail: np.ndarray, new: np.ndarray) -> np.ndarray:
    """``tail`` then ``new`` along samples, C-contiguous, copied only if needed."""
    return np.concatenate([tail, new], axis=1) if tail.shape[1] else np.ascontiguousarray(new)


def _sum5(a: np.ndarray, n: int) -> np.ndarray:
    """Sums of 5 consecutive columns of ``a`` (n columns), added left to right."""
    return a[:, : n - 4] + a[:, 1 : n - 3] + a[:, 2 : n - 2] + a[:, 3 : n - 1] + a[:, 4:]


class HopFeatures:
    """Compute :class:`FeatureFrames` from streamed blocks.

    Parameters
    ----------
    fs : float
        Sample rate in Hz.
    n_channels : int
        Number of channels.
    signal : {"raw", "env"}
        Raw EMG gets spectral and TKEO features; an envelope gets its mean level only.
    hop_s : float
        Hop in s (rounded to a whole number of samples).
    history_frames : int
        How many frames before the latest block's :meth:`median_frequency` can still give.
        The filtered blocks are kept (by reference: the caller must not change them) as long
        as those frames need them.
    """

    def __init__(
        self,
        fs: float,
        n_channels: int,
        signal: str = "raw",
        hop_s: float = 0.05,
        history_frames: int = 0,
    ) -> None:
        self.fs = fs
        self.n_channels = n_channels
        self.signal = signal
        self.history_frames = history_frames
        self.hop = max(1, round(hop_s * fs))
        self.hop_s = self.hop / fs
        w = SPECTRAL_HOPS * self.hop
        self._freqs = np.fft.rfftfreq(w, 1.0 / fs)
        self._window = np.hanning(w)
        self.reset()

    def reset(self) -> None:
        c = self.n_channels
        self._tail_y = np.zeros((c, 0))
        self._tail_x = np.zeros((c, 0))
        self._tail_tk = np.zeros((c, 0))
        self._tail_j = np.zeros((c, 0))
        self._prev = np.zeros((c, 2))  # last two filtered samples, for TKEO
        self._prev_x: np.ndarray | None = None  # last unfiltered sample, for jumps
        self._ms_hist: np.ndarray | None = None  # mean squares of the previous four hops
        self._blocks: list[np.ndarray] = []  # filtered blocks kept for the spectra
        self._block_at: list[int] = []  # sample index of each one's first sample
        self._n_y = 0  # filtered samples received
        self._win_mdf = np.zeros((c, 0))  # median frequency per 200 ms window, NaN: not yet
        self._win0 = 0  # window index of _win_mdf[:, 0]
        self._oldest = 0  # first frame median_frequency can give
        self._frame = 0

    @property
    def n_frames(self) -> int:
        """Frames emitted since the start (or :meth:`reset`): the index of the next one."""
        return self._frame

    def process(self, y: np.ndarray, x: np.ndarray) -> FeatureFrames:
        """Add a block: ``y`` filtered (µV) and ``x`` unfiltered input, both (n_channels, n)."""
        c, h = self.n_channels, self.hop
        if self.signal == "raw" and y.shape[1]:
            tk = self._tkeo(y)
        else:
            tk = np.zeros_like(y)
        if x.shape[1]:
            first = x[:, :1] if self._prev_x is None else self._prev_x
            jump = np.empty_like(x)
            np.subtract(x[:, :1], first, out=jump[:, :1])
            np.subtract(x[:, 1:], x[:, :-1], out=jump[:, 1:])
            np.abs(jump, out=jump)
            self._prev_x = x[:, -1:].copy()  # not a view of the caller's block
        else:
            jump = np.zeros_like(x)
        if self._tail_y.shape[1] + y.shape[1] < h:  # no hop completed (live blocks mostly)
            self._tail_y = np.concatenate([self._tail_y, y], axis=1)
            self._tail_tk = np.concatenate([self._tail_tk, tk], axis=1)
            self._tail_x = np.concatenate([self._tail_x, x], axis=1)
            self._tail_j = np.concatenate([self._tail_j, jump], axis=1)
            self._keep(y, self._frame)
            empty = np.zeros((c, 0))
            return FeatureFrames(self._frame, self.hop_s, *[empty] * 7)
        stacked = _join(self._tail_y, y)
        n_frames = stacked.shape[1] // h
        used = n_frames * h
        ty = stacked[:, :used].reshape(c, n_frames, h)
        tkh = _join(self._tail_tk, tk)
        xs = _join(self._tail_x, x)
        js = _join(self._tail_j, jump)
        if used < stacked.shape[1] or self._tail_y.shape[1]:  # else no tail before or after
            self._tail_y = stacked[:, used:].copy()
            self._tail_tk = tkh[:, used:].copy()
            self._tail_x = xs[:, used:].copy()
            self._tail_j = js[:, used:].copy()
        tx = xs[:, :used].reshape(c, n_frames, h)
        start = self._frame
        self._frame += n_frames

        # Reductions as ufunc reduces: ndarray.mean's arithmetic without its per-call cost.
        add = np.add.reduce
        if self.signal == "raw":
            ms = np.einsum("cfh,cfh->cf", ty, ty) / h
        else:
            ms = (add(ty, axis=2) / h) ** 2
        if self._ms_hist is None and n_frames:  # the stream starts as it goes on, not silent
            self._ms_hist = np.repeat(ms[:, :1], 4, axis=1)
        hist = self._ms_hist if self._ms_hist is not None else np.zeros((c, 4))
        allms = np.concatenate([hist, ms], axis=1)
        # Sums of shifted slices in a fixed order: identical whatever the block boundaries.
        n = allms.shape[1]
        if self.signal == "raw":
            rms_fast = np.sqrt((allms[:, 3 : n - 1] + allms[:, 4:]) / 2)
            rms = np.sqrt(_sum5(allms, n) / 5)
        else:
            m = np.sqrt(allms)
            rms_fast = (m[:, 3 : n - 1] + m[:, 4:]) / 2
            rms = _sum5(m, n) / 5
        if n_frames:
            self._ms_hist = allms[:, -4:]
        self._keep(y, start)
        return FeatureFrames(
            start=start,
            hop_s=self.hop_s,
            rms_fast=rms_fast,
            rms=rms,
            tkeo=add(tkh[:, :used].reshape(c, n_frames, h), axis=2) / h,
            raw_min=np.minimum.reduce(tx, axis=2) if n_frames else np.zeros((c, 0)),
            raw_max=np.maximum.reduce(tx, axis=2) if n_frames else np.zeros((c, 0)),
            raw_mean=add(tx, axis=2) / h,
            raw_jump=np.maximum.reduce(js[:, :used].reshape(c, n_frames, h), axis=2)
            if n_frames
            else np.zeros((c, 0)),
        )

    def _tkeo(self, y: np.ndarray) -> np.ndarray:
        """Teager-Kaiser energy delayed by one sample, ``e[i+1]**2 - e[i] * e[i+2]`` over ``e``
        = the last two samples of the previous block then ``y``; written in place (no joined
        copy of the block)."""
        p0, p1 = self._prev[:, :1], self._prev[:, 1:]
        tk = np.empty_like(y)
        np.multiply(y[:, :-1], y[:, :-1], out=tk[:, 1:])
        np.multiply(p1, p1, out=tk[:, :1])
        prod = np.empty_like(y)
        np.multiply(y[:, :-2], y[:, 2:], out=prod[:, 2:])
        np.multiply(p0, y[:, :1], out=prod[:, :1])
        np.multiply(p1, y[:, 1:2], out=prod[:, 1:2])
        tk -= prod
        self._prev = y[:, -2:].copy() if y.shape[1] > 1 else np.concatenate([p1, y], axis=1)
        return tk

    def median_frequency(self, lo: int, hi: int) -> np.ndarray:
        """Median frequency (Hz) of frames ``lo .. hi - 1``, (n_channels, hi - lo): that of the
        last 200 ms window (4 hops, from the stream's first frame on) completed at or before
        each frame's end; NaN before the first window and for ENV input. Frames from
        ``history_frames`` before the latest block on can be asked for; a window's spectrum
        is computed once, when first asked for."""
        c = self.n_channels
        if lo < self._oldest or hi > self._frame or hi < lo:
            raise ValueError(f"frames {lo}..{hi} outside the {self._oldest}..{self._frame} kept")
        out = np.full((c, hi - lo), np.nan)
        if self.signal != "raw":
            return out
        win = (np.arange(lo, hi) + 1) // SPECTRAL_HOPS - 1  # the window each frame holds
        has = win >= 0
        if has.any():
            first = int(win[has][0])
            out[:, has] = self._windows(first, int(win[-1]) + 1)[:, win[has] - first]
        return out

    def _keep(self, y: np.ndarray, start: int) -> None:
        """Keep the filtered block ``y`` for the spectra; forget what frames from
        ``history_frames`` before frame ``start`` on no longer need."""
        if self.signal != "raw":
            return
        if y.shape[1]:
            self._blocks.append(y)
            self._block_at.append(self._n_y)
            self._n_y += y.shape[1]
        self._oldest = max(self._oldest, start - self.history_frames)
        need = max(0, (self._oldest + 1) // SPECTRAL_HOPS - 1)  # the oldest window still read
        if need > self._win0:
            self._win_mdf = self._win_mdf[:, need - self._win0 :]
            self._win0 = need
        first = need * SPECTRAL_HOPS * self.hop
        k = bisect.bisect_right(self._block_at, first) - 1  # the block holding that sample
        if k > 0:
            del self._blocks[:k], self._block_at[:k]
        if self._block_at and self._block_at[0] < first:  # keep its part still read, not all
            self._blocks[0] = self._blocks[0][:, first - self._block_at[0] :].copy()
            self._block_at[0] = first

    def _windows(self, a: int, b: int) -> np.ndarray:
        """Median frequency (Hz) of windows ``a .. b - 1`` (n_channels, b - a), computing the
        ones not computed before."""
        c, w = self.n_channels, SPECTRAL_HOPS * self.hop
        have = self._win_mdf.shape[1]
        if b > self._win0 + have:
            grow = np.full((c, b - self._win0 - have), np.nan)
            self._win_mdf = np.concatenate([self._win_mdf, grow], axis=1)
        cached = self._win_mdf[:, a - self._win0 : b - self._win0]
        todo = np.flatnonzero(np.isnan(cached[0]))
        if todo.size:
            lo, hi = a + int(todo[0]), a + int(todo[-1]) + 1
            seg = self._samples(lo * w, hi * w).reshape(c, hi - lo, w) * self._window
            p = np.abs(np.fft.rfft(seg, axis=2))
            p *= p  # power
            cp = np.cumsum(p, axis=2)
            mdf = self._freqs[np.argmax(cp >= 0.5 * cp[:, :, -1:], axis=2)]
            self._win_mdf[:, lo - self._win0 : hi - self._win0] = mdf
        return cached

    def _samples(self, a: int, b: int) -> np.ndarray:
        """Filtered samples ``a .. b - 1`` (n_channels, b - a) from the blocks kept."""
        k = bisect.bisect_right(self._block_at, a) - 1
        parts = []
        while a < b:
            at, blk = self._block_at[k], self._blocks[k]
            take = blk[:, a - at : min(b - at, blk.shape[1])]
            parts.append(take)
            a += take.shape[1]
            k += 1
        return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)
