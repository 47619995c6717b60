"""Open a session directory written by :class:`~crampdetect.storage.session.SessionWriter`.

Tolerates what a crash leaves behind: a truncated last chunk, a half-written journal line,
a corrupt chunk in the middle (skipped, so it reads as a gap), a missing ``meta.json`` (rebuilt
from the journal). A NaN, infinite or absurd (beyond ±MAX_ABS_VALUE) sample in a float chunk is
a bad sample, as in a CSV or a live stream: read as NaN (the pipeline flags it ``bad_value``), or
dropped with ``recover``. Everything skipped or read as bad is listed in ``Recording.problems``.
Files are opened read-only; the original is never modified.
"""

from __future__ import annotations

import logging
import math
import zlib
from pathlib import Path

import numpy as np

from crampdetect.core import Event, InputError, QualityInterval
from crampdetect.storage import limits
from crampdetect.storage.recording import Recording, Segment
from crampdetect.storage.session import (
    CHUNK_HEADER,
    CHUNK_MAGIC,
    DTYPES,
    FORMAT_NAME,
    JOURNAL_FILE,
    META_FILE,
    SAMPLES_FILE,
)
from crampdetect.text import plural, word

logger = logging.getLogger(__name__)


def is_session(path: Path) -> bool:
    """True if ``path`` is a directory that looks like a session."""
    return path.is_dir() and any((path / f).exists() for f in (META_FILE, SAMPLES_FILE))


def _read_journal(path: Path, problems: list[str]) -> list[dict[str, object]]:
    file = path / JOURNAL_FILE
    if not file.exists():
        problems.append("journal.jsonl missing: no events or quality intervals")
        return []
    size = limits.check_regular_file(file, "journal").st_size
    if size > limits.MAX_JOURNAL_BYTES:
        raise limits.LimitError(
            f"{file}: journal of {size} bytes (limit {limits.MAX_JOURNAL_BYTES // 2**20} MiB)"
        )
    records = []
    lines = file.read_bytes().split(b"\n")
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            if len(line) > limits.MAX_JOURNAL_LINE_BYTES:
                raise InputError(f"longer than {limits.MAX_JOURNAL_LINE_BYTES} bytes")
            rec = limits.parse_json(line, "journal line")
        except InputError:
            where = "last line (truncated)" if i >= len(lines) - 2 else f"line {i + 1}"
            problems.append(f"journal {where} unreadable, skipped")
            continue
        if isinstance(rec, dict):
            records.append(rec)
    return records


def _read_meta(path: Path, journal: list[dict[str, object]], problems: list[str]) -> dict:
    file = path / META_FILE
    why = "no meta.json"
    if file.exists():
        try:
            meta = limits.read_json(file, "session header")
            if isinstance(meta, dict) and meta.get("format") == FORMAT_NAME:
                return meta
            problems.append("meta.json is not a crampdetect session header")
        except limits.LimitError:
            raise  # hostile, not what a crash leaves
        except InputError as exc:
            why = str(exc)
            problems.append("meta.json unreadable")
    for rec in journal:
        if rec.get("type") == "meta":
            problems.append("metadata rebuilt from the journal")
            return {k: v for k, v in rec.items() if k != "type"}
    raise InputError(f"{path}: session metadata missing ({why}; no journal header)")


def _bad(data: np.ndarray) -> np.ndarray:
    """Mask of the bad samples: NaN, infinite or beyond ±MAX_ABS_VALUE (NaN compares False)."""
    return ~(np.abs(data) <= limits.MAX_ABS_VALUE)


def _index_chunks(file: Path, n_channels: int, problems: list[str]) -> list[tuple]:
    """Scan ``samples.bin`` and return (offset, dtype, n_samples, start, t0, n_bad, first_bad)
    of valid chunks: ``n_bad`` bad samples in a float chunk, the first in column ``first_bad``."""
    if not file.exists():
        problems.append("samples.bin missing: no samples")
        return []
    limits.check_regular_file(file, "sample file")
    raw = (
        np.memmap(file, mode="r", dtype=np.uint8) if file.stat().st_size else np.zeros(0, np.uint8)
    )
    size = raw.size
    chunks = []
    pos = 0
    hsize = CHUNK_HEADER.size
    while pos + hsize <= size:
        magic, code, _, n_ch, n, start, t0, crc = CHUNK_HEADER.unpack(
            raw[pos : pos + hsize].tobytes()
        )
        dtype = DTYPES.get(code)
        if magic != CHUNK_MAGIC or dtype is None or n_ch != n_channels:
            nxt = raw[pos + 1 :].tobytes().find(CHUNK_MAGIC)  # resynchronise on the next chunk
            problems.append(f"corrupt chunk header at byte {pos}, skipped")
            if nxt < 0:
                break
            pos += 1 + nxt
            continue
        if not (math.isfinite(t0) and abs(t0) <= limits.MAX_TIME_S and start >= 0):
            problems.append(f"chunk at byte {pos} has an impossible time or index, skipped")
            end = pos + hsize + n * n_ch * dtype.itemsize
            pos = end if end <= size else size
            continue
        end = pos + hsize + n * n_ch * dtype.itemsize
        if end > size:
            problems.append(f"truncated last chunk ({size - pos} bytes) ignored")
            pos = size
            break
        if zlib.crc32(raw[pos + hsize : end]) != crc:
            problems.append(f"chunk at byte {pos} fails its checksum, skipped (reads as a gap)")
        else:
            n_bad, first_bad = 0, 0
            if dtype.kind == "f":
                bad = _bad(raw[pos + hsize : end].view(dtype).reshape(n_ch, n))
                n_bad = int(np.count_nonzero(bad))
                if n_bad:
                    first_bad = int(np.flatnonzero(bad.any(axis=0))[0])
            chunks.append((pos + hsize, dtype, n, start, t0, n_bad, first_bad))
        pos = end
    if 0 < size - pos < hsize:
        problems.append(f"truncated chunk header ({size - pos} bytes) ignored")
    return chunks


def _merge_events(
    journal: list[dict[str, object]], problems: list[str]
) -> tuple[list[Event], list[QualityInterval]]:
    events: dict[tuple, Event] = {}
    quality: dict[tuple, QualityInterval] = {}
    bad = 0
    for rec in journal:
        try:
            if rec.get("type") == "event":
                ev = limits.event_from_dict(rec, "journal")
                events[(ev.channel, ev.kind, ev.id, ev.onset_s)] = ev
            elif rec.get("type") == "quality":
                q = limits.quality_from_dict(rec, "journal")
                quality[(q.channel, q.issue, q.start_s)] = q
        except InputError:
            bad += 1
    if bad:
        problems.append(f"{plural(bad, 'malformed journal record')} skipped")
    return list(events.values()), list(quality.values())


def read_session(path: str | Path, *, recover: bool = False) -> Recording:
    """Open a session directory; raise :class:`InputError` if nothing usable is in it.

    Bad samples (NaN, infinite, beyond ±MAX_ABS_VALUE) are read as NaN; with ``recover``
    (``convert``, which never writes NaN) their samples are dropped, each leaving a gap.
    """
    path = Path(path)
    if not path.is_dir():
        raise InputError(f"{path} is not a session directory")
    problems: list[str] = []
    journal = _read_journal(path, problems)
    meta = _read_meta(path, journal, problems)
    where = f"{path}: session metadata"
    if "sample_rate_hz" not in meta or "channels" not in meta:
        raise InputError(f"{where} incomplete (needs sample_rate_hz and channels)")
    fs = limits.check_rate(meta["sample_rate_hz"], where)
    channels = limits.check_channels(meta["channels"], where)
    representation = limits.representation_from_dict(meta.get("representation") or {}, where)
    file = path / SAMPLES_FILE
    chunks = _index_chunks(file, len(channels), problems)
    closes = [rec for rec in journal if rec.get("type") == "close"]
    if not closes:
        problems.append("session was not closed (crash or still recording)")
    elif closes[-1].get("n_samples") != sum(c[2] for c in chunks):
        problems.append(
            f"the close record says {closes[-1].get('n_samples')!r:.20} samples, "
            f"samples.bin holds {sum(c[2] for c in chunks)} readable"
        )

    def loader(
        offset: int, dtype: np.dtype, n: int, lo: int = 0, hi: int | None = None
    ) -> np.ndarray:
        """Columns [lo, hi) of the (n_channels, n) chunk at byte ``offset``; bad samples NaN."""
        mm = np.memmap(file, mode="r", dtype=dtype, offset=offset, shape=(len(channels), n))
        data = np.array(mm[:, lo:hi])
        if dtype.kind == "f":
            data[_bad(data)] = np.nan  # as the CSV reader reads a bad cell
        return data

    segments = []
    n_bad, bad_chunks, dropped, first = 0, 0, 0, None
    prev_stop, prev_end = None, None
    for off, dt, n, start, t0, chunk_bad, first_bad in chunks:
        if prev_end is not None and start < prev_stop:
            problems.append(f"chunk at sample {start} overlaps the previous one, skipped")
            continue
        if prev_end is not None and (start - prev_stop) / fs > limits.MAX_GAP_S:
            problems.append(
                f"chunk at sample {start} jumps {(start - prev_stop) / fs:g} s ahead "
                f"(limit {limits.MAX_GAP_S:g} s), skipped"
            )
            continue
        if prev_end is not None and start == prev_stop:
            t0 = prev_end  # contiguous: the sample clock sets the time, not host jitter
        elif prev_end is not None:
            by_clock = prev_end + (start - prev_stop) / fs
            if t0 - prev_end > limits.MAX_GAP_S:
                problems.append(
                    f"chunk at sample {start}: time jumps {t0 - prev_end:g} s "
                    f"(limit {limits.MAX_GAP_S:g} s); timed by the sample clock"
                )
                t0 = by_clock
            t0 = max(t0, prev_end + (start - prev_stop) / fs * 0.5)  # keep time increasing
        prev_stop, prev_end = start + n, t0 + n / fs
        if chunk_bad:
            n_bad += chunk_bad
            bad_chunks += 1
            if first is None:
                first = (off - CHUNK_HEADER.size, start + first_bad, t0 + first_bad / fs)
        if not (chunk_bad and recover):
            segments.append(Segment(start, t0, n, lambda o=off, d=dt, k=n: loader(o, d, k)))
            continue
        good = np.flatnonzero(~_bad(loader(off, dt, n)).any(axis=0))  # keep the good runs
        dropped += n - good.size
        for run in np.split(good, np.flatnonzero(np.diff(good) > 1) + 1) if good.size else []:
            lo, hi = int(run[0]), int(run[-1]) + 1
            segments.append(
                Segment(
                    start + lo,
                    t0 + lo / fs,
                    hi - lo,
                    lambda o=off, d=dt, k=n, a=lo, b=hi: loader(o, d, k, a, b),
                )
            )
    if first is not None:
        where = (
            f"{n_bad} NaN, infinite or absurd (beyond {limits.MAX_ABS_VALUE:g}) "
            f"{word(n_bad, 'value')} in {plural(bad_chunks, 'chunk')} of {SAMPLES_FILE}, "
            f"the first at sample {first[1]} "
            f"({first[2]:.3f} s) in the chunk at byte {first[0]}"
        )
        problems.append(
            f"{where}; dropped their {plural(dropped, 'sample')}"
            if recover
            else f"{where}, read as bad samples (flagged bad_value, never an alert)"
        )
    events, quality = _merge_events(journal, problems)
    device = meta.get("device")
    device = dict(device) if isinstance(device, dict) else {}
    for rec in journal:  # later device reports (status frames) update the header's
        if rec.get("type") == "note" and rec.get("text") == "device":
            device.update({k: v for k, v in rec.items() if k not in ("type", "text")})
    meta["device"] = device
    for p in problems:
        logger.info("%s: %s", path, p)  # replay and convert print them as warnings
    return Recording(
        path=path,
        kind="session",
        fs=fs,
        channels=channels,
        representation=representation,
        segments=segments,
        events=sorted(events, key=lambda e: (e.onset_s, e.channel)),
        quality=sorted(quality, key=lambda q: (q.start_s, q.channel)),
        meta=meta,
        problems=problems,
    )
