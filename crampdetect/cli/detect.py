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
    add_input_arguments,
    add_model_argument,
    expand_folders,
    format_result,
    is_folder,
    name_path,
    overrides_from_args,
    skipped_line,
)
from crampdetect.core import InputError
from crampdetect.text import plural


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="CSV with a time_s column and one column per channel, or any recording; several "
        "paths and folders (their recordings, not sub-folders) are scored one by one",
    )
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
    _reuse_freed_memory()
    if len(args.paths) == 1 and not is_folder(Path(args.paths[0])):
        args.file = args.paths[0]
        return _run_one(args)
    return _run_many(args)


def _run_one(args: argparse.Namespace) -> int:
    from crampdetect.storage.reader import sniff

    if sniff(Path(args.file)) != "csv":  # EDF, WAV, a session, OpenBCI, BrainFlow...
        if args.user or args.model:
            raise InputError("--user and --model need a time_s CSV; convert the file first")
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

    if sniff(Path(path)) != "csv":
        if args.user or args.model:
            raise InputError("--user and --model need a time_s CSV; convert the file first")
        from crampdetect.cli.replay import replay_recording

        return replay_recording(open_recording(path), args)
    return _detect_csv(path, args)


def _detect_csv(
    path: str, args: argparse.Namespace, bar: Callable[[float], None] | None = None
) -> dict:
    """``detect --json`` of one time_s CSV with the options of ``args``."""
    from crampdetect.detect.model import resolve_model
    from crampdetect.pipeline.offline import detect_file

    calibration = None
    if args.user:
        from crampdetect.calibration import load_calibration

        calibration = load_calibration(args.user)
        if calibration is None:
            raise InputError(f"No calibration for user {args.user!r}: run `crampdetect calibrate`")
    return detect_file(
        path,
        profile=args.profile,  # None: the one the CSV names, else night
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


def _run_many(args: argparse.Namespace) -> int:
    import functools

    from crampdetect.pipeline.bulk import Failure, map_recordings

    overrides_from_args(args)  # a bad --set stops the command before any file
    if args.workers < 1:
        raise InputError(f"--workers must be at least 1, got {args.workers}")
    if args.user:
        from crampdetect.calibration import load_calibration

        if load_calibration(args.user) is None:
            raise InputError(f"No calibration for user {args.user!r}: run `crampdetect calibrate`")
    paths, skipped = expand_folders(args.paths)
    if skipped:
        print(skipped_line("detect", skipped), file=sys.stderr)
    if not paths:
        what = "is a directory" if len(args.paths) == 1 else "are directories"
        nested = [
            entry
            for name in args.paths
            for entry in sorted(Path(name).iterdir())
            if entry.is_dir() and not entry.name.startswith(".")
        ]
        every = f"{Path(args.paths[0]) / '*'}/"
        hint = (
            f" (sub-folders are not searched: name them, e.g. {nested[0]}, or {every})"
            if nested
            else ""
        )
        raise InputError(
            f"nothing to score: {', '.join(args.paths)} {what} without recordings{hint}"
        )
    results = map_recordings(
        functools.partial(_score, args=args),
        paths,
        n_workers=args.workers,
        progress=not args.quiet and sys.stderr.isatty(),
        errors="collect",
        desc="detect",
    )
    failed = 0
    for n, (path, result) in enumerate(zip(paths, results, strict=True)):
        if isinstance(result, Failure):  # a bug: say so, as for one file
            result = {"error": f"internal error: {result.error} (please report it)"}
        if "error" in result:
            failed += 1
            error = result["error"]
            print(f"crampdetect detect: error: {name_path(path, error)}", file=sys.stderr)
            if args.json:
                print(json.dumps({"path": path, "error": error}), flush=True)
            continue
        for problem in result["input"].get("problems", []):
            print(f"crampdetect detect: warning: {name_path(path, problem)}", file=sys.stderr)
        if args.json:
            print(json.dumps({"path": path, **result}), flush=True)
        else:
            print(("\n" if n else "") + f"== {path}\n" + format_result(result), flush=True)
    print(
        f"crampdetect detect: {len(paths) - failed} of {plural(len(paths), 'file')} scored",
        file=sys.stderr,
    )
    return 2 if failed else 0
