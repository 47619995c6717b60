"""Convert a recording to EDF+, BDF+, CSV (detect layout) or WAV; never modifies the original.

``convert PATH OUT...`` writes one recording to one or more files. ``convert PATH... --out DIR
--format FMT`` (PATH files or folders; ``--recursive`` also walks their sub-folders) writes one
copy per recording into DIR, keeping each one's path below the folder it was found in; a
recording that cannot be read or written is named with why and the others are still converted
(exit status 2 if any failed). Labels travel with the copies (EDF+/BDF+ annotations, a
``.labels.json`` beside CSV and WAV copies).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crampdetect.cli._args import (
    add_channels_argument,
    add_recursive_argument,
    add_scale_argument,
    wav_scale,
)
from crampdetect.core import InputError
from crampdetect.text import plural

FORMATS = ("edf", "bdf", "csv", "wav")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "path",
        nargs="+",
        metavar="PATH",
        help="a recording (session directory, EDF/BDF, WAV, CSV, shipped) and its output "
        "file(s), the format from each suffix; with --out: recordings and folders to convert",
    )
    p.add_argument(
        "--out",
        metavar="DIR",
        help="write one copy of each recording (folders: of each recording in them) into DIR, "
        "keeping the relative paths; needs --format",
    )
    add_recursive_argument(p)
    p.add_argument("--force", action="store_true", help="overwrite existing output files")
    p.add_argument("--format", choices=FORMATS, help="format when OUT has no suffix, or with --out")
    p.add_argument(
        "--anonymize",
        action="store_true",
        help="leave out the start date and time and the device (for sharing)",
    )
    add_channels_argument(p, "copy")
    # as for `detect`: correct what the samples are taken for (the copy says it in its header)
    p.add_argument("--signal", choices=("raw", "env"), help="raw EMG or MyoWare ENV envelope")
    p.add_argument("--units", choices=("uV", "mV", "V", "counts"), help="sample units")
    p.add_argument("--adc-bits", type=int, choices=(8, 10, 12, 14, 16), help="ADC resolution")
    add_scale_argument(p)
    p.add_argument("-q", "--quiet", action="store_true", help="only errors and warnings")


def run(args: argparse.Namespace) -> int:
    from crampdetect.cli._args import is_folder

    wav_scale(args)  # a --scale that contradicts --units stops the command before any file

    first = Path(args.path[0])
    folder_out = len(args.path) == 2 and Path(args.path[1]).suffix.lower()[1:] not in FORMATS
    if args.out is None and folder_out and is_folder(first):
        args.out, args.path = args.path[1], args.path[:1]  # convert DIR DIR2 --format edf
    if args.out is None:
        if is_folder(first):
            raise InputError(
                f"{first} is a folder, not a recording session: convert its recordings with "
                f"--out DIR --format {'|'.join(FORMATS)} (--recursive: its sub-folders too)"
            )
        if len(args.path) < 2:
            raise InputError("name the output file(s) after the recording, or use --out DIR")
        return _convert_one(args.path[0], args.path[1:], args)
    return _convert_many(args)


def _convert_one(
    source: str, outs: list[str], args: argparse.Namespace, named: bool = False
) -> int:
    """Convert ``source`` into each of ``outs``; ``named``: among several recordings, every
    warning names it by its path (``detect`` of several files does the same)."""
    from crampdetect.cli._args import name_path
    from crampdetect.storage.formats import export
    from crampdetect.storage.limits import refuse_overwrite
    from crampdetect.storage.reader import open_recording

    for out in outs:  # before reading anything: a refusal costs nothing
        refuse_overwrite(out, args.force)
    channels = getattr(args, "channels", None)
    rec = open_recording(source, recover=True, channels=channels, wav_scale=wav_scale(args))
    for problem in rec.problems:  # e.g. the rows of a damaged CSV that could not be kept
        line = name_path(source, problem) if named else problem
        print(f"crampdetect convert: warning: {line}", file=sys.stderr)
    rec = _with_representation(rec, args, source if named else None)
    for out in outs:
        path = export(rec, out, args.format, anonymize=args.anonymize, force=args.force)
        if not getattr(args, "quiet", False):
            print(
                f"{path}: {plural(rec.n_samples, 'sample')} x "
                f"{plural(len(rec.channels), 'channel')} at {rec.fs:g} Hz, "
                f"{representation_text(rec.representation)}, "
                f"{plural(rec.n_gaps, 'gap')}, {stored_text(rec)}"
            )
    return 0


def stored_text(rec) -> str:
    """The events and quality intervals the copy carries, as stored in the source (a session's
    alerts, an EDF+'s annotations): ``convert`` copies them and detects nothing, so none stored
    is said as such, not as ``0 events`` of a recording that may hold a cramp."""
    if not rec.events and not rec.quality:
        return "no stored events or quality intervals (convert copies them, it does not detect)"
    events = plural(len(rec.events), "event") if rec.events else "no stored events"
    return f"{events}, {plural(len(rec.quality), 'quality interval')}"


def _with_representation(rec, args: argparse.Namespace, named: str | None = None):
    """``rec`` with what its samples are taken for, decided as `detect` decides it (``--signal``,
    ``--units``, ``--adc-bits``, else what the file says, else inferred); the inference's doubts
    about the units are printed as `detect` prints them (``named``: by this path)."""
    import dataclasses

    from crampdetect.cli._args import name_path
    from crampdetect.ingest.inference import resolve_inference
    from crampdetect.pipeline.offline import unit_warnings

    signal, units, bits = (getattr(args, k, None) for k in ("signal", "units", "adc_bits"))
    rep, _, inference = resolve_inference(rec, signal, units, bits)
    for line in unit_warnings(Path(str(rec.path or "recording")).name, inference):
        line = name_path(named, line) if named else line
        print(f"crampdetect convert: warning: {line}", file=sys.stderr)
    return dataclasses.replace(rec, representation=rep)


def representation_text(rep) -> str:
    """What the samples written are, for the summary line: ``raw EMG in mV``,
    ``envelope in 10-bit ADC counts``."""
    what = "envelope" if rep.signal == "env" else "raw EMG"
    if rep.units == "counts":
        return f"{what} in {rep.adc_bits}-bit ADC counts"
    return f"{what} in {'µV' if rep.units == 'uV' else rep.units}"


def _convert_many(args: argparse.Namespace) -> int:
    from crampdetect.cli._args import (
        copy_path,
        emg_table_lines,
        expand_folders,
        name_path,
        skipped_line,
        table_lines,
    )
    from crampdetect.core import CrampDetectError

    if args.format is None:
        raise InputError(f"--out DIR needs --format ({', '.join(FORMATS)})")
    out_dir = Path(args.out)
    if out_dir.suffix.lower() in tuple("." + f for f in FORMATS) or out_dir.is_file():
        raise InputError(f"--out {out_dir} must be a folder (it is created if missing)")
    tables: list[tuple[str, str]] = []
    emg: list[tuple[str, str]] = []  # EMG text tables without their recordings.json entry
    paths, skipped = expand_folders(args.path, args.recursive, tables=tables, emg_tables=emg)
    # copies already in --out (a folder inside the one converted) are not converted again
    inside = [p for p in paths if Path(p).resolve().is_relative_to(out_dir.resolve())]
    paths = [p for p in paths if p not in inside]
    skipped += [f"{p} (inside --out)" for p in inside]
    if skipped and not getattr(args, "quiet", False):  # -q: only errors and warnings
        print(skipped_line("convert", skipped), file=sys.stderr)
    if not getattr(args, "quiet", False):
        for line in emg_table_lines("convert", emg) + table_lines("convert", tables):
            print(line, file=sys.stderr)
    if not paths:
        hint = "" if args.recursive else " (sub-folders are searched with --recursive)"
        raise InputError(f"nothing to convert: {', '.join(args.path)} without recordings{hint}")
    failed, done, taken = 0, 0, {}
    for source in paths:
        target = copy_path(source, args.path, out_dir, args.format)
        try:
            if target in taken:
                raise InputError(
                    f"{source}: its copy {target} would overwrite that of {taken[target]}"
                )
            taken[target] = source
            target.parent.mkdir(parents=True, exist_ok=True)
            _convert_one(source, [str(target)], args, named=True)
            done += 1
        except (InputError, CrampDetectError, OSError) as exc:
            failed += 1
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            print(f"crampdetect convert: error: {name_path(source, message)}", file=sys.stderr)
    if failed or not getattr(args, "quiet", False):  # -q: only errors and warnings
        print(
            f"crampdetect convert: {done} of {plural(len(paths), 'recording')} converted "
            f"into {out_dir}",
            file=sys.stderr,
        )
    return 2 if failed else 0
