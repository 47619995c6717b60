"""Serial transport through pyserial on real pseudo-terminals: slices, reconnection, commands."""

from __future__ import annotations

import os
import select
import time
import tty

import numpy as np
import pytest
from board_reads import check, counts, read_until

from crampdetect.core import InputError
from crampdetect.ingest.frames import FrameDecoder
from crampdetect.ingest.ptyboard import PtyBoard
from crampdetect.ingest.serial import SerialTransport
from crampdetect.ingest.sim import BoardEmulator
from crampdetect.ingest.sources import BoardSource

pytestmark = pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")

FS = 1000


def test_frames_written_in_odd_slices_come_out_as_blocks():
    data = counts(4000)
    board = BoardEmulator(FS, 2, 10, "raw", 25)
    stream = board.frames_for(data[:, :2000])
    board.frames_for(data[:, 2000:2250])  # ten frames lost before reaching the host
    stream += board.frames_for(data[:, 2250:])
    master, slave = os.openpty()
    tty.setraw(slave)
    source = BoardSource(SerialTransport(os.ttyname(slave), 500_000))
    with source:
        sizes = [1, 7, 13, 250, 3, 4096, 61]
        pos = k = 0
        while pos < len(stream):
            n = sizes[k % len(sizes)]
            os.write(master, stream[pos : pos + n])
            pos, k = pos + n, k + 1
        blocks = read_until(source, 4000)
    os.close(master)
    os.close(slave)
    check(blocks, data)
    assert blocks[-1].stop == 4000
    assert sum(b.gap for b in blocks) == 250
    assert source.stats.lost_frames == 10 and source.stats.crc_errors == 0


def test_unplug_and_replug_reconnects_and_counts_the_gap(tmp_path):
    n_total, n_chunk = 30_000, 50
    data = counts(n_total)

    def chunks():
        # The cable is pulled after 5 s of signal and put back 2 s later (board time).
        for k, a in enumerate(range(0, n_total, n_chunk)):
            if k == 100:
                board.unplug()
            elif k == 140:
                board.replug()
            yield np.arange(a, a + n_chunk) / FS, data[:, a : a + n_chunk]

    board = PtyBoard(chunks(), BoardEmulator(FS, 2, 10, "raw", 25), tmp_path / "ttyUSB", speed=10)
    source = BoardSource(SerialTransport(board.path, 500_000))
    with source:
        board.start()
        blocks = read_until(source, n_total)
        assert source.send("vibrate", pulses=((500, 200),))
        deadline = time.monotonic() + 10
        while not source.acks and time.monotonic() < deadline:
            source.read(timeout_s=0.2)  # until the board's acknowledgement is back
        stats = source.stats
    board.close()
    check(blocks, data)
    assert blocks[-1].stop == n_total
    assert stats.reconnects == 1
    assert stats.gaps >= 1 and stats.gap_samples == sum(b.gap for b in blocks)
    assert stats.gap_samples >= 2000  # at least the two seconds the cable was out
    assert sum(b.n_samples for b in blocks) + stats.gap_samples == n_total
    assert stats.crc_errors <= 1  # at most the frame cut by the unplug
    assert board.board.motor.of_kind("vibrate")[0][1].pulses == ((500, 200),)
    assert [a.acked_seq for a in source.acks] == [0] and source.acks[0].status == 0


def test_missing_port_is_an_input_error(tmp_path):
    source = BoardSource(SerialTransport(str(tmp_path / "ttyNONE")))
    with pytest.raises(InputError, match="cannot open serial port"):
        source.__enter__()


def test_commands_are_encoded_frames_on_the_wire():
    master, slave = os.openpty()
    tty.setraw(slave)
    source = BoardSource(SerialTransport(os.ttyname(slave)))
    with source:
        assert source.send("ping") and source.send("stop")
        got = b""
        deadline = time.monotonic() + 5
        while got.count(b"\x00") < 2 and time.monotonic() < deadline:
            if select.select([master], [], [], 0.5)[0]:
                got += os.read(master, 100)
    os.close(master)
    os.close(slave)
    frames = FrameDecoder().feed(got)
    assert [(f.seq, f.command) for f in frames] == [(0, "ping"), (1, "stop")]


def _blocks_through_pty(stream: bytes, piece: int, n_samples: int) -> list:
    master, slave = os.openpty()
    tty.setraw(slave)
    source = BoardSource(SerialTransport(os.ttyname(slave)))
    with source:
        for pos in range(0, len(stream), piece):
            view = memoryview(stream)[pos : pos + piece]
            while view:
                view = view[os.write(master, view) :]
        blocks = read_until(source, n_samples)
    os.close(master)
    os.close(slave)
    return blocks


def test_one_byte_writes_and_64k_bursts_through_a_pty_give_identical_blocks():
    data = counts(3000)
    board = BoardEmulator(FS, 2, 10, "raw", 10)
    stream = board.frames_for(data[:, :1200])
    board.frames_for(data[:, 1200:1500])  # lost on the way
    stream += board.frames_for(data[:, 1500:])
    ones = _blocks_through_pty(stream, 1, 3000)
    bursts = _blocks_through_pty(stream, 65536, 3000)
    key = [(b.start, b.gap, b.n_samples) for b in ones]
    assert key == [(b.start, b.gap, b.n_samples) for b in bursts]
    for a, b in zip(ones, bursts, strict=True):
        np.testing.assert_array_equal(a.data, b.data)
    check(ones, data)
    assert sum(b.gap for b in ones) == 300


def test_corrupted_bytes_cost_only_their_frames():
    data = counts(3000)
    stream = bytearray(BoardEmulator(FS, 2, 10, "raw", 10).frames_for(data))
    rng = np.random.default_rng(7)
    hits = rng.choice(len(stream), 12, replace=False)
    for i in hits:
        stream[i] ^= 0x5A  # line noise
    stream[len(stream) // 2 : len(stream) // 2] = b"\x00garbage\xff\x00"
    master, slave = os.openpty()
    tty.setraw(slave)
    source = BoardSource(SerialTransport(os.ttyname(slave)))
    with source:
        os.write(master, bytes(stream))
        blocks = read_until(source, 3000)
    os.close(master)
    os.close(slave)
    check(blocks, data)  # what got through is exact and in place
    stats = source.stats
    assert stats.crc_errors + stats.malformed >= 1
    assert 1 <= stats.lost_frames <= 12 + 2  # a hit frame is lost; delimiter hits cost two
    assert sum(b.n_samples for b in blocks) + stats.gap_samples == blocks[-1].stop
