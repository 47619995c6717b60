"""Regenerate vectors.json, the golden vectors shared by the Python and the C tests.

Run ``python firmware_bridge/protocol/make_vectors.py`` after a deliberate protocol change; the
tests then compare both implementations with the new file. Vectors are never edited by hand.
"""

from __future__ import annotations

import binascii
import json
import struct
from pathlib import Path

import numpy as np
from cobs import cobs

from crampdetect.ingest.frames import (
    AckFrame,
    ButtonFrame,
    CommandFrame,
    SampleFrame,
    StatusFrame,
    encode_frame,
)

HERE = Path(__file__).resolve().parent


def _fields(frame: object) -> dict[str, object]:
    if isinstance(frame, SampleFrame):
        return {
            "type": "samples",
            "seq": frame.seq,
            "t_us": frame.t_us,
            "channel_mask": frame.channel_mask,
            "samples": np.asarray(frame.samples).tolist(),
        }
    kinds = {StatusFrame: "status", CommandFrame: "command", AckFrame: "ack", ButtonFrame: "button"}
    kind = kinds[type(frame)]
    out: dict[str, object] = {"type": kind}
    for name in frame.__slots__:  # type: ignore[attr-defined]
        value = getattr(frame, name)
        out[name] = [list(p) for p in value] if name == "pulses" else value
    return out


def _raw_frame(header: bytes, body: bytes) -> bytes:
    raw = header + body
    raw += struct.pack("<H", binascii.crc_hqx(raw, 0xFFFF))
    return cobs.encode(raw) + b"\x00"


def main() -> None:
    frames = [
        ("samples_2ch_x3", SampleFrame(7, 1_000_000, 0b11, np.array([[0, 512, 1023], [1, 2, 3]]))),
        ("samples_1ch_x1_zero", SampleFrame(0, 0, 0b01, np.array([[0]]))),
        ("samples_ch1_only", SampleFrame(300, 4_294_967_295, 0b10, np.array([[100, 200]]))),
        (
            "samples_2ch_x10_wrapped_seq",
            SampleFrame(65535, 123_456_789, 0b11, np.arange(20).reshape(2, 10) * 51),
        ),
        (
            "samples_2ch_x57_max",
            SampleFrame(4242, 42, 0b11, (np.arange(114).reshape(2, 57) * 577) % 65536),
        ),
        ("status_uno", StatusFrame(1, 5_000_000, "cd-uno 0.1.0", 1000, 10, "raw", 255, 0, 3)),
        ("status_esp32", StatusFrame(2, 77, "cd-esp32 0.1.0", 1000, 12, "env", 87, 123456, 1)),
        ("cmd_vibrate_one_pulse", CommandFrame(1, "vibrate", ((500, 0),), 1, 200)),
        (
            "cmd_vibrate_pattern",
            CommandFrame(2, "vibrate", ((200, 100), (200, 100), (800, 400)), 3, 255),
        ),
        (
            "cmd_vibrate_max",
            CommandFrame(65535, "vibrate", tuple((3000, 65535) for _ in range(8)), 255, 0),
        ),
        ("cmd_stop", CommandFrame(3, "stop")),
        ("cmd_set_rate_500", CommandFrame(4, "set_rate", rate_hz=500)),
        ("cmd_ping", CommandFrame(5, "ping")),
        ("ack_ok", AckFrame(9, 2, 0)),
        ("ack_bad_argument", AckFrame(10, 65535, 3)),
        ("button_acknowledge", ButtonFrame(0, 12_345_000, 0)),
        ("button_wrapped", ButtonFrame(65535, 4_294_967_295, 0)),
    ]
    valid = [{"name": n, "hex": encode_frame(f).hex(), "fields": _fields(f)} for n, f in frames]

    head = lambda kind, seq=1: struct.pack("<BBH", 1, kind, seq)  # noqa: E731
    good = encode_frame(CommandFrame(6, "ping"))
    bad_crc = bytearray(cobs.decode(good[:-1]))
    bad_crc[-1] ^= 0x01
    invalid = [
        {"name": "bad_crc", "hex": (cobs.encode(bytes(bad_crc)) + b"\x00").hex(), "reason": "crc"},
        {"name": "cobs_code_past_end", "hex": "05112233" + "00", "reason": "malformed"},
        {
            "name": "too_short",
            "hex": (cobs.encode(b"\x01\x03") + b"\x00").hex(),
            "reason": "malformed",
        },
        {
            "name": "wrong_version",
            "hex": _raw_frame(struct.pack("<BBH", 2, 3, 1), b"\x04").hex(),
            "reason": "malformed",
        },
        {"name": "unknown_type", "hex": _raw_frame(head(9), b"").hex(), "reason": "malformed"},
        {
            "name": "button_length_mismatch",
            "hex": _raw_frame(head(5), struct.pack("<I", 1)).hex(),
            "reason": "malformed",
        },
        {
            "name": "samples_length_mismatch",
            "hex": _raw_frame(head(1), struct.pack("<IBB", 0, 3, 2) + b"\x00" * 6).hex(),
            "reason": "malformed",
        },
        {
            "name": "cmd_unknown",
            "hex": _raw_frame(head(3, 11), b"\x63").hex(),
            "reason": "malformed",
            "ack_status": 1,
            "seq": 11,
        },
        {
            "name": "cmd_ping_with_argument",
            "hex": _raw_frame(head(3, 12), b"\x04\x00").hex(),
            "reason": "malformed",
            "ack_status": 2,
            "seq": 12,
        },
        {
            "name": "cmd_vibrate_truncated",
            "hex": _raw_frame(
                head(3, 13), b"\x01\xff\x01\x02" + struct.pack("<HH", 100, 100)
            ).hex(),
            "reason": "malformed",
            "ack_status": 2,
            "seq": 13,
        },
        {
            "name": "cmd_vibrate_pulse_too_long",
            "hex": _raw_frame(head(3, 14), b"\x01\xff\x01\x01" + struct.pack("<HH", 3001, 0)).hex(),
            "reason": "malformed",
            "ack_status": 3,
            "seq": 14,
        },
        {
            "name": "cmd_vibrate_no_pulses",
            "hex": _raw_frame(head(3, 15), b"\x01\xff\x01\x00").hex(),
            "reason": "malformed",
            "ack_status": 3,
            "seq": 15,
        },
        {
            "name": "cmd_vibrate_repeat_zero",
            "hex": _raw_frame(head(3, 16), b"\x01\xff\x00\x01" + struct.pack("<HH", 100, 0)).hex(),
            "reason": "malformed",
            "ack_status": 3,
            "seq": 16,
        },
        {
            "name": "cmd_set_rate_zero",
            "hex": _raw_frame(head(3, 17), b"\x03\x00\x00").hex(),
            "reason": "malformed",
            "ack_status": 3,
            "seq": 17,
        },
        {"name": "oversized", "hex": (b"\x01" * 300 + b"\x00").hex(), "reason": "oversized"},
    ]
    cobs_vectors = [
        {"raw": raw.hex(), "encoded": cobs.encode(raw).hex()}
        for raw in (
            b"",
            b"\x00",
            b"\x00\x00",
            b"\x11\x22\x00\x33",
            b"\x11\x00",
            bytes(range(1, 254)),
            bytes(range(0, 240)),
        )
    ]
    doc = {
        "protocol_version": 1,
        "crc16_ccitt_false": {"input_hex": b"123456789".hex(), "crc": 0x29B1},
        "cobs": cobs_vectors,
        "frames": valid,
        "invalid": invalid,
    }
    (HERE / "vectors.json").write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
