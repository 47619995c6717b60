"""`LiveMonitor(prompts=False)`, the loop under `record` and `calibrate`: the same events, and
no motor command reaches the board (no vibrate, no stop) while a cramp is alerted."""

from __future__ import annotations

import pytest

from crampdetect.ingest.sources import open_source
from crampdetect.pipeline.live import LiveMonitor

URL = "sim://cramp?speed=0&duration=120&seed=2"


def run(prompts: bool) -> tuple[list, list, float]:
    source = open_source(URL)
    board = source.transport.board  # type: ignore[attr-defined]
    with source:
        monitor = LiveMonitor(source, "night", prompts=prompts)
        summary = monitor.run()
    return summary.events, [c.command for _, c in board.motor.commands], monitor.received_s


def test_without_prompts_the_board_hears_nothing_and_events_are_the_same() -> None:
    quiet_events, quiet_commands, received_s = run(prompts=False)
    events, commands, _ = run(prompts=True)
    assert any(e.kind == "cramp" for e in events), "the scenario has no cramp"
    assert "vibrate" in commands and "stop" in commands
    assert quiet_commands == []
    assert quiet_events == events
    assert received_s == pytest.approx(120.0)
