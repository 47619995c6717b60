"""Per-user calibration: resting and maximal calf EMG, measured by a guided routine.

The routine per leg (:class:`Protocol`): relax 30 s; three short maximal calf contractions
with pauses; a gentle stretch. From it, per channel: the rest RMS (µV, defined like the
detector's baseline: the median over 1-s segments of their 20th-percentile 100-ms RMS, so it
can be used as the frozen baseline) and the maximal RMS (µV, the highest 500-ms moving RMS
of any contraction). The profile is a JSON file per user in the data directory; the detector
takes ``load_calibration(user)`` as ``calibration={channel: (rest_rms_uv, max_rms_uv)}``.
Bad calibrations are refused with the reason (:class:`CalibrationError`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from crampdetect.core import InputError, Representation
from crampdetect.filters.sos import bandpass_sos
from crampdetect.storage.paths import profile_path

logger = logging.getLogger(__name__)

#: Maximal RMS must be at least this many times the rest RMS.
MIN_SEPARATION = 10.0
#: A contraction counts as seen when its peak 500-ms RMS exceeds this many times rest.
SEEN_RATIO = 5.0
#: Contractions (of the protocol's three) that must be seen for a calibration to count.
MIN_SEEN = 2
#: Lowest plausible rest RMS in µV for a connected electrode (below: flat line, lead-off).
MIN_REST_UV = 0.3
PROFILE_VERSION = 1


class CalibrationError(InputError):
    """A calibration was refused; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class Phase:
    """One step of the routine: ``name`` from ``start_s`` to ``end_s`` (s from its start)."""

    name: str
    start_s: float
    end_s: float
    prompt: str


@dataclass(frozen=True, slots=True)
class Protocol:
    """Timing of the routine, in s."""

    relax_s: float = 30.0
    settle_s: float = 5.0
    contract_s: float = 3.0
    pause_s: float = 10.0
    n_contractions: int = 3
    stretch_s: float = 15.0

    def phases(self) -> list[Phase]:
        """The steps in order, with the text to show at each."""
        out = [Phase("relax", 0.0, self.relax_s, "Relax the leg completely and stay still.")]
        t = self.relax_s
        for k in range(1, self.n_contractions + 1):
            out.append(
                Phase(
                    f"contract{k}",
                    t,
                    t + self.contract_s,
                    f"Contraction {k}/{self.n_contractions}: push the toes down as hard as "
                    f"you can (point the foot) for {self.contract_s:.0f} s.",
                )
            )
            t += self.contract_s
            out.append(Phase(f"pause{k}", t, t + self.pause_s, "Relax."))
            t += self.pause_s
        out.append(
            Phase(
                "stretch",
                t,
                t + self.stretch_s,
                "Gently pull the toes towards the shin and hold, without tensing the calf.",
            )
        )
        return out

    @property
    def duration_s(self) -> float:
        return self.phases()[-1].end_s


@dataclass(slots=True)
class ChannelCalibration:
    """Result for one channel (µV at the skin)."""

    channel: str
    leg: str
    rest_rms_uv: float
    max_rms_uv: float
    stretch_rms_uv: float
    contractions_seen: int
    warnings: list[str] = field(default_factory=list)

    @property
    def separation(self) -> float:
        return self.max_rms_uv / self.rest_rms_uv


def moving_mean(x: np.ndarray, n: int) -> np.ndarray:
    """Mean over every run of ``n`` samples (length ``len(x) - n + 1``), via a cumulative sum."""
    c = np.concatenate([[0.0], np.cumsum(x)])
    return (c[n:] - c[:-n]) / n


def analyse(
    x_uv: np.ndarray,
    fs: float,
    signal: str,
    channel: str,
    leg: str,
    protocol: Protocol = Protocol(),
    problems: tuple[str, ...] = (),
) -> ChannelCalibration:
    """Compute and check one channel's calibration from the routine's samples.

    Parameters
    ----------
    x_uv : ndarray, shape (n_samples,)
        The routine's samples in µV (offset removed), from its first phase on.
    fs : float
        Sample rate in Hz.
    signal : {"raw", "env"}
        Raw EMG is band-passed 20-450 Hz first; an envelope is used as it is.
    problems : tuple of str
        Quality issues the pipeline flagged during the routine (``lead_off``, ``saturation``).

    Raises
    ------
    CalibrationError
        Lead-off, saturation, no contraction seen, or too little separation.
    """
    from scipy.signal import sosfilt

    n_need = int(protocol.duration_s * fs)
    if x_uv.size < n_need:
        raise CalibrationError(
            f"{leg}: the recording ended after {x_uv.size / fs:.0f} s; "
            f"the routine needs {protocol.duration_s:.0f} s"
        )
    if not np.isfinite(x_uv).all():
        raise CalibrationError(f"{leg}: the signal has missing (NaN) samples")
    if "lead_off" in problems:
        raise CalibrationError(f"{leg}: electrode lead-off detected: check the electrode contact")
    if "saturation" in problems:
        raise CalibrationError(
            f"{leg}: the signal saturated (clipped): lower the sensor gain and repeat"
        )
    if signal == "raw":
        y = sosfilt(bandpass_sos(fs), x_uv - x_uv[: int(fs)].mean())
        power = y * y
    else:
        power = x_uv * x_uv  # an envelope: its "RMS" is its level
    n100, n500 = max(1, round(0.1 * fs)), max(1, round(0.5 * fs))

    def span(name: str) -> np.ndarray:
        ph = next(p for p in protocol.phases() if p.name == name)
        return power[int(ph.start_s * fs) : int(ph.end_s * fs)]

    relax = span("relax")[int(protocol.settle_s * fs) :]
    n_seg = relax.size // int(fs)
    hops = relax[: n_seg * int(fs)].reshape(n_seg, -1)[:, : (int(fs) // n100) * n100]
    rms100 = np.sqrt(hops.reshape(n_seg, -1, n100).mean(axis=-1))
    rest = float(np.median(np.percentile(rms100, 20, axis=-1)))
    if rest < MIN_REST_UV:
        raise CalibrationError(
            f"{leg}: no signal at rest ({rest:.2f} µV): sensor unplugged or electrode lead-off"
        )
    peaks = []
    for k in range(1, protocol.n_contractions + 1):
        # Allow for a late reaction: look into the first 2 s of the following pause.
        seg = np.concatenate([span(f"contract{k}"), span(f"pause{k}")[: int(2 * fs)]])
        peaks.append(float(np.sqrt(max(moving_mean(seg, n500).max(), 0.0))))
    seen = sum(p >= SEEN_RATIO * rest for p in peaks)
    top = max(peaks)
    if seen == 0:
        raise CalibrationError(
            f"{leg}: no contraction seen (peak {top:.0f} µV vs rest {rest:.1f} µV): "
            "push the toes down harder, or check the electrode placement"
        )
    if seen < min(MIN_SEEN, protocol.n_contractions):
        raise CalibrationError(
            f"{leg}: only {seen} of {protocol.n_contractions} contractions seen: follow the "
            "prompts and push the toes down hard each time"
        )
    if top / rest < MIN_SEPARATION:
        raise CalibrationError(
            f"{leg}: maximum is only {top / rest:.1f}x rest (need {MIN_SEPARATION:.0f}x): "
            "check the electrodes sit on the calf muscle belly and contract harder"
        )
    warnings = []
    if seen < protocol.n_contractions:
        warnings.append(f"only {seen} of {protocol.n_contractions} contractions seen")
    stretch = float(np.sqrt(span("stretch").mean()))
    if stretch > 3.0 * rest:
        warnings.append(f"the calf was active during the stretch ({stretch / rest:.1f}x rest)")
    return ChannelCalibration(channel, leg, rest, top, stretch, seen, warnings)


def save_calibration(
    user: str,
    results: list[ChannelCalibration],
    representation: Representation,
    fs: float,
    source: str = "",
) -> str:
    """Merge ``results`` into the user's profile (other channels are kept); return its path."""
    path = profile_path(user)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    doc = _read_profile(path) if path.exists() else {"version": PROFILE_VERSION, "user": user}
    now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    channels = dict(doc.get("channels") or {})
    for r in results:
        channels[r.channel] = {
            "leg": r.leg,
            "rest_rms_uv": round(r.rest_rms_uv, 3),
            "max_rms_uv": round(r.max_rms_uv, 3),
            "stretch_rms_uv": round(r.stretch_rms_uv, 3),
            "baseline_frozen": True,
            "contractions_seen": r.contractions_seen,
            "warnings": r.warnings,
            "date": now,
            "representation": representation.to_dict(),
            "fs": fs,
            "source": source,
        }
    doc.update(version=PROFILE_VERSION, user=user, updated=now, channels=channels)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
    tmp.replace(path)
    logger.info("calibration of %s saved to %s", ", ".join(r.channel for r in results), path)
    return str(path)


def load_calibration(user: str) -> dict[str, tuple[float, float]] | None:
    """The user's calibration as ``{channel: (rest_rms_uv, max_rms_uv)}``, or None if none.

    Raises :class:`~crampdetect.core.InputError` if the profile exists but is unreadable.
    """
    path = profile_path(user)
    if not path.exists():
        return None
    doc = _read_profile(path)
    try:
        return {
            ch: (float(v["rest_rms_uv"]), float(v["max_rms_uv"]))
            for ch, v in (doc.get("channels") or {}).items()
        } or None
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"Calibration profile {path} is damaged ({exc}): calibrate again") from exc


def _read_profile(path: Path) -> dict:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"Calibration profile {path} is not valid JSON: calibrate again") from exc
    if not isinstance(doc, dict) or doc.get("version", 0) > PROFILE_VERSION:
        raise InputError(f"Calibration profile {path} has an unknown format: calibrate again")
    return doc
