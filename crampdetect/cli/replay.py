"""Replay a recording through the live pipeline, as fast as possible or paced like a board."""

from __future__ import annotations

import argparse
import json
import sys


def _speed(text: str) -> float | None:
    if text == "max":
        return None
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"speed must be a number or 'max', got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("speed must be positive")
    return value


def add_arguments(p: argparse.ArgumentParser) -> None:
    from crampdetect.cli._args import (
        add_block_s_argument,
        add_channels_argument,
        add_input_arguments,
        add_model_argument,
        add_recursive_argument,
        add_scale_argument,
    )

    p.add_argument(
        "path",
        nargs="+",
        help="session directory, EDF/BDF, WAV, CSV or a shipped recording; several, or a "
        "folder (its recordings; sub-folders with --recursive): each at full speed, as detect",
    )
    add_recursive_argument(p)
    p.add_argument(
        "--speed",
        type=_speed,
        default=None,
        metavar="N|max",
        help="N times real time (1 paces like a live board); default max",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object, as detect does")
    add_block_s_argument(p, "0.05 with --speed, else 10")
    add_channels_argument(p, "replay")
    p.add_argument("--user", help="use this user's calibration (see `crampdetect calibrate`)")
    add_model_argument(p)
    add_input_arguments(p)
    add_scale_argument(p)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from crampdetect.cli import progress
    from crampdetect.cli._args import format_result, is_folder, wav_scale
    from crampdetect.core import InputError
    from crampdetect.storage.reader import open_recording

    paths = args.path if isinstance(args.path, list) else [args.path]
    if args.speed is not None and (len(paths) > 1 or is_folder(Path(paths[0]))):
        from crampdetect.cli._args import expand_folders

        found, _ = expand_folders(paths, getattr(args, "recursive", False))
        if len(found) > 1:
            raise InputError(
                f"--speed paces one recording; {', '.join(paths)} hold {len(found)}, "
                "replayed at full speed without --speed"
            )
        if len(found) == 1:  # a folder of one recording: pace it
            paths = found
    if len(paths) > 1 or is_folder(Path(paths[0])):
        if args.speed is not None:  # a folder without recordings: the usual message
            args.speed = None
        import functools

        from crampdetect.cli._args import overrides_from_args, run_many, user_calibration

        overrides_from_args(args)  # a bad --set stops the command before any file
        user_calibration(getattr(args, "user", None))  # so does a --user without one
        args.paths, args.workers = paths, 1
        return run_many(args, "replay", functools.partial(replay_path, args=args))
    args.path = paths[0]
    rec = open_recording(
        args.path, channels=getattr(args, "channels", None), wav_scale=wav_scale(args)
    )
    _recording_profile(rec, args)  # a profile it does not know is a warning, said first
    for problem in rec.problems:
        print(f"crampdetect {args.command}: warning: {problem}", file=sys.stderr)
    live = args.speed is not None and not args.json

    def show(block, pipe, out) -> None:
        for ev in out.events:
            state = {"cramp": "ALERT", "early_warning": "WARNING"}.get(ev.kind, "logged")
            state = "ended" if ev.end_s is not None else state
            print(f"[{block.t_end:9.2f} s] {ev.kind} {state} on {ev.channel}", flush=True)
        for q in out.quality:
            state = "cleared" if q.end_s is not None else "flagged"
            print(f"[{block.t_end:9.2f} s] quality {q.issue} {state} on {q.channel}", flush=True)

    with progress(args, None if live else rec.duration_s, "replay") as bar:

        def on_block(block, pipe, out) -> None:
            if live:
                show(block, pipe, out)
            else:
                bar(block.n_samples / rec.fs)

        result = replay_recording(rec, args, on_block)
    for problem in result["input"].get("problems") or []:
        if problem not in rec.problems:  # the units' warnings, known once the file was read
            print(f"crampdetect {args.command}: warning: {problem}", file=sys.stderr)
    if args.json:
        json.dump(result, sys.stdout)
        sys.stdout.write("\n")
    else:
        print(format_result(result))
    return 0


def replay_path(path: str, args: argparse.Namespace) -> dict:
    """The ``detect --json`` dictionary of the recording at ``path`` (a worker's job in
    ``replay DIR``), or ``{"error": message}`` if it is unusable (a bug still raises)."""
    from crampdetect.cli._args import wav_scale
    from crampdetect.core import CrampDetectError, InputError
    from crampdetect.storage.reader import open_recording

    try:
        channels = getattr(args, "channels", None)
        return replay_recording(
            open_recording(path, channels=channels, wav_scale=wav_scale(args)), args
        )
    except (InputError, CrampDetectError, OSError) as exc:
        return {"error": str(exc).splitlines()[0] if str(exc) else type(exc).__name__}


def replay_recording(rec, args: argparse.Namespace, on_block=None) -> dict:
    """The ``detect --json`` dictionary of an open recording, with the options of ``args``
    (``--signal/--units/--adc-bits/--rate/--profile/--set``, and ``--channels``, ``--user``,
    ``--model`` and ``--speed`` when present); without ``--profile``, the profile the
    recording names, else night."""
    from pathlib import Path

    from crampdetect.cli._args import overrides_from_args, user_calibration
    from crampdetect.core import InputError
    from crampdetect.detect.model import check_recording, resolve_model
    from crampdetect.detect.settings import profile_settings
    from crampdetect.ingest.columns import select_channels
    from crampdetect.pipeline.offline import unit_warnings
    from crampdetect.pipeline.rescore import BLOCK_S, FAST_BLOCK_S, replay, resolve_inference
    from crampdetect.provenance import InputHash, provenance

    name = Path(str(rec.path or "recording")).name
    rec = select_channels(rec, getattr(args, "channels", None))  # as opened: rec itself
    if args.rate is not None and abs(args.rate - rec.fs) > 0.02 * rec.fs:
        raise InputError(f"--rate {args.rate:g} Hz disagrees with the recording ({rec.fs:g} Hz)")
    user = getattr(args, "user", None)
    calibration, stored = user_calibration(user)
    # a CSV's names may say the unit (emg_ta_V): the inference takes it, checked by magnitude
    rep, inferred, inference = resolve_inference(rec, args.signal, args.units, args.adc_bits)
    profile, _ = _recording_profile(rec, args)
    gate = None
    model = resolve_model(getattr(args, "model", None))
    if model is not None:
        check_recording(model, rec.fs, rep.signal)
        gate = model.gate(profile)
    watch = None  # does the calibration fit? (as report --user asks it)
    if calibration is not None:
        from crampdetect.calibration import CalibrationWatch

        watch = CalibrationWatch(stored, user)
    read = InputHash(rec.path, rec.kind, rec.read_hash)  # hashed as the reader reads it

    def each_block(block, pipe, out) -> None:
        if watch is not None:
            watch.feed(pipe, out)
        if on_block is not None:
            on_block(block, pipe, out)

    try:
        result = replay(
            rec,
            profile=args.profile,  # replay decides the same profile and says where it came from
            settings=profile_settings(profile, rep.signal).replace(**overrides_from_args(args)),
            representation=rep,
            speed=getattr(args, "speed", None),
            block_s=getattr(args, "block_s", None),  # detect --block-s on any format
            on_block=each_block,
            gate=gate,
            calibration=calibration,
        )
    except InputError as exc:  # e.g. a calibration without this channel: name the file
        raise InputError(str(exc) if str(exc).startswith(name) else f"{name}: {exc}") from None
    result["input"]["inferred"] = inferred
    result["input"]["inference"] = inference
    block_s = getattr(args, "block_s", None) or (
        BLOCK_S if getattr(args, "speed", None) else FAST_BLOCK_S
    )
    result["provenance"] = provenance(
        result["input"]["profile"],
        rep.signal,
        overrides_from_args(args),
        model,
        user,
        calibration=calibration,
        source=read.id(rec.fs),
        block_s=block_s,  # as replay() cut the stream
    )
    warnings = unit_warnings(name, inference)
    if watch is not None:
        warnings += watch.warnings(name)
    if warnings:
        result["input"]["problems"] = [*result["input"].get("problems", []), *warnings]
    return result


def _recording_profile(rec, args: argparse.Namespace) -> tuple[str, dict[str, object]]:
    """``--profile``, else the one ``rec`` names, else night (:func:`scoring_profile`); a
    profile it names but this version does not know joins ``rec.problems`` (once)."""
    from crampdetect.pipeline.offline import scoring_profile

    profile, note, warning = scoring_profile(args.profile, rec.profile)
    if warning and warning not in rec.problems:
        rec.problems.append(warning)
    return profile, note
