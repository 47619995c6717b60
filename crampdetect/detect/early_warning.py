"""Early warning: resting EMG rising for tens of seconds before a night cramp.

Chaney & Sherman (domain notes §1.7) saw calf tension rise by +100-500 % for ~41 s before
people woke with a cramp; cramp-prone muscles also show fasciculations. Both raise the *floor*
of the envelope (its 20th percentile over each second) while the muscle is nominally at rest,
whereas leg movements raise its peaks for a few seconds. The floor is read against the lowest
resting baseline of the last ``warn_ref_s`` (the baseline itself creeps up while a slow rise
stays below twice it). An ``early_warning`` event is raised when, on one leg:

- the floor stood between ``warn_low_ratio`` and ``warn_high_ratio`` times that reference in
  ``warn_share`` of the last ``warn_confirm_s`` seconds, and does now;
- it rose from rest: the leg was at its resting floor (below ``warn_rest_ratio``) for
  ``warn_rest_s`` on end, with no quality flag since, within the last ``warn_rise_s`` (a new
  level after a lead-off or an electrode shift is not a rise);
- no other leg stood at ``warn_other_ratio`` or more (or was flagged) in ``warn_other_share``
  of that window (turning over, electrode drift and mains move both legs);
- the leg has not contracted (floor at ``warn_high_ratio`` or more: a movement, a cramp) in the
  last ``warn_confirm_s + warn_quiet_s``, nor had a cramp event open within ``warn_recover_s``
  (the tail of a cramp is no prodrome);
- no segment it counts on had a quality flag (lead-off, saturation, mains, pop, wander).

It ends when the floor stays below ``warn_end_ratio`` for ``warn_end_s`` or rises into a
contraction (a cramp then takes over). Figures: ``benchmarks/detection.md`` (session 13, part
``warn``).

Works on 1-s segments from :class:`~crampdetect.detect.baseline.BaselineTracker` (a few
comparisons per leg per second) and does not depend on block boundaries.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, replace

import numpy as np

from crampdetect.detect.cramp import FrameEvent
from crampdetect.detect.settings import DetectorSettings

#: Early-warning event ids start here (distinct from cramp ids).
FIRST_ID = 1_000_000
_NEVER = -(10**9)
#: An early warning's confidence: ``WARN_CONFIDENCE_BASE`` at ``warn_low_ratio``, up by
#: ``WARN_CONFIDENCE_SLOPE`` per unit of floor ratio above it, at most ``WARN_CONFIDENCE_MAX``
#: (a warning is a hint: it never reads as sure as a cramp alert). It decides no alert.
WARN_CONFIDENCE_BASE, WARN_CONFIDENCE_SLOPE, WARN_CONFIDENCE_MAX = 0.5, 0.1, 0.9


@dataclass(slots=True)
class _State:
    base: deque = field(default_factory=deque)  # resting baselines of the last warn_ref_s
    raised: deque = field(default_factory=deque)  # raised flags of the last warn_confirm_s
    rest_run: int = 0  # segments in a row at the resting floor (no flag)
    last_rest: int = _NEVER  # last segment ending a rest of warn_rest_s
    last_contraction: int = _NEVER
    low: int = 0
    event: FrameEvent | None = None
    cramps: list = field(default_factory=list)  # [alert_frame, end_frame or None]


class EarlyWarning:
    """Raise ``early_warning`` events from per-second envelope floors and baselines.

    Parameters
    ----------
    n_channels : int
        Number of channels.
    seg_frames : int
        Feature frames per segment (1 s).
    settings : DetectorSettings, optional
        Its ``warn_*`` fields (default: the defaults).
    """

    def __init__(
        self, n_channels: int, seg_frames: int, settings: DetectorSettings | None = None
    ) -> None:
        s = settings or DetectorSettings()
        self.n_channels = n_channels
        self.seg_frames = seg_frames
        self.low_ratio = s.warn_low_ratio
        self.high_ratio = s.warn_high_ratio
        self.confirm = max(1, round(s.warn_confirm_s))
        self.need = max(1, int(np.ceil(s.warn_share * self.confirm - 1e-9)))
        self.ref = max(1, round(s.warn_ref_s))
        self.rest_ratio = s.warn_rest_ratio
        self.rest = max(1, round(s.warn_rest_s))
        self.rise = round(s.warn_rise_s)
        self.quiet = round(s.warn_quiet_s)
        self.other_ratio = s.warn_other_ratio
        self.other_need = s.warn_other_share * self.confirm
        self.recover = round(s.warn_recover_s) * seg_frames
        self.end = max(1, round(s.warn_end_s))
        self.end_ratio = s.warn_end_ratio
        self.reset()

    def reset(self) -> None:
        self._ch = [_State() for _ in range(self.n_channels)]
        self._next_id = FIRST_ID
        # Per segment, whether each leg stood at warn_other_ratio or was flagged.
        self._others: deque = deque(maxlen=self.confirm)

    def note_cramps(self, events: list[FrameEvent]) -> None:
        """Cramp events the detector raised or ended (frames): none warns while one is open
        on its leg, nor for ``warn_recover_s`` after it ended."""
        for e in events:
            if e.kind not in ("cramp", "possible_cramp"):  # both are contractions going on
                continue
            spans = self._ch[e.channel].cramps
            for span in spans:
                if span[2] == e.id:
                    span[1] = e.end_frame
                    break
            else:
                spans.append([e.alert_frame, e.end_frame, e.id])

    def _in_cramp(self, st: _State, frame: int) -> bool:
        st.cramps = [c for c in st.cramps if c[1] is None or c[1] + self.recover >= frame]
        return any(a <= frame for a, _, _ in st.cramps)

    def update(
        self,
        first_segment: int,
        ratios: np.ndarray,
        baselines: np.ndarray | None = None,
        clean: np.ndarray | None = None,
    ) -> list[FrameEvent]:
        """Segments ``first_segment ..``: ``ratios`` (n_channels, n_seg) of floor / baseline
        (NaN or 0 where unusable), the ``baselines`` (µV) they were read against (None: 1)
        and whether each segment had no quality-flagged frame (None: all clean)."""
        out: list[FrameEvent] = []
        n_seg = ratios.shape[1]
        if baselines is None:
            baselines = np.ones_like(ratios)
        if clean is None:
            clean = np.ones(ratios.shape, dtype=bool)
        seg = self.seg_frames
        for j in range(n_seg):
            k = first_segment + j
            rel = []
            for c in range(self.n_channels):
                st = self._ch[c]
                r, b = float(ratios[c, j]), float(baselines[c, j])
                ok = bool(clean[c, j]) and r > 0 and b > 0  # False for NaN too
                if ok:
                    st.base.append(b)
                    if len(st.base) > self.ref:
                        st.base.popleft()
                    rel.append(r * b / min(st.base))
                else:
                    rel.append(float("nan"))
            ups = [not (v < self.other_ratio) for v in rel]  # NaN (flagged) counts as up
            self._others.append(ups)
            for c in range(self.n_channels):
                ev = self._step(c, k, rel[c], seg)
                if ev is not None:
                    out.append(ev)
        return out

    def _step(self, c: int, k: int, r: float, seg: int) -> FrameEvent | None:
        st = self._ch[c]
        ok = r == r
        if not ok:
            st.rest_run, st.last_rest = 0, _NEVER
        elif r < self.rest_ratio:
            st.rest_run += 1
            if st.rest_run >= self.rest:
                st.last_rest = k
        else:
            st.rest_run = 0
        contraction = ok and r >= self.high_ratio
        if contraction:
            st.last_contraction = k
        raised = ok and self.low_ratio <= r < self.high_ratio
        st.raised.append(raised)
        if len(st.raised) > self.confirm:
            st.raised.popleft()
        if st.event is not None:
            # A warning is open: it ends when the floor is back or a contraction starts.
            end = None
            if contraction:
                end = k * seg
            elif not (r >= self.end_ratio):
                st.low += 1
                if st.low >= self.end:
                    end = (k - self.end + 1) * seg
            else:
                st.low = 0
            if end is None:
                return None
            ended = replace(st.event, end_frame=end)  # the raised one stays as sent
            st.event, st.low = None, 0
            return ended
        if not raised or len(st.raised) < self.confirm or sum(st.raised) < self.need:
            return None
        if k - st.last_rest > self.rise or k - st.last_contraction <= self.confirm + self.quiet:
            return None
        if self._in_cramp(st, (k + 1) * seg - 1):
            return None
        others = [o for o in range(self.n_channels) if o != c]
        if any(sum(row[o] for row in self._others) >= self.other_need for o in others):
            return None
        first = k - self.confirm + 1 + list(st.raised).index(True)
        st.event = FrameEvent(
            kind="early_warning",
            channel=c,
            onset_frame=first * seg,
            alert_frame=(k + 1) * seg - 1,
            end_frame=None,
            confidence=float(
                min(
                    WARN_CONFIDENCE_MAX,
                    WARN_CONFIDENCE_BASE + WARN_CONFIDENCE_SLOPE * (r - self.low_ratio),
                )
            ),
            id=self._next_id,
            detail={"floor_ratio": round(r, 2)},
        )
        self._next_id += 1
        st.low = 0
        return st.event

    def finish(self, frame: int) -> list[FrameEvent]:
        out = []
        for st in self._ch:
            if st.event is not None:
                out.append(replace(st.event, end_frame=frame))
                st.event = None
        return out
