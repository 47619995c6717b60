"""Mains (50/60 Hz and harmonics) suppression that finds the mains frequency from the data.

Every ``segment_s`` of input the spectrum of each channel is inspected; a narrow line at 50 or
60 Hz (and its harmonics) standing well above its neighbourhood switches on notch filters from
the next segment boundary. Decisions happen at fixed sample indices, so the output does not
depend on how the stream is cut into blocks.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from crampdetect.filters.sos import SosFilter

CANDIDATES_HZ = (50.0, 60.0)
AVG_RATE = 0.125  # weight of the newest segment in the running spectrum
MIN_SEGMENTS = 3  # segments averaged before the first decision


class MainsSuppressor:
    """Detect mains interference and notch it out.

    Parameters
    ----------
    fs : float
        Sample rate in Hz.
    n_channels : int
        Number of channels.
    line_db : float
        How far (dB) a spectral line must stand above the median of its neighbourhood
        (±15 Hz) to count as mains.
    q : float
        Quality factor of each notch (bandwidth = f / q).
    segment_s : float
        Analysis segment in s.
    """

    def __init__(
        self,
        fs: float,
        n_channels: int,
        line_db: float = 12.0,
        q: float = 25.0,
        segment_s: float = 1.0,
    ) -> None:
        self.fs = fs
        self.n_channels = n_channels
        self.line_db = line_db
        self.q = q
        self.segment_s = segment_s
        self._n = max(64, round(segment_s * fs))
        self._freqs = np.fft.rfftfreq(self._n, 1.0 / fs)
        self._window = np.hanning(self._n)
        self.reset()

    def reset(self) -> None:
        self.mains_hz: float | None = None
        self.harmonics_hz: tuple[float, ...] = ()
        #: Per channel, share (0-1) of band power in mains lines over the last segment.
        self.share = np.zeros(self.n_channels)
        self._filter: SosFilter | None = None
        self._buf = np.zeros((self.n_channels, self._n))
        self._fill = 0
        self._segments = 0
        self._seen = 0
        self._avg: np.ndarray | None = None  # running average power spectrum
        #: (sample index just past the analysed segment, share per channel) per segment.
        self.share_log: list[tuple[int, np.ndarray]] = []

    def process(self, x: np.ndarray) -> np.ndarray:
        """Filter one block (n_channels, n_samples); returns a new array."""
        out = []
        i = 0
        n = x.shape[-1]
        while i < n:
            take = min(n - i, self._n - self._fill)
            piece = x[:, i : i + take]
            self._buf[:, self._fill : self._fill + take] = piece
            self._fill += take
            out.append(self._filter.process(piece) if self._filter is not None else piece)
            i += take
            self._seen += take
            if self._fill == self._n:
                self._analyse(self._buf)
                self.share_log.append((self._seen, self.share.copy()))
                self._fill = 0
        if not out:
            return np.zeros_like(x, dtype=float)
        return out[0] if len(out) == 1 else np.concatenate(out, axis=-1)

    @property
    def n_segments(self) -> int:
        """Analysis segments completed so far."""
        return self._segments

    def _line_db(self, power: np.ndarray, f: float) -> np.ndarray:
        """Height in dB of the line at f Hz above its ±15 Hz neighbourhood, per channel."""
        df = self._freqs[1]
        k = round(f / df)
        w = max(1, round(1.0 / df))
        line = power[:, max(k - w, 0) : k + w + 1].max(axis=1)
        lo, hi = max(round((f - 15) / df), 1), round((f + 15) / df) + 1
        neigh = np.concatenate(
            [power[:, lo : max(k - 2 * w, lo)], power[:, k + 2 * w + 1 : hi]], axis=1
        )
        floor = np.median(neigh, axis=1) if neigh.shape[1] else np.full(power.shape[0], 1e-30)
        return 10 * np.log10((line + 1e-30) / (floor + 1e-30))

    def _analyse(self, seg: np.ndarray) -> None:
        self._segments += 1
        spec = np.fft.rfft((seg - seg.mean(axis=1, keepdims=True)) * self._window, axis=1)
        power = spec.real**2 + spec.imag**2
        # Single periodograms are too noisy to call a line: average over ~8 segments.
        self._avg = power if self._avg is None else self._avg + AVG_RATE * (power - self._avg)
        top = min(450.0, 0.45 * self.fs)
        share_power = power
        power = self._avg
        if self._segments < MIN_SEGMENTS:
            return
        if self.mains_hz is None:
            scores = {f: self._line_db(power, f).max() for f in CANDIDATES_HZ if f + 16 < top}
            best = max(scores, key=scores.get, default=None)
            if best is None or scores[best] < self.line_db:
                return
            self.mains_hz = best
        f0 = self.mains_hz
        lines = [k * f0 for k in range(1, int(top // f0) + 1) if k * f0 + 16 < top]
        present = tuple(f for f in lines if self._line_db(power, f).max() >= self.line_db)
        df = self._freqs[1]
        band = (self._freqs >= 20) & (self._freqs <= top)
        in_lines = np.zeros_like(band)
        for f in lines:
            in_lines |= np.abs(self._freqs - f) <= 1.5 * df + 0.5
        total = share_power[:, band].sum(axis=1) + 1e-30
        self.share = share_power[:, band & in_lines].sum(axis=1) / total
        wanted = tuple(sorted(set(self.harmonics_hz) | set(present)))
        if wanted != self.harmonics_hz:
            self.harmonics_hz = wanted
            sos = np.vstack(
                [signal.tf2sos(*signal.iirnotch(f, self.q, fs=self.fs)) for f in wanted]
            )
            self._filter = SosFilter(sos, self.n_channels, settle=False)
