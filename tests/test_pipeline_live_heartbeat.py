"""The heartbeat keeps going while the monitor works through a long read: a host slower than
its source (``demo --speed 1000`` on a busy machine) gets minutes of signal in one read, and
the firmware stops the motor after 3 s without a host frame, so the link must not look dead."""

from __future__ import annotations

import itertools
import time

from crampdetect.pipeline.live import HEARTBEAT_S, LiveMonitor
from tests.test_pipeline_live_backlog import ScheduledSource, _recorded


class PingClock(ScheduledSource):
    """Keeps the wall time of every ping."""

    def __init__(self, reads) -> None:
        super().__init__(reads)
        self.pings: list[float] = []

    def send(self, command: str, **fields: object) -> bool:
        if command == "ping":
            self.pings.append(time.monotonic())
        return super().send(command, **fields)


def test_pings_go_out_between_the_blocks_of_one_long_read():
    blocks = _recorded()[0][:40]  # 4 s of signal, all in one read
    source = PingClock([(0.0, blocks)])
    monitor = LiveMonitor(source, "night", clock=source.clock)
    started = time.monotonic()
    with source:
        # each block takes 60 ms to go through: the read takes about 2.4 s
        monitor.run(on_block=lambda block, out: time.sleep(0.06))
    ended = time.monotonic()
    assert ended - started > 2.0
    times = [started, *source.pings, ended]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert max(gaps) < HEARTBEAT_S + 0.5, gaps
