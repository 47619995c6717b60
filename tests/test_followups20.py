"""What a new user met in the session-20 tryout: a time column named ``time`` or with its unit,
..."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import run_cli

from crampdetect.alerts.policy import AlertPolicy, SensorWatch
from crampdetect.core import Event, InputError, QualityInterval
from crampdetect.storage.reader import open_recording
from crampdetect.storage.recover import recover_csv


def _csv(path, header, scale, fs=1000.0, n=2000):
    t = np.arange(n) / fs / scale
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1e-5, (2, n))
    lines = [header] + [f"{a:.9g},{b:.6g},{c:.6g}" for a, b, c in zip(t, *x, strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "name, scale",
    [("time", 1.0), ("time_ms", 1e-3), ("time (s)", 1.0), ("Time [ms]", 1e-3), ("time_us", 1e-6)],
)
def test_a_time_column_named_time_or_with_its_unit_is_read_in_seconds(tmp_path, name, scale):
    path = _csv(tmp_path / "rec.csv", f"{name},left_uV,right_uV", scale)
    rec = open_recording(path)
    assert rec.fs == pytest.approx(1000.0)
    assert rec.duration_s == pytest.approx(2.0, abs=0.01)
    assert recover_csv(path, "test").fs == pytest.approx(1000.0)


@pytest.mark.parametrize("name", ["timestamp", "t", "time_h", "sample"])
def test_another_first_column_is_refused_with_the_hint(tmp_path, name):
    path = _csv(tmp_path / "rec.csv", f"{name},left_uV,right_uV", 1.0)
    with pytest.raises(InputError) as exc:
        open_recording(path)
    assert "time_s" in str(exc.value)


def test_detect_reads_a_csv_whose_first_column_is_time(tmp_path):
    path = _csv(tmp_path / "rec.csv", "time,left_uV,right_uV", 1.0)
    res = run_cli("detect", path)
    assert res.returncode == 0, res.stderr
    assert "1000 Hz" in res.stdout


@pytest.mark.parametrize(
    "channel, where",
    [
        ("calf_left", "left calf"),
        ("Calf_Right_mV", "right calf"),
        ("gastroc_left", "left calf"),
        ("left", "left calf"),
        ("ta_left", "left leg (ta_left)"),
        ("ch1", "calf (ch1)"),
    ],
)
def test_prompts_name_the_leg_as_a_person_would(channel, where):
    policy = AlertPolicy("night")
    ev = Event(channel, "cramp", onset_s=8.5, alert_s=10.0, id=1)
    start = [a.text for a in policy.update([ev], 10.0) if a.kind == "message"]
    end = [a.text for a in policy.update([ev.ended(96.0)], 96.0) if a.kind == "message"]
    assert start[0].startswith(f"Cramp in the {where}. ")
    assert end[0].startswith(f"The cramp in the {where} eased after ")


def _watch(script, t_end, profile="night"):
    """Feed SensorWatch ``{t: [QualityInterval...]}`` every 0.5 s; the actions with their time."""
    watch, out, t = SensorWatch(profile), [], 0.0
    while t <= t_end:
        out += watch.update(script.get(t, []), t)
        t = round(t + 0.5, 3)
    return out


def test_a_loose_sensor_is_told_once_per_episode_and_when_it_is_back():
    ch = "calf_left"
    flicker = {
        10.0: [QualityInterval(ch, "lead_off", 9.0)],
        14.0: [QualityInterval(ch, "lead_off", 9.0, 13.5)],
        16.0: [QualityInterval(ch, "lead_off", 15.5)],  # again within sensor_back_s: same episode
        30.0: [QualityInterval(ch, "lead_off", 15.5, 29.5), QualityInterval(ch, "pop", 29.0)],
    }
    actions = _watch(flicker, 60.0)
    assert all(a.kind == "message" for a in actions)  # never a vibration
    assert [a.reason for a in actions] == ["sensor loose (lead-off)", "sensor back on"]
    assert actions[0].t_s == 10.0 and actions[0].text.startswith("The left calf sensor")
    assert actions[1].t_s == pytest.approx(29.5 + SensorWatch().settings.sensor_back_s)
    assert "off 20 s" in actions[1].text


def test_a_sensor_still_loose_at_the_end_is_never_said_to_be_back():
    actions = _watch({5.0: [QualityInterval("calf_right", "lead_off", 4.5)]}, 600.0, "training")
    assert [a.reason for a in actions] == ["sensor loose (lead-off)"]


def test_monitor_tells_and_stores_a_loose_sensor_even_without_the_view(tmp_path):
    res = run_cli(
        "monitor", "sim://leadoff?seed=1&speed=0", "--no-view", "--history", home=tmp_path
    )
    assert res.returncode == 0, res.stderr
    out = tmp_path / "nights.json"
    assert run_cli("history", "--export", out, home=tmp_path).returncode == 0
    alerts = json.loads(out.read_text())["sessions"][0]["alerts"]
    loose = [a for a in alerts if a["reason"] == "sensor loose (lead-off)"]
    back = [a for a in alerts if a["reason"] == "sensor back on"]
    assert loose and len(back) <= len(loose)
    assert all(a["kind"] == "message" and a["text"] for a in loose + back)
    assert "sensor has come loose" in res.stdout + res.stderr


@pytest.fixture(scope="module")
def labelled(tmp_path_factory):
    """A labelled simulated cramp scene, ``cramp.csv`` with its ``cramp.labels.json``."""
    folder = tmp_path_factory.mktemp("labelled")
    res = run_cli("simulate", "cramp", "--seed", "3", "--duration", "120", "-q",
                  "--out", folder / "cramp.csv")  # fmt: skip
    assert res.returncode == 0, res.stderr
    return folder


def test_evaluate_dir_treats_a_junk_file_as_detect_does(labelled, tmp_path):
    """A junk file named .edf: an error line naming it in both, the rest scored, exit 2 (as
    when it is named alone; session 22: no longer skipped as a non-recording)."""
    for name in ("cramp.csv", "cramp.labels.json"):
        (tmp_path / name).write_bytes((labelled / name).read_bytes())
    (tmp_path / "x.edf").write_text("not an EDF file\n")
    for command in ("evaluate", "detect"):
        res = (
            run_cli(command, tmp_path, "-q")
            if command == "evaluate"
            else run_cli(command, tmp_path)
        )
        assert res.returncode == 2, (command, res.stderr)
        assert f"error: {tmp_path / 'x.edf'}: " in res.stderr, (command, res.stderr)


def test_evaluate_scores_one_labelled_recording_given_as_a_file(labelled):
    res = run_cli("evaluate", labelled / "cramp.csv", "--json", "-q")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["overall"]["cramps"] == 1


def test_a_sim_source_plays_another_scenarios_wearer_as_simulate_does():
    from crampdetect.ingest.sources import open_source

    source = open_source("sim://calibration?wearer=training&speed=0&duration=5")
    assert source.info.fs > 0
    with pytest.raises(InputError, match="wearer"):
        open_source("sim://calibration?wearer=bogus&speed=0")


def test_the_end_of_a_sim_scenario_is_shown_as_the_stream_ending_not_a_link_down(tmp_path):
    res = run_cli("monitor", "sim://cramp?seed=1&speed=0&duration=20", home=tmp_path)
    assert res.returncode == 0, res.stderr
    last = [ln for ln in res.stdout.splitlines() if " fr/s " in ln][-1]
    assert "STREAM ENDED" in last and "LINK DOWN" not in res.stdout


def test_the_csv_export_carries_a_cramps_confidence_as_the_json_does(tmp_path):
    import csv

    from tests.synth import cramp_event, detection_result

    result = detection_result(
        [cramp_event("calf_left", 100.0, 130.0)], 3600.0, ("calf_left", "calf_right")
    )
    night = tmp_path / "night.json"
    night.write_text(json.dumps(result))
    res = run_cli("history", "--import", night, "--started", "2026-11-20T23:00", home=tmp_path)
    assert res.returncode == 0, res.stderr
    for out in ("out.csv", "out.json"):
        assert run_cli("history", "--export", tmp_path / out, home=tmp_path).returncode == 0
    with open(tmp_path / "out.csv", newline="") as f:
        (row,) = [r for r in csv.DictReader(f) if r["record"] == "cramp"]
    (cramp,) = json.loads((tmp_path / "out.json").read_text())["sessions"][0]["cramps"]
    assert float(row["confidence"]) == pytest.approx(cramp["confidence"]) == pytest.approx(0.9)


def test_the_training_view_does_not_ask_to_record_a_session_that_may_have_been(tmp_path):
    import datetime as dt

    from crampdetect.reports.session_view import format_session
    from crampdetect.storage.history import History
    from crampdetect.storage.recorder import SessionRecorder

    start = dt.datetime(2026, 11, 20, 18, 0, tzinfo=dt.UTC)
    with History(tmp_path / "h.sqlite3") as h:
        live = SessionRecorder(h, "training", ["calf_left"], "sim://training", start)
        live.close(600.0)
        text = format_session(h, live.session_id)
    assert "Record the session" not in text
    assert "If the session was recorded (monitor --record REC)" in text
    assert "history --import REC --recording REC" in text


def test_detect_json_has_the_input_shape_of_replay_json(labelled):
    path = labelled / "cramp.csv"
    shapes = []
    for command in ("detect", "replay"):
        res = run_cli(command, path, "--json")
        assert res.returncode == 0, res.stderr
        shapes.append(json.loads(res.stdout.splitlines()[-1])["input"])
    assert list(shapes[0]) == list(shapes[1])
    assert shapes[0]["path"] == shapes[1]["path"] == str(path)
    assert shapes[0]["format"] == shapes[1]["format"] == "csv"


def test_report_counts_the_time_lost_to_sensor_problems_as_summary_does(labelled):
    from crampdetect.reports.report import collect, night_summary

    data = collect(open_recording(labelled / "cramp.csv"), "night")
    data.result["quality"] = [
        {"channel": "calf_left", "issue": "mains", "start_s": 10.0, "end_s": 70.0},
        {"channel": "calf_left", "issue": "lead_off", "start_s": 60.0, "end_s": 80.0},
        {"channel": "calf_right", "issue": "pop", "start_s": 5.0, "end_s": 6.0},
    ]
    lost = night_summary(data)["sensor_problem_s"]
    assert lost == {"calf_left": 20.0, "calf_right": 0.0}  # mains hum and pops lose no signal


def test_report_and_summary_training_tell_a_training_cramp_the_same_way(tmp_path, monkeypatch):
    from crampdetect.cli import main
    from crampdetect.reports.report import collect
    from crampdetect.reports.report_files import summary_lines
    from crampdetect.storage.paths import HOME_ENV

    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    rec, res = tmp_path / "t.csv", tmp_path / "t.json"
    assert main(["simulate", "training", "--seed", "1", "--duration", "900", "-q",
                 "--out", str(rec)]) == 0  # fmt: skip
    result = run_cli("detect", rec, "--json")
    assert result.returncode == 0, result.stderr
    res.write_text(result.stdout)
    assert main(["history", "--import", str(res), "--recording", str(rec)]) == 0
    summary = run_cli("summary", "--training", home=tmp_path / "home")
    assert summary.returncode == 0, summary.stderr
    said = [ln for ln in summary.stdout.splitlines() if ln.strip().startswith("cramp ")]
    lines = summary_lines(collect(open_recording(rec), "training"))
    told = [ln for ln in lines if "effort in the 10 min before" in ln]
    assert said and len(said) == len(told)
    for s, t in zip(said, told, strict=True):
        context = t.split("  ")[-1].split(";")[0].strip()  # "66 s after stopping walking"
        assert context in s, (s, t)
