"""Mains (50/60 Hz and harmonics) suppression that finds the mains frequency from the data.

Every ``segment_s`` of input the spectrum of each channel is inspected; a narrow line at 50 or
60 Hz (and its harmonics) standing well above its neighbourhood switches on notch filters from
the next segment boundary. Decisions happen at fixed sample indices, so the output does not
depend on how the stream is cut into blocks.
"""

from __future__ import annotations

import numpy as np

from crampdetect.filters.design import notch_sos
from crampdetect.filters.sos import SosFilter

CANDIDATES_HZ = (50.0, 60.0)
AVG_RATE = 0.25  # weight of the newest segment in the running spectrum
MIN_SEGMENTS = 1  # segments seen before the first decision (a 12 dB line is no accident)
RECHECK_SEGMENTS = 5  # once mains is found, harmonics are re-examined every so many segments


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
        segment_s: float = 2.0,
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
        #: Per channel, RMS (input units, µV) of the mains lines over the last segment.
        self.line_rms = np.zeros(self.n_channels)
        #: The same two for the output: the hum the notches left (or did not yet remove).
        self.residual_share = np.zeros(self.n_channels)
        self.residual_rms = np.zeros(self.n_channels)
        self._filter: SosFilter | None = None
        self._buf = np.zeros((self.n_channels, self._n))
        self._obuf = np.zeros((self.n_channels, self._n))
        self._fill = 0
        self._segments = 0
        self._seen = 0
        self._avg: np.ndarray | None = None  # running average power spectrum
        self._tables: dict[float, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        # (sample index just past the segment, line share, line RMS, residual share,
        # residual RMS) per analysed segment
        self._log: list[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def share_at(self, ends: np.ndarray) -> dict[str, np.ndarray]:
        """Mains figures at sample indices ``ends``, from the last segment analysed before each
        (zeros before the first): share of band power in the mains lines (0-1) and their RMS
        (input units), before (``share``, ``uv``) and after the notches (``residual_share``,
        ``residual_uv``); each shaped (n_channels, len(ends)). ``ends`` must not decrease from
        one call to the next: older segments are dropped."""
        keys = ("share", "uv", "residual_share", "residual_uv")
        out = {k: np.zeros((self.n_channels, len(ends))) for k in keys}
        log = self._log
        if not log:
            return out
        marks = np.array([entry[0] for entry in log])
        k = np.searchsorted(marks, ends, side="right") - 1
        known = k >= 0
        for j, key in enumerate(keys, start=1):
            out[key][:, known] = np.stack([entry[j] for entry in log], axis=1)[:, k[known]]
        del log[:-1]  # the last entry still applies to later indices
        return out

    def process(self, x: np.ndarray) -> np.ndarray:
        """Filter one block (n_channels, n_samples); returns a new array."""
        out = []
        i = 0
        n = x.shape[-1]
        while i < n:
            take = min(n - i, self._n - self._fill)
            piece = x[:, i : i + take]
            self._buf[:, self._fill : self._fill + take] = piece
            done = self._filter.process(piece) if self._filter is not None else piece
            self._obuf[:, self._fill : self._fill + take] = done
            self._fill += take
            out.append(done)
            i += take
            self._seen += take
            if self._fill == self._n:
                self._analyse(self._buf)
                self._log.append(
                    (
                        self._seen,
                        self.share.copy(),
                        self.line_rms.copy(),
                        self.residual_share.copy(),
                        self.residual_rms.copy(),
                    )
                )
                self._fill = 0
        if not out:
            return np.zeros_like(x, dtype=float)
        return out[0] if len(out) == 1 else np.concatenate(out, axis=-1)

    @property
    def n_segments(self) -> int:
        """Analysis segments completed so far."""
        return self._segments

    def _line_table(self, f0: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Harmonics of ``f0`` below the band top, their bins and their ±15 Hz neighbourhoods."""
        df = self._freqs[1]
        top = min(450.0, 0.45 * self.fs)
        lines = np.array([k * f0 for k in range(1, int(top // f0) + 1) if k * f0 + 16 < top])
        w = max(1, round(1.0 / df))
        span = round(15.0 / df)
        centre = np.round(lines / df).astype(int)
        line_idx = centre[:, None] + np.arange(-w, w + 1)
        offs = np.r_[np.arange(-span, -2 * w), np.arange(2 * w + 1, span + 1)]
        neigh_idx = np.clip(centre[:, None] + offs, 1, self._freqs.size - 1)
        return lines, line_idx, neigh_idx

    def _scores(
        self, power: np.ndarray, f0: float, fundamental_only: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Harmonic frequencies of f0 and how far (dB) each stands above its neighbourhood."""
        if f0 not in self._tables:
            self._tables[f0] = self._line_table(f0)
        lines, line_idx, neigh_idx = self._tables[f0]
        if fundamental_only:
            lines, line_idx, neigh_idx = lines[:1], line_idx[:1], neigh_idx[:1]
        if lines.size == 0:
            return lines, np.zeros((power.shape[0], 0))
        line = power[:, line_idx].max(axis=2)
        floor = power[:, neigh_idx].mean(axis=2)  # the mean: cheap, and the spectrum is averaged
        return lines, 10 * np.log10((line + 1e-30) / (floor + 1e-30))

    def _lines(self, power: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Share (0-1) of band power in the mains lines and their RMS, per channel."""
        assert self.mains_hz is not None
        _, line_idx, _ = self._tables[self.mains_hz]
        top = min(450.0, 0.45 * self.fs)
        band = power[:, (self._freqs >= 20) & (self._freqs <= top)].sum(axis=1) + 1e-30
        lines_power = power[:, np.unique(line_idx)].sum(axis=1)
        # One-sided periodogram of a Hann-windowed segment -> RMS of the lines.
        return lines_power / band, np.sqrt(2.0 * lines_power / (self._n * np.sum(self._window**2)))

    def _analyse(self, seg: np.ndarray) -> None:
        self._segments += 1
        spec = np.fft.rfft((seg - seg.mean(axis=1, keepdims=True)) * self._window, axis=1)
        power = spec.real**2 + spec.imag**2
        # Single periodograms are too noisy to call a line: average over ~8 segments.
        self._avg = power if self._avg is None else self._avg + AVG_RATE * (power - self._avg)
        if self._segments < MIN_SEGMENTS:
            return
        if self.mains_hz is None:
            best, best_db = None, self.line_db
            for f0 in CANDIDATES_HZ:
                lines, db = self._scores(self._avg, f0, fundamental_only=True)
                if lines.size and db[:, 0].max() >= best_db:
                    best, best_db = f0, float(db[:, 0].max())
            if best is None:
                return
            self.mains_hz = best
        self.share, self.line_rms = self._lines(power)
        out = self._obuf
        spec = np.fft.rfft((out - out.mean(axis=1, keepdims=True)) * self._window, axis=1)
        self.residual_share, self.residual_rms = self._lines(spec.real**2 + spec.imag**2)
        if self._segments % RECHECK_SEGMENTS and self._filter is not None:
            return
        lines, db = self._scores(self._avg, self.mains_hz)
        present = tuple(float(f) for f in lines[db.max(axis=0) >= self.line_db])
        wanted = tuple(sorted(set(self.harmonics_hz) | set(present)))
        if wanted != self.harmonics_hz:
            self.harmonics_hz = wanted
            sos = np.vstack([notch_sos(f, self.q, self.fs) for f in wanted])
            self._filter = SosFilter(sos, self.n_channels, settle=False)
