"""Training-profile figures for one detector setting point, on cached evaluation sets.

Scores only the recordings whose labels name the ``training`` profile (night recordings are
skipped: the figures are the ``training`` rows of ``crampdetect evaluate``, which scores the
same files with the same :class:`~crampdetect.evaluate.score.Scorer`), one worker, and
prints one JSON line: per set, the mean over seeds of latency (median, p90, after exertion),
false alerts /h, holds alerted, sensitivity and within 10 s, also per representation, and
(pooled over seeds) how many cramps each path alerted and how late. ``--profile night``
scores the night recordings instead (the ``night`` rows; session 15, part latency: the
night latency / false-alert curve); a setting given with ``--set`` then changes the night
profile only, as the other profile's recordings are not scored.

    PYTHONPATH=. python benchmarks/sweep_training.py --seeds validation \
        --set irregular=0 --out irr0.json

Used for the latency / false-alert trade-off in benchmarks/detection.md.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from crampdetect.detect.model import model_path_for
from crampdetect.evaluate.multiseed import (
    DEFAULT_CACHE,
    SET_HOURS,
    SETS,
    ensure_set,
    parse_seeds,
    set_recordings,
)
from crampdetect.evaluate.score import Scorer, aggregate, labels_path

FIGURES = (
    "false_alerts",
    "false_alerts_per_hour",
    "holds_alerted_share",
    "sensitivity",
    "within_10s",
    "latency_median_s",
    "latency_p90_s",
    "within_10s_after_exertion",
    "latency_after_exertion_median_s",
    "latency_after_exertion_p90_s",
)


def _mean(values: list) -> float | None:
    vals = [v for v in values if v is not None]
    return None if not vals else round(sum(vals) / len(vals), 4)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="validation")
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--profile", default="training", choices=("training", "night"))
    args = ap.parse_args()
    _, seeds = parse_seeds(args.seeds)
    overrides = {k: float(v) for k, v in (s.split("=", 1) for s in args.set)}
    scorer = Scorer(None, overrides, model_path_for(None))
    result: dict = {"seeds": list(seeds), "overrides": overrides, "sets": {}}
    for variant in args.sets.split(","):
        per_seed, rows_all = [], []
        for seed in seeds:
            d = ensure_set(variant, seed, SET_HOURS[variant], args.cache, n_jobs=1)
            paths = [
                p
                for p in set_recordings(d)
                if json.loads(labels_path(p).read_text()).get("profile") == args.profile
            ]
            rows = [scorer(p) for p in paths]
            rows_all += rows
            per_seed.append(aggregate(rows))
        groups = {args.profile: [a["overall"] for a in per_seed]}
        for a in per_seed:
            for rep, figs in a["by_representation"].items():
                groups.setdefault(rep, []).append(figs)
        result["sets"][variant] = {
            g: {f: _mean([x.get(f) for x in figs]) for f in FIGURES} for g, figs in groups.items()
        }
        result["sets"][variant]["by_path"] = aggregate(rows_all)["overall"]["by_path"]
        result["sets"][variant]["per_recording"] = rows_all
    text = json.dumps(result)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    summary = {v: {**s[args.profile], "by_path": s["by_path"]} for v, s in result["sets"].items()}
    print(json.dumps({"overrides": overrides, args.profile: summary}))


if __name__ == "__main__":
    main()
