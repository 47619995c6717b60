"""An envelope at the top of the ADC range: an electrode off the skin, or a strong contraction.

The MyoWare ENV output is pinned high both when an electrode comes off (the RAW stage sits at
a rail or floats on mains: the envelope far exceeds the ADC range and jumps there within a
frame or two, through its 3.6 Hz smoothing) and when a contraction drives it beyond the ADC
range (a high ENV gain: the envelope climbs there as the muscle's activity builds up). The
rise time tells them apart: from the last frame near rest (below :data:`REST_FRACTION` of
full scale) to the first high frame (the lead-off test's level), a lead-off takes at
most :data:`JUMP_S`; a contraction takes longer (cramp onsets build over 0.1-8 s). A
recording that starts high counts as having jumped (nothing says it climbed).

A strong contraction can jump there too (a fast cramp onset at a high gain). What then tells
them apart is what follows: a detached electrode pins the envelope (the input sits at a rail
or floats in mains far beyond the range: flat, or a mains ripple of a few per cent), while a
contracting muscle waxes and wanes, so its envelope *wanes*: after a frame at the top it dips
below :data:`WANE_FRACTION` of full scale and comes back to the top without falling below
the high level in between (a stride falls away from the top; a lead-off ends by falling).
One wane makes the jump a contraction until the envelope is next back near rest.
"""

from __future__ import annotations

import numpy as np

#: Below this fraction of full scale an envelope is at or near rest.
REST_FRACTION = 0.2
#: A rise from rest to high within this long (s) is a jump, not a contraction.
JUMP_S = 0.1
#: envrail: a dip below this fraction of full scale between two frames at the top is a wane.
#: EMG's envelope through 3.6 Hz smoothing wanders: steady real calf holds span 0.87-1.15 of
#: their median (5-95 %); the mains ripple of a floating input is a few per cent.
WANE_FRACTION = 0.9
_NONE = -(10**12)
#: ``ndarray.any()`` / ``all()`` over all axes without their Python-level wrappers (live arrays).
_any, _all = np.logical_or.reduce, np.logical_and.reduce


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
        self.top = full_scale - 1
        self.wane = WANE_FRACTION * full_scale
        self._last_top = np.full(n_channels, _NONE)  # last frame reaching the top
        self._last_dip = np.full(n_channels, _NONE)  # last frame dipping below the wane level
        self._last_low = np.full(n_channels, _NONE)  # last frame falling below the high level
        self._last_wane = np.full(n_channels, _NONE)  # last frame back at the top after a wane

    def jumped(self, mean: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Frames (n_channels, n) whose envelope is high after a jump and has not waned since.

        ``mean``, ``lo``, ``hi``: each frame's mean, lowest and highest sample (counts).
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
        # envrail: back at the top after a dip that stayed high since the last frame there.
        top = hi >= self.top
        self._frame += n
        self._last_rest, self._last_high = last_rest[:, -1], last_high[:, -1]
        self._first_high = first_high[:, -1]
        if not _any(top, None) and _all(self._last_low > self._last_top, None):
            # No frame at the top, and every channel fell low since its last one (at rest):
            # no wane can happen here or at the next top without a new dip.
            return out & (self._last_wane[:, None] < first_high)
        last_top = self._latest(top, idx, self._last_top)
        prev_top = np.concatenate([self._last_top[:, None], last_top[:, :-1]], axis=1)
        last_dip = self._latest(lo < self.wane, idx, self._last_dip)
        last_low = self._latest(lo < self.high, idx, self._last_low)
        wane = top & (prev_top > last_rest) & (last_dip > prev_top) & (last_low <= prev_top)
        last_wane = self._latest(wane, idx, self._last_wane)
        out &= last_wane < first_high
        self._last_top, self._last_dip = last_top[:, -1], last_dip[:, -1]
        self._last_low, self._last_wane = last_low[:, -1], last_wane[:, -1]
        return out

    @staticmethod
    def _latest(flag: np.ndarray, idx: np.ndarray, carry: np.ndarray) -> np.ndarray:
        """Per frame, the index of the last frame (this one included) where ``flag`` held."""
        return np.maximum(np.maximum.accumulate(np.where(flag, idx, _NONE), axis=1), carry[:, None])
