"""Guided calibration per leg (relax, three maximal contractions, stretch) saved as your profile."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from crampdetect.core import Block, InputError, Representation

logger = logging.getLogger(__name__)

#: Lost samples tolerated during one leg's routine, in s.
MAX_LOST_S = 0.5
#: A live source silent this long ends the routine, in s.
IDLE_TIMEOUT_S = 10.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", help="sensor URL (serial://, ble://, sim://) or a CSV recording")
    parser.add_argument("--leg", choices=("left", "right", "both"), default="both")
    parser.add_argument("--user", default="default", help="profile name (default: 'default')")
    parser.add_argument(
        "--non-interactive",
        action="store_true",
        help="do not wait for Enter (scripted sources, recordings); automatic when stdin "
        "is not a terminal",
    )
    parser.add_argument("--signal", choices=("raw", "env"), help="recordings: raw or ENV")
    parser.add_argument("--units", choices=("uV", "mV", "V", "counts"), help="recordings: units")
    parser.add_argument("--adc-bits", type=int, choices=(8, 10, 12, 14, 16))


def leg_channels(legs: list[str], channels: tuple[str, ...]) -> list[tuple[str, str]]:
    """Map each leg to the stream channel it is measured on."""
    out = []
    for leg in legs:
        named = [
            c for c in channels if c == leg or c.endswith(f"_{leg}") or c.startswith(f"{leg}_")
        ]
        if len(named) == 1:
            out.append((leg, named[0]))
        elif len(channels) == 1:
            out.append((leg, channels[0]))  # one sensor, moved from leg to leg
        else:
            raise InputError(f"No channel for the {leg} leg among {', '.join(channels)}")
    return out


def run_routine(
    blocks: Iterable[Block],
    representation: Representation,
    legs: list[tuple[str, str]],
    protocol: object | None = None,
    say: Callable[[str], None] = print,
    ready: Callable[[str], None] | None = None,
) -> list:
    """Run the routine for each ``(leg, channel)`` on consecutive stretches of one stream.

    ``say`` shows a prompt; ``ready(leg)`` is called before each leg starts (interactive
    mode waits for Enter there, and the samples buffered meanwhile are dropped). Returns the
    :class:`~crampdetect.calibration.ChannelCalibration` of every leg; raises
    :class:`~crampdetect.calibration.CalibrationError` on the first bad one.
    """
    from crampdetect.calibration import CalibrationError, Protocol, analyse
    from crampdetect.pipeline import Pipeline

    proto = protocol if isinstance(protocol, Protocol) else Protocol()
    rep = representation
    stream = iter(blocks)
    state: dict[str, object] = {"pipe": None, "fs": 0.0, "lost": 0, "t": None}
    pending: list[np.ndarray] = []  # (n_channels, n) µV, not yet used
    quality: list[tuple[str, str, float, float]] = []  # channel, issue, start, end

    def pull() -> Block | None:
        block = next(stream, None)
        if block is None:
            return None
        if state["pipe"] is None:
            state["pipe"] = Pipeline(block.fs, block.channels, rep)
            state["fs"], state["channels"] = block.fs, block.channels
        out = state["pipe"].push(block)  # type: ignore[attr-defined]
        quality.extend((q.channel, q.issue, q.start_s, q.end_s or np.inf) for q in out.quality)
        state["lost"] = int(state["lost"]) + block.gap  # type: ignore[call-overload]
        if state["t"] is None or not pending:
            state["t"] = block.t0
        pending.append(rep.to_uv(np.asarray(block.data, dtype=float)))
        return block

    results = []
    for leg, channel in legs:
        if ready is not None:
            ready(leg)
            pending.clear()
        say(f"Calibrating the {leg} calf ({proto.duration_s:.0f} s).")
        phases = proto.phases()
        lost0, have = int(state["lost"]), sum(p.shape[1] for p in pending)  # type: ignore[call-overload]
        announced = 0
        while True:
            fs = float(state["fs"])  # type: ignore[arg-type]
            elapsed = have / fs if fs else 0.0
            while announced < len(phases) and phases[announced].start_s <= elapsed:
                say(f"[{phases[announced].start_s:4.0f} s] {phases[announced].prompt}")
                announced += 1
            if fs and have >= int(proto.duration_s * fs):
                break
            block = pull()
            if block is None:
                break
            have += block.n_samples
        fs = float(state["fs"]) or 1.0  # type: ignore[arg-type]
        n = int(proto.duration_s * fs)
        data = np.concatenate(pending, axis=1) if pending else np.zeros((1, 0))
        t_leg = float(state["t"] or 0.0)  # type: ignore[arg-type]
        pending[:] = [data[:, n:]] if data.shape[1] > n else []
        state["t"] = t_leg + n / fs
        lost_s = (int(state["lost"]) - lost0) / fs  # type: ignore[call-overload]
        if lost_s > MAX_LOST_S:
            raise CalibrationError(f"{leg}: {lost_s:.1f} s of samples were lost: repeat")
        t_end = t_leg + min(n, data.shape[1]) / fs
        problems = {
            issue
            for ch, issue, a, b in quality
            if ch == channel and a < t_end and b > t_leg and issue in ("lead_off", "saturation")
        }
        channels = state.get("channels") or (channel,)
        x = data[list(channels).index(channel), :n]  # type: ignore[arg-type]
        result = analyse(x, fs, rep.signal, channel, leg, proto, tuple(sorted(problems)))
        say(
            f"{leg}: rest {result.rest_rms_uv:.1f} µV, maximum {result.max_rms_uv:.0f} µV "
            f"({result.separation:.0f}x)" + "".join(f"; note: {w}" for w in result.warnings)
        )
        results.append(result)
    return results


def run(args: argparse.Namespace) -> int:
    from crampdetect.calibration import save_calibration
    from crampdetect.storage.paths import check_user

    check_user(args.user)
    legs = ["left", "right"] if args.leg == "both" else [args.leg]
    interactive = not args.non_interactive and sys.stdin.isatty()
    if "://" in args.url:
        return _live(args, legs, interactive)
    from crampdetect.ingest.inference import infer_over
    from crampdetect.storage.csvfile import open_csv

    stream = open_csv(args.url)
    inference = infer_over(
        (b.data for b in stream.blocks()), stream.fs, args.signal, args.units, args.adc_bits
    )
    rep = inference.finish()
    stream = open_csv(args.url)
    pairs = leg_channels(legs, stream.channels)
    results = run_routine(stream.blocks(), rep, pairs, ready=_ready if interactive else None)
    path = save_calibration(args.user, results, rep, stream.fs, str(args.url))
    print(f"Calibration saved for user {args.user!r}: {path}")
    return 0


def _live(args: argparse.Namespace, legs: list[str], interactive: bool) -> int:
    from crampdetect.calibration import save_calibration
    from crampdetect.ingest.sources import open_source

    with open_source(args.url) as source:
        blocks = _source_blocks(source)
        first = next(blocks, None)
        if first is None:
            raise InputError(f"No data from {args.url}")
        rep = source.info.representation
        pairs = leg_channels(legs, first.channels)

        def ready(leg: str) -> None:
            _ready(leg)
            source.read(0.0)  # drop what arrived while waiting

        results = run_routine(
            _chain(first, blocks), rep, pairs, ready=ready if interactive else None
        )
        path = save_calibration(args.user, results, rep, first.fs, args.url)
    print(f"Calibration saved for user {args.user!r}: {path}")
    return 0


def _ready(leg: str) -> None:
    input(f"Sit with the {leg} leg relaxed and supported, then press Enter to start... ")


def _chain(first: Block, rest: Iterator[Block]) -> Iterator[Block]:
    yield first
    yield from rest


def _source_blocks(source: object) -> Iterator[Block]:
    last = time.monotonic()
    while not source.ended:  # type: ignore[attr-defined]
        blocks = source.read(0.2)  # type: ignore[attr-defined]
        now = time.monotonic()
        if blocks:
            last = now
            yield from blocks
        elif now - last > IDLE_TIMEOUT_S:
            raise InputError(f"No data from the sensor for {IDLE_TIMEOUT_S:.0f} s")
