"""Reassembly of frames into blocks: sequence wrap, gaps, duplicates, restarts, clock drift."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from crampdetect.ingest.blocks import Reassembler, StreamInfo
from crampdetect.ingest.clock import ClockMap
from crampdetect.ingest.frames import FrameDecoder, SampleFrame, StatusFrame
from crampdetect.ingest.sim import BoardEmulator

FS = 1000
N = 25  # samples per frame


def signal(n_samples: int, n_channels: int = 2) -> np.ndarray:
    """Counts that identify their sample index, so reordering or duplication shows."""
    i = np.arange(n_samples)
    return np.stack([(i * 7 + 100 * c) % 1024 for c in range(n_channels)]).astype(np.uint16)


def frame(seq: int, first: int, data: np.ndarray) -> SampleFrame:
    t_us = (first * 1_000_000 // FS) % (1 << 32)
    return SampleFrame(seq % 65536, t_us, 0b11, data[:, first : first + N])


def status(seq: int = 0) -> StatusFrame:
    return StatusFrame(seq, 0, "test", FS, 10, "raw", 255, 0, 0b11)


def check_blocks(blocks, data: np.ndarray) -> None:
    """Every block holds exactly the samples of its index range; indices only increase."""
    stop = 0
    for b in blocks:
        assert b.start >= stop and b.start == stop + b.gap
        np.testing.assert_array_equal(b.data, data[:, b.start : b.stop])
        stop = b.stop


def test_contiguous_frames_give_contiguous_blocks_across_seq_wrap():
    data = signal(N * 300)
    r = Reassembler(block_s=None)  # one block per frame
    frames = [status()] + [frame(65400 + k, k * N, data) for k in range(300)]
    blocks = r.feed(frames, host_s=0.0)
    assert len(blocks) == 300
    check_blocks(blocks, data)
    assert all(b.gap == 0 for b in blocks)
    assert r.stats.lost_frames == r.stats.duplicates == 0
    assert blocks[0].channels == ("calf_left", "calf_right") and blocks[0].fs == FS


def test_lost_frames_become_gaps_and_duplicates_are_dropped():
    data = signal(N * 20)
    keep = [0, 1, 2, 2, 5, 6, 4, 6, 9, 10]  # 2 and 6 twice, 4 late, 3/7/8 lost
    r = Reassembler(block_s=None)  # one block per frame
    blocks = r.feed([status()] + [frame(k, k * N, data) for k in keep], host_s=0.0)
    check_blocks(blocks, data)
    assert [b.start // N for b in blocks] == [0, 1, 2, 5, 6, 9, 10]
    assert [b.gap for b in blocks] == [0, 0, 0, 2 * N, 0, 2 * N, 0]
    assert r.stats.duplicates == 2 and r.stats.stale == 1
    assert r.stats.lost_frames == 4 and r.stats.gaps == 2


def test_samples_the_device_dropped_are_counted_from_device_time():
    """Contiguous sequence numbers but a jump in device time: the board's buffer overflowed."""
    data = signal(N * 10)
    r = Reassembler(block_s=None)  # one block per frame
    frames = [status(), frame(0, 0, data), frame(1, N, data), frame(2, 3 * N, data)]
    blocks = r.feed(frames, host_s=0.0)
    assert [b.gap for b in blocks] == [0, 0]  # a jump waits for a frame that confirms it
    blocks += r.feed([frame(3, 4 * N, data)], host_s=0.0)
    assert [b.gap for b in blocks] == [0, 0, N, 0]
    check_blocks(blocks, data)


def test_device_restart_starts_a_new_segment_sized_by_host_time():
    data = signal(N * 10)
    r = Reassembler(block_s=None)  # one block per frame
    blocks = r.feed([status(), frame(0, 0, data), frame(1, N, data)], host_s=10.0)
    # Cable out and back in; the board was reset: seq and device time start again at 0.
    r.link_reset()
    after = r.feed([frame(0, 0, data), frame(1, N, data)], host_s=15.05)
    assert r.stats.restarts == 1
    assert after[0].start > blocks[-1].stop
    assert after[0].gap == pytest.approx(5.0 * FS, abs=0.1 * FS)
    assert after[1].start == after[0].stop and after[1].gap == 0


def test_a_repeat_of_the_last_frame_after_a_reconnect_is_a_duplicate_not_a_restart():
    """bleak may deliver the last notification again once the link is back: same seq, time
    and samples. It is dropped; the frames after it continue the stream without a gap."""
    data = signal(N * 20)
    r = Reassembler(block_s=None)  # one block per frame
    blocks = r.feed([status()] + [frame(k, k * N, data) for k in range(10)], host_s=10.0)
    r.link_reset()
    blocks += r.feed([frame(9, 9 * N, data)], host_s=10.6)  # the repeat
    blocks += r.feed([frame(k, k * N, data) for k in range(10, 20)], host_s=10.6)
    blocks += r.flush()
    assert r.stats.duplicates == 1 and r.stats.restarts == 0
    check_blocks(blocks, data)
    assert blocks[-1].stop == 20 * N and all(b.gap == 0 for b in blocks)


@pytest.mark.parametrize("change", ["t_us", "samples"])
def test_a_restarted_board_reusing_the_last_seq_is_still_a_restart(change):
    """After a reconnect, a frame with the last sequence number but another device time or
    other samples is not the repeat: the board restarted."""
    data = signal(N * 20)
    r = Reassembler(block_s=None)  # one block per frame
    blocks = r.feed([status()] + [frame(k, k * N, data) for k in range(10)], host_s=10.0)
    r.link_reset()
    first = frame(9, 9 * N, data)
    if change == "t_us":
        first = SampleFrame(9, 0, 0b11, first.samples)
    else:
        first = SampleFrame(9, first.t_us, 0b11, first.samples ^ 1)
    after = r.feed([first, SampleFrame(10, first.t_us + N * 1000, 0b11, data[:, :N])], 15.0)
    assert r.stats.restarts == 1 and r.stats.duplicates == 0
    assert after[0].start > blocks[-1].stop and after[0].gap > 0


def test_a_run_of_consecutive_old_frames_is_a_restart_not_duplicates():
    """A board reset without a link event (watchdog) must not have its frames dropped forever."""
    data = signal(N * 60)
    r = Reassembler(block_s=None)  # one block per frame
    before = r.feed([status()] + [frame(k, k * N, data) for k in range(40)], host_s=100.0)
    after = r.feed([frame(k, k * N, data) for k in range(20)], host_s=103.0)
    assert r.stats.restarts == 1
    assert r.stats.stale + r.stats.duplicates == 7  # the first frames looked like late repeats
    assert len(after) == 13 and after[0].start > before[-1].stop
    assert all(b.gap == 0 for b in after[1:])


def test_frames_wait_for_the_first_status_frame():
    data = signal(N * 4)
    r = Reassembler(block_s=None)  # one block per frame
    at_500_hz = SampleFrame(1, N * 2000, 0b11, data[:, N : 2 * N])
    assert r.feed([frame(0, 0, data), at_500_hz], host_s=0.0) == []
    blocks = r.feed([StatusFrame(0, 0, "t", 500, 12, "env", 80, 0, 3)], host_s=0.1)
    assert len(blocks) == 2 and blocks[0].fs == 500
    assert r.info.representation.signal == "env" and r.info.representation.adc_bits == 12
    assert r.info.confirmed and r.info.battery_pct == 80


def test_clock_map_corrects_drift_and_ignores_latency_jitter():
    rng = np.random.default_rng(1)
    clock = ClockMap()
    drift = 80e-6  # the device clock is 80 ppm slow
    device = np.arange(0, 120, 0.025)
    true_host = 1000.0 + device * (1 + drift)
    received = true_host + 0.002 + rng.exponential(0.008, device.size)  # USB/BLE latency
    errors = []
    for d, h, t in zip(device, received, true_host, strict=True):
        clock.update(d, h)
        errors.append(clock.to_host(d) - t)
    late = np.abs(np.array(errors[-1000:]))
    naive = np.abs(received[-1000:] - true_host[-1000:])
    assert clock.drift_ppm == pytest.approx(80, abs=15)
    # The 2 ms latency floor cannot be seen from the host; what is left is the fit's error.
    assert np.abs(late - 0.002).max() < 0.0015
    assert np.median(late) < np.median(naive) / 3


def test_device_timebase_gives_stream_seconds():
    data = signal(N * 4)
    r = Reassembler(StreamInfo(confirmed=True), timebase="device", block_s=None)
    frames = [frame(0, 0, data), frame(2, 2 * N, data), frame(3, 3 * N, data)]
    blocks = r.feed(frames, host_s=123.0)
    assert [b.t0 for b in blocks] == [0.0, pytest.approx(2 * N / FS), pytest.approx(3 * N / FS)]


def test_blocks_end_on_window_boundaries_and_at_gaps():
    data = signal(N * 40)
    r = Reassembler(block_s=0.1)  # 100 samples at 1 kHz
    keep = [k for k in range(40) if k not in (9, 10, 11)]  # 75 samples lost at 225..300
    blocks = r.feed([status()] + [frame(k, k * N, data) for k in keep], host_s=0.0) + r.flush()
    check_blocks(blocks, data)
    assert [(b.start, b.stop, b.gap) for b in blocks] == [
        (0, 100, 0),
        (100, 200, 0),
        (200, 225, 0),  # cut short by the gap
        (300, 400, 75),
        *[(a, a + 100, 0) for a in range(400, 1000, 100)],
    ]
    assert r.flush() == []


def _decode_all(stream: bytes, cuts: list[int]) -> list:
    decoder, r = FrameDecoder(), Reassembler()
    blocks = []
    edges = [0, *sorted(c % (len(stream) + 1) for c in cuts), len(stream)]
    for a, b in itertools.pairwise(edges):
        blocks += r.feed(decoder.feed(stream[a:b]), host_s=a / 1e5)  # bytes at 100 kB/s
    return blocks


def _captured_stream() -> tuple[bytes, np.ndarray]:
    board = BoardEmulator(FS, 2, 10, "raw", N)
    data = signal(3000)
    stream = board.frames_for(data[:, :1000])
    board.frames_for(data[:, 1000:1250])  # lost on the way
    board.skip(250)  # never sampled (the board's buffer overflowed)
    stream += board.frames_for(data[:, 1500:])
    return stream, data


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10**6), max_size=60))
def test_any_cut_of_the_byte_stream_gives_identical_blocks(cuts):
    stream, data = _captured_stream()
    whole = _decode_all(stream, [])
    split = _decode_all(stream, cuts)
    assert [(b.start, b.gap) for b in split] == [(b.start, b.gap) for b in whole]
    for a, b in zip(split, whole, strict=True):
        np.testing.assert_array_equal(a.data, b.data)
    check_blocks(whole, data)
    assert sum(b.gap for b in whole) == 500


def test_one_byte_pieces_and_64k_bursts_give_identical_blocks():
    stream, _ = _captured_stream()
    ones = _decode_all(stream, list(range(len(stream))))
    bursts = _decode_all(stream, list(range(0, len(stream), 65536)))
    assert len(ones) == len(bursts)
    for a, b in zip(ones, bursts, strict=True):
        assert (a.start, a.gap, a.fs, a.channels) == (b.start, b.gap, b.fs, b.channels)
        np.testing.assert_array_equal(a.data, b.data)


frames_strategy = st.lists(
    st.one_of(
        st.builds(
            lambda seq, t_us, mask, n, v: SampleFrame(
                seq, t_us, mask, np.full((mask.bit_count(), n), v, np.uint16)
            ),
            st.integers(0, 65535),
            st.integers(0, 2**32 - 1),
            st.sampled_from([1, 2, 3, 4]),
            st.integers(1, 60),
            st.integers(0, 65535),
        ),
        st.builds(
            lambda seq, rate, bits, sig: StatusFrame(seq, 0, "x", rate, bits, sig, 0, 0, 3),
            st.integers(0, 65535),
            st.sampled_from([0, 1, 100, 500, 1000, 65535]),
            st.sampled_from([0, 10, 12, 200]),
            st.sampled_from(["raw", "env"]),
        ),
    ),
    max_size=80,
)


@settings(max_examples=150, deadline=None)
@given(frames_strategy, st.sampled_from([None, 0.1]))
def test_arbitrary_frames_never_crash_and_never_go_backwards(frames, block_s):
    r = Reassembler(block_s=block_s)
    blocks = []
    for k in range(0, len(frames), 7):
        blocks += r.feed(frames[k : k + 7], host_s=k * 0.01)
    blocks += r.flush()
    stop = 0
    for b in blocks:
        assert b.start == stop + b.gap and b.gap >= 0
        assert b.data.shape == (len(b.channels), b.n_samples) and b.n_samples > 0
        assert 10 <= b.fs <= 20_000 and np.isfinite(b.t0)
        stop = b.stop
    accepted = sum(b.n_samples for b in blocks)
    assert accepted == r.stats.samples


# -- frames that passed the CRC but are corrupt ------------------------------------------------


def _stream_with(bad: SampleFrame, at: int, n_frames: int = 30):
    """Frames 0..n_frames-1 with frame ``at`` replaced by ``bad``; returns (blocks, stats)."""
    data = signal(N * n_frames)
    frames = [status()] + [frame(k, k * N, data) for k in range(n_frames)]
    frames[1 + at] = bad
    r = Reassembler(block_s=None)
    blocks = []
    for k in range(0, len(frames), 3):  # a few frames per chunk, like a live link
        blocks += r.feed(frames[k : k + 3], host_s=k * 0.025)
    blocks += r.flush()
    return blocks, r.stats, data


@pytest.mark.parametrize(
    "change",
    [
        {"seq": 10 + 17_000},  # a bad seq would add 17,000 "lost frames"
        {"seq": 10 - 5_000},  # far behind: looked like a restart
        {"t_us": 10 * N * 1000 + 1_000_000_000},  # a false gap of ~17 minutes
        {"t_us": 10 * N * 1000 - 7 * N * 1000},  # back in time
        {"seq": 12, "t_us": 10 * N * 1000},  # next-but-one seq, time of this frame
        {"channel_mask": 0b101},  # another channel set
    ],
)
def test_a_corrupt_frame_does_not_bend_the_timeline(change):
    data = signal(N * 30)
    good = frame(10, 10 * N, data)
    fields = {"seq": good.seq, "t_us": good.t_us, "channel_mask": good.channel_mask}
    bad = SampleFrame(**(fields | change), samples=good.samples)
    blocks, stats, data = _stream_with(bad, 10)
    check_blocks(blocks, data)
    # Only the corrupt frame is missing: one gap of one frame, counted as one lost frame.
    assert [b.gap for b in blocks if b.gap] == [N]
    assert stats.lost_frames == 1 and stats.gap_samples == N and stats.restarts == 0
    assert blocks[-1].stop == 30 * N
    assert stats.implausible >= 1


def test_samples_beyond_the_adc_range_are_dropped():
    data = signal(N * 30)
    bad = frame(10, 10 * N, data)
    samples = bad.samples.copy()
    samples[1, 3] = 1024  # a 10-bit ADC cannot produce it
    blocks, stats, _ = _stream_with(SampleFrame(10, bad.t_us, 0b11, samples), 10)
    check_blocks(blocks, data)
    assert stats.implausible == 1 and stats.lost_frames == 1 and stats.gap_samples == N
    # The same value is fine from a 12-bit board.
    r = Reassembler(block_s=None)
    twelve = StatusFrame(0, 0, "esp32", FS, 12, "raw", 255, 0, 0b11)
    out = r.feed([twelve, SampleFrame(0, 0, 0b11, samples)], host_s=0.0)
    assert len(out) == 1 and r.stats.implausible == 0


def test_a_jump_confirmed_by_the_next_frame_is_believed_at_once_then():
    data = signal(N * 30)
    r = Reassembler(block_s=None)
    assert len(r.feed([status(), frame(0, 0, data), frame(1, N, data)], 0.0)) == 2
    assert r.feed([frame(5, 5 * N, data)], 0.1) == []  # held: could be a corrupt seq
    out = r.feed([frame(6, 6 * N, data)], 0.12)
    assert [(b.start, b.gap) for b in out] == [(5 * N, 3 * N), (6 * N, 0)]
    assert r.stats.lost_frames == 3 and r.stats.implausible == 0
    # A jump at the very end of a stream is kept if it is exactly where its seq puts it.
    assert r.feed([frame(9, 9 * N, data)], 0.2) == []
    assert [(b.start, b.gap) for b in r.flush()] == [(9 * N, 2 * N)]


def test_a_corrupt_status_frame_does_not_change_the_rate():
    data = signal(N * 20)
    r = Reassembler(block_s=None)
    blocks = r.feed([status()] + [frame(k, k * N, data) for k in range(10)], 0.0)
    blocks += r.feed([StatusFrame(10, 0, "test", 2 * FS, 10, "raw", 255, 0, 0b11)], 0.3)
    blocks += r.feed([frame(k, k * N, data) for k in range(10, 20)], 0.5)
    assert r.info.fs == FS and {b.fs for b in blocks} == {FS}
    check_blocks(blocks, data)
    assert blocks[-1].stop == 20 * N and r.stats.lost_frames == 0
    # The same change said twice is believed (a real set_rate).
    r.feed([StatusFrame(20, 0, "test", 2 * FS, 10, "raw", 255, 0, 0b11)] * 2, 1.0)
    assert r.info.fs == 2 * FS


def _raw_frame(f) -> bytearray:
    from crampdetect.ingest.frames import cobs_decode, encode_frame

    return bytearray(cobs_decode(encode_frame(f)[:-1]))


@settings(max_examples=60, deadline=None)
# Two frames in a row with the same bit of their sequence number flipped (both missed by the
# CRC) look like a jump confirmed by its successor, though their device times say "next frame".
@example(damage=[(1, [19]), (2, [19])], lost=set(), chunk=1)
@example(damage=[(1, [18]), (2, [18])], lost={5}, chunk=7)
# The same device-time bit flipped in frames 72 and 74 (512 µs: just over half a sample): the
# two confirmed each other and bent the timeline; frame 73 places them where their numbers say.
@example(damage=[(72, [41]), (74, [41])], lost=set(), chunk=1)
@given(
    st.lists(
        st.tuples(st.integers(1, 118), st.lists(st.integers(0, 10_000), min_size=1, max_size=12)),
        max_size=12,
    ),
    st.sets(st.integers(1, 119), max_size=10),
    st.integers(1, 300),
)
def test_crc_valid_damage_changes_the_timeline_by_at_most_one_frame(damage, lost, chunk):
    """Bits flipped in frames whose CRC is then recomputed (as if the CRC had missed them):
    every wrong sample run is at most one frame, and gaps and lost frames are exact."""
    import binascii
    import struct

    from crampdetect.ingest.frames import cobs_encode

    n_frames = 120
    data = signal(N * n_frames)
    raws = [_raw_frame(frame(k, k * N, data)) for k in range(n_frames)]
    for k, bits in damage:
        body = raws[k][:-2]
        for bit in bits:
            body[bit // 8 % len(body)] ^= 1 << (bit % 8)
        raws[k] = body + struct.pack("<H", binascii.crc_hqx(bytes(body), 0xFFFF))
    wire = _raw_frame(status())
    stream = cobs_encode(bytes(wire)) + b"\0"
    stream += b"".join(cobs_encode(bytes(r)) + b"\0" for k, r in enumerate(raws) if k not in lost)
    decoder, r = FrameDecoder(), Reassembler(block_s=0.1)
    blocks = []
    for i in range(0, len(stream), chunk):
        blocks += r.feed(decoder.feed(stream[i : i + chunk]), host_s=i / 50_000)
    blocks += r.flush()
    covered = np.zeros(N * n_frames, bool)
    wrong = np.zeros(N * n_frames, bool)
    for b in blocks:
        assert b.stop <= N * n_frames and b.fs == FS
        covered[b.start : b.stop] = True
        wrong[b.start : b.stop] = (b.data != data[:, b.start : b.stop]).any(axis=0)
    runs = np.diff(np.flatnonzero(np.diff(np.r_[0, wrong.astype(np.int8), 0])))[::2]
    assert runs.max(initial=0) <= N
    last = int(np.flatnonzero(covered)[-1]) + 1
    assert r.stats.gap_samples == int((~covered[:last]).sum())
    assert r.stats.lost_frames == int((~covered[:last]).reshape(-1, N).all(axis=1).sum())
    assert r.stats.restarts == 0
