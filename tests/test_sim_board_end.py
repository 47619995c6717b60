"""The simulated board sends every sample it takes: the last partial frame at the end of a
stream (fewer than ``samples_per_frame`` samples) reaches the host too, through ``sim://``
and through the demo's pseudo-terminal."""

from __future__ import annotations

import numpy as np
import pytest
from board_reads import check, counts, read_until

from crampdetect.ingest.frames import FrameDecoder, SampleFrame
from crampdetect.ingest.sim import BoardEmulator
from crampdetect.ingest.sources import open_source


def _received(url: str) -> int:
    source = open_source(url)
    n = 0
    with source:
        while not source.ended:
            n += sum(b.n_samples for b in source.read(0.1))
    return n


@pytest.mark.parametrize("frame", [7, 10, 13])
def test_sim_sends_the_last_partial_frame(frame):
    # 30 s at 1 kHz: 30 000 samples, not a multiple of 7 or 13 (a leftover of 5 or 9)
    url = f"sim://hold?speed=0&duration=30&seed=0&frame={frame}"
    assert _received(url) == 30_000


def test_flush_encodes_the_leftover_as_one_short_frame_after_the_full_ones():
    board = BoardEmulator(1000, 2, 10, "raw", samples_per_frame=10)
    x = np.arange(2 * 25, dtype=float).reshape(2, 25)
    frames = [f for f in FrameDecoder().feed(board.frames_for(x) + board.flush())]
    samples = [f for f in frames if isinstance(f, SampleFrame)]
    assert [f.samples.shape[1] for f in samples] == [10, 10, 5]
    np.testing.assert_array_equal(np.concatenate([f.samples for f in samples], axis=1), x)
    assert [f.seq for f in samples] == [0, 1, 2]
    assert samples[-1].t_us == 20_000  # device time of its first sample
    assert board.flush() == b""  # nothing waits any more


@pytest.mark.skipif(__import__("os").name != "posix", reason="pseudo-terminals are POSIX")
def test_the_demo_board_sends_its_last_partial_frame_through_the_pty(tmp_path):
    """The demo's board (a pseudo-terminal read through pyserial): a stream of 2 013 samples
    in frames of 10 arrives whole, the last 3 samples included."""
    pytest.importorskip("serial")
    from crampdetect.ingest.ptyboard import PtyBoard
    from crampdetect.ingest.serial import SerialTransport
    from crampdetect.ingest.sources import BoardSource

    n_total = 2013
    data = counts(n_total)

    def chunks():
        for a in range(0, n_total, 50):
            b = min(a + 50, n_total)
            yield np.arange(a, b) / 1000, data[:, a:b]

    board = PtyBoard(chunks(), BoardEmulator(1000, 2, 10, "raw"), tmp_path / "ttyACM", speed=0)
    source = BoardSource(SerialTransport(board.path, 500_000))
    with source:
        board.start()
        blocks = read_until(source, n_total - 13, timeout_s=10.0)
        assert board.finished.wait(10.0)
        quiet = 0
        while quiet < 2:  # as the demo stops: the board is done and every byte was read
            got = source.read(timeout_s=0.2)
            blocks += got
            quiet = quiet + 1 if not got and not board.pending() else 0
        blocks += source.drain()  # the last, unfinished block window
    board.close()
    check(blocks, data)
    assert blocks[-1].stop == n_total


def test_wait_played_says_when_the_board_has_queued_its_whole_stream():
    """``SimTransport.wait_played``: a board at ``speed=0`` has its whole stream, its end
    included, queued for the host (one read takes it all); a paced board has not, until it is
    closed."""
    source = open_source("sim://hold?speed=0&duration=10&seed=0")
    with source:
        assert source.transport.wait_played(60.0)
        blocks = source.read(0.0)  # every byte is there: no wait
        assert source.ended
    assert sum(b.n_samples for b in blocks) == 10_000
    paced = open_source("sim://hold?speed=1&duration=30&seed=0")
    with paced:
        assert not paced.transport.wait_played(0.2)  # 30 s of signal in real time
    assert paced.transport.wait_played(5.0)  # closed: the board stopped, its stream ended
