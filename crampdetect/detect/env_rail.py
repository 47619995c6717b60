"""An envelope at the top of the ADC range: an electrode off the skin, or a strong contraction.

The MyoWare ENV output is pinned high both when an electrode comes off (the RAW stage sits at
a rail or floats on mains: the envelope far exceeds the ADC range and jumps there within a
frame or two, through its 3.6 Hz smoothing) and when a contraction drives it beyond the ADC
range (a high ENV gain: the envelope climbs there as the muscle's activity builds up). The
rise time tells them apart: from the last frame near rest (below :data:`REST_FRACTION` of
full scale) to the first high frame (the lead-off test's level), a lead-off takes at
most :data:`JUMP_S`; a contraction takes longer (cramp onsets build over 0.1-8 s). A
recording that starts high counts as having jumped (nothing says it climbed).

(miss) A fast cramp at a high gain can cross from rest to high within those two frames too.
What still differs is where the rise began: electrodes coming off leave at most one frame
between the resting envelope and the top (the frame in which they came off), so the frame
two before the first high one is still at rest (within :data:`STILL_STEP` of the frame before
it), and the first high frame is at the top already (:data:`TOP_FRACTION` of full scale: the
envelope far exceeds the range). A contraction's envelope has begun to climb two frames
before, or its first high frame is still on its way up.
"""

from __future__ import annotations

import numpy as np

#: Below this fraction of full scale an envelope is at or near rest.
REST_FRACTION = 0.2
#: A rise from rest to high within this long (s) is a jump, not a contraction.
JUMP_S = 0.1
#: (miss) A frame within this factor of the frame before it has not begun to climb.
STILL_STEP = 1.5
#: (miss) ... and its first high frame at least this fraction of full scale.
TOP_FRACTION = 0.85
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
        self.top = TOP_FRACTION * full_scale
        self._frame = 0
        self._last_rest = np.full(n_channels, -1)  # the frame before the stream counts as rest
        self._last_high = np.full(n_channels, _NONE)
        self._first_high = np.full(n_channels, _NONE)  # first high frame since the last rest
        # (miss) whether the rise to the current first high frame began from rest
        self._from_rest = np.ones(n_channels, dtype=bool)
        self._tail = np.zeros((n_channels, 0))  # the last frame means (up to 3)

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
        # (miss) At each first high frame: was the frame two before it still at rest?
        ext = np.concatenate([self._tail, mean], axis=1)
        k = self._tail.shape[1]
        pad = np.full((c, 3), np.nan)
        ext = np.concatenate([pad, ext], axis=1)  # unknown before the stream: NaN
        two, three = ext[:, k + 1 : k + 1 + n], ext[:, k : k + n]
        with np.errstate(invalid="ignore"):
            still = ~(two > STILL_STEP * np.maximum(three, 1.0))  # NaN (unknown): still
        still &= mean >= self.top
        still_at = np.where(first, np.where(still, 1, 0), -1)
        pos = np.maximum.accumulate(np.where(first, idx, _NONE), axis=1)
        # the decision made at the latest first high frame, carried until the next one
        last_dec = np.take_along_axis(still_at, np.maximum(pos - self._frame, 0), axis=1)
        from_rest = np.where(pos >= self._frame, last_dec == 1, self._from_rest[:, None])
        out = up & (first_high - last_rest <= self.jump_frames) & from_rest
        self._frame += n
        self._last_rest, self._last_high = last_rest[:, -1], last_high[:, -1]
        self._first_high = first_high[:, -1]
        self._from_rest = from_rest[:, -1]
        self._tail = np.concatenate([self._tail, mean], axis=1)[:, -3:]
        return out
