"""The shipped gate (models/gate-v2) loads without pickle and reproduces its card's check set.

The check set is regenerated here with the seed stored in ``check.json`` (written by
``models/gate-v2/build.py``). Tolerance: same cramp count, detected cramps and false alerts
within 1, median latency within 0.5 s, for the model and for rules only.
"""

from __future__ import annotations

import json
import multiprocessing.reduction  # noqa: F401 (binds pickle.loads before tests patch it)
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crampdetect.detect.cramp import CANDIDATE_FEATURES
from crampdetect.detect.model import SHIPPED_MODEL, load_model
from crampdetect.evaluate.score import Scorer, aggregate, find_recordings

CHECK = SHIPPED_MODEL / "check.json"


def test_shipped_model_loads_without_pickle(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("pickle used")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, refuse)
    model = load_model(SHIPPED_MODEL)
    assert model.header["features"] == list(CANDIDATE_FEATURES)
    assert set(model.thresholds) == {"night", "training"}
    assert all(0.0 <= t <= 1.0 for t in model.thresholds.values())


@pytest.fixture(scope="module")
def check_set(tmp_path_factory):
    from crampdetect.simulate import make_evaluation_set

    spec = json.loads(CHECK.read_text())["set"]
    d = tmp_path_factory.mktemp("gate_check")
    make_evaluation_set(d, hours=spec["hours"], seed=spec["seed"], n_jobs=2)
    return [str(p) for p in find_recordings(d)]


@pytest.mark.slow
@pytest.mark.parametrize("which", ["model", "rules_only"])
def test_shipped_model_reproduces_card_check_metrics(check_set, which):
    expected = json.loads(CHECK.read_text())[which]["overall"]
    scorer = Scorer(model=str(SHIPPED_MODEL) if which == "model" else None)
    got = aggregate([scorer(p) for p in check_set])["overall"]
    assert got["cramps"] == expected["cramps"]
    assert abs(got["detected"] - expected["detected"]) <= 1
    assert abs(got["false_alerts"] - expected["false_alerts"]) <= 1
    if expected["latency_median_s"] is not None:
        assert abs(got["latency_median_s"] - expected["latency_median_s"]) <= 0.5


@settings(max_examples=30, deadline=None)
@given(
    rows=st.lists(
        st.lists(st.floats(-20, 20, allow_nan=False), min_size=10, max_size=10),
        min_size=1,
        max_size=40,
    ),
    cut=st.integers(0, 40),
)
def test_gate_decisions_do_not_depend_on_batching(rows, cut):
    gate = load_model(SHIPPED_MODEL).gate("night")
    X = np.array(rows)
    k = min(cut, len(X))
    assert np.array_equal(gate(X), np.concatenate([gate(X[:k]), gate(X[k:])]))
