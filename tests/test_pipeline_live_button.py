"""The board's acknowledge button through the host: a ButtonFrame from the board reaches the alert
policy as an acknowledgement, so escalation stops, and the night history (real SQLite) records it
(the firmware side is in test_firmware_sim)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crampdetect.alerts.journal import JournalingPolicy
from crampdetect.alerts.patterns import settings_for
from crampdetect.alerts.policy import AlertPolicy
from crampdetect.ingest.frames import ButtonFrame, encode_frame
from crampdetect.ingest.sources import open_source
from crampdetect.pipeline.live import LiveMonitor
from crampdetect.storage.history import History
from crampdetect.storage.recorder import SessionRecorder

URL = "sim://night-short?seed=3&speed=20"  # paced: the press comes back mid-stream


def run_night(press: bool, history: Path) -> tuple[list, int, list]:
    """Monitor the simulated night; with ``press`` the wearer presses the board's button right
    after the first vibrate command (twice: a notification delivered twice counts once)."""
    source = open_source(URL)
    board = source.transport.board  # type: ignore[attr-defined]
    receive = board.receive
    pressed = []

    def receive_and_press(data: bytes) -> bytes:
        out = receive(data)
        if press and not pressed and board.motor.of_kind("vibrate"):
            frame = encode_frame(ButtonFrame(0, int(board.device_s * 1e6)))
            pressed.append(board.device_s)
            out += frame + frame
        return out

    board.receive = receive_and_press
    with History(history) as db:
        recorder = SessionRecorder(db, "night", ("calf_left", "calf_right"), URL)
        policy = JournalingPolicy(AlertPolicy("night"), recorder)
        with source:
            summary = LiveMonitor(source, "night", policy=policy).run(duration_s=120)
        acks = [row["source"] for row in db.conn.execute("SELECT source FROM acks")]
    assert summary.cramps, "the scenario has no cramp"
    return [c for _, c in board.motor.commands], source.button_presses, acks


HOLD_TICK = settings_for("night").hold_tick.pulses


def prompts(commands: list) -> list:
    """Vibrate commands that are prompts (not the hold timer's ticks that guide a stretch)."""
    return [c for c in commands if c.command == "vibrate" and c.pulses != HOLD_TICK]


@pytest.mark.slow  # real-time device/stream test; run by .ci/run's slow pass
def test_a_board_button_press_stops_escalation_and_is_recorded(tmp_path: Path) -> None:
    unpressed, presses, acks = run_night(press=False, history=tmp_path / "a.sqlite3")
    assert presses == 0 and acks == []
    assert len(prompts(unpressed)) >= 2, "without an ack the policy escalates"

    pressed, presses, acks = run_night(press=True, history=tmp_path / "b.sqlite3")
    assert presses == 1  # the duplicate notification is not a second press
    assert acks == ["button"]
    first = next(i for i, c in enumerate(pressed) if c.command == "vibrate")
    after = pressed[first + 1 :]
    assert after and after[0].command == "stop"  # "acknowledged: prompt silenced"
    assert not prompts(after)  # no escalation; only the stretch hold timer's gentle ticks
