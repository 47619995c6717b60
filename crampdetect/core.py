"""Core vocabulary shared by every stage: blocks of samples, representations, events, quality.

Data flow: bytes -> frames -> :class:`Block` -> filters -> features -> detector ->
:class:`Event` / :class:`QualityInterval` -> alerts, storage, reports.

Only numpy and the standard library are imported here.
"""

from __future__ import annotations

import dataclasses
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import numpy as np

Signal = Literal["raw", "env"]
Units = Literal["uV", "mV", "V", "counts"]
Profile = Literal["night", "training"]

SIGNALS: tuple[str, ...] = ("raw", "env")
UNITS: tuple[str, ...] = ("uV", "mV", "V", "counts")
PROFILES: tuple[str, ...] = ("night", "training")

#: Quality issue names, shared by the detector, the simulator labels and reports.
QUALITY_ISSUES: tuple[str, ...] = (
    "lead_off",
    "saturation",
    "mains",
    "pop",
    "wander",
    "bad_value",
    "gap",
    "signal_mismatch",
)

#: Event kinds. ``cramp`` is the only kind that is a cramp alert; a ``possible_cramp`` is a
#: contraction a cramp path took whose confidence is below the detector's ``min_confidence``
#: (logged, never vibrated, never counted as a cramp).
EVENT_KINDS: tuple[str, ...] = ("cramp", "possible_cramp", "early_warning")


class CrampDetectError(Exception):
    """Root of every error raised by crampdetect."""


class InputError(CrampDetectError):
    """Bad input data or arguments: the message is meant for the user, one line."""


def source_checkout(package_dir: Path | None = None) -> Path | None:
    """The source checkout crampdetect runs from (``pip install -e .`` or ``PYTHONPATH``), or
    None for an installed wheel: the package's parent folder if its ``pyproject.toml`` is ours.
    """
    root = (package_dir or Path(__file__).resolve().parent).parent
    try:
        text = (root / "pyproject.toml").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return root if re.search(r'^name\s*=\s*"crampdetect"', text, re.MULTILINE) else None


def install_command(extra: str) -> str:
    """The pip line that adds the optional ``extra`` to this installation.

    From a source checkout pip must be pointed at the checkout (``pip install -e '.[extra]'``
    there): ``'crampdetect[extra]'`` would fetch a second crampdetect from PyPI.
    """
    root = source_checkout()
    if root is None:
        return f"pip install 'crampdetect[{extra}]'"
    return f"pip install -e {shlex.quote(f'{root}[{extra}]')}"


@dataclass(frozen=True, slots=True)
class Representation:
    """How samples are expressed on the wire or in a file.

    Parameters
    ----------
    signal : {"raw", "env"}
        ``raw`` is bipolar EMG (MyoWare RAW output or a lab amplifier); ``env`` is the
        MyoWare ENV output: rectified and low-passed (~3.6 Hz), never negative.
    units : {"uV", "mV", "V", "counts"}
        Physical units of the values, or ADC counts.
    adc_bits : int or None
        ADC resolution when ``units == "counts"`` (10 for an Uno, 12 for an ESP32).
    gain : float
        Analogue gain between skin and ADC (MyoWare RAW: 200), used to express counts in
        µV at the skin.
    vref_v : float
        ADC full-scale voltage in V (Uno: 5.0, ESP32 with 11 dB attenuation: ~3.3).
    """

    signal: str = "raw"
    units: str = "uV"
    adc_bits: int | None = None
    gain: float = 200.0
    vref_v: float | None = None

    def __post_init__(self) -> None:
        if self.signal not in SIGNALS:
            raise InputError(f"Invalid signal {self.signal!r}: must be one of {SIGNALS}")
        if self.units not in UNITS:
            raise InputError(f"Invalid units {self.units!r}: must be one of {UNITS}")
        if self.units == "counts" and self.adc_bits not in range(8, 17):
            raise InputError(f"ADC counts need adc_bits in 8..16, got {self.adc_bits}")

    @property
    def full_scale(self) -> int | None:
        """Largest ADC code (1023 for 10 bits), or None for physical units."""
        return None if self.adc_bits is None else (1 << self.adc_bits) - 1

    @property
    def adc_vref_v(self) -> float:
        """ADC reference in V: the given one, else 5.0 V for <= 10 bits and 3.3 V above."""
        if self.vref_v is not None:
            return self.vref_v
        return 5.0 if (self.adc_bits or 10) <= 10 else 3.3

    @property
    def uv_per_unit(self) -> float:
        """Scale from one unit (or one ADC count) to µV at the skin."""
        if self.units == "uV":
            return 1.0
        if self.units == "mV":
            return 1e3
        if self.units == "V":
            return 1e6
        assert self.adc_bits is not None
        return self.adc_vref_v / (1 << self.adc_bits) / self.gain * 1e6

    @property
    def offset(self) -> float:
        """Value that means 0 µV: mid-scale for raw counts, 0 otherwise."""
        if self.units == "counts" and self.signal == "raw":
            return (1 << (self.adc_bits or 10)) / 2.0
        return 0.0

    def to_uv(self, x: np.ndarray) -> np.ndarray:
        """Sample values (any shape) in µV at the skin: ``(x - offset) * uv_per_unit``.

        >>> Representation("raw", "counts", 10).to_uv(np.array([512.0, 513.0]))
        array([ 0.       , 24.4140625])
        """
        u = np.subtract(x, self.offset)
        u *= self.uv_per_unit  # in place: one array, not two
        return u

    @property
    def physical(self) -> tuple[str, float, float]:
        """``(unit, scale, offset)``: a stored value ``x`` is ``(x - offset) * scale`` in ``unit``.

        Raw EMG in ADC counts becomes µV at the skin; the MyoWare ENV output, whose gain is set
        by the sensor's potentiometer, becomes mV at the ENV pin; physical units stay as they are.
        """
        if self.units != "counts":
            return self.units, 1.0, 0.0
        if self.signal == "env":
            return "mV", self.adc_vref_v / (1 << (self.adc_bits or 10)) * 1e3, 0.0
        return "uV", self.uv_per_unit, self.offset

    def to_dict(self) -> dict[str, object]:
        return {"signal": self.signal, "units": self.units, "adc_bits": self.adc_bits}


@dataclass(frozen=True, slots=True)
class Block:
    """A contiguous run of samples from one stream.

    Parameters
    ----------
    data : ndarray, shape (n_channels, n_samples)
        Sample values in the units of the stream's :class:`Representation`.
    fs : float
        Sample rate in Hz.
    start : int
        Index of ``data[:, 0]`` on the stream's own sample clock (counts lost samples).
    t0 : float
        Time in s of ``data[:, 0]`` on the stream's time axis (file ``time_s`` or host clock).
    gap : int
        Samples missing immediately before this block (0 for a contiguous stream).
    channels : tuple of str
        One name per row of ``data``.
    """

    data: np.ndarray
    fs: float
    start: int = 0
    t0: float = 0.0
    gap: int = 0
    channels: tuple[str, ...] = ("calf",)

    def __post_init__(self) -> None:
        if self.data.ndim != 2 or self.data.shape[0] != len(self.channels):
            raise InputError(
                f"Block data must be shaped (n_channels={len(self.channels)}, n_samples), "
                f"got {self.data.shape}"
            )

    @property
    def n_channels(self) -> int:
        return self.data.shape[0]

    @property
    def n_samples(self) -> int:
        return self.data.shape[1]

    @property
    def stop(self) -> int:
        """Sample index just past the last sample."""
        return self.start + self.n_samples

    @property
    def t_end(self) -> float:
        """Time in s just past the last sample."""
        return self.t0 + self.n_samples / self.fs

    def times(self) -> np.ndarray:
        """Time in s of every sample, shape (n_samples,)."""
        return self.t0 + np.arange(self.n_samples) / self.fs


@dataclass(frozen=True, slots=True)
class Event:
    """A detector event on one channel.

    ``alert_s`` is when the live pipeline, having seen samples only up to then, raised it;
    ``end_s`` is None while the event is ongoing. The detector emits an event once when it
    is raised and again, with the same ``id`` and ``end_s`` set, when it ends. Events are
    immutable: ``detail`` is a read-only copy of the mapping given.

    >>> e = Event("calf", "cramp", 10.0, 12.5, detail={"path": "slow"})
    >>> e.detail["path"] = "fast"
    Traceback (most recent call last):
    TypeError: 'mappingproxy' object does not support item assignment
    """

    channel: str
    kind: str
    onset_s: float
    alert_s: float
    end_s: float | None = None
    confidence: float = 1.0
    id: int = 0
    detail: Mapping[str, float | str | bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # plain Python values (numpy scalars come out of the detector): what the API hands
        # out, the JSON output and the history database hold are the same types
        for name in ("onset_s", "alert_s", "end_s", "confidence", "id"):
            v = getattr(self, name)
            if isinstance(v, np.generic):
                object.__setattr__(self, name, v.item())
        detail = {k: v.item() if isinstance(v, np.generic) else v for k, v in self.detail.items()}
        object.__setattr__(self, "detail", MappingProxyType(detail))

    def __reduce__(self) -> tuple[type[Event], tuple[object, ...]]:
        """Pickle (bulk runs in worker processes) with ``detail`` as a plain dict."""
        return (
            Event,
            (self.channel, self.kind, self.onset_s, self.alert_s, self.end_s,
             self.confidence, self.id, dict(self.detail)),
        )  # fmt: skip

    @property
    def ongoing(self) -> bool:
        return self.end_s is None

    def ended(self, end_s: float) -> Event:
        return dataclasses.replace(self, end_s=end_s)

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "channel": self.channel,
            "kind": self.kind,
            "onset_s": round(float(self.onset_s), 3),
            "alert_s": round(float(self.alert_s), 3),
            "end_s": None if self.end_s is None else round(float(self.end_s), 3),
            "confidence": round(float(self.confidence), 3),
        }
        if self.detail:  # plain Python values already (__post_init__)
            out["detail"] = dict(self.detail)
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, object], default_id: int = 0) -> Event:
        """The event :meth:`to_dict` wrote (``id`` too when present; ``kind`` defaults to
        "cramp", ``alert_s`` to ``onset_s``); :class:`InputError` if it is malformed.

        >>> e = Event("calf", "cramp", 10.0, 12.5, 40.0, 0.7, id=3, detail={"path": "slow"})
        >>> Event.from_dict(e.to_dict(), default_id=3) == e
        True
        """
        try:
            return cls(
                channel=str(d["channel"]),
                kind=str(d.get("kind", "cramp")),
                onset_s=float(d["onset_s"]),  # type: ignore[arg-type]
                alert_s=float(d.get("alert_s", d["onset_s"])),  # type: ignore[arg-type]
                end_s=None if d.get("end_s") is None else float(d["end_s"]),  # type: ignore[arg-type]
                confidence=float(d.get("confidence", 1.0)),  # type: ignore[arg-type]
                id=int(d.get("id", default_id)),  # type: ignore[call-overload]
                detail=dict(d.get("detail") or {}),  # type: ignore[call-overload]
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"bad event {dict(d)!r}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class QualityInterval:
    """A stretch of one channel with a signal-quality problem (see ``QUALITY_ISSUES``).

    ``end_s`` is None while the problem is ongoing.
    """

    channel: str
    issue: str
    start_s: float
    end_s: float | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "channel": self.channel,
            "start_s": round(float(self.start_s), 3),
            "end_s": None if self.end_s is None else round(float(self.end_s), 3),
            "issue": self.issue,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, object]) -> QualityInterval:
        """The interval :meth:`to_dict` wrote; :class:`InputError` if it is malformed."""
        try:
            return cls(
                channel=str(d["channel"]),
                issue=str(d["issue"]),
                start_s=float(d["start_s"]),  # type: ignore[arg-type]
                end_s=None if d.get("end_s") is None else float(d["end_s"]),  # type: ignore[arg-type]
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"bad quality interval {dict(d)!r}: {exc}") from exc
