"""Speed and memory of the detection core; writes benchmarks/core.md.

Measures, on this machine (targets of issue 14):
1. the full offline chain (filters, features, quality, detector) on a 1 h two-channel 1 kHz
   signal held in memory, in samples x channels per second on one core, next to a bare scipy
   chain (``sosfilt`` band-pass + notch, 50 ms mean-absolute envelope, threshold) timed in
   the same run;
2. ``crampdetect detect`` on a 1 h two-channel 1 kHz CSV in µV with two decimals, wall and
   CPU time including interpreter start-up and CSV parsing;
3. the live cost of 20 ms blocks (2 channels at 1 kHz), µs per block, alone and with the
   monitor's activity-timeline feed (``monitor --record --history``);
4. ``crampdetect --help``, wall and CPU time;
5. peak resident memory of ``detect`` on 1 h and 4 h two-channel 2 kHz CSVs (flat = streaming);
6. reading that µV CSV alone (``open_csv`` blocks), with pyarrow's parser as ``detect`` does and
   with numpy's ``loadtxt`` only (the reader's fallback, and its parser before), in the same run;
7. with ``--night12 PATH``: ``crampdetect detect`` on a 12 h two-channel 2 kHz counts CSV
   (``crampdetect simulate night --duration 43200 --rate 2000 --units counts --out PATH``),
   wall, CPU and peak RSS, and its CPU split into reading, inference and pipeline;
8. where installed, BrainFlow's DataFilter chain and NeuroKit2's ``emg_process`` on the same
   signal (optional extras, not dependencies), as a ratio.

In-process figures are CPU time (``time.process_time``), best of several runs, so that other
processes on a loaded machine count less; the load average is written next to them. The chain,
bare and live figures run pinned to one core; ``detect`` runs unpinned (its CSV reader thread
parses alongside the pipeline), so its CPU time counts both threads.

Run: ``python benchmarks/bench_core.py [--night12 PATH]`` (about 3-5 minutes, plus about a
minute for the 12 h night).
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from crampdetect.core import Block, Representation
from crampdetect.pipeline import Pipeline

HERE = Path(__file__).resolve().parent
FS = 1000.0


def signal_1h(fs: float = FS, hours: float = 1.0, seed: int = 0) -> np.ndarray:
    """A night-like two-channel signal in 10-bit counts: rest, movements and a cramp."""
    from crampdetect.simulate import simulate

    sess = simulate(
        "night",
        seed=seed,
        duration_s=hours * 3600,
        fs=fs,
        representation=Representation("raw", "counts", 10),
    )
    return np.concatenate([d for _, d in sess.iter_chunks(600.0)], axis=1)


def bench_chain(x: np.ndarray, block_s: float = 60.0, repeat: int = 3) -> float:
    """Full chain, samples x channels per CPU second (best of ``repeat``)."""
    rep = Representation("raw", "counts", 10)
    step = int(block_s * FS)
    best = np.inf
    for _ in range(repeat):
        pipe = Pipeline(FS, ("l", "r"), rep, "night")
        t = time.process_time()
        for a in range(0, x.shape[1], step):
            pipe.push(Block(x[:, a : a + step], FS, a, a / FS, 0, ("l", "r")))
        pipe.finish()
        best = min(best, time.process_time() - t)
    return x.size / best


def bench_bare(x: np.ndarray, block_s: float = 60.0, repeat: int = 3) -> float:
    """Bare causal scipy chain: band-pass + 50 Hz notch (``sosfilt``, carried state), 50 ms
    mean-absolute envelope, threshold; samples x channels per CPU second."""
    from scipy import signal

    from crampdetect.filters.sos import bandpass_sos

    sos = np.vstack([bandpass_sos(FS), signal.tf2sos(*signal.iirnotch(50.0, 25.0, fs=FS))])
    step, hop = int(block_s * FS), int(0.05 * FS)
    best = np.inf
    for _ in range(repeat):
        t = time.process_time()
        zi = np.zeros((sos.shape[0], x.shape[0], 2))
        for a in range(0, x.shape[1], step):
            u = (x[:, a : a + step] - 512.0) * 3.2
            y, zi = signal.sosfilt(sos, u, axis=-1, zi=zi)
            n = (y.shape[1] // hop) * hop
            env = np.abs(y[:, :n]).reshape(x.shape[0], -1, hop).mean(axis=2)
            _ = env > 10.0
        best = min(best, time.process_time() - t)
    return x.size / best


def bench_live(
    x: np.ndarray, block: int = 20, seconds: float = 300.0, repeat: int = 3, timeline: bool = False
) -> float:
    """CPU µs per live block of ``block`` samples per channel (best of ``repeat``); with
    ``timeline``, each block's output also fed to the activity timeline as ``monitor
    --record --history`` feeds it (:class:`~crampdetect.reports.activity.ActivityTimeline`)."""
    from crampdetect.reports.activity import ActivityTimeline

    rep = Representation("raw", "counts", 10)
    n = int(seconds * FS)
    blocks = [x[:, a : a + block].copy() for a in range(0, n, block)]
    best = np.inf
    for _ in range(repeat):
        pipe = Pipeline(FS, ("l", "r"), rep, "night")
        feed = ActivityTimeline(("l", "r"), pipe.hop_s, rep) if timeline else None
        t = time.process_time()
        for i, b in enumerate(blocks):
            out = pipe.push(Block(b, FS, i * block, i * block / FS, 0, ("l", "r")))
            if feed is not None:
                feed.feed(out, pipe)
        best = min(best, time.process_time() - t)
    return best / len(blocks) * 1e6


def write_csv(path: Path, x: np.ndarray, fs: float, uv: bool = False) -> None:
    """``time_s,calf_left,calf_right``: counts as integers, or µV (10-bit MyoWare) to 0.01."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    t = np.arange(x.shape[1]) / fs
    cols = [np.round((c - 512.0) * Representation("raw", "counts", 10).uv_per_unit, 2) for c in x]
    if not uv:
        cols = [c.astype(np.int32) for c in x]
    table = pa.table(
        {
            "time_s": pa.array(np.round(t, 4)),
            "calf_left": pa.array(cols[0]),
            "calf_right": pa.array(cols[1]),
        }
    )
    with path.open("wb") as fh:
        fh.write(b"time_s,calf_left,calf_right\n")
        pcsv.write_csv(table, fh, pcsv.WriteOptions(quoting_style="none", include_header=False))


def _exe() -> str:
    return shutil.which("crampdetect") or str(Path(sys.executable).with_name("crampdetect"))


def run_cli(*args: str) -> tuple[float, float]:
    """Wall and CPU (user + system) time (s) of one ``crampdetect ...`` run, output discarded.

    Not pinned to a core: on a loaded machine a pinned process waits for that core alone.
    """
    import resource

    def cpu() -> float:
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime

    c, t = cpu(), time.perf_counter()
    subprocess.run([_exe(), *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t, cpu() - c


def bench_read(path: Path, repeat: int = 3) -> tuple[float, float]:
    """CPU s to read ``path`` into blocks: as ``detect`` does, and with ``loadtxt`` only."""
    from crampdetect.storage import csvfile

    def read() -> float:
        t = time.process_time()
        for _ in csvfile.open_csv(path).blocks():
            pass
        return time.process_time() - t

    fast = slow = np.inf
    parse_fast = csvfile._parse_fast
    for _ in range(repeat):  # interleaved, so that load changes hit both
        fast = min(fast, read())
        csvfile._parse_fast = lambda chunk, n_cols: None  # every chunk to loadtxt
        try:
            slow = min(slow, read())
        finally:
            csvfile._parse_fast = parse_fast
    return fast, slow


def detect_with_rss(path: Path) -> tuple[float, float, float]:
    """Wall s, CPU s (user + system) and peak RSS (MB) of one ``detect --json`` run."""
    import resource

    def cpu() -> float:
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime

    c, t = cpu(), time.perf_counter()
    rss = peak_rss_of_detect(path)
    return time.perf_counter() - t, cpu() - c, rss


def split_detect(path: Path) -> tuple[float, float, float]:
    """CPU s of ``detect``'s three parts on ``path``, in one process and on one thread (the
    reader thread off): reading and parsing the CSV into blocks, the whole-stream
    representation inference, and the pipeline (night profile), run as ``detect`` runs them."""
    from crampdetect.cli.detect import _reuse_freed_memory
    from crampdetect.ingest.inference import RepresentationInference
    from crampdetect.storage import csvfile

    _reuse_freed_memory()  # as `detect` does (process-wide: the last in-process measurement)
    read_ahead = csvfile._read_ahead
    csvfile._read_ahead = iter  # every chunk parsed on this thread, timed as reading
    try:
        clock = time.process_time
        t_read = t_inf = t_pipe = 0.0
        t = clock()
        stream = csvfile.open_csv(path)
        blocks = stream.blocks()
        inference = RepresentationInference(stream.fs)
        t_read += clock() - t
        held: list[Block] = []
        pipe = None
        while True:
            t = clock()
            b = next(blocks, None)
            t_read += clock() - t
            if b is None:
                break
            t = clock()
            inference.feed(b.data)
            t_inf += clock() - t
            t = clock()
            held.append(b)
            if pipe is None and inference.representation is not None:
                pipe = Pipeline(stream.fs, stream.channels, inference.representation, "night")
            if pipe is not None:
                for h in held:
                    pipe.push(h)
                held.clear()
            t_pipe += clock() - t
        t = clock()
        inference.finish()
        t_inf += clock() - t
        if pipe is not None:
            t = clock()
            pipe.finish()
            t_pipe += clock() - t
    finally:
        csvfile._read_ahead = read_ahead
    return t_read, t_inf, t_pipe


def peak_rss_of_detect(path: Path) -> float:
    # VmHWM, not ru_maxrss: after fork+exec, ru_maxrss keeps the parent's high-water mark.
    code = (
        "import sys; from crampdetect.cli import main; main(['detect', sys.argv[1], '--json']);"
        " hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0];"
        " print(int(hwm.split()[1]), file=sys.stderr)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], check=True, capture_output=True, text=True
    )
    return int(out.stderr.strip().splitlines()[-1]) / 1024.0


def bench_brainflow(x: np.ndarray) -> float | None:
    try:
        from brainflow.data_filter import DataFilter, FilterTypes, NoiseTypes
    except ImportError:
        return None
    data = (x[0] - 512.0).astype(np.float64)
    t = time.perf_counter()
    d = data.copy()
    DataFilter.perform_bandpass(d, int(FS), 20.0, 450.0, 4, FilterTypes.BUTTERWORTH.value, 0)
    DataFilter.remove_environmental_noise(d, int(FS), NoiseTypes.FIFTY.value)
    DataFilter.perform_rolling_filter(d, 100, 0)  # mean of 100 samples
    _ = np.abs(d) > 3 * np.median(np.abs(d))
    return data.size / (time.perf_counter() - t)


def bench_neurokit(x: np.ndarray, seconds: float = 600.0) -> float | None:
    try:
        import warnings

        import neurokit2 as nk
    except ImportError:
        return None
    n = int(seconds * FS)
    data = x[0, :n] - 512.0
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nk.emg_process(data, sampling_rate=int(FS))
    return n / (time.perf_counter() - t)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--night12", type=Path, help="a 12 h 2-ch 2 kHz counts CSV to detect on")
    args = parser.parse_args()
    os.environ.setdefault("PYTHONHASHSEED", "0")
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    if cores is not None:
        os.sched_setaffinity(0, {min(cores)})  # the chain figures: one core
    lines = ["# Detection core: speed and memory", ""]
    load0 = os.getloadavg()[0]
    x = signal_1h()
    bare = bench_bare(x)
    chain = bench_chain(x)
    bare = max(bare, bench_bare(x))  # interleaved, so that load changes hit both
    live = bench_live(x)
    live_tl = bench_live(x, timeline=True)
    if cores is not None:  # `detect` runs as users run it: its reader thread on another core
        os.sched_setaffinity(0, cores)
    bf = bench_brainflow(x)
    nk = bench_neurokit(x)
    rows = [
        (
            "full offline chain, 1 h 2 ch 1 kHz, 60 s blocks (CPU)",
            f"{chain / 1e6:.1f} M samples/s",
            "≥ 36 M samples/s",
        ),
        (
            "bare scipy chain (band-pass + notch `sosfilt`, envelope, threshold), same run",
            f"{bare / 1e6:.1f} M samples/s; full/bare = {chain / bare:.2f}",
            "full/bare ≥ 0.8",
        ),
        ("live: 20 ms blocks, 2 ch at 1 kHz (CPU)", f"{live:.0f} µs per block", "≤ 100 µs"),
        (
            "the same with the monitor's activity-timeline feed (`monitor --record --history`)",
            f"{live_tl:.0f} µs per block (+{100 * (live_tl / live - 1):.1f} %)",
            "reference",
        ),
    ]
    helps = np.array([run_cli("--help") for _ in range(5)]).min(axis=0)
    rows.append(
        (
            "`crampdetect --help`, best of 5",
            f"{helps[0]:.2f} s wall, {helps[1]:.2f} s CPU",
            "≤ 0.25 s",
        )
    )
    with tempfile.TemporaryDirectory() as tmp:
        p1 = Path(tmp) / "night_1h_1k.csv"
        write_csv(p1, x, FS, uv=True)
        size = p1.stat().st_size / 1e6
        runs = np.array([run_cli("detect", str(p1), "--json") for _ in range(5)])
        wall, cpu = runs.min(axis=0)
        rows.append(
            (
                f"`crampdetect detect` on a 1 h 2 ch 1 kHz µV CSV ({size:.0f} MB), "
                "incl. start-up, best of 5",
                f"{wall:.2f} s wall, {cpu:.2f} s CPU = {3600 / cpu:.0f}x real time per core",
                "≤ 0.8 s",
            )
        )
        fast, slow = bench_read(p1)
        rows.append(
            (
                "reading that CSV alone (blocks, CPU, best of 3): pyarrow parser as `detect` "
                "vs `np.loadtxt` only, same run",
                f"{fast:.2f} s vs {slow:.2f} s ({slow / fast:.1f}x)",
                "reference",
            )
        )
        p1.unlink()
        mem = {}
        for hours in (1.0, 4.0):
            x2 = signal_1h(fs=2000.0, hours=hours, seed=1)
            p2 = Path(tmp) / f"n{hours}.csv"
            write_csv(p2, x2, 2000.0)
            del x2
            mem[hours] = peak_rss_of_detect(p2)
            p2.unlink()
        rows.append(
            (
                "peak RSS of `detect`, 2 ch 2 kHz counts: 1 h vs 4 h",
                f"{mem[1.0]:.0f} MB vs {mem[4.0]:.0f} MB",
                "flat; 12 h ≤ 200 MB",
            )
        )
    if args.night12:
        wall, cpu, rss = detect_with_rss(args.night12)
        size = args.night12.stat().st_size / 1e9
        rows.append(
            (
                f"`crampdetect detect` on a 12 h 2 ch 2 kHz counts CSV ({size:.2f} GB), one run",
                f"{wall:.1f} s wall, {cpu:.1f} s CPU, peak RSS {rss:.0f} MB",
                "≤ 12 s, ≤ 200 MB",
            )
        )
        read, infer, pipe = split_detect(args.night12)
        rows.append(
            (
                "that `detect` split in one process on one thread (CPU, reader thread off)",
                f"reading {read:.1f} s, representation inference {infer:.1f} s, "
                f"pipeline {pipe:.1f} s",
                "reference",
            )
        )
    if bf:
        rows.append(
            (
                "BrainFlow DataFilter chain (band-pass, mains, rolling mean), 1 ch",
                f"{bf / 1e6:.1f} M samples/s; crampdetect/BrainFlow = {chain / bf:.2f}",
                "reference",
            )
        )
    else:
        rows.append(("BrainFlow DataFilter", "not installed", "optional"))
    if nk:
        rows.append(
            (
                "NeuroKit2 `emg_process`, 1 ch, 10 min",
                f"{nk / 1e6:.3f} M samples/s; crampdetect/NeuroKit2 = {chain / nk:.0f}",
                "reference",
            )
        )
    else:
        rows.append(("NeuroKit2 emg_process", "not installed", "optional"))
    load1 = os.getloadavg()[0]
    lines.append(
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, numpy {np.__version__}; load average {load0:.1f} at the "
        f"start, {load1:.1f} at the end. Run with `python benchmarks/bench_core.py`; figures "
        "are from one run of that script" + (" (with `--night12`)." if args.night12 else ".")
    )
    lines.append("")
    lines.append("| measurement | result | target |")
    lines.append("| --- | --- | --- |")
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    lines.append("")
    lines.append(
        "The chain figures count samples x channels. BrainFlow and NeuroKit2 run their own "
        "offline (zero-phase or whole-signal) chains on one channel; crampdetect's is causal "
        "and streamed, with quality flags and the detector included."
    )
    text = "\n".join(lines) + "\n"
    notes = HERE / "core-notes.md"
    if notes.exists():  # hand-written profiles and history, kept below the generated table
        text += "\n" + notes.read_text()
    (HERE / "core.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
