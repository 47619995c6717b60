"""Learned gate: training determinism, grouped CV, safe persistence and refusal on load."""

from __future__ import annotations

import json
import multiprocessing.reduction  # noqa: F401 (binds pickle.loads before tests patch it)
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

from crampdetect.cli import main
from crampdetect.core import InputError
from crampdetect.detect.cramp import CANDIDATE_FEATURES
from crampdetect.detect.model import load_model, save_model
from crampdetect.evaluate.score import find_recordings
from crampdetect.evaluate.train import build_training_set, grouped_folds, train_gate

#: Trains gates on a 4 h simulated set (~1 min): run by .ci/run's slow pass.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sim_paths(tmp_path_factory) -> list[str]:
    """Two small labelled simulated sets, standard and stress (seed 11, 2 h each), with unsure
    candidates of both classes in both profiles (the standard set alone now has few false ones)."""
    from crampdetect.simulate import make_evaluation_set

    root = tmp_path_factory.mktemp("gate_sim")
    paths = []
    for variant in ("standard", "stress"):
        make_evaluation_set(root / variant, hours=2, seed=11, n_jobs=2, variant=variant)
        paths += [str(p) for p in find_recordings(root / variant)]
    return paths


@pytest.fixture(scope="module")
def training_set(sim_paths):
    return build_training_set(sim_paths, n_jobs=1)


@pytest.fixture(scope="module")
def trained(sim_paths, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("gate_models") / "a"
    train_gate(sim_paths, folder, ("night", "training"), seed=3, n_jobs=1)
    return folder


@pytest.mark.slow
def test_training_is_deterministic_for_a_seed(trained, sim_paths, tmp_path):
    train_gate(sim_paths, tmp_path / "b", ("night", "training"), seed=3, n_jobs=1)
    a, b = (json.loads((p / "model.json").read_text()) for p in (trained, tmp_path / "b"))
    assert a["payload_sha256"] == b["payload_sha256"]
    assert a["thresholds"] == b["thresholds"]
    assert a["features"] == list(CANDIDATE_FEATURES)
    assert a["training_data"]["positive_candidates"] > 0
    assert a["sample_rate_hz"][0] <= a["sample_rate_hz"][1]


def test_grouped_folds_never_split_a_recording(training_set):
    ts = training_set
    assert len(np.unique(ts.group)) >= 3
    seen = []
    for train, test in grouped_folds(ts.group):
        assert not set(ts.group[train]) & set(ts.group[test])
        seen += sorted(set(ts.group[test].tolist()))
    # every recording is held out exactly once
    assert sorted(seen) == sorted(set(ts.group.tolist()))


def test_model_gates_detection_and_loads_without_pickle(trained, sim_paths, monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("pickle used")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, refuse)
    model = load_model(trained)
    x = np.zeros((3, len(CANDIDATE_FEATURES)))
    p = model.probability(x)
    assert p.shape == (3,) and np.all((p > 0) & (p < 1))
    gate = model.gate("night")
    assert gate(x).dtype == bool
    with pytest.raises(InputError, match="profile"):
        model.gate("sprint")


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def _edit(folder: Path, change) -> None:
    h = json.loads((folder / "model.json").read_text())
    change(h)
    (folder / "model.json").write_text(json.dumps(h))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda h: h["thresholds"].update(night=h["thresholds"]["night"] / 2 + 0.01), "checksum"),
        (lambda h: h["calibration"].__setitem__(0, 9.0), "checksum"),
        (lambda h: h["features"].reverse(), "features"),
        (lambda h: h["libraries"].update({"scikit-learn": "0.20.0"}), "scikit-learn"),
        (lambda h: h.update(format="other/1"), "not a crampdetect-gate"),
    ],
)
def test_tampered_or_mismatched_model_is_refused(trained, tmp_path, change, message):
    folder = _copy(trained, tmp_path / "m")
    _edit(folder, change)
    with pytest.raises(InputError, match=message):
        load_model(folder)


def test_cli_refuses_tampered_model_with_exit_2(trained, sim_paths, tmp_path, capsys):
    folder = _copy(trained, tmp_path / "m")
    _edit(folder, lambda h: h["thresholds"].update(night=0.01))
    assert main(["detect", sim_paths[0], "--model", str(folder)]) == 2
    err = capsys.readouterr().err.strip()
    assert "checksum" in err and len(err.splitlines()) == 1
    assert main(["detect", sim_paths[0], "--model", str(tmp_path / "missing")]) == 2


def test_boosting_payload_round_trips_and_tampering_is_caught(tmp_path):
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, len(CANDIDATE_FEATURES)))
    y = (X[:, 1] + 0.3 * rng.normal(size=400) > 0).astype(int)
    est = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(X, y)
    meta = {"sample_rate_hz": [100.0, 2000.0], "signals": ["raw"], "seed": 0}
    save_model(tmp_path / "b", "boosting", {"night": 0.5}, (1.0, 0.0), meta, estimator=est)
    m = load_model(tmp_path / "b")
    assert np.allclose(m.score(X), est.decision_function(X))
    blob = bytearray((tmp_path / "b" / "model.skops").read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    (tmp_path / "b" / "model.skops").write_bytes(bytes(blob))
    with pytest.raises(InputError, match="checksum"):
        load_model(tmp_path / "b")


def test_model_refuses_recording_outside_training_range(trained, sim_paths):
    from crampdetect.pipeline.offline import detect_file

    model = load_model(trained)
    model.header["sample_rate_hz"] = [5000.0, 6000.0]
    with pytest.raises(InputError, match="training range"):
        detect_file(sim_paths[0], model=model)


def test_train_cli_writes_a_loadable_single_profile_model(sim_paths, tmp_path, capsys):
    dirs = sorted({str(Path(p).parent) for p in sim_paths})
    argv = ["train", "--out", str(tmp_path / "m"), "--profile", "night", "--seed", "1"]
    assert main([*argv, *(a for d in dirs for a in ("--data", d))]) == 0
    assert "model written" in capsys.readouterr().out
    model = load_model(tmp_path / "m")
    assert set(model.thresholds) == {"night"}
    assert model.header["training_data"]["recordings"] == sum(
        json.loads(Path(p[:-4] + ".labels.json").read_text())["profile"] == "night"
        for p in sim_paths
    )
    assert main(["train", "--data", str(tmp_path / "none"), "--out", str(tmp_path / "x")]) == 2


def test_unlabelled_negatives_join_as_one_group_per_file(sim_paths, training_set, tmp_path):
    # A copy without its sidecar stands in for a real recording: every candidate negative.
    base = training_set
    files = sorted({r["path"] for r in base.recordings})
    neg = tmp_path / "neg.csv"
    shutil.copy(files[np.bincount(base.group).argmax()], neg)
    both = build_training_set(sim_paths, negatives=[(str(neg), "night"), (str(neg), "training")])
    extra = both.y[len(base.y) :]
    assert len(extra) > 0 and not extra.any()
    assert len(np.unique(both.group)) == len(np.unique(base.group)) + 1
    for train, test in grouped_folds(both.group):
        assert not set(both.group[train]) & set(both.group[test])


@pytest.mark.parametrize("name", ["../model.skops", "/tmp/model.skops", "sub/../../model.skops"])
def test_payload_file_must_live_in_the_model_folder(tmp_path, name):
    """A header naming a payload outside its folder is refused even with a valid checksum."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    from crampdetect.detect.model import HEADER_NAME, _canonical, _sha256, _signed_part

    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, len(CANDIDATE_FEATURES)))
    est = HistGradientBoostingClassifier(max_iter=5).fit(X, (X[:, 0] > 0).astype(int))
    meta = {"sample_rate_hz": [100.0, 2000.0], "signals": ["raw"], "seed": 0}
    folder = save_model(tmp_path / "m", "boosting", {"night": 0.5}, (1.0, 0.0), meta, estimator=est)
    blob = (folder / "model.skops").read_bytes()
    outside = Path(name) if name.startswith("/") else (folder / name)
    if not name.startswith("/"):
        outside.parent.mkdir(parents=True, exist_ok=True)
        outside.write_bytes(blob)
    header = json.loads((folder / HEADER_NAME).read_text())
    header["payload_file"] = name
    header["payload_sha256"] = _sha256(blob + _canonical(_signed_part(header)))
    (folder / HEADER_NAME).write_text(json.dumps(header))
    with pytest.raises(InputError, match="inside the model folder"):
        load_model(folder)


def test_logistic_model_written_over_a_boosting_one_leaves_no_stale_payload(tmp_path):
    """Rewriting a model folder with a logistic model removes the boosting payload it held."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, len(CANDIDATE_FEATURES)))
    est = HistGradientBoostingClassifier(max_iter=5).fit(X, (X[:, 0] > 0).astype(int))
    meta = {"sample_rate_hz": [100.0, 2000.0], "signals": ["raw"], "seed": 0}
    folder = save_model(tmp_path / "m", "boosting", {"night": 0.5}, (1.0, 0.0), meta, estimator=est)
    assert (folder / "model.skops").exists()
    n = len(CANDIDATE_FEATURES)
    zeros, ones = np.zeros(n), np.ones(n)
    linear = {"coef": zeros, "intercept": np.zeros(1), "mean": zeros, "scale": ones}
    save_model(folder, "logistic", {"night": 0.5}, (1.0, 0.0), meta, linear=linear)
    assert not (folder / "model.skops").exists()
    assert load_model(folder).header["kind"] == "logistic"
