"""Bluetooth LE transport (bleak 3.x): scan, connect, notifications into the queue, reconnect.

bleak is asynchronous; this transport runs its own event loop on a thread, so the rest of
crampdetect stays synchronous. Notifications arrive through a *synchronous* callback that
only puts the bytes on the queue (bleak runs async callbacks as unordered tasks). A
notification delivered twice (bleak #2002) or late is harmless: the reassembler drops
repeated sequence numbers, and the last notification delivered again just after a
reconnect. On an unsolicited disconnect the transport scans again and reconnects with
exponential back-off (0.5 s doubling to 2 s; each scan gives up after the scan time-out and
is tried again). UUIDs: ``firmware_bridge/protocol/PROTOCOL.md``.

The negotiated ATT MTU sets the notification payload (MTU - 3 bytes: 20 at the default MTU
23). Notification payloads are fed to the same stream decoder as serial bytes, so a payload
may hold several frames, or part of one (a frame split across notifications). A command
longer than a write without response allows goes as a write with response (a long write).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from typing import Any

from crampdetect.core import InputError
from crampdetect.ingest.transport import LINK_DOWN, LINK_END, LINK_UP, Transport

logger = logging.getLogger(__name__)

SERVICE_UUID = "6a1e0001-6f3c-4b8e-9d1a-c2a3f0e5b7d4"
DATA_UUID = "6a1e0002-6f3c-4b8e-9d1a-c2a3f0e5b7d4"  # notify: samples, status, acks
COMMAND_UUID = "6a1e0003-6f3c-4b8e-9d1a-c2a3f0e5b7d4"  # write: commands
NAME_PREFIX = "crampdetect-"
BACKOFF_MIN_S = 0.5
#: Longest wait between reconnection attempts, s (plus the scan, which ends once the board is seen).
BACKOFF_MAX_S = 2.0
CONNECT_TIMEOUT_S = 20.0
#: ATT MTU of a link that negotiated nothing (notification payload 20 bytes).
DEFAULT_MTU = 23


def explain(exc: BaseException) -> str:
    """One line saying why BLE failed, naming the usual cause when it is a missing stack."""
    from bleak.exc import BleakBluetoothNotAvailableError

    text = " ".join(str(a) for a in getattr(exc, "args", ())) or str(exc)
    reason = text.splitlines()[0] if text else type(exc).__name__
    if isinstance(exc, (BleakBluetoothNotAvailableError, FileNotFoundError, ConnectionError)):
        return f"Bluetooth is not available (no adapter, or BlueZ/D-Bus not running): {reason}"
    lowered = text.lower()
    if any(
        k in lowered for k in ("authentication", "encryption", "att error: 0x05", "att error: 0x0f")
    ):
        # The board serves data and commands only over a bonded, encrypted link.
        return (
            f"the board refuses a computer it is not paired with ({reason}): pair it once, "
            "see docs/firmware.md, 'Pairing the ESP32'"
        )
    return reason


async def scan_boards(timeout_s: float = 3.0, backend: Any = None) -> list[tuple[str, str, int]]:
    """(address, name, RSSI in dBm) of boards advertising the crampdetect service."""
    from bleak import BleakScanner

    found = await BleakScanner.discover(
        timeout_s, return_adv=True, service_uuids=[SERVICE_UUID], backend=backend
    )
    return sorted((d.address, ad.local_name or d.name or "", ad.rssi) for d, ad in found.values())


class BleTransport(Transport):
    """Notifications of one board, found by address or advertised name.

    Parameters
    ----------
    target : str
        Bluetooth address (``AA:BB:...``; a UUID on macOS) or advertised name.
    scan_timeout_s : float
        How long to look for the board before giving up, s.
    client_backend, scanner_backend : type, optional
        bleak backends to use instead of the platform's (tests pass fakes).
    """

    name = "ble"

    def __init__(
        self,
        target: str,
        scan_timeout_s: float = 10.0,
        client_backend: type | None = None,
        scanner_backend: type | None = None,
    ) -> None:
        super().__init__()
        self.target = target
        self.scan_timeout_s = scan_timeout_s
        self.client_backend = client_backend
        self.scanner_backend = scanner_backend
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="ble", daemon=True)
        self._client: Any = None
        self._lost = asyncio.Event()
        self._supervisor: asyncio.Future | None = None
        #: ATT MTU of the current link (bytes); notifications carry up to ``mtu - 3``.
        self.mtu = DEFAULT_MTU
        self._write_limit = DEFAULT_MTU - 3  # bytes per write without response

    @property
    def running(self) -> bool:
        """Its event loop thread runs: from :meth:`start` until :meth:`close` released the
        link (False before and after)."""
        return self._thread.is_alive()

    def _run(self, coro: Any, timeout_s: float) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout_s)

    def start(self) -> None:
        self._thread.start()
        try:
            self._run(self._connect(), self.scan_timeout_s + CONNECT_TIMEOUT_S + 5)
        except InputError:
            self._stop_loop()
            raise
        except Exception as exc:  # bleak/D-Bus/OS errors differ per platform
            self._stop_loop()
            raise InputError(
                f"cannot connect to BLE board {self.target!r}: {explain(exc)}"
            ) from None
        self._supervisor = asyncio.run_coroutine_threadsafe(self._supervise(), self._loop)

    def _matches(self, device: Any, adv: Any) -> bool:
        target = self.target.lower()
        names = {(device.name or "").lower(), (adv.local_name or "").lower()}
        return device.address.lower() == target or target in names

    async def _connect(self) -> None:
        from bleak import BleakClient, BleakScanner

        device = await BleakScanner.find_device_by_filter(
            self._matches,
            timeout=self.scan_timeout_s,
            service_uuids=[SERVICE_UUID],
            backend=self.scanner_backend,
        )
        if device is None:
            raise InputError(f"no BLE board {self.target!r} found (is it on and advertising?)")
        client = BleakClient(
            device,
            disconnected_callback=self._on_disconnect,
            timeout=CONNECT_TIMEOUT_S,
            backend=self.client_backend,
        )
        await client.connect()
        try:
            await self._read_mtu(client)
            self._lost.clear()
            await client.start_notify(DATA_UUID, self._on_notify)
        except BaseException:
            # Connected but unusable: let the board go (it advertises again) before retrying.
            with contextlib.suppress(Exception):
                await client.disconnect()
            raise
        self._client = client
        self.put_link(LINK_UP, device.address)

    async def _read_mtu(self, client: Any) -> None:
        """Read the negotiated MTU and the command write limit of a connected client."""
        backend = getattr(client, "_backend", None)
        acquire = getattr(backend, "_acquire_mtu", None)
        if acquire is not None:
            # BlueZ reports 23 until asked (bleak's mtu_size.py example does the same).
            try:
                await acquire()
            except Exception as exc:
                logger.debug("could not acquire the MTU: %s", exc)
        self.mtu = int(client.mtu_size)
        self._write_limit = self.mtu - 3
        char = client.services.get_characteristic(COMMAND_UUID)
        if char is not None:
            self._write_limit = int(char.max_write_without_response_size)
        logger.info("BLE MTU %d: notifications up to %d bytes", self.mtu, self.mtu - 3)

    def _on_notify(self, _characteristic: Any, data: bytearray) -> None:
        if not self.stopping.is_set():  # late notifications after close() are dropped
            self.put_bytes(bytes(data))

    def _on_disconnect(self, client: Any) -> None:
        if client is not self._client or self.stopping.is_set():
            return
        logger.warning("BLE board %s disconnected", self.target)
        self._client = None
        self.put_link(LINK_DOWN, "disconnected")
        self._lost.set()

    async def _supervise(self) -> None:
        """Reconnect with exponential back-off whenever the board drops the link."""
        while not self.stopping.is_set():
            await self._lost.wait()
            delay = BACKOFF_MIN_S
            while not self.stopping.is_set() and self._client is None:
                try:
                    await self._connect()
                    logger.info("BLE board %s reconnected", self.target)
                except Exception as exc:
                    logger.info("BLE reconnect failed (%s); retry in %.1f s", exc, delay)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, BACKOFF_MAX_S)

    def write(self, data: bytes) -> bool:
        client = self._client
        if client is None:
            self.write_errors += 1
            return False
        try:
            long = len(data) > self._write_limit  # only a write with response may be longer
            self._run(client.write_gatt_char(COMMAND_UUID, data, response=long), 2.0)
            return True
        except Exception as exc:
            logger.warning("BLE write failed: %s", exc)
            self.write_errors += 1
            return False

    async def _shutdown(self) -> None:
        if self._supervisor is not None:
            self._supervisor.cancel()
        client, self._client = self._client, None
        if client is not None:
            try:
                await client.stop_notify(DATA_UUID)
            except Exception as exc:
                logger.debug("stop_notify: %s", exc)
            await client.disconnect()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5.0)
        if not self._loop.is_running():
            self._loop.close()

    def close(self) -> None:
        if self.stopping.is_set() or not self._thread.is_alive():
            return
        self.stopping.set()
        try:
            self._run(self._shutdown(), 5.0)
        except Exception as exc:
            logger.warning("BLE disconnect failed: %s", exc)
        self._stop_loop()
        self.put_link(LINK_END, "closed")
