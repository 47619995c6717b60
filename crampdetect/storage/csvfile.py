"""Read the ``detect`` CSV layout (``time_s,<channel>,...``) as a stream of blocks.

The file is parsed in chunks of about a MB by pyarrow's C++ CSV parser on one thread (about
twice as fast as numpy's), so memory stays flat for nights of any length; a chunk it refuses
or might read differently is parsed by numpy's ``loadtxt``, whose errors name the data row.
The sample rate comes from the ``time_s`` steps; where ``time_s`` jumps (lost packets) the
next block carries the number of missing samples in ``Block.gap``. A channel cell that is empty,
NaN, infinite or beyond ±MAX_ABS_VALUE is read as a NaN sample, as a live stream delivers one:
the pipeline holds it and flags ``bad_value``. A last line cut short (no line end, fields
missing: a recorder killed mid-write) is dropped. :attr:`CsvStream.problems` says what and where.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import numpy as np

from crampdetect.core import Block, InputError
from crampdetect.ingest.columns import (
    UV_PER_UNIT,
    choose_columns,
    left_out_note,
    unit_from_name,
)
from crampdetect.storage import limits
from crampdetect.text import word

#: A step longer than this many sample periods is a gap (lost samples).
GAP_FACTOR = 1.5
CHUNK_BYTES = 1 << 20
#: Seconds per unit of a time column named with its unit (``time_ms``, ``time (s)``,
#: ``time[us]``); ``time_s`` and a bare ``time`` are seconds.
TIME_UNITS = {"s": 1.0, "sec": 1.0, "seconds": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "μs": 1e-6}
_TIME_RE = re.compile(
    rf"^time(?:\s*[_\-.\s(\[]\s*({'|'.join(TIME_UNITS)})\s*[)\]]?)?$", re.IGNORECASE
)
T = TypeVar("T")


@dataclass(slots=True)
class CsvStream:
    """An open CSV recording: metadata known up front, blocks on iteration.

    Attributes
    ----------
    path : Path
        The file.
    channels : tuple of str
        Channel column names (every column after ``time_s``).
    fs : float
        Sample rate in Hz (from ``time_s`` unless given).
    first : ndarray, shape (n_channels, n)
        The first samples, for representation inference.
    gaps, n_samples : int
        Gaps and samples seen so far (final after iteration).
    bad_values, first_bad_row : int
        Channel cells read as NaN so far (empty, NaN, infinite or absurd), and the data row of
        the first (0 if none).
    dropped : list of str
        What was left out (a last line cut short), one line each.
    t_first, t_last : float
        First and last ``time_s`` seen.
    left_out : list of str
        Columns of the file not read as channels (not EMG by their names, or not chosen).
    column_units : dict
        Channel -> the unit its column name ends with (``emg_ta_V``: V), for those that do.
    units : str or None
        The unit the channels' names state (one for all; channels that name another voltage
        unit are read in it, scaled), None if none does.
    picked : bool
        The channels were chosen by name (``--channels``): the others are left out silently.
    read_hash : ReadHash or None
        The file's SHA-256, hashed as the stream reads it, if asked
        (:class:`crampdetect.provenance.ReadHash`): final once the blocks are read.
    """

    path: Path
    channels: tuple[str, ...]
    fs: float
    first: np.ndarray
    t_first: float
    gaps: int = 0
    n_samples: int = 0
    t_last: float = 0.0
    bad_values: int = 0
    first_bad_row: int = 0
    dropped: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    column_units: dict[str, str] = field(default_factory=dict)
    units: str | None = None
    picked: bool = False
    read_hash: Any = field(default=None, repr=False)
    _rows: np.ndarray | None = field(default=None, repr=False)
    _scale: np.ndarray | None = field(default=None, repr=False)
    _batches: Iterator[np.ndarray] | None = field(default=None, repr=False)
    _pending: list[np.ndarray] = field(default_factory=list, repr=False)

    @property
    def duration_s(self) -> float:
        return self.t_last - self.t_first + 1.0 / self.fs if self.n_samples else 0.0

    @property
    def bad_cells(self) -> str:
        """How many cells were bad and the first one's data row ("" if none)."""
        if not self.bad_values:
            return ""
        return (
            f"{self.path.name}: {self.bad_values} empty, NaN, infinite or absurd (beyond "
            f"{limits.MAX_ABS_VALUE:g}) {word(self.bad_values, 'value')}, the first at data row "
            f"{self.first_bad_row}"
        )

    @property
    def problems(self) -> list[str]:
        """What was read but not as written: the bad cells and dropped lines, one line each."""
        bad = [self.bad_cells + ", read as bad samples (flagged bad_value, never an alert)"]
        return self.notes + (bad if self.bad_values else []) + self.dropped

    @property
    def notes(self) -> list[str]:
        """The columns left out, and channels read in another unit than their name's."""
        out = []
        if self.left_out and not self.picked:
            out.append(left_out_note(self.path.name, self.left_out))
        scaled = [c for c, u in self.column_units.items() if u != self.units]
        if scaled:
            out.append(
                f"{self.path.name}: {', '.join(f'{c} ({self.column_units[c]})' for c in scaled)}"
                f" read in {self.units}, the unit of the other channels"
            )
        return out

    def _select(self, arr: np.ndarray) -> np.ndarray:
        """``time_s`` and the chosen channel columns of a parsed chunk, in the channels' unit."""
        if self._rows is not None:
            arr = arr[self._rows]
        if self._scale is not None:
            arr[1:] *= self._scale[:, None]
        return arr

    def blocks(self) -> Iterator[Block]:
        """Yield the file as Blocks, split at gaps; raises InputError on bad rows."""
        start = 0
        for arr, steps, cuts, n_bad, first_bad in _read_ahead(self._checked()):
            t = arr[0]
            data = arr[1:]
            if n_bad and not self.bad_values:
                self.first_bad_row = first_bad
            self.bad_values += n_bad
            bounds = [0, *cuts.tolist(), t.size]
            for a, b in itertools.pairwise(bounds):
                if b <= a:
                    continue
                gap = 0
                if a in cuts:
                    gap = max(1, round(steps[a] * self.fs) - 1)
                    self.gaps += 1
                start += gap
                yield Block(
                    data=data[:, a:b],
                    fs=self.fs,
                    start=start,
                    t0=float(t[a]),
                    gap=gap,
                    channels=self.channels,
                )
                start += b - a
            self.t_last = float(t[-1])
            self.n_samples += t.size

    def _checked(self) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, int, int]]:
        """Each parsed chunk checked: the chunk, its ``time_s`` steps, where they are gaps,
        and its bad cells (number, data row of the first)."""
        name, period = self.path.name, 1.0 / self.fs
        prev_t: float | None = None
        row = 1
        for arr in self._iter_arrays():
            t = arr[0]
            n_bad, first_bad = check_values(arr, name, row)
            steps = np.diff(t, prepend=t[0] if prev_t is None else prev_t)
            if prev_t is None:
                steps[0] = period
            check_steps(steps, name, row)
            yield arr, steps, np.flatnonzero(steps > GAP_FACTOR * period), n_bad, first_bad
            prev_t = float(t[-1])
            row += t.size

    def _iter_arrays(self) -> Iterator[np.ndarray]:
        pending, self._pending = self._pending, []
        for arr in pending:
            yield self._select(arr)
        if self._batches is not None:
            for arr in self._batches:
                yield self._select(arr)


def _read_ahead(items: Iterator[T]) -> Iterator[T]:
    """``items``, each read, parsed and checked on a reader thread while the caller works on
    the one before.

    pyarrow parses without the GIL, so a file is read alongside the pipeline. Errors are
    raised where the caller reaches the chunk, as without the thread; the thread stops (after
    the chunk in hand) when the caller stops iterating.
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="crampdetect-csv") as pool:
        ahead = pool.submit(next, items, None)
        while (item := ahead.result()) is not None:
            ahead = pool.submit(next, items, None)
            yield item


def open_csv(
    path: str | Path,
    rate: float | None = None,
    channels: Sequence[str] | None = None,
    *,
    read_hash: Any = None,
) -> CsvStream:
    """Open a CSV recording; checks the header and reads the first chunk.

    Parameters
    ----------
    path : str or Path
        CSV with a ``time_s`` column first, then one column per channel.
    rate : float, optional
        Sample rate in Hz; must agree with ``time_s`` within 2 % when both are given.
    channels : sequence of str, optional
        The columns to read as channels, in this order; default every column whose name
        does not say it is something else than EMG (force, torque, angle...: see
        :func:`~crampdetect.ingest.columns.is_emg_name`), the others left out with a note.
    read_hash : ReadHash, optional
        Hash the bytes into this one as they are read (``stream.read_hash``; a file opened
        again, e.g. to run it a second time, adds nothing to a hash already complete);
        default no hash (``evaluate`` needs none).
    """
    path = Path(path)
    limits.check_regular_file(path, "CSV file")
    # with a ReadHash, the file is read once, through it, and hashed as it is read
    fh: BinaryIO = open(path, "rb") if read_hash is None else read_hash.open()
    try:
        head = fh.readline(limits.MAX_LINE_BYTES + 1)
        names = parse_header(head, path.name)
    except BaseException:
        fh.close()
        raise
    dropped: list[str] = []
    batches = _arrays(path, fh, len(names), dropped, time_scale(names[0]) or 1.0)
    try:
        first = next(batches)
    except StopIteration:
        raise InputError(f"{path.name}: no data rows") from None
    t = first[0]
    if t.size < 2:
        try:
            more = next(batches)
            first = np.concatenate([first, more], axis=1)
            t = first[0]
        except StopIteration:
            raise InputError(f"{path.name}: a single sample is not a signal") from None
    check_values(first, path.name, 1)
    steps = np.diff(t)
    check_steps(steps, path.name, 2)
    fs_file = 1.0 / float(np.median(steps))
    fs_file = float(round(fs_file)) if abs(fs_file - round(fs_file)) < 1e-3 * fs_file else fs_file
    limits.check_rate(fs_file, f"{path.name}: time_s")
    if fs_file < limits.MIN_EMG_RATE_HZ:
        raise InputError(
            f"{path.name}: time_s steps of {1.0 / fs_file:.6g} s give {fs_file:.6g} Hz, below the "
            f"{limits.MIN_EMG_RATE_HZ:g} Hz crampdetect needs: time_s must be in seconds "
            "(milliseconds or sample numbers give a rate 1000x too low or worse)"
        )
    if rate is not None:
        limits.check_rate(rate, f"{path.name}: --rate")
        if abs(rate - fs_file) > 0.02 * fs_file:
            raise InputError(
                f"{path.name}: --rate {rate:g} Hz disagrees with time_s ({fs_file:.6g} Hz)"
            )
        fs_file = float(rate)
    keep, left_out = choose_columns(names[1:], channels, path.name)
    chosen = [names[1 + i] for i in keep]
    rows = [0, *(1 + i for i in keep)]  # time_s and the chosen channels
    named = {c: u for c in chosen if (u := unit_from_name(c)) is not None}
    units = next(iter(named.values()), None)
    scale = None
    if len(set(named.values())) > 1:
        if "counts" in named.values():
            raise InputError(
                f"{path.name}: channels name different units ({', '.join(named)}): ADC counts "
                "cannot be read with volts; choose the columns with --channels"
            )
        scale = np.array([UV_PER_UNIT[named.get(c, units)] / UV_PER_UNIT[units] for c in chosen])
    stream = CsvStream(
        path=path,
        channels=tuple(chosen),
        fs=fs_file,
        first=first[rows, : int(min(first.shape[1], 30 * fs_file))][1:],
        t_first=float(t[0]),
        dropped=dropped,
        left_out=left_out,
        column_units=named,
        units=units,
        picked=bool(channels),
        _rows=None if keep == list(range(len(names) - 1)) else np.array(rows),
        _scale=scale,
        read_hash=read_hash,
        _batches=batches,
    )
    if scale is not None:
        stream.first = stream.first * scale[:, None]
    stream._pending = [first]
    return stream


def _arrays(
    path: Path, fh: BinaryIO, n_cols: int, dropped: list[str], t_scale: float = 1.0
) -> Iterator[np.ndarray]:
    """Parse the data rows of ``fh`` (open past the header line; closed when done) in chunks
    cut at line ends; yields (n_cols, n_rows) arrays, the first row (the time column) in
    seconds (times ``t_scale``, seconds per unit of the file).

    A last line without its line end and with fields missing is cut short: it is left out
    and said so in ``dropped``.
    """
    row = 1  # data rows are numbered from 1 in messages
    with fh:
        rest = b""
        while True:
            buf = fh.read(CHUNK_BYTES)
            last = not buf
            cut = len(buf) if last else buf.rfind(b"\n") + 1
            if cut == 0 and not last:  # no line end in this read yet: keep reading
                rest += buf
                check_line_length(rest, path.name, row)
                continue
            chunk, rest = b"".join((rest, memoryview(buf)[:cut])), buf[cut:]  # one copy
            check_line_length(chunk, path.name, row)
            if last and chunk.count(b",") + 1 < n_cols and chunk.strip():
                dropped.append(
                    f"{path.name}: data row {row} is cut short (the last line, "
                    f"{chunk.count(b',') + 1} of {n_cols} fields, no line end): left out"
                )
                return
            if chunk and not chunk.isspace():
                arr = _parse(chunk, path.name, row, n_cols)
                if t_scale != 1.0:
                    arr[0] *= t_scale
                row += arr.shape[1]
                yield arr
            if last:
                return


def time_scale(column: str) -> float | None:
    """Seconds per unit of a first column named ``time_s``, ``time`` (seconds) or ``time``
    with a unit (``time_ms``, ``time (s)``, ``time[us]``); None for any other name."""
    m = _TIME_RE.match(column.strip().strip('"'))
    if not m:
        return None
    return TIME_UNITS[m.group(1).lower()] if m.group(1) else 1.0


def parse_header(head: bytes, name: str) -> list[str]:
    """Column names of a header line (BOM allowed), within the stated limits."""
    if len(head) > limits.MAX_LINE_BYTES:
        raise limits.LimitError(
            f"{name}: header line longer than {limits.MAX_LINE_BYTES} bytes "
            f"(limit {limits.MAX_CHANNELS} channels of {limits.MAX_NAME_CHARS} characters)"
        )
    if not head.strip():
        raise InputError(f"{name}: empty file")
    if head.count(b",") > limits.MAX_CHANNELS:
        raise limits.LimitError(
            f"{name}: header has {head.count(b',') + 1} columns "
            f"(limit {limits.MAX_CHANNELS} channels after time_s)"
        )
    try:
        text = head.decode("utf-8-sig").strip()
        if not text:
            raise InputError(f"{name}: empty file")
        names = [c.strip() for c in next(csv.reader([text]))]
    except UnicodeDecodeError:
        raise InputError(f"{name}: not a text CSV file") from None
    except csv.Error as exc:
        raise InputError(f"{name}: malformed header ({exc})") from None
    if not names or time_scale(names[0]) is None:
        raise InputError(
            f"{name}: first column must be the sample times, named 'time_s' (or 'time' in s, "
            f"or with its unit: 'time_ms', 'time (s)'), got {names[0][:40]!r}"
        )
    if len(names) < 2:
        raise InputError(f"{name}: no channel columns after 'time_s'")
    if len(set(names)) != len(names) or any(not n for n in names):
        raise InputError(f"{name}: column names must be unique and non-empty")
    longest = max(len(n) for n in names)
    if longest > limits.MAX_NAME_CHARS:
        raise limits.LimitError(
            f"{name}: a column name has {longest} characters (limit {limits.MAX_NAME_CHARS})"
        )
    return names


def check_line_length(chunk: bytes, name: str, first_row: int) -> None:
    """Refuse a line longer than :data:`~crampdetect.storage.limits.MAX_LINE_BYTES`.

    Cheap: one ``find`` per half-limit window (a line that long must fill a whole window);
    only a window without a line end is measured exactly.
    """
    limit = limits.MAX_LINE_BYTES
    if len(chunk) <= limit:
        return
    half = limit // 2
    for pos in range(0, len(chunk), half):
        if chunk.find(b"\n", pos, pos + half) >= 0:
            continue
        start = chunk.rfind(b"\n", 0, pos) + 1
        end = chunk.find(b"\n", pos)
        if (len(chunk) if end < 0 else end) - start > limit:
            at = first_row + chunk.count(b"\n", 0, start)
            raise limits.LimitError(f"{name}: data row {at} is longer than {limit} bytes")


def check_values(arr: np.ndarray, name: str, first_row: int) -> tuple[int, int]:
    """Refuse a bad ``time_s`` (``arr[0]``); set bad channel cells to NaN in place.

    ``time_s`` must be finite and within ±MAX_TIME_S (s); a channel cell that is not finite
    and within ±MAX_ABS_VALUE is a bad sample. Returns the number of bad cells and the data
    row of the first (0 if none).
    """
    # whole-array min/max: contiguous, and NaN propagates, so finiteness is checked too
    if -limits.MAX_ABS_VALUE <= arr.min() and arr.max() <= limits.MAX_ABS_VALUE:
        return 0, 0
    t = arr[0]
    late = np.flatnonzero(~(np.abs(t) <= limits.MAX_TIME_S))  # NaN compares False
    if late.size:
        i = int(late[0])
        what = "NaN or infinite" if not np.isfinite(t[i]) else f"beyond {limits.MAX_TIME_S:g} s"
        raise InputError(f"{name}: time_s {what} at data row {first_row + i}")
    bad = ~(np.abs(arr[1:]) <= limits.MAX_ABS_VALUE)
    if not bad.any():
        return 0, 0
    arr[1:][bad] = np.nan
    return int(bad.sum()), first_row + int(np.flatnonzero(bad.any(axis=0))[0])


def check_steps(steps: np.ndarray, name: str, first_row: int) -> None:
    """``time_s`` steps: strictly forward and no longer than MAX_GAP_S."""
    back = np.flatnonzero(steps <= 0)
    if back.size:
        raise InputError(f"{name}: time_s does not increase at data row {first_row + int(back[0])}")
    jump = np.flatnonzero(steps > limits.MAX_GAP_S)
    if jump.size:
        i = int(jump[0])
        raise InputError(
            f"{name}: time_s jumps {steps[i]:g} s at data row {first_row + i} "
            f"(limit {limits.MAX_GAP_S:g} s)"
        )


def _parse(chunk: bytes, name: str, first_row: int, n_cols: int) -> np.ndarray:
    arr = _parse_fast(chunk, n_cols)
    if arr is not None:
        return arr
    try:
        arr = _loadtxt(chunk)
    except ValueError as exc:
        if not re.search(r"could not convert string '\s*' .*column (?!1\b)", str(exc)):
            raise InputError(f"{name}: {_message(str(exc), first_row)}") from None
        try:  # empty channel cells: read again, taking them as NaN (a bad sample)
            arr = _loadtxt(chunk, {i: _cell_or_nan for i in range(1, n_cols)})
        except ValueError as exc2:
            raise InputError(f"{name}: {_message(str(exc2), first_row)}") from None
    if arr.shape[1] != n_cols:
        # more values than names on every row: the header misses a name (a phone app's export)
        unnamed = (
            "; the header names fewer: give every column a name" if arr.shape[1] > n_cols else ""
        )
        raise InputError(
            f"{name}: expected {n_cols} columns, got {arr.shape[1]} at data row {first_row}"
            + unnamed
        )
    return arr.T


def _loadtxt(chunk: bytes, converters: dict | None = None) -> np.ndarray:
    """numpy's parser on ``chunk``; an empty line or row raises ValueError."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an empty line or row is bad input, not a warning
        try:
            return np.loadtxt(
                io.BytesIO(chunk), delimiter=",", dtype=np.float64, ndmin=2, converters=converters
            )
        except UserWarning as exc:
            raise ValueError(str(exc)) from None


def _cell_or_nan(text: str) -> float:
    return float(text) if text.strip() else np.nan


def _parse_fast(chunk: bytes, n_cols: int) -> np.ndarray | None:
    """``chunk`` as a (n_cols, n_rows) float64 array by pyarrow's parser, or None.

    None when pyarrow refuses the chunk (empty lines, quotes, comments, bad values, ragged
    rows), reads a lone ``\\r`` as a line end, or returns a value that is not finite (it reads
    ``nan(123)``, which ``loadtxt`` refuses): ``loadtxt`` then parses the chunk and names the
    row. Where both parse a field, both round to the nearest double: the same values.
    """
    import pyarrow as pa  # ~40 ms and ~30 MB: paid only once a CSV is read
    import pyarrow.csv as pcsv

    names = [f"c{i}" for i in range(n_cols)]
    try:
        table = pcsv.read_csv(
            pa.py_buffer(chunk),
            memory_pool=pa.system_memory_pool(),  # freed memory goes back to malloc
            read_options=pcsv.ReadOptions(
                use_threads=False, column_names=names, block_size=len(chunk) + 1
            ),
            parse_options=pcsv.ParseOptions(quote_char=False, ignore_empty_lines=False),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.float64()),
                null_values=[],
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if b"\r" in chunk and table.num_rows != chunk.count(b"\n") + (not chunk.endswith(b"\n")):
        return None
    if any(c.null_count for c in table.columns):
        return None
    out = np.vstack([c.to_numpy() for c in table.columns])
    with np.errstate(over="ignore", invalid="ignore"):  # inf - inf, 1e308 + 1e308
        finite = np.isfinite(out.sum())  # a huge finite sum only costs the fallback
    return out if finite else None


def _message(msg: str, first_row: int) -> str:
    """loadtxt's message with the row counted in the file's data rows."""
    msg = msg.splitlines()[0]
    m = re.search(r"at row (\d+)", msg)
    # numpy counts rows from 0 in conversion errors but from 1 in "number of columns changed"
    base = first_row - 1 if "number of columns changed" in msg else first_row
    where = f" at data row {base + int(m.group(1))}" if m else ""
    if "could not convert" in msg:
        bad = re.search(r"string '([^']*)'", msg)
        value = repr(bad.group(1)) if bad else "a value"
        if bad and not bad.group(1).strip():  # only time_s, channel cells read as NaN
            return "empty time_s" + where
        return f"non-numeric value {value}" + where
    if "number of columns changed" in msg:
        return "rows have a different number of columns than the header" + where
    return msg
