"""Argument helpers and result formatting shared by ``detect``, ``replay``, ``evaluate`` and
``monitor`` (one place, so those commands do not import each other)."""

from __future__ import annotations

import argparse
from pathlib import Path

from crampdetect.cli import add_quiet_argument
from crampdetect.core import PROFILES, InputError
from crampdetect.reports.clock import clock
from crampdetect.text import plural


def name_path(path: str | Path, message: str) -> str:
    """``message`` about one of several recordings, naming it by the path the user gave.

    Readers name a file by its bare name (``night.csv: no data rows``); among several
    recordings from several folders that is ambiguous, so a leading bare name is replaced by
    the path and a message that names neither gets the path in front.
    """
    path = str(path)
    name = Path(path).name
    if message.startswith(path):
        return message
    if message.startswith(name + ":"):
        return path + message[len(name) :]
    return message if name in message else f"{path}: {message}"


def is_folder(path: Path) -> bool:
    from crampdetect.storage.session_reader import is_session

    return path.is_dir() and not is_session(path)


#: Files that belong to a recording beside them, not recordings of their own: never "skipped".
SIDECAR_SUFFIXES = (".labels.json", ".session.json")
#: Suffixes of recordings: a folder's file with one of them that cannot be read is named with why.
RECORDING_SUFFIXES = (".csv", ".edf", ".bdf", ".wav")


def expand_folders(paths: list[str]) -> tuple[list[str], list[str]]:
    """The paths to score, folders expanded to their recordings; and the entries of those
    folders skipped as not recordings (notes, unreadable files, sub-folders), sidecars aside; a
    file that looks like a recording (an empty or damaged CSV) is named with the reason."""
    from crampdetect.storage.reader import sniff

    out, skipped = [], []
    for name in paths:
        path = Path(name)
        if not is_folder(path):
            out.append(name)  # a named file that cannot be read is that file's error line
            continue
        for entry in sorted(path.iterdir()):
            if entry.name.startswith(".") or entry.name.endswith(SIDECAR_SUFFIXES):
                continue
            try:
                sniff(entry)
            except (InputError, OSError) as exc:
                if entry.is_dir():
                    skipped.append(entry.name + "/")
                elif entry.suffix.lower() in RECORDING_SUFFIXES:
                    why = str(exc).replace(f"{entry}: ", "").replace(f"{entry.name}: ", "")
                    skipped.append(f"{entry.name} ({why})")
                else:
                    skipped.append(entry.name)
                continue
            out.append(str(entry))
    return out, skipped


def skipped_line(command: str, skipped: list[str], shown: int = 5) -> str:
    """``skipped N non-recording file(s): a, b, ...``: which, so an unreadable data file shows."""
    more = len(skipped) - shown
    names = ", ".join(skipped[:shown]) + (f", +{more} more" if more > 0 else "")
    return f"crampdetect {command}: skipped {plural(len(skipped), 'non-recording file')}: {names}"


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
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a detector setting, e.g. --set slow_s=9 (repeatable)",
    )


def overrides_from_args(args: argparse.Namespace) -> dict[str, float | bool]:
    """Detector settings given with ``--set NAME=VALUE``, checked against the known names."""
    import dataclasses

    from crampdetect.detect.settings import DetectorSettings

    switches = {f.name for f in dataclasses.fields(DetectorSettings) if f.type in (bool, "bool")}
    changes: dict[str, float | bool] = {}
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep:
            raise InputError(f"--set takes NAME=VALUE, got {item!r}")
        name = name.strip()
        if name in switches:  # e.g. --set early_warning=true
            word = value.strip().lower()
            if word not in ("true", "false", "1", "0", "on", "off"):
                raise InputError(f"--set {name}: {value!r} is not true or false")
            changes[name] = word in ("true", "1", "on")
            continue
        try:
            changes[name] = float(value)
        except ValueError:
            raise InputError(f"--set {name}: {value!r} is not a number") from None
    DetectorSettings().replace(**changes)  # unknown names -> InputError
    return changes


def add_model_argument(p: argparse.ArgumentParser) -> None:
    """``--model none|PATH``: the learned gate for unsure candidates (docs/model.md)."""
    p.add_argument(
        "--model",
        metavar="none|PATH",
        help="learned gate where the rules are unsure: a model folder, or none for rules only "
        "(default: see docs/model.md)",
    )


def _clock(t: float | None) -> str:
    return "-" if t is None else clock(t, decimals=3, pad_hours=True)


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
    ev = result["events"]
    lines.append(plural(len(ev), "event"))
    if ev:
        lines.append(f"  {'channel':<14}{'kind':<15}{'onset':>13}{'alert':>13}{'end':>13}  conf")
        for e in ev:
            lines.append(
                f"  {e['channel']:<13} {e['kind']:<14}  {_clock(e['onset_s']):>12}"
                f" {_clock(e['alert_s']):>12} {_clock(e['end_s']):>12}  {e['confidence']:.2f}"
            )
    q = result["quality"]
    lines.append("")
    lines.append(plural(len(q), "quality interval"))
    for item in q[:50]:
        lines.append(
            f"  {item['channel']:<13} {item['issue']:<14}  {_clock(item['start_s']):>12}"
            f" {_clock(item['end_s']):>12}"
        )
    if len(q) > 50:
        lines.append(f"  ... {len(q) - 50} more (use --json)")
    return "\n".join(lines)
