"""Benchmark: host ingestion of a captured board stream (decode + reassembly into blocks).

The stream is what the Uno firmware sends: 2 channels at 1 kHz, 10 samples per channel per
frame (100 frames/s) and a status frame every second, encoded by the same emulator the demo
uses. Three measurements:

1. bytes -> frames -> blocks in 64 kB bursts (a serial reader that fell behind);
2. the same, one frame per chunk (BLE: one notification per frame);
3. the whole live path: a pseudo-terminal, pyserial's reader thread, the queue, decode and
   reassembly (``BoardSource.read``), with the board writing as fast as the reader drains it.

Writes the results into benchmarks/ingest.md.

Usage: python benchmarks/bench_ingest.py [--seconds 600]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

from crampdetect.ingest.blocks import Reassembler
from crampdetect.ingest.frames import FrameDecoder
from crampdetect.ingest.sim import BoardEmulator

FS_HZ, N_CHANNELS, PER_FRAME = 1000, 2, 10


def signal(seconds: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.integers(300, 724, (N_CHANNELS, seconds * FS_HZ)).astype(np.uint16)


def capture(seconds: int) -> bytes:
    return BoardEmulator(FS_HZ, N_CHANNELS, 10, "raw", PER_FRAME).frames_for(signal(seconds))


def decode(chunks: list[bytes]) -> tuple[float, int]:
    """Seconds to decode and reassemble all chunks; samples per channel out."""
    decoder, reassembler = FrameDecoder(), Reassembler()
    n = 0
    t = time.perf_counter()
    for k, chunk in enumerate(chunks):
        for block in reassembler.feed(decoder.feed(chunk), k * 1e-3):
            n += block.n_samples
    return time.perf_counter() - t, n


def decode_only(chunks: list[bytes]) -> float:
    """Seconds for the frame decoder alone (the reassembler's share is the difference)."""
    decoder = FrameDecoder()
    t = time.perf_counter()
    for chunk in chunks:
        decoder.feed(chunk)
    return time.perf_counter() - t


def through_pty(seconds: int) -> tuple[float, int, int]:
    """Wall time for the live path over a pty; samples out; gap samples."""
    from crampdetect.ingest.ptyboard import PtyBoard
    from crampdetect.ingest.serial import SerialTransport
    from crampdetect.ingest.sources import BoardSource

    data = signal(seconds)
    chunks = [
        (np.arange(a, a + 1000) / FS_HZ, data[:, a : a + 1000])
        for a in range(0, data.shape[1], 1000)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        board = PtyBoard(
            chunks, BoardEmulator(FS_HZ, N_CHANNELS, 10, "raw", PER_FRAME), Path(tmp) / "tty", 0
        )
        source = BoardSource(SerialTransport(board.path))
        n = 0
        with source:
            t = time.perf_counter()
            board.start()
            while n < data.shape[1]:
                n += sum(b.n_samples for b in source.read(1.0))
            elapsed = time.perf_counter() - t
            gaps = source.stats.gap_samples
        board.close()
    return elapsed, n, gaps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=600, help="length of the captured stream")
    args = ap.parse_args()
    stream = capture(args.seconds)
    frames = [f + b"\x00" for f in stream.split(b"\x00")[:-1]]
    bursts = [stream[i : i + 65536] for i in range(0, len(stream), 65536)]
    rows = []
    best = min(decode_only(bursts) for _ in range(3))
    rows.append(("frame decoder alone, 64 kB bursts", best, args.seconds / best))
    for name, chunks in (("64 kB bursts", bursts), ("one frame per chunk (BLE)", frames)):
        best = min(decode(chunks)[0] for _ in range(3))
        _, n = decode(chunks)
        assert n == args.seconds * FS_HZ
        rows.append((name, best, args.seconds / best))
    pty_s, pty_n, pty_gaps = through_pty(min(args.seconds, 120))
    assert pty_n + pty_gaps == min(args.seconds, 120) * FS_HZ
    pty_x = pty_n / FS_HZ / pty_s
    lines = [
        "# Ingestion benchmark: decode + reassembly",
        "",
        f"Captured stream: {args.seconds} s, {N_CHANNELS} channels x {FS_HZ} Hz, "
        f"{PER_FRAME} samples per channel per frame + 1 status frame/s "
        f"({len(stream) / 1e6:.2f} MB, {len(frames)} frames). Target: >= 1000x real time.",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (other jobs running); "
        "best of 3 runs. Script: `benchmarks/bench_ingest.py`.",
        "",
        "| path | time (s) | x real time |",
        "|---|---:|---:|",
        *[f"| {name} | {t:.3f} | {x:,.0f} |" for name, t, x in rows],
        f"| pty + pyserial reader thread + BoardSource.read ({min(args.seconds, 120)} s stream, "
        f"{pty_gaps} samples lost) | {pty_s:.3f} | {pty_x:,.0f} |",
        "",
    ]
    out = Path(__file__).with_name("ingest.md")
    out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
