"""A fake BLE radio: a simulated board behind bleak's own backend interfaces.

For a developer porting crampdetect to a new board, or changing the BLE transport, without
hardware: :class:`FakeBoard` is the board on the other side of the radio (the notifications
it sends, its MTU, what it does wrong), and :meth:`FakeBoard.transport` gives the real
:class:`~crampdetect.ingest.ble.BleTransport` with a scanner and a client backend bound to
that board. The fakes implement bleak's backend interfaces (``BaseBleakScanner``,
``BaseBleakClient``) and are passed as ``BleakClient(..., backend=...)`` exactly as a
platform backend is, so everything above them is the code that runs on a real link: bleak's
``BleakScanner``/``BleakClient``, the transport's scan, connect, MTU, notifications,
reconnection with back-off, the stream decoder and reassembler, commands and their acks.

What the board does is set on its attributes, before or while it streams:

- ``duplicate_every``: deliver every k-th notification twice (bleak #2002);
- ``drop_at``: drop the link after this notification, once; ``lost_while_down``
  notifications are sent into the void meanwhile; then the first ``refuse_after_drop``
  connects fail, ``not_found_after_drop`` fail as BlueZ does once it forgot the device,
  ``fail_start_notify_after_drop`` subscriptions fail, and the board advertises again only if
  ``advertise_after_drop``; :meth:`FakeBoard.drop_link` and :meth:`FakeBoard.vanish` do it now;
- ``refuse_connects``, ``not_found``, ``fail_start_notify``: the next connects or
  subscriptions that fail; ``paired = False``: the board refuses to serve an unpaired computer
  (ATT error 0x05, as the ESP32 firmware does);
- ``drop_writes``: command writes lost on the air (no error); ``fail_writes``: command writes
  that fail with an ATT error;
- ``late_after_stop``: a notification still delivered after ``stop_notify`` returned;
  ``repeat_last_on_reconnect``: the last notification delivered again when notifications start
  on a new link (BlueZ's cached value);
- ``advertising``: the board is heard by scans; ``mtu``: the negotiated ATT MTU;
- ``real_time``: the host clock the transport stamps bytes with is the board's own, as on a
  real link: each notification arrives when the board would send it (``note_s`` s of signal
  each), and a link dropped for ``down_s`` s comes back that much later, the board sending
  what it sampled meanwhile in one burst (a board flushing its buffer after a reconnect);
  ``drift_ppm`` makes the board's clock run slow (positive) or fast against the host's;
- ``end_when_done``: after its last notification the board ends the stream, as ``sim://``
  does when its simulation finished: the source's ``ended`` is set once the blocks received
  are read, so ``LiveMonitor.run()`` returns (off by default: a real board streams until
  the source is closed, and a test may still send commands after the last notification).

What happened is counted: ``connects``, ``disconnects``, ``scans``, ``attempts`` (monotonic
time of each connect), ``writes`` (the command bytes received), ``pos`` (notifications sent),
``done`` (a :class:`threading.Event` set once every notification was sent).

>>> import numpy as np
>>> from crampdetect.testing.ble import FakeBoard, packed_notifications
>>> counts = (np.arange(10_000).reshape(2, 5000) % 4096).astype(np.uint16)  # 5 s, 12-bit
>>> board = FakeBoard(packed_notifications(counts, mtu=185), mtu=185)
>>> board.duplicate_every = 7  # every 7th notification delivered twice
>>> blocks = board.blocks()  # scan, connect, stream through BleTransport and BoardSource
>>> sum(b.n_samples for b in blocks), board.connects
(5000, 1)
>>> bool((np.concatenate([b.data for b in blocks], axis=1) == counts).all())
True
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakDBusError, BleakDeviceNotFoundError, BleakError, BleakGATTProtocolError

from crampdetect.core import Block, Representation
from crampdetect.ingest import ble
from crampdetect.ingest.frames import AckFrame, FrameDecoder, encode_frame
from crampdetect.ingest.sim import BoardEmulator
from crampdetect.ingest.sources import BoardSource
from crampdetect.ingest.transport import LINK_END

#: Bluetooth address and advertised name of a fake board unless told otherwise.
ADDRESS = "AA:BB:CC:DD:EE:01"
NAME = "crampdetect-EE01"
#: ATT MTU the ESP32 firmware negotiates with a phone or a computer (bytes).
ESP32_MTU = 247
#: How often a fake board advertises (s).
ADVERTISING_S = 0.01
#: Longest write with response (bytes): the ATT limit of a long write.
LONG_WRITE_MAX = 512


class FakeBoard:
    """A board on the other side of the fake radio: its notifications and what it does wrong.

    Parameters
    ----------
    notifications : sequence of bytes
        The payloads it notifies, in order, each at most ``mtu - 3`` bytes (whole frames, or
        the board's byte stream cut by the MTU: :func:`frame_notifications`,
        :func:`packed_notifications`; :meth:`simulated` makes them from a simulated session).
    address, name : str
        Bluetooth address and advertised name (``crampdetect-`` and four hex digits on the
        real firmware).
    mtu : int
        Negotiated ATT MTU, bytes; notifications and writes without response carry up to
        ``mtu - 3``.
    rssi : int
        Signal strength the scanner reports, dBm.
    end_when_done : bool
        End the stream after the last notification, as ``sim://`` ends (the attribute of the
        same name; default False: it streams until the source is closed, as a real board).

    The failure modes are attributes (see the module's documentation), all off by default.
    """

    def __init__(
        self,
        notifications: Sequence[bytes] = (),
        *,
        address: str = ADDRESS,
        name: str = NAME,
        mtu: int = ESP32_MTU,
        rssi: int = -60,
        end_when_done: bool = False,
    ) -> None:
        self.notifications = list(notifications)
        self.address = address
        self.name = name
        self.mtu = mtu
        self.rssi = rssi
        self.pos = 0
        self.duplicate_every = 0
        self.drop_at: int | None = None
        self.lost_while_down = 0
        self.refuse_connects = 0
        self.refuse_after_drop = 0
        self.not_found = 0
        self.not_found_after_drop = 0
        self.fail_start_notify = 0
        self.fail_start_notify_after_drop = 0
        self.paired = True
        self.late_after_stop = True
        self.repeat_last_on_reconnect = False
        self.drop_writes = 0
        self.fail_writes = 0
        self.advertising = True
        self.advertise_after_drop = True
        self.end_when_done = end_when_done
        self.real_time = False
        self.note_s = 0.0  # s of signal per notification (``simulated`` sets it)
        self.down_s = 0.0
        self.drift_ppm = 0.0
        self._host_s = 0.0  # the host clock of a real-time board, s
        self.transports: list[ble.BleTransport] = []  # made by transport(): ended when done
        self.connects = 0
        self.disconnects = 0
        self.scans = 0
        self.attempts: list[float] = []
        self.writes: list[bytes] = []
        self.clients: list[FakeBleClient] = []
        self.last_sent: int | None = None
        self.ack_seq = 0
        self.done = threading.Event()
        self.session: Any = None  # the simulated session it plays (:meth:`simulated`)
        # the backends bleak instantiates: subclasses that know this board
        self.client_backend: type[FakeBleClient] = type(
            "FakeBleClient", (FakeBleClient,), {"board": self}
        )
        self.scanner_backend: type[FakeBleScanner] = type(
            "FakeBleScanner", (FakeBleScanner,), {"boards": (self,)}
        )

    @classmethod
    def simulated(
        cls,
        scenario: str,
        seed: int = 0,
        *,
        duration_s: float | None = None,
        channels: Sequence[str] = ("calf_left", "calf_right"),
        fs: int = 1000,
        adc_bits: int = 12,
        signal: str = "raw",
        mtu: int = ESP32_MTU,
        **kwargs: Any,
    ) -> FakeBoard:
        """A board playing a simulated session (``crampdetect simulate SCENARIO``), as the
        ESP32 sends it: ``adc_bits`` counts at ``fs`` Hz, its byte stream cut into
        notifications of ``mtu - 3`` bytes. ``seed`` and ``duration_s`` (s) as for the
        simulator; ``kwargs`` go to :class:`FakeBoard`. The session is kept as ``session``
        (its labels say where the cramps are).

        >>> board = FakeBoard.simulated("hold", seed=1, duration_s=2)
        >>> board.session.profile, len(board.notifications) > 0
        ('training', True)
        """
        # lazy: the simulator loads only for a simulated board
        from crampdetect.simulate import simulate

        rep = Representation(signal, "counts", adc_bits)
        options: dict[str, Any] = {"seed": seed, "fs": fs}
        if duration_s is not None:
            options["duration_s"] = duration_s
        session = simulate(scenario, representation=rep, channels=tuple(channels), **options)
        data = np.concatenate([x for _, x in session.iter_chunks(60.0)], axis=1)
        notes = packed_notifications(data, mtu, fs=fs, adc_bits=adc_bits, signal=signal)
        board = cls(notes, mtu=mtu, **kwargs)
        board.session = session
        board.note_s = data.shape[1] / fs / max(len(notes), 1)
        return board

    def transport(self, target: str | None = None, scan_timeout_s: float = 2.0) -> ble.BleTransport:
        """The real BLE transport, looking for ``target`` (default this board's name) over
        this fake radio; give it to :class:`~crampdetect.ingest.sources.BoardSource`."""
        transport = ble.BleTransport(  # doctest: see the module's example
            self.name if target is None else target,
            scan_timeout_s=scan_timeout_s,
            client_backend=self.client_backend,
            scanner_backend=self.scanner_backend,
        )
        if self.real_time:  # the transport stamps what it receives on this board's clock
            transport.clock = self.clock  # type: ignore[method-assign]
        self.transports.append(transport)
        return transport

    def clock(self) -> float:
        """Host time in s of a ``real_time`` board: when the last notification sent arrived
        (a backlog sent after a reconnect arrives all at once).

        >>> board = FakeBoard([b"x"] * 3)
        >>> board.real_time, board.note_s, board.down_s = True, 0.5, 2.0
        >>> board._sent(0), board._sent(1), board._dropped(), board._sent(2)
        (0.5, 1.0, None, 3.0)
        """
        return self._host_s

    def _sent(self, k: int) -> float:
        """Notification ``k`` goes out: a real-time board's clock moves to when it is ready
        (its last sample taken), unless the link was down past that (a backlog)."""
        ready = (k + 1) * self.note_s * (1.0 + self.drift_ppm * 1e-6)
        self._host_s = max(self._host_s, ready)
        return self._host_s

    def _dropped(self) -> None:
        """The link drops: a real-time board's host clock runs on ``down_s`` until it is back."""
        self._host_s += self.down_s

    def source(self, names: Sequence[str] | None = None, **kwargs: Any) -> BoardSource:
        """A :class:`~crampdetect.ingest.sources.BoardSource` on :meth:`transport` (as
        ``monitor ble://NAME`` opens one); ``names``: the channel names by mask bit (default:
        the simulated session's, else the board's defaults). The fake plays as fast as the
        event loop goes, not in real time, so the blocks' time axis is the board's clock
        (``timebase="device"``, as for ``sim://``) unless ``timebase`` is given (a
        ``real_time`` board stamps its bytes on its own clock: ``timebase="host"`` then
        gives the times a real board's link would); a simulated
        board names its session's profile. ``kwargs`` go to ``BoardSource``.

        >>> board = FakeBoard(frame_notifications(np.zeros((2, 500), np.uint16)))
        >>> with board.source(names=("calf_left", "calf_right")) as source:
        ...     _ = board.done.wait(5.0)
        ...     blocks = source.read(timeout_s=0.5)
        >>> source.info.representation.adc_bits, blocks[0].channels
        (12, ('calf_left', 'calf_right'))
        """
        if names is None and self.session is not None:
            names = self.session.channels
        if names is not None:
            kwargs["names"] = tuple(names)
        kwargs.setdefault("timebase", "device")
        if self.session is not None:
            kwargs.setdefault("profile", self.session.profile)
        return BoardSource(self.transport(), **kwargs)

    def blocks(self, timeout_s: float = 30.0, **kwargs: Any) -> list[Block]:
        """Open :meth:`source`, receive every notification, close: the blocks it gave (the
        unfinished last one included). ``timeout_s`` bounds the wait, s."""
        out: list[Block] = []
        deadline = time.monotonic() + timeout_s
        source = self.source(**kwargs)
        with source:
            while not self.done.is_set() and time.monotonic() < deadline:
                out += source.read(timeout_s=0.05)
            out += source.read(timeout_s=0.05)
        while not source.ended and time.monotonic() < deadline:  # closing flushes the rest
            out += source.read(timeout_s=0.2)
        return out

    def drop_link(self) -> None:
        """The board drops the link now (out of range for a moment): it advertises again, and
        the transport reconnects.

        >>> board = FakeBoard(frame_notifications(np.zeros((2, 5000), np.uint16)))
        >>> with board.source() as source:
        ...     _ = source.read(timeout_s=0.5)
        ...     board.drop_link()
        ...     for _ in range(100):  # up to 10 s
        ...         if source.stats.reconnects:
        ...             break
        ...         _ = source.read(timeout_s=0.1)
        >>> board.connects, board.disconnects >= 1
        (2, True)
        """
        for client in [c for c in self.clients if c.is_connected]:  # not those of the reconnect
            client.lose_link()

    def vanish(self) -> None:
        """The board is gone: the link drops and nothing is heard until ``advertising`` is set
        True again.

        >>> board = FakeBoard(frame_notifications(np.zeros((2, 5000), np.uint16)))
        >>> with board.source() as source:
        ...     _ = source.read(timeout_s=0.5)
        ...     board.vanish()
        ...     _ = source.read(timeout_s=0.3)
        ...     away = source.connected
        >>> away, board.connects
        (False, 1)
        """
        for client in [c for c in self.clients if c.is_connected]:  # not those of the reconnect
            client.lose_link(gone=True)
        self.advertising = False

    def _after_drop(self) -> None:
        """What the board does once its link dropped (the ``*_after_drop`` attributes)."""
        self._dropped()
        self.pos += self.lost_while_down
        self.refuse_connects = self.refuse_after_drop
        self.not_found += self.not_found_after_drop
        self.fail_start_notify += self.fail_start_notify_after_drop
        self.advertising = self.advertise_after_drop


class FakeBleScanner(BaseBleakScanner):
    """bleak scanner backend that hears the boards it is bound to (``FakeBoard``'s
    ``scanner_backend``) every :data:`ADVERTISING_S` while they advertise."""

    boards: tuple[FakeBoard, ...] = ()

    def __init__(self, detection_callback, service_uuids, scanning_mode, **kwargs) -> None:
        super().__init__(detection_callback, service_uuids)
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        for board in self.boards:
            board.scans += 1
        self._task = asyncio.get_running_loop().create_task(self._listen())

    async def _listen(self) -> None:
        while True:
            for board in self.boards:
                adv = AdvertisementData(
                    board.name, {}, {}, [ble.SERVICE_UUID], None, board.rssi, ()
                )
                if board.advertising and self.is_allowed_uuid(adv.service_uuids):
                    device = self.create_or_update_device(
                        board.address, board.address, board.name, None, adv
                    )
                    self.call_detection_callbacks(device, adv)
            await asyncio.sleep(ADVERTISING_S)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


class FakeBleClient(BaseBleakClient):
    """bleak client backend connected to the board it is bound to (``FakeBoard``'s
    ``client_backend``): the crampdetect GATT service, notifications, command writes acked
    as the firmware acks them, and the board's failure modes."""

    board: FakeBoard

    def __init__(self, address_or_ble_device: Any, **kwargs: Any) -> None:
        super().__init__(
            address_or_ble_device,
            disconnected_callback=kwargs.get("disconnected_callback"),
            timeout=kwargs.get("timeout", 10.0),
        )
        self._connected = False
        self._notifying = False
        self._callback: Any = None

    @property
    def mtu_size(self) -> int:
        return self.board.mtu

    @property
    def is_connected(self) -> bool:
        return self._connected

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        b = self.board
        b.attempts.append(time.monotonic())
        if b.not_found > 0:
            b.not_found -= 1
            raise BleakDeviceNotFoundError(
                b.address, f"Device with address {b.address} was not found."
            )
        if b.refuse_connects > 0:
            b.refuse_connects -= 1
            raise BleakError("le-connection-abort-by-local")
        services = BleakGATTServiceCollection()
        service = BleakGATTService(None, 1, ble.SERVICE_UUID)
        services.add_service(service)
        chars = [(ble.DATA_UUID, ["notify"]), (ble.COMMAND_UUID, ["write-without-response"])]
        for handle, (uuid, props) in enumerate(chars, 2):
            char = BleakGATTCharacteristic(None, handle, uuid, props, lambda: b.mtu - 3, service)
            services.add_characteristic(char)
        self.services = services
        self._connected = True
        b.connects += 1
        b.clients.append(self)

    async def disconnect(self) -> None:
        self.board.disconnects += 1
        self._connected = False

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("pair the board with the operating system")

    async def unpair(self) -> None:
        raise NotImplementedError("unpair the board with the operating system")

    async def read_gatt_char(self, characteristic, **kwargs: Any) -> bytearray:
        raise BleakError("not readable")

    async def read_gatt_descriptor(self, descriptor, **kwargs: Any) -> bytearray:
        raise BleakError("not readable")

    async def write_gatt_char(self, characteristic, data, response: bool) -> None:
        if not self._connected:
            raise BleakError("Not connected")
        if characteristic.uuid != ble.COMMAND_UUID:
            raise BleakGATTProtocolError(0x03)  # write not permitted
        b = self.board
        if len(data) > (LONG_WRITE_MAX if response else b.mtu - 3):
            raise BleakGATTProtocolError(0x0D)  # invalid attribute value length
        if b.fail_writes > 0:
            b.fail_writes -= 1
            raise BleakGATTProtocolError(0x0E)  # unlikely error: the board's stack failed
        if b.drop_writes > 0:
            b.drop_writes -= 1
            return
        b.writes.append(bytes(data))
        for command in FrameDecoder().feed(bytes(data)):  # the firmware acknowledges
            ack = encode_frame(AckFrame(b.ack_seq, command.seq, 0))
            b.ack_seq += 1
            if self._notifying:
                self._callback(bytearray(ack))

    async def write_gatt_descriptor(self, descriptor, data) -> None:
        raise BleakError("not writable")

    async def start_notify(self, characteristic, callback, **kwargs: Any) -> None:
        if characteristic.uuid != ble.DATA_UUID:
            raise BleakError(f"characteristic {characteristic.uuid} does not notify")
        b = self.board
        if not b.paired:  # the ESP32 serves a bonded, encrypted link only
            details = ["Operation failed with ATT error: 0x05 (Insufficient Authentication)"]
            raise BleakDBusError("org.bluez.Error.Failed", details)
        if b.fail_start_notify > 0:
            b.fail_start_notify -= 1
            raise BleakDBusError("org.bluez.Error.Failed", ["Operation failed with ATT error"])
        self._notifying = True
        self._callback = callback
        asyncio.get_running_loop().create_task(self._stream(callback))

    async def stop_notify(self, characteristic) -> None:
        self._notifying = False
        b = self.board
        if b.late_after_stop and b.notifications:  # bleak may call back after stop_notify
            self._callback(bytearray(b.notifications[min(b.pos, len(b.notifications) - 1)]))

    def lose_link(self, gone: bool = False) -> None:
        """The link drops now (called on the transport's event loop when it runs one);
        ``gone``: the board stops advertising too."""
        if not self._connected:
            return
        self._connected = False
        loop = getattr(self, "_loop", None)
        if loop is not None and loop.is_running():
            loop.call_soon_threadsafe(self._lost, gone)
        else:
            self._lost(gone)

    def _lost(self, gone: bool) -> None:
        self.board._after_drop()
        if gone:
            self.board.advertising = False
        self._disconnected_callback()

    async def _stream(self, callback) -> None:
        b = self.board
        self._loop = asyncio.get_running_loop()
        if b.repeat_last_on_reconnect and b.last_sent is not None:
            await asyncio.sleep(0)  # a D-Bus signal: after start_notify returned
            callback(bytearray(b.notifications[b.last_sent]))
        while b.pos < len(b.notifications):
            await asyncio.sleep(0)
            if not (self._connected and self._notifying):
                return
            k = b.pos
            if len(b.notifications[k]) > b.mtu - 3:
                raise BleakError(f"notification {k} is longer than the MTU allows")
            b._sent(k)
            callback(bytearray(b.notifications[k]))
            if b.duplicate_every and k % b.duplicate_every == 0:
                callback(bytearray(b.notifications[k]))
            b.last_sent = k
            b.pos += 1
            if b.drop_at is not None and k == b.drop_at:
                b.drop_at = None
                self._connected = False
                b._after_drop()
                self._disconnected_callback()
                return
        b.done.set()
        if b.end_when_done:  # after the bytes of the last notification, on the same queue
            for transport in b.transports:
                transport.put_link(LINK_END, "the fake board sent its last notification")


def frame_notifications(
    data: np.ndarray,
    per_frame: int = 50,
    *,
    fs: int = 1000,
    adc_bits: int = 12,
    signal: str = "raw",
) -> list[bytes]:
    """One whole encoded frame per notification (sample frames of ``per_frame`` samples per
    channel, a status frame each second), for ``data`` (n_channels, n) in ADC counts at
    ``fs`` Hz.

    >>> notes = frame_notifications(np.zeros((2, 100), np.uint16))
    >>> len(notes), all(n.endswith(b"\\x00") for n in notes)
    (3, True)
    """
    board = BoardEmulator(fs, len(data), adc_bits, signal, per_frame)
    stream = board.frames_for(data) + board.flush()  # every sample, the last frame shorter
    return [f + b"\x00" for f in stream.split(b"\x00")[:-1]]


def packed_notifications(
    data: np.ndarray,
    mtu: int = ESP32_MTU,
    *,
    fs: int = 1000,
    adc_bits: int = 12,
    signal: str = "raw",
) -> list[bytes]:
    """The ESP32's byte stream at a given MTU, cut into notifications of ``mtu - 3`` bytes:
    a notification holds several frames or parts of them (frames split across notifications;
    status frames are longer than 20 bytes). Sample frames as PROTOCOL.md sizes them.

    >>> notes = packed_notifications(np.zeros((2, 1000), np.uint16), mtu=23)
    >>> max(len(n) for n in notes)
    20
    """
    per_frame = max(1, min(25, (mtu - 17) // 4))
    board = BoardEmulator(fs, len(data), adc_bits, signal, per_frame)
    stream = board.frames_for(data) + board.flush()  # every sample, the last frame shorter
    size = mtu - 3
    return [stream[k : k + size] for k in range(0, len(stream), size)]
