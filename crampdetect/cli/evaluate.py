"""Score the detector on labelled recordings: sensitivity, latency, false alerts, quality."""

from __future__ import annotations

import argparse
import json
import sys

from crampdetect.cli._args import add_model_argument
from crampdetect.core import PROFILES


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("directory", help="folder of *.csv recordings with .labels.json sidecars")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--profile", choices=PROFILES, help="force a profile (default: from labels)")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a detector setting (repeatable)",
    )
    add_model_argument(p)
    p.add_argument("--workers", type=int, help="local worker processes (default: all cores)")
    p.add_argument("--dask", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://host:8786")
    p.add_argument("--per-recording", action="store_true", help="include per-recording scores")
    p.add_argument(
        "-q",
        "--quiet",
        "--no-progress",
        dest="no_progress",
        action="store_true",
        help="no progress bar",
    )


def run(args: argparse.Namespace) -> int:
    from crampdetect.cli._args import overrides_from_args
    from crampdetect.detect.model import model_path_for
    from crampdetect.evaluate.score import Scorer, aggregate, find_recordings
    from crampdetect.pipeline.bulk import map_recordings

    paths = find_recordings(args.directory)
    overrides = overrides_from_args(args)
    scores = map_recordings(
        Scorer(args.profile, overrides, model_path_for(args.model)),
        [str(p) for p in paths],
        dask_address=args.dask,
        n_workers=args.workers,
        progress=not args.no_progress and sys.stderr.isatty(),
        desc="evaluate",
    )
    result = aggregate(scores)
    if args.per_recording:
        result["recordings"] = scores
    if args.json:
        json.dump(result, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        print(format_summary(result))
    return 0


def format_summary(result: dict) -> str:
    rows = [("overall", result["overall"])]
    rows += [(f"profile {k}", v) for k, v in result["by_profile"].items()]
    rows += [(f"repr {k}", v) for k, v in result["by_representation"].items()]
    head = (
        f"{'group':<22}{'hours':>7}{'cramps':>7}{'sens':>7}{'lat50':>7}{'lat90':>7}"
        f"{'onset50':>8}{'FA/h':>7}{'holds%':>7}{'leadoff%':>9}{'clean%':>8}"
    )
    out = [head]

    def f(v, pct=False):
        if v is None:
            return "-"
        return f"{100 * v:.1f}" if pct else f"{v:.2f}"

    for name, r in rows:
        out.append(
            f"{name:<22}{r['hours']:>7.1f}{r['cramps']:>7}{f(r['sensitivity']):>7}"
            f"{f(r['latency_median_s']):>7}{f(r['latency_p90_s']):>7}"
            f"{f(r['onset_error_median_s']):>8}{f(r['false_alerts_per_hour']):>7}"
            f"{f(r['holds_alerted_share'], True):>7}{f(r['lead_offs_flagged_share'], True):>9}"
            f"{f(r['clean_time_flagged_share'], True):>8}"
        )
    fa = result["overall"]["false_alerts_by_activity"]
    out.append(
        "false alerts by activity: " + (", ".join(f"{k} {v}" for k, v in fa.items()) or "none")
    )
    return "\n".join(out)
