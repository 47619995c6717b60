"""Train the learned gate: candidates from labelled recordings, grouped CV, thresholds.

The unsure candidates of every recording (:func:`~crampdetect.pipeline.offline.collect_candidates`)
are labelled from the ``.labels.json`` sidecar. Two estimators are compared with
cross-validation grouped by recording (no recording in two folds): a logistic regression on
standardised features and a histogram gradient boosting classifier. The winner's out-of-fold
scores are calibrated (sigmoid) and, per profile, the decision threshold is chosen on
*episodes* (runs of candidates on one channel), because the detector alerts on the first
accepted row of a run: the lowest threshold that meets the alert-rate budget while keeping
nearly every cramp's fast alert.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from crampdetect.core import InputError
from crampdetect.detect.model import KINDS, save_model
from crampdetect.evaluate.score import labelled_profile, labels_path
from crampdetect.evaluate.select import choose_threshold
from crampdetect.ingest.inference import infer_over
from crampdetect.pipeline.offline import collect_candidates
from crampdetect.storage.csvfile import open_csv
from crampdetect.storage.recording import carried_profile

log = logging.getLogger(__name__)

EPISODE_GAP_S = 1.0
N_FOLDS = 5


@dataclass
class TrainingSet:
    """Candidate rows of many recordings (row arrays aligned; ``recordings`` per group)."""

    X: np.ndarray  # (n, 10) CANDIDATE_FEATURES
    y: np.ndarray  # 1 = inside a labelled cramp on that channel
    group: np.ndarray  # file index (the CV group)
    recording: np.ndarray  # index into ``recordings`` (a file run under one profile)
    episode: np.ndarray  # global episode index (run of candidates on one channel)
    cramp: np.ndarray  # global cramp index for positives, -1 otherwise
    time_s: np.ndarray
    activity: list[str]
    recordings: list[dict[str, Any]]  # name, profile, duration_s, rate, signal, holds, cramps


def _activity(intervals: list[dict], channel: str, t: float) -> str:
    for i in intervals:
        if i["channel"] == channel and i["kind"] != "cramp" and i["start_s"] <= t <= i["end_s"]:
            return str(i["kind"])
    return "rest"


def _no_cramp_labels(csv_path: str, profile: str) -> dict[str, Any]:
    """Labels of an unlabelled recording known to hold no cramp (e.g. real EMG)."""
    stream = open_csv(csv_path)
    rep = infer_over((b.data for b in stream.blocks()), stream.fs).finish()
    return {
        "profile": profile,
        "intervals": [],
        "duration_s": stream.duration_s,
        "sample_rate_hz": stream.fs,
        "signal": rep.signal,
        "units": rep.units,
        "adc_bits": rep.adc_bits,
    }


def label_recording(csv_path: str, negative_profile: str | None = None) -> dict[str, Any]:
    """Candidates of one recording with their labels (runs in a worker).

    With ``negative_profile`` the recording needs no sidecar: it is run with that profile
    and every candidate is negative.
    """
    if negative_profile is None:
        labels = json.loads(labels_path(csv_path).read_text())
    else:
        labels = _no_cramp_labels(csv_path, negative_profile)
    profile = labelled_profile(labels, Path(csv_path).name)
    cand = collect_candidates(csv_path, profile, labels.get("signal"))
    intervals = labels["intervals"]
    cramps = [i for i in intervals if i["kind"] == "cramp"]
    y, cramp_id, act = [], [], []
    for c, t in zip(cand["channel_index"], cand["times_s"], strict=True):
        ch = cand["channels"][c]
        hit = [
            k
            for k, i in enumerate(cramps)
            if i["channel"] == ch and i["start_s"] - 1.0 <= t <= i["end_s"]
        ]
        y.append(1 if hit else 0)
        cramp_id.append(hit[0] if hit else -1)
        act.append("cramp" if hit else _activity(intervals, ch, t))
    return {
        "name": Path(csv_path).name,
        "path": str(Path(csv_path).resolve()),
        "labelled": negative_profile is None,
        "profile": profile,
        "duration_s": float(labels["duration_s"]),
        "sample_rate_hz": float(labels["sample_rate_hz"]),
        "signal": labels["signal"],
        "representation": f"{labels['signal']}-{labels['units']}{labels.get('adc_bits') or ''}",
        "holds": sum(i["kind"] == "voluntary_hold" for i in intervals),
        "cramps": len(cramps),
        "X": cand["features"],
        "y": np.array(y, dtype=int),
        "cramp": np.array(cramp_id, dtype=int),
        "channel": np.array(cand["channel_index"], dtype=int),
        "time_s": np.array(cand["times_s"], dtype=float),
        "activity": act,
    }


def build_training_set(
    paths: list[str], n_jobs: int = 1, negatives: list[tuple[str, str]] = ()
) -> TrainingSet:
    """Collect and label the candidates of ``paths`` (labelled CSVs), in a stable order.

    ``negatives`` are (CSV, profile) pairs of unlabelled recordings without cramps. Groups
    are files: a file run under two profiles stays in one group.
    """
    if not paths:
        raise InputError("no labelled recordings to train on")
    jobs = [(p, None) for p in paths] + list(negatives)
    if n_jobs > 1:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=n_jobs, mp_context=ctx) as pool:
            recs = list(pool.map(label_recording, *zip(*jobs, strict=True)))
    else:
        recs = [label_recording(p, prof) for p, prof in jobs]
    files = sorted({r["path"] for r in recs})
    X, y, g, ri, ep, cr, ts, act = [], [], [], [], [], [], [], []
    n_ep = n_cr = 0
    for k, r in enumerate(recs):
        n = len(r["y"])
        gi = files.index(r["path"])
        # Episodes: consecutive candidates on a channel no more than EPISODE_GAP_S apart.
        local = np.zeros(n, dtype=int)
        for c in np.unique(r["channel"]):
            idx = np.flatnonzero(r["channel"] == c)
            order = idx[np.argsort(r["time_s"][idx], kind="stable")]
            brk = np.r_[True, np.diff(r["time_s"][order]) > EPISODE_GAP_S]
            local[order] = n_ep + np.cumsum(brk) - 1
            n_ep += int(brk.sum())
        X.append(r["X"])
        y.append(r["y"])
        g.append(np.full(n, gi))
        ri.append(np.full(n, k))
        ep.append(local)
        cr.append(np.where(r["cramp"] >= 0, r["cramp"] + n_cr, -1))
        n_cr += r["cramps"]
        ts.append(r["time_s"])
        act.extend(r["activity"])
    meta = [{k: v for k, v in r.items() if not isinstance(v, np.ndarray | list)} for r in recs]
    return TrainingSet(
        np.concatenate(X).reshape(-1, 10),
        np.concatenate(y),
        np.concatenate(g),
        np.concatenate(ri),
        np.concatenate(ep),
        np.concatenate(cr),
        np.concatenate(ts),
        act,
        meta,
    )


def make_estimator(kind: str, seed: int) -> Any:
    """An unfitted estimator of ``kind`` (``logistic`` or ``boosting``)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if kind == "logistic":
        return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
    return HistGradientBoostingClassifier(
        max_iter=150,
        learning_rate=0.05,
        max_leaf_nodes=15,
        min_samples_leaf=20,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=seed,
    )


def grouped_folds(groups: np.ndarray, n_folds: int = N_FOLDS) -> list[tuple[np.ndarray, ...]]:
    """(train, test) row indices; every recording's rows fall in exactly one test fold."""
    from sklearn.model_selection import GroupKFold

    k = min(n_folds, len(np.unique(groups)))
    if k < 2:
        raise InputError("need at least 2 recordings with candidates for grouped CV")
    return list(GroupKFold(n_splits=k).split(np.zeros(len(groups)), groups=groups))


def out_of_fold_scores(ts: TrainingSet, kind: str, seed: int) -> np.ndarray:
    """Decision scores of every row from a model that never saw its recording."""
    scores = np.zeros(len(ts.y))
    for train, test in grouped_folds(ts.group):
        if len(np.unique(ts.y[train])) < 2:
            scores[test] = 0.0 if ts.y[train].all() else -10.0
            continue
        est = make_estimator(kind, seed).fit(ts.X[train], ts.y[train])
        scores[test] = est.decision_function(ts.X[test])
    return scores


def fit_calibration(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Sigmoid (Platt) calibration ``p = 1 / (1 + exp(-(a s + b)))`` of raw scores."""
    from sklearn.linear_model import LogisticRegression

    if len(np.unique(y)) < 2:
        return 1.0, 0.0
    lr = LogisticRegression(C=1e4, max_iter=1000).fit(scores.reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def train_gate(
    paths: list[str],
    out_dir: str | Path,
    profiles: tuple[str, ...] = ("night", "training"),
    seed: int = 0,
    n_jobs: int = 1,
    description: str = "",
    estimator: str | None = None,
    negatives: list[str] = (),
) -> dict[str, Any]:
    """Train, compare, calibrate, choose thresholds and write a model folder.

    ``estimator`` forces ``logistic`` or ``boosting``; None keeps the one whose out-of-fold
    false alerts (at thresholds keeping the cramps) are fewest, the linear model on ties.
    ``negatives`` are unlabelled CSVs without cramps (e.g. converted real recordings), run
    under each profile.

    Returns the training report (also stored in the model header): per estimator the
    out-of-fold ROC AUC and per-profile threshold outcomes, and the winner.
    """
    from sklearn.metrics import roc_auc_score

    use = [
        p for p in paths if carried_profile({}, json.loads(labels_path(p).read_text())) in profiles
    ]
    neg = [(n, prof) for n in sorted(negatives) for prof in profiles]
    ts = build_training_set(sorted(use, key=lambda p: Path(p).name), n_jobs, neg)
    if len(np.unique(ts.y)) < 2:
        if not ts.y.size:
            need = "these recordings raise no candidate alert: add more, with and without cramps"
        elif ts.y.all():  # every candidate alert lies in a cramp
            need = (
                "no candidate alert fell outside a cramp. Only the unsure alerts of the fast "
                "and quiet paths are candidates (those the learned gate judges); an alert of "
                "the slow path, or an activity that raises none, does not count. Add "
                "recordings where such an alert comes without a cramp (e.g. voluntary holds "
                "and calf raises under the training profile) with --data, or recordings "
                "without cramps with --negatives"
            )
        else:
            need = "no candidate alert fell inside a cramp: add recordings with cramps"
        raise InputError(f"training candidates hold only one class: {need}")
    report: dict[str, Any] = {}
    for kind in KINDS:
        oof = out_of_fold_scores(ts, kind, seed)
        a, b = fit_calibration(oof, ts.y)
        prob = _sigmoid(a * oof + b)
        report[kind] = {
            "roc_auc": round(float(roc_auc_score(ts.y, oof)), 4),
            "calibration": [a, b],
            "profiles": {p: choose_threshold(ts, prob, p) for p in profiles},
        }
        log.info("%s: out-of-fold ROC AUC %.3f", kind, report[kind]["roc_auc"])

    def cost(kind: str) -> tuple[float, int]:
        fa = [
            report[kind]["profiles"][p]["at_keep"]["false_alerts_per_hour"] or 0.0 for p in profiles
        ]
        return (round(sum(fa), 4), KINDS.index(kind))

    winner = estimator or min(KINDS, key=cost)
    est = make_estimator(winner, seed).fit(ts.X, ts.y)
    linear = None
    if winner == "logistic":
        scaler, lr = est[0], est[-1]
        linear = {
            "mean": scaler.mean_,
            "scale": scaler.scale_,
            "coef": lr.coef_[0],
            "intercept": lr.intercept_,
        }
    rates = [r["sample_rate_hz"] for r in ts.recordings]
    meta = {
        "profiles": list(profiles),
        "sample_rate_hz": [min(rates), max(rates)],
        "signals": sorted({r["signal"] for r in ts.recordings}),
        "seed": seed,
        "training_data": {
            "description": description,
            "recordings": sum(r["labelled"] for r in ts.recordings),
            "hours": round(sum(r["duration_s"] for r in ts.recordings if r["labelled"]) / 3600, 3),
            "cramps": sum(r["cramps"] for r in ts.recordings),
            "candidates": len(ts.y),
            "positive_candidates": int(ts.y.sum()),
            "recording_names": [r["name"] for r in ts.recordings if r["labelled"]],
            "negative_recordings": sorted({r["name"] for r in ts.recordings if not r["labelled"]}),
        },
        "cross_validation": {"folds": N_FOLDS, "grouped_by": "recording", **report},
        "winner": winner,
    }
    thresholds = {p: report[winner]["profiles"][p]["chosen"]["threshold"] for p in profiles}
    a, b = report[winner]["calibration"]
    save_model(out_dir, winner, thresholds, (a, b), meta, linear=linear, estimator=est)
    return meta
