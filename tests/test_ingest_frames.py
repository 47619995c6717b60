"""Wire frames: golden vectors both ways, field validation, decoder bookkeeping."""

from __future__ import annotations

import binascii
import json
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crampdetect.ingest import frames as fr
from crampdetect.ingest.frames import (
    AckFrame,
    ButtonFrame,
    CobsError,
    CommandFrame,
    FrameDecoder,
    SampleFrame,
    StatusFrame,
    cobs_decode,
    cobs_encode,
    encode_frame,
)

VECTORS = json.loads(
    (Path(__file__).resolve().parents[1] / "firmware_bridge/protocol/vectors.json").read_text()
)


def frame_from_fields(fields: dict) -> fr.Frame:
    f = dict(fields)
    kind = f.pop("type")
    if kind == "samples":
        return SampleFrame(f["seq"], f["t_us"], f["channel_mask"], np.array(f["samples"]))
    if kind == "command":
        f["pulses"] = tuple(tuple(p) for p in f["pulses"])
        return CommandFrame(**f)
    return {"status": StatusFrame, "ack": AckFrame, "button": ButtonFrame}[kind](**f)


@pytest.mark.parametrize("vector", VECTORS["frames"], ids=lambda v: v["name"])
def test_golden_vector_encodes_to_its_bytes(vector: dict) -> None:
    assert encode_frame(frame_from_fields(vector["fields"])).hex() == vector["hex"]


@pytest.mark.parametrize("vector", VECTORS["frames"], ids=lambda v: v["name"])
def test_golden_vector_decodes_to_its_fields(vector: dict) -> None:
    decoder = FrameDecoder()
    (frame,) = decoder.feed(bytes.fromhex(vector["hex"]))
    assert frame == frame_from_fields(vector["fields"])
    assert decoder.stats.frames == 1 and decoder.stats.bytes_dropped == 0


@pytest.mark.parametrize("vector", VECTORS["invalid"], ids=lambda v: v["name"])
def test_invalid_vector_is_rejected_and_counted(vector: dict) -> None:
    decoder = FrameDecoder()
    data = bytes.fromhex(vector["hex"])
    good = encode_frame(CommandFrame(1, "ping"))
    assert decoder.feed(data + good) == [CommandFrame(1, "ping")]
    counter = {"crc": "crc_errors", "malformed": "malformed", "oversized": "oversized"}
    assert getattr(decoder.stats, counter[vector["reason"]]) == 1
    assert decoder.stats.bytes_dropped == len(data) - 1


def test_button_layout_built_by_hand() -> None:
    """Type 5 of PROTOCOL.md, assembled independently of the encoder."""
    raw = struct.pack("<BBHIB", 1, 5, 7, 123_456, 0)
    raw += struct.pack("<H", binascii.crc_hqx(raw, 0xFFFF))
    assert encode_frame(ButtonFrame(7, 123_456)) == cobs_encode(raw) + b"\x00"
    assert FrameDecoder().feed(cobs_encode(raw) + b"\x00") == [ButtonFrame(7, 123_456, 0)]


def test_crc_is_ccitt_false_check_value() -> None:
    crc = VECTORS["crc16_ccitt_false"]
    assert binascii.crc_hqx(bytes.fromhex(crc["input_hex"]), 0xFFFF) == crc["crc"] == 0x29B1


@pytest.mark.parametrize("vector", VECTORS["cobs"], ids=lambda v: v["raw"][:8] or "empty")
def test_cobs_vectors(vector: dict) -> None:
    assert cobs_encode(bytes.fromhex(vector["raw"])).hex() == vector["encoded"]
    assert cobs_decode(bytes.fromhex(vector["encoded"])).hex() == vector["raw"]


@given(st.binary(max_size=800))
def test_cobs_round_trip_without_zeros(raw: bytes) -> None:
    encoded = cobs_encode(raw)
    assert 0 not in encoded and cobs_decode(encoded) == raw
    assert len(encoded) <= len(raw) + 1 + len(raw) // 254  # COBS's bounded overhead


@pytest.mark.parametrize(
    ("raw", "tail"),
    [
        (b"\x01" * 254, b"\x01"),
        (b"\x01" * 254 + b"\x00", b"\x01\x01"),
        (b"\x07" * 255, b"\x02\x07"),
    ],
)
def test_cobs_long_runs_use_code_ff(raw: bytes, tail: bytes) -> None:
    encoded = cobs_encode(raw)
    assert encoded[0] == 0xFF and encoded[255:] == (b"" if len(raw) == 254 else tail)
    assert cobs_decode(encoded) == raw


@pytest.mark.parametrize("bad", [b"\x05\x11\x22\x33", b"\x02\x00", b"\x00"])
def test_cobs_rejects_invalid_blocks(bad: bytes) -> None:
    with pytest.raises(CobsError):
        cobs_decode(bad)


def test_sample_layout_built_by_hand() -> None:
    """The byte layout of PROTOCOL.md, assembled independently of the encoder."""
    raw = struct.pack("<BBHIBB", 1, 1, 258, 1000, 0b11, 2) + struct.pack("<4H", 10, 20, 11, 21)
    raw += struct.pack("<H", binascii.crc_hqx(raw, 0xFFFF))
    frame = SampleFrame(258, 1000, 0b11, np.array([[10, 11], [20, 21]]))
    assert encode_frame(frame) == cobs_encode(raw) + b"\x00"
    (decoded,) = FrameDecoder().feed(cobs_encode(raw) + b"\x00")
    assert decoded.samples.dtype == np.uint16 and decoded.samples.shape == (2, 2)
    assert decoded.samples.tolist() == [[10, 11], [20, 21]]


def test_encoded_frames_contain_one_zero_at_the_end() -> None:
    rng = np.random.default_rng(1)
    frame = SampleFrame(0, 0, 0b11, rng.integers(0, 4, (2, 57)))  # many zero bytes inside
    data = encode_frame(frame)
    assert data.count(0) == 1 and data[-1] == 0
    assert len(data) <= fr.MAX_ENCODED_BYTES + 1


@pytest.mark.parametrize(
    "frame",
    [
        SampleFrame(0, 0, 0b11, np.zeros((1, 3))),  # mask says 2 channels
        SampleFrame(0, 0, 0b01, np.zeros((1, 0))),
        SampleFrame(0, 0, 0b11, np.zeros((2, 58))),  # too big for one frame
        SampleFrame(0, 0, 0b01, np.array([[70000]])),
        SampleFrame(0, -1, 0b01, np.array([[1]])),
        SampleFrame(70000, 0, 0b01, np.array([[1]])),
        CommandFrame(0, "explode"),
        CommandFrame(0, "vibrate"),
        CommandFrame(0, "vibrate", ((3001, 0),)),
        CommandFrame(0, "vibrate", ((100, 0),) * 9),
        CommandFrame(0, "vibrate", ((100, 0),), repeat=0),
        CommandFrame(0, "set_rate"),
        StatusFrame(0, 0, "x" * 17, 1000, 10, "raw", 255, 0, 3),
        StatusFrame(0, 0, "fw", 1000, 10, "rect", 255, 0, 3),
        StatusFrame(0, 0, "fw", 1000, 10, "raw", 255, -1, 3),
        StatusFrame(0, 0, "fw", 1000.5, 10, "raw", 255, 0, 3),  # type: ignore[arg-type]
        CommandFrame(0, "vibrate", ((100, 70000),)),
        CommandFrame(0, "vibrate", ((100, 0),), intensity=256),
        AckFrame(0, 65536, 0),
        AckFrame(0, 1, 256),
    ],
)
def test_encoder_rejects_out_of_range_fields(frame: fr.Frame) -> None:
    with pytest.raises(ValueError):
        encode_frame(frame)


def test_stream_split_anywhere_gives_the_same_frames() -> None:
    rng = np.random.default_rng(2)
    sent = [SampleFrame(i, i * 10_000, 0b11, rng.integers(0, 1024, (2, 10))) for i in range(50)]
    stream = b"".join(encode_frame(f) for f in sent)
    for size in (1, 2, 3, 7, 64, 65536):
        decoder = FrameDecoder()
        got = [f for i in range(0, len(stream), size) for f in decoder.feed(stream[i : i + size])]
        assert got == sent
        assert decoder.stats.frames == 50 and decoder.stats.bytes_dropped == 0


def test_garbage_without_delimiter_stays_bounded_and_resyncs() -> None:
    decoder = FrameDecoder()
    for _ in range(100):
        assert decoder.feed(b"\xaa" * 1000) == []
    assert len(decoder._pending) <= fr.MAX_ENCODED_BYTES
    assert decoder.stats.oversized == 1
    ping = encode_frame(CommandFrame(4, "ping"))
    assert decoder.feed(b"\x00" + ping) == [CommandFrame(4, "ping")]
    assert decoder.stats.bytes_dropped == 100_000


def test_reset_drops_a_partial_frame() -> None:
    decoder = FrameDecoder()
    ping = encode_frame(CommandFrame(4, "ping"))
    decoder.feed(ping[:3])
    decoder.reset()
    assert decoder.feed(ping) == [CommandFrame(4, "ping")]


def test_sample_frames_compare_by_value_and_are_read_only() -> None:
    a = SampleFrame(1, 2, 1, np.array([[1, 2]]))
    assert a == SampleFrame(1, 2, 1, np.array([[1, 2]], dtype=np.uint16))
    assert a != SampleFrame(1, 2, 1, np.array([[1, 3]]))
    assert a != SampleFrame(1, 2, 1, np.array([[1, 2, 3]]))
    (decoded,) = FrameDecoder().feed(encode_frame(a))
    with pytest.raises(ValueError):
        decoded.samples[0, 0] = 5
