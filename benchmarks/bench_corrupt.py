"""Corrupt frames that pass the CRC against the reassembler's timeline (results: device.md).

A stream of Uno-like frames (2 channels x 1 kHz, 10 samples per channel per frame, 10-bit
samples, one status frame per second) loses some frames on the link and has frames damaged
with framing intact (bits flipped in the frame before COBS, so the delimiters stay):

- ``forced``: every damaged frame gets a freshly computed CRC, so all of them reach the
  plausibility checks (a stress test: in practice only ~1 in 65,000 damaged frames does);
- ``natural``: bits are flipped in the frame and its CRC, nothing is recomputed, and only the
  damaged frames that still pass the CRC are kept (the rest would be CRC errors, i.e. lost).

The decoded frames go through :class:`~crampdetect.ingest.blocks.Reassembler` in random
chunks, and the blocks are compared with the truth, sample by sample:

- ``wrong_runs_max``: the longest run of output samples that differ from the truth at their
  index (a bent timeline would shift every later sample; one corrupt frame is 10 samples);
- ``lost_frames`` reported vs. frames actually missing from the output, ``gap_samples``
  reported vs. samples actually missing, both must be equal.

    python benchmarks/bench_corrupt.py --mode forced --frames 200000 --seed 1
    python benchmarks/bench_corrupt.py --mode natural --tries 2000000 --seed 2
"""

from __future__ import annotations

import argparse
import binascii
import json
import struct
import time

import numpy as np

from crampdetect.ingest.blocks import Reassembler, StreamInfo
from crampdetect.ingest.frames import (
    FrameDecoder,
    SampleFrame,
    StatusFrame,
    cobs_decode,
    cobs_encode,
    encode_frame,
)

FS, N, BITS, MASK = 1000, 10, 10, 0b11


def _raw(frame: object) -> bytes:
    """The frame before COBS (header, body, CRC)."""
    return cobs_decode(encode_frame(frame)[:-1])  # type: ignore[arg-type]


def _flip(raw: bytes, rng: np.random.Generator, keep_crc: bool) -> bytes:
    """Flip 1-16 random bits of the frame (and recompute its CRC if ``keep_crc``)."""
    body = bytearray(raw[:-2] if keep_crc else raw)
    k = int(rng.integers(1, 17))
    for bit in rng.choice(len(body) * 8, size=k, replace=False):
        body[bit // 8] ^= 1 << (bit % 8)
    if keep_crc:
        body += struct.pack("<H", binascii.crc_hqx(bytes(body), 0xFFFF))
    return bytes(body)


def _passes(raw: bytes) -> bool:
    return binascii.crc_hqx(raw[:-2], 0xFFFF) == struct.unpack_from("<H", raw, len(raw) - 2)[0]


def run(
    mode: str, n_frames: int, p_damage: float, p_status: float, p_loss: float, tries: int, seed: int
) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 1 << BITS, size=(2, n_frames * N), dtype=np.uint16)
    frames = [
        SampleFrame(k & 0xFFFF, (k * N * 1000) % (1 << 32), MASK, truth[:, k * N : (k + 1) * N])
        for k in range(n_frames)
    ]
    # Link losses: runs of 1-5 frames.
    lost = np.zeros(n_frames, bool)
    for start in np.flatnonzero(rng.random(n_frames) < p_loss):
        lost[start : start + int(rng.integers(1, 6))] = True
    lost[0] = False
    damaged: dict[int, bytes] = {}
    t_start = time.process_time()
    if mode == "forced":
        for k in np.flatnonzero(rng.random(n_frames) < p_damage):
            damaged[int(k)] = _flip(_raw(frames[k]), rng, keep_crc=True)
        n_tried = len(damaged)
    else:
        n_tried = 0
        while n_tried < tries:
            k = int(rng.integers(1, n_frames))
            n_tried += 1
            raw = _flip(_raw(frames[k]), rng, keep_crc=False)
            if _passes(raw) and raw != _raw(frames[k]):
                damaged[k] = raw
    pieces = []
    damaged_status = 0
    for k in range(n_frames):
        if k % FS == 0:  # a status frame every second; some of them damaged too (forced mode)
            t_us = (k * N * 1000) % (1 << 32)
            raw = _raw(StatusFrame(k & 0xFFFF, t_us, "cd-uno 0.1.0", FS, BITS, "raw", 255, 0, MASK))
            if mode == "forced" and rng.random() < p_status:
                raw = _flip(raw, rng, keep_crc=True)
                damaged_status += 1
            pieces.append(cobs_encode(raw) + b"\x00")
        if lost[k]:
            continue
        raw = damaged.get(k) or _raw(frames[k])
        pieces.append(cobs_encode(raw) + b"\x00")
    stream = b"".join(pieces)
    dec, r = FrameDecoder(), Reassembler(StreamInfo(confirmed=False), block_s=0.1)
    blocks = []
    pos, host_s = 0, 0.0
    while pos < len(stream):
        size = int(rng.integers(1, 4096))
        host_s += size / 50_000  # ~50 kB/s of wire
        blocks += r.feed(dec.feed(stream[pos : pos + size]), host_s)
        pos += size
    blocks += r.flush()
    elapsed = time.process_time() - t_start

    # Compare with the truth, sample by sample.
    covered = np.zeros(n_frames * N, bool)
    wrong = np.zeros(n_frames * N, bool)
    beyond = 0
    for b in blocks:
        stop = min(b.stop, n_frames * N)
        beyond += b.stop - stop
        covered[b.start : stop] = True
        wrong[b.start : stop] = (b.data[:, : stop - b.start] != truth[:, b.start : stop]).any(0)
    runs = np.diff(np.flatnonzero(np.diff(np.r_[0, wrong.astype(np.int8), 0])))[::2]
    last = -(-(int(np.flatnonzero(covered)[-1]) + 1) // N) * N  # whole frames
    missing_frames = int((~covered[:last].reshape(-1, N)).all(axis=1).sum())
    missing_samples = int((~covered[:last]).sum())
    return {
        "mode": mode,
        "seed": seed,
        "frames": n_frames,
        "link_lost_frames": int(lost.sum()),
        "damaged_tried": n_tried,
        "damaged_in_stream": int(sum(1 for k in damaged if not lost[k])),
        "damaged_status": damaged_status,
        "crc_errors": dec.stats.crc_errors,
        "malformed": dec.stats.malformed,
        "implausible_dropped": r.stats.implausible,
        "stale_or_dup": r.stats.stale + r.stats.duplicates,
        "bad_status": r.stats.bad_status,
        "restarts": r.stats.restarts,
        "wrong_runs": len(runs),
        "wrong_runs_max": int(runs.max()) if len(runs) else 0,
        "samples_beyond_truth": int(beyond),
        "lost_frames": r.stats.lost_frames,
        "missing_frames": missing_frames,
        "gap_samples": r.stats.gap_samples,
        "missing_samples": missing_samples,
        "fs_changes": len({b.fs for b in blocks}),
        "cpu_s": round(elapsed, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mode", choices=["forced", "natural"], default="forced")
    ap.add_argument("--frames", type=int, default=100_000)
    ap.add_argument("--damage", type=float, default=0.01, help="forced: share of frames damaged")
    ap.add_argument("--status-damage", type=float, default=0.1, help="forced: status frames")
    ap.add_argument("--loss", type=float, default=0.002, help="share of frames starting a loss")
    ap.add_argument("--tries", type=int, default=1_000_000, help="natural: damaged frames made")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    print(
        json.dumps(
            run(a.mode, a.frames, a.damage, a.status_damage, a.loss, a.tries, a.seed), indent=1
        )
    )


if __name__ == "__main__":
    main()
