"""The evaluation set: big and varied enough to measure the detector, written in parallel."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np

from crampdetect.core import Representation
from crampdetect.simulate import SceneOptions, make_evaluation_set, simulate
from crampdetect.simulate.evalset import plan_evaluation_set


def test_plan_of_20_hours_covers_profiles_representations_rates_and_events() -> None:
    jobs = plan_evaluation_set(20.0, seed=0)
    assert sum(j["duration_s"] for j in jobs) >= 20 * 3600
    assert all(60 <= j["duration_s"] <= 2 * 3600 for j in jobs)
    formats = {(j["signal"], j["units"], j["adc_bits"]) for j in jobs}
    assert formats == {("raw", "uV", None), ("raw", "counts", 10), ("raw", "counts", 12),
                       ("env", "counts", 10), ("env", "counts", 12)}  # fmt: skip
    assert len({j["fs"] for j in jobs}) >= 5
    assert min(j["fs"] for j in jobs) <= 100 and max(j["fs"] for j in jobs) >= 2000
    kinds: Counter[str] = Counter()
    hours: Counter[str] = Counter()
    for j in jobs:  # plan every scene (cheap: nothing is rendered)
        rep = Representation(j["signal"], j["units"], j["adc_bits"])
        session = simulate(j["scenario"], seed=j["seed"], duration_s=j["duration_s"], fs=j["fs"],
                           representation=rep, options=SceneOptions(**j["options"]))  # fmt: skip
        labels = session.planned_labels
        hours[labels["profile"]] += labels["duration_s"] / 3600
        kinds.update(iv["kind"] for iv in labels["intervals"])
    assert hours["night"] >= 5 and hours["training"] >= 5
    assert kinds["cramp"] >= 40
    assert kinds["voluntary_hold"] >= 100
    for kind in ("turnover", "leg_movement", "gait", "calf_raise", "prodrome", "lead_off", "gap",
                 "mains", "pop", "wander"):  # fmt: skip
        assert kinds[kind] >= 5, kind


def test_make_evaluation_set_writes_files_labels_and_manifest(tmp_path) -> None:
    paths = make_evaluation_set(tmp_path / "eval", hours=0.2, seed=1, n_jobs=2)
    assert len(paths) >= 2
    manifest = json.loads((tmp_path / "eval" / "manifest.json").read_text())
    assert manifest["files"] == [p.name for p in paths]
    total = 0.0
    for path in paths:
        labels = json.loads(path.with_name(path.stem + ".labels.json").read_text())
        assert path.read_text().splitlines()[0] == "time_s," + ",".join(labels["channels"])
        t = np.loadtxt(path, delimiter=",", skiprows=1, usecols=0)
        assert t[-1] <= labels["duration_s"] and t[-1] > labels["duration_s"] - 2.0
        total += labels["duration_s"]
    assert total >= 0.2 * 3600
    again = make_evaluation_set(tmp_path / "again", hours=0.2, seed=1, n_jobs=1)
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in paths]


def test_seeds_pair_scenarios_with_different_representations():
    """A fixed format cycle paired each scenario with the same representations on every seed,
    so per-representation figures compared scenarios (night vs training), not representations."""
    from crampdetect.simulate.evalset import plan_evaluation_set

    for variant, hours in (("standard", 10.0), ("stress", 8.0)):
        pairings = {
            frozenset(
                (str(j["scenario"]), j["signal"], j["units"], j["adc_bits"])
                for j in plan_evaluation_set(hours, seed, variant)
            )
            for seed in (0, 1, 2)
        }
        assert len(pairings) == 3, variant
