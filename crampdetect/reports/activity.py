"""A simple activity classifier for training sessions and nights, from the calf EMG envelope.

Per window of the envelope (µV; 6-s windows, 2-s steps) and per leg:

- **gait**: rhythmic bursts, a clear spectral peak of the envelope at the stride frequency
  0.7-1.8 Hz (one calf burst per stride); **running** from ``RUN_STRIDE_HZ`` up, else **walking**;
- **hold**: sustained, steady activity (not rhythmic, low variation, well above rest);
- **standing**: low tonic activity (postural soleus), a few times the rest level;
- **rest**: at the noise floor; **active** anything else.

Levels are relative to the wearer's calibration (rest and maximal RMS, µV) when given, else
to defaults typical of a MyoWare on the calf. The rest level is never below what the
instrument itself shows at rest (:func:`rest_floor_uv`: the quantisation and ADC noise of
samples in counts; the recording's own floor for the MyoWare ENV output, whose scale is set by
the sensor's potentiometer, and for a night, which is mostly lying still), so the same signal
reads the same in µV and in 10- or 12-bit counts. A night is told in night words
(:data:`NIGHT_WORDS`: no standing or walking in bed).

One classifier, streaming: :class:`ActivityTimeline` takes the detection pipeline's envelope
frames (:attr:`crampdetect.pipeline.Output.envelope_uv`, 250-ms RMS every 50 ms) as they come
and keeps per window four numbers per leg, its times, and a fixed histogram of each leg's
frames (the recording's own floor and maximum): about 160 kB an hour for two legs, the frames of
one window at most, any block cut giving the same timeline. The labels are decided at the end
(:meth:`ActivityTimeline.runs`), when the floor of the whole recording is known.
``monitor --history --record`` feeds it live (the end of a night only stores the timeline);
``history --import --recording`` and the report replay the recording through the pipeline into
it (:func:`activity_from_file`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from crampdetect.core import Representation
from crampdetect.ingest.inference import resolve_inference
from crampdetect.pipeline.rescore import replay
from crampdetect.storage.reader import open_recording
from crampdetect.storage.recording import Recording

#: Envelope rate (Hz) of :func:`classify`'s default input; its spectra are resolved to
#: ``ENV_FS / 4096`` Hz (:data:`FREQ_STEP_HZ`) at any rate.
ENV_FS = 50.0
RUN_STRIDE_HZ = 1.2
GAIT_BAND_HZ = (0.7, 1.8)
DEFAULT_REST_UV = 5.0
DEFAULT_MAX_UV = 400.0
WINDOW_S = 6.0
HOP_S = 2.0
ACTIVITIES = ("running", "walking", "hold", "standing", "rest", "active")
#: What a night's timeline says instead (the rest as they are): low steady tone above rest is a
#: tense leg (often the prodrome before a cramp), anything rhythmic or varied a moving one.
NIGHT_WORDS = {"standing": "tense", "active": "moving", "walking": "moving", "running": "moving"}
#: ADC noise of a board, standard deviation in LSB, besides the quantisation's 1/sqrt(12):
#: the rest floor of samples in counts (:func:`rest_floor_uv`; the simulator's board has 0.5).
ADC_NOISE_LSB = 0.5
#: Percentile of a leg's envelope taken as the recording's own rest floor (a night, or ENV):
#: a night lies still far longer than 5 % of it.
OWN_FLOOR_PERCENTILE = 5.0
#: Percentile of a leg's envelope under which an uncalibrated maximum is never taken.
TOP_PERCENTILE = 99.0
#: Windows classified at once (:func:`classify`: bounds its spectra).
BATCH_WINDOWS = 64
#: Resolution (Hz) of a window's envelope spectrum: its FFT is zero-padded to reach it.
FREQ_STEP_HZ = ENV_FS / 4096
#: A gap in the stream longer than this (s) ends a run of windows (the timeline has a hole
#: there); a shorter one (a link's lost frames) is spanned, its windows counting frames.
SPLIT_GAP_S = 1.0
#: A run of frames shorter than this (s) is not classified: it cannot hold a window reliably.
MIN_RUN_S = 10.0
#: Histogram of a leg's envelope frames (its own floor and maximum): log-spaced bins from
#: ``HIST_LO_UV`` to ``HIST_HI_UV``, each ``HIST_STEP`` times as wide as the last (a
#: percentile read from it is within 0.5 % of the frames' own).
HIST_LO_UV, HIST_HI_UV, HIST_STEP = 1e-3, 1e7, 1.01

_N_BINS = int(np.ceil(np.log(HIST_HI_UV / HIST_LO_UV) / np.log(HIST_STEP)))
#: Upper edges of the histogram's bins but the last (which takes everything above).
_EDGES = HIST_LO_UV * HIST_STEP ** np.arange(1, _N_BINS)
#: The four numbers a window keeps per leg (:func:`window_features`).
FEATURES = ("mean", "cv", "peak_share", "f0")


def window_features(frames: np.ndarray, rate_hz: float) -> np.ndarray:
    """Per window, what the labels are decided on.

    Parameters
    ----------
    frames : ndarray, shape (n_channels, n_windows, n_win)
        Each window's envelope samples (µV) at ``rate_hz``.

    Returns
    -------
    ndarray, shape (n_channels, n_windows, 4)
        :data:`FEATURES`: mean level (µV), coefficient of variation, share of the envelope's
        power (0.3-5 Hz) within ±0.15 Hz of its gait-band peak and that peak's harmonic, and
        the peak's frequency (Hz).
    """
    mean = frames.mean(axis=-1)
    cv = frames.std(axis=-1) / np.maximum(mean, 1e-9)
    n_fft = 1 << int(np.ceil(np.log2(rate_hz / FREQ_STEP_HZ)))
    spec = np.abs(np.fft.rfft(frames - mean[..., None], n=n_fft, axis=-1)) ** 2
    freqs = np.fft.rfftfreq(n_fft, 1.0 / rate_hz)
    gait = (freqs >= GAIT_BAND_HZ[0]) & (freqs <= GAIT_BAND_HZ[1])
    wide = (freqs >= 0.3) & (freqs <= 5.0)
    f0 = freqs[np.argmax(np.where(gait, spec, -1.0), axis=-1)]
    # Power within ±0.15 Hz of the peak and its first harmonic, against the whole band.
    near = (np.abs(freqs - f0[..., None]) <= 0.15) | (np.abs(freqs - 2 * f0[..., None]) <= 0.15)
    peak_share = (spec * near).sum(-1) / np.maximum((spec * wide).sum(-1), 1e-12)
    return np.stack([mean, cv, peak_share, f0], axis=-1)


def window_labels(feat: np.ndarray, rest_uv: float, max_uv: float) -> np.ndarray:
    """One of :data:`ACTIVITIES` per window of :func:`window_features` ``feat`` (any leading
    shape), against the rest and maximal levels ``rest_uv`` and ``max_uv`` (µV)."""
    mean, cv, peak_share, f0 = np.moveaxis(feat, -1, 0)
    span = max(max_uv - rest_uv, 1e-9)
    level = (mean - rest_uv) / span  # 0 at rest, 1 at maximal contraction
    # Rhythm is the evidence for gait; the level only has to be clearly above rest.
    rhythmic = (peak_share > 0.5) & (cv > 0.35) & (mean > 3.0 * rest_uv)
    labels = np.full(mean.shape, "active", dtype="<U8")
    labels[mean < 2.0 * rest_uv] = "rest"
    # Standing: postural tone, a few % up to ~15 % of maximum; holds: steady and above that.
    labels[(mean >= 2.0 * rest_uv) & (level < 0.15) & (cv < 0.6)] = "standing"
    labels[~rhythmic & (level >= 0.15) & (cv < 0.45)] = "hold"
    labels[rhythmic] = "walking"
    labels[rhythmic & (f0 >= RUN_STRIDE_HZ)] = "running"
    return labels


def classify(
    env: np.ndarray,
    rest_uv: float = DEFAULT_REST_UV,
    max_uv: float = DEFAULT_MAX_UV,
    window_s: float = WINDOW_S,
    hop_s: float = HOP_S,
    rate_hz: float = ENV_FS,
) -> np.ndarray:
    """Label every window of a regularly sampled envelope (the rules of
    :class:`ActivityTimeline`, fixed levels).

    Parameters
    ----------
    env : ndarray, shape (n_channels, n_env)
        Envelope in µV at ``rate_hz``.
    rest_uv, max_uv : float
        Rest and maximal RMS in µV (from calibration, or defaults).
    window_s, hop_s : float
        Window length and step in s.

    Returns
    -------
    ndarray of str, shape (n_channels, n_windows)
        One of :data:`ACTIVITIES` per window; window ``k`` starts at ``k * hop_s``.
    """
    n_win, n_hop = round(window_s * rate_hz), round(hop_s * rate_hz)
    if env.shape[-1] < n_win:
        return np.empty((env.shape[0], 0), dtype="<U8")
    n = (env.shape[-1] - n_win) // n_hop + 1
    parts = []
    for k in range(0, n, BATCH_WINDOWS):  # a batch at a time: each window's label is its own
        m = min(BATCH_WINDOWS, n - k)
        part = env[:, k * n_hop : (k + m - 1) * n_hop + n_win]
        frames = np.lib.stride_tricks.sliding_window_view(part, n_win, axis=-1)[:, ::n_hop]
        parts.append(window_labels(window_features(frames, rate_hz), rest_uv, max_uv))
    return np.concatenate(parts, axis=1)


def segments(
    labels: np.ndarray,
    channels: tuple[str, ...],
    hop_s: float = HOP_S,
    window_s: float = WINDOW_S,
    t0: float = 0.0,
) -> list[tuple[str, float, float, str]]:
    """Merge window labels into ``(leg, start_s, end_s, activity)`` runs.

    Window ``k`` stands for the ``hop_s`` around its centre; the first and last runs are
    extended to the edges of the analysed span.
    """
    n = labels.shape[-1]
    starts = t0 + hop_s * np.arange(n)
    return _runs(labels, channels, starts, starts + window_s, window_s, hop_s)


def _runs(
    labels: np.ndarray,
    channels: Sequence[str],
    starts: np.ndarray,
    ends: np.ndarray,
    window_s: float,
    hop_s: float,
) -> list[tuple[str, float, float, str]]:
    """:func:`segments` of windows starting at ``starts`` and ending at ``ends`` (s)."""
    out: list[tuple[str, float, float, str]] = []
    n = labels.shape[-1]
    if n == 0:
        return out
    edges = np.empty(n + 1)
    edges[1:-1] = starts[1:] + (window_s - hop_s) / 2  # between two windows' centres
    edges[0], edges[-1] = starts[0], ends[-1]
    for ch, row in zip(channels, labels, strict=True):
        change = np.flatnonzero(row[1:] != row[:-1]) + 1
        first = np.concatenate([[0], change])
        stop = np.concatenate([change, [n]])
        out += [
            (ch, float(edges[a]), float(edges[b]), str(row[a]))
            for a, b in zip(first, stop, strict=True)
        ]
    return out


class ActivityTimeline:
    """The activity timeline of one stream, classified as its envelope frames come.

    Parameters
    ----------
    channels : sequence of str
        The legs, one per row of the frames.
    frame_s : float
        Spacing of the frames in s (the pipeline's ``hop_s``).
    representation : Representation
        The stream's (the instrument's rest floor: :func:`rest_floor_uv`).

    :meth:`feed` each :class:`~crampdetect.pipeline.Output` with its pipeline (or
    :meth:`push` frames), then :meth:`runs`. State: the frames of the window being filled,
    four numbers per window and leg (:data:`FEATURES`) and a fixed histogram per leg -- the
    same for any cut of the stream into blocks.
    """

    def __init__(
        self, channels: Sequence[str], frame_s: float, representation: Representation
    ) -> None:
        self.channels = tuple(channels)
        self.frame_s = float(frame_s)
        self.rep = representation
        self.n_win = max(1, round(WINDOW_S / self.frame_s))
        self.n_hop = max(1, round(HOP_S / self.frame_s))
        c = len(self.channels)
        self._buf = np.zeros((c, 0))  # frames of the run from the next window's first on
        self._buf_k = 0  # frame index (in the run's time) of _buf[:, 0]
        self._anchor: tuple[float, int] | None = None  # (time s, frame index) of the run
        self._k = 0  # frame index of the next frame pushed
        self._run_first = 0  # frame index of the current run's first frame
        # per window (the first n_windows of each, grown by doubling): its four numbers per
        # leg, its start and end (s) and the number of its run
        self._feat = np.zeros((c, 0, len(FEATURES)))
        self._t = np.zeros((2, 0))
        self._run_of = np.zeros(0, dtype=np.int64)
        self.n_windows = 0
        self._run_s: list[float] = []  # length of each run in s
        self._hist = np.zeros((c, _N_BINS), dtype=np.int64)
        self._rows = np.zeros((c, 0), dtype=np.int64)  # each frame's leg (grows to a block's)
        self._pending: list[np.ndarray] = []  # frames not yet counted (no window completed)
        self._n_pending = 0
        self._pipe: object = None
        self._pipe_k = 0  # frames of that pipeline fed so far

    # -- input ------------------------------------------------------------------------------
    def feed(self, out: object, pipe: object) -> None:
        """Take the envelope frames of ``out`` (an :class:`~crampdetect.pipeline.Output` of
        ``pipe``, every output of it in order). A new pipeline (a stream that restarted)
        starts a new run."""
        env = getattr(out, "envelope_uv", None)
        if env is None or env.shape[1] == 0:
            return
        if pipe is not self._pipe:
            self._pipe, self._pipe_k = pipe, 0
            self._end_run()
        n = env.shape[1]
        k0 = self._pipe_k
        self._pipe_k += n
        t0 = pipe.frame_time(k0)  # type: ignore[attr-defined]
        end = float(out.envelope_end_s)  # type: ignore[attr-defined]
        if end - t0 <= (n + 0.5) * self.frame_s:  # contiguous (the usual output)
            self.push(env, t0)
            return
        times = np.array([pipe.frame_time(k) for k in range(k0, k0 + n)])  # type: ignore[attr-defined]
        cuts = np.flatnonzero(np.diff(times) > 1.5 * self.frame_s) + 1  # gaps inside
        for a, b in zip([0, *cuts], [*cuts, n], strict=True):
            self.push(env[:, a:b], float(times[a]))

    def push(self, frames: np.ndarray, t0: float) -> None:
        """Take contiguous envelope frames (n_channels, n; µV) whose first starts at ``t0``
        (s). A jump of the stream's time before them over :data:`SPLIT_GAP_S` ends the run.
        The frames wait (a copy) until a window completes: then they are counted and
        classified together (live, once per :data:`HOP_S`, not per block)."""
        n = frames.shape[1]
        if n == 0:
            return
        if self._anchor is None:
            self._start_run(t0)
        else:
            late = t0 - self._time(self._k)
            if late > SPLIT_GAP_S:
                self._end_run()
                self._start_run(t0)
            elif late > 0.5 * self.frame_s:  # a short gap, spanned: times from after it
                self._anchor = (t0, self._k)
        self._pending.append(np.array(frames, dtype=float))
        self._n_pending += n
        self._k += n
        if self._buf.shape[1] + self._n_pending < self.n_win:
            return  # no window completes
        self._take_pending()
        have = self._buf.shape[1]
        m = (have - self.n_win) // self.n_hop + 1  # windows complete
        wins = np.lib.stride_tricks.sliding_window_view(self._buf, self.n_win, axis=-1)
        self._grow(m)
        a, b = self.n_windows, self.n_windows + m
        self._feat[:, a:b] = window_features(wins[:, :: self.n_hop][:, :m], 1.0 / self.frame_s)
        first = self._buf_k + self.n_hop * np.arange(m)
        self._t[:, a:b] = np.vstack([self._times(first), self._times(first + self.n_win)])
        self._run_of[a:b] = len(self._run_s) - 1
        self.n_windows = b
        self._buf = self._buf[:, m * self.n_hop :].copy()
        self._buf_k += m * self.n_hop

    def _take_pending(self) -> None:
        """The frames waiting: into the histogram and the window being filled."""
        if not self._pending:
            return
        new = np.concatenate(self._pending, axis=1) if len(self._pending) > 1 else self._pending[0]
        self._pending, self._n_pending = [], 0
        if self._rows.shape[1] < new.shape[1]:
            self._rows = np.repeat(np.arange(len(self.channels))[:, None], new.shape[1], axis=1)
        self._count(new)
        self._buf = np.concatenate([self._buf, new], axis=1) if self._buf.size else new

    def _grow(self, m: int) -> None:
        """Room for ``m`` more windows (the arrays double: a night's windows, not a copy each)."""
        need = self.n_windows + m
        cap = self._run_of.size
        if need <= cap:
            return
        cap = max(need, 2 * cap, 64)
        feat = np.zeros((self._feat.shape[0], cap, len(FEATURES)))
        feat[:, : self.n_windows] = self._feat[:, : self.n_windows]
        t = np.zeros((2, cap))
        t[:, : self.n_windows] = self._t[:, : self.n_windows]
        run_of = np.zeros(cap, dtype=np.int64)
        run_of[: self.n_windows] = self._run_of[: self.n_windows]
        self._feat, self._t, self._run_of = feat, t, run_of

    def _count(self, frames: np.ndarray) -> None:
        """Each frame into its leg's histogram (a NaN into the top bin: none in practice)."""
        idx = np.minimum(np.searchsorted(_EDGES, frames, side="right"), _N_BINS - 1)
        np.add.at(self._hist, (self._rows[:, : frames.shape[1]], idx), 1)

    def _time(self, k: int) -> float:
        t, k0 = self._anchor  # type: ignore[misc]
        return t + (k - k0) * self.frame_s

    def _times(self, k: np.ndarray) -> np.ndarray:
        t, k0 = self._anchor  # type: ignore[misc]
        return t + (k - k0) * self.frame_s

    def _start_run(self, t0: float) -> None:
        self._anchor = (t0, self._k)
        self._run_first = self._buf_k = self._k
        self._run_s.append(0.0)

    def _end_run(self) -> None:
        self._take_pending()  # counted; the window they began is not completed
        if self._anchor is not None:
            self._run_s[-1] = (self._k - self._run_first) * self.frame_s
        self._anchor = None
        self._buf = np.zeros((len(self.channels), 0))

    # -- output -----------------------------------------------------------------------------
    def percentile(self, q: float) -> np.ndarray:
        """Per leg, the ``q``-th percentile (µV) of its frames so far, from the histogram
        (NaN before any frame)."""
        self._take_pending()
        total = self._hist.sum(axis=1)
        out = np.full(len(self.channels), np.nan)
        for c, row in enumerate(self._hist):
            if total[c]:
                cum = np.cumsum(row)
                b = int(np.searchsorted(cum, q / 100.0 * (total[c] - 1), side="right"))
                out[c] = HIST_LO_UV * HIST_STEP ** (b + 0.5)  # the bin's geometric middle
        return out

    def runs(
        self,
        profile: str = "training",
        calibration: Mapping[str, tuple[float, float]] | None = None,
    ) -> list[tuple[str, float, float, str]]:
        """The timeline so far: ``(leg, start_s, end_s, activity)`` runs, leg by leg, on the
        stream's time axis; a ``"night"`` profile in night words (:data:`NIGHT_WORDS`)
        against the night's own rest floor (:func:`rest_floor_uv`). Runs of frames shorter
        than :data:`MIN_RUN_S` are left out."""
        n = self.n_windows
        if not n:
            return []
        run_s = list(self._run_s)
        if self._anchor is not None:  # the run still going
            run_s[-1] = (self._k - self._run_first) * self.frame_s
        feat, times, run_of = self._feat[:, :n], self._t[:, :n], self._run_of[:n]
        night = profile == "night"
        own = night or self.rep.signal == "env"
        floors, tops = self.percentile(OWN_FLOOR_PERCENTILE), self.percentile(TOP_PERCENTILE)
        labels = np.empty(feat.shape[:2], dtype="<U8")
        for i, ch in enumerate(self.channels):
            if calibration and ch in calibration:
                rest, top = calibration[ch]
            else:
                # Uncalibrated: running and strong efforts reach ~100 % of maximum (domain.md
                # §0), so the session's own 99th percentile is a floor for the maximum.
                rest, top = DEFAULT_REST_UV, max(DEFAULT_MAX_UV, float(np.nan_to_num(tops[i])))
            rest = rest_floor_uv(self.rep, rest, float(floors[i]) if own else None)
            top = max(top, rest * DEFAULT_MAX_UV / DEFAULT_REST_UV)  # the same span over a floor
            labels[i] = window_labels(feat[i], rest, top)
        out: list[tuple[str, float, float, str]] = []
        bounds = np.flatnonzero(np.diff(run_of)) + 1
        pieces = [
            (a, b)
            for a, b in zip([0, *bounds], [*bounds, run_of.size], strict=True)
            if run_s[run_of[a]] >= MIN_RUN_S
        ]
        window_s, hop_s = self.n_win * self.frame_s, self.n_hop * self.frame_s
        for i, ch in enumerate(self.channels):  # leg by leg, each in time order
            for a, b in pieces:
                out += _runs(labels[i : i + 1, a:b], (ch,), times[0, a:b], times[1, a:b],
                             window_s, hop_s)  # fmt: skip
        return night_words(out) if night else out


def activity_from_file(
    path: str | Path | Recording,
    calibration: dict[str, tuple[float, float]] | None = None,
    profile: str = "training",
) -> list[tuple[str, float, float, str]]:
    """Activity runs of a recording file (any format ``open_recording`` reads), or of one
    already opened: replayed through the detection pipeline into an :class:`ActivityTimeline`
    (:func:`timeline_of`), the very timeline live monitoring of it computes."""
    rec = path if isinstance(path, Recording) else open_recording(path)
    return timeline_of(rec).runs(profile, calibration)


def timeline_of(rec: Recording) -> ActivityTimeline:
    """The :class:`ActivityTimeline` of an opened recording: replayed through the detection
    pipeline (its samples' units as ``detect`` reads them, a chunk at a time) into it."""
    # a CSV says nothing of its samples: its units (a name's, else inferred, as `detect`
    # reads them), so a recording in mV, V or counts is not classified as µV (all rest)
    rep, _, _ = resolve_inference(rec)
    timelines: list[ActivityTimeline] = []

    def on_block(block: object, pipe: object, out: object) -> None:
        if not timelines:
            timelines.append(ActivityTimeline(rec.channels, pipe.hop_s, rep))  # type: ignore[attr-defined]
        timelines[0].feed(out, pipe)

    replay(rec, representation=rep, on_block=on_block)
    return timelines[0] if timelines else ActivityTimeline(rec.channels, 0.05, rep)


def rest_floor_uv(rep: Representation, rest_uv: float, own_uv: float | None = None) -> float:
    """The rest level (µV) a leg is classified against: ``rest_uv`` (the calibration's or the
    default), raised to the instrument's floor at rest -- for raw samples in counts the
    quantisation and ADC noise (:data:`ADC_NOISE_LSB`) added to it, and ``own_uv`` when given
    (a night, or the MyoWare ENV output whose scale is arbitrary: the recording's own floor,
    its :data:`OWN_FLOOR_PERCENTILE` percentile)."""
    floor = float(rest_uv)
    if rep.units == "counts" and rep.signal == "raw":
        lsb = rep.uv_per_unit
        floor = float(np.sqrt(floor**2 + lsb**2 * (1.0 / 12.0 + ADC_NOISE_LSB**2)))
    if own_uv is not None and np.isfinite(own_uv):
        floor = max(floor, float(own_uv))
    return floor


def night_words(runs: list[tuple[str, float, float, str]]) -> list[tuple[str, float, float, str]]:
    """``runs`` of :func:`segments` in :data:`NIGHT_WORDS`, neighbours that now read the same
    merged."""
    out: list[tuple[str, float, float, str]] = []
    for leg, a, b, what in runs:
        what = NIGHT_WORDS.get(what, what)
        if out and out[-1][0] == leg and out[-1][3] == what and out[-1][2] == a:
            out[-1] = (leg, out[-1][1], b, what)
        else:
            out.append((leg, a, b, what))
    return out


def store_activity(
    history,
    session_id: int,
    source: str | Path | Recording | ActivityTimeline,
    stream_t0_s: float,
) -> int:
    """Store the activity timeline of ``source`` in session ``session_id`` of ``history`` (a
    :class:`~crampdetect.storage.history.History`), classified for the session's profile:
    a recording (a path, or one opened: :func:`timeline_of`) or the
    :class:`ActivityTimeline` live monitoring fed.

    ``stream_t0_s`` is the stream time at which the session starts (its times count from
    it). The one way a timeline gets into the history: ``history --import --recording`` and
    ``monitor --history --record`` both call it. Returns how many runs were stored.
    """
    if not isinstance(source, ActivityTimeline):
        rec = source if isinstance(source, Recording) else open_recording(source)
        source = timeline_of(rec)
    runs = source.runs(str(history.session(session_id)["profile"]))
    history.add_activity(
        session_id, [(leg, a - stream_t0_s, b - stream_t0_s, what) for leg, a, b, what in runs]
    )
    return len(runs)
