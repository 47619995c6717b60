"""Live monitoring loop: a Source's blocks through the Pipeline, alerts to the board.

One pass of the loop reads the blocks received so far, pushes them through the detection
:class:`~crampdetect.pipeline.Pipeline`, hands new events to the alert policy, sends its
commands to the board, sends the heartbeat (``ping``, every second: the firmware stops the
motor when it stops hearing it) and refreshes the status view. Shutdown always tells the
board to ``stop`` and closes open events.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from crampdetect.alerts.haptic import HapticSink, PromptPolicy, SimplePolicy
from crampdetect.alerts.journal import JournalingPolicy
from crampdetect.alerts.patterns import settings_for
from crampdetect.alerts.policy import Action, SensorWatch
from crampdetect.core import Block, Event, QualityInterval
from crampdetect.detect import onset
from crampdetect.detect.model import check_recording
from crampdetect.ingest.blocks import STATUS_WAIT_S
from crampdetect.ingest.channelkind import MISMATCH, kind_message
from crampdetect.ingest.commands import ACK_TIMEOUT_S
from crampdetect.ingest.link import LinkStats, Source
from crampdetect.pipeline import Output, Pipeline
from crampdetect.text import plural

logger = logging.getLogger(__name__)

HEARTBEAT_S = 1.0
#: Warn when no sample arrived this long after the start, s.
SILENT_WARN_S = 5.0
#: Warn when the board acknowledged none of the commands (pings) sent this long after the start, s.
ACK_WARN_S = 5.0
READ_TIMEOUT_S = 0.1


@dataclass(slots=True)
class MonitorSummary:
    """What a session produced: final events (by id), quality intervals, link statistics,
    commands sent and acknowledgements taken (key or button)."""

    events: list[Event] = field(default_factory=list)
    quality: list[QualityInterval] = field(default_factory=list)
    stats: LinkStats = field(default_factory=LinkStats)
    stream_s: float = 0.0
    start_s: float = 0.0  # stream time of the first sample (an LSL stream's own clock: not 0)
    commands: list[tuple[float, str]] = field(default_factory=list)
    acks: int = 0

    @property
    def cramps(self) -> list[Event]:
        return [e for e in self.events if e.kind == "cramp"]


def silent_board_message(source: object) -> str:
    """What to tell the wearer when no block came ``SILENT_WARN_S`` after the start: the
    board sends nothing, or sends sample frames that wait for a status frame which never came."""
    held = int(getattr(source, "held_frames", 0))
    if held:
        return (
            f"sample frames arrive ({held} so far) but no status frame (protocol type 2) yet, "
            "which says their rate, ADC bits and signal; after "
            f"{STATUS_WAIT_S:g} s of samples they are taken as the URL's rate=, bits=, "
            "signal= (else 1000 Hz, 10 bits, raw): give them "
            "in the URL (serial://PORT?rate=1000&bits=10&signal=raw) or update the firmware"
        )
    transport = getattr(getattr(source, "transport", None), "name", "")
    check = {  # what to check, by the transport the board is on
        "serial": "running the crampdetect firmware, at the right baud rate?",
        "ble": "in range, running the crampdetect firmware, and does it notify on the "
        "crampdetect stream characteristic?",
    }.get(transport, "running the crampdetect firmware?")
    return f"no samples from the board after {SILENT_WARN_S:.0f} s: is it powered, {check}"


def unconfirmed_board(source: object) -> bool:
    """A board (it holds frames for a status frame) whose stream started without one."""
    info = getattr(source, "info", None)
    return hasattr(source, "held_frames") and info is not None and not info.confirmed


def assumed_stream_message(source: object) -> str:
    """The board streams but sent no status frame: what the samples are taken to be."""
    info = source.info  # type: ignore[attr-defined]
    rep = info.representation
    return (
        "no status frame (protocol type 2) from the board: its samples are taken as "
        f"{info.fs:g} Hz, {rep.adc_bits} bits, signal {rep.signal} (the URL's rate=, bits=, "
        "signal=, else the defaults); update the firmware if they are not"
    )


def link_lost_message(t_s: float) -> str:
    """What the monitor says when the link to the board goes down, ``t_s`` s into the signal."""
    # lazy: the reports package imports the pipeline; only its clock formatter is needed here
    from crampdetect.reports.clock import clock

    return (
        f"link to the board lost at {clock(max(t_s, 0.0), decimals=1)} of signal: nothing is "
        "monitored until it is back; the monitor reconnects by itself (check the cable, or "
        "that the board is powered and in range)"
    )


def reconnect_message(reconnects: int) -> str:
    """What the monitor says when the link to the board is back (the ``reconnects`` th time)."""
    return (
        f"link to the board back ({plural(reconnects, 'reconnect')}): what it sends late "
        "keeps the time it was sampled at, samples lost meanwhile show as a gap"
    )


def _head(block: Block, seconds: float) -> Block | None:
    """The first ``seconds`` of ``block`` (all of it if shorter; None if nothing is left)."""
    n = round(seconds * block.fs)
    if n <= 0:
        return None
    if n >= block.n_samples:
        return block
    return dataclasses.replace(block, data=block.data[:, :n])


class LiveMonitor:
    """Runs one monitoring session on an opened or unopened :class:`Source`: :meth:`run`
    opens one that is not open yet (a source with ``opened`` False, e.g. a
    :class:`~crampdetect.ingest.sources.BoardSource` outside its ``with`` block) and closes it
    when it returns; one opened by the caller is left for the caller to close.

    Parameters
    ----------
    source : Source
        Where blocks come from and commands go.
    profile : {"night", "training"}
        Detector profile.
    policy : PromptPolicy, optional
        Alert policy; by default :class:`SimplePolicy` of ``profile`` (its ``rejoin_s``).
    view : object, optional
        A :class:`~crampdetect.cli._statusview.StatusView` (or None for no view).
    json_out : text stream, optional
        Receives one JSON line per event (raised and ended), with the event's ``id``: the
        lines of one event share it.
    calibration : mapping, optional
        ``{channel: (rest_rms_uv, max_rms_uv)}`` for the pipeline (``crampdetect calibrate``).
    history : callable, optional
        ``history(first_block) -> JournalingPolicy``: at the first block, replaces the policy
        with one that also writes the night history.
    recording : callable, optional
        ``recording(first_block, pipeline) -> SessionWriter``: records the session.
    model : CrampModel, optional
        Learned gate for the detector's unsure candidates (``--model``).
    publisher : LslPublisher, optional
        Publishes samples, envelope and event markers (``--lsl``).
    prompts : bool
        False: no alert policy, and nothing sent to the board (no commands, no heartbeat):
        ``record`` is a monitor with a recorder and without prompts.
    clock : callable
        Wall clock in s (monotonic): with the stream time it tells a backlog being caught up
        (a vibration decided more than the profile's ``AlertSettings.stale_prompt_s`` behind
        both the newest sample received and the wall clock is not played, only shown, logged
        and stored as not sent).

    Attributes
    ----------
    received_s : float
        Signal received so far (samples / rate, gaps not counted), s.
    """

    def __init__(
        self,
        source: Source,
        profile: str = "night",
        policy: PromptPolicy | None = None,
        view: Any = None,
        json_out: TextIO | None = None,
        calibration: Any = None,
        history: Callable[[Block], Any] | None = None,
        recording: Callable[[Block, Any], Any] | None = None,
        model: Any = None,
        publisher: Any = None,
        prompts: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self.publisher = publisher
        self.profile = profile
        self.policy = policy if policy is not None else SimplePolicy(profile=profile)
        self.view = view
        self.json_out = json_out
        self.calibration = calibration
        self.model = model
        self._start_history = history
        self._start_recording = recording
        self.recorder: Any = None
        self._recorded_info: Any = None  # the device info last written to the recording
        self.prompts = prompts
        self._clock = clock
        self._stale_s = settings_for(profile).stale_prompt_s
        self._sensors = SensorWatch(profile)  # a loose sensor told to the wearer
        self._mismatched: set[str] = set()  # channels told to be of the other signal kind
        self._wall0: float | None = None  # clock at the first read that brought samples
        self._stream0 = 0.0  # stream time in s of the newest sample of that read
        self._newest_s = -float("inf")  # stream time in s of the newest sample received
        self._held: dict[int, Action] = {}  # event id -> its last prompt not played (stale)
        self._last_ping = -math.inf  # wall clock (monotonic) of the last heartbeat
        self.received_s = 0.0
        self._journal: Any = None  # the history journal this monitor opened (and closes)
        self.haptic = HapticSink(source.send)
        self.pipeline: Any = None
        self.summary = MonitorSummary()
        self._events: dict[int, Event] = {}
        self._event_ids = itertools.count(1)  # shared by the pipelines of one session
        self._now_s = 0.0
        self._reconnects = 0  # reconnects of the link already told
        self._links_lost = 0  # losses of the link already told
        self._acks: list[str] = []  # acknowledgements not yet given to the policy (sources)
        self._acks_lock = threading.Lock()
        onset.preload()  # not at the first alert: the prompt must go out within ~150 ms

    def ack(self, source: str = "key") -> None:
        """Acknowledge the current prompt (``key`` in the live view, ``button`` on the board).

        Thread-safe: the key reader calls it from its own thread; the policy gets it on the
        next pass of the loop.
        """
        with self._acks_lock:
            self._acks.append(source)

    def _pipeline_for(self, block: Block) -> Any:
        rep = self.source.info.representation
        p = self.pipeline
        if p is not None and (p.fs, p.channels, p.representation) == (
            block.fs,
            block.channels,
            rep,
        ):
            return p
        if p is not None:  # the board changed rate or channels: a new stream
            logger.warning(
                "stream changed to %g Hz %s: restarting detection", block.fs, block.channels
            )
            out = p.finish()
            self._handle(out.events, out.quality)
        gate = None
        if self.model is not None:
            check_recording(self.model, block.fs, rep.signal)
            gate = self.model.gate(self.profile)
        self.pipeline = Pipeline(
            block.fs,
            block.channels,
            rep,
            self.profile,
            calibration=self.calibration,
            gate=gate,
            event_ids=self._event_ids,
        )
        if self._start_history is not None:
            self.policy = self._journal = self._start_history(block)
            self._journal.vet = self._vet
            self._start_history = None
        if self._start_recording is not None:
            try:
                self.recorder = self._start_recording(block, self.pipeline)
            except BaseException:  # nothing monitored: no history session for the run
                self._drop_journal()
                raise
            self._recorded_info = self.source.info
            self._start_recording = None
        return self.pipeline

    def _handle(self, events: list[Event], quality: list[QualityInterval]) -> None:
        for event in events:
            self._events[event.id] = event
            if self.json_out is not None:
                # the id pairs a raised line with the line that ends the same event
                line = {"id": event.id, **event.to_dict()}
                print(json.dumps(line), file=self.json_out, flush=True)
            if self.view is not None:
                self.view.event(event)
        self.summary.quality.extend(q for q in quality if q.end_s is not None)
        for q in quality:  # a channel not of the kind the board says it streams: told once
            if q.issue == MISMATCH and q.end_s is None and q.channel not in self._mismatched:
                self._mismatched.add(q.channel)
                self._say(kind_message(q.channel, self.pipeline.representation))
        if quality and self._journal is not None:
            self._journal.record_quality(quality)
        actions = self.policy.update(events, self._now_s) if self.prompts else []
        with self._acks_lock:
            acks, self._acks = self._acks, []
        # The board's acknowledge button and the live view's key: the policy stops escalating.
        presses = self.source.take_button_presses()
        for source in (["button"] * presses + acks) if self.prompts else []:
            actions += self._acknowledge(source)
        actions = [self._vet(a) for a in actions]  # the journal vetted its own already
        if self.prompts:  # a loose sensor, and when it is back: messages, logged and stored
            told = self._sensors.update(quality, self._now_s)
            for action in told:
                if self._journal is not None:
                    self._journal.recorder.record_action(action)
                if self.view is None:  # no screen: said on stderr, not only in the summary
                    logger.warning(action.text)
            actions += told
        if self.prompts:
            for action in actions:  # a cramp prompted afresh needs no prompt held back
                if action.kind == "vibrate":
                    self._held.pop(action.event_id, None)  # type: ignore[arg-type]
            actions += self._play_held()
        if self.publisher is not None:
            self.publisher.events(events, quality, actions)
        if self._commands:
            self.haptic.apply(actions)
        if self.view is not None:
            for action in actions:
                if action.kind == "message" and action.text:
                    self.view.message(action.text)

    def _vet(self, action: Action) -> Action:
        """A vibration decided too far behind real time becomes a message saying so.

        Behind means behind both the newest sample received (a backlog being caught up) and
        the wall clock since the first samples (so a source replaying faster than real time,
        or a board clock that drifts, is never taken for one).
        """
        if action.kind != "vibrate":
            return action
        late_s = self._late_s(action.t_s)
        if late_s <= self._stale_s:
            return action
        if action.event_id is not None:  # played on catching up if that cramp is still going
            self._held[action.event_id] = action
        not_played = getattr(self.policy, "not_played", None)
        if not_played is not None:  # so it counts for neither the cap nor the escalation
            not_played(action)
        note = (
            f"{action.reason}; not sent: decided {late_s:.0f} s behind real time "
            f"(catching up a backlog; limit {self._stale_s:.0f} s)"
        )
        logger.warning("t=%.1f s vibration not sent: %s", action.t_s, note)
        text = f"A prompt {late_s:.0f} s old was not played: the monitor was catching up."
        return dataclasses.replace(action, kind="message", reason=note, text=text)

    def _late_s(self, t_s: float) -> float:
        """How far stream time ``t_s`` lies behind real time, s: behind both the newest sample
        received and the wall clock since the first samples (0 before any)."""
        if self._wall0 is None:
            return 0.0
        behind_wall = (self._clock() - self._wall0) - (t_s - self._stream0)
        return min(self._newest_s - t_s, behind_wall)

    def _play_held(self) -> list[Action]:
        """Caught up: the prompts held back for cramps still going are played now, once."""
        if not self._held or self._late_s(self._now_s) > self._stale_s:
            return []
        out = [
            dataclasses.replace(
                held,
                t_s=self._now_s,
                reason=f"{held.reason}; played on catching up: the cramp is still going",
            )
            for event_id, held in self._held.items()
            if (event := self._events.get(event_id)) is not None and event.end_s is None
        ]
        self._held.clear()
        played_late = getattr(self.policy, "played_late", None)
        for action in out:
            if played_late is not None:  # now it counts (cap, escalation, back-off)
                played_late(action)
            if self._journal is not None:
                self._journal.recorder.record_action(action)
        return out

    def _acknowledge(self, source: str) -> list:
        """One acknowledgement to the policy (and the history, with where it came from)."""
        policy = self.policy
        if isinstance(policy, JournalingPolicy):
            actions = policy.update([], self._now_s, 1, ack_source=source)
        else:
            actions = policy.update([], self._now_s, acks=1)
        self.summary.acks += 1
        self._held.clear()  # acknowledged: nothing held back is played any more
        if self.view is not None:
            self.view.message(f"acknowledged ({source})")
        return actions

    def run(
        self, duration_s: float | None = None, stop: threading.Event | None = None,
        on_pass: Callable[[], None] | None = None,
        on_block: Callable[[Block, Output], None] | None = None,
        signal_s: float | None = None,
    ) -> MonitorSummary:  # fmt: skip
        """Monitor until the source ends, ``duration_s`` (wall clock) passes or ``stop`` is set.

        ``on_block(block, output)`` is called after each block went through the pipeline,
        ``on_pass()`` after each pass of the loop (either may set ``stop`` or raise).
        ``signal_s`` stops once that many seconds of signal went through: the block that
        reaches it is cut there and is the last, however many blocks one read brought (a
        source replaying as fast as it can queues minutes between two passes).

        Stopped otherwise (``stop``, ``duration_s``), the samples already received and not
        yet detected on (the rest of a read, what the source still holds) go into the
        recording all the same: a recording never drops received data at stop.
        """
        if getattr(self.source, "opened", True) is False:  # not opened by the caller
            with self.source:
                return self.run(duration_s, stop, on_pass, on_block, signal_s)
        stop = stop or threading.Event()
        deadline = None if duration_s is None else time.monotonic() + duration_s
        self._last_ping = -math.inf
        started = time.monotonic()
        warned = False
        ack_checked = False  # an ack came, or the warning that none did was given
        source = self.source
        unread: list[Block] = []  # received, not detected on: kept by the recording at stop
        reached = False  # signal_s went through (to the sample: no float sum decides it)
        try:
            while not stop.is_set() and not source.ended and not reached:
                if deadline is not None and time.monotonic() >= deadline:
                    break
                blocks = source.read(READ_TIMEOUT_S)
                if blocks:
                    if self._wall0 is None:
                        self._wall0, self._stream0 = self._clock(), blocks[-1].t_end
                        self.summary.start_s = blocks[0].t0
                        if unconfirmed_board(source):
                            self._say(assumed_stream_message(source))
                    self._newest_s = max(self._newest_s, blocks[-1].t_end)
                self._tell_link(blocks[0].t0 if blocks else math.inf)
                for k, block in enumerate(blocks):
                    if signal_s is not None:
                        block = _head(block, signal_s - self.received_s)
                        if block is None:
                            reached = True
                            break  # the rest of this read lies past what was asked
                    # A source that fell behind (a fast simulation on a busy machine) brings
                    # minutes in one read: honour Ctrl-C and --duration between its blocks.
                    if stop.is_set() or (deadline is not None and time.monotonic() >= deadline):
                        unread = blocks[k:]
                        break
                    self._tell_link(block.t0)  # a loss before this block: said in its place
                    out = self._pipeline_for(block).push(block)
                    self._now_s = block.t_end
                    self.received_s += block.n_samples / block.fs
                    if self.publisher is not None:
                        self.publisher.block(block, out, self.pipeline)
                    if self.recorder is not None:
                        self._note_device()
                        self.recorder.write(block)
                        self.recorder.write_output(out)
                    # Per block, so the policy sees each event at its own stream time
                    # however many blocks one pass brings.
                    self._handle(out.events, out.quality)
                    if on_block is not None:
                        on_block(block, out)
                    if signal_s is not None and _head(block, signal_s - self.received_s) is None:
                        reached = True  # this block reached it: the rest of the read is past
                        break
                    # A read that brought minutes (a host slower than the source: demo --speed
                    # 1000) takes long to go through: the heartbeat and the view keep going.
                    if time.monotonic() - self._last_ping >= HEARTBEAT_S:
                        self._heartbeat()
                        self._update_view()
                self._tell_link(math.inf)  # a loss after the last block of the read
                self._handle([], [])  # the policy's timers (repeats, hold ticks)
                if self.recorder is not None:
                    self.recorder.flush_if_due()
                now = time.monotonic()
                if now - self._last_ping >= HEARTBEAT_S:
                    self._heartbeat()
                if self.pipeline is None and not warned and now - started > SILENT_WARN_S:
                    warned = True
                    self._say(silent_board_message(source))
                if not ack_checked and self._commands and now - started > ACK_WARN_S:
                    ack_checked = self._check_acks()
                self._update_view()
                if on_pass is not None:
                    on_pass()
            if not reached:
                self._keep_unread(unread)
        finally:
            self._shutdown()
        return self.summary

    def _tell_link(self, upto_s: float) -> None:
        """Say the link's losses (with the signal time of each: the end of the samples received
        before the cut) up to stream time ``upto_s``, in their place among what the blocks
        before and after bring, and each reconnect after the loss it ends."""
        lost = getattr(self.source, "links_lost", None)
        told = False
        while lost and self._links_lost < len(lost) and lost[self._links_lost] <= upto_s:
            self._say(link_lost_message(lost[self._links_lost] - self.summary.start_s))
            self._links_lost += 1
            told = True
        if not told and upto_s != math.inf:
            return  # per block: only a loss just told brings its reconnect forward
        reconnects = int(getattr(self.source.stats, "reconnects", 0))
        if lost is not None:  # not before the loss it ends is told
            reconnects = min(reconnects, self._links_lost)
        while self._reconnects < reconnects:
            self._reconnects += 1
            self._say(reconnect_message(self._reconnects))

    def _check_acks(self) -> bool:
        """Once the board streams: say once if it acknowledged none of the commands sent
        (its motor's stop, and the heartbeat it stops on, depend on the link). True when
        there is nothing more to check (an ack came, or the warning was given)."""
        stats = self.source.stats
        if stats.acks:
            return True
        if self.pipeline is None or not stats.commands_sent:
            return False  # no stream yet: the silent-board message covers it
        self._say(
            f"the board acknowledged none of the {plural(stats.commands_sent, 'command')} "
            f"sent in {ACK_WARN_S:.0f} s (pings every second): a stop may not reach its "
            "motor; check the firmware and the link (is it the crampdetect firmware?)"
        )
        return True

    def _heartbeat(self) -> None:
        """A ``ping`` to the board (its firmware stops the motor after 3 s without a host
        frame); at most every ``HEARTBEAT_S`` of wall clock, the caller checks."""
        self._last_ping = time.monotonic()
        if self._commands:
            self.source.send("ping")
            self._take_late_acks()

    def _take_late_acks(self, wait_s: float = 0.0) -> None:
        """The answers a board sent behind the end of its stream (a ``sim://...?speed=0``
        board ends it while the host still works through its backlog, pinging): matched as
        they come, while the pings they answer are remembered (``PING_MEMORY``); ``wait_s``: how
        long (s) to wait for the answers still missing (at the stop)."""
        late_acks = getattr(self.source, "take_late_acks", None)
        if late_acks is not None:
            late_acks(wait_s)

    def _update_view(self) -> None:
        if self.view is not None:
            status = self.pipeline.status if self.pipeline is not None else {}
            motor = "motor: VIBRATING (stretch prompt)" if self.haptic.vibrating else ""
            backlog_s = max(0.0, self._newest_s - self._now_s)  # received, not yet detected on
            self.view.update(self._now_s, status, self.source.stats, motor, backlog_s)

    def _keep_unread(self, blocks: list[Block]) -> None:
        """At a stop: the received samples the detector did not see, into the recording."""
        if self.recorder is None or self.source.ended:
            return
        drain = getattr(self.source, "drain", None)
        for block in blocks + (drain() if drain is not None else []):
            same = (
                getattr(self.recorder, "channels", block.channels),
                getattr(self.recorder, "fs", block.fs),
            )
            if (block.channels, block.fs) == same:
                self.recorder.write(block)

    @property
    def stream_s(self) -> float:
        """Stream time (s, the source's time axis) of the end of the last block the detector
        took; 0 before the first. What is said is said at it."""
        return self._now_s

    @property
    def _commands(self) -> bool:
        """Whether alerts and the heartbeat go to the board."""
        return self.prompts and self.source.accepts_commands

    def _note_device(self) -> None:
        """A status frame changed what the board says about itself: keep it in the recording."""
        info = self.source.info
        if info != self._recorded_info:
            self._recorded_info = info
            self.recorder.note(
                "device", firmware=info.firmware, battery_pct=info.battery_pct,
                confirmed=info.confirmed,
            )  # fmt: skip

    def _drop_journal(self) -> None:
        """Remove the history session opened at this first block (its recording could not
        start, so the run ends before monitoring anything) and close the history file."""
        journal, self._journal = self._journal, None
        if journal is not None:
            self.policy = journal.policy
            journal.recorder.history.delete_sessions([journal.recorder.session_id])
            journal.recorder.history.close()

    def _say(self, text: str) -> None:
        if self.view is not None:
            self.view.message(text)
        else:
            logger.warning(text)

    def _shutdown(self) -> None:
        """Stop the motor, close open events, release the link."""
        try:
            if self._commands:
                self.source.send("stop")
        except Exception as exc:  # the link may be gone: the firmware's heartbeat timeout covers it
            logger.warning("could not send stop: %s", exc)
        # the answers to the last pings and to the stop, counted (waited for up to an ack's timeout)
        self._take_late_acks(ACK_TIMEOUT_S)
        if self.pipeline is not None:
            out = self.pipeline.finish()
            self._handle(out.events, out.quality)
            if self.recorder is not None:
                self.recorder.write_output(out)
        if self.recorder is not None:
            self.recorder.close()
        if self._journal is not None:
            self._journal.close(self._now_s)  # the night history session
        if self.view is not None:
            self.view.close()
        self.summary.events = sorted(self._events.values(), key=lambda e: e.alert_s)
        self.summary.stats = self.source.stats
        self.summary.stream_s = self._now_s
        self.summary.commands = list(self.haptic.sent)
