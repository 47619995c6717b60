"""Public entry points: :func:`simulate` a scenario and :func:`write_session` it to CSV + JSON."""

from __future__ import annotations

import json
import logging
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from crampdetect.core import UNITS, InputError, Representation
from crampdetect.simulate import stress
from crampdetect.simulate.builder import Scene, SceneBuilder, SceneOptions
from crampdetect.simulate.render import SEGMENT, Renderer
from crampdetect.simulate.saturation import SaturationTracker
from crampdetect.simulate.scenes import SCENARIOS
from crampdetect.simulate.subject import Hardware, Subject, physical_digits

log = logging.getLogger(__name__)

LABEL_FORMAT = "crampdetect-labels/1"
RAW_RATES_HZ = (500.0, 4000.0)
VARIANTS = ("standard", "stress")  #: simulator variants (see ``simulate``)
ENV_RATES_HZ = (100.0, 2000.0)


@dataclass(eq=False)
class Session:
    """A simulated recording: its ground-truth labels and a chunked sample generator.

    Use :func:`simulate` to make one. Samples are produced on demand, segment by segment,
    so a session of any length never sits in memory. ``planned_labels`` holds every label
    known from the plan; :attr:`labels` adds the ``saturation`` intervals, which are found
    in the samples themselves during the first complete pass (reading ``labels`` before
    any pass renders the session once).
    """

    scenario: str
    seed: int
    fs: float
    representation: Representation
    channels: tuple[str, ...]
    duration_s: float
    scene: Scene
    subject: Subject
    hardware: Hardware
    planned_labels: dict[str, object]
    _saturation: list[dict[str, object]] | None = None

    @property
    def profile(self) -> str:
        """Detector profile the scene is meant for, ``night`` or ``training`` (no rendering)."""
        return str(self.planned_labels["profile"])

    @property
    def labels(self) -> dict[str, object]:
        """The sidecar content: header fields and every label interval, sorted by start."""
        if self._saturation is None:
            for _ in self.iter_chunks(60.0):
                pass
        assert self._saturation is not None
        intervals = [*self.planned_labels["intervals"], *self._saturation]  # type: ignore[misc]
        intervals.sort(key=lambda d: (d["start_s"], d["channel"], d["kind"]))
        return {**self.planned_labels, "intervals": intervals}

    @property
    def n_samples(self) -> int:
        """Samples on the sample clock, including those later dropped in gaps."""
        return round(self.duration_s * self.fs)

    def iter_chunks(self, chunk_s: float = 10.0) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(time_s, data)`` per ``chunk_s`` of sample clock.

        ``time_s`` has shape (n,), ``data`` shape (n_channels, n), float64, in the
        session's representation. Rows lost in gaps are absent, so a chunk may be shorter
        or empty (empty chunks are skipped). Output does not depend on ``chunk_s``.
        """
        if not chunk_s > 0:
            raise InputError(f"chunk_s must be > 0, got {chunk_s}")
        step = max(1, round(chunk_s * self.fs))
        renderer = Renderer(self.scene, self.subject, self.hardware, self.fs, self.seed)
        tracker = SaturationTracker(self.scene, self.hardware, self.channels, self.fs)
        buf_i: list[np.ndarray] = []
        buf_x: list[np.ndarray] = []
        boundary, total = step, self.n_samples
        for k in range(-(-total // SEGMENT)):
            index, data = renderer.render(k)
            buf_i.append(index)
            buf_x.append(data)
            seg_end = min((k + 1) * SEGMENT, total)
            if seg_end < boundary and seg_end < total:
                continue
            idx, x = np.concatenate(buf_i), np.concatenate(buf_x, axis=1)
            while boundary <= seg_end:
                cut = int(np.searchsorted(idx, boundary))
                if cut:
                    tracker.feed(idx[:cut] / self.fs, x[:, :cut])
                    yield idx[:cut] / self.fs, x[:, :cut]
                idx, x = idx[cut:], x[:, cut:]
                boundary += step
            if seg_end == total and idx.size:
                tracker.feed(idx / self.fs, x)
                yield idx / self.fs, x
            buf_i, buf_x = [idx], [x]
        self._saturation = tracker.finish()


def _check(scenario: str, fs: float, duration_s: float | None, channels: tuple[str, ...]) -> None:
    if scenario not in SCENARIOS:
        raise InputError(f"Unknown scenario {scenario!r}: choose one of {', '.join(SCENARIOS)}")
    if duration_s is not None and not 1.0 <= duration_s <= 7 * 86400:
        raise InputError(f"Invalid duration {duration_s} s: must be 1 s to 7 days")
    if not channels or len(channels) > 8 or len(set(channels)) != len(channels):
        raise InputError("Channels must be 1 to 8 distinct names")
    for name in channels:
        if not name or name == "time_s" or any(c in name for c in ',"\n\r'):
            raise InputError(f"Invalid channel name {name!r}")


#: Whose subject and sensor ``simulate("calibration")`` plays: the monitor's default night.
CALIBRATION_WEARER = "night-short"


def simulate(
    scenario: str = "night",
    seed: int = 0,
    duration_s: float | None = None,
    fs: float = 1000.0,
    representation: Representation | None = None,
    channels: tuple[str, ...] | list[str] = ("calf_left", "calf_right"),
    options: SceneOptions | None = None,
    variant: str = "standard",
    wearer: str | None = None,
) -> Session:
    """Plan a simulated recording of a named scenario (see ``SCENARIOS``).

    Parameters
    ----------
    scenario : str
        Scenario name, e.g. ``night``, ``night-short``, ``training``, ``hold``.
    seed : int
        Seed: same seed and arguments give the same samples and labels.
    duration_s : float or None
        Length in s; None uses the scenario's default.
    fs : float
        Output sample rate, Hz (raw 500-4000, ENV 100-2000).
    representation : Representation or None
        Output representation; default raw µV.
    channels : sequence of str
        Channel names (one leg each; the first two are the left and right calf).
    options : SceneOptions or None
        Cramp count and artefact rates; None uses the scenario's defaults.
    variant : str
        ``standard`` (the tuned ranges) or ``stress`` (widened subject, electrode gain, noise
        and ENV gain draws from an independent stream; see :mod:`crampdetect.simulate.stress`).
    wearer : str or None
        Scenario whose recording of the same seed (and variant and representation) gives the
        subject and sensor: each scenario draws its own wearer, so a calibration routine is
        only the night's wearer's when it is drawn as the night's. None: the scenario's own,
        except ``calibration``, which plays :data:`CALIBRATION_WEARER`'s wearer.

    Raises
    ------
    InputError
        For an unknown scenario, a rate outside the representation's range or bad names.
    """
    rep = representation or Representation("raw", "uV")
    channels = tuple(channels)
    _check(scenario, fs, duration_s, channels)
    lo, hi = ENV_RATES_HZ if rep.signal == "env" else RAW_RATES_HZ
    if not lo <= fs <= hi:
        raise InputError(f"Invalid rate {fs} Hz for {rep.signal} signal: must be {lo:g}-{hi:g} Hz")
    if rep.units not in UNITS or (rep.signal == "env" and rep.units != "counts"):
        raise InputError(f"Cannot simulate {rep.signal} in {rep.units}")
    if int(seed) != seed or seed < 0:
        raise InputError(f"Invalid seed {seed}: must be a non-negative integer")
    spec = SCENARIOS[scenario]
    duration = float(spec.default_s if duration_s is None else duration_s)
    if variant not in VARIANTS:
        raise InputError(f"Invalid variant {variant!r}: must be one of {', '.join(VARIANTS)}")
    if wearer is None and scenario == "calibration":
        wearer = CALIBRATION_WEARER
    if wearer is not None and wearer not in SCENARIOS:
        raise InputError(f"Unknown wearer scenario {wearer!r}: see `crampdetect simulate --list`")
    stream = 7 if variant == "stress" else 0
    rng = np.random.default_rng([int(seed), stream, zlib.crc32(scenario.encode())])
    # the wearer's draws come first in the wearer's own stream, as in its own recording
    who = rng if wearer in (None, scenario) else np.random.default_rng(
        [int(seed), stream, zlib.crc32(str(wearer).encode())]
    )  # fmt: skip
    if variant == "stress":
        subject = stress.draw_subject(who, len(channels))
        hardware = stress.draw_hardware(who, rep, subject)
        subject = stress.make_visible(subject, hardware)
    else:
        subject = Subject.draw(who, len(channels))
        hardware = Hardware.draw(who, rep, float(np.mean(subject.mvc_uv)))
    scene = Scene(spec.profile, duration, len(channels))
    builder = SceneBuilder(rng, scene, subject, channels, hardware)
    spec.build(builder, options or SceneOptions())
    _snap_gaps(scene, float(fs))
    scene.intervals.sort(key=lambda d: (d["start_s"], d["channel"], d["kind"]))
    labels: dict[str, object] = {
        "format": LABEL_FORMAT,
        "scenario": scenario,
        "profile": spec.profile,
        "seed": int(seed),
        "sample_rate_hz": int(fs) if float(fs).is_integer() else fs,
        "channels": list(channels),
        "signal": rep.signal,
        "units": rep.units,
        "adc_bits": rep.adc_bits,
        "duration_s": duration,
        "mains_hz": int(subject.mains_hz),
        "intervals": scene.intervals,
    }
    if variant != "standard":
        labels["variant"] = variant
    return Session(
        scenario, int(seed), float(fs), rep, channels, duration, scene, subject, hardware, labels
    )


def _snap_gaps(scene: Scene, fs: float) -> None:
    """Gap labels: from the first missing sample to the next present one, overlaps merged."""
    gaps: dict[str, list[list[float]]] = {}
    for item in scene.intervals:
        if item["kind"] == "gap":
            edges = [np.ceil(float(item[k]) * fs - 1e-9) / fs for k in ("start_s", "end_s")]  # type: ignore[arg-type]
            gaps.setdefault(str(item["channel"]), []).append(edges)
    merged: list[dict[str, object]] = []
    for channel, spans in gaps.items():
        spans.sort()
        out = [spans[0]]
        for start, end in spans[1:]:
            if start <= out[-1][1]:
                out[-1][1] = max(out[-1][1], end)
            else:
                out.append([start, end])
        merged += [
            {"channel": channel, "kind": "gap", "start_s": round(a, 6),
             "end_s": round(min(b, scene.duration_s), 6)}
            for a, b in out
            if a < min(b, scene.duration_s)
        ]  # fmt: skip
    scene.intervals[:] = [d for d in scene.intervals if d["kind"] != "gap"] + merged


def write_session(
    session: Session,
    path: str | os.PathLike[str],
    chunk_s: float = 60.0,
    progress: Callable[[float], None] | None = None,
) -> tuple[Path, Path]:
    """Write ``session`` as CSV (``time_s,<channels>``) plus ``<stem>.labels.json`` beside it.

    Counts are written as integers, µV with 2 decimals, time in s with 6 decimals; rows
    lost in gaps are absent. The CSV is streamed chunk by chunk (bounded memory) through
    a temporary file that replaces ``path`` only when complete; ``progress`` is called with
    the seconds of signal of each chunk written.

    Returns
    -------
    csv_path, labels_path : Path
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    csv_path = Path(path)
    labels_path = csv_path.with_name(csv_path.stem + ".labels.json")
    tmp = csv_path.with_name(csv_path.name + ".part")
    if not csv_path.parent.is_dir():
        raise InputError(f"Output directory does not exist: {csv_path.parent}")
    counts = session.representation.units == "counts"
    digits = physical_digits(session.representation)
    options = pacsv.WriteOptions(include_header=False)
    with open(tmp, "wb") as fh:
        fh.write((",".join(("time_s", *session.channels)) + "\n").encode())
        for time_s, data in session.iter_chunks(chunk_s):
            cols = {"time_s": np.round(time_s, 6)}
            for name, row in zip(session.channels, data, strict=True):
                cols[name] = row.astype(np.int64) if counts else np.round(row, digits) + 0.0
            pacsv.write_csv(pa.table(cols), fh, options)
            if progress is not None:
                progress(time_s.size / session.fs)
    os.replace(tmp, csv_path)
    labels_path.write_text(json.dumps(session.labels, indent=1) + "\n")
    log.info("wrote %s and %s", csv_path, labels_path)
    return csv_path, labels_path
