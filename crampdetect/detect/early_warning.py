"""Early warning: resting EMG rising for tens of seconds before a night cramp.

Chaney & Sherman (domain notes §1.7) saw calf tension rise by +100-500 % for ~41 s before
people woke with a cramp; cramp-prone muscles also show fasciculations. Both raise the *floor*
of the envelope (its 20th percentile over each second) while the muscle is nominally at rest,
whereas leg movements raise its peaks for a few seconds. An ``early_warning`` event is raised
when the floor has stayed between ``low_ratio`` and ``high_ratio`` times the resting baseline
for ``confirm_s``; it ends when the floor falls back (below ``end_ratio`` for ``end_s``) or
rises into a contraction (a cramp then takes over).

Works on 1-s segments from :class:`~crampdetect.detect.baseline.BaselineTracker`, so it costs
almost nothing and does not depend on block boundaries.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from crampdetect.detect.cramp import FrameEvent


@dataclass(slots=True)
class _State:
    count: int = 0
    start: int = -1
    low: int = 0
    event: FrameEvent | None = None


class EarlyWarning:
    """Raise ``early_warning`` events from per-second envelope floors and baselines.

    Parameters
    ----------
    n_channels : int
        Number of channels.
    seg_frames : int
        Feature frames per segment (1 s).
    low_ratio, high_ratio : float
        Floor / baseline range that counts as a raised resting level.
    confirm_s, end_s : float
        Seconds of raised floor before the warning, and of normal floor to end it.
    end_ratio : float
        Floor / baseline below which the level is back to normal.
    """

    def __init__(
        self,
        n_channels: int,
        seg_frames: int,
        low_ratio: float = 2.0,
        high_ratio: float = 12.0,
        confirm_s: float = 10.0,
        end_s: float = 5.0,
        end_ratio: float = 1.5,
    ) -> None:
        self.n_channels = n_channels
        self.seg_frames = seg_frames
        self.low_ratio = low_ratio
        self.high_ratio = high_ratio
        self.confirm = round(confirm_s)
        self.end = round(end_s)
        self.end_ratio = end_ratio
        self.reset()

    def reset(self) -> None:
        self._ch = [_State() for _ in range(self.n_channels)]
        self._next_id = 1_000_000  # distinct from cramp ids

    def update(self, first_segment: int, ratios: np.ndarray) -> list[FrameEvent]:
        """Segments ``first_segment ..``: ``ratios`` (n_channels, n_seg) of floor / baseline."""
        out: list[FrameEvent] = []
        seg = self.seg_frames
        for c in range(self.n_channels):
            st = self._ch[c]
            for j, r in enumerate(ratios[c].tolist()):
                k = first_segment + j
                if st.event is None:
                    if self.low_ratio <= r < self.high_ratio:
                        if st.count == 0:
                            st.start = k
                        st.count += 1
                        if st.count >= self.confirm:
                            st.event = FrameEvent(
                                kind="early_warning",
                                channel=c,
                                onset_frame=st.start * seg,
                                alert_frame=(k + 1) * seg - 1,
                                end_frame=None,
                                confidence=float(min(0.9, 0.5 + 0.1 * (r - self.low_ratio))),
                                id=self._next_id,
                                detail={"floor_ratio": round(r, 2)},
                            )
                            self._next_id += 1
                            out.append(st.event)
                    else:
                        st.count = 0
                    continue
                # A warning is open: it ends when the floor is back or a contraction starts.
                end = None
                if r >= self.high_ratio:
                    end = k * seg
                elif r < self.end_ratio:
                    st.low += 1
                    if st.low >= self.end:
                        end = (k - self.end + 1) * seg
                else:
                    st.low = 0
                if end is not None:
                    out.append(replace(st.event, end_frame=end))  # the raised one stays as sent
                    st.event, st.count, st.low = None, 0, 0
        return out

    def finish(self, frame: int) -> list[FrameEvent]:
        out = []
        for st in self._ch:
            if st.event is not None:
                out.append(replace(st.event, end_frame=frame))
                st.event = None
        return out
