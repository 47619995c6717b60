"""Per channel, is it the kind of signal it is scored as (raw EMG or an envelope)?

A MyoWare 2.0 has a RAW and an ENV output, and a board streams one signal code for all its
channels; a file is read with one representation for all of them. A user who wires one calf's
RAW and the other's ENV (or one sensor's RAW and ENV as two channels) would get one of them
scored as the wrong kind, silently. :class:`ChannelKindCheck` watches every channel against
the representation it is scored with, from the samples as they arrive, one 1-s window at a
time (a few reductions per window, nothing per sample in Python), and says where a channel
disagrees.

Evidence per window, by the representation's values:

- ADC counts (the rules of :mod:`crampdetect.ingest.inference`, per channel): an envelope
  *rests near the bottom* of the range (window median within 2 counts..15 % of full scale, not
  stuck at a rail); raw EMG *swings symmetrically about mid-scale* (median within 20-80 % of
  full scale, jagged sample to sample, as far above as below its median) or rests there
  (quiet, above the envelope's resting range); to a stream scored as an envelope, only at the
  level of the window before (raw EMG swings about the board's fixed offset, an active envelope
  does not stay at one level).
- Physical units: raw EMG is a bipolar oscillation (at least 5 % negative samples in a window);
  an envelope is never negative and varies slowly (sample-to-sample steps small against its
  spread, :data:`SMOOTH_JAG`, scaled down above 1 kHz), which it shows when active. Raw EMG
  low-passed hard, or with a DC offset, can be as smooth and positive for a while, but it
  goes negative somewhere: one bipolar window keeps a channel scored as raw from disagreeing.

A channel *disagrees* once :data:`MIN_WINDOWS` (:data:`MIN_WINDOWS_ENV` for a channel scored as
an envelope) windows of it look like the other kind and they
outnumber the windows that look like its own kind :data:`OUTNUMBER` times
(:data:`OUTNUMBER_ENV` for a channel scored as an envelope; in physical units, a channel
scored as raw only while none of its windows was bipolar); it agrees again once its own kind's
windows are as many (the counts are cumulative, so this settles, and the gap between the two
thresholds keeps it from flapping). A raw output
pinned at a rail (a lead-off) is stuck, not evidence; one that floats near the bottom looks
like a resting envelope, which is why one disagreeing window is not enough, and why the
windows of raw at rest count against it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crampdetect.core import Representation
from crampdetect.ingest.inference import ENV_REACH, MID_SPREAD, WINDOW_S

#: The quality issue of a channel that is not of the kind it is scored as.
MISMATCH = "signal_mismatch"
#: Windows (1 s each) of the other kind before a channel disagrees.
MIN_WINDOWS = 10
#: The same for a channel scored as an envelope (an envelope can look raw for a while).
MIN_WINDOWS_ENV = 30
#: Raw EMG in counts swings about its board's fixed offset: a window looks raw (to a stream
#: scored as an envelope) only if its median is within this fraction of full scale (at least
#: CENTRE_MIN_COUNTS) of the previous window's. Raw medians step by 0-1 count (99 %: <= 0.4 %
#: of full scale) in the simulated sets; an active envelope's by 4-7 counts at 10 bits.
CENTRE_STEP = 0.0025
CENTRE_MIN_COUNTS = 2.0
#: The other kind's windows must outnumber the own kind's this many times (a channel scored
#: as raw EMG that looks like an envelope).
OUTNUMBER = 2
#: The same for a channel scored as an envelope that looks like raw EMG: an envelope can look
#: raw for minutes (a sustained effort at mid-scale with a noisy output; the stress set's
#: calf raises at 500 Hz reach 5 to 1), raw EMG rests near the bottom only while a lead-off
#: floats there.
OUTNUMBER_ENV = 20
#: An envelope in physical units is smooth: mean |sample step| / standard deviation of a window
#: below this up to 1 kHz (scaled by 1000 / rate above it); raw EMG at 1 kHz is about 1, an
#: active envelope a few hundredths.
SMOOTH_JAG = 0.15
#: Standard deviation (in the values) below which a physical window says nothing (flat).
FLAT_REL = 1e-6
#: Share of negative samples that makes a physical window raw EMG.
NEG_SHARE = 0.05
#: Raw EMG in counts is jagged: mean |sample step| / standard deviation at least this.
RAW_JAG = 0.5

_KIND_TEXT = {"raw": "raw EMG (RAW output)", "env": "an envelope (ENV output)"}


@dataclass(frozen=True)
class KindChange:
    """A channel starts (``disagrees``) or stops disagreeing at sample ``index`` (the end of
    the deciding window, counted from the stream's first sample)."""

    channel: int
    index: int
    disagrees: bool


class ChannelKindCheck:
    """Watches each channel of a stream against the representation it is scored with.

    Parameters
    ----------
    fs : float
        Sample rate, Hz.
    n_channels : int
    representation : Representation
        How the stream is scored (its values: counts or physical units).
    """

    def __init__(self, fs: float, n_channels: int, representation: Representation) -> None:
        self.fs = float(fs)
        self.representation = representation
        self._w = max(8, round(WINDOW_S * fs))
        self._tail: np.ndarray | None = None
        self._n_windows = 0
        self.own = np.zeros(n_channels, dtype=np.int64)  # windows that look like the scored kind
        self.other = np.zeros(n_channels, dtype=np.int64)  # windows that look like the other
        self.disagrees = np.zeros(n_channels, dtype=bool)
        self._last_med = np.full(n_channels, np.nan)  # median of the last window (counts)

    @property
    def other_kind(self) -> str:
        return "env" if self.representation.signal == "raw" else "raw"

    def feed(self, x: np.ndarray) -> list[KindChange]:
        """Take in samples (n_channels, n) in stream order; the changes they brought."""
        x = np.asarray(x, dtype=float)
        buf = x if self._tail is None else np.concatenate([self._tail, x], axis=1)
        w = self._w
        k = buf.shape[1] // w
        self._tail = buf[:, k * w :].copy()
        if not k:
            return []
        own, other = self._evidence(buf[:, : k * w].reshape(buf.shape[0], k, w))
        rep = self.representation
        # raw EMG cannot rest near the bottom (only a floating lead-off can), but an envelope
        # can sit at mid-scale for minutes looking raw (a sustained effort, a noisy output)
        ratio = OUTNUMBER if rep.signal == "raw" else OUTNUMBER_ENV
        least = MIN_WINDOWS if rep.signal == "raw" else MIN_WINDOWS_ENV
        physical_raw = rep.units != "counts" and rep.signal == "raw"
        changes: list[KindChange] = []
        for j in range(k):  # windows in order (a few per block; channels at once)
            self.own += own[:, j]
            self.other += other[:, j]
            start = (self.other >= least) & (self.other > ratio * self.own)
            if physical_raw:
                start &= self.own == 0  # an envelope in physical units is never negative
            stop = self.own >= self.other  # once flagged, until its own kind catches up
            if physical_raw:
                stop |= self.own > 0
            new = np.where(self.disagrees, ~stop, start)
            for c in np.flatnonzero(new != self.disagrees).tolist():
                changes.append(KindChange(c, (self._n_windows + j + 1) * w, bool(new[c])))
            self.disagrees = new
        self._n_windows += k
        return changes

    def _evidence(self, win: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per channel and window (n_channels, k): looks like the scored kind, like the other."""
        rep = self.representation
        with np.errstate(invalid="ignore", divide="ignore"):
            ok = np.all(np.isfinite(win), axis=2)
            win = np.where(np.isfinite(win), win, 0.0)
            lo, hi = win.min(axis=2), win.max(axis=2)
            if rep.units == "counts":
                fs_ = float(rep.full_scale or (1 << int(rep.adc_bits or 10)) - 1)
                q1, med, q3 = np.percentile(win, [25, 50, 75], axis=2)
                sd = win.std(axis=2)
                jag = np.abs(np.diff(win, axis=2)).mean(axis=2) / np.maximum(sd, 1e-12)
                stuck = (hi - lo <= 1) & ((lo <= 1) | (hi >= fs_ - 1))
                env = ok & ~stuck & (med >= 2) & (med <= ENV_REACH * fs_)
                swing = (
                    ok & (med >= 0.2 * fs_) & (med <= 0.8 * fs_) & (q3 - q1 >= 3)
                    & (jag >= RAW_JAG) & (np.abs((hi - med) - (med - lo)) <= 0.5 * (hi - lo))
                )  # fmt: skip
                quiet_mid = ok & (lo > ENV_REACH * fs_) & (hi - lo <= MID_SPREAD * fs_)
                raw = swing | quiet_mid
                if rep.signal == "env":  # raw EMG swings about a fixed level: its offset
                    prev = np.concatenate([self._last_med[:, None], med[:, :-1]], axis=1)
                    tol = max(CENTRE_MIN_COUNTS, CENTRE_STEP * fs_)
                    raw &= np.abs(med - prev) <= tol
                self._last_med = med[:, -1].copy()
            else:
                neg = (win < 0).mean(axis=2)
                sd = win.std(axis=2)
                flat = sd <= FLAT_REL * np.maximum(np.abs(lo), np.abs(hi))
                jag = np.abs(np.diff(win, axis=2)).mean(axis=2) / np.maximum(sd, 1e-30)
                smooth = jag < SMOOTH_JAG * min(1.0, 1000.0 / self.fs)
                raw = ok & ~flat & (neg >= NEG_SHARE)
                env = ok & ~flat & (lo >= 0) & smooth
        if rep.signal == "raw":
            return raw.astype(np.int64), env.astype(np.int64)
        return env.astype(np.int64), raw.astype(np.int64)

    def message(self, name: str) -> str:
        """What the user is told about channel ``name`` that disagrees (one line)."""
        return kind_message(name, self.representation)


def kind_message(name: str, representation: Representation) -> str:
    """What the user is told about channel ``name``, flagged ``signal_mismatch`` while scored
    with ``representation`` (one line: the channel, what it looks like, the fix)."""
    scored = representation.signal
    other = "env" if scored == "raw" else "raw"
    every = "an envelope" if other == "env" else "raw EMG"
    return (
        f"channel {name} looks like {_KIND_TEXT[other]} but is scored as "
        f"{_KIND_TEXT[scored]}: it is flagged {MISMATCH} and no cramp is alerted "
        "from it. A board streams one signal for all its channels (the sketch's "
        "SIGNAL_CODE): wire every channel to the same MyoWare output; if every channel is "
        f"{every}, give --signal {other} (a file) or set SIGNAL_CODE to match (a board)"
    )
