"""BLE transport behind a fake bleak backend: duplicates, disconnects mid-stream, late
notifications after stop, refused reconnects, commands. No radio exists here, so the fakes
implement bleak's own backend interfaces (``BaseBleakClient``, ``BaseBleakScanner``) and are
passed through ``BleakClient(..., backend=...)`` exactly as a platform backend would be.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import numpy as np
import pytest
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakDBusError, BleakDeviceNotFoundError, BleakError, BleakGATTProtocolError
from board_reads import check, counts, read_until

from crampdetect.core import InputError
from crampdetect.ingest import ble
from crampdetect.ingest.frames import AckFrame, FrameDecoder, SampleFrame, encode_frame
from crampdetect.ingest.sim import BoardEmulator
from crampdetect.ingest.sources import BoardSource

FS = 1000
ADDRESS = "AA:BB:CC:DD:EE:01"


class Peripheral:
    """The board on the other side of the fake radio: a list of notifications and a script."""

    def __init__(self, notifications: list[bytes]) -> None:
        self.notifications = notifications
        self.pos = 0
        self.duplicate_every = 0  # deliver every k-th notification twice (bleak #2002)
        self.drop_at: int | None = None  # disconnect after this notification, once
        self.lost_while_down = 0  # notifications sent into the void while disconnected
        self.refuse_connects = 0  # connection attempts that fail before one succeeds
        self.refuse_after_drop = 0  # ... set once the link dropped
        self.connects = 0
        self.late_after_stop = True
        self.writes: list[bytes] = []
        self.drop_writes = 0  # command writes lost on the air (no response, no error)
        self.ack_seq = 0
        self.done = asyncio.Event()
        self.mtu = 247  # negotiated ATT MTU; notifications and writes carry up to mtu - 3
        self.advertising = True
        self.advertise_after_drop = True  # False: out of range after the drop
        self.scans = 0  # scans started by the host
        self.not_found = 0  # connects that fail as BlueZ does once it forgot the device
        self.fail_start_notify = 0  # start_notify calls that fail after a good connect()
        # ... set once the link dropped (set before the stream starts: no race with its thread)
        self.not_found_after_drop = 0
        self.fail_start_notify_after_drop = 0
        self.attempts: list[float] = []  # monotonic time of every connect() call
        self.disconnects = 0
        self.clients: list[FakeClient] = []
        # BlueZ keeps the characteristic's last value; bleak may hand it to the callback again
        # just after notifications start on the new link.
        self.repeat_last_on_reconnect = False
        self.last_sent: int | None = None  # index of the last notification delivered


PERIPHERAL: Peripheral | None = None


class FakeScanner(BaseBleakScanner):
    def __init__(self, detection_callback, service_uuids, scanning_mode, **kwargs) -> None:
        super().__init__(detection_callback, service_uuids)

    async def start(self) -> None:
        if PERIPHERAL is not None:
            PERIPHERAL.scans += 1
        self._task = asyncio.get_running_loop().create_task(self._listen())

    async def _listen(self) -> None:
        """Hear the board's advertisements (every 10 ms) while it advertises."""
        adv = AdvertisementData("crampdetect-EE01", {}, {}, [ble.SERVICE_UUID], None, -60, ())
        while True:
            p = PERIPHERAL
            if p is not None and p.advertising and self.is_allowed_uuid(adv.service_uuids):
                device = self.create_or_update_device(ADDRESS, ADDRESS, adv.local_name, None, adv)
                self.call_detection_callbacks(device, adv)
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        task = getattr(self, "_task", None)
        if task is not None:
            task.cancel()


class FakeClient(BaseBleakClient):
    def __init__(self, address_or_ble_device: Any, **kwargs: Any) -> None:
        super().__init__(
            address_or_ble_device,
            disconnected_callback=kwargs["disconnected_callback"],
            timeout=kwargs["timeout"],
        )
        assert PERIPHERAL is not None
        self.peripheral = PERIPHERAL
        self._connected = False
        self._notifying = False

    @property
    def mtu_size(self) -> int:
        return self.peripheral.mtu

    @property
    def is_connected(self) -> bool:
        return self._connected

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        p = self.peripheral
        p.attempts.append(time.monotonic())
        if p.not_found > 0:
            p.not_found -= 1
            raise BleakDeviceNotFoundError(ADDRESS, f"Device with address {ADDRESS} was not found.")
        if p.refuse_connects > 0:
            p.refuse_connects -= 1
            raise BleakError("le-connection-abort-by-local")
        services = BleakGATTServiceCollection()
        service = BleakGATTService(None, 1, ble.SERVICE_UUID)
        services.add_service(service)
        for handle, (uuid, props) in enumerate(
            [(ble.DATA_UUID, ["notify"]), (ble.COMMAND_UUID, ["write-without-response"])], 2
        ):
            char = BleakGATTCharacteristic(None, handle, uuid, props, lambda: p.mtu - 3, service)
            services.add_characteristic(char)
        self.services = services
        self._connected = True
        p.connects += 1
        p.clients.append(self)

    async def disconnect(self) -> None:
        self.peripheral.disconnects += 1
        self._connected = False

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError

    async def unpair(self) -> None:
        raise NotImplementedError

    async def read_gatt_char(self, characteristic, **kwargs: Any) -> bytearray:
        raise BleakError("not readable")

    async def read_gatt_descriptor(self, descriptor, **kwargs: Any) -> bytearray:
        raise BleakError("not readable")

    async def write_gatt_char(self, characteristic, data, response: bool) -> None:
        if not self._connected:
            raise BleakError("Not connected")
        assert characteristic.uuid == ble.COMMAND_UUID
        p = self.peripheral
        if len(data) > (512 if response else p.mtu - 3):
            raise BleakGATTProtocolError(0x0D)  # invalid attribute value length
        if p.drop_writes > 0:
            p.drop_writes -= 1
            return
        p.writes.append(bytes(data))
        for command in FrameDecoder().feed(bytes(data)):  # the firmware acknowledges
            ack = encode_frame(AckFrame(p.ack_seq, command.seq, 0))
            p.ack_seq += 1
            if self._notifying:
                self._callback(bytearray(ack))

    async def write_gatt_descriptor(self, descriptor, data) -> None:
        raise BleakError("not writable")

    async def start_notify(self, characteristic, callback, **kwargs: Any) -> None:
        assert characteristic.uuid == ble.DATA_UUID
        p = self.peripheral
        if p.fail_start_notify > 0:
            p.fail_start_notify -= 1
            raise BleakDBusError("org.bluez.Error.Failed", ["Operation failed with ATT error"])
        self._notifying = True
        self._callback = callback
        asyncio.get_running_loop().create_task(self._stream(callback))

    async def stop_notify(self, characteristic) -> None:
        self._notifying = False
        p = self.peripheral
        if p.late_after_stop:  # bleak may still call back after stop_notify returned
            self._callback(bytearray(p.notifications[min(p.pos, len(p.notifications) - 1)]))

    async def _stream(self, callback) -> None:
        p = self.peripheral
        if p.repeat_last_on_reconnect and p.last_sent is not None:
            await asyncio.sleep(0)  # a D-Bus signal: after start_notify returned
            callback(bytearray(p.notifications[p.last_sent]))
        while p.pos < len(p.notifications):
            await asyncio.sleep(0)
            if not (self._connected and self._notifying):
                return
            k = p.pos
            assert len(p.notifications[k]) <= p.mtu - 3, "a notification longer than the MTU"
            callback(bytearray(p.notifications[k]))
            if p.duplicate_every and k % p.duplicate_every == 0:
                callback(bytearray(p.notifications[k]))
            p.last_sent = k
            p.pos += 1
            if p.drop_at is not None and k == p.drop_at:
                p.drop_at = None
                p.pos += p.lost_while_down
                p.refuse_connects = p.refuse_after_drop
                p.not_found += p.not_found_after_drop
                p.fail_start_notify += p.fail_start_notify_after_drop
                p.advertising = p.advertise_after_drop
                self._connected = False
                self._disconnected_callback()
                return
        p.done.set()


def notifications(data: np.ndarray, per_frame: int = 50) -> list[bytes]:
    """One whole encoded frame per notification, as the ESP32 sends them at MTU 247."""
    stream = BoardEmulator(FS, 2, 12, "raw", per_frame).frames_for(data)
    return [f + b"\x00" for f in stream.split(b"\x00")[:-1]]


def packed(data: np.ndarray, mtu: int) -> list[bytes]:
    """The ESP32's byte stream at a given MTU, cut into notifications of mtu - 3 bytes: a
    notification holds several frames or parts of them (frames split across notifications;
    status frames are longer than 20 bytes). Sample frames as PROTOCOL.md sizes them."""
    per_frame = max(1, min(25, (mtu - 17) // 4))
    stream = BoardEmulator(FS, 2, 12, "raw", per_frame).frames_for(data)
    size = mtu - 3
    return [stream[k : k + size] for k in range(0, len(stream), size)]


@pytest.fixture
def peripheral(monkeypatch):
    global PERIPHERAL
    monkeypatch.setattr(ble, "BACKOFF_MIN_S", 0.01)
    PERIPHERAL = Peripheral(notifications(counts(20_000)))
    yield PERIPHERAL
    PERIPHERAL = None


def open_ble(**kwargs: Any) -> BoardSource:
    transport = ble.BleTransport(
        "crampdetect-EE01",
        scan_timeout_s=2.0,
        client_backend=FakeClient,
        scanner_backend=FakeScanner,
    )
    return BoardSource(transport, **kwargs)


def test_duplicated_notifications_are_dropped(peripheral):
    peripheral.duplicate_every = 3
    source = open_ble()
    with source:
        blocks = read_until(source, 20_000)
    data = counts(20_000)
    check(blocks, data)
    assert blocks[-1].stop == 20_000 and all(b.gap == 0 for b in blocks)
    doubled = [FrameDecoder().feed(n)[0] for n in peripheral.notifications[::3]]
    assert source.stats.duplicates == sum(isinstance(f, SampleFrame) for f in doubled)
    assert source.info.representation.adc_bits == 12


def test_disconnect_mid_stream_reconnects_with_backoff_and_counts_the_gap(peripheral):
    peripheral.drop_at = 100
    peripheral.lost_while_down = 40  # status and sample frames sent while nobody listened
    peripheral.refuse_after_drop = 2  # the first two reconnection attempts fail
    source = open_ble()
    with source:
        blocks = read_until(source, 20_000)
        stats = source.stats
    check(blocks, counts(20_000))
    assert blocks[-1].stop == 20_000
    assert stats.reconnects == 1 and peripheral.connects == 2
    assert stats.gaps == 1 and 35 * 50 <= stats.gap_samples <= 40 * 50
    assert sum(b.n_samples for b in blocks) + stats.gap_samples == 20_000


@pytest.mark.parametrize("lost", [0, 40])
def test_the_last_notification_repeated_after_a_reconnect_is_a_duplicate(peripheral, lost):
    """bleak hands the last (cached) notification to the callback again when notifications
    start on the new link: it is dropped as a duplicate, not taken for a board restart."""
    frames = [FrameDecoder().feed(n) for n in peripheral.notifications]
    drop = next(k for k in range(100, 200) if isinstance(frames[k][0], SampleFrame))
    peripheral.drop_at = drop
    peripheral.lost_while_down = lost
    peripheral.repeat_last_on_reconnect = True
    source = open_ble()
    with source:
        blocks = read_until(source, 20_000)
        stats = source.stats
    check(blocks, counts(20_000))  # no sample twice, every sample in its place
    assert blocks[-1].stop == 20_000
    assert stats.reconnects == 1 and stats.duplicates == 1 and stats.restarts == 0
    lost_samples = sum(isinstance(f[0], SampleFrame) for f in frames[drop + 1 : drop + 1 + lost])
    assert stats.gap_samples == 50 * lost_samples and stats.gaps == (lost_samples > 0)


def test_a_board_that_rebooted_while_disconnected_starts_a_new_segment(peripheral):
    """After the reconnection the board counts from zero again (sequence numbers and device
    time): its frames are not taken for stale repeats, they start a new segment."""
    first, second = counts(5000), counts(8000)[::-1].copy()
    before = notifications(first)
    peripheral.notifications = before + notifications(second)
    peripheral.drop_at = len(before) - 1
    source = open_ble()
    with source:
        blocks = read_until(source, 5000)
        deadline = time.monotonic() + 20
        while peripheral.pos < len(peripheral.notifications) and time.monotonic() < deadline:
            blocks += source.read(timeout_s=0.2)
        blocks += source.read(timeout_s=0.2)
    while not source.ended:  # closing flushes the unfinished window
        blocks += source.read(timeout_s=0.5)
    stats = source.stats
    assert stats.reconnects == 1 and stats.restarts == 1 and stats.duplicates == 0
    old = [b for b in blocks if b.stop <= 5000]
    new = [b for b in blocks if b.start >= 5000]
    assert len(old) + len(new) == len(blocks)
    check(old, first)
    assert new[0].gap > 0 and all(b.gap == 0 for b in new[1:])
    offset = new[0].start
    np.testing.assert_array_equal(np.concatenate([b.data for b in new], axis=1), second)
    assert new[-1].stop == offset + 8000


def test_late_notification_after_close_is_ignored(peripheral):
    from crampdetect.ingest.transport import Chunk

    source = open_ble()
    with source:
        blocks = read_until(source, 20_000)
        while source.read(timeout_s=0.05):
            pass
    assert blocks[-1].stop == 20_000
    left = [source.transport.queue.get_nowait() for _ in range(source.transport.queue.qsize())]
    assert left and not any(isinstance(item, Chunk) for item in left)


def test_commands_are_written_and_fail_cleanly_when_disconnected(peripheral):
    source = open_ble()
    with source:
        read_until(source, 100)
        assert source.send("vibrate", pulses=((300, 100),), repeat=2)
        source.transport._client = None  # what the disconnect callback leaves behind
        assert not source.send("stop")
    frames = FrameDecoder().feed(b"".join(peripheral.writes))
    assert [(f.command, f.pulses, f.repeat) for f in frames] == [("vibrate", ((300, 100),), 2)]
    assert source.stats.write_errors == 1


def test_a_reconnect_during_an_alert_starts_the_next_command_with_a_delimiter(peripheral):
    """The link drops while a prompt plays; the board's command receiver may keep half a
    write from before. The first command on the new link (here the stop at the cramp's end)
    starts with 0x00, which ends that garbage, so the stop itself is not dropped."""
    source = open_ble()
    with source:
        read_until(source, 20_000)
        assert source.send("vibrate", pulses=((800, 400),), repeat=3)
        assert source.send("ping")
        backend = source.transport._client._backend  # the board drops the link
        backend._connected = False
        source.transport._loop.call_soon_threadsafe(backend._disconnected_callback)
        deadline = time.monotonic() + 10
        while source.stats.reconnects < 1 and time.monotonic() < deadline:
            source.read(timeout_s=0.05)
        source.read(timeout_s=0.05)
        assert source.connected and source.stats.reconnects == 1
        assert source.send("stop")
    vibrate, ping, stop = peripheral.writes
    assert vibrate.startswith(b"\x00") and not ping.startswith(b"\x00")
    assert stop.startswith(b"\x00")
    garbage = vibrate[1:12]  # half of a write cut by the disconnect
    (frame,) = FrameDecoder().feed(garbage + stop)
    assert frame.command == "stop"


def test_a_lost_command_write_is_resent_until_acknowledged(peripheral, monkeypatch):
    from crampdetect.ingest import commands

    monkeypatch.setattr(commands, "ACK_TIMEOUT_S", 0.05)
    peripheral.drop_writes = 1
    source = open_ble()
    with source:
        read_until(source, 100)
        assert source.send("vibrate", pulses=((300, 100),))  # written, but lost on the air
        deadline = time.monotonic() + 10
        while source.stats.acks < 1 and time.monotonic() < deadline:
            source.read(timeout_s=0.05)
        stats = source.stats
    frames = FrameDecoder().feed(b"".join(peripheral.writes))
    assert [(f.seq, f.command) for f in frames] == [(0, "vibrate")]  # the resent copy arrived
    assert stats.resends == 1 and stats.acks == 1 and stats.unacked == 0


def test_board_not_found_is_an_input_error(peripheral, monkeypatch):
    monkeypatch.setattr(FakeScanner, "start", FakeScanner.stop)  # hears nothing
    transport = ble.BleTransport(
        "nosuchboard", scan_timeout_s=0.2, client_backend=FakeClient, scanner_backend=FakeScanner
    )
    with pytest.raises(InputError, match="no BLE board 'nosuchboard' found"):
        BoardSource(transport).__enter__()


def test_scan_lists_advertising_boards(peripheral):
    found = asyncio.run(ble.scan_boards(0.05, backend=FakeScanner))
    assert found == [(ADDRESS, "crampdetect-EE01", -60)]


@pytest.mark.parametrize("mtu", [23, 185, 247])
def test_streams_at_the_negotiated_mtu_with_frames_packed_and_split(peripheral, mtu):
    data = counts(4000)
    peripheral.mtu = mtu
    peripheral.notifications = packed(data, mtu)
    source = open_ble()
    with source:
        blocks = read_until(source, 4000)
        assert source.transport.mtu == mtu
        pulses = tuple((200 + k, 100) for k in range(8))  # the longest command: 44 bytes
        assert source.send("vibrate", pulses=pulses, repeat=3)
        stats = source.stats
    check(blocks, data)
    assert blocks[-1].stop == 4000 and stats.crc_errors == 0 and stats.gaps == 0
    assert source.info.representation.adc_bits == 12  # learned from status frames
    notes = peripheral.notifications
    assert any(n.count(0) > 1 for n in notes)  # several frames in one notification
    assert any(not n.endswith(b"\x00") for n in notes)  # a frame split across two
    (command,) = FrameDecoder().feed(b"".join(peripheral.writes))
    assert command.pulses == pulses and command.repeat == 3


def test_a_start_notify_failure_disconnects_before_retrying(peripheral):
    peripheral.fail_start_notify = 1
    with pytest.raises(InputError, match="cannot connect"):
        open_ble().__enter__()
    assert peripheral.connects == 1 and peripheral.disconnects == 1
    assert not peripheral.clients[0].is_connected
    # After a drop, the same failure costs one attempt, then the link comes back.
    peripheral.drop_at = 50
    peripheral.fail_start_notify_after_drop = 1
    peripheral.not_found_after_drop = 1  # and BlueZ forgot the device once
    source = open_ble()
    with source:
        blocks = read_until(source, 20_000)
        stats = source.stats
    check(blocks, counts(20_000))
    assert blocks[-1].stop == 20_000 and stats.reconnects == 1
    assert peripheral.connects == 4  # the failed first open, the first link, one bad, one good
    assert sum(c.is_connected for c in peripheral.clients) == 0


def test_backoff_is_capped_and_the_scan_times_out_while_the_board_is_away(peripheral, monkeypatch):
    """The board stops advertising after a drop: scans time out and are tried again, waits
    grow to BACKOFF_MAX_S and no further; once it advertises again the link is back within
    one wait."""
    assert ble.BACKOFF_MAX_S <= 3.0  # a few seconds at most (was 10 s)
    monkeypatch.setattr(ble, "BACKOFF_MIN_S", 0.05)
    monkeypatch.setattr(ble, "BACKOFF_MAX_S", 0.2)
    peripheral.drop_at = 50
    peripheral.advertise_after_drop = False  # gone: out of range
    source = ble.BleTransport(
        "crampdetect-EE01",
        scan_timeout_s=0.3,
        client_backend=FakeClient,
        scanner_backend=FakeScanner,
    )
    source = BoardSource(source)
    with source:
        blocks = read_until(source, 2000)
        deadline = time.monotonic() + 10
        while peripheral.drop_at is not None and time.monotonic() < deadline:
            blocks += source.read(timeout_s=0.05)
        scans = peripheral.scans
        while peripheral.scans - scans < 3 and time.monotonic() < deadline:
            blocks += source.read(timeout_s=0.05)  # each scan times out and starts again
        assert peripheral.scans - scans >= 3 and peripheral.connects == 1
        back = time.monotonic()
        peripheral.advertising = True
        blocks += read_until(source, 20_000)
        stats = source.stats
    reconnected = peripheral.attempts[-1]
    assert reconnected - back <= 0.2 + 0.3 + 0.5  # one wait, a scan, slack for a busy machine
    check(blocks, counts(20_000))
    assert stats.reconnects == 1 and blocks[-1].stop == 20_000


def test_refused_reconnects_wait_at_most_the_cap(peripheral, monkeypatch):
    monkeypatch.setattr(ble, "BACKOFF_MIN_S", 0.05)
    monkeypatch.setattr(ble, "BACKOFF_MAX_S", 0.2)
    peripheral.drop_at = 50
    peripheral.refuse_after_drop = 6
    source = open_ble()
    with source:
        blocks = read_until(source, 20_000)
    check(blocks, counts(20_000))
    waits = np.diff(peripheral.attempts[1:])  # between the attempts after the drop
    assert len(waits) == 6
    assert waits[0] >= 0.05 and waits[-1] >= 0.2 and np.all(waits < 0.2 + 0.25)
    assert np.all(np.diff(waits[:3]) > 0)  # doubling until the cap


def test_an_unpaired_computer_is_told_to_pair(peripheral, monkeypatch):
    """The ESP32 needs a bonded, encrypted link to subscribe (PROTOCOL.md, Security): BlueZ
    reports the refused subscription as an ATT error, which becomes a one-line hint."""

    async def refuse(self, characteristic, callback, **kwargs):
        details = ["Operation failed with ATT error: 0x05 (Insufficient Authentication)"]
        raise BleakDBusError("org.bluez.Error.Failed", details)

    monkeypatch.setattr(FakeClient, "start_notify", refuse)
    with pytest.raises(InputError, match=r"not paired with .*pair it once"):
        open_ble().__enter__()
    assert peripheral.disconnects == 1
