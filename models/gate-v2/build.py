"""Rebuild models/gate-v2 and the validation figures of its card.

Run from the repository root: ``.venv/bin/python models/gate-v2/build.py [CACHE]``.
Trains on the TUNING seeds (0, 1, 2) of both evaluation sets (standard 10 h and stress 8 h per
seed, generated into CACHE if missing; default the evaluate cache), simulated data only like
gate-v1 (real recordings are not negatives: see card.md), model seed 7,
one worker. Then scores rules-only and the new gate on the VALIDATION seeds (100, 101, 102)
into ``validation.json``, and on the small check set of tests/test_detect_model_shipped.py
(``make_evaluation_set(hours=2, seed=12)``) into ``check.json``. Held-out seeds are never
touched.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from crampdetect.cli import main
from crampdetect.evaluate import multiseed as ms
from crampdetect.evaluate.score import Scorer, aggregate, find_recordings
from crampdetect.pipeline.bulk import map_recordings
from crampdetect.simulate import make_evaluation_set

HERE = Path(__file__).resolve().parent
MODEL_SEED, WORKERS = 7, 1
CHECK_SEED, CHECK_HOURS = 12, 2.0


def write_check(work: Path) -> None:
    """Rules-only and gate figures on the test's small check set, into check.json."""
    make_evaluation_set(work, hours=CHECK_HOURS, seed=CHECK_SEED, n_jobs=WORKERS)
    paths = [str(p) for p in find_recordings(work)]
    out: dict = {"set": {"seed": CHECK_SEED, "hours": CHECK_HOURS}}
    for name, model in (("rules_only", None), ("model", str(HERE))):
        scorer = Scorer(model=model)
        out[name] = aggregate(map_recordings(scorer, paths, n_workers=WORKERS, progress=False))
    (HERE / "check.json").write_text(json.dumps(out, indent=1) + "\n")


def build(cache: Path) -> None:
    dirs = [
        ms.ensure_set(v, s, ms.SET_HOURS[v], cache, n_jobs=WORKERS)
        for v in ms.SETS
        for s in ms.TUNING_SEEDS
    ]
    described = (
        "crampdetect evaluate tuning sets: standard seeds 0-2 (10 h each) "
        "and stress seeds 0-2 (8 h each)"
    )
    args = ["train", *(a for d in dirs for a in ("--data", str(d))), "--out", str(HERE)]
    args += ["--force", "--seed", str(MODEL_SEED), "--workers", str(WORKERS)]
    status = main([*args, "--description", described])
    if status:
        raise SystemExit(status)
    out = {
        name: ms.evaluate_sets(
            ms.SETS, ms.VALIDATION_SEEDS, Scorer(model=model), cache=cache, n_workers=WORKERS
        )
        for name, model in (("rules_only", None), ("model", str(HERE)))
    }
    (HERE / "validation.json").write_text(json.dumps(out, indent=1, default=str) + "\n")
    write_check(cache.parent / "gate-v2-check")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--check-only"]:  # refresh check.json for the current model.json
        write_check(ms.DEFAULT_CACHE.parent / "gate-v2-check")
        raise SystemExit(0)
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else ms.DEFAULT_CACHE)
