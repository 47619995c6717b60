"""Alert confidence: the calibrated probability that an alert is a cramp.

A logistic model over the alert's :data:`~crampdetect.detect.cramp.CANDIDATE_FEATURES`
(continuity, irregularity, dips, rise over what came before, one leg or both, path), fitted
on the alerts of the tuning seeds of the simulated sets and shipped as data in
``confidence.json`` (see ``benchmarks/fit_confidence.py`` and ``benchmarks/confidence.md``).
Features are clipped to the range seen in fitting, so an unusual alert cannot push the
probability to an extreme through one feature alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

import numpy as np

DATA = Path(__file__).with_name("confidence.json")
#: Confidence is reported within these bounds: no alert is certain either way.
FLOOR, CEILING = 0.01, 0.99


class LogisticConfidence:
    """p = sigmoid(intercept + coef . (clip(x, lo, hi) - mean) / scale)."""

    def __init__(self, params: dict) -> None:
        self.features = tuple(params["features"])
        self.mean = np.asarray(params["mean"], dtype=float)
        self.scale = np.asarray(params["scale"], dtype=float)
        self.coef = np.asarray(params["coef"], dtype=float)
        self.intercept = float(params["intercept"])
        self.lo = np.asarray(params["lo"], dtype=float)
        self.hi = np.asarray(params["hi"], dtype=float)

    def __call__(self, x: np.ndarray) -> float:
        z = (np.clip(np.nan_to_num(x), self.lo, self.hi) - self.mean) / self.scale
        p = 1.0 / (1.0 + np.exp(-(self.intercept + float(z @ self.coef))))
        return round(float(np.clip(p, FLOOR, CEILING)), 3)


def fit_confidence(X: np.ndarray, y: np.ndarray, features: Sequence[str]) -> dict:
    """Fit the logistic model on alert features ``X`` and outcomes ``y`` (1 = a cramp)."""
    from sklearn.linear_model import LogisticRegression

    lo, hi = np.percentile(X, 1, axis=0), np.percentile(X, 99, axis=0)
    Xc = np.clip(X, lo, hi)
    mean, scale = Xc.mean(axis=0), Xc.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    model = LogisticRegression(C=1.0, max_iter=1000).fit((Xc - mean) / scale, y)
    return {
        "features": list(features),
        "mean": mean.tolist(),
        "scale": scale.tolist(),
        "coef": model.coef_[0].tolist(),
        "intercept": float(model.intercept_[0]),
        "lo": lo.tolist(),
        "hi": hi.tolist(),
        "fitted_on": len(y),
        "positives": int(np.sum(y)),
    }


@cache
def load_confidence(path: Path = DATA) -> Callable[[np.ndarray], float]:
    """The shipped confidence model."""
    return LogisticConfidence(json.loads(path.read_text()))
