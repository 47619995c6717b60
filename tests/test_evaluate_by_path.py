"""(latency, session 15) A detected cramp's row names the path that alerted it, and the
aggregate folds the latency of the cramps by path (`by_path`)."""

from __future__ import annotations

from synth import cramp_event, detection_result

from crampdetect.evaluate.score import aggregate, score


def _result(events):
    return detection_result(events, 600.0, ("calf_left", "calf_right"))


def test_detected_cramps_carry_their_path_and_aggregate_by_path():
    labels = {
        "intervals": [
            {"kind": "cramp", "channel": "calf_left", "start_s": 100.0, "end_s": 160.0},
            {"kind": "cramp", "channel": "calf_right", "start_s": 300.0, "end_s": 360.0},
            {"kind": "cramp", "channel": "calf_left", "start_s": 450.0, "end_s": 500.0},
        ]
    }
    events = [
        cramp_event("calf_left", 104.0, 134.0, "quiet"),
        cramp_event("calf_right", 307.0, 337.0, "slow"),
    ]
    row = score(_result(events), labels, "x.csv", "night")
    got = [(c["detected"], c.get("path")) for c in row["cramps"]]
    assert got == [(True, "quiet"), (True, "slow"), (False, None)]
    by_path = aggregate([row])["overall"]["by_path"]
    assert by_path == {
        "quiet": {"cramps": 1, "latency_median_s": 4.0, "latency_p90_s": 4.0},
        "slow": {"cramps": 1, "latency_median_s": 7.0, "latency_p90_s": 7.0},
    }
