"""Benchmark: decoding a captured sample stream with crampdetect.ingest.frames.

Stream: 2 channels at 1 kHz, 10 samples per channel per frame (the Uno's framing), plus one status
frame per second. Writes the results into benchmarks/frames.md.

Usage: python benchmarks/bench_frames.py [--seconds 600]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np

from crampdetect.ingest.frames import FrameDecoder, SampleFrame, StatusFrame, encode_frame

FS_HZ, PER_FRAME = 1000, 10


def capture(seconds: int) -> bytes:
    rng = np.random.default_rng(0)
    values = rng.integers(300, 724, (2, seconds * FS_HZ))
    parts = []
    for i in range(seconds * FS_HZ // PER_FRAME):
        block = values[:, i * PER_FRAME : (i + 1) * PER_FRAME]
        parts.append(encode_frame(SampleFrame(i % 65536, i * 10_000 % 2**32, 0b11, block)))
        if i % (FS_HZ // PER_FRAME) == 0:
            parts.append(encode_frame(StatusFrame(i, 0, "bench", FS_HZ, 10, "raw", 255, 0, 3)))
    return b"".join(parts)


def best_of(runs: int, stream: bytes, chunk: int) -> tuple[float, int]:
    best, n = float("inf"), 0
    for _ in range(runs):
        decoder = FrameDecoder()
        t0 = time.process_time()  # CPU time: less sensitive to other jobs on the machine
        n = 0
        for pos in range(0, len(stream), chunk):
            n += len(decoder.feed(stream[pos : pos + chunk]))
        best = min(best, time.process_time() - t0)
    return best, n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=600, help="stream length, s")
    args = parser.parse_args()
    stream = capture(args.seconds)
    rows = []
    for chunk in (64, 4096, 65536):
        elapsed, n = best_of(3, stream, chunk)
        rows.append(
            f"| {chunk} | {n} | {elapsed * 1e3:.1f} | {n / elapsed:,.0f} | "
            f"{args.seconds / elapsed:,.0f}x |"
        )
    text = "\n".join(
        [
            "# Frame decoding benchmark",
            "",
            f"`python benchmarks/bench_frames.py --seconds {args.seconds}` on "
            f"{platform.python_implementation()} {platform.python_version()}, "
            f"{platform.machine()}, {os.cpu_count()} CPUs, load average "
            f"{os.getloadavg()[0]:.1f} at the start, {time.strftime('%Y-%m-%d')}.",
            "",
            f"Stream: {args.seconds} s of 2 channels x {FS_HZ} Hz, {PER_FRAME} samples per channel "
            f"per frame + 1 status frame/s = {len(stream):,} bytes. Best of 3 runs.",
            "Target: >= 1000x real time.",
            "",
            "| feed() chunk (bytes) | frames | CPU time (ms) | frames/s | real-time factor |",
            "|---|---|---|---|---|",
            *rows,
            "",
        ]
    )
    out = Path(__file__).with_name("frames.md")
    out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
