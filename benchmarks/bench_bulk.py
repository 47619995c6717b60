"""Bulk re-scoring throughput: local processes and a Dask LocalCluster, 1 and 2 workers.

Generates N short simulated recordings (CSV + labels, seeded), then re-scores all of them
with :func:`crampdetect.pipeline.rescore.rescore` through
:func:`crampdetect.pipeline.bulk.map_recordings` and writes the table to ``benchmarks/bulk.md``.

    .venv/bin/python benchmarks/bench_bulk.py --n 300 --duration 60
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from functools import partial
from pathlib import Path

from crampdetect.core import Representation
from crampdetect.pipeline.bulk import map_recordings
from crampdetect.pipeline.rescore import rescore

SCENARIOS = ("cramp", "night-short", "hold", "turnover", "gait", "leadoff")


def make_one(args: tuple[int, str, float]) -> str:
    from crampdetect.simulate import simulate, write_session

    i, folder, duration = args
    rep = Representation("raw", "counts", 10) if i % 2 else Representation("raw", "uV")
    session = simulate(
        SCENARIOS[i % len(SCENARIOS)], seed=i, duration_s=duration, representation=rep
    )
    csv, _ = write_session(session, Path(folder) / f"rec{i:04d}.csv")
    return str(csv)


def run(label: str, paths: list[str], **kwargs: object) -> tuple[str, float]:
    fn = partial(rescore, profile="night")
    start = time.perf_counter()
    results = map_recordings(fn, paths, progress=False, **kwargs)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - start
    assert len(results) == len(paths)
    return label, elapsed


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--n", type=int, default=300, help="number of recordings")
    p.add_argument("--duration", type=float, default=60.0, help="length of each, s")
    p.add_argument("--out", default=str(Path(__file__).with_name("bulk.md")))
    args = p.parse_args()
    from distributed import LocalCluster

    with tempfile.TemporaryDirectory() as folder:
        t0 = time.perf_counter()
        jobs = [(i, folder, args.duration) for i in range(args.n)]
        paths = map_recordings(make_one, jobs, n_workers=2, progress=False)
        gen_s = time.perf_counter() - t0
        load = os.getloadavg()[0]
        rows = [run("in-process (n_workers=1)", paths, n_workers=1)]
        rows.append(run("local processes, n_workers=2", paths, n_workers=2))
        for workers in (1, 2):
            with LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0",
            ) as cluster:
                # warm-up: workers import crampdetect once, as a long-running cluster would have
                map_recordings(
                    rescore,
                    paths[: 2 * workers],
                    dask_address=cluster.scheduler_address,
                    progress=False,
                )
                rows.append(
                    run(
                        f"Dask LocalCluster, {workers} worker process(es)",
                        paths,
                        dask_address=cluster.scheduler_address,
                    )
                )
    signal_h = args.n * args.duration / 3600
    lines = [
        "# Bulk re-scoring throughput",
        "",
        f"`benchmarks/bench_bulk.py --n {args.n} --duration {args.duration:g}`: {args.n} simulated "
        f"recordings of {args.duration:g} s (2 channels, 1 kHz, raw µV and 10-bit counts "
        "alternating; "
        f"scenarios {', '.join(SCENARIOS)}), {signal_h:.2f} h of signal in total, each re-scored "
        "by `rescore` (open the CSV, replay it through the streaming pipeline, night profile).",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}. Generating the set took {gen_s:.1f} s (2 processes). "
        f"Load average before the runs: {load:.1f} (other work shared the machine).",
        "",
        "| runner | wall time (s) | recordings/s | × real time | speed-up vs 1 |",
        "|---|---:|---:|---:|---:|",
    ]
    base = rows[0][1]
    for label, elapsed in rows:
        lines.append(
            f"| {label} | {elapsed:.1f} | {args.n / elapsed:.1f} | "
            f"{signal_h * 3600 / elapsed:.0f} | {base / elapsed:.2f} |"
        )
    lines += [
        "",
        "Each recording is an independent task; the Dask rows include submitting tasks and",
        "pickling results through the scheduler (all on this one machine, bound to 127.0.0.1).",
        "Dask workers were warmed up (crampdetect imported) before timing, local process pools",
        "were not (their start-up is part of every call).",
    ]
    if load >= (os.cpu_count() or 1):
        lines += [
            "",
            f"**Caveat:** the load average ({load:.1f}) was at or above the CPU count, so a second",
            "worker had no idle core to use: these rows measure overhead under contention, not",
            "scaling. Rerun on an idle machine to measure the speed-up from more workers.",
        ]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
