"""`crampdetect monitor` end to end: simulated boards (sim:// and a real pty), JSON events,
commands reaching the board, reconnection mid-stream, clean shutdown, bad sources."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from crampdetect.core import Representation
from crampdetect.ingest.frames import FrameDecoder
from crampdetect.ingest.ptyboard import PtyBoard, StopWhenPlayed
from crampdetect.ingest.serial import SerialTransport
from crampdetect.ingest.sim import BoardEmulator
from crampdetect.ingest.sources import BoardSource
from crampdetect.pipeline.live import LiveMonitor
from crampdetect.simulate import simulate

REP = Representation("raw", "counts", 10)


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crampdetect", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def labelled_cramps(seed: int) -> list[dict]:
    labels = simulate("night-short", seed=seed, representation=REP).labels
    return [d for d in labels["intervals"] if d["kind"] == "cramp"]


def offline_events(seed: int) -> list[dict]:
    """Events of the pipeline run directly on the counts the simulated board sends."""
    from crampdetect.core import Block
    from crampdetect.pipeline import Pipeline

    session = simulate("night-short", seed=seed, representation=REP)
    pipeline = Pipeline(1000.0, session.channels, REP, "night")
    events = []
    for time_s, data in session.iter_chunks(1.0):
        counts = np.clip(np.rint(data), 0, 1023)
        start = round(time_s[0] * 1000)
        block = Block(counts, 1000.0, start, start / 1000.0, 0, session.channels)
        events += pipeline.push(block).events
    events += pipeline.finish().events
    return [{"id": e.id, **e.to_dict()} for e in events]  # as --json-events prints them


def test_monitor_sim_prints_the_same_json_events_as_the_pipeline_offline():
    """Through the board emulator, the wire format, decoder, reassembler and monitor loop, the
    events are exactly those of the pipeline run on the samples directly."""
    res = cli("monitor", "sim://night-short?seed=3&speed=0", "--json-events", "--no-view")
    assert res.returncode == 0, res.stderr
    events = [json.loads(line) for line in res.stdout.splitlines()]
    expected = offline_events(3)
    assert events == expected
    assert any(e["kind"] == "cramp" for e in events)  # the scenario holds one cramp


@pytest.mark.parametrize(
    "url, message",
    [
        ("tcp://localhost:1", "unsupported source"),
        ("serial:///dev/nonexistent-tty", "cannot open serial port"),
        ("sim://no-such-scenario", "Unknown scenario"),
        ("sim://night-short?colour=red", "unknown parameter 'colour'"),
        ("sim://night-short?time=wall", "invalid time='wall'"),
        ("sim://night-short?seed=x", "invalid seed='x'"),
        ("ble://nosuchboard?timeout=1", "BLE board 'nosuchboard'"),  # no radio here, or none near
    ],
)
def test_bad_sources_give_one_line_and_status_2(url, message):
    res = cli("monitor", url, "--no-view")
    assert res.returncode == 2
    assert message in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert "Traceback" not in res.stderr


def _pty_board(tmp_path, seed: int, speed: float, unplug_s: tuple[float, float] | None = None):
    session = simulate("night-short", seed=seed, representation=REP)
    board_ref: list[PtyBoard] = []

    def chunks():
        for time_s, data in session.iter_chunks(0.05):
            if unplug_s and len(time_s):
                if abs(time_s[0] - unplug_s[0]) < 0.025:
                    board_ref[0].unplug()
                elif abs(time_s[0] - unplug_s[1]) < 0.025:
                    board_ref[0].replug()
            yield time_s, data

    board = PtyBoard(chunks(), BoardEmulator(1000, 2, 10, "raw"), tmp_path / "ttyACM", speed)
    board_ref.append(board)
    return board


@pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")
def test_unplugged_mid_stream_the_monitor_reconnects_and_still_alerts(tmp_path):
    """Cable out for 5 s at t=40 s, before the cramp: gap counted, cramp still alerted, and
    the vibrate command reaches the board over the new connection."""
    board = _pty_board(tmp_path, seed=3, speed=0, unplug_s=(40.0, 45.0))
    source = BoardSource(SerialTransport(board.path), timebase="device")
    monitor = LiveMonitor(source, "night")
    with source:
        board.start()
        # speed 0: the board plays as fast as the reader drains the pty; stop when it is done.
        stop = threading.Event()
        summary = monitor.run(
            120, stop, on_pass=StopWhenPlayed(board, source.transport.queue, stop)
        )
    board.close()
    (truth,) = labelled_cramps(3)
    stats = summary.stats
    assert stats.reconnects == 1
    # The 5 s out, plus what pyserial flushes from the new port's buffer when it reopens it.
    assert 5000 <= stats.gap_samples <= 15_000 and stats.gaps == 1
    assert summary.stream_s == pytest.approx(240.0)
    (cramp,) = summary.cramps  # events continue after the reconnection
    assert cramp.channel == truth["channel"] and cramp.alert_s >= truth["start_s"]
    vibrations = board.board.motor.of_kind("vibrate")
    assert len(vibrations) == 1 and vibrations[0][0] > 45.0  # sent after the reconnection
    assert board.board.motor.of_kind("stop")


@pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")
def test_sigterm_stops_cleanly_and_tells_the_board_to_stop(tmp_path):
    board = _pty_board(tmp_path, seed=3, speed=1.0).start()
    proc = subprocess.Popen(
        [sys.executable, "-m", "crampdetect", "monitor", f"serial://{board.path}", "--no-view"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while board.board.motor.pings < 2 and time.monotonic() < deadline:
            board.finished.wait(0.1)  # the monitor is running once its heartbeats arrive
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
        deadline = time.monotonic() + 5
        while not board.board.motor.of_kind("stop") and time.monotonic() < deadline:
            board.finished.wait(0.05)  # the board thread serves the last command
    finally:
        if proc.poll() is None:
            proc.kill()
        board.close()
    assert proc.returncode == 0, err
    assert board.board.motor.pings >= 2
    assert board.board.motor.of_kind("stop"), "stop not received on shutdown"
    assert "monitored" in out and "Traceback" not in err


def test_status_line_without_terminal_shows_levels_states_and_link():
    res = cli("monitor", "sim://night-short?seed=3&speed=0&duration=20")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert any("calf_left" in line and "fr/s" in line and "reconn 0" in line for line in lines)
    assert lines[-1].startswith("board:") and "CRC errors 0" in lines[-1]
    levels = [float(line.split()[2]) for line in lines if line[:1].isdigit() and "µV" in line]
    assert levels and np.isfinite(levels).all()


def test_monitor_file_source_gives_exactly_what_detect_gives(tmp_path):
    csv = tmp_path / "night.csv"
    made = cli("simulate", "night-short", "--seed", "3", "--units", "counts", "--adc-bits", "10",
               "--out", str(csv))  # fmt: skip
    assert made.returncode == 0, made.stderr
    detect = cli("detect", str(csv), "--json")
    assert detect.returncode == 0, detect.stderr
    expected = json.loads(detect.stdout)["events"]
    res = cli("monitor", f"file://{csv}", "--json-events", "--no-view")
    assert res.returncode == 0, res.stderr
    lines = [json.loads(line) for line in res.stdout.splitlines()]
    final = [e for e in lines if e["end_s"] is not None]
    assert final == expected and expected  # same code path, same events, the same ids
    assert "Traceback" not in res.stderr and "WARNING" not in res.stderr


def test_guided_policy_prompts_even_when_one_pass_brings_the_whole_cramp():
    """At speed 0 one read can hold a raised and an ended cramp: the policy must still see
    them at their own stream times, so the wearer is prompted (and the motor stopped)."""
    res = cli("monitor", "sim://night-short?seed=3&speed=0", "--policy", "guided", "--no-view")
    assert res.returncode == 0, res.stderr
    prompts = int(res.stdout.split("board: ")[1].split(" vibration")[0])
    assert prompts >= 1


@pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")
def test_a_silent_board_is_reported_not_waited_on_quietly(monkeypatch):
    import tty

    from crampdetect.pipeline import live

    class View:
        def __init__(self) -> None:
            self.messages: list[str] = []
            self.updates = 0

        def update(self, t_s, status, stats, note: str = "", backlog_s: float = 0.0) -> None:
            self.updates += 1

        def event(self, event) -> None:
            pass

        def message(self, text: str) -> None:
            self.messages.append(text)

        def close(self) -> None:
            pass

    monkeypatch.setattr(live, "SILENT_WARN_S", 0.3)
    master, slave = os.openpty()
    tty.setraw(slave)
    view = View()
    source = BoardSource(SerialTransport(os.ttyname(slave)))
    with source:
        summary = LiveMonitor(source, view=view).run(duration_s=1.0)
    wire = b""
    while select.select([master], [], [], 0.5)[0]:
        wire += os.read(master, 4096)
    pings = FrameDecoder().feed(wire)
    os.close(master)
    os.close(slave)
    assert len(view.messages) == 1 and "no samples from the board" in view.messages[0]
    assert view.updates > 3 and summary.stats.frames == 0
    assert [f.command for f in pings][:1] == ["ping"] and pings[-1].command == "stop"


def test_a_captured_wire_stream_replays_to_the_same_events(tmp_path):
    capture = tmp_path / "night.bin"
    live = cli(
        "monitor", "sim://night-short?seed=4&speed=0&duration=60", "--json-events", "--no-view",
        "--capture", str(capture),
    )  # fmt: skip
    assert live.returncode == 0, live.stderr
    replayed = cli("monitor", f"file://{capture}", "--json-events", "--no-view")
    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stdout == live.stdout and live.stdout.count("\n") >= 1
    again = cli("monitor", "sim://night-short", "--capture", str(capture), "--no-view")
    assert again.returncode == 2 and "File exists" in again.stderr  # never overwritten


def test_no_view_still_prints_what_the_wearer_is_told():
    """``--no-view`` drops the status display, not the prompts: the cramp prompt, its end and
    a loose sensor are lines on the terminal (stderr when stdout carries JSON events)."""
    from crampdetect.alerts.policy import STRETCH_TEXT

    res = cli("monitor", "sim://cramp?seed=1&speed=0", "--no-view", "--policy", "guided")
    assert res.returncode == 0, res.stderr
    lines = [_unstamped(ln) for ln in res.stdout.splitlines()]
    assert f"Cramp in the right calf. {STRETCH_TEXT}" in lines
    assert any(ln.startswith("The cramp in the right calf eased after") for ln in lines)
    assert lines.index(f"Cramp in the right calf. {STRETCH_TEXT}") < lines.index(
        next(ln for ln in lines if ln.startswith("monitored "))
    )  # said as it happened, before the summary
    res = cli("monitor", "sim://cramp?seed=1&speed=0", "--no-view", "--json-events")
    assert res.returncode == 0, res.stderr
    assert all(json.loads(line) for line in res.stdout.splitlines())
    # the default (simple) policy's prompt names the leg too
    said = [_unstamped(ln) for ln in res.stderr.splitlines()]
    assert f"Cramp in the right calf. {STRETCH_TEXT}" in said
    res = cli("monitor", "sim://leadoff?seed=1&speed=0", "--no-view")
    assert res.returncode == 0, res.stderr
    said = [_unstamped(ln) for ln in res.stdout.splitlines()]
    loose = [ln for ln in said if ln.startswith("The left calf sensor")]
    assert loose and "has come loose" in loose[0] and "is back on" in loose[1]


def _unstamped(line: str) -> str:
    """A ``--no-view`` message line without its ``[HH:MM:SS] `` clock time (other lines as
    they are)."""
    import re

    return re.sub(r"^\[\d\d:\d\d:\d\d\] ", "", line)
