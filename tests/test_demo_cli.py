"""`crampdetect demo`: a simulated board on a real pseudo-terminal, through the real serial
transport and pipeline; finishes by itself, shows the alert, works without a terminal."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

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
    events = [json.loads(line) for line in res.stdout.splitlines()]
    assert [e["kind"] for e in events] == ["cramp", "cramp"]
    assert events[0]["end_s"] is None and events[1]["end_s"] > events[1]["alert_s"]
    assert "the board received: vibrate" in res.stderr
