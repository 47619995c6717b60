"""Binary wire frames shared by the serial and BLE links.

Specification: ``firmware_bridge/protocol/PROTOCOL.md``.

A frame is ``header | body | crc16`` (little-endian fields), COBS-encoded and terminated by one
``0x00`` byte. COBS is :func:`cobs_encode`/:func:`cobs_decode` below (a loop over the zero-free
runs of a frame, not over bytes; no compiled dependency), and the sample payload is turned into
an array with one ``np.frombuffer`` call per frame.
"""

from __future__ import annotations

import binascii
import logging
import struct
from dataclasses import dataclass, field

import numpy as np

logger = logging.getLogger(__name__)

PROTOCOL_VERSION = 1
#: Largest frame before COBS (header + body + CRC), bytes. Keeps every COBS block under 254 bytes,
#: so all COBS encoders produce the same bytes, and lets one frame fit one BLE notification.
MAX_FRAME_BYTES = 240
#: Largest COBS-encoded frame without its delimiter, bytes.
MAX_ENCODED_BYTES = MAX_FRAME_BYTES + 1
MAX_PULSES = 8
#: Longest single motor pulse the firmware accepts, ms.
MAX_PULSE_MS = 3000
#: The firmware stops the motor when no valid host frame arrived for this long, s.
HEARTBEAT_TIMEOUT_S = 3.0
MAX_FIRMWARE_CHARS = 16

TYPE_SAMPLES, TYPE_STATUS, TYPE_COMMAND, TYPE_ACK, TYPE_BUTTON = 1, 2, 3, 4, 5
COMMANDS: dict[str, int] = {"vibrate": 1, "stop": 2, "set_rate": 3, "ping": 4}
_COMMAND_NAMES = {code: name for name, code in COMMANDS.items()}
SIGNAL_CODES: dict[str, int] = {"raw": 0, "env": 1}
_SIGNAL_NAMES = {code: name for name, code in SIGNAL_CODES.items()}
#: Acknowledgement status codes.
ACK_STATUS: dict[int, str] = {
    0: "ok",
    1: "unknown_command",
    2: "bad_length",
    3: "bad_argument",
    4: "unsupported",
}

#: ``button`` of the acknowledge button in a :class:`ButtonFrame`.
BUTTON_ACKNOWLEDGE = 0

_HEADER = struct.Struct("<BBH")  # version, type, seq
_SAMPLES = struct.Struct("<IBB")  # t_us, channel_mask, samples per channel
_STATUS = struct.Struct("<IBHBBBIB")  # t_us, mask, rate, adc_bits, signal, battery, lost, fw len
_ACK = struct.Struct("<HB")  # acked seq, status
_BUTTON = struct.Struct("<IB")  # t_us, button
_PULSE = struct.Struct("<HH")  # on_ms, off_ms
_CRC = struct.Struct("<H")
_U16 = np.dtype("<u2")


class _Malformed(Exception):
    """A frame with a valid CRC whose content breaks the specification."""


@dataclass(frozen=True, slots=True)
class SampleFrame:
    """ADC samples of the channels in ``channel_mask``, shaped (n_channels, n), uint16 counts.

    ``t_us`` is the device clock (µs, wraps at 2**32) at the first sample; ``seq`` counts sample
    frames (wraps at 2**16).
    """

    seq: int
    t_us: int
    channel_mask: int
    samples: np.ndarray

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SampleFrame):
            return NotImplemented
        return (
            (self.seq, self.t_us, self.channel_mask) == (other.seq, other.t_us, other.channel_mask)
            and self.samples.shape == other.samples.shape
            and bool(np.array_equal(self.samples, other.samples))
        )

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class StatusFrame:
    """Device status; ``battery_pct`` 255 means no battery (USB powered)."""

    seq: int
    t_us: int
    firmware: str
    sample_rate_hz: int
    adc_bits: int
    signal: str
    battery_pct: int
    lost_samples: int
    channel_mask: int


@dataclass(frozen=True, slots=True)
class CommandFrame:
    """Host to device command: ``vibrate`` (pattern of (on_ms, off_ms) pulses played ``repeat``
    times at ``intensity`` 0-255), ``stop``, ``set_rate`` (``rate_hz``) or ``ping`` (heartbeat)."""

    seq: int
    command: str
    pulses: tuple[tuple[int, int], ...] = ()
    repeat: int = 1
    intensity: int = 255
    rate_hz: int = 0


@dataclass(frozen=True, slots=True)
class AckFrame:
    """Device reply to the command with sequence number ``acked_seq``; see :data:`ACK_STATUS`."""

    seq: int
    acked_seq: int
    status: int


@dataclass(frozen=True, slots=True)
class ButtonFrame:
    """The wearer pressed a button on the board at device time ``t_us`` (µs); ``button`` 0 is
    the acknowledge button. ``seq`` counts button frames (a repeated ``seq`` is a duplicate)."""

    seq: int
    t_us: int
    button: int = BUTTON_ACKNOWLEDGE


Frame = SampleFrame | StatusFrame | CommandFrame | AckFrame | ButtonFrame


@dataclass(slots=True)
class DecoderStats:
    """Counters of a :class:`FrameDecoder` (bytes_dropped counts bytes of rejected frames)."""

    frames: int = 0
    crc_errors: int = 0
    malformed: int = 0
    oversized: int = 0
    bytes_dropped: int = 0


def _check(name: str, value: int, low: int, high: int) -> None:
    if not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer in {low}..{high}, got {value!r}")


def _body(frame: Frame) -> tuple[int, bytes]:
    if isinstance(frame, SampleFrame):
        _check("channel_mask", frame.channel_mask, 1, 255)
        samples = np.asarray(frame.samples)
        n_channels = int(frame.channel_mask).bit_count()
        if samples.ndim != 2 or samples.shape[0] != n_channels or samples.shape[1] < 1:
            raise ValueError(f"samples must be shaped ({n_channels}, n>=1), got {samples.shape}")
        if samples.size and (samples.min() < 0 or samples.max() > 0xFFFF):
            raise ValueError("samples must be in 0..65535")
        head = _SAMPLES.pack(frame.t_us, frame.channel_mask, samples.shape[1])
        return TYPE_SAMPLES, head + samples.T.astype(_U16).tobytes()
    if isinstance(frame, StatusFrame):
        firmware = frame.firmware.encode("ascii")
        if len(firmware) > MAX_FIRMWARE_CHARS:
            raise ValueError(f"firmware must be at most {MAX_FIRMWARE_CHARS} ASCII characters")
        if frame.signal not in SIGNAL_CODES:
            raise ValueError(f"signal must be one of {tuple(SIGNAL_CODES)}")
        return TYPE_STATUS, _STATUS.pack(
            frame.t_us,
            frame.channel_mask,
            frame.sample_rate_hz,
            frame.adc_bits,
            SIGNAL_CODES[frame.signal],
            frame.battery_pct,
            frame.lost_samples,
            len(firmware),
        ) + firmware
    if isinstance(frame, CommandFrame):
        if frame.command not in COMMANDS:
            raise ValueError(f"command must be one of {tuple(COMMANDS)}, got {frame.command!r}")
        body = bytes([COMMANDS[frame.command]])
        if frame.command == "vibrate":
            _check("number of pulses", len(frame.pulses), 1, MAX_PULSES)
            _check("repeat", frame.repeat, 1, 255)
            body += struct.pack("<BBB", frame.intensity, frame.repeat, len(frame.pulses))
            for on_ms, off_ms in frame.pulses:
                _check("on_ms", on_ms, 1, MAX_PULSE_MS)
                body += _PULSE.pack(on_ms, off_ms)
        elif frame.command == "set_rate":
            _check("rate_hz", frame.rate_hz, 1, 0xFFFF)
            body += struct.pack("<H", frame.rate_hz)
        return TYPE_COMMAND, body
    if isinstance(frame, AckFrame):
        return TYPE_ACK, _ACK.pack(frame.acked_seq, frame.status)
    if isinstance(frame, ButtonFrame):
        return TYPE_BUTTON, _BUTTON.pack(frame.t_us, frame.button)
    raise TypeError(f"not a frame: {type(frame).__name__}")


def encode_frame(frame: Frame) -> bytes:
    """Encode one frame: COBS-encoded bytes ending with the ``0x00`` delimiter.

    Raises
    ------
    ValueError
        A field is out of range or the frame exceeds :data:`MAX_FRAME_BYTES`.
    """
    try:  # struct rejects integers out of their field's range (and non-integers)
        frame_type, body = _body(frame)
        raw = _HEADER.pack(PROTOCOL_VERSION, frame_type, frame.seq) + body
    except struct.error as exc:
        raise ValueError(f"{type(frame).__name__} field out of range: {exc}") from None
    raw += _CRC.pack(binascii.crc_hqx(raw, 0xFFFF))
    if len(raw) > MAX_FRAME_BYTES:
        raise ValueError(f"frame is {len(raw)} bytes, the limit is {MAX_FRAME_BYTES}")
    return cobs_encode(raw) + b"\x00"


class CobsError(ValueError):
    """Bytes that are not a valid COBS encoding."""


def cobs_encode(raw: bytes) -> bytes:
    """COBS-encode ``raw`` (no ``0x00`` in the output, no delimiter added).

    Consistent Overhead Byte Stuffing (Cheshire and Baker, 1999): each zero-free run becomes
    a length code + the run; runs of 254 bytes take code ``0xFF`` and no implied zero.
    Gives the same bytes as the ``cobs`` package.
    """
    out = bytearray()
    parts = bytes(raw).split(b"\x00")
    for k, part in enumerate(parts):
        while len(part) >= 254:
            out += b"\xff" + part[:254]
            part = part[254:]
            if not part and k == len(parts) - 1:
                return bytes(out)
        out.append(len(part) + 1)
        out += part
    return bytes(out)


def cobs_decode(data: bytes) -> bytes:
    """Decode one COBS block (without its delimiter); raise :class:`CobsError` if invalid.

    Walks the chain of length codes (one step per zero of the output) and turns each code
    into the zero it stands for in a copy of the block: no per-byte Python work.
    """
    data = bytes(data)
    if b"\x00" in data:
        raise CobsError("zero byte inside a COBS block")
    out = bytearray(data)
    i, n, long_runs = 0, len(data), False
    while i < n:
        j = i + data[i]
        if j > n:
            raise CobsError("COBS block is truncated")
        if j < n:
            if data[i] == 0xFF:
                long_runs = True  # a 254-byte run: its successor's code stands for no zero
            out[j] = 0
        i = j
    if not long_runs:
        return bytes(out[1:])
    runs, i = [], 0
    while i < n:  # rare (frames are shorter than 254 bytes): the general form
        j = i + data[i]
        runs.append(data[i + 1 : j])
        if data[i] < 0xFF and j < n:
            runs.append(b"\x00")
        i = j
    return b"".join(runs)


def _parse(raw: bytes) -> Frame:
    """Parse a CRC-checked frame (without its CRC bytes); raise _Malformed on any violation."""
    version, frame_type, seq = _HEADER.unpack_from(raw)
    if version != PROTOCOL_VERSION:
        raise _Malformed(f"protocol version {version}")
    body = memoryview(raw)[_HEADER.size :]
    if frame_type == TYPE_SAMPLES:
        if len(body) < _SAMPLES.size:
            raise _Malformed("short sample header")
        t_us, mask, n = _SAMPLES.unpack_from(body)
        n_channels = mask.bit_count()
        if n_channels == 0 or n == 0 or len(body) != _SAMPLES.size + 2 * n * n_channels:
            raise _Malformed("sample count does not match the length")
        values = np.frombuffer(body, dtype=_U16, offset=_SAMPLES.size).reshape(n, n_channels).T
        return SampleFrame(seq, t_us, mask, values.astype(np.uint16, copy=False))
    if frame_type == TYPE_STATUS:
        if len(body) < _STATUS.size:
            raise _Malformed("short status")
        t_us, mask, rate, bits, signal, battery, lost, fw_len = _STATUS.unpack_from(body)
        firmware = bytes(body[_STATUS.size :])
        if len(firmware) != fw_len or fw_len > MAX_FIRMWARE_CHARS or signal not in _SIGNAL_NAMES:
            raise _Malformed("bad status fields")
        if not firmware.isascii():
            raise _Malformed("firmware name is not ASCII")
        name = firmware.decode("ascii")
        return StatusFrame(seq, t_us, name, rate, bits, _SIGNAL_NAMES[signal], battery, lost, mask)
    if frame_type == TYPE_COMMAND:
        return _parse_command(seq, bytes(body))
    if frame_type == TYPE_ACK:
        if len(body) != _ACK.size:
            raise _Malformed("bad ack length")
        acked, status = _ACK.unpack_from(body)
        return AckFrame(seq, acked, status)
    if frame_type == TYPE_BUTTON:
        if len(body) != _BUTTON.size:
            raise _Malformed("bad button length")
        return ButtonFrame(seq, *_BUTTON.unpack_from(body))
    raise _Malformed(f"unknown frame type {frame_type}")


def _parse_command(seq: int, body: bytes) -> CommandFrame:
    if not body or body[0] not in _COMMAND_NAMES:
        raise _Malformed("unknown command")
    name = _COMMAND_NAMES[body[0]]
    if name == "vibrate":
        if len(body) < 4:
            raise _Malformed("short vibrate command")
        intensity, repeat, n_pulses = body[1], body[2], body[3]
        if not 1 <= n_pulses <= MAX_PULSES or repeat == 0 or len(body) != 4 + 4 * n_pulses:
            raise _Malformed("bad vibrate pattern")
        pulses = tuple(_PULSE.iter_unpack(body[4:]))
        if any(not 1 <= on <= MAX_PULSE_MS for on, _ in pulses):
            raise _Malformed("pulse length out of range")
        return CommandFrame(seq, name, pulses, repeat, intensity)
    if name == "set_rate":
        if len(body) != 3 or int.from_bytes(body[1:], "little") == 0:
            raise _Malformed("bad set_rate command")
        return CommandFrame(seq, name, rate_hz=int.from_bytes(body[1:], "little"))
    if len(body) != 1:
        raise _Malformed(f"{name} takes no argument")
    return CommandFrame(seq, name)


@dataclass(slots=True)
class FrameDecoder:
    """Incremental decoder: feed byte chunks of any size, get whole frames back.

    Frames with a bad CRC or a malformed body are dropped and counted in :attr:`stats`; the
    decoder resynchronises on the next ``0x00``. Runs longer than :data:`MAX_ENCODED_BYTES`
    without a delimiter are dropped as they arrive, so memory stays bounded.
    """

    stats: DecoderStats = field(default_factory=DecoderStats)
    _pending: bytes = field(default=b"", init=False, repr=False)
    _skipping: bool = field(default=False, init=False, repr=False)

    def reset(self) -> None:
        """Forget any partial frame (e.g. after a reconnect); the counters are kept."""
        self._pending = b""
        self._skipping = False

    def feed(self, data: bytes) -> list[Frame]:
        """Decode every frame completed by ``data``, in order."""
        if not data:
            return []
        chunks = (self._pending + bytes(data)).split(b"\x00")
        self._pending = chunks.pop()
        frames: list[Frame] = []
        if chunks and self._skipping:
            self.stats.bytes_dropped += len(chunks[0])
            chunks[0] = b""
            self._skipping = False
        for chunk in chunks:
            if chunk:
                frame = self._decode(chunk)
                if frame is not None:
                    frames.append(frame)
        if len(self._pending) > MAX_ENCODED_BYTES:
            if not self._skipping:
                self.stats.oversized += 1
                self._skipping = True
            self.stats.bytes_dropped += len(self._pending)
            self._pending = b""
        return frames

    def _decode(self, chunk: bytes) -> Frame | None:
        stats = self.stats
        if len(chunk) > MAX_ENCODED_BYTES:
            stats.oversized += 1
            stats.bytes_dropped += len(chunk)
            return None
        try:
            raw = cobs_decode(chunk)
        except CobsError:
            raw = b""
        if len(raw) < _HEADER.size + _CRC.size:
            stats.malformed += 1
            stats.bytes_dropped += len(chunk)
            return None
        if binascii.crc_hqx(raw[:-2], 0xFFFF) != _CRC.unpack_from(raw, len(raw) - 2)[0]:
            stats.crc_errors += 1
            stats.bytes_dropped += len(chunk)
            return None
        try:
            frame = _parse(raw[:-2])
        except _Malformed as exc:
            logger.debug("dropping frame with a valid CRC: %s", exc)
            stats.malformed += 1
            stats.bytes_dropped += len(chunk)
            return None
        stats.frames += 1
        return frame
