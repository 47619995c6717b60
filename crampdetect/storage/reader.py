"""Open any recording: :func:`open_recording` picks the reader from the file's content.

Known: session directories (``record``), EDF+/BDF+, WAV, ``detect``-layout CSV, OpenBCI GUI
and BrainFlow files (:mod:`.thirdparty`), and the real recordings shipped in ``recordings/``
(their folder's ``recordings.json`` names the reader, rate, units and EMG columns of each
file). Originals are only ever opened read-only.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from crampdetect.core import InputError, Representation
from crampdetect.ingest.columns import select_channels
from crampdetect.provenance import ReadHash  # one owner of the input's hash
from crampdetect.storage import edf, formats, limits, session_reader, thirdparty
from crampdetect.storage.csvfile import time_scale
from crampdetect.storage.recording import Recording, carried_profile, segments_from_array
from crampdetect.storage.session_reader import is_session

logger = logging.getLogger(__name__)
MANIFEST = "recordings.json"


def _manifest_entry(path: Path) -> dict | None:
    manifest = path.parent / MANIFEST
    if not manifest.exists():
        return None
    doc = limits.read_json(manifest, "manifest")
    files = doc.get("files") if isinstance(doc, dict) else None
    entry = files.get(path.name) if isinstance(files, dict) else None
    return entry if isinstance(entry, dict) else None


def _numeric_rows(lines: list[str], n_cols: int, sep: str | None) -> np.ndarray:
    """Rows of exactly ``n_cols`` numbers; header and summary lines are skipped."""
    rows = []
    for line in lines:
        parts = line.split(sep)
        if len(parts) != n_cols:
            continue
        try:
            rows.append([float(p) for p in parts])
        except ValueError:
            continue
    return np.asarray(rows, dtype=np.float64).reshape(-1, n_cols)


def _read_real(path: Path, entry: dict) -> Recording:
    """A shipped real recording, described by its manifest entry."""
    reader = entry.get("reader")
    hashed = ReadHash(path)  # the file is read once, hashed as read
    text = hashed.read_bytes().decode("utf-8", errors="replace")
    lines = text.splitlines()
    fs = limits.check_rate(entry.get("sample_rate_hz"), f"{path}: {MANIFEST}")
    if reader == "biosppy_text":
        values = _numeric_rows([ln for ln in lines if not ln.startswith("#")], 1, None)
        data = values.T
    elif reader == "uci_text":
        values = _numeric_rows(lines, int(entry["n_columns"]), "\t")
        data = values[:, entry["columns"]].T
    elif reader == "csv_columns":
        header = lines[0].split(",")
        idx = [header.index(c) for c in entry["columns"]]
        values = np.loadtxt(
            io.StringIO(text), delimiter=",", skiprows=1, usecols=[0, *idx], ndmin=2
        )
        data = values[:, 1:].T
    else:
        raise InputError(f"{path}: unknown reader {reader!r} in {MANIFEST}")
    if data.shape[1] < 2:
        raise InputError(f"{path}: no samples found")
    times = np.arange(data.shape[1]) / fs
    rep = Representation(
        signal=entry.get("signal", "raw"),
        units=entry["units"],
        adc_bits=entry.get("adc_bits"),
    )
    return Recording(
        path=path,
        kind="real",
        fs=fs,
        channels=limits.check_channels(entry["channels"], f"{path}: {MANIFEST}"),
        representation=rep,
        segments=segments_from_array(times, data, fs),
        meta={"provenance": entry.get("provenance", ""), "activity": entry.get("activity", "")},
        read_hash=hashed,
    )


def sniff(path: Path) -> str:
    """Name the format of ``path`` from its content (not its suffix)."""
    if path.is_dir():
        if is_session(path):
            return "session"
        raise InputError(f"{path} is a directory but not a recording session")
    if limits.check_regular_file(path, "recording").st_size == 0:
        raise InputError(f"{path}: the file is empty")
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head.startswith(b"\xffBIOSEMI"):
        return "bdf"
    if head.startswith(b"0       "):
        return "edf"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(thirdparty.OPENBCI_MAGIC):
        return "openbci"
    if _manifest_entry(path):
        return "real"
    try:
        first = head.decode("utf-8-sig").splitlines()[0]
    except (UnicodeDecodeError, IndexError):
        first = ""
    if "," in first and time_scale(first.split(",")[0]) is not None:
        return "csv"
    if thirdparty.is_brainflow(head):
        return "brainflow"
    raise InputError(
        f"{path}: not a recording crampdetect can read (expected a session directory, "
        "EDF/BDF, WAV, a time_s,<channels> CSV, an OpenBCI GUI or a BrainFlow file)"
        + (_csv_hint(head) or _manifest_hint(path, head))
    )


#: How a text table of numbers like the real recordings in recordings/ is read (``{whose}``:
#: ``emg.txt's``, ``its``): the error for one such file and a folder's note say it alike.
TABLE_HINT = (
    f"a text table like the real recordings in recordings/ is read with a {MANIFEST} beside it "
    "giving {whose} reader, rate, units and columns (copy its folder's, see docs/recordings.md), "
    "or convert it to a time_s,<channels> CSV"
)


def _table_kind(path: Path, head: bytes) -> str | None:
    """Whether the file at ``path`` (``head``: its first bytes) is a text table of numbers like
    the shipped real recordings (read with their folder's ``recordings.json``: a copy taken out
    of its folder has none, and a bare column of numbers says neither its rate nor its units):
    ``"unlisted"`` when the ``recordings.json`` beside it exists, ``"no manifest"`` when there
    is none; None when it is not such a table."""
    import re

    whole = head.rsplit(b"\n", 1)[0] if b"\n" in head else head
    try:
        lines = [ln.strip() for ln in whole.decode("utf-8-sig").splitlines() if ln.strip()]
    except UnicodeDecodeError:
        return None
    numbers = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?([ \t]+\S+)*$")
    data = [ln for ln in lines if not ln.startswith("#")]
    if not data or not all(numbers.match(ln) for ln in data[-5:]):
        return None  # not a table of numbers
    return "unlisted" if (path.parent / MANIFEST).exists() else "no manifest"


def _manifest_hint(path: Path, head: bytes) -> str:
    """Why a text table like the shipped real recordings is not read (:func:`_table_kind`), as
    a sentence to add; "" otherwise."""
    kind = _table_kind(path, head)
    if kind is None:
        return ""
    if kind == "unlisted":
        return f"; the {MANIFEST} beside it has no entry for {path.name}"
    return "; " + TABLE_HINT.format(whose=f"{path.name}'s")


def emg_table(path: Path) -> str | None:
    """For a file no reader takes (:func:`sniff` refused it): ``"no manifest"`` or
    ``"unlisted"`` when it is a text table of numbers like the real recordings in recordings/
    that lacks its ``recordings.json`` entry (:func:`_table_kind`; the refusal of it named
    alone ends with that hint), None for any other file (a note, a near-miss of a CSV)."""
    if not path.is_file():  # a pipe or a device is not opened here (it could block)
        return None
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return None
    return None if _csv_hint(head) else _table_kind(path, head)


def _csv_hint(head: bytes) -> str:
    """What keeps a text table that is almost a ``detect`` CSV from being read (a spreadsheet
    or phone-app export: UTF-16 text, ``;`` or tab separators, decimal commas, no header line,
    another name for the time column), as a sentence to add to the refusal; "" otherwise."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text", Notepad's UTF-16
        return "; it is UTF-16 text: save it as UTF-8 (a CSV with commas)"
    whole = head.rsplit(b"\n", 1)[0] if b"\n" in head else head  # no line cut mid-character
    try:
        lines = [ln.strip() for ln in whole.decode("utf-8-sig").splitlines() if ln.strip()]
    except UnicodeDecodeError:
        return ""
    if not lines:
        return ""
    first = lines[0]
    layout = (
        "crampdetect reads comma-separated values with a decimal point under a first line "
        "time_s,<channel names> (time_s: the sample times in s)"
    )
    for sep, name in ((";", "semicolons"), ("\t", "tabs")):
        if sep in first:
            commas = any("," in ln for ln in lines[1:]) or "," in first
            decimal = " and decimal commas" if commas else ""
            return f"; it looks like a table with {name}{decimal}: {layout}"
    fields = [f.strip().strip('"') for f in first.split(",")]
    if len(fields) < 2:
        return ""
    try:
        [float(f) for f in fields]
    except ValueError:
        return f"; its first column is named {fields[0][:40]!r}, not time_s: {layout}"
    return f"; its first line holds numbers, not column names: {layout}"


def open_recording(
    path: str | Path,
    *,
    recover: bool = False,
    channels: Sequence[str] | None = None,
    wav_scale: float | None = None,
) -> Recording:
    """Open any supported recording read-only; raise :class:`InputError` if it is unusable.

    Sessions always open with whatever a crash left; ``recover`` also salvages the readable
    rows of a damaged CSV (listing the damage in ``problems``) instead of raising, and drops
    the bad (NaN, infinite, absurd) samples the readers otherwise read as NaN. ``channels``:
    only these, in this order (``--channels``; a CSV's column left out by its name can be
    chosen too), see :func:`~crampdetect.ingest.columns.select_channels`. ``wav_scale``: µV
    per stored unit of a WAV whose sidecar does not say (``--scale``), refused for other formats.
    """
    path = Path(path)
    kind = sniff(path)
    if wav_scale is not None and kind != "wav":
        raise InputError(f"{path}: --scale is for WAV input; this is a {kind} file")
    if kind == "session":
        rec = session_reader.read_session(path, recover=recover)
    elif kind in ("edf", "bdf"):
        rec = edf.read_edf(path)
    elif kind == "wav":
        rec = formats.read_wav(path, recover=recover, scale=wav_scale)
    elif kind == "real":
        try:
            rec = _read_real(path, _manifest_entry(path) or {})
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise InputError(f"{path}: its {MANIFEST} entry is malformed ({exc!r:.60})") from None
    elif kind == "openbci":
        rec = thirdparty.read_openbci(path, recover=recover)
    elif kind == "brainflow":
        rec = thirdparty.read_brainflow(path, recover=recover)
    else:
        rec = formats.read_csv(path, recover=recover, channels=channels)
    rec = select_channels(rec, channels)
    # a .labels.json beside the file wins; else what the file carries (EDF+ label annotations)
    rec.labels = _read_labels(path, rec.problems) or rec.labels
    if not rec.segments:
        raise InputError(
            f"{path}: no readable samples" + (f" ({rec.problems[0]})" if rec.problems else "")
        )
    return rec


def _read_labels(path: Path, problems: list[str]) -> object | None:
    """The simulator's ``<stem>.labels.json`` beside ``path``, if any; a bad one is a problem."""
    labels = path.with_name(path.stem + ".labels.json")
    if not labels.exists():
        return None
    try:
        return limits.read_json(labels, "labels file")
    except InputError as exc:
        problems.append(f"labels ignored: {exc}")
        return None


def csv_profile(path: str | Path) -> tuple[str | None, list[str]]:
    """The profile a ``time_s`` CSV names for itself (:func:`.recording.carried_profile`),
    read from its sidecars alone (``.session.json``, ``.labels.json``), not its samples.

    Returns the profile (None if it names none) and what was wrong with an unreadable
    sidecar (then ignored).
    """
    path = Path(path)
    problems: list[str] = []
    meta: object = None
    try:
        doc = formats.read_sidecar(path)
    except InputError as exc:
        problems.append(f"sidecar ignored: {exc}")
    else:
        meta = doc.get("meta") if doc else None
    labels = _read_labels(path, problems)
    return carried_profile(meta if isinstance(meta, dict) else {}, labels), problems
