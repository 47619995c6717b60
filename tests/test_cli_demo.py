"""`crampdetect demo`: a simulated board on a real pseudo-terminal, through the real serial
transport and pipeline; finishes by itself, shows the alert, works without a terminal."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from terminal import demo_on_a_terminal

pytestmark = pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")


def test_demo_runs_without_a_terminal_and_shows_the_alert():
    res = subprocess.run(
        [sys.executable, "-m", "crampdetect", "demo", "--speed", "120"],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "pseudo-terminal" in out and "/dev/pts/" in out
    live = re.search(r"ALERT cramp on (\w+)", out)  # shown as it happens
    assert live, out
    summary = out[out.index("monitored") :]
    assert f"cramp on {live.group(1)}: onset" in summary
    assert "lost 0, CRC errors 0" in summary
    assert "the board received: vibrate, stop" in summary
    assert "\x1b[" not in out  # plain lines, no terminal escape codes in a log


def test_demo_json_events_keep_stdout_machine_readable():
    import json

    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "crampdetect",
            "demo",
            "--speed",
            "200",
            "--json-events",
            "--no-view",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    everything = [json.loads(line) for line in res.stdout.splitlines()]
    events = [e for e in everything if e["kind"] == "cramp"]
    assert len(events) == 2
    assert events[0]["end_s"] is None and events[1]["end_s"] > events[1]["alert_s"]
    # The demo's night cramp follows a prodrome: the night profile warns it first (part warn).
    warnings = [e for e in everything if e["kind"] == "early_warning"]
    assert everything[0]["kind"] == "early_warning"
    assert warnings[0]["alert_s"] < events[0]["alert_s"]
    assert "the board received: vibrate" in res.stderr


@pytest.mark.slow  # > 3 s: the default suite stays under its 4 min budget
def test_demo_on_a_terminal_draws_the_live_table():
    """With a terminal on stdout the status is a rich live table (per-channel level, state,
    quality, link health), and the alert still appears."""
    text = demo_on_a_terminal(columns=120)
    for heading in ("channel", "level µV", "detector", "quality", "frames/s", "reconnects"):
        assert heading in text
    assert "ALERT cramp on" in text and "┃" in text  # a drawn table, not plain lines


def test_demo_without_the_view_still_prints_the_prompt():
    from crampdetect.alerts.policy import STRETCH_TEXT

    res = subprocess.run(
        [sys.executable, "-m", "crampdetect", "demo", "--speed", "200", "--no-view"],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    prompt = next(i for i, ln in enumerate(lines) if ln.endswith(STRETCH_TEXT))
    assert re.match(r"\[\d\d:\d\d:\d\d\] Cramp in the ", lines[prompt]), res.stdout  # leg, time
    assert prompt < next(i for i, ln in enumerate(lines) if "monitored" in ln)
    assert "ALERT" not in res.stdout  # no live view: the alert is in the summary
