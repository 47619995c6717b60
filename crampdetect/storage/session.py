"""Crash-safe session recording: append-only sample chunks plus a JSON-lines journal.

A session is a directory (conventionally ``*.cdrec``) holding

``meta.json``
    Written once, atomically, before the first sample: sample rate, channels, representation,
    device, software version and detector settings.
``samples.bin``
    Append-only chunks, each a fixed 32-byte header (:data:`CHUNK_HEADER`: magic, dtype,
    channel count, sample count, first sample index, first sample time, CRC-32 of the payload)
    followed by the samples as received, channel-major. Lost samples show as a jump in the
    sample index between chunks.
``journal.jsonl``
    One JSON object per line: the meta again (so a lost ``meta.json`` can be rebuilt),
    detector events and quality intervals as they open and close, and a ``close`` record.

Both files are flushed and fsync'ed about once a second (``flush_interval_s``), so a session
killed with SIGKILL or losing power loses at most the last second; :mod:`.session_reader`
opens it with a truncated or corrupt tail.
"""

from __future__ import annotations

import json
import logging
import os
import struct
import time
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType

import numpy as np

from crampdetect import __version__
from crampdetect.core import Block, Event, InputError, QualityInterval, Representation

logger = logging.getLogger(__name__)

#: Chunk header: magic, dtype code, reserved, n_channels, n_samples, start index, t0 (s), crc32.
CHUNK_HEADER = struct.Struct("<4sBBHIqdI")
CHUNK_MAGIC = b"CDS1"
#: On-disk sample types by code, little-endian.
DTYPES: dict[int, np.dtype] = {
    1: np.dtype("<i2"),
    2: np.dtype("<f4"),
    3: np.dtype("<f8"),
    4: np.dtype("<i4"),
}
DTYPE_CODES = {dt: code for code, dt in DTYPES.items()}
FORMAT_NAME = "crampdetect-session"
FORMAT_VERSION = 1
META_FILE = "meta.json"
SAMPLES_FILE = "samples.bin"
JOURNAL_FILE = "journal.jsonl"


def default_dtype(representation: Representation) -> np.dtype:
    """On-disk sample type: int16 for ADC counts (exact), float32 for physical units."""
    if representation.units == "counts" and (representation.adc_bits or 16) <= 15:
        return DTYPES[1]
    return DTYPES[2]


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def refuse_new_recording(path: str | os.PathLike[str]) -> Path:
    """Check that a new recording can go to ``path`` before anything starts (``monitor
    --record``, ``record``): an existing recording (a non-empty folder or a file) is never
    overwritten, and a missing parent folder is refused as ``simulate --out`` refuses it (a
    typo in the path is not turned into new folders)."""
    path = Path(path)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise InputError(f"{path} already exists; refusing to overwrite a recording")
    parent = path.absolute().parent
    if not parent.is_dir():
        raise InputError(f"Output directory does not exist: {parent}")
    return path


class SessionWriter:
    """Append blocks, events and quality intervals to a crash-safe session directory.

    Parameters
    ----------
    path : path
        Session directory to create; it must not exist yet (or be empty).
    fs : float
        Sample rate in Hz.
    channels : sequence of str
        Channel names, one per block row.
    representation : Representation
        What the samples are (raw/env, units, ADC bits); stored unchanged.
    device : mapping, optional
        Device metadata (URL, board, firmware), stored in ``meta.json``.
    settings : mapping, optional
        Detector profile and options that produced the events.
    history_session : mapping, optional
        The night-history session written live alongside (``id``, ``started_at``, ``source``),
        so that importing this recording later does not count the session twice.
    flush_interval_s : float
        Longest time in s that received data stays only in memory (default 1 s).
    dtype : numpy dtype, optional
        On-disk sample type; default from :func:`default_dtype`.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        fs: float,
        channels: Iterable[str],
        representation: Representation,
        device: Mapping[str, object] | None = None,
        settings: Mapping[str, object] | None = None,
        history_session: Mapping[str, object] | None = None,
        flush_interval_s: float = 1.0,
        dtype: np.dtype | str | None = None,
    ) -> None:
        self.path = Path(path)
        self.fs = float(fs)
        self.channels = tuple(channels)
        self.representation = representation
        self.flush_interval_s = float(flush_interval_s)
        self.dtype = np.dtype(dtype) if dtype is not None else default_dtype(representation)
        if self.dtype not in DTYPE_CODES:
            raise InputError(f"Unsupported sample type {self.dtype} for a session")
        if not self.fs > 0:
            raise InputError(f"Sample rate must be positive, got {fs}")
        refuse_new_recording(self.path)
        self.path.mkdir(exist_ok=True)
        self.meta: dict[str, object] = {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "software": {"name": "crampdetect", "version": __version__},
            "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "sample_rate_hz": self.fs,
            "channels": list(self.channels),
            "representation": {
                **representation.to_dict(),
                "gain": representation.gain,
                "vref_v": representation.vref_v,
            },
            "units": [representation.units] * len(self.channels),
            "sample_dtype": self.dtype.str,
            "device": dict(device or {}),
            "settings": dict(settings or {}),
        }
        if history_session is not None:
            self.meta["history_session"] = dict(history_session)
        self._write_meta()
        self._samples = open(self.path / SAMPLES_FILE, "ab")
        self._journal = open(self.path / JOURNAL_FILE, "a", encoding="utf-8")
        _fsync_dir(self.path)  # the new files' directory entries survive a power cut too
        self._pending: list[Block] = []
        self._pending_samples = 0
        self._last_sync = time.monotonic()
        self._journal_dirty = False
        self.n_samples = 0
        self.closed = False
        self._log({"type": "meta", **self.meta})
        self.sync()

    def _write_meta(self) -> None:
        tmp = self.path / (META_FILE + ".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(self.meta, fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path / META_FILE)
        _fsync_dir(self.path)

    def _log(self, record: Mapping[str, object]) -> None:
        self._journal.write(json.dumps(record, separators=(",", ":")) + "\n")
        self._journal_dirty = True

    # -- data ---------------------------------------------------------------------------
    def write(self, block: Block) -> None:
        """Queue one block of samples as received; flush whatever is due."""
        self._check_open()
        if block.channels != self.channels:
            raise InputError(f"Block channels {block.channels} differ from {self.channels}")
        if block.n_samples == 0:
            return
        if self._pending and block.start != self._pending[-1].stop:
            self._write_pending()  # a gap: never merge across it
        self._pending.append(block)
        self._pending_samples += block.n_samples
        if self._pending_samples >= self.fs * self.flush_interval_s:
            self._write_pending()
        self.flush_if_due()

    def write_events(self, events: Iterable[Event]) -> None:
        """Journal detector events (new ones and their updates, matched by ``id``)."""
        self._check_open()
        for ev in events:
            self._log({"type": "event", "id": ev.id, **ev.to_dict()})

    def write_quality(self, quality: Iterable[QualityInterval]) -> None:
        """Journal quality intervals as they open (``end_s`` None) and close."""
        self._check_open()
        for q in quality:
            self._log({"type": "quality", **q.to_dict()})

    def write_output(self, output: object) -> None:
        """Journal a :class:`crampdetect.pipeline.Output` (its events and quality)."""
        self.write_events(getattr(output, "events", ()))
        self.write_quality(getattr(output, "quality", ()))

    def note(self, text: str, **fields: object) -> None:
        """Journal a free-form note (device reconnect, user marker) with its fields."""
        self._check_open()
        self._log({"type": "note", "text": text, **fields})

    # -- durability -----------------------------------------------------------------------
    def _write_pending(self) -> None:
        if not self._pending:
            return
        first = self._pending[0]
        data = np.concatenate([b.data for b in self._pending], axis=1)
        dtype = self.dtype
        if dtype.kind == "i":
            info = np.iinfo(dtype)
            if np.any(data != np.round(data)) or data.min() < info.min or data.max() > info.max:
                logger.warning("samples are not %s counts; this chunk is stored as float64", dtype)
                dtype = DTYPES[3]  # each chunk names its type: keep the data, exactly
        payload = np.ascontiguousarray(data, dtype=dtype).tobytes()
        header = CHUNK_HEADER.pack(
            CHUNK_MAGIC,
            DTYPE_CODES[dtype],
            0,
            data.shape[0],
            data.shape[1],
            first.start,
            first.t0,
            zlib.crc32(payload),
        )
        self._samples.write(header + payload)
        self._samples.flush()  # to the OS: counted samples survive a killed process
        self.n_samples += data.shape[1]
        self._pending.clear()
        self._pending_samples = 0

    def flush_if_due(self) -> None:
        """Write and fsync if the last sync is older than ``flush_interval_s``.

        Call it from an idle loop so that a stalled stream is still saved.
        """
        if time.monotonic() - self._last_sync >= self.flush_interval_s:
            self.sync()

    def sync(self) -> None:
        """Write everything queued and fsync both files."""
        self._write_pending()
        self._samples.flush()
        os.fsync(self._samples.fileno())
        if self._journal_dirty:
            self._journal.flush()
            os.fsync(self._journal.fileno())
            self._journal_dirty = False
        self._last_sync = time.monotonic()

    def close(self) -> None:
        """Flush everything and mark the session complete."""
        if self.closed:
            return
        # The data first, on disk; only then the record that says the session is complete:
        # if writing the samples fails (disk full), the journal never claims a clean close.
        self._write_pending()
        self._samples.flush()
        os.fsync(self._samples.fileno())
        self._log({"type": "close", "n_samples": self.n_samples})
        self.sync()
        self._samples.close()
        self._journal.close()
        self.closed = True
        logger.info("session %s closed: %d samples", self.path, self.n_samples)

    def _check_open(self) -> None:
        if self.closed:
            raise InputError(f"Session {self.path} is closed")

    def __enter__(self) -> SessionWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
