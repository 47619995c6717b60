"""``LiveMonitor.run`` stops between the blocks of one read: a source that fell behind (a fast
simulation on a busy machine, a replay at ``speed=0``) can bring minutes of signal in one
read, and ``--duration`` or Ctrl-C must not wait for all of it to go through the pipeline."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from crampdetect.ingest.sources import open_source
from crampdetect.pipeline.live import LiveMonitor

RECORDING = Path(__file__).resolve().parents[1] / "recordings/ta-sustained-tecchio2023/PL_0_01.csv"


def backlogged(url: str):
    """The source of ``url`` whose first read brings the whole recording at once."""
    source = open_source(url)
    read = source.read

    def read_all(timeout_s: float = 0.1) -> list:
        blocks: list = []
        while not source.ended:
            blocks += read(timeout_s)
        return blocks

    source.read = read_all  # type: ignore[method-assign]
    return source


def test_stop_is_honoured_within_a_long_read() -> None:
    stop = threading.Event()
    source = backlogged(f"file://{RECORDING}?speed=0")
    with source:
        monitor = LiveMonitor(source, "night")
        monitor.run(stop=stop, on_block=lambda block, out: stop.set())
    assert 0 < monitor.received_s < 1.0, monitor.received_s  # one block, not the 17 s read


def test_duration_is_honoured_within_a_long_read() -> None:
    source = backlogged(f"file://{RECORDING}?speed=0")
    with source:
        monitor = LiveMonitor(source, "night")
        monitor.run(0.2, on_block=lambda block, out: time.sleep(0.02))
    # 17 s of signal in ~850 blocks of 20 ms; at 20 ms of wall time per block, 0.2 s lets
    # about 10 through (a slow machine: fewer), far from the whole read.
    assert 0 < monitor.received_s < 8.0, monitor.received_s


def _counting(source):
    """``source`` (a board) with a tally of the samples its reassembler put into blocks."""
    handed = [0]
    reassembler = source.reassembler
    for name in ("feed", "flush"):
        inner = getattr(reassembler, name)

        def counted(*args, _inner=inner, **kwargs):
            blocks = _inner(*args, **kwargs)
            handed[0] += sum(b.n_samples for b in blocks)
            return blocks

        setattr(reassembler, name, counted)
    return source, handed


def _recording_monitor(source, out: Path) -> LiveMonitor:
    from crampdetect.storage.session import SessionWriter

    def recording(block, pipe):
        return SessionWriter(out, fs=block.fs, channels=block.channels,
                             representation=pipe.representation)  # fmt: skip

    return LiveMonitor(source, "night", recording=recording, prompts=False)


def test_stop_keeps_every_received_sample_in_the_recording(tmp_path: Path) -> None:
    """Ctrl-C in the middle of a read: the detector stops there, but the samples already
    received (the rest of the read, the board's unfinished block, bytes still queued) all go
    into the recording."""
    from crampdetect.storage.reader import open_recording

    stop = threading.Event()
    source, handed = _counting(open_source("sim://night-short?speed=0"))
    seen = [0]

    def on_block(block, out) -> None:
        seen[0] += 1
        if seen[0] == 25:
            stop.set()

    monitor = _recording_monitor(source, tmp_path / "s.cdrec")  # before the board starts
    with source:
        monitor.run(stop=stop, on_block=on_block)
    rec = open_recording(tmp_path / "s.cdrec")
    assert monitor.received_s < 20.0  # detection stopped soon after the stop
    assert handed[0] > 0 and rec.n_samples == handed[0], (rec.n_samples, handed[0])


def test_signal_duration_is_recorded_exactly(tmp_path: Path) -> None:
    """``record --duration S``: the recording holds S s of samples, not one block more (the
    block that reaches S is cut there) nor less."""
    from crampdetect.storage.reader import open_recording

    source = open_source("sim://night?speed=0")
    monitor = _recording_monitor(source, tmp_path / "d.cdrec")  # as record: before the board
    with source:
        monitor.run(signal_s=240.0)
    rec = open_recording(tmp_path / "d.cdrec")
    assert rec.n_samples == 240_000 and monitor.received_s == pytest.approx(240.0)
