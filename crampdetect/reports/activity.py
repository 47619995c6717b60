"""A simple activity classifier for training sessions and nights, from the calf EMG envelope.

Per window of the RMS envelope (µV) and per leg:

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
(:data:`NIGHT_WORDS`: no standing or walking in bed). Offline only (zero-phase filters allowed).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from crampdetect.core import Representation
from crampdetect.ingest.inference import resolve_inference
from crampdetect.storage.reader import open_recording
from crampdetect.storage.recording import Recording, Segment

ENV_FS = 50.0
RUN_STRIDE_HZ = 1.2
GAIT_BAND_HZ = (0.7, 1.8)
DEFAULT_REST_UV = 5.0
DEFAULT_MAX_UV = 400.0
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
#: Seconds of samples read and filtered at once (:func:`run_envelope`).
CHUNK_S = 60.0
#: Seconds of samples on either side of a chunk that its filters settle on.
MARGIN_S = 5.0
#: Windows classified at once (:func:`classify`: bounds its spectra, 2049 bins a window).
BATCH_WINDOWS = 64


def rms_envelope(data: np.ndarray, fs: float, signal: str = "raw") -> np.ndarray:
    """RMS envelope at :data:`ENV_FS` Hz.

    Parameters
    ----------
    data : ndarray, shape (n_channels, n_samples)
        Samples in µV (raw EMG, or the MyoWare ENV output when ``signal == "env"``).
    fs : float
        Sample rate in Hz.

    Returns
    -------
    ndarray, shape (n_channels, n_env)
        Envelope in µV, sampled at :data:`ENV_FS` Hz.
    """
    return _full_rate_envelope(data, fs, signal)[:, :: envelope_step(fs)]


def envelope_step(fs: float) -> int:
    """Samples per envelope sample (the envelope keeps every ``step``-th of the full rate)."""
    return max(1, round(fs / ENV_FS))


def _full_rate_envelope(data: np.ndarray, fs: float, signal: str) -> np.ndarray:
    """The RMS envelope (µV) at the sample rate, zero-phase (:func:`rms_envelope` before its
    decimation)."""
    from scipy.signal import butter, sosfiltfilt

    x = np.nan_to_num(np.asarray(data, dtype=np.float64))
    if signal == "raw":
        high = min(450.0, 0.45 * fs)
        x = sosfiltfilt(butter(4, [20.0, high], "bandpass", fs=fs, output="sos"), x, axis=-1)
        power = sosfiltfilt(butter(2, 4.0, fs=fs, output="sos"), x * x, axis=-1)
        return np.sqrt(np.clip(power, 0.0, None))
    return sosfiltfilt(butter(2, 4.0, fs=fs, output="sos"), x, axis=-1)


def run_envelope(
    segments: list[Segment], fs: float, rep: Representation, signal: str = "raw"
) -> np.ndarray:
    """:func:`rms_envelope` of one gap-free run of ``segments`` (stored samples, converted with
    ``rep``), read and filtered :data:`CHUNK_S` at a time: memory holds a chunk and the
    envelope, never the run (a night of 8 h, 2 channels at 1 kHz is 460 MB of samples).

    Each chunk is filtered with :data:`MARGIN_S` of the samples on either side, which the
    zero-phase filters need to settle (their impulse responses, at 4 Hz and above, are gone
    within a second), and only its own part kept; at the run's ends the filters see the
    run's edges as :func:`rms_envelope` of the whole run does.
    """
    step = envelope_step(fs)
    chunk = max(1, round(CHUNK_S * fs) // step) * step  # every chunk starts on the envelope grid
    margin = round(MARGIN_S * fs)
    reader = _RunReader(segments)
    parts = []
    for a in range(0, reader.n, chunk):
        b = min(a + chunk, reader.n)
        lo, hi = max(0, a - margin), min(reader.n, b + margin)
        x = rep.to_uv(reader.read(lo, hi))
        rows = [  # a channel at a time: scipy's filters take ~25x their input's memory
            _full_rate_envelope(x[c : c + 1], fs, signal)[:, a - lo : b - lo : step]
            for c in range(x.shape[0])
        ]
        parts.append(np.vstack(rows))
    if not parts:
        return np.zeros((0, 0))
    return np.concatenate(parts, axis=1)


class _RunReader:
    """Samples ``[lo, hi)`` of a gap-free run of segments, loading only the segments that
    overlap (those of the previous read that overlap again are kept, not loaded twice)."""

    def __init__(self, segments: list[Segment]) -> None:
        self.segments = segments
        self.starts = np.cumsum([0] + [seg.n_samples for seg in segments])
        self.n = int(self.starts[-1])
        self._loaded: dict[int, np.ndarray] = {}

    def read(self, lo: int, hi: int) -> np.ndarray:
        first = int(np.searchsorted(self.starts, lo, side="right")) - 1
        last = int(np.searchsorted(self.starts, hi, side="left"))  # exclusive
        wanted = range(first, last)
        self._loaded = {i: self._loaded[i] if i in self._loaded else self._load(i) for i in wanted}
        parts = [
            self._loaded[i][:, max(lo - self.starts[i], 0) : hi - self.starts[i]] for i in wanted
        ]
        return np.concatenate(parts, axis=1)

    def _load(self, i: int) -> np.ndarray:
        return np.asarray(self.segments[i].load(), dtype=np.float64)


def classify(
    env: np.ndarray,
    rest_uv: float = DEFAULT_REST_UV,
    max_uv: float = DEFAULT_MAX_UV,
    window_s: float = 6.0,
    hop_s: float = 2.0,
) -> np.ndarray:
    """Label every window of an envelope.

    Parameters
    ----------
    env : ndarray, shape (n_channels, n_env)
        RMS envelope in µV at :data:`ENV_FS` Hz (:func:`rms_envelope`).
    rest_uv, max_uv : float
        Rest and maximal RMS in µV (from calibration, or defaults).
    window_s, hop_s : float
        Window length and step in s.

    Returns
    -------
    ndarray of str, shape (n_channels, n_windows)
        One of :data:`ACTIVITIES` per window; window ``k`` starts at ``k * hop_s``.
    """
    n_win, n_hop = round(window_s * ENV_FS), round(hop_s * ENV_FS)
    if env.shape[-1] < n_win:
        return np.empty((env.shape[0], 0), dtype="<U8")
    n = (env.shape[-1] - n_win) // n_hop + 1
    if n > BATCH_WINDOWS:  # a batch of windows at a time: each window's label is its own
        parts = [
            _classify(
                env[:, k * n_hop : (k + BATCH_WINDOWS - 1) * n_hop + n_win],
                rest_uv,
                max_uv,
                n_win,
                n_hop,
            )
            for k in range(0, n, BATCH_WINDOWS)
        ]
        return np.concatenate(parts, axis=1)
    return _classify(env, rest_uv, max_uv, n_win, n_hop)


def _classify(env: np.ndarray, rest_uv: float, max_uv: float, n_win: int, n_hop: int) -> np.ndarray:
    """:func:`classify` of every window of ``env`` (window and hop in envelope samples)."""
    frames = np.lib.stride_tricks.sliding_window_view(env, n_win, axis=-1)[:, ::n_hop, :]
    mean = frames.mean(axis=-1)
    cv = frames.std(axis=-1) / np.maximum(mean, 1e-9)
    n_fft = 4096
    spec = np.abs(np.fft.rfft(frames - mean[..., None], n=n_fft, axis=-1)) ** 2
    freqs = np.fft.rfftfreq(n_fft, 1.0 / ENV_FS)
    gait = (freqs >= GAIT_BAND_HZ[0]) & (freqs <= GAIT_BAND_HZ[1])
    wide = (freqs >= 0.3) & (freqs <= 5.0)
    peak_idx = np.argmax(np.where(gait, spec, -1.0), axis=-1)
    f0 = freqs[peak_idx]
    # Power within ±0.15 Hz of the peak and its first harmonic, against the whole band.
    near = (np.abs(freqs - f0[..., None]) <= 0.15) | (np.abs(freqs - 2 * f0[..., None]) <= 0.15)
    peak_share = (spec * near).sum(-1) / np.maximum((spec * wide).sum(-1), 1e-12)

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


def segments(
    labels: np.ndarray,
    channels: tuple[str, ...],
    hop_s: float = 2.0,
    window_s: float = 6.0,
    t0: float = 0.0,
) -> list[tuple[str, float, float, str]]:
    """Merge window labels into ``(leg, start_s, end_s, activity)`` runs.

    Window ``k`` stands for the ``hop_s`` around its centre; the first and last runs are
    extended to the edges of the analysed span.
    """
    out = []
    n = labels.shape[-1]
    if n == 0:
        return out
    edges = t0 + window_s / 2 + hop_s * (np.arange(n + 1) - 0.5)
    edges[0], edges[-1] = t0, t0 + window_s + hop_s * (n - 1)
    for ch, row in zip(channels, labels, strict=True):
        change = np.flatnonzero(row[1:] != row[:-1]) + 1
        starts = np.concatenate([[0], change])
        stops = np.concatenate([change, [n]])
        out += [
            (ch, float(edges[a]), float(edges[b]), str(row[a]))
            for a, b in zip(starts, stops, strict=True)
        ]
    return out


def activity_from_file(
    path: str | Path | Recording,
    calibration: dict[str, tuple[float, float]] | None = None,
    profile: str = "training",
) -> list[tuple[str, float, float, str]]:
    """Activity runs of a recording file (any format ``open_recording`` reads), or of one
    already opened; a ``"night"`` profile in night words (:data:`NIGHT_WORDS`) against the
    night's own rest floor (:func:`rest_floor_uv`).

    Each contiguous run of samples is analysed on its own, so gaps never shift times. The
    samples are read a chunk at a time (:func:`run_envelope`): a whole night fits.
    """
    rec = path if isinstance(path, Recording) else open_recording(path)
    # a CSV says nothing of its samples: its units (a name's, else inferred, as `detect`
    # reads them), so a recording in mV, V or counts is not classified as µV (all rest)
    rep, _, _ = resolve_inference(rec)
    signal = rep.signal
    runs: list[list] = []  # contiguous runs of segments (a session stores one per write)
    for seg in rec.segments:
        if runs and seg.start == runs[-1][-1].start + runs[-1][-1].n_samples:
            runs[-1].append(seg)
        else:
            runs.append([seg])
    envs = []
    for run in runs:
        if sum(seg.n_samples for seg in run) < 10 * rec.fs:
            continue  # shorter pieces cannot hold a 6-s window reliably
        envs.append((run[0].t0, run_envelope(run, rec.fs, rep, signal)))  # a chunk at a time
    if not envs:
        return []
    out = []
    night = profile == "night"
    for i, ch in enumerate(rec.channels):
        leg = np.concatenate([e[i] for _, e in envs])
        if calibration and ch in calibration:
            rest, top = calibration[ch]
        else:
            # Uncalibrated: running and strong efforts reach ~100 % of maximum (domain.md §0),
            # so the session's own 99th percentile is a floor for the maximum.
            rest, top = DEFAULT_REST_UV, max(DEFAULT_MAX_UV, float(np.percentile(leg, 99)))
        rest = rest_floor_uv(rep, leg, rest, own=night or signal == "env")
        top = max(top, rest * DEFAULT_MAX_UV / DEFAULT_REST_UV)  # the same span over a floor
        for t0, env in envs:
            out += segments(classify(env[i : i + 1], rest, top), (ch,), t0=float(t0))
    return night_words(out) if night else out


def rest_floor_uv(rep: Representation, env: np.ndarray, rest_uv: float, own: bool) -> float:
    """The rest level (µV) a leg's envelope ``env`` is classified against: ``rest_uv`` (the
    calibration's or the default), raised to the instrument's floor at rest -- for raw samples
    in counts the quantisation and ADC noise (:data:`ADC_NOISE_LSB`) added to it, and when
    ``own`` (a night, or the MyoWare ENV output whose scale is arbitrary) the recording's own
    floor, its :data:`OWN_FLOOR_PERCENTILE` percentile."""
    floor = float(rest_uv)
    if rep.units == "counts" and rep.signal == "raw":
        lsb = rep.uv_per_unit
        floor = float(np.sqrt(floor**2 + lsb**2 * (1.0 / 12.0 + ADC_NOISE_LSB**2)))
    if own and env.size:
        floor = max(floor, float(np.percentile(env, OWN_FLOOR_PERCENTILE)))
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
    history, session_id: int, path: str | Path | Recording, stream_t0_s: float
) -> int:
    """Classify the recording ``path`` (or one already opened) and store its activity
    timeline in session ``session_id`` of ``history`` (a
    :class:`~crampdetect.storage.history.History`).

    ``stream_t0_s`` is the stream time at which the session starts (its times count from
    it). The one way a timeline gets into the history: ``history --import --recording`` and
    ``monitor --history --record`` both call it. Returns how many runs were stored.
    """
    runs = activity_from_file(path, profile=str(history.session(session_id)["profile"]))
    history.add_activity(
        session_id, [(leg, a - stream_t0_s, b - stream_t0_s, what) for leg, a, b, what in runs]
    )
    return len(runs)
