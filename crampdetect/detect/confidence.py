"""Alert confidence: the calibrated probability that an alert is a cramp.

A logistic model over the alert's :data:`~crampdetect.detect.cramp.ALERT_FEATURES`: the
gate's candidate features (continuity, irregularity, dips, rise over what came before, one
leg or both; not the rule that raised it, see :data:`RULE_FEATURES`) and
:data:`CONTEXT_FEATURES` (relaxation gaps over the whole run, rhythm within and before it,
rest or effort before it, the resting floor and peaks before it, time since the last
movement, artefacts, the other leg, motor-unit spikiness, profile and input). Fitted on the
alerts of the tuning and fit seeds of the three evaluation sets and shipped as data in
``confidence.json`` (refit with ``python benchmarks/fit_confidence.py``; figures in
``benchmarks/confidence.md``).
Features are clipped to the range seen in fitting, so an unusual alert cannot push the
probability to an extreme through one feature alone.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

DATA = Path(__file__).with_name("confidence.json")

#: What the confidence model sees beyond the gate's CANDIDATE_FEATURES, at the alert frame
#: (see :func:`alert_context`); all from frames up to the alert.
CONTEXT_FEATURES = (
    "run_cv",  # std / mean of the 100 ms envelope over the run (at most RUN_S)
    "run_low",  # 5th percentile / median of it: relaxation gaps inside the run
    "run_gap_share",  # share of the run's frames below half its median
    "run_rhythm",  # stride-like rhythm (autocorrelation at 0.5-1.3 s) inside the run
    "run_trend",  # log(median of the last 1 s / median of the first 1 s of the run)
    "pre_rhythm",  # the same rhythm over the PRE_S before the run (gait before it)
    "log_pre_ref",  # log(level before the run / strongest activity before it): rest or effort
    "since_move_s",  # s from the end of the last movement to the run (at most MOVE_CAP_S)
    "artefact_share",  # share of the run's frames with an artefact flag
    "other_leg",  # strongest other leg's level / this leg's, each over its own reference
    "log_tkeo_ratio",  # log(median TKEO / median squared envelope) over the run: MU spikiness
    "night",  # 1 under a profile with the quiet-rest rule (night)
    "raw_input",  # 1 when TKEO is known (raw EMG seen at rest)
    "pre_floor",  # log(20th percentile of the envelope over PRE_S before the run / rest): prodrome
    "pre_peak",  # log(95th percentile of it / rest): a movement or twitches before the run
    "tkeo_over_pre",  # log_tkeo_ratio over the same ratio in the PRE_S before the run
    "rise_s",  # s from the onset to the envelope first reaching half its median since
    "onset_lead_s",  # s from the onset to the alert
)
#: Which rule raised the alert: left out of the model, so that it stays meaningful when the
#: rules change (the evidence is in the features those rules read).
RULE_FEATURES = ("path_irregular", "path_quiet")
#: Span (s) of the run and of the time before it that the context features look at; both
#: stay within the detector's history, so they do not depend on block cuts.
RUN_S, PRE_S, MOVE_CAP_S = 20.0, 8.0, 120.0
#: Stride periods (s) of the rhythm features.
RHYTHM_LAGS_S = (0.5, 1.3)

#: Confidence is reported within these bounds: no alert is certain either way.
FLOOR, CEILING = 0.01, 0.99


def feature(values: Mapping[str, float], name: str, default: float = 0.0) -> float:
    """Value of feature ``name``: a name in ``values``, or ``a*b`` for the product of two
    (an interaction, e.g. ``night*run_cv``); ``default`` when one is not given."""
    a, star, b = name.partition("*")
    if star:
        return float(values[a]) * float(values[b]) if a in values and b in values else default
    return float(values.get(name, default))


class LogisticConfidence:
    """p = sigmoid(intercept + coef . (clip(x, lo, hi) - mean) / scale) over named features
    (see :func:`feature`). A feature the caller does not give counts at its fitted mean (no
    evidence either way).
    """

    def __init__(self, params: dict) -> None:
        self.features = tuple(str(f) for f in params["features"])
        k = len(self.features)
        arrays = {}
        for key in ("mean", "scale", "coef", "lo", "hi"):
            arrays[key] = np.asarray(params[key], dtype=float)
            if arrays[key].shape != (k,) or not np.isfinite(arrays[key]).all():
                raise ValueError(f"{key}: need {k} finite numbers")
        self.mean, self.scale, self.coef = arrays["mean"], arrays["scale"], arrays["coef"]
        self.lo, self.hi = arrays["lo"], arrays["hi"]
        if (self.scale <= 0).any():
            raise ValueError("scale: need positive numbers")
        self.intercept = float(params["intercept"])
        if not np.isfinite(self.intercept):
            raise ValueError("intercept: need a finite number")

    def __call__(self, values: Mapping[str, float]) -> float:
        x = np.array([feature(values, f, m) for f, m in zip(self.features, self.mean, strict=True)])
        z = (np.clip(np.nan_to_num(x), self.lo, self.hi) - self.mean) / self.scale
        p = 1.0 / (1.0 + np.exp(-(self.intercept + float(z @ self.coef))))
        return round(float(np.clip(p, FLOOR, CEILING)), 3)


def _rhythm(x: np.ndarray, lags: np.ndarray) -> float:
    """Largest autocorrelation at a stride lag minus that at half the lag (0: none)."""
    if lags.size == 0 or x.size < 2 * lags.max():
        return 0.0
    g = x - x.mean()
    energy = float(g @ g)
    if energy <= 0:
        return 0.0
    acf = lambda k: float(g[:-k] @ g[k:]) / energy  # noqa: E731
    return max(acf(int(k)) - acf(max(1, int(k) // 2)) for k in lags)


def alert_context(
    fast: np.ndarray,
    level: np.ndarray,
    ref: np.ndarray,
    art: np.ndarray,
    tkeo: np.ndarray,
    base: np.ndarray,
    c: int,
    run_start: int,
    alert: int,
    frames_per_s: float,
) -> np.ndarray:
    """Run shape, rhythm, artefact share, other leg, spikiness and rest before the run: the
    entries of CONTEXT_FEATURES from ``run_cv`` to ``pre_rhythm``, then ``artefact_share`` to
    ``log_tkeo_ratio``, then ``pre_floor`` to ``tkeo_over_pre``.

    ``fast``/``level`` are the 100/250 ms envelopes (µV), ``ref`` the activity reference (µV),
    ``art`` the artefact flags, ``tkeo`` the mean TKEO per frame (µV², zeros without raw EMG),
    ``base`` the resting baseline (µV, NaN while unknown),
    all (n_channels, m); ``run_start`` and ``alert`` index into
    them (``run_start`` < 0: before them). The caller holds at least RUN_S + PRE_S s before
    the alert (or the stream's start), so the result does not depend on block cuts.
    """
    fr = frames_per_s
    a = max(0, run_start, alert - round(RUN_S * fr))
    f = fast[c, a : alert + 1]
    med = float(np.median(f)) if f.size else 0.0
    one = max(1, round(fr))
    lags = np.arange(max(1, round(RHYTHM_LAGS_S[0] * fr)), round(RHYTHM_LAGS_S[1] * fr) + 1)
    p0 = max(0, run_start - round(PRE_S * fr), alert - round((RUN_S + PRE_S) * fr))
    pre = fast[c, p0 : max(p0, run_start)]
    rest = base[c, p0 : max(p0, run_start)]
    rest = float(np.median(rest)) if rest.size and np.isfinite(rest).all() else np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        lv = level[:, alert] / np.where(ref[:, alert] > 0, ref[:, alert], np.nan)
        others = np.delete(lv, c)
        known = others[np.isfinite(others)]
        other = float(known.max() / lv[c]) if known.size else 0.0
        return np.nan_to_num(
            np.array(
                [
                    float(f.std() / f.mean()) if f.size and f.mean() > 0 else 0.0,
                    float(np.percentile(f, 5) / med) if med > 0 else 0.0,
                    float(np.mean(f < 0.5 * med)) if f.size else 0.0,
                    _rhythm(f, lags),
                    float(np.log(np.median(f[-one:]) / np.median(f[:one]))) if f.size else 0.0,
                    _rhythm(pre, lags),
                    float(np.mean(art[c, a : alert + 1])) if f.size else 0.0,
                    other,
                    float(np.log(np.median(tkeo[c, a : alert + 1]) / np.median(f**2)))
                    if f.size
                    else 0.0,
                    float(np.log(np.percentile(pre, 20) / rest)) if pre.size else 0.0,
                    float(np.log(np.percentile(pre, 95) / rest)) if pre.size else 0.0,
                    float(
                        np.log(np.median(tkeo[c, a : alert + 1]) / np.median(f**2))
                        - np.log(np.median(tkeo[c, p0 : max(p0, run_start)]) / np.median(pre**2))
                    )
                    if f.size and pre.size
                    else 0.0,
                ]
            ),
            nan=0.0,
            posinf=0.0,
            neginf=0.0,
        )


def rise_context(fast: np.ndarray, onset: int, alert: int, frames_per_s: float) -> np.ndarray:
    """``rise_s`` and ``onset_lead_s`` of CONTEXT_FEATURES from one channel's 100 ms envelope
    (µV), ``onset`` and ``alert`` indexing into it: a movement jumps up, a cramp may build."""
    f = fast[onset : alert + 1]
    if f.size == 0:
        return np.zeros(2)
    up = np.flatnonzero(f >= 0.5 * np.median(f))
    return np.array([(up[0] if up.size else 0) / frames_per_s, (alert - onset) / frames_per_s])


def fit_confidence(
    rows: Sequence[Mapping[str, float]],
    y: Sequence[int],
    features: Sequence[str] | None = None,
    strength: float = 0.3,
) -> dict:
    """Fit the logistic model on alert features by name (``rows``; ``features`` may name
    products ``a*b``, default: every feature of the first row) and outcomes ``y`` (1 = a
    cramp); ``strength`` is the inverse L2 regularisation (sklearn's ``C``) on standardised
    features."""
    from sklearn.linear_model import LogisticRegression

    names = list(features if features is not None else rows[0])
    X = np.nan_to_num(np.array([[feature(r, f) for f in names] for r in rows], dtype=float))
    lo, hi = np.percentile(X, 1, axis=0), np.percentile(X, 99, axis=0)
    Xc = np.clip(X, lo, hi)
    mean, scale = Xc.mean(axis=0), Xc.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    model = LogisticRegression(C=strength, max_iter=2000).fit((Xc - mean) / scale, np.asarray(y))
    return {
        "features": names,
        "mean": mean.tolist(),
        "scale": scale.tolist(),
        "coef": model.coef_[0].tolist(),
        "intercept": float(model.intercept_[0]),
        "lo": lo.tolist(),
        "hi": hi.tolist(),
        "fitted_on": len(rows),
        "positives": int(np.sum(y)),
    }


#: Confidence given when no model can be read (an alert is then neither trusted nor doubted).
UNRATED = 0.5


@cache
def load_confidence(path: Path = DATA) -> Callable[[Mapping[str, float]], float]:
    """The shipped confidence model; a constant UNRATED (with a warning) when the file is
    missing or unreadable, so a bad model file never stops detection."""
    try:
        return LogisticConfidence(json.loads(Path(path).read_text()))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("confidence model %s unusable (%s): alerts rated %.1f", path, exc, UNRATED)
        return lambda values: UNRATED
