"""Per-hop features at a fixed hop (default 50 ms): amplitude, TKEO, spectrum, and raw-signal stats.

A :class:`HopFeatures` turns blocks of filtered EMG (µV) plus the unfiltered input into one
feature frame per hop per channel. Leftover samples are carried to the next block, so the
frames do not depend on block boundaries. The median frequency and the TKEO, which the
detector reads only inside runs and at alerts, are computed when asked for
(:meth:`HopFeatures.median_frequency`, :meth:`HopFeatures.tkeo`) over the recent frames.
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
    raw_min, raw_max, raw_mean, raw_jump : ndarray
        Minimum, maximum, mean and largest sample-to-sample step of the unfiltered input
        over the hop, in input units.
    """

    start: int
    hop_s: float
    rms_fast: np.ndarray
    rms: np.ndarray
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
        How many frames before the latest block's :meth:`median_frequency` and :meth:`tkeo`
        can still give.
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
        self._prev_x: np.ndarray | None = None  # last unfiltered sample of a frame, for jumps
        self._ms_hist: np.ndarray | None = None  # mean squares of the previous four hops
        self._blocks: list[np.ndarray] = []  # filtered blocks kept for the spectra
        self._block_at: list[int] = []  # sample index of each one's first sample
        self._n_y = 0  # filtered samples received
        self._win_mdf = np.zeros((c, 0))  # median frequency per 200 ms window, NaN: not yet
        self._win0 = 0  # window index of _win_mdf[:, 0]
        self._tk = np.zeros((c, 0))  # mean TKEO of the frames computed so far
        self._tk0 = 0  # frame of _tk[:, 0]
        self._oldest = 0  # first frame median_frequency and tkeo can give
        self._frame = 0

    @property
    def n_frames(self) -> int:
        """Frames emitted since the start (or :meth:`reset`): the index of the next one."""
        return self._frame

    def process(self, y: np.ndarray, x: np.ndarray) -> FeatureFrames:
        """Add a block: ``y`` filtered (µV) and ``x`` unfiltered input, both (n_channels, n)."""
        c, h = self.n_channels, self.hop
        if self._tail_y.shape[1] + y.shape[1] < h:  # no hop completed (live blocks mostly)
            self._tail_y = np.concatenate([self._tail_y, y], axis=1)
            self._tail_x = np.concatenate([self._tail_x, x], axis=1)
            self._keep(y, self._frame)
            empty = np.zeros((c, 0))
            return FeatureFrames(self._frame, self.hop_s, *[empty] * 6)
        stacked = _join(self._tail_y, y)
        n_frames = stacked.shape[1] // h
        used = n_frames * h
        ty = stacked[:, :used].reshape(c, n_frames, h)
        xs = _join(self._tail_x, x)
        if used < stacked.shape[1] or self._tail_y.shape[1]:  # else no tail before or after
            self._tail_y = stacked[:, used:].copy()
            self._tail_x = xs[:, used:].copy()
        tx = xs[:, :used].reshape(c, n_frames, h)
        raw_min, raw_max, raw_jump = self._extremes(tx)
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
            raw_min=raw_min,
            raw_max=raw_max,
            raw_mean=add(tx, axis=2) / h,
            raw_jump=raw_jump,
        )

    def _extremes(self, tx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per frame of ``tx`` (n_channels, frames, hop): minimum, maximum and largest
        ``|x[i] - x[i-1]|`` (the stream's first sample: 0), each (n_channels, frames).

        Reduced across frames, one hop offset after the other, on a copy with the hop offset
        outermost: several times faster than reducing each frame's few samples. A minimum or
        maximum is one of the values, the same whatever the order, unless it is a zero (+0 or
        -0) or NaN: for those blocks (and any NaN jump) the per-frame reduction decides."""
        t = np.ascontiguousarray(tx.transpose(0, 2, 1))  # (n_channels, hop, frames)
        jump = np.empty_like(t)
        np.subtract(t[:, 1:], t[:, :-1], out=jump[:, 1:])
        np.subtract(t[:, 0, 1:], t[:, -1, :-1], out=jump[:, 0, 1:])
        prev = t[:, 0, :1] if self._prev_x is None else self._prev_x
        np.subtract(t[:, 0, :1], prev, out=jump[:, 0, :1])
        self._prev_x = t[:, -1, -1:].copy()  # the sample before the next frame
        np.abs(jump, out=jump)
        lo, hi, big = (
            f.reduce(a, axis=1) for f, a in ((np.minimum, t), (np.maximum, t), (np.maximum, jump))
        )
        every, some = np.logical_and.reduce, np.logical_or.reduce  # no Python-level wrappers
        if every(lo != 0, None) and every(hi != 0, None) and not some(np.isnan(big), None):
            return lo, hi, big
        jump = np.ascontiguousarray(jump.transpose(0, 2, 1))
        return (
            np.minimum.reduce(tx, axis=2),
            np.maximum.reduce(tx, axis=2),
            np.maximum.reduce(jump, axis=2),
        )

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

    def tkeo(self, lo: int, hi: int) -> np.ndarray:
        """Mean Teager-Kaiser energy (µV²) of frames ``lo .. hi - 1``, (n_channels, hi - lo):
        ``y[i-1]**2 - y[i-2] * y[i]`` per filtered sample ``i`` of the frame (zeros before the
        stream's start), averaged over the hop; zeros for ENV input. Frames as for
        :meth:`median_frequency`; each frame's value is computed once, when first asked for."""
        c, h = self.n_channels, self.hop
        if lo < self._oldest or hi > self._frame or hi < lo:
            raise ValueError(f"frames {lo}..{hi} outside the {self._oldest}..{self._frame} kept")
        if self.signal != "raw":
            return np.zeros((c, hi - lo))
        if not self._tk0 <= lo <= self._tk0 + self._tk.shape[1]:  # not next to those computed
            self._tk, self._tk0 = np.zeros((c, 0)), lo
        done = self._tk0 + self._tk.shape[1]
        if hi > done:
            a = done * h - 2
            e = self._samples(max(a, 0), hi * h)
            if a < 0:
                e = np.concatenate([np.zeros((c, -a)), e], axis=1)
            tk = e[:, 1:-1] * e[:, 1:-1]
            tk -= e[:, :-2] * e[:, 2:]
            new = np.add.reduce(tk.reshape(c, hi - done, h), axis=2) / h
            self._tk = np.concatenate([self._tk, new], axis=1)
        return self._tk[:, lo - self._tk0 : hi - self._tk0].copy()

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
        if self._oldest > self._tk0:
            self._tk = self._tk[:, self._oldest - self._tk0 :]
            self._tk0 = self._oldest
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
