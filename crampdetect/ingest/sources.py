"""Sources of sample blocks addressed by URL: ``open_source(url) -> Source``.

========================================  =============================================
``serial:///dev/ttyUSB0?baud=500000``     a board on USB serial (``reset=1`` restarts it)
``serial://auto``                         the first serial port with a known board USB id
``ble://<address-or-name>``               an ESP32 board over Bluetooth LE
``sim://night-short?seed=3&speed=10``     a simulated board speaking the wire protocol
``file:///path/to/recording``             a recording, replayed (``speed=0``: no pacing;
                                          ``units=uV|mV|V|counts``: its sample units)
``file:///path/to/capture.bin``           raw wire bytes saved by ``monitor --capture``
``lsl://NAME``, ``lsl://type=EMG``        any Lab Streaming Layer stream of EMG (extra ``lsl``)
========================================  =============================================

Every source accepts ``channels=left,right`` (names by channel bit), ``time=host|device``
(block times on the host clock, default for boards, or in seconds of signal, default for
``sim://``) and, used until the board's first status frame arrives, ``rate=``, ``bits=``
and ``signal=raw|env``. ``lsl://`` looks on this machine only unless given
``scope=link|site`` (:func:`crampdetect.lsl.configure`).
A :class:`~crampdetect.ingest.link.Source` is synchronous: ``read`` waits briefly for bytes,
decodes them and returns the blocks they completed; transports do their I/O on their own threads.
"""

from __future__ import annotations

import logging
import queue
import time
from collections import deque
from typing import BinaryIO
from urllib.parse import parse_qsl, urlsplit

from crampdetect.core import Block, InputError, Representation
from crampdetect.ingest.blocks import DEFAULT_CHANNEL_NAMES, Reassembler, StreamInfo
from crampdetect.ingest.commands import CommandChannel
from crampdetect.ingest.frames import AckFrame, ButtonFrame, Frame, FrameDecoder
from crampdetect.ingest.link import LinkStats, Source
from crampdetect.ingest.replay import CaptureTransport, open_recording_source
from crampdetect.ingest.transport import LINK_DOWN, LINK_END, LINK_UP, Chunk, Transport

logger = logging.getLogger(__name__)

SCHEMES = ("serial", "ble", "sim", "file", "lsl")
_COMMON_PARAMS = {"channels", "rate", "bits", "signal", "time"}
_PARAMS = {
    "serial": {"baud", "reset"},
    "ble": {"timeout"},
    "sim": {"seed", "speed", "duration", "n_channels", "frame", "wearer"},
    "file": {"speed", "units"},
    "lsl": {"timeout", "units", "scope"},
}
#: Window in s over which the frame rate is measured.
RATE_WINDOW_S = 2.0


class BoardSource:
    """A board's bytes from a transport, decoded and reassembled into blocks (a :class:`Source`).

    Parameters
    ----------
    transport : Transport
        Where the bytes come from and commands go.
    info : StreamInfo, optional
        Stream description assumed until the board's first status frame.
    names : tuple of str
        Channel names by bit of the channel mask.
    timebase : {"host", "device"}, optional
        Time axis of the blocks (see :class:`Reassembler`); default: the transport's.
    profile : {"night", "training"}, optional
        The detector profile the board names (a simulated board: its scenario's); None for
        a real board.
    """

    #: Commands (vibrate, ping) reach a board.
    accepts_commands = True

    def __init__(
        self,
        transport: Transport,
        info: StreamInfo | None = None,
        names: tuple[str, ...] = DEFAULT_CHANNEL_NAMES,
        timebase: str | None = None,
        profile: str | None = None,
    ) -> None:
        self.transport = transport
        self.profile = profile
        self.decoder = FrameDecoder()
        self.reassembler = Reassembler(info, names, timebase=timebase or transport.timebase)
        self.ended = False
        self.opened = False  # __enter__ started the transport (LiveMonitor.run opens it if not)
        self.connected = False
        self.acks: deque[AckFrame] = deque(maxlen=64)  # the most recent acknowledgements
        self.button_presses = 0  # acknowledge-button presses on the board (ButtonFrame)
        self._presses_taken = 0
        self._button_seq: int | None = None
        self.commands = CommandChannel(transport.write, transport.clock)
        self._links_up = 0
        #: when the link went down (the cable out, the board out of range), each time: the
        #: block time (s) of the end of the samples received before
        self.links_lost: list[float] = []
        self._newest_t = 0.0  # end of the last block returned by read (s)
        self._recent: deque[tuple[float, int]] = deque()  # (host s, sample frames)
        self.capture: BinaryIO | None = None  # receives every byte read, for later replay
        self._first_s: float | None = None

    def __enter__(self) -> BoardSource:
        self.transport.start()
        self.opened = True
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.transport.close()

    @property
    def info(self) -> StreamInfo:
        """Rate, representation and firmware as last reported by the board."""
        return self.reassembler.info

    @property
    def held_frames(self) -> int:
        """Sample frames received and held until the board's first status frame says what
        they are (after ``STATUS_WAIT_S`` of device time the URL's hints or the defaults are
        used)."""
        return self.reassembler.held

    def read(self, timeout_s: float = 0.1) -> list[Block]:
        """Blocks completed by the bytes received so far; waits up to ``timeout_s`` for bytes."""
        if self.ended:
            return []
        try:
            items = [self.transport.queue.get(timeout=timeout_s)]
        except queue.Empty:
            self.commands.check()
            return []
        while True:
            try:
                items.append(self.transport.queue.get_nowait())
            except queue.Empty:
                break
        blocks: list[Block] = []
        for item in items:
            if isinstance(item, Chunk):
                if self.capture is not None:
                    self.capture.write(item.data)
                frames = self._decode(item.data)
                self._count_presses(frames)
                before = self.reassembler.stats.frames
                blocks.extend(self.reassembler.feed(frames, item.host_s))
                self._count_rate(item.host_s, self.reassembler.stats.frames - before)
            elif item.kind == LINK_DOWN:
                self.connected = False
                self.decoder.reset()  # a partial frame from before the cut is garbage
                blocks.extend(self.reassembler.flush())
                # when it went: the end of the samples received before the cut
                self.links_lost.append(blocks[-1].t_end if blocks else self._newest_t)
            elif item.kind == LINK_UP:
                self._links_up += 1
                self.commands.resync()  # the board may hold half a frame from before the cut
                if self._links_up > 1:
                    self.reassembler.link_reset()  # the board may have restarted meanwhile
                self.connected = True
            elif item.kind == LINK_END:
                logger.info("%s source ended: %s", self.transport.name, item.detail)
                self.connected = False
                self.ended = True
                blocks.extend(self.reassembler.flush())
        self.commands.check()  # after the acks just received
        if blocks:
            self._newest_t = blocks[-1].t_end
        return blocks

    def take_late_acks(self, wait_s: float = 0.0) -> None:
        """After the stream ended: match the acknowledgements the board sent meanwhile. A board
        that played its stream faster than the host scores it (``sim://...?speed=0``) ends it
        while the host still works through minutes of received samples, sending its heartbeats;
        the board answers them at once, but behind the end of the stream, which the reads
        stop at. Only acknowledgements are taken (the samples after the end are none);
        nothing when the stream has not ended. ``wait_s``: how long (s) to wait for the answers
        of pings still unanswered (the last ones, sent as the host stops); 0 takes only what is
        there."""
        if not self.ended:
            return
        deadline = time.monotonic() + wait_s
        while True:
            outstanding = self.commands.pings > self.commands.pings_acked
            timeout = deadline - time.monotonic() if outstanding else 0.0
            try:
                if timeout > 0:
                    item = self.transport.queue.get(timeout=timeout)
                else:
                    item = self.transport.queue.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, Chunk):
                self._decode(item.data)

    def _decode(self, data: bytes) -> list[Frame]:
        """The frames of ``data`` (bytes received), its acknowledgements matched to the
        commands sent (:attr:`acks`, :meth:`CommandChannel.acked`)."""
        frames = self.decoder.feed(data)
        for frame in frames:
            if isinstance(frame, AckFrame):
                self.acks.append(frame)
                self.commands.acked(frame)
        return frames

    def drain(self) -> list[Block]:
        """At a stop: the blocks of every byte received so far, the unfinished one included
        (blocks are cut on fixed windows of the sample clock; a stop must not drop the last)."""
        if self.ended:
            return []
        blocks = self.read(0.0)
        return blocks if self.ended else blocks + self.reassembler.flush()

    def _count_presses(self, frames: list) -> None:
        for frame in frames:  # a repeated seq is a notification delivered twice
            if isinstance(frame, ButtonFrame) and frame.seq != self._button_seq:
                self._button_seq = frame.seq
                self.button_presses += 1

    def take_button_presses(self) -> int:
        """Acknowledge-button presses on the board since the previous call."""
        new = self.button_presses - self._presses_taken
        self._presses_taken = self.button_presses
        return new

    def _count_rate(self, host_s: float, n_frames: int) -> None:
        if self._first_s is None:
            self._first_s = host_s
        recent = self._recent
        if n_frames:
            recent.append((host_s, n_frames))
        while recent and recent[0][0] < host_s - RATE_WINDOW_S:
            recent.popleft()

    def _frame_rate(self) -> float:
        """Sample frames per s over the last RATE_WINDOW_S of the host clock (0 when silent)."""
        if self._first_s is None:
            return 0.0
        now = self.transport.clock()
        span = min(RATE_WINDOW_S, now - self._first_s)
        n = sum(k for t, k in self._recent if t >= now - RATE_WINDOW_S)
        return n / span if span > 0 else 0.0

    def send(self, command: str, **fields: object) -> bool:
        """Send a command frame (``vibrate``, ``stop``, ``set_rate``, ``ping``) to the board."""
        return self.commands.send(command, **fields)

    @property
    def stats(self) -> LinkStats:
        r, d = self.reassembler.stats, self.decoder.stats
        return LinkStats(
            frames_per_s=self._frame_rate(),
            frames=r.frames,
            lost_frames=r.lost_frames,
            gaps=r.gaps,
            gap_samples=r.gap_samples,
            crc_errors=d.crc_errors,
            malformed=d.malformed + d.oversized,
            duplicates=r.duplicates + r.stale,
            implausible=r.implausible + r.bad_status,
            reconnects=self.transport.reconnects,
            restarts=r.restarts,
            connected=self.connected,
            ended=self.ended,
            commands_sent=self.commands.sent,
            acks=self.commands.acks,
            resends=self.commands.resends,
            unacked=self.commands.unacked,
            write_errors=self.transport.write_errors,
            pings=self.commands.pings,
            pings_acked=self.commands.pings_acked,
        )


def _number(params: dict[str, str], key: str, kind: type, default: object) -> object:
    if key not in params:
        return default
    try:
        return kind(params[key])
    except ValueError:
        raise InputError(f"invalid {key}={params[key]!r} in source URL") from None


def _stream_hints(params: dict[str, str]) -> tuple[StreamInfo, tuple[str, ...]]:
    rate = _number(params, "rate", float, 1000.0)
    bits = _number(params, "bits", int, 10)
    signal = params.get("signal", "raw")
    info = StreamInfo(fs=rate, representation=Representation(signal, "counts", bits))  # type: ignore[arg-type]
    names = DEFAULT_CHANNEL_NAMES
    if params.get("channels"):
        names = tuple(n.strip() for n in params["channels"].split(",") if n.strip())
    return info, names


def parse_url(url: str) -> tuple[str, str, dict[str, str]]:
    """Split a source URL into (scheme, target, parameters); InputError if malformed."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES or "://" not in url:
        raise InputError(
            f"unsupported source {url!r}: use one of " + ", ".join(f"{s}://" for s in SCHEMES)
        )
    target = url.split("://", 1)[1].split("?", 1)[0]
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    unknown = set(params) - _PARAMS[scheme] - _COMMON_PARAMS
    if unknown:
        allowed = ", ".join(sorted(_PARAMS[scheme] | _COMMON_PARAMS))
        raise InputError(
            f"unknown parameter {sorted(unknown)[0]!r} in {url!r} (allowed: {allowed})"
        )
    if not target:
        raise InputError(f"source URL {url!r} names no device")
    return scheme, target, params


#: Units a recording's or an LSL stream's samples can be given in (``units=``, ``--units``).
UNITS = ("uV", "mV", "V", "counts")


def open_source(url: str, units: str | None = None) -> Source:
    """The :class:`~crampdetect.ingest.link.Source` for a URL (not started: use it in ``with``).

    ``units`` (``monitor --units``) gives the sample units of a recording (``file://``) or an
    LSL stream when the URL's own ``units=`` does not: what the units warning asks for.
    A board's samples are ADC counts it reports itself: ``units`` is refused for it.
    """
    scheme, target, params = parse_url(url)
    units = params.get("units") or units
    if units is not None and units not in UNITS:
        raise InputError(f"invalid units {units!r}: one of {', '.join(UNITS)}")
    if units is not None and (
        scheme not in ("file", "lsl") or (scheme == "file" and target.endswith(".bin"))
    ):
        raise InputError(
            f"units apply to recordings (file://) and lsl:// streams, not to {url!r}: "
            "a board reports its samples itself"
        )
    info, names = _stream_hints(params)
    timebase = params.get("time")
    if timebase not in (None, "host", "device"):
        raise InputError(f"invalid time={timebase!r} in source URL: host or device")
    transport: Transport
    profile = None  # a real board names no profile
    if scheme == "lsl":
        from crampdetect.lsl import LslSource  # lazy: pylsl loads only for lsl://

        return LslSource(  # type: ignore[return-value]
            target,
            timeout_s=_number(params, "timeout", float, 10.0),  # type: ignore[arg-type]
            signal=params.get("signal"),
            units=units,
            scope=params.get("scope"),
        )
    if scheme == "serial":
        from crampdetect.ingest.serial import (  # lazy: pyserial loads only for serial://
            DEFAULT_BAUD,
            SerialTransport,
            find_board,
        )

        port = find_board() if target == "auto" else target
        baud = _number(params, "baud", int, DEFAULT_BAUD)
        transport = SerialTransport(port, baud, reset=params.get("reset", "0") in ("1", "true"))  # type: ignore[arg-type]
    elif scheme == "ble":
        from crampdetect.ingest.ble import BleTransport  # lazy: bleak loads only for ble://

        transport = BleTransport(target, scan_timeout_s=_number(params, "timeout", float, 10.0))  # type: ignore[arg-type]
    elif scheme == "sim":
        transport, info, profile = _sim_transport(target, params, info, names)
    elif target.endswith(".bin"):  # a raw capture of the wire (monitor --capture)
        transport = CaptureTransport(target)
    else:
        speed = _number(params, "speed", float, 0.0)
        return open_recording_source(target, speed=speed, units=units)  # type: ignore[arg-type]
    return BoardSource(transport, info, names, timebase, profile)


def _sim_transport(
    scenario: str, params: dict[str, str], info: StreamInfo, names: tuple[str, ...]
) -> tuple[Transport, StreamInfo, str]:
    """The simulated board's transport, its stream hints and its scenario's profile."""
    from crampdetect.ingest.sim import (  # lazy: the simulator loads only for sim://
        BoardEmulator,
        SimTransport,
    )
    from crampdetect.simulate import simulate  # lazy: the simulator loads only for sim://

    n_channels = _number(params, "n_channels", int, 2)
    if n_channels not in (1, 2):
        raise InputError(f"sim boards have 1 or 2 channels, got n_channels={n_channels}")
    rep = info.representation
    fs = round(info.fs)
    kwargs: dict[str, object] = {"seed": _number(params, "seed", int, 0), "fs": fs}
    if "duration" in params:
        kwargs["duration_s"] = _number(params, "duration", float, None)
    if params.get("wearer"):  # as `simulate --wearer`: that scenario's subject and sensor
        kwargs["wearer"] = params["wearer"]
    session = simulate(scenario, representation=rep, channels=names[:n_channels], **kwargs)  # type: ignore[arg-type]
    board = BoardEmulator(fs, n_channels, rep.adc_bits or 10, rep.signal)  # type: ignore[arg-type]
    board.samples_per_frame = _number(params, "frame", int, board.samples_per_frame)  # type: ignore[assignment]
    speed = _number(params, "speed", float, 1.0)
    transport = SimTransport(lambda: session.iter_chunks(0.05), board, speed)  # type: ignore[arg-type]
    return transport, info, session.profile
