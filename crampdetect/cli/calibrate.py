"""Guided calibration per leg (relax, three maximal contractions, stretch) saved as your profile."""

from __future__ import annotations

import argparse
import logging
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from crampdetect.core import Block, InputError, QualityInterval, Representation

if TYPE_CHECKING:
    from crampdetect.pipeline import Output

logger = logging.getLogger(__name__)

#: Lost samples tolerated during one leg's routine, in s.
MAX_LOST_S = 0.5
#: A live source silent this long ends the routine, in s.
IDLE_TIMEOUT_S = 10.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "url",
        help="sensor URL (serial://, ble://, sim://) or a recording of the routine (CSV, "
        "session, EDF/BDF, WAV)",
    )
    parser.add_argument(
        "--leg",
        choices=("left", "right", "both"),
        default="both",
        help="leg(s) to calibrate, one stream channel each (default both)",
    )
    parser.add_argument("--user", default="default", help="profile name (default: 'default')")
    parser.add_argument(
        "--non-interactive",
        action="store_true",
        help="do not wait for Enter (scripted sources, recordings); automatic when stdin "
        "is not a terminal",
    )
    parser.add_argument("--signal", choices=("raw", "env"), help="recordings: raw or ENV")
    parser.add_argument("--units", choices=("uV", "mV", "V", "counts"), help="recordings: units")
    parser.add_argument(
        "--adc-bits",
        type=int,
        choices=(8, 10, 12, 14, 16),
        help="recordings in counts: ADC resolution (10 Uno, 12 ESP32)",
    )


def leg_channels(legs: list[str], channels: tuple[str, ...]) -> list[tuple[str, str]]:
    """Map each leg to the stream channel it is measured on: the one whose name has the
    leg as a word (``calf_left``, ``left``, ``calf_left_mV``, ``Left calf (mV)``)."""
    out = []
    for leg in legs:
        named = [c for c in channels if leg in re.split(r"[^a-z0-9]+", c.lower())]
        if len(named) == 1:
            out.append((leg, named[0]))
        elif len(channels) == 1:
            out.append((leg, channels[0]))  # one sensor, moved from leg to leg
        else:
            raise InputError(f"No channel for the {leg} leg among {', '.join(channels)}")
    return out


class CalibrationRoutine:
    """The routine for each ``(leg, channel)`` on consecutive stretches of one stream, fed
    block by block with the detection pipeline's quality intervals for it.

    ``say`` shows a prompt; ``ready(leg)`` is called before each leg starts (interactive
    mode waits for Enter there, and the samples buffered meanwhile are dropped). Raises
    :class:`~crampdetect.calibration.CalibrationError` on the first bad leg.
    """

    def __init__(
        self,
        representation: Representation,
        legs: list[tuple[str, str]],
        protocol: object | None = None,
        say: Callable[[str], None] = print,
        ready: Callable[[str], None] | None = None,
    ) -> None:
        from crampdetect.calibration import Protocol

        self.proto = protocol if isinstance(protocol, Protocol) else Protocol()
        self.rep = representation
        self.legs = legs
        self.say = say
        self.ready = ready
        #: :class:`~crampdetect.calibration.ChannelCalibration` of every leg done so far.
        self.results: list = []
        self._fs = 0.0
        self._channels: tuple[str, ...] = ()
        self._lost = 0  # samples lost on the link
        self._t: float | None = None  # time of the first pending sample, s
        self._pending: list[np.ndarray] = []  # (n_channels, n) µV, not yet used
        self._quality: list[tuple[str, str, float, float]] = []  # channel, issue, start, end
        self._start_leg()

    @property
    def done(self) -> bool:
        return len(self.results) == len(self.legs)

    def feed(self, block: Block, quality: Iterable[QualityInterval] = ()) -> None:
        """Take one block (ignored once every leg is done)."""
        if self.done:
            return
        if not self._fs:
            self._fs, self._channels = block.fs, block.channels
        self._quality.extend((q.channel, q.issue, q.start_s, q.end_s or np.inf) for q in quality)
        self._lost += block.gap
        if self._t is None or not self._pending:
            self._t = block.t0
        self._pending.append(self.rep.to_uv(np.asarray(block.data, dtype=float)))
        self._have += block.n_samples
        self._announce()
        while not self.done and self._have >= int(self.proto.duration_s * self._fs):
            self._close_leg()

    def finish(self) -> list:
        """The stream ended: judge the legs left on what arrived; every leg's result."""
        while not self.done:
            self._close_leg()
        return self.results

    def _start_leg(self) -> None:
        leg = self.legs[len(self.results)][0]
        if self.ready is not None:
            self.ready(leg)
            self._pending.clear()
        self.say(f"Calibrating the {leg} calf ({self.proto.duration_s:.0f} s).")
        self._phases = self.proto.phases()
        self._lost0, self._have = self._lost, sum(p.shape[1] for p in self._pending)
        self._announced = 0
        self._announce()

    def _announce(self) -> None:
        elapsed = self._have / self._fs if self._fs else 0.0
        phases = self._phases
        while self._announced < len(phases) and phases[self._announced].start_s <= elapsed:
            self.say(f"[{phases[self._announced].start_s:4.0f} s] {phases[self._announced].prompt}")
            self._announced += 1

    def _close_leg(self) -> None:
        from crampdetect.calibration import CalibrationError, analyse

        leg, channel = self.legs[len(self.results)]
        fs = self._fs or 1.0
        n = int(self.proto.duration_s * fs)
        data = np.concatenate(self._pending, axis=1) if self._pending else np.zeros((1, 0))
        t_leg = float(self._t or 0.0)
        self._pending[:] = [data[:, n:]] if data.shape[1] > n else []
        self._t = t_leg + n / fs
        lost_s = (self._lost - self._lost0) / fs
        if lost_s > MAX_LOST_S:
            raise CalibrationError(f"{leg}: {lost_s:.1f} s of samples were lost: repeat")
        t_end = t_leg + min(n, data.shape[1]) / fs
        problems = {
            issue
            for ch, issue, a, b in self._quality
            if ch == channel and a < t_end and b > t_leg and issue in ("lead_off", "saturation")
        }
        channels = self._channels or (channel,)
        x = data[list(channels).index(channel), :n]
        result = analyse(x, fs, self.rep.signal, channel, leg, self.proto, tuple(sorted(problems)))
        self.say(
            f"{leg}: rest {result.rest_rms_uv:.1f} µV, maximum {result.max_rms_uv:.0f} µV "
            f"({result.separation:.0f}x)" + "".join(f"; note: {w}" for w in result.warnings)
        )
        self.results.append(result)
        if not self.done:
            self._start_leg()


def run_routine(
    blocks: Iterable[Block],
    representation: Representation,
    legs: list[tuple[str, str]],
    protocol: object | None = None,
    say: Callable[[str], None] = print,
    ready: Callable[[str], None] | None = None,
) -> list:
    """:class:`CalibrationRoutine` over a recorded stream, through the offline runner."""
    from crampdetect.pipeline import Pipeline
    from crampdetect.pipeline.offline import run_blocks

    routine = CalibrationRoutine(representation, legs, protocol, say, ready)
    stream = iter(blocks)
    first = next(stream, None)
    if first is not None:
        pipe = Pipeline(first.fs, first.channels, representation)
        run_blocks(pipe, _chain(first, stream), lambda b, _, out: routine.feed(b, out.quality))
    return routine.finish()


def run(args: argparse.Namespace) -> int:
    from crampdetect.calibration import save_calibration
    from crampdetect.storage.paths import check_user

    check_user(args.user)
    legs = ["left", "right"] if args.leg == "both" else [args.leg]
    interactive = not args.non_interactive and sys.stdin.isatty()
    if "://" not in args.url and _recording_not_csv(args.url):
        args.url = f"file://{args.url}"  # a session, EDF/BDF, WAV...: played as a file source
    if "://" in args.url:
        return _live(args, legs, interactive)
    from crampdetect.ingest.inference import RepresentationInference, units_from_names
    from crampdetect.pipeline.offline import unit_warnings
    from crampdetect.storage.csvfile import open_csv

    stream = open_csv(args.url)
    inference = RepresentationInference(
        stream.fs, args.signal, args.units, args.adc_bits,
        named_units=units_from_names(stream.channels),
    )  # fmt: skip
    for block in stream.blocks():
        inference.feed(block.data)
    rep = inference.finish()
    for line in unit_warnings(Path(args.url).name, inference):  # a rest 1000 times off
        print(f"crampdetect calibrate: warning: {line}", file=sys.stderr)
    stream = open_csv(args.url)
    pairs = leg_channels(legs, stream.channels)
    results = run_routine(stream.blocks(), rep, pairs, ready=_ready if interactive else None)
    path = save_calibration(args.user, results, rep, stream.fs, str(args.url))
    print(f"Calibration saved for user {args.user!r}: {path}")
    return 0


def _recording_not_csv(path: str) -> bool:
    """True for a recording other than a time_s CSV (a ``record`` session, EDF/BDF, WAV...)."""
    from crampdetect.storage.reader import sniff

    try:
        return sniff(Path(path)) != "csv"
    except (InputError, OSError):
        return False  # not a recording: the CSV reader says why


def _live(args: argparse.Namespace, legs: list[str], interactive: bool) -> int:
    """The routine on the live loop (prompts off: the board's motor stays still)."""
    import threading

    from crampdetect.calibration import save_calibration
    from crampdetect.ingest.sources import open_source
    from crampdetect.pipeline.live import LiveMonitor

    recorded = args.url.startswith(("file://", "lsl://"))  # a board reports its own units
    source = open_source(args.url, units=args.units if recorded else None)
    monitor = LiveMonitor(source, prompts=False)
    stop = threading.Event()
    routine: CalibrationRoutine | None = None
    heard = [time.monotonic(), 0.0]  # when signal last arrived, and how much had

    def ready(leg: str) -> None:
        _ready(leg)
        source.read(0.0)  # drop what arrived while waiting

    def on_block(block: Block, output: Output) -> None:
        nonlocal routine
        if routine is None:
            pairs = leg_channels(legs, block.channels)
            rep = source.info.representation
            routine = CalibrationRoutine(rep, pairs, ready=ready if interactive else None)
        routine.feed(block, output.quality)
        if routine.done:
            stop.set()

    def after_pass() -> None:
        now = time.monotonic()
        if monitor.received_s > heard[1]:
            heard[:] = [now, monitor.received_s]
        elif now - heard[0] > IDLE_TIMEOUT_S:
            raise InputError(f"No data from the sensor for {IDLE_TIMEOUT_S:.0f} s")

    with source:
        monitor.run(stop=stop, on_pass=after_pass, on_block=on_block)
    if routine is None:
        raise InputError(f"No data from {args.url}")
    results = routine.finish()
    path = save_calibration(args.user, results, routine.rep, monitor.pipeline.fs, args.url)
    print(f"Calibration saved for user {args.user!r}: {path}")
    return 0


def _ready(leg: str) -> None:
    input(f"Sit with the {leg} leg relaxed and supported, then press Enter to start... ")


def _chain(first: Block, rest: Iterator[Block]) -> Iterator[Block]:
    yield first
    yield from rest
