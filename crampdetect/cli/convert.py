"""Convert a recording to EDF+, BDF+, CSV (detect layout) or WAV; never modifies the original."""

from __future__ import annotations

import argparse
import sys

from crampdetect.text import plural


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", help="session directory, EDF/BDF, WAV, CSV or a shipped recording")
    p.add_argument("out", nargs="+", help="output file(s); the format comes from the suffix")
    p.add_argument("--force", action="store_true", help="overwrite existing output files")
    p.add_argument(
        "--format", choices=("edf", "bdf", "csv", "wav"), help="format when OUT has no suffix"
    )
    p.add_argument(
        "--anonymize",
        action="store_true",
        help="leave out the start date and time and the device (for sharing)",
    )


def run(args: argparse.Namespace) -> int:
    from crampdetect.storage.formats import export
    from crampdetect.storage.limits import refuse_overwrite
    from crampdetect.storage.reader import open_recording

    for out in args.out:  # before reading anything: a refusal costs nothing
        refuse_overwrite(out, args.force)
    rec = open_recording(args.path, recover=True)
    for problem in rec.problems:  # e.g. the rows of a damaged CSV that could not be kept
        print(f"crampdetect convert: warning: {problem}", file=sys.stderr)
    for out in args.out:
        path = export(rec, out, args.format, anonymize=args.anonymize, force=args.force)
        print(
            f"{path}: {plural(rec.n_samples, 'sample')} x {plural(len(rec.channels), 'channel')}"
            f" at {rec.fs:g} Hz, {plural(rec.n_gaps, 'gap')}, {plural(len(rec.events), 'event')}, "
            f"{plural(len(rec.quality), 'quality interval')}"
        )
    return 0
