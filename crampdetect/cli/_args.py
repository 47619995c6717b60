"""Argument helpers and result formatting shared by ``detect``, ``replay``, ``evaluate`` and
``monitor`` (one place, so those commands do not import each other)."""

from __future__ import annotations

import argparse
import datetime as dt
import math
from pathlib import Path

from crampdetect.cli import add_quiet_argument
from crampdetect.core import PROFILES, InputError
from crampdetect.reports.clock import clock, is_unix_time, utc_clock
from crampdetect.storage.folders import expand_folders, is_folder, nothing_to_score
from crampdetect.text import plural


def name_path(path: str | Path, message: str) -> str:
    """``message`` about one of several recordings, naming it by the path the user gave.

    Readers name a file by its bare name (``night.csv: no data rows``); among several
    recordings from several folders that is ambiguous, so a leading bare name is replaced by
    the path and a message that does not give the path gets it in front (one that names the
    file only further on, e.g. by its sidecar ``x.wav.session.json``, too).
    """
    path = str(path)
    name = Path(path).name
    if message.startswith(name + ":") and not message.startswith(path):
        return path + message[len(name) :]
    return message if path in message else f"{path}: {message}"


def without_name(path: str | Path, message: str) -> str:
    """``message`` about the recording at ``path`` without the path or bare name readers put
    in front (a bulk JSON line gives the path in its own field: once is enough)."""
    path = str(path)
    for lead in (path, Path(path).name):
        if message.startswith(lead + ": "):
            return message[len(lead) + 2 :]
    return message


def refuse_ignored(options: list[tuple[str, bool]], verbs: tuple[str, str], why: str) -> None:
    """Raise :class:`InputError` naming the options given (``(name, given)`` pairs) that this
    use would ignore: ``"<names> <verb> <why>"``, ``verbs`` the singular and plural verb."""
    given = [name for name, changed in options if changed]
    if given:
        raise InputError(f"{' and '.join(given)} {verbs[len(given) > 1]} {why}")


def add_recursive_argument(p: argparse.ArgumentParser) -> None:
    """``-r/--recursive``: a folder stands for the recordings in it and in its sub-folders."""
    p.add_argument(
        "-r",
        "--recursive",
        action="store_true",
        help="a folder also stands for the recordings in its sub-folders, at any depth",
    )


def copy_path(source: str, roots: list[str], out_dir: Path, fmt: str) -> Path:
    """Where the copy of ``source`` goes: its path below the folder of ``roots`` it was found
    in (a file named directly: its name), in ``out_dir``, with the suffix of ``fmt``."""
    path = Path(source)
    relative = Path(path.name)
    for root in roots:
        if is_folder(Path(root)) and path.is_relative_to(root):
            relative = path.relative_to(root)
            break
    return out_dir / relative.parent / f"{relative.stem}.{fmt}"


def run_many(args: argparse.Namespace, command: str, score) -> int:
    """Score several paths and folders (``args.paths``; ``args.recursive``) one by one with
    ``score(path) -> detect --json dict or {"error": message}``, in ``args.workers`` processes:
    one table (``--json``: one line with its path) per file, an error line for a file that
    fails while the others still run; exit status 2 if any failed (``detect``, ``replay``)."""
    import json
    import sys

    from crampdetect.pipeline.bulk import Failure, map_recordings

    tables: list[tuple[str, str]] = []
    emg: list[tuple[str, str]] = []  # EMG text tables without their recordings.json entry
    recursive = getattr(args, "recursive", False)
    paths, skipped = expand_folders(args.paths, recursive, tables=tables, emg_tables=emg)
    if skipped:
        print(skipped_line(command, skipped), file=sys.stderr)
    for line in emg_table_lines(command, emg):
        print(line, file=sys.stderr)
    for line in table_lines(command, tables):
        print(line, file=sys.stderr)
    if not paths:
        raise nothing_to_score(args.paths, getattr(args, "recursive", False))
    results = map_recordings(
        score,
        paths,
        n_workers=args.workers,
        progress=not args.quiet and sys.stderr.isatty(),
        errors="collect",
        desc=command,
    )
    failed = 0
    for n, (path, result) in enumerate(zip(paths, results, strict=True)):
        if isinstance(result, Failure):  # a bug: say so, as for one file
            result = {"error": f"internal error: {result.error} (please report it)"}
        if "error" in result:
            failed += 1
            error = result["error"]
            print(f"crampdetect {command}: error: {name_path(path, error)}", file=sys.stderr)
            if args.json:  # the shape of a result line: pandas reads both alike
                line = {
                    "path": path,
                    "error": without_name(path, error),
                    "events": [],
                    "quality": [],
                }
                print(json.dumps(line), flush=True)
            continue
        for problem in result["input"].get("problems", []):
            print(f"crampdetect {command}: warning: {name_path(path, problem)}", file=sys.stderr)
        if args.json:
            print(json.dumps({"path": path, **result}), flush=True)
        else:
            print(("\n" if n else "") + f"== {path}\n" + format_result(result), flush=True)
    print(
        f"crampdetect {command}: {len(paths) - failed} of {plural(len(paths), 'file')} scored",
        file=sys.stderr,
    )
    return 2 if failed else 0


def skipped_line(
    command: str,
    skipped: list[str],
    shown: int = 5,
    noun: str = "non-recording file",
    note: str = "",
) -> str:
    """``skipped N non-recording files: a, b, ...``: which, so an unreadable data file shows."""
    more = len(skipped) - shown
    names = ", ".join(skipped[:shown]) + (f", +{more} more" if more > 0 else "")
    return f"crampdetect {command}: skipped {plural(len(skipped), noun)}{note}: {names}"


def table_lines(command: str, tables: list[tuple[str, str]]) -> list[str]:
    """One note per file of a folder skipped as a table of something else than samples
    (:func:`~crampdetect.storage.folders.not_a_recording`): which, and what it is."""
    return [f"crampdetect {command}: skipped {path}: {why}" for path, why in tables]


def emg_table_lines(command: str, tables: list[tuple[str, str]], shown: int = 10) -> list[str]:
    """The text tables of a folder that look like EMG but lack their ``recordings.json`` entry
    (``expand_folders(..., emg_tables=)``), named apart from the notes with the hint the error
    for one of them gives (:data:`~crampdetect.storage.reader.TABLE_HINT`): one line for those
    with no ``recordings.json`` beside them, one for those it does not list."""
    from crampdetect.storage.reader import MANIFEST, TABLE_HINT

    lines = []
    for kind in ("no manifest", "unlisted"):
        names = [path for path, k in tables if k == kind]
        if not names:
            continue
        one = len(names) == 1
        looks = "that looks" if one else "that look"
        if kind == "no manifest":
            note = f" {looks} like EMG, with no {MANIFEST} beside {'it' if one else 'them'}"
            hint = TABLE_HINT.format(whose="its")
        else:
            note = (
                f" {looks} like EMG, not listed in the {MANIFEST} beside {'it' if one else 'them'}"
            )
            hint = f"add {'its entry' if one else 'their entries'} there (see docs/recordings.md)"
        lines.append(f"{skipped_line(command, names, shown, 'text table', note)}; {hint}")
    return lines


def _rate(text: str) -> float:
    from crampdetect.storage.limits import check_rate

    try:
        return check_rate(text, "--rate")
    except InputError as exc:
        # argparse names the option itself: "argument --rate: sample rate ..."
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--rate: ")) from None


def add_input_arguments(p: argparse.ArgumentParser) -> None:
    """Options that describe how a recording's samples are expressed (shared by commands)."""
    p.add_argument("--signal", choices=("raw", "env"), help="raw EMG or MyoWare ENV envelope")
    p.add_argument("--units", choices=("uV", "mV", "V", "counts"), help="sample units")
    p.add_argument("--adc-bits", type=int, choices=(8, 10, 12, 14, 16), help="ADC resolution")
    p.add_argument("--rate", type=_rate, help="sample rate in Hz (default: from time_s)")
    p.add_argument(
        "--profile",
        choices=PROFILES,
        help="detector profile (default: the one the recording names, else night)",
    )
    add_quiet_argument(p)
    add_set_argument(p)


def _block_s(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"{text}: give a positive number of seconds, e.g. 0.02")
    return value


def add_block_s_argument(p: argparse.ArgumentParser, default: str) -> None:
    """``--block-s SECONDS`` (``detect``, ``replay``): the stream cut in blocks of this size,
    checked here once for every input kind (zero, negative, NaN and inf refused, exit 2)."""
    p.add_argument(
        "--block-s",
        type=_block_s,
        metavar="SECONDS",
        help="stream the file in blocks of this many seconds, e.g. 0.02 like the live board "
        f"(default: {default}); the result does not depend on it",
    )


def add_set_argument(p: argparse.ArgumentParser) -> None:
    """``--set NAME=VALUE`` (repeatable): a detector setting changed (``detect``, ``report``)."""
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a detector setting, e.g. --set slow_s=9 (repeatable)",
    )


def add_user_argument(p: argparse.ArgumentParser) -> None:
    """``--user NAME``: score with the user's stored calibration (``detect``, ``report``)."""
    p.add_argument(
        "--user", help="use this user's calibration (see `crampdetect calibrate`), on any format"
    )


def _scale(text: str) -> float:
    from crampdetect.storage.limits import check_number

    try:
        value = check_number(float(text), "--scale", nonzero=True)
    except (ValueError, InputError):
        value = -1.0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of µV")
    return value


def add_scale_argument(p: argparse.ArgumentParser) -> None:
    """``--scale UV_PER_UNIT``: the scale of a WAV without a sidecar (``detect``, ``convert``)."""
    p.add_argument(
        "--scale",
        type=_scale,
        metavar="UV_PER_UNIT",
        help="WAV input: µV per stored unit (a PCM count, or a float sample), when no sidecar "
        "gives it; the samples are then read in µV",
    )


def wav_scale(args: argparse.Namespace) -> float | None:
    """``--scale`` if given (checked against ``--units``: the scaled samples are µV)."""
    scale = getattr(args, "scale", None)
    units = getattr(args, "units", None)
    if scale is not None and units not in (None, "uV"):
        raise InputError(f"--scale gives µV per stored unit: leave out --units {units}")
    return scale


def overrides_from_args(args: argparse.Namespace) -> dict[str, float | bool]:
    """Detector settings given with ``--set NAME=VALUE``, checked against the known names
    (:func:`crampdetect.detect.overrides.parse_overrides`, shared with the Python API)."""
    from crampdetect.detect.overrides import parse_overrides

    return parse_overrides(args.set)


def channel_names(text: str) -> list[str]:
    """``--channels a,b``: the names, in order (argparse type)."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise argparse.ArgumentTypeError("give one or more column names, e.g. emg_ta,emg_gl")
    return names


def add_channels_argument(p: argparse.ArgumentParser, what: str = "score") -> None:
    """``--channels NAME,...``: the channels (CSV columns) to ``what``, on every format."""
    p.add_argument(
        "--channels",
        type=channel_names,
        metavar="NAME,...",
        help=f"channels (CSV columns) to {what}, in this order, on any format (default: every "
        "channel; of a CSV, every column not named as force, torque, angle, acceleration, "
        "trigger... which are left out with a note)",
    )


def user_calibration(user: str | None):
    """``--user``: the user's calibration and what the profile stores per channel
    (:func:`crampdetect.calibration.user_calibration`, shared with the Python API)."""
    from crampdetect.calibration import user_calibration

    return user_calibration(user)


def add_model_argument(p: argparse.ArgumentParser) -> None:
    """``--model none|PATH``: the learned gate for unsure candidates (docs/model.md)."""
    p.add_argument(
        "--model",
        metavar="none|PATH",
        help="learned gate where the rules are unsure: a model folder, or none for rules only "
        "(default: see docs/model.md)",
    )


def _clock(t: float | None, unix: bool = False) -> str:
    if t is None:
        return "-"
    return utc_clock(t, decimals=3) if unix else clock(t, decimals=3, pad_hours=True)


def _profile_note(inp: dict) -> str:
    """Where the profile came from, for the ``input:`` line (empty if the result does not say)."""
    source, recorded = inp.get("profile_from"), inp.get("recorded_profile")
    if source == "option":
        differs = recorded is not None and recorded != inp["profile"]
        return f" (--profile; the recording names {recorded})" if differs else " (--profile)"
    if source == "recording":
        return " (the recording's)"
    if source == "default":
        return " (default: the recording names none)" if recorded is None else " (default)"
    return ""


def format_result(result: dict) -> str:
    """A readable summary of a ``detect`` result."""
    inp = result["input"]
    inferred = f" (inferred: {', '.join(inp['inferred'])})" if inp["inferred"] else ""
    bits = f", {inp['adc_bits']}-bit" if inp["adc_bits"] else ""
    lines = [
        f"input: {inp['sample_rate_hz']} Hz, {plural(len(inp['channels']), 'channel')} "
        f"{', '.join(inp['channels'])}, {inp['signal']} in {inp['units']}{bits}{inferred}; "
        f"{inp['duration_s']:.1f} s, {plural(inp['gaps'], 'gap')}; profile {inp['profile']}"
        f"{_profile_note(inp)}",
        "",
    ]
    ev, q = result["events"], result["quality"]
    first = [t for t in (*(e["onset_s"] for e in ev), *(i["start_s"] for i in q)) if t is not None]
    unix = bool(first) and is_unix_time(min(first))  # time_s in Unix time: show the UTC clock
    if unix:
        day = dt.datetime.fromtimestamp(min(first), dt.UTC).date()
        lines.append(f"times: UTC clock from {day} (the recording's time_s are Unix times)")
    lines.append(plural(len(ev), "event"))
    if ev:
        lines.append(f"  {'channel':<14}{'kind':<15}{'onset':>13}{'alert':>13}{'end':>13}  conf")
        for e in ev:
            lines.append(
                f"  {e['channel']:<13} {e['kind']:<14}  {_clock(e['onset_s'], unix):>12}"
                f" {_clock(e['alert_s'], unix):>12} {_clock(e['end_s'], unix):>12}"
                f"  {e['confidence']:.2f}"
            )
    lines.append("")
    lines.append(plural(len(q), "quality interval"))
    for item in q[:50]:
        lines.append(
            f"  {item['channel']:<13} {item['issue']:<14}  {_clock(item['start_s'], unix):>12}"
            f" {_clock(item['end_s'], unix):>12}"
        )
    if len(q) > 50:
        lines.append(f"  ... {len(q) - 50} more (use --json)")
    return "\n".join(lines)
