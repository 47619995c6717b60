"""Record a live board to a crash-safe session, with the detector's events and quality flags."""

from __future__ import annotations

import argparse
import dataclasses
import signal
import sys
import threading
import time


def add_arguments(p: argparse.ArgumentParser) -> None:
    from crampdetect.core import PROFILES

    p.add_argument(
        "url", help="source URL: serial:///dev/ttyUSB0, serial://auto, ble://NAME, sim://"
    )
    p.add_argument("--out", required=True, help="session directory to create (e.g. night.cdrec)")
    p.add_argument("--profile", choices=PROFILES, default="night", help="detector profile")
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
    from pathlib import Path

    from crampdetect.core import InputError
    from crampdetect.detect.settings import profile_settings
    from crampdetect.ingest.sources import open_source
    from crampdetect.pipeline import Pipeline
    from crampdetect.storage.session import SessionWriter

    out = Path(args.out)
    if out.exists():
        raise InputError(f"{out} already exists; refusing to overwrite a recording")
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    settings = profile_settings(args.profile)
    writer: SessionWriter | None = None
    info = None
    pipe: Pipeline | None = None
    source = open_source(args.url)
    t_status = time.monotonic()
    seen_s = 0.0
    try:
        with source:
            while not stop.is_set() and not source.ended:
                for block in source.read(0.2):
                    if writer is None:
                        info = source.info
                        writer = SessionWriter(
                            out,
                            fs=block.fs,
                            channels=block.channels,
                            representation=info.representation,
                            device={"url": args.url, "firmware": info.firmware},
                            settings={"profile": args.profile, **dataclasses.asdict(settings)},
                        )
                        pipe = Pipeline(block.fs, block.channels, info.representation, args.profile)
                    assert pipe is not None
                    if source.info != info:  # a status frame arrived: keep what it says
                        info = source.info
                        writer.note(
                            "device",
                            firmware=info.firmware,
                            battery_pct=info.battery_pct,
                            confirmed=info.confirmed,
                        )
                    writer.write(block)
                    output = pipe.push(block)
                    writer.write_output(output)
                    _print_output(output)
                    seen_s += block.n_samples / block.fs
                if writer is not None:
                    writer.flush_if_due()
                if not args.quiet and writer is not None and time.monotonic() - t_status >= 1.0:
                    t_status = time.monotonic()
                    saved = writer.n_samples
                    print(f"recording {seen_s:8.1f} s  {saved} samples saved", flush=True)
                if args.duration is not None and seen_s >= args.duration:
                    break
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        if writer is not None:
            if pipe is not None:
                writer.write_output(pipe.finish())
            writer.close()
    if writer is None:
        raise InputError(f"{args.url}: no samples received; nothing recorded")
    print(f"saved {out}: {writer.n_samples} samples, {seen_s:.1f} s")
    _convert(out, args.convert)
    return 0


def _print_output(output: object) -> None:
    for ev in getattr(output, "events", ()):
        if ev.end_s is None:
            print(f"[{ev.alert_s:9.2f} s] {ev.kind} ALERT on {ev.channel}", flush=True)
        else:
            print(f"[{ev.end_s:9.2f} s] {ev.kind} ended on {ev.channel}", flush=True)


def _convert(path: object, targets: list[str]) -> None:
    if not targets:
        return
    from crampdetect.storage.formats import export
    from crampdetect.storage.reader import open_recording

    rec = open_recording(path)  # type: ignore[arg-type]
    for target in targets:
        export(rec, target)
        print(f"wrote {target}", file=sys.stderr)
