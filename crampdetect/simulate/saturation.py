"""Find ``saturation`` label intervals in the rendered samples themselves.

A sample is saturated when it sits at a rail of its representation (ADC code 0 or full
scale, or the amplifier rail in µV) outside a lead-off episode. Saturated samples closer
than :data:`MERGE_S` are merged into one interval. The tracker is fed chunk by chunk, so
the labels are exact and cost no extra memory.
"""

from __future__ import annotations

import numpy as np

from crampdetect.simulate.builder import Scene
from crampdetect.simulate.subject import Hardware

MERGE_S = 0.25  #: saturated samples closer than this belong to one interval, s


class SaturationTracker:
    """Accumulates saturated runs per channel over consecutive chunks.

    Parameters
    ----------
    scene : Scene
        The plan (for its lead-off episodes, which are labelled as such instead).
    hardware : Hardware
        Gives the rails of the representation.
    channels : tuple of str
        Channel names for the labels.
    fs : float
        Output sample rate, Hz.
    """

    def __init__(
        self, scene: Scene, hardware: Hardware, channels: tuple[str, ...], fs: float
    ) -> None:
        rep = hardware.representation
        if rep.units == "counts":
            self.low, self.high = 0.0, float(rep.full_scale or 1023)
        else:
            self.low, self.high = -hardware.rail_uv, hardware.rail_uv
        self.env = rep.signal == "env"
        self.scene, self.channels, self.dt = scene, channels, 1.0 / fs
        self.open: list[list[float] | None] = [None] * len(channels)  # [start, last]
        self.intervals: list[dict[str, object]] = []

    def feed(self, time_s: np.ndarray, data: np.ndarray) -> None:
        """Account for one chunk, ``data`` shaped (n_channels, n)."""
        if time_s.size == 0:
            return
        at_rail = data >= self.high if self.env else (data <= self.low) | (data >= self.high)
        for c in self.scene.leadoffs:
            if c.start <= time_s[-1] and c.end > time_s[0]:
                at_rail[c.channel] &= (time_s < c.start) | (time_s >= c.end)
        for ch in range(len(self.channels)):
            hits = time_s[at_rail[ch]]
            if hits.size == 0:
                continue
            breaks = np.flatnonzero(np.diff(hits) > MERGE_S)
            starts = np.concatenate([hits[:1], hits[breaks + 1]])
            ends = np.concatenate([hits[breaks], hits[-1:]])
            run = self.open[ch]
            if run is not None and starts[0] - run[1] <= MERGE_S:
                starts[0] = run[0]
            elif run is not None:
                self._close(ch, run)
            for s, e in zip(starts[:-1], ends[:-1], strict=True):
                self._close(ch, [s, e])
            self.open[ch] = [float(starts[-1]), float(ends[-1])]

    def _close(self, ch: int, run: list[float]) -> None:
        self.intervals.append(
            {
                "channel": self.channels[ch],
                "kind": "saturation",
                "start_s": round(float(run[0]), 4),
                "end_s": min(round(float(run[1]) + self.dt, 4), self.scene.duration_s),
            }
        )

    def finish(self) -> list[dict[str, object]]:
        """Close the open runs and return every saturation interval."""
        for ch, run in enumerate(self.open):
            if run is not None:
                self._close(ch, run)
        self.open = [None] * len(self.channels)
        return self.intervals
