"""Recover the readable rows of a damaged ``time_s,<channels>`` CSV (``crampdetect convert``).

The ``detect`` reader stops at the first bad row, as it should for detection. Recovery keeps
every complete, numeric row whose time moves forward: a half-written last line (a recorder
killed mid-write), rows with a missing or extra field, non-numeric cells and NaNs are dropped,
and the rest is cut into segments where ``time_s`` jumps. The file is only read.

:func:`bad_samples` gives the in-memory readers (WAV, OpenBCI, BrainFlow) the CSV reader's
handling of NaN, infinite and absurd samples.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np

from crampdetect.core import InputError
from crampdetect.storage import limits
from crampdetect.storage.csvfile import parse_header, time_scale
from crampdetect.storage.recording import Recording, Segment, segments_from_array
from crampdetect.text import plural, word


def recover_csv(path: str | Path, reason: str) -> Recording:
    """Read what can be read of ``path``; ``reason`` is why the strict reader gave up."""
    path = Path(path)
    if not reason.startswith(f"{path.name}:"):  # the strict reader's reasons name the file
        reason = f"{path.name}: {reason}"
    size = limits.check_regular_file(path, "CSV file").st_size
    if size > limits.MAX_RECOVER_BYTES:
        raise InputError(
            f"{reason}; too large to salvage (limit {limits.MAX_RECOVER_BYTES // 2**20} MiB)"
        )
    raw = path.read_bytes()
    header, _, body = raw.partition(b"\n")
    try:
        names = parse_header(header, path.name)
    except InputError:
        raise InputError(f"{reason}; no usable time_s header, nothing to recover") from None
    end = body.rfind(b"\n")
    complete = body[: end + 1] if end >= 0 else b""  # a line without its newline is half-written
    n_lines = complete.count(b"\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # genfromtxt warns for every malformed line it skips
        rows = np.genfromtxt(
            io.BytesIO(complete), delimiter=",", dtype=np.float64, invalid_raise=False, ndmin=2
        )
    if rows.size == 0 or rows.shape[-1] != len(names):
        rows = np.zeros((0, len(names)))
    rows = rows[np.isfinite(rows).all(axis=1)]
    rows[:, 0] *= time_scale(names[0]) or 1.0  # the time column in seconds
    sane = (np.abs(rows[:, 1:]) <= limits.MAX_ABS_VALUE).all(axis=1)
    rows = rows[sane & (np.abs(rows[:, 0]) <= limits.MAX_TIME_S)]
    if rows.shape[0]:
        before = np.concatenate([[-np.inf], np.maximum.accumulate(rows[:-1, 0])])
        rows = rows[rows[:, 0] > before]  # time must move forward
    if rows.shape[0] < 2:
        raise InputError(f"{reason}; no readable rows to recover")
    times, data = rows[:, 0], rows[:, 1:].T
    steps = np.diff(times)
    limits.check_step(float(steps.max()), f"{reason}; recovered time_s")
    fs = 1.0 / float(np.median(steps))
    fs = float(round(fs)) if abs(fs - round(fs)) < 1e-3 * fs else fs
    limits.check_rate(fs, f"{reason}; recovered time_s")
    dropped = n_lines - rows.shape[0] + (1 if end < len(body) - 1 else 0)
    return Recording(
        path=path,
        kind="csv",
        fs=fs,
        channels=tuple(names[1:]),
        representation=None,
        segments=segments_from_array(times, data, fs),
        problems=[f"{reason}; recovered {rows.shape[0]} rows, dropped {dropped}"],
    )


def bad_samples(rec: Recording, *, recover: bool = False) -> Recording:
    """Read NaN, infinite or absurd (beyond ±MAX_ABS_VALUE) samples as NaN, as the CSV reader does.

    For readers that hold the samples in memory (WAV, OpenBCI, BrainFlow). The pipeline flags
    NaN samples ``bad_value`` (never an alert); with ``recover`` (``convert``, which never
    writes NaN) the samples are dropped instead, each leaving a gap. ``problems`` says how many
    and where the first is (sample index and time in s).
    """
    n_bad, first, kept = 0, None, []
    for seg in rec.segments:
        data = seg.load()
        bad = ~(np.abs(data) <= limits.MAX_ABS_VALUE)  # NaN compares False
        if not bad.any():
            kept.append(seg)
            continue
        data[bad] = np.nan
        cols = bad.any(axis=0)
        n_bad += int(bad.sum())
        if first is None:
            i = int(np.flatnonzero(cols)[0])
            first = (seg.start + i, seg.t0 + i / rec.fs)
        if not recover:
            kept.append(seg)
            continue
        good = np.flatnonzero(~cols)
        for run in np.split(good, np.flatnonzero(np.diff(good) > 1) + 1) if good.size else []:
            lo, hi = int(run[0]), int(run[-1]) + 1
            part = data[:, lo:hi]
            kept.append(Segment(seg.start + lo, seg.t0 + lo / rec.fs, hi - lo, lambda p=part: p))
    if not n_bad:
        return rec
    where = (
        f"{rec.path.name}: {n_bad} NaN, infinite or absurd (beyond {limits.MAX_ABS_VALUE:g}) "
        f"{word(n_bad, 'value')}, the first at sample {first[0]} ({first[1]:.3f} s)"
    )
    if recover:
        dropped = rec.n_samples - sum(s.n_samples for s in kept)
        rec.segments = kept
        rec.problems.append(f"{where}; dropped their {plural(dropped, 'sample')}")
    else:
        rec.problems.append(f"{where}, read as bad samples (flagged bad_value, never an alert)")
    return rec
