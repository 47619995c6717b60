"""Per-second agreement of the training activity classifier with the simulator's labels.

    PYTHONPATH=. python benchmarks/bench_activity.py [SEED ...]   # default seeds 1 2 3

Simulates the labelled ``training`` scenario (45 min, uncalibrated) in a temporary folder and
prints, per seed, the share of labelled seconds of each activity that the classifier
(:func:`crampdetect.reports.activity.activity_from_file`) gives the same label
(docs/wearer.md §5 quotes the result).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import numpy as np

from crampdetect.cli import main
from crampdetect.reports.activity import activity_from_file

KINDS = {"walking": "walking", "running": "running", "standing": "standing", "hold": "hold"}


def _truth_kind(interval: dict) -> str:
    kind = interval["kind"]
    if kind == "gait":
        return "running" if interval.get("running") else "walking"
    return "hold" if kind == "voluntary_hold" else kind


def agreement(csv: Path, labels: dict) -> dict[str, tuple[float, int]]:
    """Per activity: (share of its labelled seconds classified the same, labelled seconds)."""
    n = int(labels["duration_s"])
    runs = activity_from_file(csv)
    out = {}
    for kind in KINDS:
        hits = total = 0
        for ch in labels["channels"]:
            pred = np.full(n, "", dtype="<U8")
            for leg, a, b, what in runs:
                if leg == ch:
                    pred[int(a) : int(b)] = what
            truth = np.zeros(n, dtype=bool)
            for i in labels["intervals"]:
                if i["channel"] == ch and _truth_kind(i) == kind:
                    truth[int(np.ceil(i["start_s"])) : int(i["end_s"])] = True
            hits += int((pred[truth] == kind).sum())
            total += int(truth.sum())
        out[kind] = (hits / total if total else float("nan"), total)
    return out


def run(seeds: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            csv = Path(tmp) / f"training-{seed}.csv"
            main(["simulate", "training", "--seed", str(seed), "-q", "--out", str(csv)])
            labels = json.loads(csv.with_suffix(".labels.json").read_text())
            scores = agreement(csv, labels)
            cells = ", ".join(f"{k} {100 * v:.1f} % of {n} s" for k, (v, n) in scores.items())
            print(f"seed {seed}: {cells}", flush=True)


if __name__ == "__main__":
    run([int(s) for s in sys.argv[1:]] or [1, 2, 3])
