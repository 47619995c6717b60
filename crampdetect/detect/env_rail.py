"""An envelope at the top of the ADC range: an electrode off the skin, or a strong contraction.

The MyoWare ENV output is pinned high both when an electrode comes off (the RAW stage sits at
a rail or floats on mains: the envelope far exceeds the ADC range and jumps there within a
frame or two, through its 3.6 Hz smoothing) and when a contraction drives it beyond the ADC
range (a high ENV gain: the envelope climbs there as the muscle's activity builds up). The
rise time tells them apart: from the last frame near rest (below :data:`REST_FRACTION` of
full scale) to the first high frame (the lead-off test's level), a lead-off takes at
most :data:`JUMP_S`; a contraction takes longer (cramp onsets build over 0.1-8 s). A
recording that starts high counts as having jumped (nothing says it climbed).
"""

from __future__ import annotations

import numpy as np

#: Below this fraction of full scale an envelope is at or near rest.
REST_FRACTION = 0.2
#: A rise from rest to high within this long (s) is a jump, not a contraction.
JUMP_S = 0.1
_NONE = -(10**12)


class EnvRise:
    """Per channel and frame: did the envelope get high by a jump from rest?

    Parameters
    ----------
    n_channels : int
        Number of channels.
    hop_s : float
        Frame spacing, s.
    full_scale : int
        Largest ADC code.
    high_fraction : float
        From this fraction of full scale up an envelope is high.
    """

    def __init__(
        self, n_channels: int, hop_s: float, full_scale: int, high_fraction: float
    ) -> None:
        self.jump_frames = max(1, round(JUMP_S / hop_s))
        self.rest = REST_FRACTION * full_scale
        self.high = high_fraction * full_scale
        self._frame = 0
        self._last_rest = np.full(n_channels, -1)  # the frame before the stream counts as rest
        self._last_high = np.full(n_channels, _NONE)
        self._first_high = np.full(n_channels, _NONE)  # first high frame since the last rest

    def jumped(self, mean: np.ndarray) -> np.ndarray:
        """Frames (n_channels, n) whose envelope ``mean`` (counts) is high after a jump.

        Vectorised over the frames; the result does not depend on how frames are batched.
        """
        c, n = mean.shape
        if n == 0:
            return np.zeros((c, 0), dtype=bool)
        idx = self._frame + np.arange(n)
        rest, high = mean < self.rest, mean >= self.high
        last_rest = np.maximum(
            np.maximum.accumulate(np.where(rest, idx, _NONE), axis=1), self._last_rest[:, None]
        )
        last_high = np.maximum(
            np.maximum.accumulate(np.where(high, idx, _NONE), axis=1), self._last_high[:, None]
        )
        prev_high = np.concatenate([self._last_high[:, None], last_high[:, :-1]], axis=1)
        first = high & (prev_high < last_rest)  # the first high frame since the last rest
        first_high = np.maximum(
            np.maximum.accumulate(np.where(first, idx, _NONE), axis=1), self._first_high[:, None]
        )
        up = high & (first_high > last_rest)
        out = up & (first_high - last_rest <= self.jump_frames)
        self._frame += n
        self._last_rest, self._last_high = last_rest[:, -1], last_high[:, -1]
        self._first_high = first_high[:, -1]
        return out
