"""Recordings made by tools people already own: the OpenBCI GUI and BrainFlow.

- **OpenBCI GUI** ``OpenBCI-RAW-*.txt`` (its "OpenBCI" file format): ``%`` header lines
  with ``%Sample Rate = 250 Hz``, a column header (``Sample Index, EXG Channel 0, ...,
  Timestamp, ..., Timestamp (Formatted)``), then one comma-separated row per sample. EXG
  channels are in µV; ``Timestamp`` is the host's Unix time in s.
- **BrainFlow** ``DataFilter.write_file`` / streamer files: one tab-separated row per sample,
  every row of the board's data array, no header. The board is recognised from the column
  count (:data:`BRAINFLOW_BOARDS`, taken from BrainFlow's ``brainflow_boards.cpp``), the sample
  rate from the timestamp column (second to last, Unix s), EXG channels in µV.

Both readers keep the EXG channels only and start the time axis at 0; the first timestamp
becomes the recording's start date and time (``meta["created_utc"]``). Samples lost on the
way (radio packets) are missing rows: the board's sample counter (first column, see
:func:`counter_gaps`) says how many, and the recording has a gap there, as a CSV does.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np

from crampdetect.core import InputError, Representation
from crampdetect.storage import limits
from crampdetect.storage.recording import Recording, segments_from_array
from crampdetect.storage.recover import bad_samples

OPENBCI_MAGIC = b"%OpenBCI Raw"
#: BrainFlow boards with EXG (EMG-capable) channels by number of columns in their files:
#: (board names, EXG columns). Timestamp and marker are the last two columns of each.
BRAINFLOW_BOARDS: dict[int, tuple[str, tuple[int, ...]]] = {
    4: ("Callibri EMG", (1,)),
    5: ("gForce Dual", (1, 2)),
    11: ("gForce Pro / IronBCI", tuple(range(1, 9))),
    15: ("Ganglion", (1, 2, 3, 4)),
    24: ("Cyton / Cyton WiFi", tuple(range(1, 9))),
    25: ("Ganglion WiFi", (1, 2, 3, 4)),
    32: ("Cyton+Daisy / Synthetic", tuple(range(1, 17))),
}
#: Sample rates BrainFlow boards run at (Hz); a rate measured from timestamps snaps to these.
BRAINFLOW_RATES_HZ = (125, 200, 250, 256, 500, 512, 1000, 1600, 2000, 4000, 8000, 16000)


#: Sample counter cycles (first, last) of OpenBCI boards, as the OpenBCI GUI's packet-loss
#: tracker knows them: Cyton over serial or WiFi 0-255, Ganglion over WiFi 0-200 (one step
#: per sample); Cyton+Daisy 0-254 even or 1-255 odd (two steps per sample, which tells them).
COUNTER_LAST = 255
GANGLION_WIFI_LAST = 200


def counter_gaps(
    index: np.ndarray, stamps: np.ndarray | None = None, fs: float = 0.0
) -> np.ndarray:
    """Samples lost before each row (int array like ``index``, first 0), from a sample counter.

    The counter steps by one (or two, Cyton+Daisy) per sample and wraps (:data:`COUNTER_LAST`,
    or :data:`GANGLION_WIFI_LAST` when it never goes beyond and wraps). A loss of a whole
    cycle or more is sized from ``stamps`` (s) at ``fs`` (Hz) when given. A column that is no
    such counter (not integers within 0-255, or repeating values as the Ganglion over BLE
    sends two samples per packet) gives no gaps.
    """
    n = index.size
    none = np.zeros(n, dtype=np.int64)
    if n < 2 or not (np.all(index == np.round(index)) and 0 <= index.min() and index.max() <= 255):
        return none
    idx = index.astype(np.int64)
    d = np.diff(idx)
    if (d == 0).any():
        return none
    step = 2 if (d % 2 == 0).all() else 1
    first = int(idx[0] % 2) if step == 2 else 0
    wraps = (d < 0).any()
    last = GANGLION_WIFI_LAST if step == 1 and wraps and idx.max() <= 200 else COUNTER_LAST
    last -= (last - first) % step
    cycle = (last - first) // step + 1
    pos = (idx - first) // step
    lost = (np.diff(pos) - 1) % cycle
    if stamps is not None and fs > 0:  # whole cycles lost: only the clock can tell
        cycles = np.round((np.diff(stamps) * fs - (lost + 1)) / cycle)
        lost = lost + cycle * np.maximum(cycles, 0).astype(np.int64)
    return np.concatenate([[0], lost])


def is_brainflow(head: bytes) -> bool:
    """True if ``head`` (the file's first bytes) looks like a BrainFlow data file."""
    try:
        first = head.decode("ascii").splitlines()[0]
    except (UnicodeDecodeError, IndexError):
        return False
    cells = first.split("\t")
    if len(cells) not in BRAINFLOW_BOARDS:
        return False
    try:
        [float(c) for c in cells]
    except ValueError:
        return False
    return True


def _created_utc(unix_s: float) -> str | None:
    if not 1e9 < unix_s < 1e10:  # not a plausible Unix time (2001-2286)
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(unix_s))


def read_openbci(path: Path, *, recover: bool = False) -> Recording:
    """Read an OpenBCI GUI ``OpenBCI-RAW-*.txt`` file (EXG channels, µV)."""
    header: dict[str, str] = {}
    columns: list[str] = []
    skip = 0
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            skip += 1
            if line.startswith("%"):
                key, _, value = line[1:].partition("=")
                header[key.strip().lower()] = value.strip()
                continue
            columns = [c.strip() for c in line.split(",")]
            break
    match = re.match(r"([\d.]+)", header.get("sample rate", ""))
    if not match:
        raise InputError(f"{path}: OpenBCI file without a '%Sample Rate = ... Hz' line")
    fs = limits.check_rate(match.group(1), f"{path}: OpenBCI header")
    exg = [i for i, c in enumerate(columns) if c.startswith("EXG Channel")]
    if not exg:
        raise InputError(f"{path}: OpenBCI file without 'EXG Channel' columns")
    stamp = columns.index("Timestamp") if "Timestamp" in columns else None
    counter = columns.index("Sample Index") if "Sample Index" in columns else None
    use = [0 if counter is None else counter, *exg, *([stamp] if stamp is not None else [])]
    try:
        values = np.loadtxt(path, delimiter=",", skiprows=skip, usecols=use, ndmin=2)
    except ValueError as exc:
        raise InputError(f"{path}: unreadable OpenBCI row ({exc})") from None
    if values.shape[0] < 2:
        raise InputError(f"{path}: no samples found")
    data = values[:, 1 : 1 + len(exg)].T
    stamps = values[:, -1] if stamp is not None else None
    lost = counter_gaps(values[:, 0], stamps, fs) if counter is not None else None
    meta: dict[str, object] = {"board": header.get("board", ""), "source": "OpenBCI GUI"}
    if stamps is not None and (created := _created_utc(float(stamps[0]))):
        meta["created_utc"] = created
    channels = tuple("exg" + columns[i].removeprefix("EXG Channel").strip() for i in exg)
    return _recording(path, "openbci", fs, channels, data, meta, lost, recover=recover)


def read_brainflow(path: Path, *, recover: bool = False) -> Recording:
    """Read a BrainFlow data file (tab-separated rows, no header); EXG channels in µV."""
    try:
        values = np.loadtxt(path, delimiter="\t", ndmin=2)
    except ValueError as exc:
        raise InputError(f"{path}: unreadable BrainFlow row ({exc})") from None
    n, n_cols = values.shape
    if n_cols not in BRAINFLOW_BOARDS:
        raise InputError(f"{path}: {n_cols} columns: no BrainFlow board with EXG channels")
    board, exg = BRAINFLOW_BOARDS[n_cols]
    stamps = values[:, -2]
    if n < 2 or not stamps[-1] > stamps[0]:
        raise InputError(f"{path}: too few samples or no increasing timestamp column")
    span = stamps[-1] - stamps[0]
    # Column 0 is the package number: count the lost samples into the rate (a first guess
    # of the rate sizes the losses of whole counter cycles).
    measured = (n - 1 + int(counter_gaps(values[:, 0]).sum())) / span
    measured = (n - 1 + int(counter_gaps(values[:, 0], stamps, measured).sum())) / span
    fs = float(min(BRAINFLOW_RATES_HZ, key=lambda r: abs(r - measured)))
    if abs(fs - measured) > 0.05 * fs:
        raise InputError(f"{path}: timestamps give {measured:.1f} Hz, no BrainFlow rate within 5 %")
    meta: dict[str, object] = {"board": board, "source": "BrainFlow"}
    if created := _created_utc(float(stamps[0])):
        meta["created_utc"] = created
    channels = tuple(f"exg{k}" for k in range(len(exg)))  # as the OpenBCI GUI: from 0
    lost = counter_gaps(values[:, 0], stamps, fs)
    data = values[:, list(exg)].T
    return _recording(path, "brainflow", fs, channels, data, meta, lost, recover=recover)


def _recording(
    path: Path,
    kind: str,
    fs: float,
    channels: tuple[str, ...],
    data: np.ndarray,
    meta: dict,
    lost: np.ndarray | None = None,
    *,
    recover: bool = False,
) -> Recording:
    """``lost``: samples missing before each row (a gap where > 0).

    Bad samples are read as NaN, or dropped with ``recover``: see :func:`.recover.bad_samples`.
    """
    data = np.array(data, dtype=np.float64, order="C")  # own copy: bad samples become NaN
    index = np.arange(data.shape[1])
    if lost is not None:
        index = index + np.cumsum(lost)
    times = index / fs
    rep = Representation("raw", "uV")
    segments = segments_from_array(times, data, fs)
    rec = Recording(path, kind, fs, channels, rep, segments, meta=meta)
    return bad_samples(rec, recover=recover)
