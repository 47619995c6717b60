"""Watch a simulated night with a cramp, streamed by a simulated board over a pseudo-terminal."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from crampdetect.core import InputError, Representation
from crampdetect.text import plural


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--scenario", default="night-short", help="simulated scenario (default night-short)"
    )
    p.add_argument("--seed", type=int, default=3, help="simulation seed (default 3)")
    p.add_argument(
        "--speed", type=float, default=12.0, help="playback speed, x real time (default 12)"
    )
    p.add_argument("--no-view", action="store_true", help="no live status view")
    p.add_argument("--json-events", action="store_true", help="one JSON line per event on stdout")


def run(args: argparse.Namespace) -> int:
    from crampdetect.cli.monitor import print_summary, stop_on_signals
    from crampdetect.ingest.ptyboard import PtyBoard, StopWhenPlayed
    from crampdetect.ingest.serial import SerialTransport
    from crampdetect.ingest.sim import BoardEmulator
    from crampdetect.ingest.sources import BoardSource
    from crampdetect.pipeline.live import LiveMonitor
    from crampdetect.simulate import simulate

    if os.name != "posix":
        raise InputError("the demo needs POSIX pseudo-terminals; try: monitor sim://night-short")
    if not 0 < args.speed <= 1000:
        raise InputError(f"--speed must be in (0, 1000], got {args.speed}")
    rep = Representation("raw", "counts", 10)  # what an Uno's ADC gives
    session = simulate(args.scenario, seed=args.seed, fs=1000.0, representation=rep)
    profile = str(session.profile)  # known from the plan: no generation pass
    out = sys.stderr if args.json_events else sys.stdout
    with tempfile.TemporaryDirectory(prefix="crampdetect-demo-") as tmp:
        board = PtyBoard(
            session.iter_chunks(0.05),
            BoardEmulator(1000, len(session.channels), 10, "raw"),
            Path(tmp) / "ttyDEMO",
            speed=args.speed,
        )
        print(
            f"Simulated board on {board.device} (a pseudo-terminal), read through "
            f"pyserial; scenario {args.scenario!r} seed {args.seed}, "
            f"{session.duration_s / 60:.1f} min at {args.speed:g}x real time, {profile} profile.",
            file=out,
            flush=True,
        )
        source = BoardSource(SerialTransport(board.path), names=session.channels, timebase="device")
        from crampdetect.cli._statusview import MessageLines, StatusView

        # --no-view: no status display, but what the wearer is told still printed, as lines
        view = MessageLines(out) if args.no_view else StatusView(out, f"demo: {args.scenario}")
        json_out = sys.stdout if args.json_events else None
        monitor = LiveMonitor(source, profile, None, view, json_out)
        with stop_on_signals() as stop:
            try:
                with source:
                    board.start()
                    summary = monitor.run(
                        stop=stop, on_pass=StopWhenPlayed(board, source.transport.queue, stop)
                    )
            finally:
                board.close()
    print_summary(summary, out, monitor.profile)
    motor = board.board.motor
    received = ", ".join(c.command for _, c in motor.commands) or "no command"
    print(f"the board received: {received}; {plural(motor.pings, 'heartbeat')}", file=out)
    return 0
