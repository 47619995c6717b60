"""Infer how a recording's samples are expressed (raw or envelope, µV or ADC counts, bits).

One procedure for every entry point (:class:`RepresentationInference`). Evidence accumulates
over the stream as it arrives; the first decision is taken after :data:`LOOKAHEAD_S` of
samples (or at the end of a shorter stream) and revised whenever later samples contradict
it. Decisions depend on sample indices only, never on how the stream is cut into blocks.

Evidence and rules (values that are not finite or beyond ``1e7`` are corrupt, not evidence):

- units: integral values within 0-65535 are ADC counts; a fraction or a negative value
  proves physical units. Raw EMG in physical units is then µV, mV or V by its magnitude: its
  quiet floor (per channel the third-lowest 1-s standard deviation of the windows not stuck at
  one value, the recording's the lowest of its channels) is surface EMG at rest, at least
  :data:`REST_FLOOR_MIN_UV` (0.1 µV) and, in the scale below, under 1000 times that (the
  scale above starts there). A floor within
  :data:`UNITS_MARGIN` of a boundary, or implausible in every unit, is warned about
  (:attr:`RepresentationInference.warnings`); so are units named by a column name or a file
  header (``named_units``, which win) that the magnitude contradicts. An envelope in
  physical units stays in the named unit, else µV (its scale is the sensor's potentiometer,
  not the skin's), but a resting level (per channel the third-lowest 1-s mean, the lowest
  over channels) outside :data:`ENV_REST_MIN_UV`..:data:`ENV_REST_MAX_UV` in that unit is
  warned about.
- ADC bits: 10 while every count is at most 1023, 12 up to 4095, else 16; a larger value
  proves more bits.
- signal, judged per 1-s window: an envelope *rests near the bottom* of the ADC range (window
  median within 2 counts..15 % of full scale, not stuck at a rail); raw EMG *swings
  symmetrically about a mid-scale* (window median within 20-80 % of full scale, spread of at
  least 3 counts, jagged sample to sample, as far above as below its median). Three seconds of
  resting envelope make it an envelope; otherwise one swinging window makes it raw. In
  physical units an envelope is never negative, and a window with 5 % negative values makes
  it raw. Without evidence (e.g. a lead-off at a rail all along), counts centred in the
  middle of their range are raw; physical values that are never negative an envelope.
- Below 200 Hz it can only be an envelope: raw EMG needs its 20-450 Hz band.

Revisions go one way (more bits, counts -> µV, unknown -> evidence, raw -> envelope once an
envelope has rested for 3 s and for longer than the signal sat above an envelope's resting
range, envelope -> raw in physical units, µV -> mV -> V as the quiet floor only falls), so
they stop. A raw output pinned near a rail
(a lead-off) looks like a resting envelope window by window; only the history tells them apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from crampdetect.core import Representation
from crampdetect.ingest.columns import COLUMN_UNITS, unit_from_name

if TYPE_CHECKING:  # types only: storage is not needed to infer
    from crampdetect.storage.recording import Recording

#: Samples (s) seen before the first decision.
LOOKAHEAD_S = 30.0
#: Evidence window for the signal type (s).
WINDOW_S = 1.0
#: Values beyond this magnitude are corrupt samples, never evidence.
EVIDENCE_MAX = 1e7
#: Windows of resting envelope that make a recording an envelope.
ENV_WINDOWS = 3
#: An envelope at rest stays below this fraction of full scale.
ENV_REACH = 0.15
#: A window spanning at most this fraction of full scale is quiet (raw EMG at rest).
MID_SPREAD = 0.02
#: Lowest quiet floor of surface EMG at rest, µV RMS (amplifier noise alone is above it): a
#: floor below it in one unit is read in the next smaller unit (µV -> mV -> V).
REST_FLOOR_MIN_UV = 0.1
#: A quiet floor above this in µV RMS is implausible for any unit (still read as µV).
REST_FLOOR_MAX_UV = 5000.0
#: Resting level of an envelope in physical units (its third-lowest 1-s mean, the quietest
#: channel's), µV as the detector reads it: the MyoWare ENV output at rest (2 counts to 15 %
#: of full scale, :data:`ENV_REACH`) read from a 12-bit 3.3 V or a 10-bit 5 V ADC gives about
#: 8 µV to 4 mV. A level outside ENV_REST_MIN_UV..ENV_REST_MAX_UV in the named or assumed
#: unit is warned about (an envelope's unit is never changed by its magnitude).
ENV_REST_MIN_UV = 5.0
ENV_REST_MAX_UV = 5000.0
#: A floor within this factor of a unit boundary could be either unit: warned about.
UNITS_MARGIN = 2.0
#: The quiet floor is the ``QUIET_WINDOWS``-th lowest 1-s standard deviation of a channel.
QUIET_WINDOWS = 3
#: A window whose spread (max - min) is at most this fraction of its magnitude is stuck at one
#: value (a rail, a lead-off: float rounding gives its standard deviation ~1e-10): no floor.
FLAT_REL = 1e-6
#: Physical units by size, µV per unit.
_UNIT_SCALE = {"uV": 1.0, "mV": 1e3, "V": 1e6}
_SHOW = {"uV": "µV", "mV": "mV", "V": "V"}  # in messages (options keep ``uV``)


@dataclass
class Revision:
    """One change of the inferred representation, at ``at_s`` s of samples."""

    at_s: float
    field: str
    old: object
    new: object
    reason: str

    def to_dict(self) -> dict[str, object]:
        return {"at_s": round(self.at_s, 3), "field": self.field, "from": self.old,
                "to": self.new, "reason": self.reason}  # fmt: skip


@dataclass
class _Evidence:
    n: int = 0  # samples per channel seen
    integral: bool = True  # every value so far an integer within 0..65535 (ADC counts)
    negative: bool = False
    hi: float = -np.inf
    env_windows: int = 0
    raw_windows: int = 0
    mid_windows: int = 0  # quiet, above the envelope's resting range: where raw EMG rests
    neg_windows: int = 0
    medians: list[float] = field(default_factory=list)  # of windows not stuck at a rail
    # per channel, the QUIET_WINDOWS lowest 1-s standard deviations above 0 (physical units)
    quiet: np.ndarray | None = None
    # per channel, the QUIET_WINDOWS lowest 1-s means above 0 (physical units): where an
    # envelope rests
    rest: np.ndarray | None = None


class RepresentationInference:
    """Streaming representation inference with a bounded look-ahead and revisions.

    Parameters
    ----------
    fs : float
        Sample rate, Hz.
    signal, units, adc_bits : optional
        Values that are given: they win and are never revised.
    lookahead_s : float
        Samples (s) seen before the first decision.
    named_units : str, optional
        Units a column name or file header names (``units`` wins over it). They are used as
        given, but a magnitude that contradicts them is warned about.
    """

    def __init__(
        self,
        fs: float | None,
        signal: str | None = None,
        units: str | None = None,
        adc_bits: int | None = None,
        lookahead_s: float = LOOKAHEAD_S,
        named_units: str | None = None,
    ) -> None:
        self.fs = fs
        self.named_units = None if units else named_units
        # the magnitude is watched unless the units were given (named ones are checked)
        self._watch = units is None
        self.given = {"signal": signal, "units": units or named_units, "adc_bits": adc_bits}
        self._window = max(8, round(WINDOW_S * (fs or 1000.0)))
        self._lookahead = max(1, round(lookahead_s * (fs or 1000.0)))
        self.lookahead_s = lookahead_s
        self._ev = _Evidence()
        self._tail: np.ndarray | None = None
        self.representation: Representation | None = None
        self.decided_at_s: float | None = None
        self.revisions: list[Revision] = []

    # -- public -------------------------------------------------------------------------------
    @property
    def inferred(self) -> list[str]:
        """Names of the fields inferred rather than given."""
        out = [k for k in ("units", "adc_bits", "signal") if self.given[k] is None]
        if self.given["units"] not in (None, "counts"):
            out = [k for k in out if k != "adc_bits"]
        rep = self.representation
        if rep is not None and rep.units != "counts":
            out = [k for k in out if k != "adc_bits"]
        return out

    def feed(self, x: np.ndarray) -> bool:
        """Add samples (n_channels, n); True if this changed a decision already taken."""
        x = np.asarray(x, dtype=float)
        if x.ndim == 1:
            x = x[None, :]
        before = self.representation
        buf = x if self._tail is None else np.concatenate([self._tail, x], axis=1)
        w = self._window
        k = buf.shape[1] // w
        self._tail = buf[:, k * w :].copy()  # not a view of a block the caller may reuse
        if k:
            self._windows(buf[:, : k * w].reshape(buf.shape[0], k, w))
        return before is not None and self.representation != before

    def finish(self) -> Representation:
        """The decision (taken now if the stream was shorter than the look-ahead)."""
        if self._tail is not None and self._tail.shape[1]:
            tail, self._tail = self._tail, None
            self._windows(tail[:, None, :])
        if self.representation is None:
            self._decide()
        assert self.representation is not None
        return self.representation

    def info(self) -> dict[str, object]:
        """What the JSON ``input.inference`` says: look-ahead, decision time, revisions (and,
        when there are any, ``units_from`` a name and ``warnings`` about the units)."""
        out: dict[str, object] = {
            "lookahead_s": self.lookahead_s,
            "decided_at_s": None if self.decided_at_s is None else round(self.decided_at_s, 3),
            "revisions": [r.to_dict() for r in self.revisions],
        }
        if self.named_units:
            out["units_from"] = "name"
        warnings = self.warnings
        if warnings:
            out["warnings"] = warnings
        return out

    @property
    def quiet_floor(self) -> float | None:
        """The recording's quiet floor in its values (see the module), None without one."""
        q = self._ev.quiet
        if q is None:
            return None
        floor = float(q[:, -1].min())
        return floor if np.isfinite(floor) else None

    @property
    def rest_level(self) -> float | None:
        """An envelope's resting level in its values: the quietest channel's third-lowest 1-s
        mean (see :data:`ENV_REST_MIN_UV`), None without one."""
        r = self._ev.rest
        if r is None:
            return None
        level = float(r[:, -1].min())
        return level if np.isfinite(level) else None

    @property
    def warnings(self) -> list[str]:
        """Why the units may be wrong (one line each, for the user), empty if they are not."""
        rep, floor = self.representation, self.quiet_floor
        if rep is None or rep.units not in _UNIT_SCALE or not self._watch:
            return []
        if rep.signal == "env":
            return self._env_warnings(rep.units)
        if rep.signal != "raw":
            return []
        if floor is None:
            return []
        units, other, implausible = _read_floor(floor)
        at_rest = f"{_uv_text(floor * _UNIT_SCALE[rep.units])} RMS at rest"
        if self.named_units:
            if rep.units in (units, other):
                return []
            # in µV the level is already what it would be at rest: say it once
            level = "" if rep.units == "uV" else f" ({floor:.3g} {_SHOW[rep.units]})"
            return [
                f"its names say {_SHOW[rep.units]}, but its quiet level{level} would be "
                f"{at_rest}; in {_SHOW[units]} it is "
                f"{_uv_text(floor * _UNIT_SCALE[units])}: give --units {units} if the names "
                "are wrong"
            ]
        if implausible:
            return [
                f"its quiet level ({floor:.3g} per 1-s RMS) is not surface EMG at rest in µV, "
                f"mV or V: read as {_SHOW[rep.units]} ({at_rest}); give --units uV|mV|V if that is "
                "wrong"
            ]
        if other is None:
            return []
        return [
            f"its quiet level ({floor:.3g} per 1-s RMS) could be {_SHOW[rep.units]} or "
            f"{_SHOW[other]}: read as {_SHOW[rep.units]} ({at_rest}; in {_SHOW[other]} "
            f"{_uv_text(floor * _UNIT_SCALE[other])}); "
            f"give --units {other} if that is wrong"
        ]

    def _env_warnings(self, units: str) -> list[str]:
        """An envelope whose resting level does not fit the unit it is read in (named, or µV
        assumed): the level in that unit, and the unit it would fit."""
        level = self.rest_level
        if level is None:
            return []
        uv = level * _UNIT_SCALE[units]
        if ENV_REST_MIN_UV <= uv <= ENV_REST_MAX_UV:
            return []
        band = f"{_uv_text(ENV_REST_MIN_UV)} to {_uv_text(ENV_REST_MAX_UV)}"
        shown = f" ({level:.3g} V)" if units == "V" else ""  # µV and mV: shown as they are
        if self.named_units:
            head = f"its names say {_SHOW[units]}, but its resting envelope{shown} would be"
            unless = "if the names are wrong"
        else:
            head = (
                f"an envelope's unit is not inferred: read as {_SHOW[units]}, its resting "
                f"level{shown} would be"
            )
            unless = "if that is what it holds"
        fits = [
            u for u, k in _UNIT_SCALE.items() if ENV_REST_MIN_UV <= level * k <= ENV_REST_MAX_UV
        ]
        advice = (
            f"in {_SHOW[fits[0]]} it is {_uv_text(level * _UNIT_SCALE[fits[0]])}: give "
            f"--units {fits[0]} {unless}"
            if fits
            else f"give --units uV|mV|V {unless}"
        )
        return [f"{head} {_uv_text(uv)}, outside the {band} of an ENV output at rest; {advice}"]

    # -- internals ----------------------------------------------------------------------------
    def _windows(self, win: np.ndarray) -> None:
        """Take in complete windows (n_channels, k, w) in order, deciding where due."""
        ev = self._ev
        _, k, w = win.shape
        # Whole-block min/max first: NaN propagates, so one test covers the usual clean block.
        clean = bool(-EVIDENCE_MAX <= win.min() and win.max() <= EVIDENCE_MAX)
        ok = None
        if not clean:
            ok = np.isfinite(win) & (np.abs(np.where(np.isfinite(win), win, 0.0)) <= EVIDENCE_MAX)
        held = win if ok is None else np.where(ok, win, np.nan)
        # The nan-aware reductions are slow; corrupt samples are rare, so pay only then.
        mx, mn, pct, mean, std = (
            (np.max, np.min, np.percentile, np.mean, np.std)
            if clean
            else (np.nanmax, np.nanmin, np.nanpercentile, np.nanmean, np.nanstd)
        )
        # Once a window swung as raw EMG, only an envelope at rest can change the decision
        # (and the medians no longer can): the quartiles, spread and jaggedness are skipped,
        # and the median is computed only where the window reaches the envelope's range.
        swung = clean and ev.raw_windows > 0
        with np.errstate(invalid="ignore"), _quiet():
            lo, hi = mn(held, axis=2), mx(held, axis=2)
            w_hi = mx(hi, axis=0) if clean else mx(held, axis=(0, 2))  # the same maxima
            if ev.integral:
                if ok is None:  # every sample is evidence; negative where a minimum is
                    frac = np.logical_or.reduce(held != np.round(held), axis=2) | (lo < 0)
                    w_frac = np.logical_or.reduce(frac, axis=0)
                else:
                    bad = ok & ((held != np.round(held)) | (held < 0))
                    w_frac = bad.any(axis=(0, 2))
            else:
                w_frac = np.zeros(k, dtype=bool)
            if ev.integral and swung:
                top = max(ev.hi, float(w_hi.max()))
                reach = ENV_REACH * float((1 << (self._bits_of(top) or 16)) - 1)
                near = np.flatnonzero(np.logical_or.reduce(lo <= reach, axis=0))
                med = np.full(lo.shape, np.inf)  # above the envelope's range: not at rest
                if near.size:
                    med[:, near] = pct(held[:, near], 50, axis=2)
            elif ev.integral:  # the spread and jaggedness are evidence of counts only
                q1, med, q3 = pct(held, [25, 50, 75], axis=2)
                sd = std(held, axis=2)
                jag = mean(np.abs(np.diff(held, axis=2)), axis=2) / np.maximum(sd, 1e-12)
            elif self.given["units"] == "counts":  # medians decide given counts' signal
                med = pct(held, 50, axis=2)
            neg = mean(held < 0, axis=2) if not ev.integral or w_frac.any() else None
            # the magnitude of physical units: each window's standard deviation
            lvl = std(held, axis=2) if neg is not None and self._watch else None
            rest = None
            if lvl is not None:  # a window stuck at one value (a rail, a lead-off) says nothing
                flat = ~(hi - lo > FLAT_REL * np.maximum(np.abs(lo), np.abs(hi)))
                lvl = np.where(flat, np.nan, lvl)
                rest = np.where(flat, np.nan, mean(held, axis=2))  # an envelope's level
        valid = np.isfinite(hi)  # a window with a sample that is evidence
        keep_medians = ev.integral or self.given["units"] == "counts"
        if self.representation is not None and self._steady(
            w, swung, w_hi, w_frac, lo, hi, med if keep_medians else None, neg, valid, lvl, rest
        ):
            return
        for j in range(k):  # one window at a time: decisions do not depend on block cuts
            changed = False
            if np.isfinite(w_hi[j]) and w_hi[j] > ev.hi:
                changed |= self._bits_of(w_hi[j]) != self._bits_of(ev.hi)
                ev.hi = float(w_hi[j])
            if w_frac[j] and ev.integral:
                ev.integral = ev.negative = False  # physical units from here on
                changed = True
            v = valid[:, j]
            if ev.integral:
                fs_ = float((1 << self._bits()) - 1)
                m, a, b = med[:, j], lo[:, j], hi[:, j]
                stuck = (b - a <= 1) & ((a <= 1) | (b >= fs_ - 1))
                env = v & ~stuck & (m >= 2) & (m <= ENV_REACH * fs_)
                before = (self._env_rested(), ev.raw_windows > 0)
                ev.env_windows += int(env.sum())
                quiet_mid = v & (a > ENV_REACH * fs_) & (b - a <= MID_SPREAD * fs_)
                ev.mid_windows += int(quiet_mid.sum())
                if not swung:  # else raw_windows > 0 already, and the medians are not read
                    swing = (
                        v & (m >= 0.2 * fs_) & (m <= 0.8 * fs_) & (q3[:, j] - q1[:, j] >= 3)
                        & (jag[:, j] >= 0.5) & (np.abs((b - m) - (m - a)) <= 0.5 * (b - a))
                    )  # fmt: skip
                    ev.raw_windows += int(swing.sum())
                    ev.medians.extend(med[v & ~stuck, j].tolist())
                changed |= before != (self._env_rested(), ev.raw_windows > 0)
            else:
                before_neg = ev.neg_windows > 0
                assert neg is not None
                ev.neg_windows += int((v & (neg[:, j] >= 0.05)).sum())
                changed |= before_neg != (ev.neg_windows > 0)
                if keep_medians:
                    ev.medians.extend(med[v & (hi[:, j] > lo[:, j]), j].tolist())
                if lvl is not None:
                    quiet = self._quieter(lvl[:, j : j + 1], valid[:, j : j + 1])
                    changed |= _band(quiet) != _band(ev.quiet)
                    ev.quiet = quiet
                if rest is not None:  # never changes a decision: the units' warning reads it
                    ev.rest = _lowest(ev.rest, rest[:, j : j + 1], valid[:, j : j + 1])
            del ev.medians[:-1000]
            ev.n += w
            if self.representation is None:
                if ev.n >= self._lookahead:
                    self._decide()
            elif changed:
                self._decide()

    def _steady(self, w, swung, w_hi, w_frac, lo, hi, med, neg, valid, lvl, rest) -> bool:
        """Take in all k windows at once where none of them can change the decision (the
        evidence moves as the loop in :meth:`_windows` would move it); False, with nothing
        taken in, where one might: the windows then go one at a time."""
        ev = self._ev
        finite = w_hi[np.isfinite(w_hi)]
        top = float(finite.max()) if finite.size else ev.hi
        if top > ev.hi and self._bits_of(top) != self._bits_of(ev.hi):
            return False
        if ev.integral:
            if w_frac.any() or not swung:  # swung: no medians or swings are kept
                return False
            fs_ = float((1 << self._bits()) - 1)
            stuck = (hi - lo <= 1) & ((lo <= 1) | (hi >= fs_ - 1))
            env = int((valid & ~stuck & (med >= 2) & (med <= ENV_REACH * fs_)).sum())
            if env and not self._env_rested():  # resting-envelope windows could decide
                return False
            ev.env_windows += env
            ev.mid_windows += int(
                (valid & (lo > ENV_REACH * fs_) & (hi - lo <= MID_SPREAD * fs_)).sum()
            )
        else:
            negative = int((valid & (neg >= 0.05)).sum())
            if negative and not ev.neg_windows:
                return False
            quiet = None if lvl is None else self._quieter(lvl, valid)
            if quiet is not None and _band(quiet) != _band(ev.quiet):
                return False  # the floor only falls, so the band moved at one of the windows
            ev.neg_windows += negative
            if quiet is not None:
                ev.quiet = quiet
            if rest is not None:
                ev.rest = _lowest(ev.rest, rest, valid)
            if med is not None:  # window by window, channels in order, as the loop keeps them
                ev.medians.extend(med.T[(valid & (hi > lo)).T].tolist())
                del ev.medians[:-1000]
        ev.hi = max(ev.hi, top)
        ev.n += w * w_hi.size
        return True

    def _quieter(self, lvl: np.ndarray, valid: np.ndarray) -> np.ndarray:
        """The lowest window deviations per channel with those of ``lvl`` (n_channels, k)."""
        return _lowest(self._ev.quiet, lvl, valid)

    @staticmethod
    def _bits_of(hi: float) -> int:
        return 10 if hi <= 1023 else 12 if hi <= 4095 else 16 if hi <= 65535 else 0

    def _bits(self) -> int:
        return self._bits_of(self._ev.hi) or 16

    def _decide(self) -> None:
        ev, g = self._ev, self.given
        units = g["units"]
        if units is None:
            counts = ev.integral and ev.hi <= 65535
            units = "counts" if counts else "uV"
        bits = g["adc_bits"]
        if units == "counts" and bits is None:
            bits = self._bits()
        if units != "counts":
            bits = None
        signal = g["signal"]
        if signal is None:
            signal = self._signal(units, bits)
        floor = self.quiet_floor
        if g["units"] is None and units != "counts" and signal == "raw" and floor is not None:
            units = _read_floor(floor)[0]  # raw EMG in physical units: by its magnitude
        rep = Representation(signal=signal, units=units, adc_bits=bits)
        old = self.representation
        if old is None:
            self.decided_at_s = ev.n / (self.fs or 1000.0)
        elif rep != old:
            at = (ev.n - self._window) / (self.fs or 1000.0)  # start of the deciding window
            for name in ("units", "adc_bits", "signal"):
                a, b = getattr(old, name), getattr(rep, name)
                if a != b:
                    self.revisions.append(Revision(at, name, a, b, self._why(name, a, b)))
        self.representation = rep

    def _signal(self, units: str, bits: int | None) -> str:
        ev = self._ev
        if self.fs is not None and self.fs < 200.0:
            return "env"
        if units == "counts":
            if self._env_rested():
                return "env"
            if ev.raw_windows:
                return "raw"
            if not ev.medians:
                return "raw"  # stuck at a rail all along: nothing to go by yet
            centre = float(np.median(ev.medians)) / ((1 << int(bits or 10)) - 1)
            return "raw" if 0.25 <= centre <= 0.75 else "env"
        return "raw" if ev.neg_windows else "env"

    def _env_rested(self) -> bool:
        """Enough resting-envelope windows to call the counts an envelope. Once raw has been
        decided, they must also outnumber the quiet windows above the envelope's range: raw
        EMG rests at mid-scale, so a raw output pinned near a rail for a while (a lead-off)
        does not turn hours of raw into an envelope."""
        ev = self._ev
        if ev.env_windows < ENV_WINDOWS:
            return False
        rep = self.representation
        return rep is None or rep.signal == "env" or ev.env_windows > ev.mid_windows

    def _why(self, name: str, old: object, new: object) -> str:
        ev = self._ev
        if name == "adc_bits":
            return f"a value of {ev.hi:g} needs more than {'10' if new == 12 else '12'} bits"
        if name == "units" and old != "counts" and new in _UNIT_SCALE:
            floor = self.quiet_floor or 0.0
            return f"a quiet floor of {floor:.3g} RMS is surface EMG at rest in {new}"
        if name == "units":
            return "a fractional or negative value is not an ADC count"
        if new == "env":
            return f"{ev.env_windows} s of envelope at rest near the bottom of the range"
        return "the signal swings symmetrically about its mid-level"


def _lowest(table: np.ndarray | None, values: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """The :data:`QUIET_WINDOWS` lowest positive window values per channel of ``table`` and
    ``values`` (n_channels, k); a window of 0 or a constant one (NaN: a rail) says nothing."""
    if table is None:
        table = np.full((values.shape[0], QUIET_WINDOWS), np.inf)
    ok = valid & np.isfinite(values) & (values > 0)
    both = np.concatenate([table, np.where(ok, values, np.inf)], axis=1)
    return np.sort(both, axis=1)[:, :QUIET_WINDOWS]


def _read_floor(floor: float) -> tuple[str, str | None, bool]:
    """Units of raw EMG whose quiet floor is ``floor`` (in its values): ``(units, other,
    implausible)``, ``other`` the unit across a boundary within :data:`UNITS_MARGIN`."""
    if floor * _UNIT_SCALE["uV"] >= REST_FLOOR_MAX_UV:
        return "uV", None, True
    units = next((u for u, k in _UNIT_SCALE.items() if floor * k >= REST_FLOOR_MIN_UV), "V")
    level = floor * _UNIT_SCALE[units] / REST_FLOOR_MIN_UV  # 1..1000 inside the band
    if level < 1.0:
        return units, None, True  # below 0.1 µV even in V
    order = list(_UNIT_SCALE)
    i = order.index(units)
    if level < UNITS_MARGIN and i + 1 < len(order):
        return units, order[i + 1], False
    if level * UNITS_MARGIN >= 1000.0 and i > 0:
        return units, order[i - 1], False
    return units, None, False


def _band(quiet: np.ndarray | None) -> str | None:
    """The units a table of lowest window deviations reads as (None without a floor)."""
    if quiet is None:
        return None
    floor = float(quiet[:, -1].min())
    return _read_floor(floor)[0] if np.isfinite(floor) else None


def _uv_text(uv: float) -> str:
    return f"{uv / 1000:.3g} mV" if abs(uv) >= 1000 else f"{uv:.3g} µV"


def units_from_names(names: Iterable[str]) -> str | None:
    """Units named by channel or column names (``calf_mV``, ``EMG (uV)``, ``emg [V]``; read by
    :func:`crampdetect.ingest.columns.unit_from_name`), when the names that name one agree;
    None otherwise."""
    found = {u for name in names if (u := unit_from_name(name)) is not None}
    return found.pop() if len(found) == 1 else None


class _quiet:
    """Silence numpy's all-NaN warnings (windows of corrupt samples only)."""

    def __enter__(self) -> None:
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc: object) -> None:
        self._w.__exit__(*exc)


def infer_over(
    samples: Iterable[np.ndarray],
    fs: float | None = None,
    signal: str | None = None,
    units: str | None = None,
    adc_bits: int | None = None,
) -> RepresentationInference:
    """Run the inference over a whole stream of sample arrays (n_channels, n) and finish it."""
    inf = RepresentationInference(fs, signal, units, adc_bits)
    for x in samples:
        inf.feed(x)
    inf.finish()
    return inf


def infer_representation(
    sample: np.ndarray,
    signal: str | None = None,
    units: str | None = None,
    adc_bits: int | None = None,
    fs: float | None = None,
) -> tuple[Representation, list[str]]:
    """Representation of ``sample`` (n_channels, n) by :class:`RepresentationInference`.

    Returns
    -------
    representation : Representation
    inferred : list of str
        Names of the fields that were inferred rather than given.
    """
    inf = infer_over([np.asarray(sample, dtype=float)], fs, signal, units, adc_bits)
    assert inf.representation is not None
    return inf.representation, inf.inferred


#: Block length (s) in which the representation inference reads a recording.
INFER_BLOCK_S = 60.0


def resolve_inference(
    rec: Recording,
    signal: str | None = None,
    units: str | None = None,
    adc_bits: int | None = None,
    named_units: str | None = None,
) -> tuple[Representation, list[str], dict[str, object] | None]:
    """Like :func:`resolve_representation`, plus what the inference saw (None if none ran).

    The inference reads the whole recording (see :mod:`crampdetect.ingest.inference`); units
    its channel names name (``named_units``; default the unit its reader found in them,
    ``meta[COLUMN_UNITS]``, else :func:`units_from_names` of its channels) are used, checked
    against the magnitude (``warnings`` of the info).
    """
    rep = rec.representation
    if rep is not None and not (signal or units or adc_bits):
        return rep, [], None  # keeps the recording's gain and ADC reference too
    if rep is not None:
        signal = signal or rep.signal
        units = units or rep.units
        adc_bits = adc_bits or rep.adc_bits
    if signal and units and (units != "counts" or adc_bits):
        return Representation(signal, units, adc_bits if units == "counts" else None), [], None
    step = max(1, round(INFER_BLOCK_S * rec.fs))
    inf = RepresentationInference(
        rec.fs,
        signal,
        units,
        adc_bits,
        named_units=named_units or rec.meta.get(COLUMN_UNITS) or units_from_names(rec.channels),
    )
    for b in rec.iter_blocks(step):
        inf.feed(b.data)
    return inf.finish(), inf.inferred, inf.info()
