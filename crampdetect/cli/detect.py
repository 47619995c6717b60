"""Detect cramps in a recorded CSV (time_s,<channels>) through the live pipeline."""

from __future__ import annotations

import argparse
import json
import sys

from crampdetect.cli import progress
from crampdetect.cli._args import (
    add_input_arguments,
    add_model_argument,
    format_result,
    overrides_from_args,
)
from crampdetect.core import InputError


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "file", help="CSV with a time_s column and one column per channel, or any recording"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--user", help="use this user's calibration (see `crampdetect calibrate`)")
    p.add_argument(
        "--block-s",
        type=float,
        metavar="SECONDS",
        help="stream the file in blocks of this many seconds, e.g. 0.02 like the live board "
        "(default: the file's read chunks); the result does not depend on it",
    )
    add_model_argument(p)
    add_input_arguments(p)


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
    from pathlib import Path

    _reuse_freed_memory()

    from crampdetect.detect.model import resolve_model
    from crampdetect.pipeline.offline import detect_file
    from crampdetect.storage.reader import sniff

    if sniff(Path(args.file)) != "csv":  # EDF, WAV, a session, OpenBCI, BrainFlow...
        if args.user or args.model:
            raise InputError("--user and --model need a time_s CSV; convert the file first")
        from crampdetect.cli import replay

        args.path, args.speed = args.file, None
        return replay.run(args)  # the same pipeline over any recording, the same JSON

    calibration = None
    if args.user:
        from crampdetect.calibration import load_calibration

        calibration = load_calibration(args.user)
        if calibration is None:
            raise InputError(f"No calibration for user {args.user!r}: run `crampdetect calibrate`")
    with progress(args, None, "detect") as bar:
        result = detect_file(
            args.file,
            profile=args.profile,
            signal=args.signal,
            units=args.units,
            adc_bits=args.adc_bits,
            rate=args.rate,
            overrides=overrides_from_args(args),
            calibration=calibration,
            model=resolve_model(args.model),
            progress=bar,
            block_s=args.block_s,
        )
    for problem in result["input"].get("problems", []):
        print(f"crampdetect detect: warning: {problem}", file=sys.stderr)
    if args.json:
        json.dump(result, sys.stdout)
        sys.stdout.write("\n")
        return 0
    print(format_result(result))
    return 0
