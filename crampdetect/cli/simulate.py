"""Simulate labelled calf EMG: write a CSV and its .labels.json, or a whole evaluation set."""

from __future__ import annotations

import argparse
import sys

from crampdetect.cli import add_quiet_argument, progress
from crampdetect.cli._args import refuse_ignored
from crampdetect.core import InputError
from crampdetect.text import plural


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "scenario",
        nargs="?",
        default="night-short",
        help="scenario name (default night-short); see --list",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="random seed (default 0); the output representation is part of the scene: one "
        "seed gives one scene for raw uV, mV and V, another for raw counts and a third for "
        "--signal env (the board's draws come before the plan's)",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=None,
        metavar="S",
        help="length in s (default: the scenario's)",
    )
    parser.add_argument(
        "--rate", type=float, default=1000.0, metavar="HZ", help="sample rate in Hz (default 1000)"
    )
    parser.add_argument(
        "--signal",
        choices=("raw", "env"),
        default="raw",
        help="raw EMG (default) or the MyoWare ENV envelope output",
    )
    parser.add_argument(
        "--units",
        choices=("uV", "mV", "V", "counts"),
        default=None,
        help="uV (default for raw), mV or V (raw, the same signal scaled), or ADC counts "
        "(always for env)",
    )
    parser.add_argument(
        "--adc-bits",
        type=int,
        choices=(10, 12),
        default=None,
        help="ADC resolution for counts: 10 (Uno, default) or 12 (ESP32)",
    )
    parser.add_argument(
        "--channels",
        default="calf_left,calf_right",
        help="comma-separated channel names (default calf_left,calf_right)",
    )
    parser.add_argument(
        "--wearer",
        metavar="SCENARIO",
        help="play the subject and sensor of SCENARIO's recording of the same seed (default: "
        "the scenario's own; calibration plays night-short's, so its profile fits that night)",
    )
    parser.add_argument("--out", metavar="FILE.csv", help="CSV to write (labels go beside it)")
    parser.add_argument(
        "--force",
        action="store_true",
        help="overwrite an existing --out file and its labels, or fill a non-empty --eval-set",
    )
    add_quiet_argument(parser)
    parser.add_argument("--eval-set", metavar="DIR", help="write a varied evaluation set to DIR")
    parser.add_argument(
        "--hours",
        type=float,
        default=20.0,
        help="total length of the evaluation set, h (default 20)",
    )
    parser.add_argument("--jobs", type=int, default=None, help="parallel workers for --eval-set")
    parser.add_argument(
        "--variant",
        choices=("standard", "stress"),
        default="standard",
        help="standard ranges or the widened stress draws (default standard)",
    )
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")


def run(args: argparse.Namespace) -> int:
    from crampdetect.simulate import SCENARIOS, make_evaluation_set, simulate, write_session
    from crampdetect.simulate.subject import parse_representation

    if args.list:
        for spec in SCENARIOS.values():
            print(f"{spec.name:16s} {spec.profile:8s} {spec.default_s:>7.0f} s  {spec.summary}")
        return 0
    if args.eval_set:
        if args.out:
            raise InputError("Use either --out or --eval-set, not both")
        _refuse_single_recording_options(args)
        if not 0 < args.hours <= 200:
            raise InputError(f"Invalid --hours {args.hours}: must be > 0 and <= 200")
        if args.jobs is not None and args.jobs < 1:
            raise InputError(f"Invalid --jobs {args.jobs}: must be >= 1")
        from crampdetect.simulate.evalset import planned_size
        from crampdetect.storage.limits import refuse_nonempty_dir

        refuse_nonempty_dir(args.eval_set, args.force)

        n, hours, size = planned_size(args.hours, args.seed)
        print(
            f"crampdetect simulate: writing {plural(n, 'recording')}, {hours:.1f} h of signal, "
            "about "
            + (f"{size / 1e9:.1f} GB" if size >= 1e9 else f"{size / 1e6:.0f} MB")
            + f", to {args.eval_set}",
            file=sys.stderr,
            flush=True,
        )
        with progress(args, n, "simulate", unit=" recordings") as bar:
            paths = make_evaluation_set(
                args.eval_set,
                hours=args.hours,
                seed=args.seed,
                n_jobs=args.jobs,
                variant=args.variant,
                on_written=lambda: bar(1),
            )
        print(f"wrote {plural(len(paths), 'recording')} to {args.eval_set}")
        return 0
    if not args.out:
        raise InputError("Missing --out FILE.csv (or --eval-set DIR)")
    units = args.units or ("counts" if args.signal == "env" else "uV")
    if args.adc_bits is not None and units != "counts":
        raise InputError("--adc-bits only applies to --units counts")
    from crampdetect.storage.limits import refuse_overwrite

    out = refuse_overwrite(args.out, args.force)
    refuse_overwrite(out.with_name(out.stem + ".labels.json"), args.force)
    rep = parse_representation(args.signal, units, args.adc_bits)
    channels = tuple(name.strip() for name in args.channels.split(","))
    _refuse_contrary_unit_names(channels, units, args.signal)
    session = simulate(
        args.scenario,
        seed=args.seed,
        duration_s=args.duration,
        fs=args.rate,
        representation=rep,
        channels=channels,
        variant=args.variant,
        wearer=args.wearer,
    )
    with progress(args, session.duration_s, "simulate") as bar:
        csv_path, labels_path = write_session(session, args.out, progress=bar)
    kinds: dict[str, int] = {}
    for item in session.labels["intervals"]:  # type: ignore[union-attr]
        kinds[item["kind"]] = kinds.get(item["kind"], 0) + 1
    summary = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())) or "no events"
    print(f"wrote {csv_path} ({session.duration_s:g} s, {session.fs:g} Hz) and {labels_path}")
    print(f"labels: {summary}", file=sys.stdout)
    return 0


def _refuse_contrary_unit_names(channels: tuple[str, ...], units: str, signal: str) -> None:
    """A channel name that states a unit (``calf_uV``) is read in that unit by ``detect``:
    samples written in another unit under it would be read 1000x off."""
    from crampdetect.ingest.columns import unit_from_name

    for name in channels:
        named = unit_from_name(name)
        if named is not None and named != units:
            other = f"--units {named}, or " if signal == "raw" else ""  # ENV: counts only
            raise InputError(
                f"--channels {name} names {named}, but the samples are in {units}: "
                f"give {other}a name without a unit"
            )


def _refuse_single_recording_options(args: argparse.Namespace) -> None:
    """An evaluation set draws its own scenarios, lengths, rates, representations and
    wearers: options that shape one ``--out`` recording would be ignored, so say so."""
    refuse_ignored(
        [
            ("a scenario name", args.scenario != "night-short"),
            ("--duration", args.duration is not None),
            ("--rate", args.rate != 1000.0),
            ("--signal", args.signal != "raw"),
            ("--units", args.units is not None),
            ("--adc-bits", args.adc_bits is not None),
            ("--channels", args.channels != "calf_left,calf_right"),
            ("--wearer", args.wearer is not None),
        ],
        ("is", "are"),
        "for one --out recording: --eval-set draws its own scenarios, rates and "
        "representations (only --hours, --seed, --variant and --jobs apply to it)",
    )
