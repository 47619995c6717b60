"""The offline runner: blocks of a file or recording through one :class:`Pipeline`, folded
into final events and quality intervals, and the ``detect --json`` document built from them.

``detect`` (:func:`detect_file`), ``replay`` and ``report``
(:func:`~crampdetect.pipeline.rescore.replay`), ``evaluate`` and gate training
(:func:`collect_candidates`) all run through :func:`run_blocks`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from crampdetect.core import PROFILES, Block, Event, InputError, QualityInterval, Representation
from crampdetect.detect.cramp import CANDIDATE_FEATURES
from crampdetect.detect.model import check_recording
from crampdetect.detect.settings import profile_settings
from crampdetect.ingest.channelkind import MISMATCH, kind_message
from crampdetect.ingest.inference import RepresentationInference
from crampdetect.pipeline import Output, Pipeline
from crampdetect.storage.csvfile import CsvStream, open_csv

if TYPE_CHECKING:
    from crampdetect.calibration import CalibrationWatch


@dataclass(slots=True)
class Collector:
    """Fold a stream of :class:`Output` into final events and quality intervals.

    Open items (``end_s`` None) are replaced by their closed versions as they arrive.
    """

    events: dict[int, Event] = field(default_factory=dict)
    quality: dict[tuple[str, str, float], QualityInterval] = field(default_factory=dict)

    def add(self, out: Output) -> None:
        for e in out.events:
            self.events[e.id] = e
        for q in out.quality:
            self.quality[(q.channel, q.issue, q.start_s)] = q

    def result(self) -> tuple[list[Event], list[QualityInterval]]:
        events = sorted(self.events.values(), key=lambda e: (e.onset_s, e.channel))
        quality = sorted(self.quality.values(), key=lambda q: (q.start_s, q.channel, q.issue))
        return events, quality


def split_blocks(blocks: Iterable[Block], block_s: float) -> Iterator[Block]:
    """Cut ``blocks`` into blocks of at most ``block_s`` seconds (a gap stays on the first)."""
    if not (math.isfinite(block_s) and block_s > 0):
        raise InputError(f"Block size must be a positive number of seconds, got {block_s:g}")
    for b in blocks:
        n = max(1, round(block_s * b.fs))
        for i in range(0, b.n_samples, n):
            yield Block(
                b.data[:, i : i + n],
                b.fs,
                b.start + i,
                b.t0 + i / b.fs,
                b.gap if i == 0 else 0,
                b.channels,
            )


def run_blocks(
    pipe: Pipeline,
    blocks: Iterable[Block],
    on_block: Callable[[Block, Pipeline, Output], None] | None = None,
) -> tuple[list[Event], list[QualityInterval]]:
    """Push every block through ``pipe``, finish it; return the final events and quality.

    ``on_block(block, pipe, output)`` is called after each block was pushed (live views,
    alerts printed as they happen).
    """
    collector = Collector()
    for block in blocks:
        out = pipe.push(block)
        collector.add(out)
        if on_block is not None:
            on_block(block, pipe, out)
    collector.add(pipe.finish())
    return collector.result()


def infer_and_run(
    open_stream: Callable[[], CsvStream],
    new_inference: Callable[[float], RepresentationInference],
    make_pipe: Callable[[CsvStream, Representation], Pipeline],
    cut: Callable[[Iterable[Block]], Iterable[Block]],
    on_block: Callable[[Block, Pipeline, Output], None] | None = None,
) -> tuple[CsvStream, RepresentationInference, Pipeline, tuple[list[Event], list[QualityInterval]]]:
    """Infer a file's representation over the whole stream and run a pipeline built for it.

    The file is read once: the pipeline starts on the decision taken after the inference's
    look-ahead (the blocks read until then are held) while the inference goes on over the
    rest. Only if the final representation differs (a later revision), or no pipeline can be
    built for the first decision, is the file read and run again with the final one; the
    result is always that of a run with the whole-stream inference.
    """
    stream = open_stream()
    inference = new_inference(stream.fs)
    blocks = stream.blocks()
    ahead: list[Block] = []
    for b in blocks:
        ahead.append(b)
        inference.feed(b.data)
        if inference.representation is not None:
            break
    rep = inference.representation or inference.finish()

    def read_on() -> Iterator[Block]:
        yield from ahead
        ahead.clear()
        for b in blocks:
            inference.feed(b.data)  # before the pipeline sees the block
            yield b

    try:
        pipe: Pipeline | None = make_pipe(stream, rep)
    except InputError:  # e.g. a model refusing this signal type: the final one decides
        pipe = None
    if pipe is not None:
        result = run_blocks(pipe, cut(read_on()), on_block)
    else:
        for _ in read_on():
            pass
    final = inference.finish()
    if pipe is None or final != rep:
        stream = open_stream()
        pipe = make_pipe(stream, final)
        result = run_blocks(pipe, cut(stream.blocks()), on_block)
    return stream, inference, pipe, result


def unit_warnings(name: str, inference: RepresentationInference | dict | None) -> list[str]:
    """The inference's warnings about a recording's units, each naming the recording."""
    if isinstance(inference, RepresentationInference):
        lines = inference.warnings
    else:
        lines = list((inference or {}).get("warnings") or [])
    return [f"{name}: {line}" for line in lines]


def detection_result(
    fs: float,
    channels: Iterable[str],
    representation: Representation,
    duration_s: float,
    gaps: int,
    inferred: list[str],
    inference: dict[str, object] | None,
    profile: str,
    events: list[Event],
    quality: list[QualityInterval],
    source: dict[str, Any] | None = None,
    problems: list[str] | None = None,
) -> dict[str, Any]:
    """The ``crampdetect detect --json`` document.

    ``input`` describes the stream (``source`` keys such as ``path`` and ``format`` first,
    ``problems`` of the reader last when given, with a line per channel flagged
    ``signal_mismatch``; ``inference``: what the representation
    inference saw, None if none ran); ``events`` are :func:`event_dict` (``id`` and
    ``to_dict()``), ``quality`` the intervals' ``to_dict()``.
    """
    rep = representation
    info: dict[str, Any] = dict(source or {})
    info.update(
        sample_rate_hz=int(fs) if fs == int(fs) else fs,
        channels=list(channels),
        signal=rep.signal,
        units=rep.units,
        adc_bits=rep.adc_bits,
        duration_s=round(duration_s, 3),
        gaps=gaps,
        inferred=inferred,
        inference=inference,
        profile=profile,
    )
    told = []  # a channel not of the kind it was scored as: said once per channel
    for q in quality:
        if q.issue == MISMATCH and q.channel not in told:
            told.append(q.channel)
    if told:
        problems = [*(problems or []), *(kind_message(c, rep) for c in told)]
    if problems is not None:
        info["problems"] = list(problems)
    return {
        "input": info,
        "events": [event_dict(e) for e in events],
        "quality": [q.to_dict() for q in quality],
    }


def event_dict(event: Event) -> dict[str, Any]:
    """An event as every result writes it: ``id`` first (the detector's stream-wide number,
    as ``monitor --json-events`` and the history give it), then :meth:`Event.to_dict`."""
    return {"id": event.id, **event.to_dict()}


def scoring_profile(
    given: str | None, recorded: str | None
) -> tuple[str, dict[str, object], str | None]:
    """The profile to score a recording with, what ``input`` of the result says of it, and a
    warning if the recording names a profile this version does not know.

    ``given`` (``--profile``) wins: it is how a recording is re-scored under the other
    profile. Else the profile the recording names (:attr:`Recording.profile`), else night
    (also, with the warning, for one it does not know). Returns the profile,
    ``{"profile_from": "option" | "recording" | "default", "recorded_profile": recorded}``
    and the warning or None.
    """
    if given is not None:
        return given, {"profile_from": "option", "recorded_profile": recorded}, None
    if recorded in PROFILES:
        return str(recorded), {"profile_from": "recording", "recorded_profile": recorded}, None
    warning = None
    if recorded is not None:
        warning = (
            f"the recording names profile {recorded!r}, not one of {', '.join(PROFILES)}: "
            "scored under night (choose one with --profile)"
        )
    return "night", {"profile_from": "default", "recorded_profile": recorded}, warning


def with_profile_note(result: dict, note: dict[str, object]) -> dict:
    """``result`` with ``note`` (from :func:`scoring_profile`) in ``input`` after ``profile``."""
    info: dict[str, object] = {}
    for key, value in result["input"].items():
        info[key] = value
        if key == "profile":
            info.update(note)
    result["input"] = info
    return result


def detect_file(
    path: str | Path,
    profile: str | None = None,
    signal: str | None = None,
    units: str | None = None,
    adc_bits: int | None = None,
    rate: float | None = None,
    settings: Any = None,
    calibration: Any = None,
    overrides: dict[str, float] | None = None,
    model: Any = None,
    progress: Callable[[float], None] | None = None,
    block_s: float | None = None,
    calibration_watch: CalibrationWatch | None = None,
    channels: Sequence[str] | None = None,
    read_hash: Any = None,
) -> dict[str, Any]:
    """Detect cramps in a ``time_s,<channels>`` CSV through the live code path.

    Parameters
    ----------
    path : str or Path
        The CSV (times in s).
    profile : {"night", "training"}, optional
        Detector profile. Default None: the one the CSV's sidecars name (a ``record``
        session's settings, a simulator ``.labels.json``), else night, as ``crampdetect
        detect`` without ``--profile`` (:func:`~crampdetect.pipeline.offline.scoring_profile`).
    signal, units, adc_bits : optional
        Representation (``raw``/``env``; ``uV``/``mV``/``V``/``counts``; ADC bits);
        when not given, what the CSV's ``.session.json`` states (a ``convert`` copy), else
        inferred from the samples.
    rate : float, optional
        Sample rate in Hz; default from ``time_s``.
    settings : object, optional
        Replaces the profile's detector settings.
    calibration : object, optional
        A user's calibration (``crampdetect calibrate``).
    overrides : dict, optional
        Changes some of the defaults for the inferred signal type (name -> value).
    model : CrampModel, optional
        Gates the unsure candidates (:class:`~crampdetect.detect.model.CrampModel`).
    progress : callable, optional
        Called with the seconds of signal of each block.
    block_s : float, optional
        Size in s of the blocks streamed through the pipeline (default: the file's read
        chunks); the result does not depend on it.
    calibration_watch : CalibrationWatch, optional
        Checks that ``calibration`` fits the recording
        (:class:`~crampdetect.calibration.CalibrationWatch` of the user's stored profile): fed
        every block, its warnings (the calibration does not fit) join ``input.problems``.
    channels : sequence of str, optional
        The columns to score; default every column not named as something else than EMG
        (force, torque, angle...; :func:`~crampdetect.storage.csvfile.open_csv`). Without
        ``units``, a unit the channels' names end with (``emg_ta_V``) is the samples' unit.
    read_hash : ReadHash, optional
        Hash the file's bytes into this :class:`~crampdetect.provenance.ReadHash` as they
        are read (``detect``'s provenance: the file is read once).

    Returns
    -------
    dict
        The ``crampdetect detect --json`` document: ``input`` (rate, channels, inferred
        representation, duration in s, gaps; ``profile`` with ``profile_from`` and
        ``recorded_profile``; ``problems`` when the reader read cells as bad samples or a
        sidecar could not be read or names a profile this version does not know),
        ``events`` and ``quality``.
    """
    # lazy: the readers of every format load only when a file is scored
    from crampdetect.storage.reader import csv_profile

    recorded, problems = csv_profile(path)
    profile, note, warning = scoring_profile(profile, recorded)
    if signal is None and units is None and adc_bits is None:
        # a copy `convert` wrote says what its samples are, as `replay` of it reads them
        said = _sidecar_representation(path)
        if said is not None:
            signal, units, adc_bits = said.signal, said.units, said.adc_bits
    problems += [warning] if warning else []

    def make_pipe(stream: CsvStream, rep: Representation) -> Pipeline:
        s = settings
        if s is None:
            s = profile_settings(profile, rep.signal).replace(**(overrides or {}))
        gate = None
        if model is not None:
            check_recording(model, stream.fs, rep.signal)
            gate = model.gate(profile)
        try:
            return Pipeline(stream.fs, stream.channels, rep, profile, s, calibration, gate)
        except InputError as exc:  # name the file (a time_s in ms is open_csv's error)
            raise InputError(f"{Path(path).name}: {exc}") from None

    def cut(blocks: Iterable[Block]) -> Iterable[Block]:
        return blocks if block_s is None else split_blocks(blocks, block_s)

    def on_block(block: Block, pipe: Pipeline, out: Output) -> None:
        if progress is not None:
            progress(block.n_samples / block.fs)  # s done
        if calibration_watch is not None:  # a new pipeline (a second pass): a new check
            calibration_watch.feed(pipe, out)

    opened: list[CsvStream] = []

    def open_stream() -> CsvStream:
        opened.append(open_csv(path, rate=rate, channels=channels, read_hash=read_hash))
        return opened[-1]

    def new_inference(fs: float) -> RepresentationInference:
        # the unit the chosen columns' names state (calf_mV, emg_ta_V): checked by magnitude
        return RepresentationInference(fs, signal, units, adc_bits, named_units=opened[-1].units)

    stream, inference, _, (events, quality) = infer_and_run(
        open_stream, new_inference, make_pipe, cut, on_block
    )
    rep, inferred = inference.finish(), inference.inferred
    problems += unit_warnings(Path(path).name, inference)
    if calibration_watch is not None:
        problems += calibration_watch.warnings(Path(path).name)
    result = detection_result(
        stream.fs,
        stream.channels,
        rep,
        stream.duration_s,
        stream.gaps,
        inferred,
        inference.info(),
        profile,
        events,
        quality,
        problems=[*stream.problems, *problems] or None,
    )
    if units is None and stream.units is not None:  # what each name said (emg_ta_V: V)
        result["input"]["units_from_column_names"] = dict(stream.column_units)
    return with_profile_note(result, note)


def _sidecar_representation(path: str | Path) -> Representation | None:
    """The representation a CSV's ``.session.json`` states, None without one (or when it
    cannot be read: :func:`~crampdetect.storage.reader.csv_profile` reports that)."""
    # lazy: the readers of every format load only when a file is scored
    from crampdetect.storage import formats, limits

    try:
        doc = formats.read_sidecar(Path(path))
        if not doc or not doc.get("representation"):
            return None
        return limits.representation_from_dict(doc["representation"], "sidecar")
    except InputError:
        return None


def collect_candidates(
    path: str | Path, profile: str = "night", signal: str | None = None
) -> dict[str, Any]:
    """Every unsure alert candidate of a recording, for training a learned gate.

    The detector runs with a gate that refuses everything, so each candidate frame of the
    fast and quiet paths is seen (until the slow path or the end of its run). Returns
    ``{"channels": [...], "times_s": [...], "channel_index": [...], "features": ndarray}``
    with features ordered as :data:`~crampdetect.detect.cramp.CANDIDATE_FEATURES`.
    """
    log: list = []

    def make_pipe(stream: CsvStream, rep: Representation) -> Pipeline:
        log.clear()  # a second pass (revised representation) starts over
        pipe = Pipeline(
            stream.fs,
            stream.channels,
            rep,
            profile,
            profile_settings(profile, rep.signal),
            gate=lambda x: np.zeros(len(x), dtype=bool),
        )
        pipe.log_candidates(log)
        return pipe

    stream, _, pipe, _ = infer_and_run(
        lambda: open_csv(path),
        lambda fs: RepresentationInference(fs, signal),
        make_pipe,
        lambda blocks: blocks,
    )
    times = [pipe.frame_time(frame + 1) for _, frame, _ in log]
    return {
        "channels": list(stream.channels),
        "channel_index": [c for c, _, _ in log],
        "times_s": times,
        "features": np.array([row for _, _, row in log]).reshape(len(log), len(CANDIDATE_FEATURES)),
    }
