"""The same stress scenes rendered in every representation, scored per representation.

In the evaluation sets the representation of a file is tied to its scenario (the format list
and the scenario round cycle together), so the stress set's raw µV files are all night
files and its raw-count files all training files: per-representation figures there compare
profiles as much as representations. Here every cramp scene of the stress set (its
``stress-night`` and ``stress-training`` files) is rendered once per representation, with
the same subject, scene and cramps; only the board (ADC bits, ADC noise, ENV gain, offset)
differs. Board parameters come from their own random stream, so the scene does not depend
on them.

Run: ``python benchmarks/representation_pairs.py --seeds 0,1,2 [--hours 8] [--out DIR]
[--workers 1] [--set NAME=VALUE ...] [--scores FILE]``; prints sensitivity and false alerts
per representation and writes the per-recording scores (default ``DIR/scores.json``).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from crampdetect.core import Representation  # noqa: E402
from crampdetect.evaluate.score import Scorer, aggregate, find_recordings  # noqa: E402
from crampdetect.pipeline.bulk import map_recordings  # noqa: E402
from crampdetect.simulate import session as sim_session  # noqa: E402
from crampdetect.simulate import stress  # noqa: E402
from crampdetect.simulate.builder import SceneOptions  # noqa: E402
from crampdetect.simulate.evalset import plan_evaluation_set  # noqa: E402

REPRESENTATIONS = {
    "raw-uV": Representation("raw", "uV"),
    "raw-counts10": Representation("raw", "counts", 10),
    "raw-counts12": Representation("raw", "counts", 12),
    "env-counts10": Representation("env", "counts", 10),
    "env-counts12": Representation("env", "counts", 12),
}
RATE_HZ = 1000.0
CRAMP_SCENES = ("stress-night", "stress-training")


def generate(seed: int, hours: float, out: Path) -> None:
    """Write the cramp scenes of the stress set at ``seed`` once per representation."""
    original = stress.draw_hardware
    out.mkdir(parents=True, exist_ok=True)
    jobs = [j for j in plan_evaluation_set(hours, seed, "stress") if j["scenario"] in CRAMP_SCENES]
    for job in jobs:
        scenario = str(job["scenario"])
        board_rng = [int(job["seed"]), 8, zlib.crc32(scenario.encode())]
        for name, rep in REPRESENTATIONS.items():
            path = out / f"{seed:03d}-{str(job['name'])[:3]}_{scenario}_{name}_{RATE_HZ:g}hz.csv"
            if path.exists():
                continue

            def board(rng, representation, subject, _seed=board_rng):
                return original(np.random.default_rng(_seed), representation, subject)

            stress.draw_hardware = board
            try:
                session = sim_session.simulate(
                    scenario, seed=int(job["seed"]), duration_s=float(job["duration_s"]),
                    fs=RATE_HZ, representation=rep, options=SceneOptions(**job["options"]),
                    variant="stress",
                )  # fmt: skip
            finally:
                stress.draw_hardware = original
            sim_session.write_session(session, path)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--hours", type=float, default=8.0, help="hours of the stress set per seed")
    p.add_argument("--out", default=str(Path(tempfile.gettempdir()) / "crampdetect-reppairs"))
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument("--scores", help="per-recording scores file (default: OUT/scores.json)")
    args = p.parse_args()
    out = Path(args.out)
    seeds = [int(s) for s in args.seeds.split(",")]
    for seed in seeds:
        generate(seed, args.hours, out / f"seed{seed}")
    overrides = {k: float(v) for k, v in (a.split("=", 1) for a in args.set)}
    paths = [str(x) for s in seeds for x in find_recordings(out / f"seed{s}")]
    scores = map_recordings(Scorer(None, overrides), paths, n_workers=args.workers, progress=False)
    Path(args.scores or out / "scores.json").write_text(json.dumps(scores))
    print("representation   cramps  sens  in10s  lat_med  lat_p90  FA/h night  FA/h training")
    for name in REPRESENTATIONS:
        mine = [s for s in scores if s["representation"] == name]
        a = aggregate(mine)
        bp = a["by_profile"]
        fa = {k: bp.get(k, {}).get("false_alerts_per_hour") for k in ("night", "training")}
        o = a["overall"]
        print(
            f"{name:15s} {o['cramps']:6d} {o['sensitivity']:.3f} {o['within_10s']:.3f} "
            f"{o['latency_median_s']:7.2f} {o['latency_p90_s']:7.2f} "
            f"{fa['night'] or 0:10.2f} {fa['training'] or 0:10.2f}"
        )


if __name__ == "__main__":
    main()
