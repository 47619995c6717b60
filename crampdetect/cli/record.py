"""Record a live board to a crash-safe session, with the detector's events and quality flags."""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from typing import TYPE_CHECKING

from crampdetect.text import plural

if TYPE_CHECKING:
    from crampdetect.core import Block, Event
    from crampdetect.pipeline import Pipeline


def add_arguments(p: argparse.ArgumentParser) -> None:
    from crampdetect.cli.monitor import PROFILE_HELP
    from crampdetect.core import PROFILES

    p.add_argument(
        "url",
        help="source URL: serial:///dev/ttyUSB0, serial://auto, ble://NAME, sim://, "
        "file://RECORDING, lsl://NAME",
    )
    p.add_argument("--out", required=True, help="session directory to create (e.g. night.cdrec)")
    p.add_argument("--profile", choices=PROFILES, help=PROFILE_HELP)
    p.add_argument(
        "--units",
        choices=("uV", "mV", "V", "counts"),
        help="sample units of a file:// recording or an lsl:// stream (as for `monitor`); "
        "a board reports its own",
    )
    p.add_argument("--duration", type=float, metavar="S", help="stop after S seconds of signal")
    p.add_argument(
        "--convert",
        action="append",
        default=[],
        metavar="FILE",
        help="also write FILE (.edf, .bdf, .csv, .wav) when the session ends (repeatable)",
    )
    p.add_argument("--quiet", action="store_true", help="no status line every second")


def run(args: argparse.Namespace) -> int:

    from crampdetect.cli.monitor import source_profile, stop_on_signals
    from crampdetect.core import InputError
    from crampdetect.ingest.sources import open_source
    from crampdetect.pipeline.live import LiveMonitor
    from crampdetect.storage.session import SessionWriter, refuse_new_recording

    if args.duration is not None and not args.duration > 0:
        raise InputError(f"--duration must be > 0, got {args.duration}")
    out = refuse_new_recording(args.out)
    source = open_source(args.url, units=args.units)
    profile = source_profile("record", args.profile, source)

    def recording(block: Block, pipe: Pipeline) -> SessionWriter:
        return SessionWriter(
            out,
            fs=block.fs,
            channels=block.channels,
            representation=pipe.representation,
            device={"url": args.url, "firmware": source.info.firmware},
            settings={"profile": profile, **dataclasses.asdict(pipe.settings)},
        )

    monitor = LiveMonitor(source, profile, view=_RecordView(), recording=recording, prompts=False)
    t_status = time.monotonic()

    def after_pass() -> None:
        nonlocal t_status
        writer = monitor.recorder
        if not args.quiet and writer is not None and time.monotonic() - t_status >= 1.0:
            t_status = time.monotonic()
            print(
                f"recording {monitor.received_s:8.1f} s  {writer.n_samples} samples saved",
                flush=True,
            )

    with stop_on_signals() as stop, source:
        monitor.run(stop=stop, on_pass=after_pass, signal_s=args.duration)
    if monitor.recorder is None:
        raise InputError(f"{args.url}: no samples received; nothing recorded")
    writer = monitor.recorder
    n = writer.n_samples
    print(f"saved {out}: {plural(n, 'sample')}, {n / writer.fs:.1f} s, profile {profile}")
    if args.duration is not None and source.ended and monitor.received_s < args.duration:
        why = _short(source, monitor.received_s, args.duration)
        print(f"crampdetect record: {why}", file=sys.stderr)
    _convert(out, args.convert)
    return 0


def _short(source: object, received_s: float, asked_s: float) -> str:
    """Why a recording holds less than ``--duration``: the source ended (and lost samples)."""
    text = f"the source ended after {received_s:.1f} s of signal, before --duration {asked_s:g} s"
    stats = getattr(source, "stats", None)
    lost, gaps = getattr(stats, "gap_samples", 0), getattr(stats, "gaps", 0)
    info = getattr(source, "info", None)
    fs = getattr(info, "fs", 0.0)
    if lost and gaps and fs:
        text += f" ({lost / fs:.1f} s of it lost in {plural(gaps, 'gap')} of the stream)"
    return text


class _RecordView:
    """What ``record`` shows of the live loop: events as they are raised and end."""

    def event(self, ev: Event) -> None:
        if ev.end_s is None:
            print(f"[{ev.alert_s:9.2f} s] {ev.kind} ALERT on {ev.channel}", flush=True)
        else:
            print(f"[{ev.end_s:9.2f} s] {ev.kind} ended on {ev.channel}", flush=True)

    def message(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    def update(self, *_: object) -> None:
        pass

    def close(self) -> None:
        pass


def _convert(path: object, targets: list[str]) -> None:
    if not targets:
        return
    from crampdetect.storage.formats import export
    from crampdetect.storage.reader import open_recording

    rec = open_recording(path)  # type: ignore[arg-type]
    for target in targets:
        export(rec, target)
        print(f"wrote {target}", file=sys.stderr)
