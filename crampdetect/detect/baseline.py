"""Resting-level baseline per channel, updated once per second and frozen during activity."""

from __future__ import annotations

import numpy as np

REFERENCE_TAU_S = 600.0
#: A segment's floor is its FLOOR_QUANTILE of the envelope; the reference uses HIGH_QUANTILE.
FLOOR_QUANTILE, HIGH_QUANTILE = 0.2, 0.9
#: A floor below ACTIVE_RATIO x the baseline is rest: the baseline follows it, by the power
#: FOLLOW_DOWN of the ratio when lower and FOLLOW_UP when higher (quickly down, slowly up).
ACTIVE_RATIO, FOLLOW_DOWN, FOLLOW_UP = 2.0, 0.25, 1.0 / 30.0


class BaselineTracker:
    """Track each channel's resting envelope level (µV) from 1-s segments of feature frames.

    Each completed segment contributes its floor (20th percentile of the envelope). A floor
    close to the baseline moves it (quickly down, slowly up); a floor well above it (activity,
    a cramp) leaves it frozen. After ``rebase_s`` of uninterrupted activity without a rest the
    baseline jumps to the current floor: a new steady level (standing, a changed electrode
    contact) becomes the reference, unless (``rebase_swing`` > 0) the stretch's floor waxes
    and wanes from second to second (a cramp, not a step to a new level): then the baseline
    stays the rest before the stretch, for at most ``rebase_hold_s`` more, and :attr:`held`
    says so per frame. Frames of a segment use the baseline from before it, so the result does
    not depend on block boundaries.

    Parameters
    ----------
    n_channels : int
        Number of channels.
    seg_frames : int
        Frames per segment (1 s).
    floor_uv : float
        Lowest allowed baseline in µV (ADC resolution or amplifier noise).
    fixed : ndarray or None
        Calibrated resting levels in µV per channel: the baseline starts from them and never
        goes below them, but rises above them as without a calibration (a re-base after
        ``rebase_s`` of steady activity, a slow follow) when the session's own rest is
        higher: a calibration that does not fit the session (another sensor or person, a
        standing athlete) cannot make its every second look active.
    rebase_s : float
        Uninterrupted activity (s) taken for a new rest.
    rebase_swing, rebase_hold_s : float
        (rebase2) The detector settings of those names: the median |change| of the natural
        log of the 1-s floor over the stretch's last ``rebase_s`` at or above which the
        re-base is held, and for how long at most (s). ``rebase_swing`` 0: never held.
    """

    def __init__(
        self,
        n_channels: int,
        seg_frames: int,
        floor_uv: float,
        fixed: np.ndarray | None = None,
        rebase_s: float = 60.0,
        rebase_swing: float = 0.0,
        rebase_hold_s: float = 0.0,
    ) -> None:
        self.n_channels = n_channels
        self.seg_frames = seg_frames
        self.floor_uv = floor_uv
        self.fixed = None if fixed is None else np.asarray(fixed, dtype=float)
        self.rebase_segments = round(rebase_s)
        self.rebase_swing = rebase_swing
        self.rebase_hold_segments = round(rebase_hold_s)
        self.reset()

    def reset(self) -> None:
        c = self.n_channels
        self.value = np.full(c, np.nan) if self.fixed is None else self.fixed.copy()
        #: Reference of strong activity (µV): decayed maximum of 1-s 90th percentiles.
        self.reference = np.zeros(c)
        #: Segments completed by the last ``process`` call: index of the first, and each
        #: one's floor / baseline before it (n_channels, n_segments; NaN while unknown).
        self.first_segment = 0
        self.segment_ratios = np.zeros((c, 0))
        #: ... the baseline each was read against (µV), and whether none of its frames was
        #: skipped (a quality flag): for the early warning.
        self.segment_baselines = np.zeros((c, 0))
        self.segment_clean = np.zeros((c, 0), dtype=bool)
        self._segments = 0
        self._buf = np.zeros((c, 0))
        self._skip = np.zeros((c, 0), dtype=bool)
        self._active = np.zeros(c, dtype=int)
        #: (rebase2) Floors of the current stretch of activity, its last rebase_s at most,
        #: and per frame of the last ``process`` call the stretch's length (s) where its
        #: re-base is held (0 elsewhere).
        self._stretch: list[list[float]] = [[] for _ in range(c)]
        self._held: np.ndarray | None = None  # None: held nowhere (the usual frame)
        self._held_end = False  # held after the last segment
        self._n_last = 0
        #: Whether :attr:`held` is non-zero anywhere (a Python bool: cheap to ask per block).
        self.any_held = False

    def process(self, level: np.ndarray, skip: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Baseline and reference per frame, each (n_channels, n), for envelope ``level``.

        ``skip`` marks frames not to learn from (lead-off, saturation). The reference is the
        decayed maximum (10 min time constant) of each second's 90th percentile: the
        strongest recent activity, a stand-in for the maximal contraction when there is no
        calibration.
        """
        out = np.empty_like(level)
        ref = np.empty_like(level)
        buf = np.concatenate([self._buf, level], axis=1)
        sk = np.concatenate([self._skip, skip], axis=1)
        offset = self._buf.shape[1]  # frames of buf that were output already
        seg = self.seg_frames
        n_seg = buf.shape[1] // seg
        if n_seg:
            c = self.n_channels
            segs = buf[:, : n_seg * seg].reshape(c, n_seg, seg)
            k = max(0, int(FLOOR_QUANTILE * seg) - 1)
            k90 = min(seg - 1, int(HIGH_QUANTILE * seg))
            part = np.partition(segs, (k, k90), axis=2)
            floors = np.maximum(part[:, :, k], self.floor_uv)
            highs = part[:, :, k90]
            usable = sk[:, : n_seg * seg].reshape(c, n_seg, seg).mean(axis=2) < 0.5
            values, held, self.any_held = self._run(floors, usable)  # before each segment, ...
            with np.errstate(invalid="ignore", divide="ignore"):
                self.segment_ratios = np.where(usable, floors / values[:, :-1], np.nan)
            self.segment_baselines = values[:, :-1]
            self.segment_clean = ~sk[:, : n_seg * seg].reshape(c, n_seg, seg).any(axis=2)
            self.first_segment = self._segments
            self._segments += n_seg
            refs = self._run_reference(highs, usable)
            tail = buf.shape[1] - n_seg * seg
            self._held = np.empty(level.shape) if self.any_held else None
            pairs = ((values, out), (refs, ref), (held, self._held))
            for arr, dest in pairs if self.any_held else pairs[:2]:
                per_frame = np.concatenate(
                    [np.repeat(arr[:, :-1], seg, axis=1), np.repeat(arr[:, -1:], tail, axis=1)],
                    axis=1,
                )
                dest[:, :] = per_frame[:, offset:]
        else:
            out[:, :] = self.value[:, None]
            ref[:, :] = self.reference[:, None]
            self.any_held = self._held_end
            self._held = None
            if self._held_end:
                self._held = np.repeat(self._held_now()[:, None], level.shape[1], axis=1)
            self.first_segment, self.segment_ratios = self._segments, np.zeros((self.n_channels, 0))
            self.segment_baselines = self.segment_ratios
            self.segment_clean = np.zeros((self.n_channels, 0), dtype=bool)
        if self.fixed is not None:
            # The calibrated rest is the lowest the baseline goes, not a frozen value: the
            # tracker starts from it and a session whose own rest is steadily higher (a
            # standing athlete, another sensor or person) re-bases above it as it would
            # without a calibration (see the class docstring).
            np.maximum(out, self.fixed[:, None], out=out)
        self._n_last = level.shape[1]
        pos = n_seg * seg
        self._buf = buf[:, pos:]
        self._skip = sk[:, pos:]
        return out, ref

    def _run_reference(self, highs: np.ndarray, usable: np.ndarray) -> np.ndarray:
        """Step the reference through segments; returns (n_channels, n_seg + 1) values."""
        c, n_seg = highs.shape
        out = np.empty((c, n_seg + 1))
        decay = float(np.exp(-1.0 / REFERENCE_TAU_S))
        for ch in range(c):
            r = float(self.reference[ch])
            row = out[ch]
            hs, us = highs[ch].tolist(), usable[ch].tolist()
            for j in range(n_seg):
                row[j] = r
                r = max(r * decay, hs[j]) if us[j] else r * decay
            row[n_seg] = r
            self.reference[ch] = r
        return out

    @property
    def held(self) -> np.ndarray:
        """(rebase2) Per frame of the last :meth:`process` call (n_channels, n): the length
        (s) of the stretch of activity whose re-base is held there, else 0."""
        if self._held is None:
            return np.zeros((self.n_channels, self._n_last))
        return self._held

    def _held_now(self) -> np.ndarray:
        """(rebase2) Per channel: the current stretch's length (s) where it has outlasted
        ``rebase_s`` and its re-base is held, else 0."""
        on = (self.rebase_swing > 0) & (self._active >= self.rebase_segments)
        return np.where(on, self._active, 0).astype(float)

    def _swings(self, stretch: list[float]) -> bool:
        """(rebase2) The stretch's last ``rebase_s`` of floors wax and wane: the median change
        of the floor from one second to the next is ``rebase_swing`` (natural log) or more.
        A moved electrode or a new posture is a step to a steady level (small changes after
        the one step); a cramp's level swings irregularly from second to second."""
        d = np.abs(np.diff(np.log(stretch)))
        return bool(d.size) and float(np.median(d)) >= self.rebase_swing

    def _run(self, floors: np.ndarray, usable: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
        """Step the baseline through segments; returns (n_channels, n_seg + 1) values and
        the stretch's length (s) where its re-base is held (rebase2), else 0, before each
        segment and after the last, and whether it is held anywhere."""
        c, n_seg = floors.shape
        out = np.empty((c, n_seg + 1))
        held = np.zeros((c, n_seg + 1))
        keep = self.rebase_segments
        for ch in range(c):
            v = float(self.value[ch])
            active = int(self._active[ch])
            stretch = self._stretch[ch]
            fl, us = floors[ch].tolist(), usable[ch].tolist()
            row, hrow = out[ch], held[ch]
            for j in range(n_seg):
                row[j] = v
                hrow[j] = active if self.rebase_swing > 0 and active >= keep else 0
                if not us[j]:
                    continue
                f = fl[j]
                if v != v:  # NaN: the first usable segment sets it
                    v, active = f, 0
                    continue
                ratio = f / v
                if ratio < ACTIVE_RATIO:  # quiet: follow it, quickly down, slowly up
                    v *= ratio ** (FOLLOW_DOWN if ratio < 1.0 else FOLLOW_UP)
                    active = 0
                    stretch.clear()
                else:  # active: frozen, unless it has lasted long enough to be a new rest
                    active += 1
                    if self.rebase_swing > 0:
                        stretch.append(f)
                        del stretch[:-keep]
                    if active >= keep and not (
                        # rebase2: ... unless it waxes and wanes (not a step to a new
                        # level), for at most rebase_hold_s more
                        self.rebase_swing > 0
                        and active < keep + self.rebase_hold_segments
                        and self._swings(stretch)
                    ):
                        v, active = f, 0
                        stretch.clear()
                v = max(v, self.floor_uv)
            row[n_seg] = v
            hrow[n_seg] = active if self.rebase_swing > 0 and active >= keep else 0
            self.value[ch] = v
            self._active[ch] = active
        self._held_end = self.rebase_swing > 0 and bool((self._active >= keep).any())
        any_held = self.rebase_swing > 0 and bool(held.any())
        return out, held, any_held
