"""Fit the alert-confidence model on tuning sets; judge it on held-out sets.

Every alert the detector raises on the labelled recordings is a row: its
CANDIDATE_FEATURES at the alert and whether it fell within a labelled cramp on its channel
(from 1 s before the start to 2 s after the end, as ``crampdetect evaluate`` counts it).
The logistic model is fitted on the ``--tune`` folders only and written to
``crampdetect/detect/confidence.json``; ROC AUC, Brier score and a reliability table on the
``--held-out`` folders go to ``benchmarks/confidence.md``.

Run: ``python benchmarks/fit_confidence.py --tune DIR [DIR ...] --held-out DIR [DIR ...]``
(``--no-fit`` scores the shipped model only).
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def alerts_of(csv_path: Path) -> list[dict]:
    """Alerts of one labelled recording with their features and outcome."""
    from crampdetect.detect.settings import profile_settings
    from crampdetect.evaluate.score import labels_path
    from crampdetect.ingest.inference import infer_representation
    from crampdetect.pipeline import Pipeline
    from crampdetect.storage.csvfile import open_csv

    labels = json.loads(labels_path(csv_path).read_text())
    profile = labels.get("profile", "night")
    stream = open_csv(csv_path)
    rep, _ = infer_representation(stream.first, labels.get("signal"), fs=stream.fs)
    pipe = Pipeline(stream.fs, stream.channels, rep, profile, profile_settings(profile, rep.signal))
    log: list = []
    pipe._detector.alert_log = log
    events: dict[int, object] = {}
    for block in stream.blocks():
        for e in pipe.push(block).events:
            events.setdefault(e.id, e)
    for e in pipe.finish().events:
        events.setdefault(e.id, e)
    cramps = [e for _, e in sorted(events.items()) if e.kind == "cramp"]
    rows = []
    for e, (_, _, x) in zip(cramps, log, strict=True):
        y = any(
            i["kind"] == "cramp"
            and i["channel"] == e.channel
            and i["start_s"] - 1.0 <= e.alert_s <= i["end_s"] + 2.0
            for i in labels["intervals"]
        )
        rows.append(
            {
                "file": csv_path.name,
                "profile": profile,
                "signal": rep.signal,
                "x": [float(v) for v in x],
                "y": int(y),
                "confidence": e.confidence,
            }
        )
    return rows


def collect(dirs: list[str]) -> list[dict]:
    rows = []
    for d in dirs:
        for p in sorted(Path(d).glob("*.csv")):
            rows.extend(alerts_of(p))
    return rows


def auc(score: np.ndarray, y: np.ndarray) -> float | None:
    from sklearn.metrics import roc_auc_score

    return None if len(set(y.tolist())) < 2 else round(float(roc_auc_score(y, score)), 3)


def report(rows: list[dict], title: str) -> list[str]:
    p = np.array([r["confidence"] for r in rows])
    y = np.array([r["y"] for r in rows])
    lines = [f"### {title}", ""]
    if not len(rows):
        return [*lines, "no alerts", ""]
    lines += [
        f"{len(rows)} alerts ({int(y.sum())} true, {int(len(y) - y.sum())} false); "
        f"ROC AUC {auc(p, y)}; Brier score {np.mean((p - y) ** 2):.3f}",
        "",
        "| group | alerts | true | ROC AUC |",
        "| --- | ---: | ---: | ---: |",
    ]
    for key in ("profile", "signal"):
        for v in sorted({r[key] for r in rows}):
            m = np.array([r[key] == v for r in rows])
            lines.append(f"| {key} {v} | {int(m.sum())} | {int(y[m].sum())} | {auc(p[m], y[m])} |")
    lines += ["", "| confidence | alerts | share true |", "| --- | ---: | ---: |"]
    edges = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0001]
    for a, b in itertools.pairwise(edges):
        m = (p >= a) & (p < b)
        share = f"{y[m].mean():.2f}" if m.any() else "-"
        lines.append(f"| {a:.1f}-{min(b, 1.0):.1f} | {int(m.sum())} | {share} |")
    return [*lines, ""]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tune", nargs="+", required=True)
    ap.add_argument("--held-out", nargs="+", required=True)
    ap.add_argument("--no-fit", action="store_true")
    args = ap.parse_args()
    from crampdetect.detect import confidence
    from crampdetect.detect.cramp import CANDIDATE_FEATURES

    tune = collect(args.tune)
    if not args.no_fit:
        X = np.array([r["x"] for r in tune])
        y = np.array([r["y"] for r in tune])
        params = confidence.fit_confidence(X, y, CANDIDATE_FEATURES)
        params["tuning_sets"] = [Path(d).name for d in args.tune]
        confidence.DATA.write_text(json.dumps(params, indent=1) + "\n")
        confidence.load_confidence.cache_clear()
        tune = collect(args.tune)  # confidences of the fitted model
    held = collect(args.held_out)
    lines = [
        "# Alert confidence: ranking and calibration",
        "",
        "`python benchmarks/fit_confidence.py --tune "
        + " ".join(Path(d).name for d in args.tune)
        + " --held-out "
        + " ".join(Path(d).name for d in args.held_out)
        + "`. The logistic model (`crampdetect/detect/confidence.json`) is fitted on the "
        "alerts of the tuning sets only; an alert is true when it falls within a labelled "
        "cramp on its channel.",
        "",
        *report(held, "Held-out sets"),
        *report(tune, "Tuning sets (fitted on)"),
    ]
    (HERE / "confidence.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
