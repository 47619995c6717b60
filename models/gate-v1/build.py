"""Rebuild models/gate-v1 and the numbers of its card.

Run from the repository root: ``.venv/bin/python models/gate-v1/build.py [WORKDIR]``.
Simulated sets are written under WORKDIR (default /tmp/gate-v1-build): training seed 101
(20 h), held-out seed 303 (20 h), and the small check set of the test (2 h, seed 12).
Writes model.json into this folder and heldout.json / check.json next to it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from crampdetect.cli import main
from crampdetect.reports.bulk import map_recordings
from crampdetect.reports.evaluate import Scorer, aggregate, find_recordings
from crampdetect.simulate import make_evaluation_set

HERE = Path(__file__).resolve().parent
TRAIN_SEED, HELDOUT_SEED, CHECK_SEED, MODEL_SEED = 101, 303, 12, 7
CHECK_HOURS = 2.0


def evaluate(directory: Path, model: str | None) -> dict:
    paths = [str(p) for p in find_recordings(directory)]
    scores = map_recordings(Scorer(None, {}, model), paths, n_workers=2, progress=False)
    return aggregate(scores)


def build(work: Path) -> None:
    train, held, check = work / "train", work / "heldout", work / "check"
    make_evaluation_set(train, hours=20, seed=TRAIN_SEED, n_jobs=2)
    described = f"make_evaluation_set(hours=20, seed={TRAIN_SEED})"
    args = ["train", "--data", str(train), "--out", str(HERE), "--seed", str(MODEL_SEED)]
    status = main([*args, "--workers", "2", "--description", described])
    if status:
        raise SystemExit(status)
    make_evaluation_set(held, hours=20, seed=HELDOUT_SEED, n_jobs=2)
    make_evaluation_set(check, hours=CHECK_HOURS, seed=CHECK_SEED, n_jobs=2)
    for name, directory, seed, hours in (
        ("heldout", held, HELDOUT_SEED, 20),
        ("check", check, CHECK_SEED, CHECK_HOURS),
    ):
        out = {
            "set": {"seed": seed, "hours": hours},
            "rules_only": evaluate(directory, None),
            "model": evaluate(directory, str(HERE)),
        }
        (HERE / f"{name}.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/gate-v1-build"))
