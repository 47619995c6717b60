"""Replay a recording through the live streaming pipeline and collect what it says.

:func:`replay` feeds a :class:`~crampdetect.storage.recording.Recording` block by block into
:class:`crampdetect.pipeline.Pipeline`, exactly as live monitoring does, optionally paced
like a live board; it returns the same dictionary as ``crampdetect detect --json``.
:func:`rescore` is the picklable per-path function used for bulk re-scoring.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from crampdetect.core import Block, Representation
from crampdetect.ingest.inference import resolve_inference
from crampdetect.ingest.replay import Pacer
from crampdetect.pipeline import Pipeline
from crampdetect.pipeline.offline import (
    detection_result,
    run_blocks,
    scoring_profile,
    unit_warnings,
    with_profile_note,
)
from crampdetect.storage.reader import open_recording
from crampdetect.storage.recording import Recording

logger = logging.getLogger(__name__)

#: Block length in s fed to the pipeline (a live board delivers 20-50 ms frames).
BLOCK_S = 0.05
#: Block length in s when replaying as fast as possible.
FAST_BLOCK_S = 10.0


def resolve_representation(
    rec: Recording,
    signal: str | None = None,
    units: str | None = None,
    adc_bits: int | None = None,
) -> tuple[Representation, list[str]]:
    """The recording's own representation, with overrides; inferred from the data if unknown."""
    rep, inferred, _ = resolve_inference(rec, signal, units, adc_bits)
    return rep, inferred


def replay(
    rec: Recording,
    *,
    profile: str | None = None,
    settings: object | None = None,
    representation: Representation | None = None,
    speed: float | None = None,
    block_s: float | None = None,
    on_block: Callable[[Block, object, object], None] | None = None,
    gate: Callable | None = None,
    calibration: Mapping[str, tuple[float, float]] | None = None,
    blocks: Iterable[Block] | None = None,
) -> dict:
    """Run ``rec`` through the streaming pipeline; return the ``detect --json`` dictionary.

    Parameters
    ----------
    rec : Recording
        Any opened recording.
    profile : {"night", "training"}, optional
        Detector profile. Default None: the one the recording names (:attr:`Recording.profile`,
        e.g. a training session's), else night, as ``crampdetect replay`` without
        ``--profile`` (:func:`scoring_profile`; one it does not know joins
        ``input.problems``). ``input.profile_from`` and ``input.recorded_profile`` of the
        result say which.
    settings : object, optional
        Detector settings (``crampdetect.detect.settings``); default: the profile's.
    representation : Representation, optional
        Overrides what the recording says (or what would be inferred).
    speed : float, optional
        Pace at ``speed`` times real time (1 = like a live board); None as fast as possible.
    block_s : float, optional
        Block length in s fed to the pipeline; default 50 ms when paced, else 10 s (the
        pipeline is chunk-invariant, so this changes only speed and callback rate).
    on_block : callable, optional
        Called with each block, the pipeline and its :class:`~crampdetect.pipeline.Output`
        after the block was pushed (live views, printing alerts as they happen).
    gate : callable, optional
        A learned gate for the unsure candidates (``CrampModel.gate(profile)``); default none.
    calibration : mapping, optional
        A user's calibration (:func:`~crampdetect.calibration.load_calibration`), as
        ``detect --user`` uses it.
    blocks : iterable of Block, optional
        ``rec``'s samples already cut into blocks (any cut: the report's, finer where it
        zooms); replaces ``block_s``.
    """
    profile, note, warning = scoring_profile(profile, rec.profile)
    problems = list(rec.problems)
    if warning and warning not in problems:
        problems.append(warning)
    inferred: list[str] = []
    inference = None
    if representation is None:
        # a CSV's channel names may state the unit (emg_ta_V): checked by magnitude
        representation, inferred, inference = resolve_inference(rec)
        problems += unit_warnings(Path(str(rec.path or "recording")).name, inference)
    pipe = Pipeline(rec.fs, rec.channels, representation, profile, settings, calibration, gate)
    block_s = block_s or (BLOCK_S if speed else FAST_BLOCK_S)
    if blocks is None:
        blocks = rec.iter_blocks(max(1, round(block_s * rec.fs)))
    events, quality = run_blocks(pipe, Pacer(speed or 0.0).paced(blocks), on_block)
    result = detection_result(
        rec.fs,
        rec.channels,
        representation,
        rec.duration_s,
        rec.n_gaps,
        inferred,
        inference,
        profile,
        events,
        quality,
        source={"path": str(rec.path), "format": rec.kind},
        problems=problems,
    )
    return with_profile_note(result, note)


def rescore(path: str | Path, profile: str | None = None) -> dict:
    """Open ``path`` and replay it at full speed (picklable, for :func:`map_recordings`);
    ``profile`` None: the one the recording names, else night (see :func:`replay`)."""
    return replay(open_recording(path), profile=profile)
