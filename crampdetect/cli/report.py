"""Draw a report of a recording (signal, envelope, detector state, events, quality, summary)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    from crampdetect.cli._args import (
        add_channels_argument,
        add_model_argument,
        add_recursive_argument,
        add_set_argument,
        add_user_argument,
    )
    from crampdetect.core import PROFILES

    p.add_argument(
        "path",
        nargs="+",
        help="recording(s): session, EDF/BDF, WAV, CSV, shipped; a folder stands for the "
        "recordings directly in it (with --recursive: in its sub-folders too)",
    )
    add_recursive_argument(p)
    p.add_argument(
        "--out",
        help="report file .png, .pdf or .html (default <recording>.report.png); "
        "with several recordings, a directory",
    )
    p.add_argument("--force", action="store_true", help="overwrite existing report files")
    p.add_argument(
        "--profile",
        choices=PROFILES,
        help="detector profile (default: the one the recording names, else night)",
    )
    add_channels_argument(p, "report")
    # the scoring options of detect, through the same owners: the same events and ids
    add_set_argument(p)
    add_user_argument(p)
    add_model_argument(p)
    p.add_argument("--dask", metavar="ADDRESS", help="Dask scheduler (tcp://host:8786)")
    p.add_argument("--workers", type=int, help="local worker processes (default: CPU count)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar on stderr")


def run(args: argparse.Namespace) -> int:
    from crampdetect.cli import progress, require
    from crampdetect.cli._args import expand_folders, is_folder, name_path, skipped_line
    from crampdetect.core import InputError
    from crampdetect.pipeline.bulk import Failure, map_recordings
    from crampdetect.reports.report_files import make_report

    require("matplotlib", *(["distributed"] if args.dask else []))
    from crampdetect.cli._args import overrides_from_args, user_calibration
    from crampdetect.detect.model import model_path_for

    # a bad --set, a user without a calibration, an unreadable model: before any recording
    overrides = overrides_from_args(args)
    user_calibration(args.user)
    model = model_path_for(args.model)  # a path the workers load (none: None)
    model = "none" if model is None else model
    scoring = {"overrides": overrides, "user": args.user, "model": model}
    folders = [p for p in args.path if is_folder(Path(p))]
    names, skipped = expand_folders(args.path, args.recursive)  # as in detect
    if skipped:
        print(skipped_line("report", skipped), file=sys.stderr)
    if not names:
        raise InputError(f"nothing to report: {', '.join(folders)} without recordings")
    paths = [Path(p) for p in names]
    # one recording (named, or the only one of a folder given --out FILE.png): one report
    one_file = not folders or bool(args.out and Path(args.out).suffix)
    if len(paths) == 1 and not args.dask and one_file:
        problems: list[str] = []
        out = Path(args.out) if args.out else _default_out(paths[0], None)
        with progress(args, None, "report") as bar:
            done = make_report(
                paths[0],
                out,
                args.profile,
                progress=bar,
                force=args.force,
                warn=problems.append,
                channels=args.channels,
                **scoring,
            )
        _warn(paths[0], problems)
        print(done)
        return 0
    folder = Path(args.out) if args.out else None
    if folder is not None:
        if folder.suffix:
            raise InputError("with several recordings, --out must be a directory")
        folder.mkdir(parents=True, exist_ok=True)
    jobs = [
        (p, _report_out(p, args.path, folder), args.profile, args.force, args.channels, scoring)
        for p in paths
    ]
    results = map_recordings(
        _report_job,
        jobs,
        dask_address=args.dask,
        n_workers=args.workers,
        errors="collect",
        progress=not args.quiet and sys.stderr.isatty(),
    )
    failed = 0
    for job, res in zip(jobs, results, strict=True):
        if isinstance(res, Failure):  # res.path is the job tuple: name the recording
            failed += 1
            error = res.error.removeprefix(f"{InputError.__name__}: ")
            print(f"crampdetect report: error: {name_path(job[0], error)}", file=sys.stderr)
        else:
            done, path, problems = res
            _warn(path, problems)
            print(done)
    return 2 if failed else 0


def _warn(path: Path, problems: list[str]) -> None:
    from crampdetect.cli._args import name_path

    for problem in problems:
        print(f"crampdetect report: warning: {name_path(path, problem)}", file=sys.stderr)


def _default_out(path: Path, folder: Path | None) -> Path:
    name = path.name.rstrip("/") + ".report.png"
    return (folder or path.resolve().parent) / name


def _report_out(path: Path, given: list[str], folder: Path | None) -> Path:
    """Beside the recording; in ``folder``, at its path below the folder it was found in (two
    recordings of one name in different sub-folders get two reports)."""
    if folder is None:
        return _default_out(path, None)
    from crampdetect.cli._args import copy_path

    target = copy_path(str(path), given, folder, "report.png")
    target = target.with_name(path.name.rstrip("/") + ".report.png")
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def _report_job(job: tuple) -> tuple[str, Path, list[str]]:
    from crampdetect.reports.report_files import make_report

    path, out, profile, force, channels, scoring = job
    problems: list[str] = []
    done = make_report(
        path, out, profile, force=force, warn=problems.append, channels=channels, **scoring
    )
    return str(done), path, problems
