"""Wiring of one stream: blocks -> filters -> features -> quality + detector -> events.

This is the one code path shared by ``detect`` (files), ``replay`` and ``monitor`` (live):
the same samples cut into any blocks give the same events.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from crampdetect.calibration import calibrated_channels
from crampdetect.core import Block, Event, InputError, QualityInterval, Representation
from crampdetect.detect.baseline import BaselineTracker
from crampdetect.detect.cramp import HISTORY_S, CrampDetector, FrameEvent
from crampdetect.detect.early_warning import EarlyWarning
from crampdetect.detect.quality import QualityMonitor, RawFrameStats
from crampdetect.detect.settings import DetectorSettings, profile_settings
from crampdetect.features.flags import FrameFlags
from crampdetect.features.hop import FeatureFrames, HopFeatures
from crampdetect.filters.mains import MainsSuppressor
from crampdetect.filters.sos import SosFilter, bandpass_sos
from crampdetect.ingest.channelkind import MISMATCH, ChannelKindCheck
from crampdetect.storage.limits import MIN_EMG_RATE_HZ

#: A gap in the data up to this long (s, e.g. a USB or BLE link drop) leaves ongoing events
#: open: a cramp goes on across it as the same event, with the gap recorded in its detail.
#: A longer gap ends them: no event spans it.
LONG_GAP_S = 10.0
#: After a longer gap, a cramp it ended is raised again (a new event, alerted again) when the
#: envelope stays above the cramp's relaxation floor for this long (s) after the gap.
REEXAMINE_S = 2.0
MIN_RATE_HZ = {"raw": 200.0, "env": MIN_EMG_RATE_HZ}
MAX_RATE_HZ = 10_000.0
#: Physical samples beyond this at the skin (µV) are corrupt, not EMG: no front end passes 1 V.
ABSURD_UV = 1e6
#: Raw EMG whose median frequency (Hz) falls below this is motion artefact.
MOTION_MDF_HZ = 35.0


@dataclass(slots=True)
class Output:
    """What one :meth:`Pipeline.push` produced.

    ``events`` holds new events (``end_s`` None) and updates of ended ones (same ``id``);
    ``quality`` holds quality intervals as they open (``end_s`` None) and as they close.
    """

    events: list[Event] = field(default_factory=list)
    quality: list[QualityInterval] = field(default_factory=list)
    #: Envelope frames completed (100 ms RMS, µV, shape (n_channels, n_frames)), if any,
    #: and the time in s just past the last of them.
    envelope_uv: np.ndarray | None = None
    envelope_end_s: float = 0.0

    def extend(self, other: Output) -> None:
        self.events.extend(other.events)
        self.quality.extend(other.quality)
        if other.envelope_uv is not None:
            mine = self.envelope_uv
            both = other.envelope_uv if mine is None else np.hstack([mine, other.envelope_uv])
            self.envelope_uv, self.envelope_end_s = both, other.envelope_end_s


@dataclass(frozen=True, slots=True)
class ChannelStatus:
    """Live view of one channel: envelope level (µV at the skin), detector state, quality."""

    level_uv: float
    state: str
    quality: tuple[str, ...]


def _frames(a, lo: int, hi: int | None):
    """Frames ``lo .. hi - 1`` of a detector input (flags on the frame clock pass whole)."""
    return a if a is None or isinstance(a, FrameFlags) or callable(a) else a[:, lo:hi]


class _TimeMap:
    """Sample index -> time (s), anchored at the start and after every gap."""

    def __init__(self, fs: float) -> None:
        self.fs = fs
        self._idx: list[int] = []
        self._t0: list[float] = []

    def anchor(self, index: int, t0: float) -> None:
        self._idx.append(index)
        self._t0.append(t0)
        if len(self._idx) > 4096:  # keep memory flat on very gappy streams
            del self._idx[:2048], self._t0[:2048]

    def time(self, index: float) -> float:
        k = max(0, bisect.bisect_right(self._idx, index) - 1)
        return self._t0[k] + (index - self._idx[k]) / self.fs


class Pipeline:
    """Streaming detection for one multi-channel stream.

    Parameters
    ----------
    fs : float
        Sample rate in Hz (raw EMG: >= 200 Hz; envelope: >= 20 Hz).
    channels : sequence of str
        Channel names, one per row of each block.
    representation : Representation
        How the samples are expressed (raw/env, units, ADC bits).
    profile : {"night", "training"}
        Detector profile.
    settings : DetectorSettings, optional
        Overrides the profile's detector settings.
    calibration : mapping of str to (rest_rms_uv, max_rms_uv), optional
        Per-channel calibration: the resting level is the lowest the baseline goes (where
        it starts; the session's own rest above it is learned) and the maximum the lowest
        the activity reference goes (a session stronger than the routine raises it), so a
        calibration that does not fit the session cannot make every second look active.
    gate : callable, optional
        Learned gate asked where the rules are unsure: rows of
        :data:`~crampdetect.detect.cramp.CANDIDATE_FEATURES` -> accept per row.
    event_ids : iterator of int, optional
        Where event ids come from (default: 1, 2, ...); pass the same iterator to the next
        pipeline of a stream that changed rate or channels, so ids stay unique stream-wide.
    """

    def __init__(
        self,
        fs: float,
        channels: Sequence[str],
        representation: Representation,
        profile: str = "night",
        settings: DetectorSettings | None = None,
        calibration: Mapping[str, tuple[float, float]] | None = None,
        gate: Callable[[np.ndarray], np.ndarray] | None = None,
        *,
        event_ids: Iterator[int] | None = None,
    ) -> None:
        rep = representation
        if not MIN_RATE_HZ[rep.signal] <= fs <= MAX_RATE_HZ:
            raise InputError(
                f"Sample rate {fs:g} Hz is out of range for {rep.signal} EMG "
                f"({MIN_RATE_HZ[rep.signal]:g}-{MAX_RATE_HZ:g} Hz)"
            )
        if not channels:
            raise InputError("At least one channel is needed")
        self.fs = float(fs)
        self.channels = tuple(channels)
        self.representation = rep
        self.profile = profile
        self.settings = settings or profile_settings(profile, rep.signal)
        n = len(self.channels)
        self._bandpass = SosFilter(bandpass_sos(fs), n) if rep.signal == "raw" else None
        self._mains = MainsSuppressor(fs, n) if rep.signal == "raw" else None
        self._features = HopFeatures(fs, n, rep.signal)
        self.hop_s = self._features.hop_s
        keep = round(HISTORY_S / self.hop_s) + 1  # the detector's history (frames), and one more
        self._features.history_frames = keep
        # Pops and wander per frame; a low median frequency (an FFT per 200 ms) and the TKEO
        # only where the detector reads them.
        motion = self._motion if rep.signal == "raw" else None
        self._artefact = FrameFlags(n, keep, motion)
        self._quality = QualityMonitor(rep, n, self.hop_s)
        # each channel against the kind it is scored as (a RAW and an ENV output mixed)
        self._kind = ChannelKindCheck(fs, n, rep)
        self._mismatch = np.zeros(n, dtype=bool)  # per channel, at the next frame
        self._mismatch_from = np.full(n, -1)  # frame its flag opened at, -1 while none is
        self._raw_stats = RawFrameStats(fs, n, self._features.hop) if rep.signal == "raw" else None
        fixed = None
        if calibration:
            # one calibration per leg, whatever the column is called (calf_left_mV, Calf_Left)
            found = calibrated_channels(calibration, self.channels)
            missing = [c for c in self.channels if c not in found]
            if missing:
                raise InputError(
                    f"Calibration has no entry for channel(s) {', '.join(missing)} (it has "
                    f"{', '.join(calibration) or 'none'}): calibrate on the channels you score, "
                    "or score without --user"
                )
            calibration = {c: calibration[found[c]] for c in self.channels}
            fixed = np.array([calibration[c][0] for c in self.channels], dtype=float)
        floor_uv = 0.5 * rep.uv_per_unit if rep.units == "counts" else 0.05
        self._baseline = BaselineTracker(
            n,
            round(1.0 / self.hop_s),
            floor_uv,
            fixed,
            rebase_swing=self.settings.rebase_swing,
            rebase_hold_s=self.settings.rebase_hold_s,
        )
        self._detector = CrampDetector(n, self.hop_s, self.settings, gate)
        self._warning = None
        if self.settings.early_warning and profile == "night":
            self._warning = EarlyWarning(n, round(1.0 / self.hop_s), self.settings)
        self._max_uv = None
        if calibration:
            self._max_uv = np.array([calibration[c][1] for c in self.channels], dtype=float)
        self._times = _TimeMap(self.fs)
        self._n_in = 0  # samples received
        self._last_t: float | None = None
        self._event_ids = event_ids if event_ids is not None else itertools.count(1)
        self._events: dict[int, Event] = {}  # open events by the detector's id
        self._level = np.zeros(n)
        self._open_quality: dict[tuple[int, str], QualityInterval] = {}
        # Channel -> [frames still to check, gap s, id of the ended event, first frame]
        # while a cramp ended by a long gap is re-examined.
        self._reexamine: dict[int, list] = {}
        self._last_good = np.full(n, rep.offset, dtype=float)  # replaces bad samples
        # Samples of a hop not yet complete: nothing downstream can change before it is, so
        # they wait here and the chain runs once per completed hop, not once per block.
        self._pending: list[np.ndarray] = []
        self._n_pending = 0

    # -- public -------------------------------------------------------------------------------
    def push(self, block: Block) -> Output:
        """Process one block (any size, including empty); return what it produced."""
        out = Output()
        if block.data.shape[0] != len(self.channels):
            raise InputError(
                f"Block has {block.data.shape[0]} channels, pipeline expects {len(self.channels)}"
            )
        if block.n_samples == 0:
            return out
        if self._last_t is None:
            self._times.anchor(self._n_in, block.t0)
        elif block.gap > 0:
            out.extend(self._gap(block))
        self._last_t = block.t0 + (block.n_samples - 1) / self.fs
        self._n_in += block.n_samples
        hop = self._features.hop
        n_pending = self._n_pending + block.n_samples
        if n_pending < hop:  # no hop completes: keep the samples (a copy: blocks get reused)
            self._pending.append(np.array(block.data, dtype=float, order="C"))
            self._n_pending = n_pending
            return out
        data = np.ascontiguousarray(block.data, dtype=float)  # C order: fast reductions
        if self._pending:
            data = np.concatenate([*self._pending, data], axis=1)
        used = n_pending - n_pending % hop
        rest = data[:, used:]
        self._pending = [rest.copy()] if rest.shape[1] else []
        self._n_pending = rest.shape[1]
        x, bad = self._replace_bad(data[:, :used])
        out.extend(self._process(x, bad))
        return out

    def finish(self) -> Output:
        """End of stream: close open events and quality intervals at the last sample.

        The events closed here were still going: their ``detail["open_at_end"]`` is True (their
        ``end_s`` is where the data ended, not where they did)."""
        out = Output()
        going = self._detector.finish()
        if self._warning is not None:
            going = [*going, *self._warning.finish(self._features.n_frames)]
        out.events.extend(
            dataclasses.replace(e, detail={**e.detail, "open_at_end": True})
            for e in self._emit(going)
        )
        out.quality.extend(self._spans(self._quality.close_all()))
        flagged = np.flatnonzero(self._mismatch)  # none before a first block: no time yet
        end = self.frame_time(self._features.n_frames) if flagged.size else None
        for c in flagged:
            q = self._open_quality.pop((int(c), MISMATCH), None)
            if q is not None:
                out.quality.append(QualityInterval(q.channel, MISMATCH, q.start_s, end))
        return out

    def watch_recurrence(self, channel: str, until_s: float) -> None:
        """Make ``channel`` more sensitive until ``until_s`` (alert policy's recurrence watch)."""
        c = self.channels.index(channel)
        now = self._last_t or 0.0
        frames = max(0.0, until_s - now) / self.hop_s
        self._detector.watch_recurrence(c, self._features.n_frames + round(frames))

    def log_candidates(self, log: list) -> None:
        """Append each unsure alert candidate to ``log`` as ``(channel, frame, feature row)``.

        Rows follow :data:`~crampdetect.detect.cramp.CANDIDATE_FEATURES`; for training a gate.
        """
        self._detector.candidate_log = log

    @property
    def status(self) -> dict[str, ChannelStatus]:
        out = {}
        for c, name in enumerate(self.channels):
            q = tuple(sorted({k for (ch, k) in self._open_quality if ch == c}))
            out[name] = ChannelStatus(float(self._level[c]), self._detector.state(c), q)
        return out

    # -- internals ----------------------------------------------------------------------------
    def _gap(self, block: Block) -> Output:
        out = Output()
        # Where the next sample was due, from the time map (not from block times, which
        # would make the result depend on how the stream was cut).
        start_s = self._times.time(self._n_in)
        for name in self.channels:
            out.quality.append(QualityInterval(name, "gap", start_s, block.t0))
        gap_s = block.gap / self.fs
        if gap_s > LONG_GAP_S:
            ended = self._detector.interrupt()
            # the events' own ids (the detector numbers its runs apart from the events)
            ids = {e.id: self._events[e.id].id for e in ended if e.id in self._events}
            out.events.extend(self._emit(self._noted(ended)))  # they end where the data stopped
            frame = self._features._frame
            self._reexamine = {
                e.channel: [round(REEXAMINE_S / self.hop_s), round(gap_s, 3), ids.get(e.id), frame]
                for e in ended
                if e.kind == "cramp" and e.channel in self._detector.interrupted
            }
        self._times.anchor(self._n_in, block.t0)
        if gap_s > LONG_GAP_S:
            return out
        for key, ev in self._events.items():  # events going on across a short gap
            detail = dict(ev.detail)
            detail["gaps"] = int(detail.get("gaps", 0)) + 1
            detail["gap_s"] = round(float(detail.get("gap_s", 0.0)) + gap_s, 3)
            self._events[key] = dataclasses.replace(ev, detail=detail)
        return out

    def _replace_bad(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Hold the last good value over bad samples: NaN, inf, beyond the ADC range or absurd.

        Returns the cleaned block and the bad-sample mask (n_channels, n), None if all good.
        """
        rep = self.representation
        lo, hi = (
            (0, rep.full_scale)
            if rep.full_scale is not None
            else (-ABSURD_UV / rep.uv_per_unit, ABSURD_UV / rep.uv_per_unit)
        )
        if np.minimum.reduce(x, axis=None) >= lo and np.maximum.reduce(x, axis=None) <= hi:
            self._last_good = x[:, -1].copy()  # all good (a NaN fails both tests)
            return x, None
        with np.errstate(invalid="ignore"):
            if rep.full_scale is not None:
                ok = (x >= 0) & (x <= rep.full_scale)
            else:
                ok = np.abs(x) <= ABSURD_UV / rep.uv_per_unit
        idx = np.where(ok, np.arange(x.shape[1]), -1)
        last = np.maximum.accumulate(idx, axis=1)
        held = np.take_along_axis(x, np.maximum(last, 0), axis=1)
        x = np.where(last >= 0, held, self._last_good[:, None])
        self._last_good = x[:, -1].copy()
        return x, ~ok

    def _bad_frames(self, bad: np.ndarray | None, n_frames: int) -> np.ndarray:
        """Frames (n_channels, n_frames) holding a bad sample (``bad`` spans whole hops)."""
        if bad is None:
            return np.zeros((len(self.channels), n_frames), dtype=bool)
        return np.logical_or.reduce(bad.reshape(bad.shape[0], n_frames, -1), axis=2)

    def _process(self, x: np.ndarray, bad: np.ndarray | None) -> Output:
        rep = self.representation
        u = rep.to_uv(x)
        if self._bandpass is not None and self._mains is not None:
            y = self._mains.process(self._bandpass.process(u))
        else:
            y = u
        f = self._features.process(y, x)
        bad_frames = self._bad_frames(bad, f.n_frames)
        raw = self._raw_stats.process(u) if self._raw_stats is not None else None
        out = Output()
        if f.n_frames == 0:
            return out
        masks, untrusted, lasting, spans = self._quality.update(
            f, self._mains_share(f), raw, bad_frames
        )
        out.quality.extend(self._spans(spans))
        blocked = masks["lead_off"]
        mismatch = self._kind_frames(x, f.start, f.n_frames, out)
        if mismatch is not None:  # a channel not of the kind it is scored as: not scored
            blocked = blocked | mismatch
        # rail: trusted clipping (a lower bound on the level) is still not learned from.
        base, ref = self._baseline.process(f.rms_fast, self._quality.skip)
        if self._max_uv is not None:
            # the calibrated maximum is the lowest the reference goes: a session stronger
            # than the routine's contractions (running is above the MVC) raises it
            ref = np.maximum(ref, self._max_uv[:, None])
        self._artefact.extend(f.start, masks["pop"] | masks["wander"])
        tkeo = self._features.tkeo if rep.signal == "raw" else None
        # A leg without electrodes shows no activity (e.g. to the bilateral check).
        any_blocked = np.logical_or.reduce(blocked, None)
        args = (
            np.where(blocked, 0.0, f.rms_fast) if any_blocked else f.rms_fast,
            np.where(blocked, 0.0, f.rms) if any_blocked else f.rms,
            base,
            blocked,
            self._artefact,
            ref,
            tkeo,
            untrusted,
            lasting,
            self._baseline.held if self._baseline.any_held else None,  # rebase2
        )
        done = 0
        found: list[FrameEvent] = []  # emitted together with the warnings (ids in frame order)
        for k, c, onset, detail in self._resumes(f.rms_fast, blocked):
            # Split at the resume frame so the detector sees the same frames for any blocks.
            part = [_frames(a, done, k + 1) for a in args]
            found += self._noted(self._detector.update(f.start + done, *part))
            found.append(self._noted([self._detector.resume(c, onset, f.start + k, detail)])[0])
            done = k + 1
        part = [_frames(a, done, None) for a in args] if done else args
        found += self._noted(self._detector.update(f.start + done, *part))
        out.events.extend(self._emit(self._warn(found)))
        self._level = f.rms[:, -1]
        out.envelope_uv = f.rms
        out.envelope_end_s = self.frame_time(f.start + f.n_frames)
        return out

    def _kind_frames(self, x: np.ndarray, start: int, n_frames: int, out: Output):
        """Frames (n_channels, n_frames) of channels that are not of the kind they are scored
        as (:mod:`~crampdetect.ingest.channelkind`), None if none; the ``signal_mismatch``
        intervals that opened or closed go to ``out``. A change takes effect from the first
        frame that starts at or after the end of its deciding window (any blocks)."""
        changes = self._kind.feed(x)
        if not changes and not self._mismatch.any():
            return None
        hop = self._features.hop
        mask = np.repeat(self._mismatch[:, None], n_frames, axis=1)
        for ch in changes:
            c, frame = ch.channel, -(-ch.index // hop)
            mask[c, max(0, frame - start) :] = ch.disagrees
            key = (c, MISMATCH)
            self._mismatch_from[c] = frame if ch.disagrees else -1
            if ch.disagrees:
                q = QualityInterval(self.channels[c], MISMATCH, self.frame_time(frame), None)
                self._open_quality[key] = q
                out.quality.append(q)
            elif key in self._open_quality:
                q = self._open_quality.pop(key)
                out.quality.append(dataclasses.replace(q, end_s=self.frame_time(frame)))
        self._mismatch = self._kind.disagrees.copy()
        return mask

    def _noted(self, events: list[FrameEvent]) -> list[FrameEvent]:
        """The detector's events, noted by the early warning (none on a leg in a cramp)."""
        if self._warning is not None:
            self._warning.note_cramps(events)
        return events

    def _warn(self, found: list[FrameEvent]) -> list[FrameEvent]:
        """The detector's events ``found`` in this call with the early warnings of the
        segments completed in it, judged once the detector has seen all their frames (its
        cramp events hold them back whatever the blocks; part warn). A warning goes before
        the first new event raised at a later frame, so ids follow frames for any blocks."""
        b = self._baseline
        if self._warning is None or not b.segment_ratios.shape[1]:
            return found
        ratios, base, clean = b.segment_ratios, b.segment_baselines, b.segment_clean
        warnings = self._warning.update(b.first_segment, ratios, base, clean)
        since = self._mismatch_from  # no warning from a channel not of its scored kind
        warnings = [w for w in warnings if not 0 <= since[w.channel] <= w.alert_frame]
        out: list[FrameEvent] = []
        for e in found:
            while warnings and e.id not in self._events and warnings[0].alert_frame < e.alert_frame:
                out.append(warnings.pop(0))
            out.append(e)
        return out + warnings

    def _resumes(
        self, fast: np.ndarray, blocked: np.ndarray
    ) -> list[tuple[int, int, int, dict[str, float | str | bool]]]:
        """Cramps ended by a long gap whose contraction is still going on after it:
        (frame index in this block, channel, onset frame, event detail), in frame order."""
        found: list[tuple[int, int, int, dict[str, float | str | bool]]] = []
        if not self._reexamine:  # nothing to re-examine (the usual frame)
            return found
        for c, state in list(self._reexamine.items()):
            need, gap_s, prev_id, first = state
            if self._detector.state(c) == "cramp":  # raised again on its own
                del self._reexamine[c]
                continue
            relaxed = (fast[c, :need] < self._detector.end_floor(c)) | blocked[c, :need]
            if relaxed.any():
                del self._reexamine[c]  # it ended during the gap
                self._detector.interrupted.pop(c, None)
            elif fast.shape[1] >= need:
                del self._reexamine[c]
                detail = {"after_gap_s": gap_s, "continues": prev_id}
                found.append((need - 1, c, first, detail))
            else:
                state[0] = need - fast.shape[1]
        return sorted(found, key=lambda x: x[0])

    def _motion(self, lo: int, hi: int) -> np.ndarray:
        """Motion-artefact spectrum of frames ``lo .. hi - 1`` (n_channels, hi - lo)."""
        return self._features.median_frequency(lo, hi) < MOTION_MDF_HZ

    def _mains_share(self, f: FeatureFrames) -> dict[str, np.ndarray]:
        """Per frame, the mains figures of the analysis segment it falls in (see
        :meth:`~crampdetect.filters.mains.MainsSuppressor.share_at`)."""
        if self._mains is None:
            c = len(self.channels)
            keys = ("share", "uv", "residual_share", "residual_uv")
            return {k: np.zeros((c, f.n_frames)) for k in keys}
        return self._mains.share_at((f.start + np.arange(f.n_frames) + 1) * self._features.hop)

    def frame_time(self, frame: float) -> float:
        """Time (s) on the stream's axis of the start of feature frame ``frame``."""
        return self._times.time(frame * self._features.hop)

    def _emit(self, events: list[FrameEvent]) -> list[Event]:
        out = []
        hop_s = self.hop_s
        for e in events:
            name = self.channels[e.channel]
            if e.id in self._events:
                prev = self._events.pop(e.id)
                end = self.frame_time(e.end_frame) if e.end_frame is not None else None
                out.append(prev.ended(max(end, prev.alert_s) if end is not None else prev.alert_s))
                continue
            # The 100 ms envelope at frame k spans frames k-1..k: the rise began within it.
            onset = self.frame_time(e.onset_frame) - 0.5 * hop_s
            alert = self.frame_time(e.alert_frame + 1) - 1.0 / self.fs
            ev = Event(
                channel=name,
                kind=e.kind,
                onset_s=min(onset, alert),
                alert_s=alert,
                confidence=e.confidence,
                id=next(self._event_ids),
                detail=dict(e.detail),
            )
            if e.end_frame is not None:
                ev = ev.ended(max(self.frame_time(e.end_frame), alert))
            else:
                self._events[e.id] = ev
            out.append(ev)
        return out

    def _spans(self, spans) -> list[QualityInterval]:
        out = []
        for issue, sp in spans:
            key = (sp.channel, issue)
            name = self.channels[sp.channel]
            start = self.frame_time(sp.start)
            if sp.stop is None:
                q = QualityInterval(name, issue, start, None)
                self._open_quality[key] = q
            else:
                self._open_quality.pop(key, None)
                q = QualityInterval(name, issue, start, self.frame_time(sp.stop))
            out.append(q)
        return out
