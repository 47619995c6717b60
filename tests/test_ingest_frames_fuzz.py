"""Fuzzing the frame decoder.

No exception escapes, no corrupt frame is accepted, and every frame whose bytes (and the
delimiter before it) survived is decoded: resynchronisation within one frame.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crampdetect.ingest.frames import (
    MAX_FRAME_BYTES,
    AckFrame,
    CommandFrame,
    FrameDecoder,
    SampleFrame,
    StatusFrame,
    encode_frame,
)

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def frames_with_seq(draw: st.DrawFn, seq: int) -> object:
    kind = draw(st.sampled_from(["samples", "samples", "status", "command", "ack"]))
    if kind == "samples":
        mask = draw(st.integers(1, 255))
        k = mask.bit_count()
        n = draw(st.integers(1, (MAX_FRAME_BYTES - 12) // (2 * k)))
        values = draw(st.lists(st.integers(0, 65535), min_size=k * n, max_size=k * n))
        return SampleFrame(seq, draw(st.integers(0, 2**32 - 1)), mask, np.reshape(values, (k, n)))
    if kind == "status":
        return StatusFrame(
            seq,
            draw(st.integers(0, 2**32 - 1)),
            draw(st.text("abcxyz-. 0123456789", max_size=16)),
            draw(st.integers(0, 65535)),
            draw(st.integers(0, 255)),
            draw(st.sampled_from(["raw", "env"])),
            draw(st.integers(0, 255)),
            draw(st.integers(0, 2**32 - 1)),
            draw(st.integers(0, 255)),
        )
    if kind == "command":
        pulse = st.tuples(st.integers(1, 3000), st.integers(0, 65535))
        pulses = draw(st.lists(pulse, min_size=1, max_size=8))
        return draw(
            st.sampled_from(
                [
                    CommandFrame(seq, "vibrate", tuple(pulses), 2, 128),
                    CommandFrame(seq, "stop"),
                    CommandFrame(seq, "ping"),
                    CommandFrame(seq, "set_rate", rate_hz=500),
                ]
            )
        )
    return AckFrame(seq, draw(st.integers(0, 65535)), draw(st.integers(0, 255)))


@st.composite
def streams(draw: st.DrawFn) -> tuple[list, bytes, list[tuple[int, int]]]:
    """Frames with seq = index, their stream (leading 0x00), and each frame's byte span."""
    n = draw(st.integers(1, 12))
    sent = [draw(frames_with_seq(i)) for i in range(n)]
    stream, spans = bytearray(b"\x00"), []
    for frame in sent:
        start = len(stream)
        stream += encode_frame(frame)
        spans.append((start - 1, len(stream)))  # includes the delimiter before it
    return sent, bytes(stream), spans


def feed_in_chunks(decoder: FrameDecoder, data: bytes, sizes: list[int]) -> list:
    out, pos, i = [], 0, 0
    while pos < len(data):
        size = sizes[i % len(sizes)] if sizes else len(data)
        out += decoder.feed(data[pos : pos + size])
        pos, i = pos + size, i + 1
    return out


@st.composite
def mutations(draw: st.DrawFn, length: int) -> tuple[str, int, int, bytes]:
    """(kind, lo, hi, new bytes): bytes [lo, hi) of the stream are replaced by new bytes."""
    kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "overwrite", "long"]))
    lo = draw(st.integers(0, length - 1))
    if kind == "flip":
        return kind, lo, lo + 1, b""
    if kind == "insert":
        return kind, lo, lo, draw(st.binary(min_size=1, max_size=20))
    if kind == "long":
        run = draw(st.binary(min_size=MAX_FRAME_BYTES + 5, max_size=600))
        return kind, lo, lo, run.replace(b"\x00", b"\x01")
    if kind == "truncate":
        return kind, lo, length, b""
    hi = draw(st.integers(lo + 1, min(length, lo + 40)))
    if kind == "overwrite":
        return kind, lo, hi, draw(st.binary(min_size=hi - lo, max_size=hi - lo))
    return kind, lo, hi, b""


@FUZZ
@given(data=st.data())
def test_corruption_loses_only_the_frames_it_touches(data: st.DataObject) -> None:
    sent, stream, spans = data.draw(streams())
    kind, lo, hi, new = data.draw(mutations(len(stream)))
    if kind == "flip":
        bit = data.draw(st.integers(0, 7))
        new = bytes([stream[lo] ^ (1 << bit)])
    corrupted = stream[:lo] + new + stream[hi:]
    sizes = data.draw(st.lists(st.integers(1, 300), max_size=8))

    decoder = FrameDecoder()
    got = feed_in_chunks(decoder, corrupted, sizes) + decoder.feed(b"\x00")

    seqs = [f.seq for f in got]
    assert seqs == sorted(set(seqs)), "frames duplicated or reordered"
    for frame in got:  # no corrupt frame accepted
        assert frame == sent[frame.seq]
    if lo == hi:  # insertion between bytes lo-1 and lo
        touched = [start < lo < end for start, end in spans]
    else:
        touched = [start < hi and lo < end for start, end in spans]
    intact = {i for i, t in enumerate(touched) if not t}
    assert intact <= set(seqs), f"lost untouched frames {sorted(intact - set(seqs))}"
    # every non-empty run between delimiters is either a frame or counted as rejected
    stats = decoder.stats
    runs = sum(1 for run in corrupted.split(b"\x00") if run)
    assert stats.frames == len(got)
    assert runs == stats.frames + stats.crc_errors + stats.malformed + stats.oversized


@FUZZ
@given(
    noise=st.binary(max_size=3000),
    sizes=st.lists(st.integers(1, 500), max_size=6),
)
def test_random_bytes_never_raise_and_chunking_does_not_matter(
    noise: bytes, sizes: list[int]
) -> None:
    whole, pieces = FrameDecoder(), FrameDecoder()
    a = whole.feed(noise)
    b = feed_in_chunks(pieces, noise, sizes)
    assert a == b and whole.stats == pieces.stats
    for frame in a:  # anything accepted is well formed and re-encodes to valid bytes
        assert FrameDecoder().feed(encode_frame(frame)) == [frame]


@pytest.mark.slow  # > 3 s: the default suite stays under its 4 min budget
@settings(max_examples=30, deadline=None)
@given(st.data())
def test_one_byte_pieces_and_64k_bursts_give_identical_frames(data: st.DataObject) -> None:
    sent = [data.draw(frames_with_seq(i % 65536)) for i in range(40)]
    junk = data.draw(st.binary(max_size=100))
    stream = junk + b"\x00" + b"".join(encode_frame(f) for f in sent) * 40
    one, burst = FrameDecoder(), FrameDecoder()
    by_byte = [f for i in range(len(stream)) for f in one.feed(stream[i : i + 1])]
    by_burst = feed_in_chunks(burst, stream, [65536])
    assert by_byte == by_burst
    assert by_byte[-40:] == sent
    assert one.stats == burst.stats
