"""CSV (``detect`` layout), WAV and MNE export/import, the JSON sidecar, and :func:`export`.

CSV and WAV carry their metadata, events, quality and gaps in a sidecar ``<name>.session.json``
beside the data file; a CSV without one is read as a plain ``detect`` input. A recording's
ground-truth labels travel with its copies: a ``<stem>.labels.json`` beside a CSV or WAV copy,
EDF+/BDF+ annotations in an EDF or BDF one. EDF+/BDF+ live in
:mod:`crampdetect.storage.edf`.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from crampdetect.core import InputError, install_command
from crampdetect.ingest.columns import COLUMN_UNITS
from crampdetect.ingest.inference import resolve_inference
from crampdetect.provenance import ReadHash  # one owner of the input's hash
from crampdetect.storage import limits
from crampdetect.storage.csvfile import open_csv
from crampdetect.storage.edf import label_notes, write_edf
from crampdetect.storage.limits import LimitError
from crampdetect.storage.recording import Recording, Segment
from crampdetect.storage.recover import bad_samples, recover_csv

SIDECAR_SUFFIX = ".session.json"
EXPORT_FORMATS = ("edf", "bdf", "csv", "wav")


def sidecar_path(path: str | Path) -> Path:
    path = Path(path)
    return path.with_name(path.name + SIDECAR_SUFFIX)


def labels_sidecar(path: str | Path) -> Path:
    """``<stem>.labels.json`` beside ``path``: a recording's ground-truth labels (the simulator's
    layout, read by ``evaluate`` and :func:`~crampdetect.storage.reader.open_recording`)."""
    path = Path(path)
    return path.with_name(path.stem + ".labels.json")


def _write_sidecar(rec: Recording, path: Path, *, anonymize: bool = False, **extra: object) -> None:
    rep = rec.representation
    keep = (
        ("settings", "software") if anonymize else ("created_utc", "device", "settings", "software")
    )
    meta = {k: v for k, v in rec.meta.items() if k in keep}
    if "settings" not in meta and rec.profile is not None:
        meta["settings"] = {"profile": rec.profile}  # named by its labels: keep it in the copy
    doc = {
        "format": "crampdetect-sidecar",
        "sample_rate_hz": rec.fs,
        "channels": list(rec.channels),
        "representation": rep.to_dict() if rep else None,
        "n_samples": rec.n_samples,
        "segments": contiguous_runs(rec),
        "events": [{"id": e.id, **e.to_dict()} for e in rec.events],
        "quality": [q.to_dict() for q in rec.quality],
        "meta": meta,
        **extra,
    }
    sidecar_path(path).write_text(json.dumps(doc, indent=1, default=_plain), encoding="utf-8")


def _plain(value: object) -> object:
    """JSON for numpy scalars and arrays that reach the sidecar (sample counts, rates)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def contiguous_runs(rec: Recording) -> list[list]:
    """[start index, t0 in s, n_samples] of each gap-free run (adjacent segments merged)."""
    runs: list[list] = []
    for s in rec.segments:
        if runs and runs[-1][0] + runs[-1][2] == s.start:
            runs[-1][2] += s.n_samples
        else:
            runs.append([s.start, s.t0, s.n_samples])
    return runs


def read_sidecar(path: Path) -> dict | None:
    """The checked ``<name>.session.json`` beside ``path``, None if there is none."""
    side = sidecar_path(path)
    if not side.exists():
        return None
    doc = limits.read_json(side, "sidecar")
    if not isinstance(doc, dict) or doc.get("format") != "crampdetect-sidecar":
        raise InputError(f"{side}: not a crampdetect sidecar")
    where = str(side)
    if "sample_rate_hz" in doc:
        limits.check_rate(doc["sample_rate_hz"], where)
    if "channels" in doc:
        limits.check_channels(doc["channels"], where)
    if "n_samples" in doc:
        limits.check_count(doc["n_samples"], f"{where} n_samples")
    for key in ("wav_scale", "wav_offset"):
        if key in doc:
            limits.check_number(doc[key], f"{where} {key}", nonzero=key == "wav_scale")
    runs = limits.items(doc, "segments", where)
    for run in runs:
        if not isinstance(run, list) or len(run) != 3:
            raise InputError(f"{where}: each segment must be [start, t0_s, n_samples]")
        limits.check_count(run[0], f"{where} segment start")
        limits.time_field(run[1], f"{where} segment t0")
        limits.check_count(run[2], f"{where} segment length")
    if runs:
        fs = limits.check_rate(doc.get("sample_rate_hz"), where)
        for a, b in itertools.pairwise(runs):
            if b[0] < a[0] + a[2]:
                raise InputError(f"{where}: segments overlap or go backwards at sample {b[0]}")
        limits.check_times(((t0, t0 + n / fs) for _, t0, n in runs), where)
    return doc


def _apply_sidecar(rec: Recording, doc: dict) -> None:
    """Check a sidecar against the data and take its events, quality and representation."""
    side = sidecar_path(rec.path)
    where = str(side)
    if list(doc.get("channels", [])) != list(rec.channels):
        raise InputError(
            f"{side} names channels {doc.get('channels')}, the data has {list(rec.channels)}"
        )
    if abs(float(doc.get("sample_rate_hz", rec.fs)) - rec.fs) > 1e-6 * rec.fs:
        raise InputError(f"{side} says {doc['sample_rate_hz']} Hz, the data runs at {rec.fs:g} Hz")
    if int(doc.get("n_samples", rec.n_samples)) != rec.n_samples:
        raise InputError(f"{side} says {doc['n_samples']} samples, the data holds {rec.n_samples}")
    if doc.get("representation"):
        rec.representation = limits.representation_from_dict(doc["representation"], where)
    rec.events = [limits.event_from_dict(e, where) for e in limits.items(doc, "events", where)]
    rec.quality = [limits.quality_from_dict(q, where) for q in limits.items(doc, "quality", where)]
    meta = doc.get("meta") or {}
    if not isinstance(meta, dict):
        raise InputError(f"{where}: meta must be an object")
    rec.meta.update(meta)


# -- CSV ----------------------------------------------------------------------------------
def write_csv(rec: Recording, path: str | Path, *, anonymize: bool = False) -> Path:
    """Write the ``detect`` layout (``time_s,<channels>``; gaps are jumps in ``time_s``).

    Streams segment by segment: memory does not grow with the length of the recording.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    path = Path(path)
    if any("," in c or '"' in c for c in rec.channels):
        raise InputError(f"Channel names {rec.channels} cannot be CSV header fields")
    counts = rec.representation is not None and rec.representation.units == "counts"
    options = pacsv.WriteOptions(include_header=False, quoting_style="none")
    with open(path, "wb") as fh:
        fh.write((",".join(("time_s", *rec.channels)) + "\n").encode())
        for seg in rec.segments:
            data = np.asarray(seg.load(), dtype=np.float64)
            cols = {"time_s": pa.array(np.round(seg.t0 + np.arange(seg.n_samples) / rec.fs, 6))}
            integer = counts and bool(np.all(data == np.round(data)))
            for ch, row in zip(rec.channels, data, strict=True):
                cols[ch] = pa.array(row.astype(np.int64) if integer else row)
            pacsv.write_csv(pa.table(cols), fh, options)
    _write_sidecar(rec, path, anonymize=anonymize)
    return path


def _compact(data: np.ndarray) -> np.ndarray:
    """Keep integer-valued samples (ADC counts) as int16, exactly; anything else as float64."""
    if data.size and np.all(np.abs(data) < 32768) and np.all(data == np.round(data)):
        return data.astype(np.int16)
    return data


def read_csv(
    path: str | Path, *, recover: bool = False, channels: Sequence[str] | None = None
) -> Recording:
    """Read a ``time_s,<channels>`` CSV through the ``detect`` reader, plus its sidecar.

    With ``recover``, a damaged file yields its readable rows (see :mod:`.recover`) and the
    damage is listed in ``problems``; otherwise it raises :class:`InputError` like ``detect``.
    Bad cells (empty, NaN, infinite, absurd) are read as NaN samples and reported in
    ``problems``, as ``detect`` does; with ``recover`` (``convert``, which never writes NaN)
    their rows are dropped like damaged ones.
    """
    path = Path(path)
    doc = read_sidecar(path)
    try:
        rate = float(doc["sample_rate_hz"]) if doc else None
        stream = open_csv(path, rate=rate, channels=channels, read_hash=ReadHash(path))
        segments = []
        for b in stream.blocks():
            data = _compact(b.data)
            segments.append(Segment(b.start, b.t0, b.n_samples, lambda d=data: d))
    except InputError as exc:
        if not recover or isinstance(exc, LimitError):
            raise
        return recover_csv(path, str(exc))
    if recover and stream.bad_values:
        return recover_csv(path, stream.bad_cells)
    rec = Recording(
        path, "csv", stream.fs, stream.channels, None, segments, problems=stream.problems,
        read_hash=stream.read_hash,
    )  # fmt: skip
    if stream.units is not None:  # emg_ta_V: what the samples are, said by the column names
        rec.meta[COLUMN_UNITS] = stream.units
    if doc:
        runs = doc.get("segments") or []
        if len(runs) == rec.n_gaps + 1:  # restore the recorder's sample indices
            first = iter(runs)
            shift = 0
            for i, seg in enumerate(rec.segments):
                if i == 0 or seg.start > rec.segments[i - 1].start + rec.segments[i - 1].n_samples:
                    shift = int(next(first)[0]) - seg.start
                rec.segments[i] = Segment(seg.start + shift, seg.t0, seg.n_samples, seg.load)
        _apply_sidecar(rec, doc)
    return rec


# -- WAV ----------------------------------------------------------------------------------
def write_wav(rec: Recording, path: str | Path, *, anonymize: bool = False) -> Path:
    """Write WAV for audio tools: 16-bit PCM for ADC counts (centred), else 32-bit float.

    Float data are scaled into [-1, 1]; the scale, offset and gaps go in the sidecar.
    Gaps are dropped (the samples play back to back). Streams segment by segment.
    """
    import soundfile as sf

    path = Path(path)
    if abs(rec.fs - round(rec.fs)) > 1e-9:
        raise InputError(f"WAV needs an integer sample rate, got {rec.fs} Hz")
    rep = rec.representation
    if rep is not None and rep.units == "counts" and (rep.adc_bits or 16) <= 15:
        offset, scale, subtype = rep.offset, 1.0, "PCM_16"
    else:
        peak = max((float(np.max(np.abs(s.load()))) for s in rec.segments), default=0.0)
        offset, scale, subtype = 0.0, (peak or 1.0), "FLOAT"
    kind = np.int16 if subtype == "PCM_16" else np.float32
    with sf.SoundFile(
        path, "w", round(rec.fs), len(rec.channels), subtype=subtype, format="WAV"
    ) as out:
        for seg in rec.segments:
            out.write(((np.asarray(seg.load(), np.float64) - offset) / scale).astype(kind).T)
    _write_sidecar(rec, path, anonymize=anonymize, wav_offset=offset, wav_scale=scale)
    return path


def read_wav(path: str | Path, *, recover: bool = False, scale: float | None = None) -> Recording:
    """Read a WAV file (and its sidecar, which restores units, scale, gaps and events).

    ``scale``: µV per stored unit (PCM count, or float sample) of a WAV whose sidecar does not
    give it (``--scale``); the samples are then read in µV (plus the sidecar's ``wav_offset``,
    µV, if it gives one).
    Bad samples are read as NaN, or dropped with ``recover``: see :func:`.recover.bad_samples`.
    """
    import io

    import soundfile as sf

    path = Path(path)
    hashed = ReadHash(path)
    raw = hashed.read_bytes()  # the file is read once (libsndfile reads it all anyway)
    declared = wav_data_frames(path, raw)
    try:
        info = sf.info(io.BytesIO(raw))
        pcm16 = info.subtype == "PCM_16"  # read as integers: exact counts
        frames, fs = sf.read(io.BytesIO(raw), dtype="int16" if pcm16 else "float64", always_2d=True)
        del raw
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise InputError(f"{path}: not a readable WAV file ({exc})") from None
    problems = []
    if declared is not None and frames.shape[0] < declared:
        problems.append(
            f"WAV cut short: its header declares {declared} frames, the file holds "
            f"{frames.shape[0]}"
        )
    doc = read_sidecar(path)
    if scale is not None and doc and "wav_scale" in doc:
        raise InputError(
            f"{path}: its sidecar {sidecar_path(path).name} gives the scale (wav_scale "
            f"{doc['wav_scale']:g}); --scale is for a WAV without one"
        )
    if not doc and scale is None:
        names = json.dumps([f"ch{i + 1}" for i in range(frames.shape[1])])
        problems.append(
            f"no sidecar {sidecar_path(path).name}: the samples' scale and units are unknown, "
            "read as stored (units inferred). If the stored numbers are in uV, mV or V, give "
            "--units; for any other scale write that sidecar beside the WAV: "
            f'{{"format": "crampdetect-sidecar", "channels": {names}, '
            '"wav_scale": UV_PER_STORED_UNIT, "representation": {"signal": "raw", '
            '"units": "uV"}} (the channels may be renamed), or give --scale UV_PER_UNIT'
        )
    fs = limits.check_rate(fs, str(path))
    if frames.shape[1] > limits.MAX_CHANNELS:
        raise LimitError(f"{path}: {frames.shape[1]} channels (limit {limits.MAX_CHANNELS})")
    data = frames.T.astype(np.float64)
    if scale is not None or doc:  # a sidecar's offset applies with a --scale too
        factor = scale if scale is not None else float(doc.get("wav_scale", 1.0))
        data = data * factor + (float(doc.get("wav_offset", 0.0)) if doc else 0.0)
    channels = tuple(doc["channels"]) if doc else tuple(f"ch{i + 1}" for i in range(data.shape[0]))
    if len(channels) != data.shape[0]:
        raise InputError(
            f"{sidecar_path(path)} names {len(channels)} channels, the WAV has {data.shape[0]}"
        )
    segments = [Segment(0, 0.0, data.shape[1], lambda d=data: d)]
    if doc and doc.get("segments"):
        runs = doc["segments"]
        held = sum(n for _, _, n in runs)
        cut = declared is None or data.shape[1] < declared  # a whole WAV's sidecar must fit
        if held > data.shape[1] and cut:  # the WAV cut short: its frames read, sidecar clipped
            doc = _clip_sidecar(doc, data.shape[1])
            runs = doc["segments"]
            if problems and problems[0].startswith("WAV cut short"):
                problems[0] += "; reading those (its sidecar's segments clipped to them)"
            else:
                problems.insert(
                    0,
                    f"WAV cut short: its sidecar's segments hold {held} samples, the file "
                    f"holds {data.shape[1]}; reading those",
                )
        if sum(n for _, _, n in runs) != data.shape[1]:
            raise InputError(
                f"{sidecar_path(path)}: segments hold {sum(n for _, _, n in runs)} samples, "
                f"the WAV has {data.shape[1]}"
            )
        pos, segments = 0, []
        for start, t0, n in runs:
            part = data[:, pos : pos + n]
            segments.append(Segment(int(start), float(t0), part.shape[1], lambda p=part: p))
            pos += n
    rec = Recording(path, "wav", float(fs), channels, None, segments, problems=problems,
                    read_hash=hashed)  # fmt: skip
    if doc:
        _apply_sidecar(rec, doc)
    if scale is not None:  # the samples are µV now, whatever the sidecar says of the stored ones
        if rec.representation is not None:
            rec.representation = dataclasses.replace(rec.representation, units="uV", adc_bits=None)
        else:
            rec.meta[COLUMN_UNITS] = "uV"  # the signal (raw or envelope) is still inferred
    return bad_samples(rec, recover=recover)


def _clip_sidecar(doc: dict, frames: int) -> dict:
    """A WAV sidecar cut to the first ``frames`` samples: its segments clipped, its sample
    count that of the data, its events and quality intervals that start after the data's end
    left out (a WAV cut short, e.g. a copy interrupted, is read as far as it goes)."""
    runs, left = [], frames
    for start, t0, n in doc["segments"]:
        if left <= 0:
            break
        runs.append([start, t0, min(n, left)])
        left -= n
    fs = float(doc.get("sample_rate_hz") or 1.0)
    end_s = float(runs[-1][1]) + runs[-1][2] / fs if runs else 0.0

    def before_end(item: object, key: str) -> bool:
        start = item.get(key) if isinstance(item, dict) else None
        return not isinstance(start, int | float) or start < end_s

    return {
        **doc,
        "segments": runs,
        "n_samples": frames,
        "events": [e for e in doc.get("events") or [] if before_end(e, "onset_s")],
        "quality": [q for q in doc.get("quality") or [] if before_end(q, "start_s")],
    }


def wav_data_frames(path: Path, data: bytes | None = None) -> int | None:
    """Frames the RIFF header of a PCM/float WAV declares (None if it does not say).

    Walks the chunk list within the first 64 KiB (of ``data``, the file's bytes, if given);
    libsndfile silently plays a WAV cut short, so the reader compares this with what it got.
    """
    import struct

    if data is not None:
        head = data[: 64 * 1024]
    else:
        with open(path, "rb") as fh:
            head = fh.read(64 * 1024)
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    pos, block_align = 12, 0
    while pos + 8 <= len(head):
        cid, size = head[pos : pos + 4], struct.unpack("<I", head[pos + 4 : pos + 8])[0]
        if cid == b"fmt " and size >= 16 and pos + 24 <= len(head):
            block_align = struct.unpack("<H", head[pos + 20 : pos + 22])[0]
        elif cid == b"data":
            if not block_align or size in (0, 0xFFFFFFFF):
                return None  # streaming writers leave the size open
            return size // block_align
        pos += 8 + size + (size & 1)
    return None


# -- MNE ----------------------------------------------------------------------------------
#: One physical unit in volts (MNE keeps every EMG channel in V).
_VOLTS = {"uV": 1e-6, "mV": 1e-3, "V": 1.0}


def to_mne(rec: Recording):
    """An ``mne.io.RawArray`` (EMG channels in V) with events, quality and ground-truth labels
    (a ``.labels.json`` beside a CSV or WAV, an EDF+'s label annotations) as annotations.
    ``rec``: an opened recording (``crampdetect.open(path)``); anything else, a path too, is a
    :class:`TypeError` that says so.

    The annotations (``docs/recordings.md``): ``<kind>/<channel>`` for an event
    (``cramp/calf_left``), ``BAD_<issue>/<channel>`` for a quality interval,
    ``label <kind> <channel> {extras}`` for a ground-truth label (as the EDF+/BDF+ copy writes
    it) after one ``crampdetect-labels {...}`` at 0 s with the labels' header, and
    ``BAD_ACQ_SKIP`` for a gap. Those of one channel are bound to it (``Annotations.ch_names``;
    MNE's ``reject_by_annotation`` still drops a ``BAD_`` span from every channel); a gap and
    the header are bound to none.

    The volts are those of the EDF+/BDF+ copy (:attr:`Representation.physical`, in SI units as
    MNE wants, channel type ``emg``): raw EMG at the skin; the MyoWare ENV output at its pin
    (the envelope's gain to the skin is a potentiometer setting, so its µV at the skin are
    only the detector's working estimate). ``mne.io.read_raw_edf`` of the copy gives the same.
    A recording that does not say what its samples are (a bare CSV) is scaled with the
    representation ``detect`` and :func:`export` infer for it.
    """
    if not isinstance(rec, Recording):
        raise TypeError(
            "to_mne needs an opened recording: to_mne(crampdetect.open(path)), got "
            f"{type(rec).__name__}"
        )
    try:
        import mne
    except ImportError:
        raise InputError(
            f"MNE export needs the optional package mne: {install_command('mne')}"
        ) from None
    times, data = rec.load()
    # a bare CSV: the representation detect and convert infer (ADC counts are not µV)
    rep = rec.representation or resolve_inference(rec)[0]
    t0 = rec.t_start
    # MNE wants one uniform time axis: lost samples become zeros, marked BAD_ACQ_SKIP below.
    idx = np.round((times - t0) * rec.fs).astype(np.int64) if times.size else times.astype(int)
    n = int(idx[-1]) + 1 if idx.size else 0
    volts = np.zeros((len(rec.channels), n))
    unit, scale, offset = rep.physical
    volts[:, idx] = (np.asarray(data, dtype=float) - offset) * (scale * _VOLTS[unit])
    info = mne.create_info(list(rec.channels), rec.fs, ch_types="emg", verbose=False)
    raw = mne.io.RawArray(volts, info, verbose=False)
    onsets, durations, texts, bound = [], [], [], []

    def on(channel: str) -> tuple[str, ...]:  # the channels an annotation is bound to
        return (channel,) if channel in rec.channels else ()

    for a, b in rec.gap_intervals():
        onsets.append(a - t0)
        durations.append(b - a)
        texts.append("BAD_ACQ_SKIP")
        bound.append(())
    for e in rec.events:
        onsets.append(e.onset_s - t0)
        durations.append(0.0 if e.end_s is None else e.end_s - e.onset_s)
        texts.append(f"{e.kind}/{e.channel}")
        bound.append(on(e.channel))
    for q in rec.quality:
        onsets.append(q.start_s - t0)
        durations.append(0.0 if q.end_s is None else q.end_s - q.start_s)
        texts.append(f"BAD_{q.issue}/{q.channel}")
        bound.append(on(q.channel))
    # ground-truth labels (a CSV's or WAV's .labels.json, an EDF+'s label annotations): as
    # the EDF+/BDF+ copy carries them, so mne.io.read_raw_edf of the copy shows the same
    for onset, duration, text in label_notes(rec.labels, t0):
        onsets.append(onset)
        durations.append(duration or 0.0)
        texts.append(text)
        words = text.split(" ", 3)  # "label <kind> <channel> {...}", or the header
        bound.append(on(words[2]) if words[0] == "label" and len(words) > 2 else ())
    # Items that end exactly at (or a rounding past) the last sample stay in range.
    span = n / rec.fs
    onsets = [min(max(o, 0.0), span - 1.0 / rec.fs) for o in onsets]
    durations = [min(d, span - o) for o, d in zip(onsets, durations, strict=True)]
    raw.set_annotations(mne.Annotations(onsets, durations, texts, ch_names=bound))
    return raw


def export(
    rec: Recording,
    out: str | Path,
    fmt: str | None = None,
    *,
    anonymize: bool = False,
    force: bool = False,
) -> Path:
    """Write ``rec`` to ``out`` in ``fmt`` (default: from the suffix).

    Never overwrites an existing file unless ``force``, and never the input itself.
    Refuses a recording whose times are not finite and increasing. A recording that does not
    say what its samples are (a bare CSV) is written with the representation ``detect`` infers
    (ADC counts stay exact integers). ``anonymize`` leaves out the start date and time and the
    device, for sharing.
    """
    out = Path(out)
    fmt = (fmt or out.suffix.lstrip(".")).lower()
    if not fmt:
        raise InputError(
            f"{out.name}: no suffix to take the format from: add one "
            f"({', '.join('.' + f for f in EXPORT_FORMATS)}) or use --format"
        )
    if fmt not in EXPORT_FORMATS:
        raise InputError(
            f"Unknown export format {fmt!r}: choose one of {', '.join(EXPORT_FORMATS)}"
        )
    if out.exists() and out.resolve() == rec.path.resolve():
        raise InputError("Output would overwrite the input recording")
    limits.refuse_overwrite(out, force)
    labels = rec.labels if isinstance(rec.labels, dict) else None
    if labels is not None and labels_sidecar(out).resolve() == labels_sidecar(rec.path).resolve():
        labels = None  # a copy beside the original, of the same name: its labels are there
    if fmt in ("csv", "wav"):
        limits.refuse_overwrite(sidecar_path(out), force)
        if labels is not None:  # EDF+/BDF+ carry them as annotations
            limits.refuse_overwrite(labels_sidecar(out), force)
    if not rec.segments:
        raise InputError(f"{rec.path}: no samples to export")
    limits.check_rate(rec.fs, str(rec.path))
    limits.check_times(((s.t0, s.t0 + s.n_samples / rec.fs) for s in rec.segments), str(rec.path))
    if rec.representation is None:  # what detect would take the samples for, said in the file
        rep = resolve_inference(rec)[0]
        rec = dataclasses.replace(rec, representation=rep)
    # Written beside the target and moved into place when complete: a failure half-way
    # (bad samples found late, disk full) leaves no partial file behind.
    try:
        scratch = tempfile.TemporaryDirectory(prefix=".crampdetect-", dir=out.parent)
    except OSError as exc:  # name the output asked for, not the scratch folder beside it
        raise InputError(f"{out}: cannot write there ({exc.strerror or exc})") from None
    with scratch as tmp:
        part = Path(tmp) / out.name
        if fmt in ("edf", "bdf"):
            write_edf(rec, part, bdf=fmt == "bdf", anonymize=anonymize)
        elif fmt == "csv":
            write_csv(rec, part, anonymize=anonymize)
        else:
            write_wav(rec, part, anonymize=anonymize)
        if sidecar_path(part).exists():
            os.replace(sidecar_path(part), sidecar_path(out))
        if labels is not None and fmt in ("csv", "wav"):
            labels_sidecar(part).write_text(json.dumps(labels, indent=1), encoding="utf-8")
            os.replace(labels_sidecar(part), labels_sidecar(out))
        os.replace(part, out)
    return out
