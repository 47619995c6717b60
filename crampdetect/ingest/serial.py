"""USB serial transport (pyserial): a reader thread, automatic reconnection, board discovery.

DTR and RTS are set low *before* the port is opened, so opening the port does not pulse the
Uno's auto-reset line and a running board keeps its sequence numbers and clock (a monitor
can attach and detach without restarting the firmware). On Linux the kernel may still
raise DTR for a few ms on the very first open of a port; the firmware's periodic status
frame and the reassembler's restart handling cover that case. Pass ``reset=True``
(``serial://...?reset=1``) to restart the board deliberately with a DTR pulse.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from crampdetect.core import InputError
from crampdetect.ingest.transport import LINK_DOWN, LINK_END, LINK_UP, Transport

logger = logging.getLogger(__name__)

DEFAULT_BAUD = 500_000
#: USB VID:PID of boards and USB-UART bridges the firmware runs behind (hardware.md §7).
KNOWN_USB_IDS: dict[tuple[int, int], str] = {
    (0x2341, 0x0043): "Arduino Uno",
    (0x2341, 0x0001): "Arduino Uno",
    (0x2A03, 0x0043): "Arduino Uno",
    (0x2341, 0x0243): "Arduino Uno",
    (0x1A86, 0x7523): "CH340 USB-UART",
    (0x1A86, 0x55D4): "CH9102 USB-UART",
    (0x10C4, 0xEA60): "CP210x USB-UART",
    (0x0403, 0x6001): "FTDI FT232R",
    (0x0403, 0x6015): "FTDI FT231X",
    (0x303A, 0x1001): "ESP32-S3 USB",
}
READ_TIMEOUT_S = 0.1
WRITE_TIMEOUT_S = 0.25
RECONNECT_MIN_S = 0.1
RECONNECT_MAX_S = 0.5  # an unplug of d s costs at most d + 0.5 s of data


@dataclass(frozen=True, slots=True)
class PortInfo:
    """One serial port: device path, description and the board it likely is ('' if unknown)."""

    device: str
    description: str
    usb_id: str
    board: str


def list_ports() -> list[PortInfo]:
    """Serial ports on this machine, likely boards first."""
    from serial.tools import list_ports as lp

    ports = []
    for p in lp.comports():
        usb_id = f"{p.vid:04x}:{p.pid:04x}" if p.vid is not None and p.pid is not None else ""
        board = KNOWN_USB_IDS.get((p.vid, p.pid), "") if usb_id else ""
        ports.append(PortInfo(p.device, p.description or "", usb_id, board))
    return sorted(ports, key=lambda p: (not p.board, p.device))


def find_board() -> str:
    """Device path of the first port whose USB id is a known board (``serial://auto``)."""
    boards = [p for p in list_ports() if p.board]
    if not boards:
        raise InputError(
            "no board found on USB serial: plug it in, or give the port, "
            "e.g. serial:///dev/ttyUSB0 (see 'crampdetect devices')"
        )
    if len(boards) > 1:
        logger.warning("several boards found, using %s", boards[0].device)
    return boards[0].device


class SerialTransport(Transport):
    """Bytes from a serial port, read by a thread, with reconnection when the port vanishes.

    Parameters
    ----------
    port : str
        Device path (``/dev/ttyUSB0``, a pseudo-terminal, ``COM3``).
    baud : int
        Baud rate (500000 divides the Uno's 16 MHz clock exactly).
    reset : bool
        Pulse DTR after opening to restart an Uno.
    """

    name = "serial"

    def __init__(self, port: str, baud: int = DEFAULT_BAUD, reset: bool = False) -> None:
        super().__init__()
        self.port = port
        self.baud = baud
        self.reset = reset
        self._serial = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def _open(self):  # -> serial.Serial
        import serial

        ser = serial.Serial()
        ser.port = self.port
        ser.baudrate = self.baud
        ser.timeout = READ_TIMEOUT_S
        ser.write_timeout = WRITE_TIMEOUT_S  # a board that stops reading must not stall the monitor
        ser.dtr = False  # set before open(): no surprise reset of an Uno
        ser.rts = False
        ser.open()
        return ser

    def start(self) -> None:
        import serial

        try:
            ser = self._open()
        except (serial.SerialException, OSError, ValueError) as exc:
            raise InputError(f"cannot open serial port {self.port}: {exc}") from None
        if self.reset:
            ser.dtr = True
            self.stopping.wait(0.05)
            ser.dtr = False
        self._serial = ser
        self.put_link(LINK_UP, self.port)
        self._thread = threading.Thread(target=self._read_loop, name="serial-reader", daemon=True)
        self._thread.start()

    def _read_loop(self) -> None:
        import serial

        delay = RECONNECT_MIN_S
        while not self.stopping.is_set():
            ser = self._serial
            if ser is None:
                try:
                    ser = self._open()
                except (serial.SerialException, OSError):
                    self.stopping.wait(delay)
                    delay = min(delay * 2, RECONNECT_MAX_S)
                    continue
                with self._lock:
                    self._serial = ser
                delay = RECONNECT_MIN_S
                logger.info("serial port %s is back", self.port)
                self.put_link(LINK_UP, self.port)
            try:
                data = ser.read(ser.in_waiting or 1)
            except (serial.SerialException, OSError, TypeError) as exc:
                # TypeError: pyserial reading from a port closed under it by close().
                if self.stopping.is_set():
                    break
                # the monitor tells the wearer in its own words (link_lost_message)
                logger.info("serial port %s lost: %s", self.port, exc)
                with self._lock:
                    self._serial = None
                ser.close()
                self.put_link(LINK_DOWN, str(exc))
                continue
            self.put_bytes(data)
        self.put_link(LINK_END, "closed")

    def write(self, data: bytes) -> bool:
        import serial

        with self._lock:
            ser = self._serial
            if ser is None:
                self.write_errors += 1
                return False
            try:
                ser.write(data)
                return True
            except (serial.SerialException, OSError) as exc:
                logger.warning("serial write failed: %s", exc)
                self.write_errors += 1
                return False

    def close(self) -> None:
        self.stopping.set()
        with self._lock:
            ser = self._serial
        if ser is not None:
            ser.cancel_read()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        with self._lock:
            if self._serial is not None:
                self._serial.close()
                self._serial = None
