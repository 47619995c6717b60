"""Detect cramps in recordings (a time_s,<channels> CSV or any format) through the live pipeline.

One file prints its table (or one JSON object) as before. Several paths, or a folder, print one
table per file (or one JSON object per line, each with its ``path``); a file that fails gives an
error line for that file and the others still run; the exit status is 2 if any file failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from crampdetect.cli import progress
from crampdetect.cli._args import (
    add_block_s_argument,
    add_channels_argument,
    add_input_arguments,
    add_model_argument,
    add_recursive_argument,
    add_scale_argument,
    add_user_argument,
    format_result,
    is_folder,
    overrides_from_args,
    run_many,
    user_calibration,
    wav_scale,
)
from crampdetect.core import InputError
from crampdetect.provenance import ReadHash, provenance


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="CSV with a time_s column and one column per channel, or any recording; several "
        "paths and folders (their recordings; sub-folders with --recursive) are scored one by one",
    )
    add_recursive_argument(p)
    p.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object on stdout (one line per file, with its path, for several)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="score several files in N processes (default 1)",
    )
    add_channels_argument(p)
    add_user_argument(p)
    add_block_s_argument(p, "the file's read chunks")
    add_model_argument(p)
    add_input_arguments(p)
    add_scale_argument(p)


def _reuse_freed_memory() -> None:
    """Let glibc keep freed block buffers in the heap instead of unmapping them.

    Streaming a file allocates and frees the same few MB for every block; by default glibc
    maps and unmaps each of them, and the page faults cost ~10 % of ``detect``'s CPU time.
    A no-op where libc has no ``mallopt`` (macOS, musl, Windows).
    """
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):
        return
    mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD: blocks below 32 MB come from the heap
    mallopt(-1, 64 << 20)  # M_TRIM_THRESHOLD: keep up to 64 MB of freed heap


def run(args: argparse.Namespace) -> int:
    _reuse_freed_memory()
    wav_scale(args)  # a --scale that contradicts --units stops the command before any file
    if len(args.paths) == 1 and not is_folder(Path(args.paths[0])):
        args.file = args.paths[0]
        return _run_one(args)
    return _run_many(args)


def _run_one(args: argparse.Namespace) -> int:
    from crampdetect.storage.reader import sniff

    if sniff(Path(args.file)) != "csv":  # EDF, WAV, a session, OpenBCI, BrainFlow...
        from crampdetect.cli import replay

        args.path, args.speed = args.file, None
        return replay.run(args)  # the same pipeline over any recording, the same JSON

    with progress(args, None, "detect") as bar:
        result = _detect_csv(args.file, args, bar)
    for problem in result["input"].get("problems", []):
        print(f"crampdetect detect: warning: {problem}", file=sys.stderr)
    if args.json:
        json.dump(result, sys.stdout)
        sys.stdout.write("\n")
        return 0
    print(format_result(result))
    return 0


def _score(path: str, args: argparse.Namespace) -> dict:
    """The ``detect --json`` dictionary of one recording, or ``{"error": message}`` if the
    recording is unusable (runs in a worker process; a bug still raises)."""
    from crampdetect.core import CrampDetectError

    try:
        return _score_or_raise(path, args)
    except (InputError, CrampDetectError, OSError) as exc:
        return {"error": str(exc).splitlines()[0] if str(exc) else type(exc).__name__}


def _score_or_raise(path: str, args: argparse.Namespace) -> dict:
    from crampdetect.storage.reader import open_recording, sniff

    if sniff(Path(path)) != "csv":  # --channels, --user and --model as for a CSV
        from crampdetect.cli.replay import replay_recording

        rec = open_recording(path, channels=args.channels, wav_scale=wav_scale(args))
        return replay_recording(rec, args)
    return _detect_csv(path, args)


def _detect_csv(
    path: str, args: argparse.Namespace, bar: Callable[[float], None] | None = None
) -> dict:
    """``detect --json`` of one time_s CSV with the options of ``args``."""
    if wav_scale(args) is not None:
        raise InputError(f"{path}: --scale is for WAV input; this is a csv file")
    from crampdetect.detect.model import resolve_model
    from crampdetect.pipeline.offline import detect_file

    calibration, stored = user_calibration(args.user)
    watch = None  # does the calibration fit this file? (as replay --user asks it)
    if calibration is not None:
        from crampdetect.calibration import CalibrationWatch

        watch = CalibrationWatch(stored, args.user)

    model = resolve_model(args.model)
    read = ReadHash(path)  # the file is read once, hashed as the reader reads it
    result = detect_file(
        path,
        profile=args.profile,  # None: the one the CSV names, else night
        signal=args.signal,
        units=args.units,
        adc_bits=args.adc_bits,
        rate=args.rate,
        overrides=overrides_from_args(args),
        calibration=calibration,
        model=model,
        progress=bar,
        block_s=args.block_s,
        calibration_watch=watch,
        channels=args.channels,
        read_hash=read,
    )
    # the shape of every other format's (replay's) result: where it came from, problems listed
    result["input"] = {"path": str(path), "format": "csv", **result["input"]}
    result["input"].setdefault("problems", [])
    result["provenance"] = provenance(
        result["input"]["profile"],
        result["input"]["signal"],
        overrides_from_args(args),
        model,
        args.user,
        calibration=calibration,
        source=read.input_id("csv", result["input"]["sample_rate_hz"]),
        block_s=args.block_s,  # None: the reader's chunks
    )
    return result


def _run_many(args: argparse.Namespace) -> int:
    import functools

    overrides_from_args(args)  # a bad --set stops the command before any file
    if args.workers < 1:
        raise InputError(f"--workers must be at least 1, got {args.workers}")
    user_calibration(args.user)  # none for --user stops the command before any file
    return run_many(args, "detect", functools.partial(_score, args=args))
