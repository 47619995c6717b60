"""Run the streaming pipeline over a recording file and collect its final events and flags."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crampdetect.core import Event, QualityInterval
from crampdetect.detect.cramp import CANDIDATE_FEATURES
from crampdetect.detect.model import check_recording
from crampdetect.detect.settings import profile_settings
from crampdetect.ingest.inference import infer_representation
from crampdetect.pipeline import Output, Pipeline
from crampdetect.storage.csvfile import open_csv


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


def detect_file(
    path: str | Path,
    profile: str = "night",
    signal: str | None = None,
    units: str | None = None,
    adc_bits: int | None = None,
    rate: float | None = None,
    settings: Any = None,
    calibration: Any = None,
    overrides: dict[str, float] | None = None,
    model: Any = None,
) -> dict[str, Any]:
    """Detect cramps in a ``time_s,<channels>`` CSV through the live code path.

    ``settings`` replaces the profile's detector settings; ``overrides`` changes some of the
    defaults for the inferred signal type; ``model`` (a
    :class:`~crampdetect.detect.model.CrampModel`) gates the unsure candidates. Returns the
    ``crampdetect detect --json`` document: ``input`` (rate, channels, inferred
    representation, duration, gaps), ``events`` and ``quality``.
    """
    stream = open_csv(path, rate=rate)
    rep, inferred = infer_representation(stream.first, signal, units, adc_bits, stream.fs)
    if settings is None:
        settings = profile_settings(profile, rep.signal).replace(**(overrides or {}))
    gate = None
    if model is not None:
        check_recording(model, stream.fs, rep.signal)
        gate = model.gate(profile)
    pipe = Pipeline(stream.fs, stream.channels, rep, profile, settings, calibration, gate)
    col = Collector()
    for block in stream.blocks():
        col.add(pipe.push(block))
    col.add(pipe.finish())
    events, quality = col.result()
    fs = stream.fs
    return {
        "input": {
            "sample_rate_hz": int(fs) if fs == int(fs) else fs,
            "channels": list(stream.channels),
            "signal": rep.signal,
            "units": rep.units,
            "adc_bits": rep.adc_bits,
            "duration_s": round(stream.duration_s, 3),
            "gaps": stream.gaps,
            "inferred": inferred,
            "profile": profile,
        },
        "events": [e.to_dict() for e in events],
        "quality": [q.to_dict() for q in quality],
    }


def collect_candidates(
    path: str | Path, profile: str = "night", signal: str | None = None
) -> dict[str, Any]:
    """Every unsure alert candidate of a recording, for training a learned gate.

    The detector runs with a gate that refuses everything, so each candidate frame of the
    fast and quiet paths is seen (until the slow path or the end of its run). Returns
    ``{"channels": [...], "times_s": [...], "channel_index": [...], "features": ndarray}``
    with features ordered as :data:`~crampdetect.detect.cramp.CANDIDATE_FEATURES`.
    """
    import numpy as np

    stream = open_csv(path)
    rep, _ = infer_representation(stream.first, signal, fs=stream.fs)
    pipe = Pipeline(
        stream.fs,
        stream.channels,
        rep,
        profile,
        profile_settings(profile, rep.signal),
        gate=lambda x: np.zeros(len(x), dtype=bool),
    )
    log: list = []
    pipe._detector.candidate_log = log
    for block in stream.blocks():
        pipe.push(block)
    pipe.finish()
    times = [pipe._frame_time(frame + 1) for _, frame, _ in log]
    return {
        "channels": list(stream.channels),
        "channel_index": [c for c, _, _ in log],
        "times_s": times,
        "features": np.array([row for _, _, row in log]).reshape(len(log), len(CANDIDATE_FEATURES)),
    }
