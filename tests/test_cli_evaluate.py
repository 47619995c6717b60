"""`crampdetect evaluate`: the scoring rules on hand-made results, and the CLI on bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from crampdetect.evaluate.score import aggregate, score


def _ev(ch, onset, alert, end):
    return {"channel": ch, "kind": "cramp", "onset_s": onset, "alert_s": alert, "end_s": end}


LABELS = {
    "intervals": [
        {"channel": "L", "kind": "cramp", "start_s": 100.0, "end_s": 200.0},
        {"channel": "R", "kind": "cramp", "start_s": 300.0, "end_s": 340.0},
        {"channel": "L", "kind": "voluntary_hold", "start_s": 400.0, "end_s": 408.0},
        {"channel": "L", "kind": "voluntary_hold", "start_s": 500.0, "end_s": 505.0},
        {"channel": "R", "kind": "lead_off", "start_s": 600.0, "end_s": 660.0},
    ]
}
RESULT = {
    "input": {"duration_s": 3600.0, "channels": ["L", "R"], "signal": "raw", "units": "uV",
              "adc_bits": None, "sample_rate_hz": 1000},
    "events": [
        _ev("L", 100.4, 103.0, 199.0),  # found: latency 3.0 s, onset error +0.4 s
        _ev("L", 150.0, 150.5, 160.0),  # a repeat within the same cramp: not a false alert
        _ev("L", 401.0, 407.0, 408.0),  # false alert in a hold
        _ev("R", 900.0, 903.0, 950.0),  # false alert at rest
    ],  # the R cramp at 300 s is missed
    "quality": [
        {"channel": "R", "issue": "lead_off", "start_s": 601.0, "end_s": 659.0},
        {"channel": "L", "issue": "pop", "start_s": 1000.0, "end_s": 1036.0},  # on clean signal
    ],
}  # fmt: skip


def test_scoring_rules():
    s = score(RESULT, LABELS, "x.csv", "training")
    assert [c["detected"] for c in s["cramps"]] == [True, False]
    assert s["cramps"][0]["latency_s"] == pytest.approx(3.0)
    assert s["cramps"][0]["onset_error_s"] == pytest.approx(0.4)
    assert sorted(f["activity"] for f in s["false_alerts"]) == ["rest", "voluntary_hold"]
    assert (s["holds"], s["holds_alerted"]) == (2, 1)
    assert s["lead_off_coverage"] == [pytest.approx(58 / 60)]
    assert s["wrongly_flagged_s"] == pytest.approx(36.0)
    agg = aggregate([s])["overall"]
    assert agg["sensitivity"] == 0.5 and agg["false_alerts_per_hour"] == pytest.approx(2.0)
    assert agg["holds_alerted_share"] == 0.5 and agg["lead_offs_flagged_share"] == 1.0
    assert agg["clean_time_flagged_share"] == pytest.approx(36.0 / s["clean_s"], rel=1e-3)


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "crampdetect", *map(str, args)], capture_output=True, text=True
    )


def test_bad_directories_exit_2_with_one_line(tmp_path):
    for target in (tmp_path / "missing", tmp_path):
        r = _cli("evaluate", target)
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1


def test_evaluate_on_simulated_scenes(tmp_path):
    for scene in ("cramp", "hold"):
        r = _cli(
            "simulate",
            scene,
            "--seed",
            "3",
            "--duration",
            "120",
            "--out",
            tmp_path / f"{scene}.csv",
        )
        assert r.returncode == 0, r.stderr
    r = _cli("evaluate", tmp_path, "--json", "--workers", "1", "--per-recording")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["overall"]["recordings"] == 2 and doc["overall"]["hours"] == pytest.approx(
        240 / 3600, rel=0.05
    )
    assert sorted(doc["by_profile"]) == sorted({rec["profile"] for rec in doc["recordings"]})
    assert doc["overall"]["detected"] <= doc["overall"]["cramps"]
