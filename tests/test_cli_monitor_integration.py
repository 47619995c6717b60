"""`monitor --history --record`: one live session lands in the night history and a recording
that replays to the same events."""

from __future__ import annotations

import json

import pytest
from conftest import run_cli as _cli


@pytest.mark.slow  # > 3 s: the default suite stays under its 4 min budget
def test_monitor_writes_history_and_a_recording_that_replays_the_same(tmp_path):
    rec = tmp_path / "night.cdrec"
    live = _cli(
        "monitor", "sim://night-short?seed=3&speed=0", "--no-view", "--json-events",
        "--history", "--record", rec, home=tmp_path,
    )  # fmt: skip
    assert live.returncode == 0, live.stderr
    events = [json.loads(line) for line in live.stdout.splitlines() if line.startswith("{")]
    final = {(e["kind"], e["channel"], e["onset_s"]): e for e in events}
    assert [kind for kind, _, _ in final].count("cramp") == 1  # and the night's early warning

    hist = _cli("history", "--export", tmp_path / "h.json", home=tmp_path)
    assert hist.returncode == 0, hist.stderr
    (session,) = json.loads((tmp_path / "h.json").read_text())["sessions"]
    assert session["source"].startswith("sim://night-short") and session["profile"] == "night"
    assert len(session["cramps"]) == 1 and len(session["alerts"]) >= 1
    assert abs(session["duration_s"] - 240.0) < 1.0
    # what scored it, and the ids the live lines gave (docs/detection.md, provenance)
    assert session["provenance"]["schema"] == 2 and session["provenance"]["profile"] == "night"
    assert [c["event_id"] for c in session["cramps"]] == [
        e["id"] for e in final.values() if e["kind"] == "cramp"
    ]

    # The recording knows its history session: importing it does not count the night twice.
    again = _cli("history", "--import", rec, home=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith(f"Already in the history: session {session['id']} ")
    _cli("history", "--export", tmp_path / "h2.json", home=tmp_path)
    assert len(json.loads((tmp_path / "h2.json").read_text())["sessions"]) == 1
    # Another history has no such session: there the recording is imported as usual.
    other = tmp_path / "other"
    imported = _cli("history", "--import", rec, home=other)
    assert imported.returncode == 0 and imported.stdout.startswith("Imported night session")
    _cli("history", "--export", tmp_path / "h3.json", home=other)
    (copy,) = json.loads((tmp_path / "h3.json").read_text())["sessions"]
    assert len(copy["cramps"]) == 1

    replay = _cli("replay", rec, "--json", home=tmp_path)
    assert replay.returncode == 0, replay.stderr
    replayed = json.loads(replay.stdout)["events"]
    assert [(e["kind"], e["channel"], e["onset_s"], e["alert_s"]) for e in replayed] == [
        (e["kind"], e["channel"], e["onset_s"], e["alert_s"]) for e in final.values()
    ]


def test_monitor_refuses_an_unknown_calibration_user(tmp_path):
    r = _cli("monitor", "sim://night-short?speed=0", "--no-view", "--user", "nobody", home=tmp_path)
    assert r.returncode == 2 and "calibrat" in r.stderr


@pytest.mark.slow  # a 5-min training scenario, then its import
def test_a_recorded_training_session_gets_its_activity_timeline_at_its_end(tmp_path):
    rec = tmp_path / "training.cdrec"
    live = _cli(
        "monitor", "sim://gait?seed=1&speed=0", "--no-view", "--history", "--record", rec,
        home=tmp_path,
    )  # fmt: skip
    assert live.returncode == 0, live.stderr
    assert "history session 1: its activity timeline stored" in live.stdout
    summary = _cli("summary", "--training", home=tmp_path)
    assert summary.returncode == 0, summary.stderr
    timeline = [ln for ln in summary.stdout.splitlines() if ln.startswith("Activity (")]
    assert len(timeline) == 2 and all("walking" in ln and "running" in ln for ln in timeline)
    assert "No activity timeline" not in summary.stdout
    # What `history --import REC --recording REC` would have added: nothing more here, the
    # same timeline in another history.
    again = _cli("history", "--import", rec, "--recording", rec, home=tmp_path)
    assert again.returncode == 0 and "nothing added" in again.stdout, again.stdout + again.stderr
    other = tmp_path / "other"
    imported = _cli("history", "--import", rec, "--recording", rec, home=other)
    assert imported.returncode == 0, imported.stderr
    there = _cli("summary", "--training", home=other)
    assert [ln for ln in there.stdout.splitlines() if ln.startswith("Activity (")] == timeline


def _timeline(home) -> list[tuple]:
    from crampdetect.storage.history import open_history

    with open_history(home / "history.sqlite3") as history:
        (row,) = history.sessions()
        rows = history.records("activity", int(row["id"]))
        return [(r["leg"], r["start_s"], r["end_s"], r["activity"]) for r in rows]


@pytest.mark.slow  # a 4-min night, then its import
def test_a_recorded_night_gets_the_timeline_history_import_gives_at_its_end(tmp_path):
    """A night monitored with --history --record gets its activity timeline at its end
    (classified as the night went), the very timeline `history --import REC --recording REC`
    stores, and `summary --session ID` shows it as it shows a training session's."""
    rec = tmp_path / "night.cdrec"
    live = _cli(
        "monitor", "sim://night-short?seed=3&speed=0", "--no-view", "--profile", "night",
        "--history", "--record", rec, home=tmp_path,
    )  # fmt: skip
    assert live.returncode == 0, live.stderr
    assert "history session 1: its activity timeline stored" in live.stdout
    stored = _timeline(tmp_path)
    assert stored and {leg for leg, *_ in stored} == {"calf_left", "calf_right"}
    words = {what for *_, what in stored}
    assert "rest" in words  # a night: mostly lying still, at the board's 10-bit floor too
    assert not words & {"standing", "walking", "running", "active"}, words  # night words
    other = tmp_path / "other"
    imported = _cli("history", "--import", rec, "--recording", rec, home=other)
    assert imported.returncode == 0 and "Imported night session" in imported.stdout
    assert _timeline(other) == stored
    shown = _cli("summary", "--session", "1", home=tmp_path)
    assert shown.returncode == 0 and shown.stdout.startswith("Night session 1"), shown.stdout
    lines = [ln for ln in shown.stdout.splitlines() if ln.startswith("Activity (")]
    assert len(lines) == 2 and "No activity timeline" not in shown.stdout
    morning = _cli("summary", home=tmp_path)  # the night's summary points to it
    assert "Activity timeline: crampdetect summary --session 1" in morning.stdout, morning.stdout
