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
        self._top_hz = min(450.0, 0.45 * fs)  # top of the EMG band the lines are scored in
        freqs = np.fft.rfftfreq(self._n, 1.0 / fs)
        # Only bins up to the band top (and one more) are ever read: the spectra stop there.
        self._freqs = freqs[: np.searchsorted(freqs, self._top_hz, side="right") + 1]
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
        self._band_bins: np.ndarray | None = None  # bins of the EMG band, and of the mains
        self._line_bins: np.ndarray | None = None  # lines (known once mains_hz is)
        # Per analysed segment, the sample index just past it and its figures (line share,
        # line RMS, residual share, residual RMS: shaped 4, n_channels, n_segments).
        self._marks = np.zeros(0, dtype=np.int64)
        self._figs = np.zeros((4, self.n_channels, 0))
        self._held: tuple[tuple[int, int] | None, dict[str, np.ndarray]] = (None, {})

    def share_at(self, ends: np.ndarray) -> dict[str, np.ndarray]:
        """Mains figures at sample indices ``ends``, from the last segment analysed before each
        (zeros before the first): share of band power in the mains lines (0-1) and their RMS
        (input units), before (``share``, ``uv``) and after the notches (``residual_share``,
        ``residual_uv``); each shaped (n_channels, len(ends)). ``ends`` must not decrease from
        one call to the next: older segments are dropped. The arrays are read-only."""
        keys = ("share", "uv", "residual_share", "residual_uv")
        marks, figs = self._marks, self._figs
        if marks.size and len(ends) and ends[0] >= marks[-1]:  # all after the last segment (live)
            self._marks, self._figs = marks[-1:], figs[:, :, -1:]
            key = (int(marks[-1]), len(ends))
            if self._held[0] != key:  # the same figures until the next segment
                held = [v[:, -1:].repeat(len(ends), axis=1) for v in figs]
                for v in held:
                    v.flags.writeable = False
                self._held = (key, dict(zip(keys, held, strict=True)))
            return self._held[1]
        if not marks.size:
            return {k: np.zeros((self.n_channels, len(ends))) for k in keys}
        k = np.searchsorted(marks, ends, side="right") - 1
        if len(ends) and k[0] >= 0:  # ``ends`` do not decrease: all after the first segment
            picked = figs[:, :, k]
        else:
            picked = np.zeros((4, self.n_channels, len(ends)))
            known = k >= 0
            picked[:, :, known] = figs[:, :, k[known]]
        # The last segment's figures still apply to later indices.
        self._marks, self._figs = marks[-1:], figs[:, :, -1:]
        return dict(zip(keys, picked, strict=True))

    def process(self, x: np.ndarray) -> np.ndarray:
        """Filter one block (n_channels, n_samples). Returns a new array, or ``x`` itself (as
        float) while no notch is on: the caller must not change it in place."""
        n = x.shape[-1]
        fill, seg = self._fill, self._n
        out = self._filter.process(x) if self._filter is not None else np.asarray(x, dtype=float)
        if fill + n < seg:  # no segment completes (live blocks mostly)
            self._buf[:, fill : fill + n] = x
            self._obuf[:, fill : fill + n] = out
            self._fill += n
            self._seen += n
            return out
        # Every segment completed by this block is analysed at once; the output is filtered
        # ahead with the current notches and again from where a segment switches them.
        xin = np.concatenate([self._buf[:, :fill], x], axis=1) if fill else np.asarray(x, float)
        k_seg = xin.shape[1] // seg
        c = self.n_channels
        segs = xin[:, : k_seg * seg].reshape(c, k_seg, seg)
        power = self._power(segs)
        out_power: np.ndarray | None = None
        known = np.zeros(k_seg, dtype=bool)
        avgs = self._running(power)
        first = 0 if self.mains_hz is not None else self._search(avgs)
        self._segments += first
        rechecks: tuple[int, int, np.ndarray] | None = None  # first segment, step, scores
        for k in range(first, k_seg):
            self._segments += 1
            self._avg = avgs[:, k]
            if self._segments < MIN_SEGMENTS or not self._find_mains():
                continue
            known[k] = True
            if self._segments % RECHECK_SEGMENTS and self._filter is not None:
                continue
            if rechecks is None:
                # The harmonics of every segment rechecked from here on, scored at once: from
                # here every segment while no notch is on, else every RECHECK_SEGMENTS-th.
                step = 1 if self._filter is None else RECHECK_SEGMENTS
                rechecks = (k, step, self._scores(avgs[:, k::step], self.mains_hz)[1])
            db = None if rechecks is None else rechecks[2][:, (k - rechecks[0]) // rechecks[1]]
            if self._recheck_harmonics(db):
                b = (k + 1) * seg - fill  # the new notches start at the next segment
                if out is x:  # not the caller's array
                    out = np.array(x, dtype=float)
                out[:, b:] = self._filter.process(x[:, b:])
                out_power = None
        self._avg = avgs[:, -1].copy()
        if known.any():
            if out_power is None:
                xout = np.concatenate([self._obuf[:, :fill], out], axis=1) if fill else out
                out_power = self._power(xout[:, : k_seg * seg].reshape(c, k_seg, seg))
            shares = self._lines(power[:, known])
            residuals = self._lines(out_power[:, known])
        # Each segment's figures: those of the last segment analysed with mains known.
        prev = np.stack([self.share, self.line_rms, self.residual_share, self.residual_rms])
        figs = np.empty((4, c, k_seg))
        figs[:] = prev[:, :, None]
        if known.any():
            last = np.cumsum(known) - 1  # per segment, the last known one so far (-1: none)
            figs[:, :, last >= 0] = np.stack([*shares, *residuals])[:, :, last[last >= 0]]
        self.share, self.line_rms, self.residual_share, self.residual_rms = figs[:, :, -1].copy()
        seen = self._seen - fill
        marks = seen + (np.arange(k_seg, dtype=np.int64) + 1) * seg
        self._marks = np.concatenate([self._marks, marks])
        self._figs = np.concatenate([self._figs, figs], axis=2)
        rest = xin.shape[1] - k_seg * seg
        self._buf[:, :rest] = xin[:, k_seg * seg :]
        self._obuf[:, :rest] = out[:, n - rest :]
        self._fill = rest
        self._seen += n
        return out

    def _running(self, power: np.ndarray) -> np.ndarray:
        """The running spectrum after each segment of ``power`` (n_channels, k, n_bins).

        Single periodograms are too noisy to call a line: they are averaged over ~8 segments.
        """
        avgs = np.empty_like(power)
        avg = self._avg
        for k in range(power.shape[1]):
            new = avgs[:, k]  # avg + AVG_RATE * (p - avg), written in place
            if avg is None:
                new[...] = power[:, k]
            else:
                np.subtract(power[:, k], avg, out=new)
                new *= AVG_RATE
                new += avg
            avg = new
        return avgs

    def _search(self, avgs: np.ndarray) -> int:
        """While the mains frequency is unknown: the first segment of ``avgs`` (running
        spectra, n_channels, k, n_bins) where :meth:`_find_mains` could find it (k if none).

        The fundamentals are scored for all segments at once, as :meth:`_find_mains` scores
        one; the segments before the one returned decide nothing."""
        k_seg = avgs.shape[1]
        hit = np.zeros(k_seg, dtype=bool)
        # Below MIN_SEGMENTS nothing is decided.
        start = max(0, MIN_SEGMENTS - 1 - self._segments)
        for f0 in CANDIDATES_HZ:
            lines, db = self._scores(avgs[:, start:], f0, fundamental_only=True)
            if lines.size:
                hit[start:] |= np.maximum.reduce(db[..., 0], axis=0) >= self.line_db
        return int(np.argmax(hit)) if hit.any() else k_seg

    def _power(self, segs: np.ndarray) -> np.ndarray:
        """Periodograms (n_channels, k, n_bins) of Hann-windowed, mean-removed segments, up to
        the band top."""
        centred = segs - np.add.reduce(segs, axis=-1, keepdims=True) / segs.shape[-1]
        centred *= self._window
        spec = np.fft.rfft(centred, axis=-1)[..., : self._freqs.size]
        power = spec.real**2
        power += spec.imag**2
        return power

    @property
    def n_segments(self) -> int:
        """Analysis segments completed so far."""
        return self._segments

    def _line_table(self, f0: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Harmonics of ``f0`` below the band top, their bins and their ±15 Hz neighbourhoods."""
        df = self._freqs[1]
        top = self._top_hz
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
            return lines, np.zeros((*power.shape[:-1], 0))
        # ``power`` is (n_channels, [segments,] n_bins); the arithmetic of ndarray.max/mean.
        line = np.maximum.reduce(power[..., line_idx], axis=-1)
        neigh = power[..., neigh_idx]
        # The mean, summed in one fixed order (a running sum): numpy's pairwise sum takes
        # another order for a batch of segments than for one, and a line exactly at line_db
        # would then be found one segment earlier or later depending on the block cuts.
        floor = np.cumsum(neigh, axis=-1)[..., -1] / neigh.shape[-1]
        return lines, 10 * np.log10((line + 1e-30) / (floor + 1e-30))

    def _lines(self, power: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Share (0-1) of band power in the mains lines and their RMS, per channel (and
        segment: ``power`` is (n_channels, ..., n_bins))."""
        assert self.mains_hz is not None
        if self._band_bins is None:
            top = self._top_hz
            self._band_bins = np.flatnonzero((self._freqs >= 20) & (self._freqs <= top))
            self._line_bins = np.unique(self._tables[self.mains_hz][1])
        band = np.add.reduce(power[..., self._band_bins], axis=-1) + 1e-30
        lines_power = np.add.reduce(power[..., self._line_bins], axis=-1)
        # One-sided periodogram of a Hann-windowed segment -> RMS of the lines.
        return lines_power / band, np.sqrt(2.0 * lines_power / (self._n * np.sum(self._window**2)))

    def _find_mains(self) -> bool:
        """Whether the mains frequency is known, deciding it from the running spectrum."""
        if self.mains_hz is None:
            best, best_db = None, self.line_db
            for f0 in CANDIDATES_HZ:
                lines, db = self._scores(self._avg, f0, fundamental_only=True)
                if lines.size and db[:, 0].max() >= best_db:
                    best, best_db = f0, float(db[:, 0].max())
            if best is None:
                return False
            self.mains_hz = best
        return True

    def _recheck_harmonics(self, db: np.ndarray | None = None) -> bool:
        """Add notches for harmonics standing out of the running spectrum (their scores
        ``db``, n_channels x harmonics, if already known); True if it did."""
        assert self.mains_hz is not None
        if db is None:
            lines, db = self._scores(self._avg, self.mains_hz)
        else:
            lines = self._tables[self.mains_hz][0]
        present = tuple(float(f) for f in lines[db.max(axis=0) >= self.line_db])
        wanted = tuple(sorted(set(self.harmonics_hz) | set(present)))
        if wanted == self.harmonics_hz:
            return False
        self.harmonics_hz = wanted
        sos = np.vstack([notch_sos(f, self.q, self.fs) for f in wanted])
        self._filter = SosFilter(sos, self.n_channels, settle=False)
        return True
