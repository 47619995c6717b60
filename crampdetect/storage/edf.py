"""EDF+ and BDF+ export and import through edfio, with events, quality and gaps as annotations.

Annotation texts written (onsets in s from the first sample):

- ``crampdetect-meta {json}`` at 0: first sample time, sample index, length, representation, and
  the detector profile the events were scored with, if the recording says;
- ``<kind> <channel> alert=<s> conf=<0-1> id=<n>`` for each detector event (duration = its length);
- ``quality <issue> <channel>`` for each quality interval;
- ``gap n=<samples>`` where samples were lost: EDF has no holes, so the gap is filled by holding
  the previous value, and the reader removes those samples again;
- the recording's ground-truth labels (a simulator's or a researcher's ``.labels.json``), so a
  labelled set converted to EDF+/BDF+ can still be scored (``crampdetect evaluate``) and MNE or
  EDFbrowser show them: ``crampdetect-labels {json}`` at 0 (its fields but the intervals) and
  ``label <kind> <channel> {json}`` for each labelled interval (duration = its length; the
  JSON holds its other fields, e.g. ``{"level":0.7}``, and is left out when there are none).

Files from other software read as one continuous segment with their own signal labels.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from crampdetect.core import Event, InputError, QualityInterval, Representation
from crampdetect.ingest.inference import infer_over
from crampdetect.provenance import ReadHash  # one owner of the input's hash
from crampdetect.storage import limits
from crampdetect.storage.recording import Recording, Segment

RECORD_S = 1.0
#: Seconds of signal read at a time from an EDF/BDF file (never the whole night at once).
WINDOW_S = 60
_UNIT_NAMES = {"uv": "uV", "µv": "uV", "μv": "uV", "mv": "mV", "v": "V", "counts": "counts"}
_EVENT_RE = re.compile(r"^(\w+) (\S+) alert=([-\d.eE+]+) conf=([-\d.eE+]+) id=(-?\d+)$")
_QUALITY_RE = re.compile(r"^quality (\w+) (\S+)$")
_GAP_RE = re.compile(r"^gap n=(\d+)$")
_LABEL_RE = re.compile(r"^label (\w+) (\S+)(?: (\{.*\}))?$")
LABELS_PREFIX = "crampdetect-labels "
#: Fields of a labels document that the EDF header says already (not repeated in the annotation).
_LABEL_FIELDS_IN_HEADER = ("intervals", "channels", "sample_rate_hz", "duration_s")
#: edfio's warnings about a file that ends early (it reads the complete records; "Updating
#: header" is its object in memory, the file is not written).
_EDFIO_SHORT_RE = re.compile(r"header indicates (-?\d+) data records, but file contains (\d+)")
_EDFIO_PARTIAL = "Incomplete data record at the end"


def _header_number(x: float) -> float:
    """``x`` rounded to the most significant digits that fit an 8-character header field."""
    for digits in range(8, 0, -1):
        v = float(f"{x:.{digits}g}")
        if len(str(int(v)) if v.is_integer() else str(v)) <= 8:
            return v
    raise InputError(f"{x} does not fit an EDF header field")


def _ranges(
    rec: Recording, rep: Representation, dmin: int, dmax: int
) -> tuple[list[tuple[float, float]], list[tuple[int, int]]]:
    """Physical and digital range of each channel.

    ADC counts inside the converter's range are stored as they are (digital range 0 to full
    scale, so they read back exactly) and the physical range says what they are in µV (raw)
    or mV (ENV). Anything else is quantised over a symmetric physical range ±R, R the largest
    magnitude rounded up to two significant digits (fits the header's 8-character fields).
    """
    _, scale, offset = rep.physical
    n_ch = len(rec.channels)
    lo, hi, integral = np.full(n_ch, np.inf), np.full(n_ch, -np.inf), True
    for seg in rec.segments:
        d = np.asarray(seg.load(), dtype=np.float64)
        lo, hi = np.minimum(lo, d.min(axis=1)), np.maximum(hi, d.max(axis=1))
        integral = integral and bool(np.all(d == np.round(d)))
    full = rep.full_scale
    if full is not None and integral and lo.min() >= 0 and hi.max() <= min(full, dmax):
        p = (_header_number(-offset * scale), _header_number((full - offset) * scale))
        return [p] * n_ch, [(0, full)] * n_ch
    lo, hi = (lo - offset) * scale, (hi - offset) * scale
    top = np.maximum(np.maximum(np.abs(lo), np.abs(hi)) * 1.001, 1e-6)
    step = 10.0 ** (np.floor(np.log10(top)) - 1)
    tops = [_header_number(r) for r in np.ceil(top / step) * step]
    return [(-r, r) for r in tops], [(dmin, dmax)] * n_ch


def _digital(
    rec: Recording,
    rep: Representation,
    ranges: list[tuple[float, float]],
    digital: list[tuple[int, int]],
    padded: int,
    bdf: bool,
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Digital samples on a hole-free index axis, and the gaps as (index, count).

    A streaming pass over the segments, so memory is the integer output only; gaps and the
    padding to a whole data record hold the last value.
    """
    _, scale, offset = rep.physical
    pmin = np.array([r[0] for r in ranges])[:, None]
    dlo = np.array([d[0] for d in digital])[:, None]
    dhi = np.array([d[1] for d in digital])[:, None]
    gain = (dhi - dlo) / (np.array([r[1] for r in ranges])[:, None] - pmin)
    exact = digital[0][0] == 0  # ADC counts stored as they are
    out = np.empty((len(rec.channels), padded), dtype=np.int32 if bdf else np.int16)
    first, pos, gaps = rec.segments[0].start, 0, []
    for seg in rec.segments:
        i = seg.start - first
        if i > pos:
            out[:, pos:i] = out[:, pos - 1 : pos]
            gaps.append((pos, i - pos))
        d = np.asarray(seg.load(), dtype=np.float64)
        if not exact:
            d = np.round(((d - offset) * scale - pmin) * gain + dlo)
        out[:, i : i + seg.n_samples] = np.clip(d, dlo, dhi)
        pos = i + seg.n_samples
    out[:, pos:] = out[:, pos - 1 : pos]
    return out, gaps


def _start(rec: Recording) -> datetime.datetime | None:
    """Local wall-clock time of the recording's start, if the recording knows it."""
    created = rec.meta.get("created_utc")
    if not isinstance(created, str):
        return None
    try:
        utc = datetime.datetime.fromisoformat(created.replace("Z", "+00:00"))
    except ValueError:
        return None
    if utc.tzinfo is None:
        utc = utc.replace(tzinfo=datetime.UTC)
    return utc.astimezone().replace(tzinfo=None)


def edf_label(channel: str) -> str:
    """EDF+ signal label: the ``EMG`` type prefix, then the channel name (16 characters)."""
    return f"EMG {channel}"[:16]


def write_edf(
    rec: Recording, path: str | Path, *, bdf: bool = False, anonymize: bool = False
) -> Path:
    """Write ``rec`` as EDF+ (16-bit) or BDF+ (24-bit) with annotations; return the path.

    Samples are physical (µV for raw EMG, mV at the sensor's output for the MyoWare ENV
    envelope), labels ``EMG <channel>``, the start date and time the recording's local
    clock time (``anonymize``: unknown date, 00:00:00, as EDF+ prescribes for shared files).
    """
    import edfio

    path = Path(path)
    if not rec.segments:
        raise InputError("Nothing to export: the recording has no samples")
    if abs(rec.fs - round(rec.fs)) > 1e-9:
        raise InputError(f"EDF/BDF export needs an integer sample rate, got {rec.fs} Hz")
    fs = round(rec.fs)
    last = rec.segments[-1]
    n = last.start + last.n_samples - rec.segments[0].start
    per_record = round(fs * RECORD_S)
    dmin, dmax = (-(2**23), 2**23 - 1) if bdf else (-(2**15), 2**15 - 1)
    rep, inferred = rec.representation, []
    if rep is None:
        step = max(1, round(60.0 * rec.fs))  # the whole recording, like every entry point
        inference = infer_over((b.data for b in rec.iter_blocks(step)), rec.fs)
        rep, inferred = inference.finish(), inference.inferred
    unit, _, _ = rep.physical
    ranges, digital_ranges = _ranges(rec, rep, dmin, dmax)
    digital, gaps = _digital(
        rec, rep, ranges, digital_ranges, -(-n // per_record) * per_record, bdf
    )
    env = rep.signal == "env"  # the header says so where EDF keeps it: transducer, filter
    what = "MyoWare ENV output: EMG envelope" if env else "surface EMG"
    prefilter = "envelope: rectified LP:3.6Hz" if env else ""
    signal_cls = edfio.BdfSignal if bdf else edfio.EdfSignal
    signals = [
        signal_cls.from_digital(
            row,
            fs,
            label=edf_label(ch),
            transducer_type=what,
            prefiltering=prefilter,
            physical_dimension=unit,
            physical_range=prange,
            digital_range=drange,
        )
        for ch, row, prange, drange in zip(
            rec.channels, digital, ranges, digital_ranges, strict=True
        )
    ]
    t0 = rec.t_start
    meta: dict[str, object] = {
        "t0_s": float(t0),
        "start": int(rec.segments[0].start),
        "n_samples": int(n),
        "channels": list(rec.channels),
        **rep.to_dict(),
        "gain": rep.gain,
        "vref_v": rep.vref_v,
    }
    if inferred:
        meta["inferred"] = inferred
    # its settings' profile (what the events were scored with), else its labels'
    if rec.profile is not None:
        meta["profile"] = rec.profile
    notes = [edfio.EdfAnnotation(0.0, None, "crampdetect-meta " + json.dumps(meta))]
    for ev in rec.events:
        dur = None if ev.end_s is None else max(ev.end_s - ev.onset_s, 0.0)
        text = f"{ev.kind} {ev.channel} alert={ev.alert_s:.4f} conf={ev.confidence:.3f} id={ev.id}"
        notes.append(edfio.EdfAnnotation(max(ev.onset_s - t0, 0.0), dur, text))
    for q in rec.quality:
        dur = None if q.end_s is None else max(q.end_s - q.start_s, 0.0)
        notes.append(
            edfio.EdfAnnotation(max(q.start_s - t0, 0.0), dur, f"quality {q.issue} {q.channel}")
        )
    for index, count in gaps:
        notes.append(edfio.EdfAnnotation(index / fs, count / fs, f"gap n={count}"))
    notes += _label_annotations(rec.labels, t0)
    start = None if anonymize else _start(rec)
    cls = edfio.Bdf if bdf else edfio.Edf
    edf = cls(
        signals,
        recording=edfio.Recording(
            startdate=start.date() if start else None, equipment_code="crampdetect"
        ),
        starttime=start.time() if start else datetime.time(0, 0),
        annotations=notes,
        data_record_duration=RECORD_S,
    )
    edf.write(path)
    return path


def _label_annotations(labels: object, t0: float) -> list:
    """EDF+ annotations of a labels document (see the module docstring); none without one."""
    import edfio

    return [edfio.EdfAnnotation(*note) for note in label_notes(labels, t0)]


def label_notes(labels: object, t0: float) -> list[tuple[float, float | None, str]]:
    """The annotations of a labels document as (onset s from ``t0``, duration s or None,
    text): those of an EDF+/BDF+ copy (see the module docstring), also given to MNE by
    :func:`~crampdetect.storage.formats.to_mne`; none without a labels document."""
    if not isinstance(labels, dict) or not isinstance(labels.get("intervals"), list):
        return []
    head = {k: v for k, v in labels.items() if k not in _LABEL_FIELDS_IN_HEADER}
    compact = {"separators": (",", ":"), "default": str}
    notes: list[tuple[float, float | None, str]] = [
        (0.0, None, LABELS_PREFIX + json.dumps(head, **compact))
    ]
    for item in labels["intervals"]:
        if not isinstance(item, dict):
            continue
        kind, channel = str(item.get("kind", "")), str(item.get("channel", ""))
        start, end = item.get("start_s"), item.get("end_s")
        if not (re.fullmatch(r"\w+", kind) and re.fullmatch(r"\S+", channel)):
            continue
        if not all(isinstance(v, int | float) and math.isfinite(v) for v in (start, end)):
            continue
        rest = {k: v for k, v in item.items() if k not in ("kind", "channel", "start_s", "end_s")}
        text = f"label {kind} {channel}" + (f" {json.dumps(rest, **compact)}" if rest else "")
        onset = max(float(start) - t0, 0.0)
        notes.append((onset, max(float(end) - t0 - onset, 0.0), text))
    return notes


def _labels_from(head: dict | None, items: list, t0: float, problems: list[str]) -> dict | None:
    """The labels document of ``crampdetect-labels`` and ``label`` annotations (None if none)."""
    if head is None and not items:
        return None
    intervals = []
    for a, m in items:
        extra: object = {}
        if m.group(3):
            try:
                extra = limits.parse_json(m.group(3), "label annotation")
            except InputError:
                extra = None
        if not isinstance(extra, dict):
            problems.append(f"label annotation {a.text.strip()[:40]!r} ignored: bad JSON")
            continue
        start = t0 + a.onset
        end = start + (a.duration or 0.0)
        intervals.append(
            {"channel": m.group(2), "kind": m.group(1), "start_s": round(start, 6),
             "end_s": round(end, 6), **extra}
        )  # fmt: skip
    return {**(head or {}), "intervals": intervals}


def _lazy_segments(
    signals: list,
    fs: float,
    n: int,
    n_file: int,
    gaps: list[tuple[int, int]],
    first: int,
    t0: float,
) -> list[Segment]:
    """Gap-free runs of the file, cut at :data:`WINDOW_S` boundaries, each read on demand."""
    runs, pos = [], 0
    for index, count in sorted(gaps):  # the samples between the gaps
        if index > pos:
            runs.append((pos, min(index, n)))
        pos = max(pos, index + count)
    if pos < n:
        runs.append((pos, n))
    per_window = WINDOW_S * fs
    if abs(per_window - round(per_window)) > 1e-9:  # odd rate: read it all at once
        per_window = max(n_file, 1)
    per_window = round(per_window)
    segments = []
    for a, b in runs:
        lo = a
        while lo < b:
            w = lo // per_window
            hi = min(b, (w + 1) * per_window)
            window = (w * per_window, min((w + 1) * per_window, n_file))
            load = _window_loader(signals, fs, window, lo, hi)
            segments.append(Segment(first + lo, t0 + lo / fs, hi - lo, load))
            lo = hi
    return segments


def _window_loader(signals: list, fs: float, window: tuple[int, int], lo: int, hi: int):
    start, stop = window

    def load() -> np.ndarray:
        block = np.vstack([s.read(start / fs, stop / fs) for s in signals])
        return block[:, lo - start : hi - start]

    return load


def _fields(raw: bytes, offset: int, ns: int, width: int) -> list[str]:
    return [raw[offset + i * width : offset + (i + 1) * width].decode("ascii") for i in range(ns)]


def check_edf_header(path: Path, read_hash: Any = None) -> bool:
    """Validate an EDF/BDF header before any library trusts it; True for BDF.

    Checks the fixed fields (header size, number of records and signals, record duration
    > 0), each signal's digital and physical range and samples per record and the sample
    rate (:func:`~crampdetect.storage.limits.check_rate`). A file cut short is edfio's to
    report (it reads the complete records and warns). ``read_hash``: read the header through
    this :class:`~crampdetect.provenance.ReadHash` (hashed as read).
    """
    limits.check_regular_file(path, "EDF/BDF file")
    with open(path, "rb") if read_hash is None else read_hash.open() as fh:
        raw = fh.read(256)
        bdf = raw[:8] == b"\xffBIOSEMI"
        kind = "BDF" if bdf else "EDF"

        def bad(what: str) -> InputError:
            return InputError(f"{path}: not a readable {kind} file (header: {what})")

        if len(raw) < 256:
            raise bad("shorter than 256 bytes")
        try:
            header_bytes = int(raw[184:192].decode("ascii").strip())
            n_records = int(raw[236:244].decode("ascii").strip())
            duration = float(raw[244:252].decode("ascii").strip())
            ns = int(raw[252:256].decode("ascii").strip())
        except ValueError:
            raise bad("a fixed field is not a number") from None
        if not 1 <= ns <= limits.MAX_CHANNELS + 1:
            raise bad(f"{ns} signals; limit {limits.MAX_CHANNELS}")
        if header_bytes != 256 * (ns + 1):
            raise bad(f"header size {header_bytes} bytes, {256 * (ns + 1)} expected")
        if not (math.isfinite(duration) and 0 < duration <= 3600):
            raise bad(f"data record duration {duration:g} s; must be > 0 and <= 3600")
        if n_records < 1 and n_records != -1:
            raise bad(f"{n_records} data records")
        raw += fh.read(256 * ns)
    if len(raw) < header_bytes:
        raise bad("cut short inside the signal headers")
    try:
        labels = _fields(raw, 256, ns, 16)
        nums = [
            [float(v) for v in _fields(raw, 256 + ns * off, ns, 8)] for off in (104, 112, 120, 128)
        ]
        spr = [int(v) for v in _fields(raw, 256 + ns * 216, ns, 8)]
    except (UnicodeDecodeError, ValueError):
        raise bad("a signal field is not ASCII or not a number") from None
    lo, hi = (-(2**23), 2**23 - 1) if bdf else (-(2**15), 2**15 - 1)
    for i in range(ns):
        pmin, pmax, dmin, dmax = (nums[k][i] for k in range(4))
        if not (abs(pmin) <= limits.MAX_ABS_VALUE and abs(pmax) <= limits.MAX_ABS_VALUE):
            raise bad(f"signal {i + 1}: physical range {pmin:g}..{pmax:g}")
        if pmin == pmax:
            raise bad(f"signal {i + 1}: physical range {pmin:g}..{pmax:g}")
        if not (lo <= dmin < dmax <= hi) or dmin != int(dmin) or dmax != int(dmax):
            raise bad(f"signal {i + 1}: digital range {dmin:g}..{dmax:g}")
        if not 1 <= spr[i] <= limits.MAX_RATE_HZ * duration:
            raise bad(f"signal {i + 1}: {spr[i]} samples per record")
        if "annotations" not in labels[i].lower():
            limits.check_rate(spr[i] / duration, f"{path}: signal {i + 1}")
    return bdf


class _SignalReader:
    """Samples of one EDF signal in the recording's stored units.

    Physical values are converted back to ADC counts when the recording holds counts (our
    exports store counts as digital values 0..full scale: those read back exactly).
    """

    def __init__(self, signal, rep: Representation | None, dimension: str | None) -> None:
        self.signal = signal
        self.digital = False
        self.scale, self.offset = 1.0, 0.0
        if rep is not None and rep.units == "counts" and dimension != "counts":
            _, self.scale, self.offset = rep.physical
            self.digital = signal.digital_range == (0, rep.full_scale)

    def read(self, start_s: float, stop_s: float) -> np.ndarray:
        if self.digital:
            return self.signal.get_digital_slice(start_s, stop_s).astype(np.float64)
        return self.signal.get_data_slice(start_s, stop_s) / self.scale + self.offset


def _header_start(edf) -> str | None:
    """The header's start date and time (local clock time) as UTC ISO text, None if anonymous."""
    from edfio import AnonymizedDateError

    try:
        start = edf.startdatetime
    except AnonymizedDateError:  # "Startdate X": unknown on purpose
        return None
    if start.date() == datetime.date(1985, 1, 1) or start.year < 1985:
        return None
    utc = (
        start.astimezone(datetime.UTC)
        if start.tzinfo
        else start.astimezone().astimezone(datetime.UTC)
    )
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def _edfio_problems(messages: list[str]) -> tuple[list[str], tuple[int, int] | None]:
    """edfio's warnings, with those about a short file taken out as ``(announced, held)``
    data records (one clear problem instead of two, one of which sounds like a write)."""
    problems, truncated, partial = [], None, False
    for text in messages:
        if m := _EDFIO_SHORT_RE.search(text):
            truncated = int(m.group(1)), int(m.group(2))
        elif text.startswith(_EDFIO_PARTIAL):
            partial = True
        else:
            problems.append(text)
    if partial and truncated is None:  # a partial record past a header of -1 records
        problems.append("the file ends inside a data record; reading the complete ones")
    return problems, truncated


def _hash_mapped(path: Path, hashed: Any) -> None:
    """Hash ``path`` from a read-only memory map: the pages edfio maps next are then read
    from storage once, and no byte is copied."""
    import mmap

    with open(path, "rb") as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            return
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            view = memoryview(mapped)
            try:
                hashed.seen(0, view)
            finally:
                view.release()


def read_edf(path: str | Path) -> Recording:
    """Read an EDF(+)/BDF(+) file (ours or another program's) as a :class:`Recording`."""
    import edfio

    path = Path(path)
    hashed = ReadHash(path)  # the file is read once, hashed as read
    bdf = check_edf_header(path, hashed)
    if bdf:  # edfio reads a BDF whole: from these bytes (no copy)
        source: Any = hashed.read_bytes()
    else:  # edfio maps an EDF and reads it lazily: hashed from a map of the same pages
        source = path
        _hash_mapped(path, hashed)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # samples are read window by window (EDF lazily; edfio's BDF reader has no option)
            edf = edfio.read_bdf(source) if bdf else edfio.read_edf(source, lazy_load_data=True)
            signals = list(edf.signals)
            annotations = list(edf.annotations)
    except (ValueError, IndexError, UnicodeDecodeError, EOFError, ArithmeticError) as exc:
        raise InputError(f"{path}: not a readable {'BDF' if bdf else 'EDF'} file ({exc})") from None
    problems, truncated = _edfio_problems([str(w.message) for w in caught])
    if not signals:
        raise InputError(f"{path}: the file has no signals")
    rates = {s.sampling_frequency for s in signals}
    if len(rates) > 1:
        raise InputError(f"{path}: signals have different sample rates {sorted(rates)}")
    fs = float(rates.pop())
    n_file = int(edf.num_data_records * signals[0].samples_per_data_record)
    meta: dict[str, object] = {}
    events, quality, gaps, labelled = [], [], [], []
    labels_head: dict | None = None
    for a in annotations:
        text = a.text.strip()
        if not (math.isfinite(a.onset) and (a.duration is None or math.isfinite(a.duration))):
            problems.append(f"annotation {text[:40]!r} with a non-finite time ignored")
            continue
        if text.startswith("crampdetect-meta "):
            try:
                doc = limits.parse_json(text.split(" ", 1)[1], "crampdetect-meta")
            except InputError as exc:
                problems.append(f"annotation ignored: {exc}")
                continue
            meta = doc if isinstance(doc, dict) else {}
        elif text.startswith(LABELS_PREFIX):
            try:
                doc = limits.parse_json(text.removeprefix(LABELS_PREFIX), "crampdetect-labels")
            except InputError as exc:
                problems.append(f"annotation ignored: {exc}")
                continue
            labels_head = doc if isinstance(doc, dict) else {}
        elif m := _LABEL_RE.match(text):
            labelled.append((a, m))
        elif m := _GAP_RE.match(text):
            gaps.append((round(a.onset * fs), int(m.group(1))))
        elif m := _QUALITY_RE.match(text):
            quality.append((a, m))
        elif m := _EVENT_RE.match(text):
            if all(math.isfinite(float(m.group(k))) for k in (3, 4)):
                events.append((a, m))
    where = f"{path}: crampdetect-meta"
    t0 = limits.time_field(meta.get("t0_s", 0.0), f"{where} t0_s")
    n = limits.check_count(meta.get("n_samples", n_file), f"{where} n_samples")
    first = limits.check_count(meta.get("start", 0), f"{where} start")
    if truncated and truncated[0] < 0:  # -1: "not known", a recorder that did not close it
        problems.append(
            f"its header gives no number of data records ({truncated[0]}: a recording not "
            f"closed); reading the {truncated[1]} it holds ({n_file} samples)"
        )
    elif truncated:
        said, held = truncated
        problems.append(
            f"the file is truncated: it holds {held} of the {said} data records its header "
            f"announces ({n_file} samples); reading those"
        )
    elif n > n_file:
        problems.append(f"header says {n} samples but the file holds {n_file}")
    n = min(n, n_file)
    units = _UNIT_NAMES.get(signals[0].physical_dimension.strip().lower())
    rep = None
    if meta.get("units") or units:
        try:
            rep = limits.representation_from_dict(
                {"signal": "raw", **meta, "units": meta.get("units", units)}, where
            )
        except InputError as exc:
            problems.append(f"representation ignored: {exc}")
            rep = None
    readers = [_SignalReader(s, rep, units) for s in signals]
    segments = _lazy_segments(readers, fs, n, n_file, gaps, first, t0)
    labels = [s.label.removeprefix("EMG ") for s in signals]
    names = meta.get("channels")
    channels = labels
    if isinstance(names, list) and len(names) == len(signals):
        try:
            channels = list(limits.check_channels(names, f"{where} channels"))
        except InputError as exc:
            problems.append(f"channel names from the signal labels: {exc}")
    start = _header_start(edf)
    profile = meta.get("profile")
    labels = _labels_from(labels_head, labelled, t0, problems)
    if labels is not None:
        labels.setdefault("channels", [str(c) for c in channels])
        labels.setdefault("sample_rate_hz", fs)
    return Recording(
        path=path,
        kind="bdf" if bdf else "edf",
        fs=fs,
        channels=tuple(str(c) for c in channels),
        representation=rep,
        segments=segments,
        events=[
            Event(
                channel=m.group(2),
                kind=m.group(1),
                onset_s=t0 + a.onset,
                alert_s=float(m.group(3)),
                end_s=None if a.duration is None else t0 + a.onset + a.duration,
                confidence=float(m.group(4)),
                id=int(m.group(5)),
            )
            for a, m in events
        ],
        quality=[
            QualityInterval(
                channel=m.group(2),
                issue=m.group(1),
                start_s=t0 + a.onset,
                end_s=None if a.duration is None else t0 + a.onset + a.duration,
            )
            for a, m in quality
        ],
        meta={
            "edf_header": meta,  # profile: what the events were scored with, if written
            **({"created_utc": start} if start else {}),
            **({"settings": {"profile": profile}} if isinstance(profile, str) else {}),
        },
        problems=problems,
        labels=labels,
        read_hash=hashed,
    )
