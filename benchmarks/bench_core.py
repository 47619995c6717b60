"""Speed and memory of the detection core; writes benchmarks/core.md.

Measures, on this machine:
1. the full offline chain (filters, features, quality, detector) on a 1 h two-channel 1 kHz
   signal held in memory, in samples per second on one core;
2. ``crampdetect detect`` on a 1 h two-channel 1 kHz CSV, wall time including interpreter
   start-up and CSV parsing, pinned to one core (``taskset -c 0``), as a multiple of real time;
3. the live cost of 20 ms blocks (2 channels at 1 kHz), µs per block;
4. peak resident memory of ``detect`` on 1 h and 4 h two-channel 2 kHz CSVs (flat = streaming);
5. where installed, BrainFlow's DataFilter chain and NeuroKit2's ``emg_process`` on the same
   signal (optional extras, not dependencies), as a ratio.

Run: ``python benchmarks/bench_core.py`` (about 2-4 minutes).
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
    rep = Representation("raw", "counts", 10)
    step = int(block_s * FS)
    best = np.inf
    for _ in range(repeat):
        pipe = Pipeline(FS, ("l", "r"), rep, "night")
        t = time.perf_counter()
        for a in range(0, x.shape[1], step):
            pipe.push(Block(x[:, a : a + step], FS, a, a / FS, 0, ("l", "r")))
        pipe.finish()
        best = min(best, time.perf_counter() - t)
    return x.size / best


def bench_live(x: np.ndarray, block: int = 20, seconds: float = 300.0) -> float:
    rep = Representation("raw", "counts", 10)
    pipe = Pipeline(FS, ("l", "r"), rep, "night")
    n = int(seconds * FS)
    blocks = [x[:, a : a + block].copy() for a in range(0, n, block)]
    t = time.perf_counter()
    for i, b in enumerate(blocks):
        pipe.push(Block(b, FS, i * block, i * block / FS, 0, ("l", "r")))
    return (time.perf_counter() - t) / len(blocks) * 1e6


def write_csv(path: Path, x: np.ndarray, fs: float) -> None:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    t = np.arange(x.shape[1]) / fs
    table = pa.table(
        {
            "time_s": pa.array(np.round(t, 4)),
            "calf_left": pa.array(x[0].astype(np.int32)),
            "calf_right": pa.array(x[1].astype(np.int32)),
        }
    )
    pcsv.write_csv(table, path, pcsv.WriteOptions(quoting_style="none"))


def run_detect(path: Path) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MB) of one `crampdetect detect --json` on one core."""
    exe = shutil.which("crampdetect") or str(Path(sys.executable).with_name("crampdetect"))
    cmd = [exe, "detect", str(path), "--json"]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0", *cmd]
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t, 0.0


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
    os.environ.setdefault("PYTHONHASHSEED", "0")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})  # one core
    lines = ["# Detection core: speed and memory", ""]
    lines.append(
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, numpy {np.__version__}. Run with "
        "`python benchmarks/bench_core.py`; figures are from one run of that script."
    )
    lines.append("")
    x = signal_1h()
    chain = bench_chain(x)
    live = bench_live(x)
    bf = bench_brainflow(x)
    nk = bench_neurokit(x)
    rows = [
        (
            "full offline chain, 1 h 2 ch 1 kHz, 60 s blocks",
            f"{chain / 1e6:.1f} M samples/s",
            "≥ 20 M samples/s per core",
        ),
        ("live: 20 ms blocks, 2 ch at 1 kHz", f"{live:.0f} µs per block", "≤ 200 µs per block"),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        p1 = Path(tmp) / "night_1h_1k.csv"
        write_csv(p1, x, FS)
        size = p1.stat().st_size / 1e6
        walls = [run_detect(p1)[0] for _ in range(3)]
        wall = min(walls)
        rows.append(
            (
                f"`crampdetect detect` on a 1 h 2 ch 1 kHz CSV ({size:.0f} MB), one core, "
                "incl. start-up",
                f"{wall:.2f} s = {3600 / wall:.0f}x real time",
                "≥ 3000x",
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
                "peak RSS of `detect`, 2 ch 2 kHz: 1 h vs 4 h",
                f"{mem[1.0]:.0f} MB vs {mem[4.0]:.0f} MB",
                "flat; 12 h ≤ ~200 MB",
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
    lines.append("| measurement | result | target |")
    lines.append("| --- | --- | --- |")
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    lines.append("")
    lines.append(
        "The chain figure counts samples x channels. BrainFlow and NeuroKit2 run their own "
        "offline (zero-phase or whole-signal) chains on one channel; crampdetect's is causal "
        "and streamed, with quality flags and the detector included."
    )
    text = "\n".join(lines) + "\n"
    (HERE / "core.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
