"""Train the learned cramp gate on labelled recordings and write a model folder."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data",
        action="append",
        required=True,
        metavar="DIR",
        help="folder of *.csv recordings with .labels.json sidecars (repeatable)",
    )
    p.add_argument(
        "--negatives",
        action="append",
        default=[],
        metavar="DIR",
        help="folder of unlabelled *.csv without cramps (e.g. converted real EMG), repeatable",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="model folder to write")
    p.add_argument("--force", action="store_true", help="write into a non-empty --out folder")
    p.add_argument(
        "--profile",
        choices=("night", "training", "both"),
        default="both",
        help="profile(s) to train a threshold for; recordings labelled with another profile "
        "are left out (default both)",
    )
    p.add_argument(
        "--estimator",
        choices=("auto", "logistic", "boosting"),
        default="auto",
        help="estimator to keep (default: the one with fewer out-of-fold false alerts)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed of the estimators")
    p.add_argument("--workers", type=int, default=1, help="worker processes for collection")
    p.add_argument("--description", default="", help="training-data description to store")
    p.add_argument("--json", action="store_true", help="print the training report as JSON")


def run(args: argparse.Namespace) -> int:
    from crampdetect.core import InputError
    from crampdetect.evaluate.score import find_recordings
    from crampdetect.evaluate.train import train_gate

    if args.workers < 1:
        raise InputError("--workers must be >= 1")
    paths = [str(p) for d in args.data for p in find_recordings(d)]
    from crampdetect.storage.limits import refuse_nonempty_dir

    refuse_nonempty_dir(args.out, args.force)
    negatives = []
    for d in args.negatives:
        found = sorted(str(p) for p in Path(d).glob("*.csv"))
        if not found:
            raise InputError(f"{d}: no *.csv recordings")
        negatives += found
    profiles = ("night", "training") if args.profile == "both" else (args.profile,)
    kind = None if args.estimator == "auto" else args.estimator
    meta = train_gate(
        paths,
        args.out,
        profiles,
        args.seed,
        args.workers,
        args.description,
        estimator=kind,
        negatives=negatives,
    )
    if args.json:
        json.dump(meta, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    cv = meta["cross_validation"]
    print(f"model written to {args.out} ({meta['winner']})")
    for kind in ("logistic", "boosting"):
        print(f"  {kind}: out-of-fold ROC AUC {cv[kind]['roc_auc']:.3f}")
        for prof, sel in cv[kind]["profiles"].items():
            c, r = sel["chosen"], sel["rules_only"]
            print(
                f"    {prof}: threshold {c['threshold']:.3f}, cramps kept {c['cramps_kept']}, "
                f"false alerts/h {r['false_alerts_per_hour']} -> {c['false_alerts_per_hour']}, "
                f"holds {r['holds_alerted_share']} -> {c['holds_alerted_share']}"
            )
    return 0
