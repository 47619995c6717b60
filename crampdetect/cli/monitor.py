"""Monitor a board live (serial, BLE, simulated) and prompt the wearer on a cramp."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator

from crampdetect.cli._args import add_model_argument
from crampdetect.core import PROFILES, InputError
from crampdetect.text import plural

#: ``--profile`` of the live commands (monitor, record).
PROFILE_HELP = (
    "detector profile (default: the one the source names, e.g. a training scenario of sim://, "
    "else night)"
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "url",
        nargs="?",
        default="serial://auto",
        help="source: serial:///dev/ttyUSB0, serial://auto (default), ble://NAME, "
        "sim://night-short?speed=10, file://RECORDING, lsl://NAME (see docs/devices.md)",
    )
    p.add_argument("--profile", choices=PROFILES, help=PROFILE_HELP)
    p.add_argument(
        "--units",
        choices=("uV", "mV", "V", "counts"),
        help="sample units of a file:// recording or an lsl:// stream (as for `detect`); "
        "a board reports its own",
    )
    p.add_argument(
        "--policy",
        choices=("simple", "guided"),
        default="simple",
        help="alerts: simple (vibrate on a cramp, stop when it ends) or guided "
        "(gentle escalation, stretch timer)",
    )
    p.add_argument(
        "--json-events",
        action="store_true",
        help="one JSON line per event on stdout, raised and ended (same id)",
    )
    p.add_argument("--duration", type=float, metavar="S", help="stop after S seconds (wall clock)")
    p.add_argument("--no-view", action="store_true", help="no live status view")
    p.add_argument("--user", help="use this user's calibration (see `crampdetect calibrate`)")
    add_model_argument(p)
    p.add_argument(
        "--history",
        action="store_true",
        help="write the session (cramps, prompts, quality) into the local night history; "
        "implies the guided prompts",
    )
    p.add_argument(
        "--record",
        metavar="PATH",
        help="also record the session (crash-safe); with --history, the session's activity "
        "timeline (classified as the session goes) is stored with it at the end",
    )
    p.add_argument(
        "--lsl",
        action="store_true",
        help="publish the signal, the envelope and event markers as Lab Streaming Layer "
        "streams '<NAME> EMG', '<NAME> envelope' and '<NAME> markers'",
    )
    p.add_argument("--lsl-name", default="crampdetect", metavar="NAME", help="for --lsl")
    p.add_argument(
        "--lsl-scope",
        choices=("machine", "link", "site"),
        default="machine",
        help="for --lsl: who can find the streams: this machine only (default; liblsl still "
        "listens for data on all IPv4 addresses, see docs/devices.md), the local network "
        "segment (link) or the site (LSL's own default)",
    )
    p.add_argument(
        "--capture",
        metavar="FILE.bin",
        help="also save the raw bytes from the board (replay later with file://FILE.bin)",
    )


@contextlib.contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set by Ctrl-C or SIGTERM (so shutdown can stop the motor cleanly)."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    for s in previous:
        signal.signal(s, lambda *_: stop.set())
    try:
        yield stop
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def source_profile(command: str, given: str | None, source) -> str:
    """The profile a live command runs: ``--profile``, else the one the source names (a
    simulated board's scenario, a replayed recording's), else night (a real board), as
    :func:`~crampdetect.pipeline.offline.scoring_profile` decides for a recording. Says so on
    stderr when it is the source's; one this version does not know is a warning (and night).
    """
    from crampdetect.pipeline.offline import scoring_profile

    profile, note, unknown = scoring_profile(given, source.profile)
    if unknown:
        print(f"crampdetect {command}: warning: {unknown}", file=sys.stderr, flush=True)
    elif note["profile_from"] == "recording":
        print(
            f"crampdetect {command}: profile {profile}, the one the source names "
            "(--profile to choose)",
            file=sys.stderr,
            flush=True,
        )
    return profile


def make_policy(name: str, profile: str):
    if name == "guided":
        from crampdetect.alerts.policy import AlertPolicy

        return AlertPolicy(profile)
    from crampdetect.alerts.haptic import SimplePolicy

    return SimplePolicy(profile=profile)


def print_summary(summary, file, profile: str = "night") -> None:
    """A few lines: stream length, cramps with onset/alert/end, link health (``profile``: the
    session's, whose ``sensor_back_s`` joins a flapping sensor's episodes as the messages did)."""
    from crampdetect.reports.clock import clock

    s = summary.stats
    span = f"monitored {clock(summary.stream_s - summary.start_s, decimals=1)} of signal"
    if summary.start_s >= 1.0:  # times on the source's own clock (an LSL stream's time stamps)
        span += (
            f" (from {clock(summary.start_s, decimals=1)} to "
            f"{clock(summary.stream_s, decimals=1)} on the source's clock)"
        )
    print(span, file=file)
    if not summary.cramps:
        print("no cramp detected", file=file)
    for e in summary.cramps:
        end = "ongoing" if e.end_s is None else f"ended {clock(e.end_s, decimals=1)}"
        gap_s = e.detail.get("after_gap_s")
        if e.detail.get("continues") is not None and isinstance(gap_s, int | float):
            # raised again after a long gap (a link lost > 10 s): the cramp above, going on
            end += (
                f"; it continues the cramp before on this leg, after {gap_s:.0f} s without signal"
            )
        print(
            f"cramp on {e.channel}: onset {clock(e.onset_s, decimals=1)}, "
            f"alert {clock(e.alert_s, decimals=1)} "
            f"({e.alert_s - e.onset_s:.1f} s later), {end}",
            file=file,
        )
    lost = _sensor_problems(summary, profile)
    if lost:
        print(f"time lost to sensor problems: {lost}", file=file)
    vibrations = sum(kind == "vibrate" for _, kind in summary.commands)
    print(
        f"board: {plural(vibrations, 'vibration prompt')}, {summary.acks} acknowledged; "
        f"link: {s.frames} frames, lost {s.lost_frames}, "
        f"CRC errors {s.crc_errors}, duplicates {s.duplicates}, reconnects {s.reconnects}, "
        f"commands resent {s.resends}, never acknowledged {s.unacked}"
        + (f", pings acknowledged {s.pings_acked}/{s.pings}" if s.pings else ""),
        file=file,
    )


def _sensor_problems(summary, profile: str = "night") -> str | None:
    """The time lost to sensor problems (lead-off, saturation, gaps) in the words of the
    morning summary and the report (:func:`~crampdetect.reports.summary.sensor_problem_text`),
    None if none was lost: the wearer sees a loose electrode here as the others count it."""
    from crampdetect.reports.summary import sensor_problem_text, sensor_problems

    spans: dict[str, dict[str, list[tuple[float, float]]]] = {}
    for q in summary.quality:
        end = summary.stream_s if q.end_s is None else q.end_s
        spans.setdefault(q.channel, {}).setdefault(q.issue, []).append(
            (q.start_s, max(q.start_s, end))
        )
    return sensor_problem_text(sensor_problems(spans, profile))


def _read_keys(stack: contextlib.ExitStack, monitor) -> None:
    """`a` or space on the terminal acknowledges the current prompt."""
    from crampdetect.cli._keys import KeyReader

    try:
        fd = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):  # no real stdin (embedded, captured)
        return
    keys = stack.enter_context(KeyReader(fd, lambda _key: monitor.ack("key")))
    if keys.active:
        monitor.view.message("press a or space to acknowledge a prompt")


def run(args: argparse.Namespace) -> int:
    from crampdetect.ingest.sources import open_source
    from crampdetect.pipeline.live import LiveMonitor

    if args.duration is not None and args.duration <= 0:
        raise InputError(f"--duration must be > 0, got {args.duration}")
    if args.record:  # refused before the history session is opened (nothing stored for it)
        from crampdetect.storage.session import refuse_new_recording

        refuse_new_recording(args.record)
    source = open_source(args.url, units=args.units)
    profile = source_profile("monitor", args.profile, source)
    from crampdetect.cli._statusview import MessageLines, StatusView, stream_stamp

    screen = sys.stderr if args.json_events else sys.stdout  # stdout: JSON events only
    view = None if args.no_view else StatusView(screen, title=args.url)
    lines = None  # --no-view: what the wearer is told, as lines stamped with when it was said
    if view is None and _replayed(args.url) is not None:  # a file, replayed as fast as it is
        lines = MessageLines(screen, lambda: stream_stamp(monitor.stream_s))  # read: its time
    elif view is None:
        lines = MessageLines(screen)
    json_out = sys.stdout if args.json_events else None
    calibration = None
    if args.user:
        from crampdetect.calibration import load_calibration

        calibration = load_calibration(args.user)
        if calibration is None:
            raise InputError(f"No calibration for user {args.user!r}: run `crampdetect calibrate`")

    journals = []  # the history session, once the first block has opened it

    def history(block):
        from crampdetect.alerts.journal import start_journal
        from crampdetect.provenance import provenance

        # the signal the board's status frame said (the one set of settings the detector
        # runs with: one hash, as `detect --json` stores); None while it has said nothing
        info = source.info
        signal = info.representation.signal if getattr(info, "confirmed", False) else None
        made = provenance(profile, signal, None, model, args.user, calibration=calibration)
        journals.append(
            start_journal(
                profile, args.url, block.channels, block.t0, args.user, _replayed(args.url), made
            )
        )
        return journals[-1]

    def recording(block, pipe):
        import dataclasses

        from crampdetect.storage.session import SessionWriter

        return SessionWriter(
            args.record,
            fs=block.fs,
            channels=block.channels,
            representation=pipe.representation,
            device={"url": args.url, "firmware": source.info.firmware},
            settings={"profile": profile, **dataclasses.asdict(pipe.settings)},
            history_session=_history_session(journals[-1].recorder) if journals else None,
        )

    from crampdetect.detect.model import resolve_model

    model = resolve_model(args.model)
    publisher = None
    if args.lsl:
        from crampdetect.lsl import LslPublisher

        publisher = LslPublisher(args.lsl_name, args.lsl_scope)
    monitor = LiveMonitor(
        source,
        profile,
        make_policy(args.policy, profile),
        view or lines,
        json_out,
        calibration=calibration,
        history=history if args.history else None,
        recording=recording if args.record else None,
        model=model,
        publisher=publisher,
    )
    watch = _calibration_watch(monitor, args.user, view) if args.user else None
    # the timeline of the recorded session, classified as it goes: the end only stores it
    timeline = _LiveTimeline(monitor) if args.record and args.history else None
    on_block = _each_block(watch, timeline)
    with contextlib.ExitStack() as stack:
        if args.capture:
            if not source.accepts_commands:
                raise InputError("--capture needs a board (serial://, ble://, sim://)")
            source.capture = stack.enter_context(open(args.capture, "xb"))
        stop = stack.enter_context(stop_on_signals())
        if view is not None:
            _read_keys(stack, monitor)
        try:
            with source:
                summary = monitor.run(args.duration, stop, on_block=on_block)
        finally:
            if view is not None:
                view.close()
    # with --json-events stdout holds only the events: the summary goes with the view, to stderr
    out = sys.stderr if args.json_events else sys.stdout
    print_summary(summary, out, monitor.profile)
    if monitor.received_s == 0:  # not one sample went through the detector
        from crampdetect.pipeline.live import silent_board_message

        print(
            f"crampdetect monitor: error: nothing was monitored: {silent_board_message(source)}",
            file=sys.stderr,
        )
        return 2
    if timeline is not None and journals:  # nothing left to classify: stored
        _store_activity(journals[-1].recorder, timeline, args.record, out)
    return 0


def _each_block(*calls):
    """One ``on_block`` calling each of ``calls`` that is not None (None if none is)."""
    calls = tuple(c for c in calls if c is not None)
    if not calls:
        return None

    def on_block(block, out) -> None:
        for call in calls:
            call(block, out)

    return on_block


class _LiveTimeline:
    """``on_block`` feeding the activity timeline of the stream the monitor records
    (:class:`~crampdetect.reports.activity.ActivityTimeline`, the pipeline's envelope frames
    as they come): the timeline ``history --import REC --recording REC`` computes from the
    recording, there at the end without reading it again. A later stream of other channels or
    rate (a board that changed) is not the recording's first: not fed."""

    def __init__(self, monitor) -> None:
        self.monitor = monitor
        self.timeline = None

    def __call__(self, block, out) -> None:
        pipe = self.monitor.pipeline
        if self.timeline is None:
            from crampdetect.reports.activity import ActivityTimeline

            self.timeline = ActivityTimeline(pipe.channels, pipe.hop_s, pipe.representation)
        tl = self.timeline
        if (pipe.channels, pipe.hop_s, pipe.representation) == (tl.channels, tl.frame_s, tl.rep):
            tl.feed(out, pipe)


def _calibration_watch(monitor, user: str, view):
    """``on_block`` for ``monitor --user``: say when the calibration does not fit the stream
    (its representation or rate at the first block, its resting level once
    :data:`~crampdetect.calibration.CHECK_AFTER_S` of signal went through;
    :class:`~crampdetect.calibration.CalibrationWatch`, a new check for a new stream)."""
    from crampdetect.calibration import CalibrationWatch, load_profile_channels

    watch = CalibrationWatch(load_profile_channels(user), user)

    def on_block(block, out) -> None:
        for line in watch.feed(monitor.pipeline, out):
            if view is not None:
                view.message(line)
            else:
                print(f"crampdetect monitor: warning: {line}", file=sys.stderr, flush=True)

    return on_block


def _store_activity(recorder, live: _LiveTimeline, path: str, file) -> None:
    """The activity timeline of a recorded session (training or night), classified as it went
    (``live``), into the history session written live with it (what ``history --import REC
    --recording REC`` adds; the history file was closed at the session's end). A timeline it
    cannot store costs the timeline only."""
    from crampdetect.reports.activity import store_activity
    from crampdetect.storage.history import open_history

    if live.timeline is None:  # not one envelope frame went through
        return
    try:
        with open_history(recorder.history.path) as history:
            n = store_activity(history, recorder.session_id, live.timeline, recorder.stream_t0_s)
    except (InputError, OSError) as exc:
        print(
            f"crampdetect monitor: warning: no activity timeline stored ({exc}); "
            f"`crampdetect history --import {path} --recording {path}` adds it",
            file=sys.stderr,
        )
        return
    what = "its activity timeline" if n else "no activity timeline (too short to classify)"
    print(f"history session {recorder.session_id}: {what} stored", file=file)


def _history_session(recorder) -> dict[str, object]:
    """What a recording keeps of the history session written live with it (see ``history``)."""
    row = recorder.history.session(recorder.session_id)
    return {"id": row["id"], "started_at": row["started_at"], "source": row["source"]}


def _replayed(url: str) -> str | None:
    """The absolute path of the recording a ``file://`` source replays (None for a board)."""
    from pathlib import Path

    from crampdetect.ingest.sources import parse_url

    try:
        scheme, target, _ = parse_url(url)
    except InputError:
        return None
    return str(Path(target).resolve()) if scheme == "file" else None
