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
import re
import warnings as pywarnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from crampdetect.core import InputError, Representation
from crampdetect.filters.sos import bandpass_sos
from crampdetect.ingest.columns import unit_from_name
from crampdetect.storage.paths import profile_path

if TYPE_CHECKING:  # the pipeline imports this module: no import at run time
    from crampdetect.pipeline.chain import Output, Pipeline

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


def calibration_users() -> list[str]:
    """The users a calibration profile is stored for (``profiles/NAME.json``), sorted."""
    folder = profile_path("default").parent
    return sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []


def delete_calibration(user: str) -> str | None:
    """Remove the user's calibration profile; its path, or None if there was none."""
    path = profile_path(user)
    try:
        path.unlink()
    except FileNotFoundError:
        return None
    logger.info("calibration profile %s deleted", path)
    return str(path)


class Calibration(dict):
    """A user's calibration, ``{channel: (rest_rms_uv, max_rms_uv)}`` keyed by the channel it
    was measured on, with the leg (``legs``) and date (``dates``) of each entry: the detector
    finds a stream's channel by its leg (:func:`calibrated_channels`)."""

    def __init__(self, *args, legs=None, dates=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.legs: dict[str, str] = dict(legs or {})
        self.dates: dict[str, str] = dict(dates or {})


def load_calibration(user: str) -> Calibration | None:
    """The user's calibration as ``{channel: (rest_rms_uv, max_rms_uv)}`` (a
    :class:`Calibration`, which knows each entry's leg), or None if none.

    Raises :class:`~crampdetect.core.InputError` if the profile exists but is unreadable.
    """
    path = profile_path(user)
    if not path.exists():
        return None
    doc = _read_profile(path)
    entries = doc.get("channels") or {}
    try:
        values = {
            ch: (float(v["rest_rms_uv"]), float(v["max_rms_uv"])) for ch, v in entries.items()
        }
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(f"Calibration profile {path} is damaged ({exc}): calibrate again") from exc
    if not values:
        return None
    legs = {ch: str(v["leg"]) for ch, v in entries.items() if isinstance(v.get("leg"), str)}
    dates = {ch: str(v.get("date") or "") for ch, v in entries.items()}
    return Calibration(values, legs=legs, dates=dates)


#: Words of a channel name that say nothing of the muscle or leg (left aside when a stream's
#: channel is matched to a calibrated one): what the signal is, not where it is measured.
GENERIC_WORDS = frozenset(
    ("emg", "semg", "ch", "chan", "channel", "raw", "env", "envelope", "signal", "sig", "leg")
)
#: The legs a channel name can name (a word of it, as ``calibrate --leg`` finds its channel).
LEGS = ("left", "right")
#: Words of a channel name that say it is the calf (the muscles of the calibration routine's
#: plantar flexion): read as ``calf``.
CALF_WORDS = frozenset(
    ("calf", "calves", "gastrocnemius", "gastroc", "gas", "gm", "gl", "mg", "lg", "soleus",
     "sol", "triceps", "surae")
)  # fmt: skip


def channel_words(name: str) -> tuple[str | None, frozenset[str]]:
    """The leg a channel name names (``left`` or ``right``, a word of it; None for none or
    both) and its other words (the muscle: ``calf``, ``ta``...), without the case, a unit
    suffix (``_mV``, ``(uV)``) and the :data:`GENERIC_WORDS`; the :data:`CALF_WORDS` read as
    ``calf``.

    ``calf_left``, ``Calf_Left_mV``, ``calf left (µV)`` and ``gastroc_left`` give
    ``("left", {"calf"})``."""

    words = [w for w in re.split(r"[^0-9a-zµμ]+", name.lower()) if w]
    if words and unit_from_name(name) is not None:
        words = words[:-1]  # the unit suffix
    legs = {w for w in words if w in LEGS}
    leg = legs.pop() if len(legs) == 1 else None
    other = {"calf" if w in CALF_WORDS else w for w in words if w not in LEGS}
    return leg, frozenset(other - GENERIC_WORDS)


def calibrated_channels(
    calibration: Mapping[str, object], channels: Sequence[str]
) -> dict[str, str]:
    """For each of ``channels`` that has one, the calibrated channel whose entry applies.

    The entry of the same name; else one of the same leg (the entry's leg, else the leg its
    name names) whose name does not name another muscle (:func:`channel_words`): the
    channel's name names none (``left``, ``emg_left``), or the same words, or both name the
    calf. An entry whose name names no muscle is of the calf: the routine calibrates the calf.
    A calibration is one per leg, whatever the column is called; ``calf_right`` never takes
    ``calf_left``'s, nor ``ta_left`` ``calf_left``'s (nor ``left``'s). Of several entries that
    fit, the newest (a leg calibrated again under another name).
    """
    legs = getattr(calibration, "legs", None) or {}
    dates = getattr(calibration, "dates", None) or {}
    known = {}
    for key in calibration:
        leg, muscle = channel_words(key)
        known[key] = (legs.get(key) or leg, muscle or frozenset({"calf"}))
    out: dict[str, str] = {}
    for ch in channels:
        if ch in calibration:
            out[ch] = ch
            continue
        leg, muscle = channel_words(ch)
        if leg is None:
            continue
        fits = [
            key
            for key, (key_leg, key_muscle) in known.items()
            if key_leg == leg
            and (not muscle or muscle == key_muscle or "calf" in muscle & key_muscle)
        ]
        if fits:
            out[ch] = max(fits, key=lambda k: dates.get(k, ""))
    return out


def _read_profile(path: Path) -> dict:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"Calibration profile {path} is not valid JSON: calibrate again") from exc
    if not isinstance(doc, dict) or doc.get("version", 0) > PROFILE_VERSION:
        raise InputError(f"Calibration profile {path} has an unknown format: calibrate again")
    return doc


#: A recording's quiet floor this many times the calibration's rest (or below 1/this) does
#: not fit the calibration: warned about.
MISMATCH_RATIO = 3.0
#: Seconds of signal the floor check needs before it judges.
CHECK_AFTER_S = 60.0
#: The recording's quiet floor: this percentile of its 1-s segment floors.
FLOOR_PERCENTILE = 20.0
#: Sample rates within this fraction of the calibration's are the same.
RATE_TOLERANCE = 0.02
#: Training sessions are stood, walked and run, never rested seated: their quiet floor is
#: quiet standing's tonic calf activity, up to this fraction of the calibrated maximum (2-8 %
#: MVC in the soleus), not the seated rest. The training check compares the floor with it:
#: from the rest / :data:`MISMATCH_RATIO` to :data:`MISMATCH_RATIO` times this x the maximum.
STANDING_MAX_FRACTION = 0.08


def load_profile_channels(user: str) -> dict[str, dict]:
    """What the user's profile stores per channel (rest, maximum, representation, rate, ...);
    empty if there is no profile."""
    path = profile_path(user)
    if not path.exists():
        return {}
    channels = _read_profile(path).get("channels") or {}
    return {str(k): dict(v) for k, v in channels.items() if isinstance(v, dict)}


def user_calibration(user: str | None) -> tuple[Calibration | None, dict[str, dict]]:
    """The calibration of ``user`` (``--user``, ``detect(user=...)``) and what the profile
    stores per channel (for :class:`CalibrationCheck`); ``(None, {})`` without a user.

    Raises :class:`~crampdetect.core.InputError` if the user has no calibration.

    >>> user_calibration(None)
    (None, {})
    """
    if not user:
        return None, {}
    calibration = load_calibration(user)
    if calibration is None:
        raise InputError(f"No calibration for user {user!r}: run `crampdetect calibrate`")
    return calibration, load_profile_channels(user)


class CalibrationCheck:
    """Does a stored calibration fit the recording it is used on?

    The representation and sample rate are compared at once (:meth:`setup_warnings`): a
    calibration measured on µV samples says nothing about the quantisation floor of 10-bit
    counts, nor one of raw EMG about an envelope. The resting level is compared as the
    recording goes (:meth:`feed` the pipeline's 100-ms envelope frames): the recording's own
    quiet floor, measured like the calibration's rest (per 1-s segment the 20th percentile of
    the frames; here the :data:`FLOOR_PERCENTILE` of those segment floors), more than
    :data:`MISMATCH_RATIO` times the calibration's rest (or less than its inverse) means the
    calibration does not fit it: the detector then learns the session's own rest above the
    calibrated one (it is only the lowest the baseline goes), and a rest that high misses
    cramps. A training session (``profile="training"``) has no seated rest: its quiet floor
    is quiet standing's, compared with :data:`STANDING_MAX_FRACTION` of the calibrated
    maximum instead (like with like).

    Parameters
    ----------
    stored : mapping
        The profile's channels (:func:`load_profile_channels`).
    channels : tuple of str
        The recording's channels (those without a calibration are not checked).
    representation : Representation
        The recording's.
    fs : float
        The recording's sample rate, Hz.
    frames_per_s : int
        Envelope frames per second (the pipeline's ``1 / hop_s``).
    user : str
        Named in the warnings.
    profile : {"night", "training"}
        The detector profile the recording is scored with (what its quiet floor is).
    """

    def __init__(
        self,
        stored: dict[str, dict],
        channels: tuple[str, ...],
        representation: Representation,
        fs: float,
        frames_per_s: int,
        user: str = "",
        profile: str = "night",
    ) -> None:
        self.channels = tuple(channels)
        self.profile = profile
        # the entry of each channel, found by leg as the detector finds it (calf_left_mV)
        legs = {k: str(v["leg"]) for k, v in stored.items() if isinstance(v.get("leg"), str)}
        dates = {k: str(v.get("date") or "") for k, v in stored.items()}
        found = calibrated_channels(Calibration(stored, legs=legs, dates=dates), self.channels)
        self.stored = {ch: stored[key] for ch, key in found.items()}
        self.rep = representation
        self.fs = fs
        self.seg = max(1, int(frames_per_s))
        self.user = user
        self._tail = np.zeros((len(self.channels), 0))
        self._floors: list[np.ndarray] = []  # (n_channels, k) segment floors, µV

    @property
    def checked_s(self) -> float:
        """Seconds of segment floors taken in."""
        return float(sum(f.shape[1] for f in self._floors))

    def feed(self, envelope_uv: np.ndarray | None) -> None:
        """Take in envelope frames (n_channels, n) in µV; segments are cut by frame count."""
        if envelope_uv is None or envelope_uv.size == 0:
            return
        buf = np.concatenate([self._tail, envelope_uv], axis=1)
        k = buf.shape[1] // self.seg
        if k:
            segs = buf[:, : k * self.seg].reshape(buf.shape[0], k, self.seg)
            with np.errstate(invalid="ignore"), pywarnings.catch_warnings():
                pywarnings.simplefilter("ignore", RuntimeWarning)  # all-NaN segments
                self._floors.append(np.nanpercentile(segs, 20, axis=2))
        self._tail = buf[:, k * self.seg :]

    def _who(self, channel: str) -> str:
        return f"the calibration of {self.user!r} for {channel}" if self.user else channel

    def setup_warnings(self) -> list[str]:
        """Representation and sample-rate mismatches (known before any sample), one line per
        kind of mismatch, naming its channels."""
        found: dict[str, list[str]] = {}  # message after the channels -> channels
        now = _rep_text(self.rep.signal, self.rep.units, self.rep.adc_bits)
        counts_now = self.rep.units == "counts"
        for ch in self.channels:
            doc = self.stored.get(ch)
            if not doc:
                continue
            have = doc.get("representation") or {}
            signal, units, bits = have.get("signal"), have.get("units"), have.get("adc_bits")
            other_signal = bool(signal) and signal != self.rep.signal
            other_adc = bool(units) and (
                (units == "counts") != counts_now or (counts_now and bits != self.rep.adc_bits)
            )
            if other_signal or other_adc:
                why = (
                    f"was measured on {_rep_text(signal, units, bits)}, this recording is "
                    f"{now}: its resting level may not fit; calibrate with the same sensor "
                    "and board"
                )
                found.setdefault(why, []).append(ch)
            fs = doc.get("fs")
            if isinstance(fs, (int, float)) and fs > 0 and abs(fs - self.fs) > RATE_TOLERANCE * fs:
                why = (
                    f"was measured at {fs:g} Hz, this recording is at {self.fs:g} Hz: "
                    "calibrate at the rate you record with"
                )
                found.setdefault(why, []).append(ch)
        return [f"{self._who(', '.join(chs))} {why}" for why, chs in found.items()]

    def floor_warnings(self) -> list[str]:
        """Resting-level mismatches, once :data:`CHECK_AFTER_S` of segments are in."""
        if self.checked_s < CHECK_AFTER_S:
            return []
        floors = np.concatenate(self._floors, axis=1)
        out = []
        for i, ch in enumerate(self.channels):
            doc = self.stored.get(ch)
            if not doc:
                continue
            try:
                rest = float(doc["rest_rms_uv"])
                top = float(doc.get("max_rms_uv") or 0.0)
            except (KeyError, TypeError, ValueError):
                continue
            row = floors[i][np.isfinite(floors[i])]
            if row.size < CHECK_AFTER_S or rest <= 0:
                continue
            floor = float(np.percentile(row, FLOOR_PERCENTILE))
            ratio = floor / rest
            standing = self.profile == "training" and top > 0
            high = MISMATCH_RATIO * (max(rest, STANDING_MAX_FRACTION * top) if standing else rest)
            if rest / MISMATCH_RATIO <= floor <= high:
                continue
            if floor < rest:
                effect = "cramps may be missed or alerted late"
            else:
                effect = "cramps may be alerted early until the detector learns its own rest"
            if standing and floor > rest:
                what = (
                    f"has a maximum of {top:.0f} µV, but this training session's quiet floor "
                    f"(standing) is {floor:.1f} µV ({100 * floor / top:.0f} % of it; quiet "
                    f"standing is up to {100 * STANDING_MAX_FRACTION:.0f} %)"
                )
            else:
                what = (
                    f"has a rest of {rest:.1f} µV, but this recording's quiet floor is "
                    f"{floor:.1f} µV ({ratio:.2g}x)"
                )
            out.append(
                f"{self._who(ch)} {what}: {effect}; calibrate again on this sensor, or score "
                "without --user"
            )
        return out

    def warnings(self) -> list[str]:
        return self.setup_warnings() + self.floor_warnings()


def _rep_text(signal: object, units: object, bits: object) -> str:
    what = "an ENV envelope" if signal == "env" else "raw EMG"
    if units == "counts":
        return f"{what} in {bits}-bit ADC counts"
    return f"{what} in {'µV' if units in (None, 'uV') else units}"


class CalibrationWatch:
    """The fit check of ``user``'s calibration over a scored stream: a
    :class:`CalibrationCheck` per pipeline (a stream that restarts, or is scored again with a
    revised representation, gets a new one), fed each output's envelope frames (:meth:`feed`
    after every block). What ``detect --user`` (and the API's ``detect(..., user=...)``),
    ``replay --user``, ``report --user`` warn about at the end (:meth:`warnings`: the last
    pipeline's) and ``monitor --user`` says as the stream goes (what :meth:`feed` returns).

    Parameters
    ----------
    stored : mapping
        The profile's channels (:func:`load_profile_channels`, the second value of
        :func:`user_calibration`).
    user : str
        Named in the warnings.
    """

    def __init__(self, stored: dict[str, dict], user: str | None) -> None:
        self.stored = stored
        self.user = user or ""
        self._pipe: Pipeline | None = None
        self._judged = False  # the floor warnings of this pipeline's check were returned
        self.check: CalibrationCheck | None = None

    def feed(self, pipe: Pipeline, out: Output) -> list[str]:
        """Take the envelope frames of ``out``, an output of the pipeline ``pipe``.

        Returns the warnings new with it (a live stream says them as it goes): a new
        pipeline's representation and rate mismatches (:meth:`CalibrationCheck.setup_warnings`),
        and once, when :data:`CHECK_AFTER_S` of its signal went through, the resting-level
        mismatches (:meth:`CalibrationCheck.floor_warnings`); else none.
        """
        new: list[str] = []
        if self.check is None or pipe is not self._pipe:  # a new pipeline: a new check
            self._pipe, self._judged = pipe, False
            self.check = CalibrationCheck(
                self.stored,
                pipe.channels,
                pipe.representation,
                pipe.fs,
                round(1.0 / pipe.hop_s),
                self.user,
                pipe.profile,
            )
            new += self.check.setup_warnings()
        self.check.feed(out.envelope_uv)
        if not self._judged and self.check.checked_s >= CHECK_AFTER_S:
            self._judged = True
            new += self.check.floor_warnings()
        return new

    def warnings(self, name: str | None = None) -> list[str]:
        """The warnings so far (the last pipeline's), each naming the recording ``name``
        (``"NAME: warning"``; None: the warnings alone, for an array without a name)."""
        lines = self.check.warnings() if self.check else []
        return lines if name is None else [f"{name}: {line}" for line in lines]
