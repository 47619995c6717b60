"""A recording as every reader returns it: metadata, events, quality, and its samples as Blocks.

Readers (session directories, CSV, EDF+/BDF+, WAV, the shipped real recordings) build a
:class:`Recording` from contiguous :class:`Segment` s; ``replay``, ``report`` and ``convert`` use
only this interface. Samples are loaded lazily, one segment at a time.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from crampdetect.core import Block, Event, QualityInterval, Representation


@dataclass(frozen=True, slots=True)
class Segment:
    """A contiguous run of samples: sample index and time of its first sample, and a loader.

    ``load()`` returns the samples shaped (n_channels, n_samples) as stored (counts or units).
    """

    start: int
    t0: float
    n_samples: int
    load: Callable[[], np.ndarray]


@dataclass(slots=True)
class Recording:
    """One recording, whatever its file format.

    Parameters
    ----------
    path : Path
        Where it was read from.
    kind : str
        Reader that produced it (``session``, ``csv``, ``edf``, ``bdf``, ``wav``, ``real``).
    fs : float
        Sample rate in Hz.
    channels : tuple of str
        Channel names, one per row.
    representation : Representation or None
        What the samples are, if known (else the pipeline infers it).
    segments : list of Segment
        Contiguous runs in time order; a jump in ``start`` between segments is a gap.
    events, quality : lists
        Detector output stored with the recording (empty if none).
    meta : dict
        Everything else known: device, software, settings, provenance.
    labels : object or None
        Ground-truth labels from a simulator sidecar, if any.
    problems : list of str
        What the reader had to skip or repair (truncated tail, corrupt chunk, ...).
    read_hash : ReadHash or None
        The SHA-256 of the file computed from the reader's own reads
        (:class:`crampdetect.provenance.ReadHash`), for the result's ``provenance``: the file
        is read once. None where the reader does not hash (a session folder, third-party
        files, an array).
    """

    path: Path
    kind: str
    fs: float
    channels: tuple[str, ...]
    representation: Representation | None
    segments: list[Segment]
    events: list[Event] = field(default_factory=list)
    quality: list[QualityInterval] = field(default_factory=list)
    meta: dict[str, object] = field(default_factory=dict)
    labels: object | None = None
    problems: list[str] = field(default_factory=list)
    read_hash: Any = field(default=None, repr=False, compare=False)

    @property
    def profile(self) -> str | None:
        """The detector profile the recording names for itself (:func:`carried_profile`)."""
        return carried_profile(self.meta, self.labels)

    @property
    def n_samples(self) -> int:
        """Samples present (gaps excluded)."""
        return sum(s.n_samples for s in self.segments)

    @property
    def n_gaps(self) -> int:
        """Number of jumps in the sample index between segments."""
        return sum(
            1
            for a, b in zip(self.segments, self.segments[1:], strict=False)
            if b.start > a.start + a.n_samples
        )

    @property
    def t_start(self) -> float:
        return self.segments[0].t0 if self.segments else 0.0

    @property
    def t_end(self) -> float:
        """Time in s just past the last sample."""
        if not self.segments:
            return 0.0
        last = self.segments[-1]
        return last.t0 + last.n_samples / self.fs

    @property
    def duration_s(self) -> float:
        return self.t_end - self.t_start

    def iter_blocks(self, block_samples: int | None = None) -> Iterator[Block]:
        """Yield the samples as float64 Blocks (at most ``block_samples`` long), gaps marked."""
        prev_stop: int | None = None
        for seg in self.segments:
            data = np.asarray(seg.load(), dtype=np.float64)
            step = block_samples or max(seg.n_samples, 1)
            for i in range(0, seg.n_samples, step):
                start = seg.start + i
                gap = 0 if prev_stop is None else max(start - prev_stop, 0)
                part = data[:, i : i + step]
                yield Block(
                    data=part,
                    fs=self.fs,
                    start=start,
                    t0=seg.t0 + i / self.fs,
                    gap=gap,
                    channels=self.channels,
                )
                prev_stop = start + part.shape[1]

    def load(self) -> tuple[np.ndarray, np.ndarray]:
        """All samples and their times.

        Returns
        -------
        times : ndarray, shape (n_samples,)
            Time of each sample in s (jumps at gaps).
        data : ndarray, shape (n_channels, n_samples)
            Samples as stored, float64.
        """
        if not self.segments:
            return np.zeros(0), np.zeros((len(self.channels), 0))
        times = np.concatenate([s.t0 + np.arange(s.n_samples) / self.fs for s in self.segments])
        data = np.concatenate(
            [np.asarray(s.load(), dtype=np.float64) for s in self.segments], axis=1
        )
        return times, data

    def gap_intervals(self) -> list[tuple[float, float]]:
        """(start_s, end_s) of every gap: from just after one segment to the next one's start."""
        out = []
        for a, b in zip(self.segments, self.segments[1:], strict=False):
            if b.start > a.start + a.n_samples:
                out.append((a.t0 + a.n_samples / self.fs, b.t0))
        return out


def carried_profile(meta: Mapping[str, object], labels: object = None) -> str | None:
    """The detector profile a recording names for itself, or None if it names none.

    Its recorded settings (``settings.profile`` of a ``record`` or ``monitor --record``
    session, kept by its EDF+/BDF+, CSV and WAV copies), else its simulator labels
    (``profile`` of a ``.labels.json``). Returned as written, not checked against the
    profiles this version knows.
    """
    settings = meta.get("settings")
    said = settings.get("profile") if isinstance(settings, dict) else None
    if said is None and isinstance(labels, dict):
        said = labels.get("profile")
    return said if isinstance(said, str) and said else None


def segments_from_array(
    times: np.ndarray, data: np.ndarray, fs: float, *, tolerance: float = 0.5
) -> list[Segment]:
    """Cut an in-memory signal into contiguous segments where ``times`` jumps.

    A step longer than ``(1 + tolerance) / fs`` starts a new segment whose sample index
    skips the missing samples (``round(step * fs) - 1``).
    """
    if times.size == 0:
        return []
    steps = np.diff(times)
    breaks = np.flatnonzero(steps > (1.0 + tolerance) / fs) + 1
    bounds = np.concatenate([[0], breaks, [times.size]])
    segments = []
    index = 0
    for lo, hi in itertools.pairwise(bounds):
        if lo > 0:
            index += round(float(times[lo] - times[lo - 1]) * fs) - 1
        part = data[:, lo:hi]
        segments.append(
            Segment(start=index, t0=float(times[lo]), n_samples=hi - lo, load=lambda p=part: p)
        )
        index += hi - lo
    return segments
