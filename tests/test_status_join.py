"""A monitor that joins a board already streaming: the sample frames before the board's next
status frame (sent once a second) wait for it, however far into the status period the host
joins; no "update the firmware" warning then, no sample lost. A board that truly sends no
status frame is still monitored on what is assumed, and the monitor says so."""

from __future__ import annotations

import io
import itertools
import os
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crampdetect.cli._statusview import MessageLines
from crampdetect.ingest.blocks import Reassembler
from crampdetect.ingest.frames import FrameDecoder
from crampdetect.ingest.ptyboard import PtyBoard, StopWhenPlayed
from crampdetect.ingest.serial import SerialTransport
from crampdetect.ingest.sim import BoardEmulator
from crampdetect.ingest.sources import BoardSource
from crampdetect.pipeline.live import LiveMonitor

FS = 1000
NO_STATUS = "no status frame (protocol type 2) from the board"


def _counts(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(512 + rng.normal(0, 20, (2, n)), 0, 1023)


def _joined(join_s: float, status: bool = True) -> BoardEmulator:
    """A board that has streamed ``join_s`` s nobody heard (its status frames included)."""
    board = BoardEmulator(FS, 2, 10, "raw")
    if not status:
        board._next_status_index = 1 << 62  # an old firmware: no status frame, ever
    board.frames_for(_counts(round(join_s * FS), seed=1))  # bytes into no host
    return board


def _wire(join_s: float, after_s: float, status: bool = True) -> bytes:
    board = _joined(join_s, status)
    return board.frames_for(_counts(round(after_s * FS))) + board.flush()


def _feed(wire: bytes, cuts: list[int]) -> list:
    """Blocks of ``wire`` cut at ``cuts`` (then flushed)."""
    r, dec = Reassembler(), FrameDecoder()
    blocks = []
    bounds = [0, *sorted(c % (len(wire) + 1) for c in cuts), len(wire)]
    for k, (a, b) in enumerate(itertools.pairwise(bounds)):
        blocks += r.feed(dec.feed(wire[a:b]), host_s=0.01 * k)
    return blocks + r.flush()


def _by_frame(wire: bytes) -> tuple[list, list[bool]]:
    """Blocks of ``wire`` fed one frame at a time, and whether the stream was confirmed (a
    status frame came) when each was released."""
    r = Reassembler()
    blocks, confirmed = [], []
    for k, frame in enumerate(FrameDecoder().feed(wire)):
        out = r.feed([frame], host_s=0.01 * k)
        blocks += out
        confirmed += [r.info.confirmed] * len(out)
    out = r.flush()
    return blocks + out, confirmed + [r.info.confirmed] * len(out)


@pytest.mark.parametrize("join_s", [0.0, 0.05, 0.35, 0.36, 0.7, 0.99, 1.5, 2.2, 3.64])
def test_frames_wait_for_the_next_status_frame_wherever_the_host_joins(join_s):
    blocks, confirmed = _by_frame(_wire(join_s, 4.0))
    assert blocks and all(confirmed)  # not one block released on the assumed stream
    assert sum(b.n_samples for b in blocks) == 4000  # nothing held was lost
    assert [b.start for b in blocks] == sorted(b.start for b in blocks)


def test_a_board_without_status_frames_is_still_taken_on_the_defaults_after_the_wait():
    blocks, confirmed = _by_frame(_wire(0.4, 4.0, status=False))
    assert not any(confirmed)
    assert sum(b.n_samples for b in blocks) == 4000  # held frames released, none dropped
    # held for the wait, then released at once: the rest of the stream is not held again
    r, dec = Reassembler(), FrameDecoder()
    r.feed(dec.feed(_wire(0.4, 3.0, status=False)), host_s=0.0)
    assert r.held == 0


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from([0.12, 0.5, 0.93]),
    st.booleans(),
    st.lists(st.integers(0, 200_000), max_size=12),
)
def test_the_blocks_of_a_joined_stream_do_not_depend_on_the_byte_cuts(join_s, status, cuts):
    wire = _wire(join_s, 3.0, status)
    ref, got = _feed(wire, []), _feed(wire, cuts)
    assert [(b.start, b.gap, b.data.tolist()) for b in got] == [
        (b.start, b.gap, b.data.tolist()) for b in ref
    ]


def _monitor_joined(tmp_path, join_s: float, status: bool = True) -> tuple[str, object]:
    """``monitor`` on a real pty whose board has been streaming ``join_s`` s, 3 s more in real
    time (each read brings what a board sends in a tenth of a second): its lines."""
    board = _joined(join_s, status)
    t = np.arange(3000) / FS
    data = _counts(t.size)
    chunks = [(t[k : k + 50] + join_s, data[:, k : k + 50]) for k in range(0, t.size, 50)]
    pty = PtyBoard(chunks, board, tmp_path / "ttyJOIN", speed=1)
    said = io.StringIO()
    source = BoardSource(SerialTransport(pty.path), timebase="device")
    monitor = LiveMonitor(source, "night", view=MessageLines(said))
    stop = threading.Event()
    with source:
        pty.start()
        summary = monitor.run(60, stop, on_pass=StopWhenPlayed(pty, source.transport.queue, stop))
    pty.close()
    return said.getvalue(), summary


@pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")
@pytest.mark.parametrize("join_s", [0.05, 0.2, 0.35, 0.7])
def test_a_monitor_joining_a_streaming_board_on_a_pty_gives_no_firmware_warning(tmp_path, join_s):
    said, summary = _monitor_joined(tmp_path, join_s)
    assert NO_STATUS not in said and "update the firmware" not in said
    assert summary.stream_s == pytest.approx(3.0, abs=0.02)  # every sample monitored


@pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")
def test_a_board_that_sends_no_status_frame_on_a_pty_is_still_named(tmp_path):
    said, summary = _monitor_joined(tmp_path, 0.35, status=False)
    assert said.count(NO_STATUS) == 1 and "1000 Hz, 10 bits, signal raw" in said
    assert summary.stream_s == pytest.approx(3.0, abs=0.02)
