"""Prototype: can a learned per-frame cramp score add to, or gate, the rule detector? (issue 10)

The real pipeline runs over every labelled recording of the evaluation sets (standard, stress,
independent); a hook on the detector's ``update`` keeps the per-frame arrays it is given (100
and 250 ms envelopes, resting baseline, reference, lead-off and untrusted frames). From them
CAUSAL features are computed per channel on a 100 ms grid (every second 50 ms frame): each
reads only frames at or before its own. They describe the level over the leg's rest and over
its recent effort, relaxation gaps (share of frames below ``off_ratio`` x rest, longest gap),
the irregularity of the envelope, stride periodicity (autocorrelation at 0.5-1.5 s lags), the
other leg, the time since the leg's last effort ended and the current run's age, each over the
last 0.5/1/2/4/8 s, and the profile and signal type. A frame is positive from a labelled
cramp's onset to its end on its leg.

Models (scikit-learn HistGradientBoostingClassifier and a logistic model) are fitted on the
TUNING seeds 0-2 of all three sets and judged on the VALIDATION seeds 100-102: per-frame ROC
AUC per set, then alert policies scored with the project's scorer
(:func:`crampdetect.evaluate.score.score` and ``aggregate``):

- (a) learned alone: an alert once the score stays above ``t`` for ``k`` frames (one per run);
- (b) OR: the rule detector's alerts plus (a)'s;
- (c) AND: a rule alert kept only when the score over the last second reached ``t``.

Held-out seeds are never read. Usage (the collected frames are kept in ``--rows`` and reused):

    PYTHONPATH=$PWD python benchmarks/learned_path.py --rows DIR
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path
from typing import Any

import numpy as np

#: Windows (s) of the rolling features.
WINDOWS_S = (0.5, 1.0, 2.0, 4.0, 8.0)
#: Stride lags (s) of the periodicity feature, and its window (s).
LAGS_S = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.2, 1.5)
PERIOD_WINDOW_S = 4.0
#: Effort: the 100 ms level at this many times rest or more.
EFFORT_RATIO = 4.0
#: Frames kept: every DECIMATE-th detector frame (50 ms -> 100 ms).
DECIMATE = 2


class _Recorder:
    """Wraps the detector's ``update``: keeps the arrays of every frame it is given."""

    def __init__(self, det: Any) -> None:
        self.det = det
        self.inner = det.update
        self.parts: list[tuple[int, list[np.ndarray]]] = []

    def __call__(self, start: int, level_fast, level, base, blocked, artefact, reference=None,
                 tkeo=None, untrusted=None, interrupted=None):  # fmt: skip
        ref = np.zeros_like(level) if reference is None else np.asarray(reference)
        unt = np.zeros(level.shape, bool) if untrusted is None else np.asarray(untrusted)
        self.parts.append(
            (start, [np.array(level_fast), np.array(level), np.array(base), np.array(blocked),
                     np.broadcast_to(ref, level.shape).copy(), unt.copy()])
        )  # fmt: skip
        return self.inner(
            start, level_fast, level, base, blocked, artefact, reference, tkeo, untrusted,
            interrupted,
        )  # fmt: skip


def _rolling(x: np.ndarray, w: int, fn: str) -> np.ndarray:
    """Causal rolling statistic of ``x`` (channels, n) over the last ``w`` frames (the first
    frame repeated before the start)."""
    from scipy import ndimage

    x = np.asarray(x, dtype=np.float64)
    n = x.shape[1]
    pad = np.concatenate([np.repeat(x[:, :1], w - 1, axis=1), x], axis=1)
    if fn in ("min", "max"):
        f = ndimage.minimum_filter1d if fn == "min" else ndimage.maximum_filter1d
        return f(pad, w, axis=1, mode="nearest")[:, w // 2 : w // 2 + n]
    cs = np.concatenate([np.zeros((x.shape[0], 1)), np.cumsum(pad, axis=1)], axis=1)
    mean = (cs[:, w:] - cs[:, :-w]) / w
    if fn == "mean":
        return mean
    cs2 = np.concatenate([np.zeros((x.shape[0], 1)), np.cumsum(pad * pad, axis=1)], axis=1)
    var = np.maximum((cs2[:, w:] - cs2[:, :-w]) / w - mean * mean, 0.0)
    return var if fn == "var" else np.sqrt(var)


def _longest_run(mask: np.ndarray, w: int) -> np.ndarray:
    """Per frame, the longest run of True within the last ``w`` frames (approximated by the
    current run's length capped at w and its rolling max)."""
    c, n = mask.shape
    run = np.zeros((c, n))
    for ch in range(c):
        m = mask[ch].astype(np.int64)
        # length of the current run of ones ending at each frame (vectorised)
        idx = np.arange(n)
        last_zero = np.maximum.accumulate(np.where(m == 0, idx, -1))
        run[ch] = np.where(m == 1, idx - last_zero, 0)
    return _rolling(np.minimum(run, w), w, "max")


def _since(mask: np.ndarray) -> np.ndarray:
    """Frames since ``mask`` was last True (a large number before the first)."""
    n = mask.shape[1]
    idx = np.arange(n)
    last = np.maximum.accumulate(np.where(mask, idx[None, :], -(10**7)), axis=1)
    return np.minimum(idx[None, :] - last, 10**5).astype(float)


def frame_features(
    fast: np.ndarray, level: np.ndarray, base: np.ndarray, ref: np.ndarray, hop_s: float,
    off_ratio: float, profile: str, signal: str,
) -> tuple[list[str], np.ndarray]:  # fmt: skip
    """Causal features per channel and frame: (names, array (channels, n, features))."""
    c, n = fast.shape
    fr = 1.0 / hop_s
    with np.errstate(invalid="ignore", divide="ignore"):
        b = np.where(np.isnan(base) | (base <= 0), np.nan, base)
        rel = np.log(np.clip(fast / b, 1e-3, 1e4))
        rel_ref = np.log(np.clip(fast / np.where(ref > 0, ref, np.nan), 1e-4, 1e3))
        lv = np.log(np.clip(level, 1e-6, None))
    rel = np.nan_to_num(rel, nan=0.0)
    rel_ref = np.nan_to_num(rel_ref, nan=0.0)
    gap = rel < np.log(off_ratio)
    effort = rel >= np.log(EFFORT_RATIO)
    names: list[str] = []
    cols: list[np.ndarray] = []

    def add(name: str, v: np.ndarray) -> None:
        names.append(name)
        cols.append(v.astype(np.float32))

    add("rel", rel)
    add("rel_ref", rel_ref)
    add("log_base", np.nan_to_num(np.log(np.clip(b, 1e-6, None)), nan=0.0))
    other = rel[::-1] if c == 2 else np.zeros_like(rel)
    other_gap = gap[::-1] if c == 2 else np.zeros_like(gap)
    add("other_rel", other)
    for ws in WINDOWS_S:
        w = max(2, round(ws * fr))
        tag = f"{ws:g}s"
        m = _rolling(rel, w, "mean")
        add(f"rel_mean_{tag}", m)
        add(f"rel_min_{tag}", _rolling(rel, w, "min"))
        add(f"rel_max_{tag}", _rolling(rel, w, "max"))
        add(f"rel_std_{tag}", np.nan_to_num(_rolling(rel, w, "std")))
        add(f"lv_std_{tag}", np.nan_to_num(_rolling(lv, w, "std")))
        add(f"gap_share_{tag}", _rolling(gap.astype(float), w, "mean"))
        add(f"longest_gap_{tag}", _longest_run(gap, w) / fr)
        add(f"rel_ref_mean_{tag}", _rolling(rel_ref, w, "mean"))
        add(f"other_mean_{tag}", _rolling(other, w, "mean"))
        add(f"other_gap_{tag}", _rolling(other_gap.astype(float), w, "mean"))
        add(f"trend_{tag}", rel - np.concatenate([np.repeat(rel[:, :1], w, 1), rel], 1)[:, :n])
    # stride periodicity: the highest autocorrelation of the 100 ms envelope at stride lags
    wp = round(PERIOD_WINDOW_S * fr)
    mx = _rolling(rel, wp, "mean")
    var = np.nan_to_num(_rolling(rel, wp, "var"))
    best = np.full((c, n), -1.0)
    for lag_s in LAGS_S:
        lag = round(lag_s * fr)
        lagged = np.concatenate([np.repeat(rel[:, :1], lag, 1), rel], 1)[:, :n]
        cov = _rolling(rel * lagged, wp, "mean") - mx * _rolling(lagged, wp, "mean")
        with np.errstate(invalid="ignore", divide="ignore"):
            ac = np.where(var > 1e-4, cov / var, 0.0)
        best = np.maximum(best, ac)
    add("period", best)
    add("other_period", best[::-1] if c == 2 else np.zeros_like(best))
    # effort history: time since the leg was last at effort and its current run's age
    since_effort = _since(effort) / fr
    add("since_effort", np.minimum(since_effort, 600.0))
    above = rel >= np.log(off_ratio)
    add("run_age", np.minimum(_since(~above) / fr, 600.0))
    add("since_other_effort", np.minimum(_since(effort[::-1] if c == 2 else effort) / fr, 600.0))
    add("effort_share_60s", _rolling(effort.astype(float), round(60 * fr), "mean"))
    add("effort_share_other_60s", _rolling((effort[::-1] if c == 2 else effort).astype(float),
                                           round(60 * fr), "mean"))  # fmt: skip
    add("night", np.full((c, n), float(profile == "night")))
    add("raw", np.full((c, n), float(signal == "raw")))
    return names, np.stack(cols, axis=-1)


def frames_of(csv_path: str) -> dict[str, Any]:
    """Run the pipeline over one labelled recording; its detection result, labels and the
    features of every DECIMATE-th frame per channel."""
    from crampdetect.detect.settings import profile_settings
    from crampdetect.evaluate.score import run_labelled
    from crampdetect.pipeline import Pipeline

    holder: dict[str, Any] = {}

    def make_pipe(stream: Any, rep: Any, profile: str) -> Any:
        settings = profile_settings(profile, rep.signal)
        pipe = Pipeline(stream.fs, stream.channels, rep, profile, settings)
        rec = _Recorder(pipe._detector)
        pipe._detector.update = rec
        holder.update(pipe=pipe, rec=rec, settings=settings)
        return pipe

    labels, profile, rep, result = run_labelled(csv_path, make_pipe)
    pipe, rec, settings = holder["pipe"], holder["rec"], holder["settings"]
    starts = [s for s, _ in rec.parts]
    arrays = [np.concatenate([p[k] for _, p in rec.parts], axis=1) for k in range(6)]
    n = arrays[0].shape[1]
    frames = np.concatenate([s + np.arange(p[0].shape[1]) for s, p in rec.parts])
    assert starts[0] == 0 and np.all(np.diff(frames) == 1), "frames not contiguous"
    fast, level, base, blocked, ref, untrusted = arrays
    names, feats = frame_features(
        fast, level, base, ref, pipe.hop_s, settings.off_ratio, profile, rep.signal
    )
    keep = np.arange(DECIMATE - 1, n, DECIMATE)
    t = np.array([pipe.frame_time(f + 1) - 1.0 / pipe.fs for f in keep])
    c = fast.shape[0]
    y = np.zeros((c, len(keep)), np.int8)
    act = np.full((c, len(keep)), "rest", dtype=object)
    for i in labels["intervals"]:
        if i["channel"] not in result["input"]["channels"]:
            continue
        ch = result["input"]["channels"].index(i["channel"])
        m = (t >= i["start_s"]) & (t <= i["end_s"])
        if i["kind"] == "cramp":
            y[ch, m] = 1
            act[ch, m] = "cramp"
        elif i["kind"] in ("voluntary_hold", "calf_raise", "gait", "turnover", "leg_movement",
                           "twitch", "standing", "prodrome"):  # fmt: skip
            act[ch, m & (act[ch] == "rest")] = i["kind"]
    return {
        "name": Path(csv_path).name,
        "profile": profile,
        "signal": rep.signal,
        "labels": labels,
        "result": result,
        "names": names,
        "t": t.astype(np.float64),
        "x": feats[:, keep, :],
        "y": y,
        "activity": act,
        "bad": (blocked | untrusted)[:, keep],
    }


def collect(variant: str, seed: int, keep: Path) -> list[dict[str, Any]]:
    """Frames of every recording of one evaluation set (kept as a pickle in ``keep``)."""
    import pickle

    from crampdetect.evaluate.multiseed import (
        DEFAULT_CACHE,
        SET_HOURS,
        ensure_set,
        set_directory,
        set_recordings,
    )

    name = set_directory(DEFAULT_CACHE, variant, seed, SET_HOURS[variant]).name
    kept = keep / f"{name}.pkl"
    if kept.exists():
        return pickle.loads(kept.read_bytes())
    d = ensure_set(variant, seed, SET_HOURS[variant], DEFAULT_CACHE, n_jobs=1)
    got = [frames_of(str(p)) for p in set_recordings(d)]
    for g in got:
        g["set"], g["seed"] = variant, seed
    kept.write_bytes(pickle.dumps(got))
    return got


# -- models ------------------------------------------------------------------------------------
def stack(recs: list[dict[str, Any]], sub: int = 1, rng: Any = None) -> tuple:
    """Rows of every channel and frame: X, y, set, activity, profile (negatives thinned by
    ``sub``, positives all kept)."""
    xs, ys, sets, acts, prof = [], [], [], [], []
    for r in recs:
        c, n, _ = r["x"].shape
        for ch in range(c):
            y = r["y"][ch]
            m = ~r["bad"][ch]
            if sub > 1:
                m &= (y == 1) | (rng.random(n) < 1.0 / sub)
            xs.append(r["x"][ch][m])
            ys.append(y[m])
            sets.append(np.full(m.sum(), r["set"], dtype=object))
            acts.append(r["activity"][ch][m])
            prof.append(np.full(m.sum(), r["profile"], dtype=object))
    return (np.concatenate(xs), np.concatenate(ys), np.concatenate(sets),
            np.concatenate(acts), np.concatenate(prof))  # fmt: skip


def fit_models(recs: list[dict[str, Any]], sub: int) -> dict[str, Any]:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    x, y, *_ = stack(recs, sub, rng)
    w = np.where(y == 1, 1.0, float(sub))
    print(f"fit rows {len(y)} ({int(y.sum())} positive)", flush=True)
    t0 = time.monotonic()
    hgb = HistGradientBoostingClassifier(
        max_iter=150, learning_rate=0.15, max_leaf_nodes=31, min_samples_leaf=200,
        l2_regularization=1.0, random_state=0,
    )  # fmt: skip
    hgb.fit(x, y, sample_weight=w)
    print(f"hgb fitted in {time.monotonic() - t0:.0f} s", flush=True)
    t0 = time.monotonic()
    lr = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=300))
    lr.fit(x, y, logisticregression__sample_weight=w)
    print(f"logistic fitted in {time.monotonic() - t0:.0f} s", flush=True)
    return {"hgb": hgb, "logistic": lr}


def predict(model: Any, recs: list[dict[str, Any]]) -> None:
    """Each recording's score per channel and frame under ``model`` -> r['p'][name]."""
    for r in recs:
        c, n, f = r["x"].shape
        p = model[1].predict_proba(r["x"].reshape(c * n, f))[:, 1].reshape(c, n)
        r.setdefault("p", {})[model[0]] = np.where(r["bad"], 0.0, p)


# -- policies ----------------------------------------------------------------------------------
#: After a learned alert, none again on that leg for this long (s), and a new one needs the
#: score to have fallen below the threshold in between (one alert per run).
REFRACTORY_S = 30.0


def learned_alerts(r: dict[str, Any], key: str, t_: float, k: int) -> list[dict[str, Any]]:
    """Alerts of the policy "score above t_ for k frames" on one recording (as events)."""
    out = []
    chans = r["result"]["input"]["channels"]
    for ch in range(r["p"][key].shape[0]):
        above = r["p"][key][ch] >= t_
        # run length of consecutive frames above
        idx = np.arange(above.size)
        last_below = np.maximum.accumulate(np.where(~above, idx, -1))
        run = np.where(above, idx - last_below, 0)
        hits = np.flatnonzero(run == k)  # the k-th frame of each run (once per run)
        last = -1e9
        for h in hits:
            ts = r["t"][h]
            if ts - last < REFRACTORY_S:
                continue
            last = ts
            onset = r["t"][h - k + 1]
            out.append({"kind": "cramp", "channel": chans[ch], "alert_s": float(ts),
                        "onset_s": float(onset), "confidence": float(r["p"][key][ch][h]),
                        "detail": {"path": "learned"}})  # fmt: skip
    return out


def gate_events(r: dict[str, Any], key: str, t_: float) -> list[dict[str, Any]]:
    """The rule alerts kept under the AND gate: the score's highest over the last second
    (before the alert) reaches t_."""
    chans = r["result"]["input"]["channels"]
    keep = []
    for e in r["result"]["events"]:
        if e["kind"] != "cramp":
            keep.append(e)
            continue
        ch = chans.index(e["channel"])
        m = (r["t"] <= e["alert_s"] + 1e-6) & (r["t"] >= e["alert_s"] - 1.0)
        if not m.any() or r["p"][key][ch][m].max() >= t_:
            keep.append(e)
    return keep


def figures(recs: list[dict[str, Any]], events_of) -> dict[str, Any]:
    """The project's figures for these recordings with events from ``events_of(r)``."""
    from crampdetect.evaluate.score import aggregate, score

    rows = []
    for r in recs:
        res = {**r["result"], "events": events_of(r)}
        rows.append(score(res, r["labels"], r["name"], r["profile"]))
    agg = aggregate(rows)
    o = agg["overall"]
    bp = agg["by_profile"]

    def fa(p: str) -> float | None:
        return bp.get(p, {}).get("false_alerts_per_hour")

    return {
        "w10": o["within_10s"], "alerted": o["sensitivity"],
        "lat50": o["latency_median_s"], "lat90": o["latency_p90_s"],
        "fa_night": fa("night"), "fa_train": fa("training"),
        "holds": o["holds_alerted_share"], "auc": o.get("confidence_auc"),
        "missed": o["cramps"] - o["detected"], "fas": o["false_alerts"],
    }  # fmt: skip


def fmt(f: dict[str, Any]) -> str:
    def v(x, d=3):
        return "-" if x is None else f"{x:.{d}f}"

    return (
        f"{v(f['w10'])} | {v(f['alerted'])} | {v(f['lat50'], 2)} | {v(f['lat90'], 2)} | "
        f"{v(f['fa_night'], 2)} | {v(f['fa_train'], 2)} | {v(f['holds'])} | {f['fas']}"
    )


def per_set(recs, events_of) -> dict[str, dict[str, Any]]:
    """Figures per set, each the mean over the seeds (as ``crampdetect evaluate`` reports)."""
    out = {}
    for v in sorted({r["set"] for r in recs}):
        seeds = sorted({r["seed"] for r in recs if r["set"] == v})
        fs = [figures([r for r in recs if r["set"] == v and r["seed"] == s], events_of)
              for s in seeds]  # fmt: skip
        out[v] = {
            k: (None if any(f[k] is None for f in fs) else float(np.mean([f[k] for f in fs])))
            for k in fs[0]
        }
        out[v]["fas"] = int(sum(f["fas"] for f in fs))
    return out


HEADER = ("| use | set | within 10 s | alerted | latency median s | p90 s | night FA/h "
          "| training FA/h | holds alerted | false alerts |\n"
          "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")  # fmt: skip


def main() -> None:
    from sklearn.metrics import roc_auc_score

    from crampdetect.evaluate.multiseed import TUNING_SEEDS, VALIDATION_SEEDS

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=Path, required=True, help="folder keeping collected frames")
    ap.add_argument("--sets", default="standard,stress,independent")
    ap.add_argument("--collect-only", choices=("tuning", "validation"))
    ap.add_argument("--sub", type=int, default=4, help="negatives thinned 1 in SUB for fitting")
    ap.add_argument("--thresholds", default="0.5,0.7,0.8,0.9,0.95,0.98")
    ap.add_argument("--runs", default="5,10,20,30")
    ap.add_argument("--out", type=Path, help="write the tables (markdown) here too")
    ap.add_argument(
        "--policy-tuning", action="store_true", help="also score the policies on the tuning seeds"
    )
    args = ap.parse_args()
    args.rows.mkdir(parents=True, exist_ok=True)
    sets = [s for s in args.sets.split(",") if s]
    if args.collect_only:
        seeds = TUNING_SEEDS if args.collect_only == "tuning" else VALIDATION_SEEDS
        for v, s in itertools.product(sets, seeds):
            t0 = time.monotonic()
            collect(v, s, args.rows)
            print(f"{v} {s}: {time.monotonic() - t0:.0f} s", flush=True)
        return
    tune = [r for v, s in itertools.product(sets, TUNING_SEEDS) for r in collect(v, s, args.rows)]
    check = [
        r for v, s in itertools.product(sets, VALIDATION_SEEDS) for r in collect(v, s, args.rows)
    ]
    names = tune[0]["names"]
    models = fit_models(tune, args.sub)
    lines = [f"{len(names)} features: {', '.join(names)}", ""]
    for key, m in models.items():
        predict((key, m), tune)
        predict((key, m), check)
    # per-frame AUC per set and by profile
    lines += [
        "### Per-frame ROC AUC (cramp frames against all others)",
        "",
        "| model | seeds | set | night | training |",
        "| --- | --- | --- | ---: | ---: |",
    ]
    for key in models:
        for label, recs in (("tuning (fitted)", tune), ("validation", check)):
            for v in sets:
                cells = []
                for prof in ("night", "training"):
                    rs = [r for r in recs if r["set"] == v and r["profile"] == prof]
                    p = np.concatenate([r["p"][key][~r["bad"]] for r in rs])
                    y = np.concatenate([r["y"][~r["bad"]] for r in rs])
                    cells.append(f"{roc_auc_score(y, p):.3f}" if 0 < y.sum() < y.size else "-")
                lines.append(f"| {key} | {label} | {v} | {' | '.join(cells)} |")
    lines.append("")
    # per-frame score by activity (validation, hgb): share of frames above 0.5
    lines += [
        "### Validation frames scoring >= 0.5 by labelled activity",
        "",
        "| model | activity | frames | share >= 0.5 |",
        "| --- | --- | ---: | ---: |",
    ]
    for key in models:
        act = np.concatenate([r["activity"][~r["bad"]] for r in check])
        p = np.concatenate([r["p"][key][~r["bad"]] for r in check])
        for a in sorted(set(act.tolist())):
            m = act == a
            lines.append(f"| {key} | {a} | {int(m.sum())} | {np.mean(p[m] >= 0.5):.4f} |")
    lines.append("")
    print("\n".join(lines), flush=True)
    if args.out is not None:
        args.out.write_text("\n".join(lines) + "\n")
    thresholds = [float(x) for x in args.thresholds.split(",")]
    runs = [int(x) for x in args.runs.split(",")]
    for label, recs in (("validation", check), ("tuning (fitted)", tune)):
        lines += [f"### Alert policies, {label} seeds (mean over seeds per set)", "", HEADER]
        rules = per_set(recs, lambda r: r["result"]["events"])
        for v in sets:
            lines.append(f"| rules | {v} | {fmt(rules[v])} |")
        print("\n".join(lines[-len(sets) :]), flush=True)
        for key in models:
            for t_, k in itertools.product(thresholds, runs):
                a = per_set(recs, lambda r, t_=t_, k=k, key=key: learned_alerts(r, key, t_, k))
                b = per_set(
                    recs,
                    lambda r, t_=t_, k=k, key=key: (
                        r["result"]["events"] + learned_alerts(r, key, t_, k)
                    ),
                )
                for v in sets:
                    lines.append(f"| (a) {key} t={t_} k={k} | {v} | {fmt(a[v])} |")
                    lines.append(f"| (b) rules OR {key} t={t_} k={k} | {v} | {fmt(b[v])} |")
                print("\n".join(lines[-2 * len(sets) :]), flush=True)
            for t_ in (0.05, 0.1, 0.2, 0.3, 0.5):
                c = per_set(recs, lambda r, t_=t_, key=key: gate_events(r, key, t_))
                for v in sets:
                    lines.append(f"| (c) rules AND {key} >= {t_} | {v} | {fmt(c[v])} |")
                print("\n".join(lines[-len(sets) :]), flush=True)
        lines.append("")
        if args.out is not None:
            args.out.write_text("\n".join(lines) + "\n")
        if not args.policy_tuning:
            break
    text = "\n".join(lines)
    print(text)
    if args.out is not None:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
