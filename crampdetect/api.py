"""The one-call Python API: :func:`detect` on an array, a recording or a path; :func:`open`.

They are reachable from the package itself (``crampdetect.detect(...)``,
``crampdetect.open(...)``) and give what the CLI gives: ``detect`` runs the same streaming
pipeline as ``crampdetect detect`` and ``crampdetect replay``, with the same defaults and
options (``settings`` is ``--set``, ``user`` is ``--user``). Several paths and folders:
:func:`crampdetect.detect_many` (:mod:`crampdetect.many`).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from crampdetect.core import Event, InputError, QualityInterval, Representation
from crampdetect.ingest.columns import select_channels
from crampdetect.provenance import InputHash, SampleHash, provenance
from crampdetect.storage import limits
from crampdetect.storage.recording import Recording, Segment, segments_from_array

#: Block length (s) fed to the pipeline; it is chunk-invariant, so this only bounds memory.
BLOCK_S = 10.0


@dataclass(frozen=True, slots=True)
class Detection:
    """What :func:`detect` found.

    ``events`` are final (one per cramp or early warning, ``end_s`` None if it was still going
    at the end); ``quality`` the signal-quality intervals; times in s on the input's time axis;
    ``path`` the recording's path as given (None for an array or an opened recording).
    """

    events: list[Event]
    quality: list[QualityInterval]
    representation: Representation
    inferred: tuple[str, ...]
    fs: float
    channels: tuple[str, ...]
    profile: str
    path: str | None = None
    #: What produced it (:func:`crampdetect.provenance.provenance`: code, settings and their
    #: hash, gate, input file's SHA-256...), as ``detect --json`` writes it.
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def cramps(self) -> list[Event]:
        """The cramp alerts only."""
        return [e for e in self.events if e.kind == "cramp"]

    def to_dict(self) -> dict[str, Any]:
        """``events`` (each with its ``id``), ``quality`` and ``provenance`` exactly as
        ``crampdetect detect --json`` writes them."""
        from crampdetect.pipeline.offline import event_dict  # lazy: the pipeline loads late

        return {
            "events": [event_dict(e) for e in self.events],
            "quality": [q.to_dict() for q in self.quality],
            "provenance": dict(self.provenance),
        }

    def table(self) -> list[dict[str, Any]]:
        """The events as a table without pandas: one dict per event, the same keys in each.

        ``id`` (the event's number within this result, as in :meth:`to_dict`, ``detect
        --json`` and the HTML report, to join them), ``path``, ``channel``, ``kind``,
        ``onset_s``, ``alert_s``, ``end_s`` (s, None while still going), ``confidence``
        (0..1), as ``crampdetect detect --json`` gives them, then each ``detail`` entry as
        ``detail_<name>`` (None where an event has none).

        >>> import numpy as np, crampdetect
        >>> crampdetect.detect(np.zeros(2000), fs=1000, units="uV", signal="raw").table()
        []
        """
        rows = [{"id": e.id, "path": self.path, **e.to_dict()} for e in self.events]
        details = [row.pop("detail", {}) for row in rows]
        names = list(dict.fromkeys(k for d in details for k in d))
        for row, detail in zip(rows, details, strict=True):
            row.update({f"detail_{k}": detail.get(k) for k in names})
        return rows

    def to_frame(self) -> Any:
        """:meth:`table` as a ``pandas.DataFrame`` (pandas is not a dependency of crampdetect:
        install it to use this); the columns are there even without events.

        >>> import numpy as np, crampdetect
        >>> result = crampdetect.detect(np.zeros(2000), fs=1000, units="uV", signal="raw")
        >>> list(result.to_frame().columns)  # doctest: +SKIP
        ['id', 'path', 'channel', 'kind', 'onset_s', 'alert_s', 'end_s', 'confidence']
        """
        try:
            import pandas  # lazy: optional, and heavy
        except ImportError:
            raise ImportError(
                "Detection.to_frame needs pandas (pip install pandas); "
                "Detection.table() gives the same rows as a list of dicts"
            ) from None
        return pandas.DataFrame(self.table(), columns=_table_columns(self.table()))


#: The columns of :meth:`Detection.table` every event has.
TABLE_COLUMNS = ("id", "path", "channel", "kind", "onset_s", "alert_s", "end_s", "confidence")


def _table_columns(rows: list[dict[str, Any]]) -> list[str]:
    return list(TABLE_COLUMNS) + [k for k in (rows[0] if rows else {}) if k not in TABLE_COLUMNS]


def open(path: str | Path) -> Recording:  # crampdetect.open, like io.open
    """Open a recording in any supported format, read-only.

    Session directories, EDF+/BDF+, WAV, ``time_s,<channels>`` CSV and the recordings
    shipped in ``recordings/``; the format comes from the content, not the suffix.
    Raises :class:`~crampdetect.core.InputError` for a file that cannot be read.
    """
    # lazy: scipy and the pipeline load on the first call, not on import
    from crampdetect.storage.reader import open_recording

    return open_recording(path)


def _as_recording(
    data: Any, fs: float | None, channels: Sequence[str] | None, times: Any
) -> Recording:
    try:
        x = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"data must be numbers shaped (n_channels, n_samples), a Recording or the path of "
            f"a recording (str or Path), got {type(data).__name__}: {exc}"
        ) from None
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2 or x.shape[1] == 0:
        raise InputError(f"data must be shaped (n_channels, n_samples), got {np.shape(data)}")
    if channels is None:
        channels = ("calf",) if x.shape[0] == 1 else tuple(f"ch{i + 1}" for i in range(x.shape[0]))
    channels = tuple(channels)
    if len(channels) != x.shape[0]:
        hint = " (pass data.T?)" if len(channels) == x.shape[1] else ""
        raise InputError(f"{len(channels)} channel names for {x.shape[0]} rows of data{hint}")
    if x.shape[0] > x.shape[1]:
        raise InputError(
            f"data shaped {x.shape} looks like (n_samples, n_channels): pass data.T, "
            "shaped (n_channels, n_samples)"
        )
    if fs is None or not 0 < float(fs) < float("inf"):
        raise InputError(f"fs must be the sample rate in Hz, got {fs}")
    if not np.all(np.abs(x) <= limits.MAX_ABS_VALUE):  # NaN compares False
        # bad samples, as a CSV cell or a live stream delivers them: flagged bad_value
        x = np.where(np.abs(x) <= limits.MAX_ABS_VALUE, x, np.nan)
    fs = float(fs)
    if times is None:
        segments = [Segment(0, 0.0, x.shape[1], lambda: x)]
    else:
        t = np.asarray(times, dtype=np.float64)
        if t.shape != (x.shape[1],) or np.any(np.diff(t) <= 0):
            raise InputError("times must be increasing, one per sample")
        segments = segments_from_array(t, x, fs)
    return Recording(Path("<array>"), "array", fs, channels, None, segments)


def detect(
    data: Any,
    fs: float | None = None,
    profile: str | None = None,
    *,
    channels: Sequence[str] | None = None,
    units: str | None = None,
    signal: str | None = None,
    adc_bits: int | None = None,
    times: Any = None,
    model: str | None = None,
    settings: Mapping[str, float | bool | str] | None = None,
    user: str | None = None,
) -> Detection:
    """Detect cramps in a signal, as ``crampdetect detect`` does on a file.

    Parameters
    ----------
    data : array_like, shape (n_channels, n_samples) or (n_samples,), Recording, str or Path
        Surface EMG, one row per calf; or a recording from :func:`open`; or the path of a
        recording in any format, opened as :func:`open` opens it and scored as
        ``crampdetect detect PATH`` scores it (the same events; what the reader left out or
        repaired, e.g. a ``torque_Nm`` column, comes as a ``UserWarning``). NaN, infinite and
        absurd (beyond ±1e9) values are bad samples: flagged ``bad_value``, never an alert.
        A folder is refused: :func:`detect_many` scores the recordings in it.
    fs : float
        Sample rate in Hz (not needed for a Recording or a path; if given, it must agree).
    profile : {"night", "training"}, optional
        Detector profile. Default None: for a Recording the one it names (a training
        session's recorded settings, a simulator ``.labels.json``), else night, as
        ``crampdetect detect`` without ``--profile``; for an array, night. A recording naming
        a profile this version does not know is scored as a night with a ``UserWarning``.
        :attr:`Detection.profile` says the one used.
    channels : sequence of str, optional
        For an array: one name per row (default ``calf`` for one row, else ``ch1``,
        ``ch2``...). For a Recording or a path: the channels to score, in this order, as
        ``crampdetect detect --channels`` (default: every channel whose name does not say it
        is something else than EMG); a name it does not have is refused, naming those it has.
    units : {"uV", "mV", "V", "counts"}, optional
        Units of ``data``; inferred from the values if not given (as the CLI does).
    signal : {"raw", "env"}, optional
        Raw EMG or the MyoWare ENV envelope; inferred if not given.
    adc_bits : int, optional
        ADC resolution when ``units="counts"``; inferred if not given.
    times : array_like, shape (n_samples,), optional
        Time of each sample in s; jumps longer than 1.5 samples are lost samples (gaps).
    model : str, optional
        A learned gate folder (``--model``); default rules only.
    settings : mapping of str to number or bool, optional
        Detector settings changed by name, as ``--set NAME=VALUE`` changes them (e.g.
        ``{"slow_s": 9}``, in the unit ``docs/detection.md`` gives each; a switch such as
        ``early_warning`` takes True or False, or the CLI's words: true/false, yes/no,
        on/off, 1/0). An unknown name, a value out of the setting's
        range or not a number is refused with the CLI's message, before any data is read.
    user : str, optional
        Use this user's stored calibration (``crampdetect calibrate``; ``--user``): the
        calibrated rest and maximum of each channel. A user without one is refused; a
        calibration that does not fit the recording (its rest, units or rate) comes as a
        ``UserWarning``, as the CLI's warning.

    Examples
    --------
    >>> import numpy as np, crampdetect
    >>> rest = np.random.default_rng(0).normal(0, 5, 5000)  # 5 s of rest, µV
    >>> crampdetect.detect(rest, fs=1000, units="uV", settings={"slow_s": 9}).events
    []
    >>> crampdetect.detect(rest, fs=1000, settings={"slow_s": 0})
    Traceback (most recent call last):
    crampdetect.core.InputError: Detector setting slow_s=0.0 out of range 0.1..600 s
    """
    # lazy: scipy and the pipeline load on the first call, not on import
    from crampdetect.calibration import user_calibration
    from crampdetect.detect.overrides import check_overrides
    from crampdetect.detect.settings import profile_settings
    from crampdetect.pipeline import Pipeline
    from crampdetect.pipeline.offline import run_blocks, scoring_profile
    from crampdetect.pipeline.rescore import resolve_representation

    if profile is not None and profile not in ("night", "training"):
        raise InputError(f"Unknown profile {profile!r}: choose night or training")
    overrides = check_overrides(settings or {})  # a bad setting stops before any data is read
    calibration, stored = user_calibration(user)  # so does a user without a calibration
    path = None
    source: InputHash | None = None  # a recording's file, hashed while it is scored
    if isinstance(data, str | os.PathLike):  # a file: as `crampdetect detect PATH`
        # lazy: scipy and the pipeline load on the first call, not on import
        from crampdetect.storage.folders import is_folder
        from crampdetect.storage.reader import open_recording

        path = os.fspath(data)
        if is_folder(Path(path)):
            raise InputError(
                f"{path} is a folder: crampdetect.detect_many({path!r}) scores the recordings "
                "in it, one result each"
            )
        data = open_recording(data, channels=channels)
        for problem in data.problems:
            warnings.warn(problem, UserWarning, stacklevel=2)
    if isinstance(data, Recording):
        rec = select_channels(data, channels)  # --channels: these, in this order
        if fs is not None and abs(float(fs) - rec.fs) > 1e-6 * rec.fs:
            raise InputError(f"fs={fs} disagrees with the recording ({rec.fs:g} Hz)")
        if rec.kind != "array" and Path(rec.path).exists():
            source = InputHash(rec.path, rec.kind, rec.read_hash)  # hashed as it was read
    else:
        rec = _as_recording(data, fs, channels, times)
    profile, _, unknown = scoring_profile(profile, rec.profile)
    if unknown:
        warnings.warn(unknown, UserWarning, stacklevel=2)
    rep, inferred = resolve_representation(rec, signal, units, adc_bits)
    gate = loaded = None
    if model is not None:
        # lazy: scipy and the pipeline load on the first call, not on import
        from crampdetect.detect.model import check_recording, resolve_model

        loaded = resolve_model(model)
        if loaded is not None:
            check_recording(loaded, rec.fs, rep.signal)
            gate = loaded.gate(profile)
    tuned = profile_settings(profile, rep.signal).replace(**overrides)
    pipe = Pipeline(rec.fs, rec.channels, rep, profile, tuned, calibration, gate)
    watch = None
    if calibration is not None:  # does the calibration fit this recording? (as the CLI says)
        # lazy: scipy and the pipeline load on the first call, not on import
        from crampdetect.calibration import CalibrationWatch

        watch = CalibrationWatch(stored, user)
    blocks = rec.iter_blocks(max(1, round(BLOCK_S * rec.fs)))
    samples = SampleHash(rec.fs)  # without a file (an array): hashed as the blocks stream
    if source is None:
        blocks = samples.blocks(blocks)
    events, quality = run_blocks(
        pipe,
        blocks,
        None if watch is None else lambda block, pipe, out: watch.feed(pipe, out),
    )
    if watch is not None:
        name = None if rec.kind == "array" else Path(str(rec.path)).name
        for line in watch.warnings(name):
            warnings.warn(line, UserWarning, stacklevel=2)
    read = samples.id() if source is None else source.id(rec.fs)
    made = provenance(
        profile,
        rep.signal,
        overrides,
        loaded,
        user,
        settings=tuned,
        calibration=calibration,
        source=read,
        block_s=BLOCK_S,
    )
    return Detection(
        events, quality, rep, tuple(inferred), rec.fs, rec.channels, profile, path, made
    )
