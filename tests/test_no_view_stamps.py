"""``monitor --no-view`` prints what the wearer is told, one line each after the time it was
said: a recording replayed through ``file://`` (as fast as it is read) at its own stream time,
the time the alert has in the summary, not when the replay ran; a board (``sim://``) at the
wall clock, as it happens. Through the real CLI."""

from __future__ import annotations

import re

from conftest import run_cli

#: A said line: its stamp in brackets, then the text.
SAID = re.compile(r"^\[([^\]]+)\] (.*)$")


def _said(stdout: str) -> list[tuple[str, str]]:
    return [m.groups() for m in map(SAID.match, stdout.splitlines()) if m]


def test_a_replayed_file_says_its_prompt_at_the_recording_time_of_the_alert(labelled, tmp_path):
    r = run_cli("monitor", f"file://{labelled / 'cramp.csv'}?speed=0", "--no-view", home=tmp_path)
    assert r.returncode == 0, r.stderr
    said = _said(r.stdout)
    (stamp,) = [when for when, text in said if text.startswith("Cramp in the right calf")]
    (summary,) = [line for line in r.stdout.splitlines() if line.startswith("cramp on calf_right")]
    assert re.fullmatch(r"0:00:\d\d\.\d", stamp), stamp  # h:mm:ss.s into the recording
    assert f"alert {stamp} " in summary, (stamp, summary)  # said when it was alerted


def test_a_board_says_its_prompt_at_the_wall_clock(tmp_path):
    r = run_cli("monitor", "sim://cramp?seed=3&speed=0&duration=120", "--no-view", home=tmp_path)
    assert r.returncode == 0, r.stderr
    said = _said(r.stdout)
    assert any(text.startswith("Cramp in the") for _, text in said), r.stdout
    assert all(re.fullmatch(r"\d\d:\d\d:\d\d", when) for when, _ in said), said
