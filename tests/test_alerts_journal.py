"""The whole chain: simulated night -> detection -> history -> morning summary.

Once through the CLIs (simulate, detect --json, history --import, summary) and once live
through the monitor loop with the guided alert policy writing the history as it goes.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from crampdetect.alerts.journal import JournalingPolicy
from crampdetect.alerts.policy import AlertPolicy
from crampdetect.cli import main
from crampdetect.reports.summary import summarise_night
from crampdetect.storage.history import History
from crampdetect.storage.paths import HOME_ENV, history_path
from crampdetect.storage.recorder import SessionRecorder

SEED = 3  # live monitor test


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    return tmp_path


@pytest.mark.parametrize("seed", [1, 3])
def test_simulated_night_through_detect_into_the_summary(home, capsys, seed):
    """Whatever the detector finds in the simulated night is what the morning summary says."""
    csv = home / "night.csv"
    assert main(["simulate", "night-short", "--seed", str(seed), "--out", str(csv)]) == 0
    labels = json.loads((home / "night.labels.json").read_text())
    capsys.readouterr()
    assert main(["detect", str(csv), "--json"]) == 0
    result = home / "night.json"
    result.write_text(capsys.readouterr().out)
    detected = [e for e in json.loads(result.read_text())["events"] if e["kind"] == "cramp"]

    started = "2026-11-20T23:30:00+01:00"
    assert main(["history", "--import", str(result), "--started", started]) == 0
    assert "night of 2026-11-20" in capsys.readouterr().out
    assert main(["summary", "--night", "2026-11-20"]) == 0
    out = capsys.readouterr().out

    with History(history_path()) as h:
        (session,) = h.sessions()
        assert session["duration_s"] == pytest.approx(labels["duration_s"], abs=1.0)
        stored = h.records("cramps", session["id"])
    assert sorted((c["leg"], c["onset_s"], c["end_s"]) for c in stored) == sorted(
        (e["channel"], e["onset_s"], e["end_s"]) for e in detected
    )
    if not detected:
        assert "No cramps detected." in out
        return
    assert f"{len(detected)} cramp" in out
    for c in stored:
        at = dt.datetime.fromisoformat(started) + dt.timedelta(seconds=c["onset_s"])
        assert f"{at:%H:%M} {c['leg']}" in out


@pytest.mark.slow  # real-time device/stream test; run by .ci/run's slow pass
def test_live_monitor_writes_the_history_as_it_goes(home):
    from crampdetect.core import Representation
    from crampdetect.ingest.sources import open_source
    from crampdetect.pipeline.live import LiveMonitor
    from crampdetect.simulate import simulate

    # The sim:// board streams 10-bit ADC counts, like an Uno.
    labels = simulate(
        "night-short", seed=SEED, representation=Representation("raw", "counts", 10)
    ).labels
    (truth,) = [i for i in labels["intervals"] if i["kind"] == "cramp"]
    started = dt.datetime(2026, 11, 21, 0, 15, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    watched: list[tuple[str, float]] = []
    with History(history_path()) as h:
        source = open_source(f"sim://night-short?seed={SEED}&speed=20")
        recorder = SessionRecorder(h, "night", ["calf_left", "calf_right"], "sim", started)

        def watch(channel: str, until_s: float) -> None:  # the detector gets more sensitive
            watched.append((channel, until_s))
            monitor.pipeline.watch_recurrence(channel, until_s)

        policy = JournalingPolicy(AlertPolicy("night"), recorder, on_watch=watch)
        monitor = LiveMonitor(source, "night", policy)
        with source:
            summary = monitor.run(duration_s=120.0)
        policy.record_quality(summary.quality)
        recorder.close(summary.stream_s)

        s = summarise_night(h, "2026-11-20")
        stored = h.records("cramps", s.session_ids[0])
        alerts = h.records("alerts", s.session_ids[0])
    # The history holds exactly the cramps the monitor saw, with its times.
    assert summary.cramps, "the simulated night's cramp should be detected"
    assert sorted((c["leg"], round(c["onset_s"], 6), round(c["end_s"], 6)) for c in stored) == (
        sorted((e.channel, round(e.onset_s, 6), round(e.end_s, 6)) for e in summary.cramps)
    )
    assert any(e.channel == truth["channel"] for e in summary.cramps)
    # The guided policy prompted (escalating, capped) and the board got the same commands.
    vib = [a for a in alerts if a["kind"] == "vibrate"]
    assert 1 <= len(vib) <= len(stored) * AlertPolicy("night").settings.max_prompts
    assert vib[0]["pattern"] == "night-gentle"
    if any(e.end_s - e.alert_s > 45.0 for e in summary.cramps):
        # Paced at 20x real time, the monitor sees a long cramp go on and repeats the prompt.
        assert "night-medium" in [a["pattern"] for a in vib]
    assert sum(kind == "vibrate" for _, kind in summary.commands) == len(vib)
    assert any("Rest the calf" in (a["text"] or "") for a in alerts)
    assert {ch for ch, _ in watched} == {e.channel for e in summary.cramps}


def test_training_session_import_with_activity_timeline(home, capsys):
    csv = home / "gait.csv"
    assert main(["simulate", "gait", "--seed", "2", "--out", str(csv)]) == 0
    capsys.readouterr()
    assert main(["detect", str(csv), "--json", "--profile", "training"]) == 0
    result = home / "gait.json"
    result.write_text(capsys.readouterr().out)
    args = ["history", "--import", str(result), "--profile", "training"]
    assert main([*args, "--recording", str(csv), "--started", "2026-11-24T18:00"]) == 0
    assert "Imported training session 1 (2026-11-24T18:00" in capsys.readouterr().out
    assert main(["summary", "--training", "--plot", str(home / "s.png")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Training session 1, 2026-11-24 18:00, 5 min")
    for leg in ("calf_left", "calf_right"):
        line = next(x for x in out.splitlines() if x.startswith(f"Activity ({leg})"))
        assert "walking" in line and "running" in line
    assert (home / "s.png").stat().st_size > 1000
    # Training sessions stay out of the night summary.
    assert main(["summary"]) == 0
    assert "No nights recorded yet." in capsys.readouterr().out
