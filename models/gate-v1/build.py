"""Rebuild models/gate-v1 and the numbers of its card.

Run from the repository root: ``.venv/bin/python models/gate-v1/build.py [WORKDIR]``
(this is how the shipped model was made; ``--real-negatives`` is the experiment in the card).
Simulated sets are written under WORKDIR (default /tmp/gate-v1-build): training seed 101
(20 h), held-out seed 303 (20 h), and the small check set of the test (2 h, seed 12). The
real recordings shipped in recordings/ are written there as CSV and, with
``--real-negatives``, used as negatives (the shipped model does not use them: see card.md).
Writes model.json into this folder and heldout.json / check.json next to it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

import crampdetect
from crampdetect.cli import main
from crampdetect.evaluate.score import Scorer, aggregate, find_recordings
from crampdetect.pipeline.bulk import map_recordings
from crampdetect.simulate import make_evaluation_set
from crampdetect.storage.reader import open_recording

HERE = Path(__file__).resolve().parent
REAL = Path(crampdetect.__file__).resolve().parents[1] / "recordings"
TRAIN_SEED, HELDOUT_SEED, CHECK_SEED, MODEL_SEED = 101, 303, 12, 7
CHECK_HOURS = 2.0


def evaluate(directory: Path, model: str | None) -> dict:
    paths = [str(p) for p in find_recordings(directory)]
    scores = map_recordings(Scorer(None, {}, model), paths, n_workers=2, progress=False)
    return aggregate(scores)


def real_negatives(out: Path) -> Path:
    """The shipped real recordings (no cramps) as ``time_s,<channels>`` CSVs in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    for manifest in sorted(REAL.glob("*/recordings.json")):
        for name in sorted(json.loads(manifest.read_text())["files"]):
            rec = open_recording(manifest.parent / name)
            rows = [
                np.column_stack([seg.t0 + np.arange(seg.n_samples) / rec.fs, seg.load().T])
                for seg in rec.segments
            ]
            np.savetxt(
                out / f"{manifest.parent.name}_{Path(name).stem}.csv",
                np.vstack(rows),
                delimiter=",",
                header="time_s," + ",".join(rec.channels),
                comments="",
                fmt="%.9g",
            )
    return out


def build(work: Path, with_real: bool = False) -> None:
    train, held, check = work / "train", work / "heldout", work / "check"
    make_evaluation_set(train, hours=20, seed=TRAIN_SEED, n_jobs=2)
    described = f"make_evaluation_set(hours=20, seed={TRAIN_SEED})"
    args = ["train", "--data", str(train), "--out", str(HERE)]
    if with_real:
        args += ["--negatives", str(real_negatives(work / "real"))]
        described += "; negatives: recordings/ (real EMG)"
    status = main([*args, "--seed", str(MODEL_SEED), "--workers", "2", "--description", described])
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
    positional = [a for a in sys.argv[1:] if not a.startswith("--")]
    work = Path(positional[0] if positional else "/tmp/gate-v1-build")
    build(work, "--real-negatives" in sys.argv)
