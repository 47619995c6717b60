"""(event ends, session 16) `evaluate` scores how the event of each alerted cramp ended: its
end against the labelled end, events closed more than 5 s early, and re-alerts within a
cramp; `benchmarks/bench_detection.py --sweep-setting` refuses an unknown setting up front."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from synth import cramp_event, detection_result

from crampdetect.evaluate.multiseed import SUMMARY_FIGURES, fold_sets, format_spread
from crampdetect.evaluate.score import aggregate, score

REPO = Path(__file__).resolve().parents[1]


def _labels():
    cramp = [
        ("calf_left", 100.0, 160.0),
        ("calf_right", 300.0, 360.0),
        ("calf_left", 400.0, 420.0),
        ("calf_left", 421.0, 440.0),
    ]
    return {
        "intervals": [
            {"kind": "cramp", "channel": ch, "start_s": a, "end_s": b} for ch, a, b in cramp
        ]
    }


def _events():
    return [
        cramp_event("calf_left", 104.0, 150.0),  # closed 10 s early while the cramp went on
        cramp_event("calf_left", 152.0, 165.0),  # a re-alert within the same cramp
        cramp_event("calf_right", 307.0, 361.0),  # 1 s late
        cramp_event("calf_left", 403.0, 419.0),  # 1 s early
        cramp_event("calf_left", 421.5, None),  # the next cramp's own alert (no re-alert);
        # still open at the end of the recording: ends there (600 s)
    ]


def test_cramp_rows_carry_the_end_of_their_first_event():
    row = score(detection_result(_events(), 600.0, ("calf_left", "calf_right")), _labels(),
                "x.csv", "training")  # fmt: skip
    got = [(c["end_error_s"], c["closed_early"], c["realerts"]) for c in row["cramps"]]
    assert got == [(-10.0, True, 1), (1.0, False, 0), (-1.0, False, 0), (160.0, False, 0)]
    assert not row["false_alerts"]  # the re-alert is a repeat, as before


def test_aggregate_folds_end_error_early_ends_and_realerts():
    row = score(detection_result(_events(), 600.0, ("calf_left", "calf_right")), _labels(),
                "x.csv", "training")  # fmt: skip
    figs = aggregate([row])["overall"]
    assert figs["end_error_median_s"] == 5.5  # |-10|, 1, 1, 160
    assert figs["end_error_signed_median_s"] == 0.0
    assert figs["end_error_p90_s"] == 115.0
    assert figs["closed_early"] == 1
    assert figs["closed_early_share"] == 0.25
    assert figs["realerts"] == 1
    assert figs["realerts_per_cramp"] == 0.25
    empty = aggregate([score(detection_result([], 600.0, ("calf_left", "calf_right")),
                             _labels(), "y.csv", "night")])["overall"]  # fmt: skip
    assert empty["end_error_median_s"] is None and empty["closed_early_share"] is None


def test_end_figures_are_in_the_spread_table():
    row = score(detection_result(_events(), 600.0, ("calf_left", "calf_right")), _labels(),
                "x.csv", "training")  # fmt: skip
    result = fold_sets({("standard", 0): [row], ("standard", 1): [row]}, [0, 1])
    sp = result["sets"]["standard"]["spread"]["overall"]
    assert sp["closed_early_share"]["mean"] == 0.25
    keys = {key for key, *_ in SUMMARY_FIGURES}
    assert {"end_error_median_s", "closed_early_share", "realerts_per_cramp"} <= keys
    assert "closed > 5 s early %" in format_spread(result)


def test_bench_refuses_an_unknown_sweep_setting_up_front(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, str(REPO / "benchmarks" / "bench_detection.py"), "--seeds", "0",
           "--sets", "standard", "--cache", str(tmp_path),
           "--sweep-setting", "fast_s,nope"]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2
    assert "no detector setting named 'nope'" in done.stderr
    assert not any(tmp_path.iterdir())  # nothing generated
