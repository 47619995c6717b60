"""`crampdetect evaluate --cases`: the listing names exactly the missed, late and false cases."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from crampdetect.evaluate.score import cases, score


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "crampdetect", *map(str, args)], capture_output=True, text=True
    )


@pytest.fixture(scope="module")
def labelled(tmp_path_factory):
    """One simulated cramp scene whose detected cramp is relabelled three ways: as labelled
    (found in time), its onset moved 5 s earlier (late), and on the other leg (that cramp is
    missed and the real alert becomes a false alert at rest)."""
    d = tmp_path_factory.mktemp("cases")
    r = _cli("simulate", "cramp", "--seed", "3", "--duration", "120", "--rate", "500",
             "--out", d / "ok.csv", "-q")  # fmt: skip
    assert r.returncode == 0, r.stderr
    labels = json.loads((d / "ok.labels.json").read_text())
    (cramp,) = [i for i in labels["intervals"] if i["kind"] == "cramp"]
    other = next(c for c in labels["channels"] if c != cramp["channel"])
    for name, change in (
        ("late", {"start_s": cramp["start_s"] - 5.0}),
        ("moved", {"channel": other}),
    ):
        shutil.copy(d / "ok.csv", d / f"{name}.csv")
        cramp_copy = {**cramp, **change, "context": "gait"}
        rest = [i for i in labels["intervals"] if i is not cramp]
        (d / f"{name}.labels.json").write_text(
            json.dumps({**labels, "intervals": [cramp_copy, *rest]})
        )
    return d, cramp, other


def test_cases_name_the_missed_late_and_false_and_nothing_else(labelled):
    d, cramp, other = labelled
    r = _cli("evaluate", d, "--json", "--workers", "1", "--cases", "-q")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    # The scene as simulated is found in time: the three cramps give one late, one missed.
    assert doc["overall"]["detected"] == 2 and doc["overall"]["false_alerts"] == 1
    got = {(c["case"], c["recording"], c["channel"]) for c in doc["cases"]}
    assert got == {
        ("late", "late.csv", cramp["channel"]),
        ("missed", "moved.csv", other),
        ("false_alert", "moved.csv", cramp["channel"]),
    }
    by = {c["case"]: c for c in doc["cases"]}
    assert (
        by["missed"]["time_s"]
        == by["missed"]["onset_s"]
        == pytest.approx(cramp["start_s"], abs=1e-3)
    )
    assert by["missed"]["latency_s"] is None and by["missed"]["context"] == "gait"
    assert by["missed"]["level"] == cramp["level"] and by["missed"]["profile"] == "night"
    late = by["late"]
    assert late["onset_s"] == pytest.approx(cramp["start_s"] - 5.0, abs=1e-3)
    assert late["latency_s"] > 10.0
    assert late["time_s"] == pytest.approx(late["onset_s"] + late["latency_s"], abs=1e-3)
    fa = by["false_alert"]
    assert fa["activity"] == "rest" and fa["path"] and 0.0 <= fa["confidence"] <= 1.0
    # The false alert is the very alert that found the cramp in ok.csv, 5 s nearer its onset.
    assert fa["time_s"] == pytest.approx(late["time_s"], abs=1e-3)

    text = _cli("evaluate", d, "--workers", "1", "--cases", "-q")
    assert text.returncode == 0, text.stderr
    out = text.stdout.splitlines()
    lines = out[out.index("cases: 3 (missed, late > 10 s, false alerts)") + 1 :]
    assert len(lines) == 3
    assert any(ln.startswith("missed") and "moved.csv" in ln and "no alert" in ln for ln in lines)
    assert any(ln.startswith("false_alert") and f"path {fa['path']}" in ln for ln in lines)


def test_cases_do_not_change_the_figures(labelled):
    d, _, _ = labelled
    plain = _cli("evaluate", d, "--json", "--workers", "1", "-q")
    listed = _cli("evaluate", d, "--json", "--workers", "1", "-q", "--cases")
    assert plain.returncode == listed.returncode == 0
    doc = json.loads(listed.stdout)
    assert doc.pop("cases") and doc == json.loads(plain.stdout)


def test_several_folders_list_cases_by_set_and_seed_and_keep_per_recording(labelled, tmp_path):
    d, _, _ = labelled
    second = tmp_path / "second"
    shutil.copytree(d, second)
    (second / "manifest.json").write_text(json.dumps({
        "seed": 7, "variant": "stress",
        "files": sorted(p.name for p in second.glob("*.csv")),
    }))  # fmt: skip
    r = _cli("evaluate", d, second, "--json", "--workers", "1", "-q", "--cases",
             "--per-recording")  # fmt: skip
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert sorted((c["set"], c["seed"]) for c in doc["cases"]) == sorted(
        [("standard", 0)] * 3 + [("stress", 7)] * 3
    )
    assert len(doc["sets"]["stress"]["recordings"]["7"]) == 3


def test_cases_on_hand_made_scores():
    rows = [
        {"name": "x.csv", "profile": "training", "representation": "raw-uV",
         "cramps": [
             {"channel": "L", "start_s": 10.0, "duration_s": 20.0, "detected": True,
              "latency_s": 10.0, "onset_error_s": 0.1},  # exactly 10 s: in time
             {"channel": "R", "start_s": 50.0, "duration_s": 20.0, "detected": True,
              "latency_s": 10.5, "onset_error_s": 0.1},
         ],
         "false_alerts": []},
    ]  # fmt: skip
    assert [(c["case"], c["channel"]) for c in cases(rows)] == [("late", "R")]


def test_score_keeps_the_alert_path_and_confidence():
    result = {
        "input": {"duration_s": 100.0, "channels": ["L"], "signal": "raw", "units": "uV",
                  "adc_bits": None, "sample_rate_hz": 1000},
        "events": [{"channel": "L", "kind": "cramp", "onset_s": 1.0, "alert_s": 3.0,
                    "end_s": 9.0, "confidence": 0.4, "detail": {"path": "fast"}}],
        "quality": [],
    }  # fmt: skip
    labels = {"intervals": [{"channel": "L", "kind": "gait", "start_s": 0.0, "end_s": 5.0}]}
    (fa,) = cases([score(result, labels, "y.csv", "training")])
    assert (fa["activity"], fa["path"], fa["confidence"]) == ("gait", "fast", 0.4)


def test_generated_sets_keep_per_recording_scores_and_list_their_cases(tmp_path):
    common = ("evaluate", "--seeds", "5", "--sets", "standard,stress", "--standard-hours",
              "0.02", "--stress-hours", "0.02", "--cache", tmp_path, "--workers", "1", "-q",
              "--json")  # fmt: skip
    r = _cli(*common, "--per-recording", "--cases")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    for variant in ("standard", "stress"):
        body = doc["sets"][variant]
        (recs,) = body["recordings"].values()
        assert len(recs) == body["pooled"]["overall"]["recordings"] >= 1
    assert doc["cases"] == [
        {"set": v, "seed": 5, **c}
        for v in ("standard", "stress")
        for c in cases(doc["sets"][v]["recordings"]["5"])
    ]
    plain = json.loads(_cli(*common).stdout)
    assert "cases" not in plain and all("recordings" not in b for b in plain["sets"].values())
    for body in doc["sets"].values():
        del body["recordings"]
    del doc["cases"]
    assert doc == plain
