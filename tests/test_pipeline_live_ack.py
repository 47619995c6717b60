"""Acknowledging a prompt from the keyboard: the key reader on a real pty, the monitor and
its alert policies, and the night history recording the acknowledgement."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import termios
import threading
import time

import pytest

from crampdetect.alerts.haptic import SimplePolicy
from crampdetect.alerts.policy import AlertPolicy
from crampdetect.cli._keys import KeyReader
from crampdetect.core import Event
from crampdetect.ingest.sources import open_source
from crampdetect.pipeline.live import LiveMonitor
from crampdetect.storage.history import History
from crampdetect.storage.paths import HOME_ENV, history_path

pytestmark = pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")


def _wait(pred, timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while not pred() and time.monotonic() < deadline:
        time.sleep(0.01)
    return pred()


def test_key_reader_takes_single_keys_without_enter_and_restores_the_terminal():
    master, slave = os.openpty()
    before = termios.tcgetattr(slave)
    keys: list[str] = []
    with KeyReader(slave, keys.append) as reader:
        assert reader.active
        lflag = termios.tcgetattr(slave)[3]
        assert not lflag & termios.ICANON and not lflag & termios.ECHO
        assert lflag & termios.ISIG  # Ctrl-C still stops the monitor
        os.write(master, b"a")  # no Enter
        assert _wait(lambda: keys == ["a"])
        os.write(master, b"xq A")
        assert _wait(lambda: keys == ["a", " ", "A"])
    assert termios.tcgetattr(slave) == before
    os.write(master, b"a\n")  # after exit nobody reads the terminal for acks
    time.sleep(0.2)
    assert keys == ["a", " ", "A"]
    os.close(master)
    os.close(slave)


def test_simple_policy_stops_the_motor_on_an_acknowledgement():
    policy = SimplePolicy()
    raised = Event("calf_left", "cramp", 10.0, 12.0, id=1)
    assert [a.kind for a in policy.update([raised], 12.0)] == ["message", "vibrate"]
    assert [a.kind for a in policy.update([], 15.0, acks=1)] == ["stop"]
    assert policy.update([], 16.0, acks=1) == []  # nothing left to acknowledge
    assert [a.kind for a in policy.update([raised.ended(40.0)], 40.0)] == ["stop"]


def _monitor_with_history(tmp_path, monkeypatch, ack_after_prompt: bool):
    """Simulated night seed 3 through the monitor with the guided policy and the history;
    a key acknowledgement right after the first prompt if asked."""
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    from crampdetect.alerts.journal import start_journal

    source = open_source("sim://night-short?seed=3&speed=20")  # paced: passes of ~2 s
    monitor = LiveMonitor(
        source,
        "night",
        AlertPolicy("night"),
        history=lambda b: start_journal("night", "sim://", b.channels, b.t0),
    )
    acked: list[float] = []

    def on_pass() -> None:
        prompted = any(e.kind == "cramp" for e in monitor._events.values())
        if ack_after_prompt and prompted and not acked:
            acked.append(monitor._now_s)
            monitor.ack("key")

    with source:
        summary = monitor.run(120, threading.Event(), on_pass=on_pass)
    with History(history_path()) as h:
        (session,) = h.sessions()
        alerts = [dict(r) for r in h.records("alerts", session["id"])]
        acks = [dict(r) for r in h.records("acks", session["id"])]
    return summary, alerts, acks, acked


@pytest.mark.slow  # real-time device/stream test; run by .ci/run's slow pass
def test_an_acknowledged_prompt_stops_escalating_and_is_in_the_history(tmp_path, monkeypatch):
    summary, alerts, acks, _ = _monitor_with_history(tmp_path, monkeypatch, False)
    assert summary.cramps and summary.acks == 0 and acks == []
    escalations = [a for a in alerts if "unacknowledged" in a["reason"]]
    assert escalations  # without an acknowledgement the prompts escalate

    summary, alerts, acks, _ = _monitor_with_history(tmp_path / "2", monkeypatch, True)
    assert summary.acks == 1
    (ack,) = acks
    assert ack["source"] == "key"
    (cramp,) = summary.cramps
    assert cramp.alert_s <= ack["t_s"] < cramp.end_s  # acknowledged while it went on
    assert [a for a in alerts if "unacknowledged" in a["reason"] and a["t_s"] >= ack["t_s"]] == []
    stops = [a for a in alerts if a["kind"] == "stop" and "acknowledged" in a["reason"]]
    assert len(stops) == 1 and stops[0]["t_s"] == pytest.approx(ack["t_s"])
    assert any(a["reason"].startswith("hold timer") for a in alerts)


@pytest.mark.slow  # real-time device/stream test; run by .ci/run's slow pass
def test_monitor_cli_takes_a_key_from_its_terminal(tmp_path, monkeypatch):
    """`crampdetect monitor` in a pseudo-terminal: `a` typed after the alert is recorded as a
    key acknowledgement in the history and counted in the summary."""
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    master, slave = os.openpty()
    env = dict(os.environ, COLUMNS="200")
    env["PYTHONPATH"] = os.pathsep.join(p for p in [os.getcwd(), env.get("PYTHONPATH", "")] if p)
    proc = subprocess.Popen(
        [sys.executable, "-m", "crampdetect", "monitor", "sim://night-short?seed=3&speed=12",
         "--history"],
        stdin=slave, stdout=slave, stderr=subprocess.PIPE, env=env, close_fds=True,
    )  # fmt: skip
    os.close(slave)
    out = b""
    pressed = False
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if select.select([master], [], [], 0.2)[0]:
            try:
                out += os.read(master, 65536)
            except OSError:
                break
        if not pressed and b"ALERT cramp" in out:
            os.write(master, b"a")
            pressed = True
    try:
        while select.select([master], [], [], 0.5)[0]:
            out += os.read(master, 65536)
    except OSError:
        pass
    _, err = proc.communicate(timeout=30)
    os.close(master)
    assert proc.returncode == 0, err.decode()
    assert pressed
    text = out.decode("utf-8", errors="replace")
    assert "press a or space to acknowledge" in text
    assert "1 acknowledged" in text
    with History(history_path()) as h:
        (session,) = h.sessions()
        assert [r["source"] for r in h.records("acks", session["id"])] == ["key"]
