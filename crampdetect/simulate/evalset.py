"""A varied, labelled evaluation set: both profiles, four representations, many rates.

The file list is a deterministic function of ``seed`` and ``hours``; files are written in
parallel worker processes (``n_jobs``), each streaming its CSV with bounded memory. A
``manifest.json`` beside the files sums up what the set contains.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np

from crampdetect.core import InputError, Representation
from crampdetect.simulate.builder import SceneOptions
from crampdetect.simulate.session import simulate, write_session

log = logging.getLogger(__name__)

#: (scenario, min length s, max length s) of one round; a round is about 5-6 h.
ROUND: tuple[tuple[str, float, float], ...] = (
    ("cramp", 180.0, 360.0),
    ("hold", 300.0, 600.0),
    ("night-short", 240.0, 240.0),
    ("night", 3600.0, 7200.0),
    ("training", 1800.0, 3600.0),
    ("turnover", 300.0, 600.0),
    ("plm", 600.0, 1200.0),
    ("gait", 300.0, 600.0),
    ("night", 3600.0, 7200.0),
    ("training", 1800.0, 3600.0),
    ("calf-raise", 240.0, 480.0),
    ("leadoff", 180.0, 300.0),
    ("cramp", 180.0, 360.0),
    ("hold", 300.0, 600.0),
)

#: The stress variant's round (about 4 h): the stress scenes and the confounder-only
#: scenes, every one drawn with the widened subject and hardware.
STRESS_ROUND: tuple[tuple[str, float, float], ...] = (
    ("stress-night", 1200.0, 2400.0),
    ("stress-training", 1200.0, 2400.0),
    ("hold", 300.0, 600.0),
    ("stress-training", 1200.0, 2400.0),
    ("stress-night", 1200.0, 2400.0),
    ("gait", 300.0, 600.0),
    ("plm", 600.0, 1200.0),
    ("calf-raise", 240.0, 480.0),
    ("turnover", 300.0, 600.0),
)
VARIANT_ROUNDS = {"standard": ROUND, "stress": STRESS_ROUND}

#: (signal, units, adc_bits, sample rate Hz), cycled through file by file.
FORMATS: tuple[tuple[str, str, int | None, float], ...] = (
    ("raw", "uV", None, 1000.0),
    ("raw", "counts", 10, 500.0),
    ("env", "counts", 10, 100.0),
    ("raw", "counts", 12, 1000.0),
    ("raw", "uV", None, 2000.0),
    ("env", "counts", 10, 500.0),
    ("raw", "counts", 10, 1000.0),
    ("env", "counts", 12, 250.0),
    ("raw", "counts", 12, 2000.0),
    ("raw", "uV", None, 500.0),
    ("env", "counts", 10, 1000.0),
)


def plan_evaluation_set(
    hours: float, seed: int, variant: str = "standard"
) -> list[dict[str, object]]:
    """The jobs (one per file) of an evaluation set of at least ``hours`` hours."""
    if variant not in VARIANT_ROUNDS:
        raise InputError(f"Invalid variant {variant!r}: must be one of {', '.join(VARIANT_ROUNDS)}")
    rounds = VARIANT_ROUNDS[variant]
    stress = variant == "stress"
    rng = np.random.default_rng([int(seed), 99] if not stress else [int(seed), 99, 7])
    # Which format the first file gets is drawn per seed from its own stream, so that over
    # seeds every scenario meets several representations (a fixed cycle would pair, say, every
    # night with raw µV) while the other draws stay as they were.
    first_format = int(np.random.default_rng([int(seed), 99, 11]).integers(len(FORMATS)))
    jobs: list[dict[str, object]] = []
    total = 0.0
    while total < hours * 3600.0:
        scenario, lo, hi = rounds[len(jobs) % len(rounds)]
        signal, units, bits, fs = FORMATS[(first_format + len(jobs)) % len(FORMATS)]
        remaining = hours * 3600.0 - total
        duration = float(round(min(rng.uniform(lo, hi), max(remaining, 60.0))))
        options: dict[str, object] = {
            "artefacts_per_hour": float(rng.uniform(0.5, 6.0)),
            "gaps_per_hour": float(rng.choice([0.0, 2.0, 10.0, 30.0])),
            "leadoffs": int(rng.integers(0, 3)) if duration >= 1800 else 0,
        }
        if scenario == "night":
            options["cramps"] = int(rng.integers(2, 5))
        elif scenario == "training":
            options["cramps"] = int(rng.integers(1, 3))
        name = f"{len(jobs):03d}_{scenario}_{signal}-{units}{bits or ''}_{fs:g}hz"
        jobs.append({
            "name": name, "scenario": scenario, "seed": int(rng.integers(2**31)),
            "duration_s": duration, "fs": fs, "signal": signal, "units": units,
            "adc_bits": bits, "options": options, "variant": variant,
        })  # fmt: skip
        total += duration
    return jobs


def _write_one(job: dict[str, object], out_dir: str) -> tuple[str, dict[str, object]]:
    rep = Representation(str(job["signal"]), str(job["units"]), job["adc_bits"])  # type: ignore[arg-type]
    session = simulate(
        str(job["scenario"]), seed=int(job["seed"]), duration_s=float(job["duration_s"]),  # type: ignore[arg-type]
        fs=float(job["fs"]), representation=rep,  # type: ignore[arg-type]
        options=SceneOptions(**job["options"]),  # type: ignore[arg-type]
        variant=str(job.get("variant", "standard")),
    )  # fmt: skip
    csv_path, _ = write_session(session, Path(out_dir) / f"{job['name']}.csv")
    return str(csv_path), session.labels


def planned_size(hours: float = 20.0, seed: int = 0) -> tuple[int, float, int]:
    """What :func:`make_evaluation_set` will write: (recordings, hours of signal, bytes).

    Bytes are estimated from the CSV layout (``write_session``): per row a ``time_s`` as long
    as the one mid-recording, then per channel a comma and a value of 5 characters (µV with 2
    decimals), the digits of a mid-scale ADC code (raw counts) or 2 (ENV counts near rest).
    """
    jobs = plan_evaluation_set(hours, seed)
    total_s = sum(float(j["duration_s"]) for j in jobs)  # type: ignore[arg-type]
    size = 0.0
    for j in jobs:
        duration, fs = float(j["duration_s"]), float(j["fs"])  # type: ignore[arg-type]
        decimals = max(0, int(np.ceil(np.log10(fs))))
        time_chars = len(f"{duration / 2:.{decimals}f}")
        if j["units"] != "counts":
            value = 5
        elif j["signal"] == "env":
            value = 2
        else:
            value = len(str(1 << (int(j["adc_bits"]) - 1)))  # type: ignore[call-overload]
        size += duration * fs * (time_chars + 1 + 2 * (value + 1))  # two channels
    return len(jobs), total_s / 3600.0, int(size)


def make_evaluation_set(
    out_dir: str | os.PathLike[str],
    hours: float = 20.0,
    seed: int = 0,
    n_jobs: int | None = None,
    variant: str = "standard",
    on_written: Callable[[], None] | None = None,
) -> list[Path]:
    """Write a varied labelled set of simulated recordings into ``out_dir``.

    Parameters
    ----------
    out_dir : path
        Directory (created if missing).
    hours : float
        Minimum total length, h. The default 20 h holds about 50 cramps, several hundred
        voluntary holds, turn-overs, PLM series and gait, both profiles, the four
        representations and rates of 100-2000 Hz.
    seed : int
        Seed of the whole set.
    n_jobs : int or None
        Worker processes; None uses every CPU.
    variant : str
        ``standard``: the scenarios the detector was developed on. ``stress``: dense stress
        scenes and confounder scenes with widened subject and hardware draws (see
        :mod:`crampdetect.simulate.stress`), about 4 h per round.
    on_written : callable, optional
        Called once per recording when it is written (progress).

    Returns
    -------
    list of Path
        The CSV files (each with its ``.labels.json``), in plan order.
    """
    if not hours > 0:
        raise InputError(f"Invalid hours {hours}: must be > 0")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    jobs = plan_evaluation_set(hours, seed, variant)
    workers = max(1, min(n_jobs or os.cpu_count() or 1, len(jobs)))
    order = sorted(range(len(jobs)), key=lambda i: -float(jobs[i]["duration_s"]))  # type: ignore[arg-type]
    results: dict[int, tuple[str, dict[str, object]]] = {}
    done = on_written or (lambda: None)
    if workers == 1:
        for i in order:
            results[i] = _write_one(jobs[i], str(out))
            done()
    else:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            futures = {pool.submit(_write_one, jobs[i], str(out)): i for i in order}
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                done()
    paths = [Path(results[i][0]) for i in range(len(jobs))]
    _write_manifest(out, jobs, [results[i][1] for i in range(len(jobs))], seed, variant)
    return paths


def _write_manifest(
    out: Path,
    jobs: list[dict[str, object]],
    labels: list[dict[str, object]],
    seed: int,
    variant: str = "standard",
) -> None:
    kinds: Counter[str] = Counter()
    hours: Counter[str] = Counter()
    for lab in labels:
        hours[str(lab["profile"])] += float(lab["duration_s"]) / 3600.0  # type: ignore[arg-type]
        kinds.update(str(iv["kind"]) for iv in lab["intervals"])  # type: ignore[attr-defined]
    manifest = {
        "format": "crampdetect-evalset/1",
        "seed": seed,
        "variant": variant,
        "files": [f"{job['name']}.csv" for job in jobs],
        "hours_by_profile": {k: round(v, 3) for k, v in sorted(hours.items())},
        "intervals_by_kind": dict(sorted(kinds.items())),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
