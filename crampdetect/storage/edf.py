"""EDF+ and BDF+ export and import through edfio, with events, quality and gaps as annotations.

Annotation texts written (onsets in s from the first sample):

- ``crampdetect-meta {json}`` at 0: first sample time, sample index, length, representation;
- ``<kind> <channel> alert=<s> conf=<0-1> id=<n>`` for each detector event (duration = its length);
- ``quality <issue> <channel>`` for each quality interval;
- ``gap n=<samples>`` where samples were lost: EDF has no holes, so the gap is filled by holding
  the previous value, and the reader removes those samples again.

Files from other software read as one continuous segment with their own signal labels.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import numpy as np

from crampdetect.core import Event, InputError, QualityInterval, Representation
from crampdetect.storage.recording import Recording, Segment

RECORD_S = 1.0
_UNIT_NAMES = {"uv": "uV", "µv": "uV", "μv": "uV", "mv": "mV", "v": "V", "counts": "counts"}
_EVENT_RE = re.compile(r"^(\w+) (\S+) alert=([-\d.eE+]+) conf=([-\d.eE+]+) id=(-?\d+)$")
_QUALITY_RE = re.compile(r"^quality (\w+) (\S+)$")
_GAP_RE = re.compile(r"^gap n=(\d+)$")


def _contiguous(rec: Recording) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Samples on a hole-free index axis (gaps hold the last value) and (index, n) of each gap."""
    first = rec.segments[0].start
    last = rec.segments[-1]
    out = np.empty((len(rec.channels), last.start + last.n_samples - first), dtype=np.float64)
    gaps = []
    pos = 0
    for seg in rec.segments:
        i = seg.start - first
        if i > pos:
            out[:, pos:i] = out[:, pos - 1 : pos] if pos else 0.0
            gaps.append((pos, i - pos))
        out[:, i : i + seg.n_samples] = seg.load()
        pos = i + seg.n_samples
    return out, gaps


def write_edf(rec: Recording, path: str | Path, *, bdf: bool = False) -> Path:
    """Write ``rec`` as EDF+ (16-bit) or BDF+ (24-bit) with annotations; return the path."""
    import edfio

    path = Path(path)
    if not rec.segments:
        raise InputError("Nothing to export: the recording has no samples")
    if abs(rec.fs - round(rec.fs)) > 1e-9:
        raise InputError(f"EDF/BDF export needs an integer sample rate, got {rec.fs} Hz")
    fs = round(rec.fs)
    data, gaps = _contiguous(rec)
    n = data.shape[1]
    per_record = round(fs * RECORD_S)
    padded = -(-n // per_record) * per_record
    if padded > n:
        data = np.concatenate([data, np.repeat(data[:, -1:], padded - n, axis=1)], axis=1)
    rep = rec.representation
    units = rep.units if rep else ""  # unknown units stay unknown
    signal_cls = edfio.BdfSignal if bdf else edfio.EdfSignal
    dmin, dmax = (-(2**23), 2**23 - 1) if bdf else (-(2**15), 2**15 - 1)
    exact = (  # integer samples (ADC counts) in range: identity scale, stored exactly
        float(data.min()) >= dmin
        and float(data.max()) <= dmax
        and bool(np.all(data == np.round(data)))
    )
    signals = []
    for ch, row in zip(rec.channels, data, strict=True):
        lo, hi = float(row.min()), float(row.max())
        if exact:
            prange = (float(dmin), float(dmax))  # identity scale: counts stay exact
        else:
            pad = max(hi - lo, abs(hi), 1e-6) * 1e-3
            prange = (lo - pad, hi + pad)
        signals.append(
            signal_cls(row, fs, label=ch[:16], physical_dimension=units[:8], physical_range=prange)
        )
    t0 = rec.t_start
    meta = {"t0_s": t0, "start": rec.segments[0].start, "n_samples": n}
    if rep:
        meta.update(rep.to_dict())
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
    cls = edfio.Bdf if bdf else edfio.Edf
    edf = cls(signals, annotations=notes, data_record_duration=RECORD_S)
    edf.write(path)
    return path


def read_edf(path: str | Path) -> Recording:
    """Read an EDF(+)/BDF(+) file (ours or another program's) as a :class:`Recording`."""
    import edfio

    path = Path(path)
    bdf = path.read_bytes()[:8] == b"\xffBIOSEMI"
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            edf = edfio.read_bdf(path) if bdf else edfio.read_edf(path)
            signals = list(edf.signals)
            annotations = list(edf.annotations)
    except (ValueError, IndexError, UnicodeDecodeError, EOFError) as exc:
        raise InputError(f"{path}: not a readable {'BDF' if bdf else 'EDF'} file ({exc})") from None
    problems = [str(w.message) for w in caught]
    if not signals:
        raise InputError(f"{path}: the file has no signals")
    rates = {s.sampling_frequency for s in signals}
    if len(rates) > 1:
        raise InputError(f"{path}: signals have different sample rates {sorted(rates)}")
    fs = float(rates.pop())
    data = np.vstack([s.data for s in signals])
    meta: dict[str, object] = {}
    events, quality, gaps = [], [], []
    for a in annotations:
        text = a.text.strip()
        if text.startswith("crampdetect-meta "):
            try:
                meta = json.loads(text.split(" ", 1)[1])
            except json.JSONDecodeError:
                continue
        elif m := _GAP_RE.match(text):
            gaps.append((round(a.onset * fs), int(m.group(1))))
        elif m := _QUALITY_RE.match(text):
            quality.append((a, m))
        elif m := _EVENT_RE.match(text):
            events.append((a, m))
    t0 = float(meta.get("t0_s", 0.0))
    n = int(meta.get("n_samples", data.shape[1]))
    if n > data.shape[1]:
        problems.append(f"header says {n} samples but the file holds {data.shape[1]}")
        n = data.shape[1]
    data = data[:, :n]
    first = int(meta.get("start", 0))
    keep = np.ones(n, dtype=bool)
    for index, count in gaps:
        keep[index : index + count] = False
    index = np.flatnonzero(keep)
    breaks = np.flatnonzero(np.diff(index) > 1) + 1
    segments = []
    for part in np.split(index, breaks):
        if part.size:
            block = data[:, part[0] : part[-1] + 1]
            segments.append(
                Segment(first + int(part[0]), t0 + part[0] / fs, part.size, lambda b=block: b)
            )
    units = _UNIT_NAMES.get(signals[0].physical_dimension.strip().lower())
    rep = None
    if meta.get("units") or units:
        try:
            rep = Representation(
                signal=str(meta.get("signal", "raw")),
                units=str(meta.get("units", units)),
                adc_bits=meta.get("adc_bits"),  # type: ignore[arg-type]
            )
        except InputError:
            rep = None
    return Recording(
        path=path,
        kind="bdf" if bdf else "edf",
        fs=fs,
        channels=tuple(s.label for s in signals),
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
        meta={"edf_header": meta},
        problems=problems,
    )
