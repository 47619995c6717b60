"""``LiveMonitor.run`` stops between the blocks of one read: a source that fell behind (a fast
simulation on a busy machine, a replay at ``speed=0``) can bring minutes of signal in one
read, and ``--duration`` or Ctrl-C must not wait for all of it to go through the pipeline."""

from __future__ import annotations

import threading
import time
from pathlib import Path

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
