"""Per-channel signal-quality flags from feature frames.

A flag is an interval where detection on that channel cannot be trusted: the detector raises
no cramp alert from it (:meth:`QualityMonitor.update` returns the frames concerned). What the
filters remove (a mild hum the notch takes out, wander below the band-pass) is not a flag;
clean EMG, strong contractions included, is not a flag. Dropped samples (``gap``) are flagged
by the pipeline, which sees the sample clock; so are ``bad_value`` samples (NaN, inf or values
no front end can produce), which it replaces before filtering.
"""

from __future__ import annotations

import numpy as np

from crampdetect.core import Representation
from crampdetect.detect.intervals import IntervalTracker, Span
from crampdetect.features.hop import FeatureFrames
from crampdetect.features.windows import windows

#: Issues that make a channel's EMG unusable while they last: they also end a cramp.
BLOCKING = frozenset({"lead_off"})
#: Hum (µV RMS at the skin) that counts as strong mains interference: a residual hum below
#: the resting EMG, which the notches remove, is not flagged.
MAINS_UV = 15.0
#: Frames a pop candidate waits to see whether the level falls back (a pop) or stays (EMG).
POP_DELAY = 3


class QualityMonitor:
    """Flag quality problems per channel and frame.

    Parameters
    ----------
    representation : Representation
        Input representation (rails are known for ADC counts only).
    n_channels : int
        Number of channels.
    hop_s : float
        Frame spacing in s.
    """

    ISSUES = ("lead_off", "saturation", "mains", "pop", "wander", "bad_value")

    def __init__(self, representation: Representation, n_channels: int, hop_s: float) -> None:
        self.representation = representation
        self.n_channels = n_channels
        self.hop_s = hop_s
        per_s = 1.0 / hop_s
        self._win = max(2, round(per_s))  # 1 s of frames for rolling statistics
        persist = {
            "lead_off": (round(1.0 * per_s), round(1.0 * per_s)),
            "saturation": (1, round(0.5 * per_s)),
            "mains": (round(2.0 * per_s), round(2.0 * per_s)),
            "pop": (1, 1),
            "wander": (round(0.5 * per_s), round(1.0 * per_s)),
            "bad_value": (1, round(1.0 * per_s)),
        }
        self._trackers = {k: IntervalTracker(n_channels, *persist[k]) for k in self.ISSUES}
        self.reset()

    def reset(self) -> None:
        c = self.n_channels
        self._hist_mean = np.zeros((c, 0))
        self._hist_rms = np.zeros((c, 0))
        # Pop candidates wait POP_DELAY frames: a pop is transient, an EMG onset is not.
        self._pop_cand = np.zeros((c, POP_DELAY), dtype=bool)
        self._pop_ref = np.ones((c, POP_DELAY))
        self._pop_rms = np.zeros((c, POP_DELAY))
        for t in self._trackers.values():
            t.reset()

    def blocked(self, channel: int) -> bool:
        """True while a blocking issue (lead-off) is open on this channel."""
        return any(self._trackers[k].is_open(channel) for k in BLOCKING)

    def masks(
        self,
        f: FeatureFrames,
        mains_share: np.ndarray,
        mains_uv: np.ndarray | None = None,
        bad: np.ndarray | None = None,
    ) -> dict[str, np.ndarray]:
        """Per-issue boolean masks (n_channels, n_frames).

        ``mains_share`` is the share (0-1) of band power in mains lines and ``mains_uv`` their
        RMS at the skin (µV), per frame, from the mains analysis segment the frame falls in;
        ``bad`` marks frames holding samples that were replaced as ``bad_value``.
        """
        rep = self.representation
        uv = rep.uv_per_unit
        n = f.n_frames
        fsc = rep.full_scale
        span = f.raw_max - f.raw_min
        # Rolling 1-s statistics of the frame means (wander) and of the band RMS.
        mean_all = np.concatenate([self._hist_mean, f.raw_mean], axis=1)
        rms_all = np.concatenate([self._hist_rms, f.rms_fast], axis=1)
        keep = self._win - 1
        self._hist_mean = mean_all[:, -keep:] if keep else mean_all[:, :0]
        self._hist_rms = rms_all[:, -keep:] if keep else rms_all[:, :0]
        pad = self._win - 1 - (mean_all.shape[1] - n)
        if pad > 0:
            mean_all = np.concatenate([np.repeat(mean_all[:, :1], pad, axis=1), mean_all], axis=1)
            rms_all = np.concatenate([np.repeat(rms_all[:, :1], pad, axis=1), rms_all], axis=1)
        if n:
            wander_uv = windows(mean_all, self._win).std(axis=2) * uv
            rms_ref = windows(rms_all, self._win).mean(axis=2)
            prev_rms = rms_all[:, -n - 2 : -2] if rms_all.shape[1] >= n + 2 else f.rms_fast
        else:
            wander_uv = rms_ref = prev_rms = np.zeros((self.n_channels, 0))

        if fsc is not None:
            at_top = f.raw_max >= fsc - 1
            at_bottom = f.raw_min <= 1
            flat = span <= 2
            if rep.signal == "env":
                stuck = flat & at_top
                clip = at_top
            else:
                stuck = flat & (at_top | at_bottom)
                clip = at_top | at_bottom
        else:
            stuck = span == 0
            clip = np.zeros_like(stuck)
        if mains_uv is None:
            mains_uv = np.zeros_like(mains_share)
        huge_mains = (mains_share >= 0.6) & (mains_uv >= 1000.0)
        lead_off = stuck | huge_mains
        masks = {
            "lead_off": lead_off,
            "saturation": clip & ~lead_off,
            "mains": (mains_share >= 0.3) & (mains_uv >= MAINS_UV) & ~lead_off,
            "pop": np.zeros_like(lead_off),
            "wander": np.zeros_like(lead_off),
            "bad_value": np.zeros_like(lead_off) if bad is None else bad,
        }
        self._pop_cand_now = np.zeros_like(lead_off)
        if rep.signal == "raw":
            jump_uv = f.raw_jump * uv
            ref = np.maximum(prev_rms, 1e-9)
            cand = (jump_uv > 12.0 * ref) & (jump_uv > max(300.0, 8 * uv)) & ~lead_off & ~clip
            all_c = np.concatenate([self._pop_cand, cand], axis=1)
            # Untrusted from a candidate until its ringing has died down (DELAY frames).
            self._pop_cand_now = windows(all_c, POP_DELAY + 1).any(axis=2)
            all_ref = np.concatenate([self._pop_ref, np.maximum(4.0 * ref, 0.08 * jump_uv)], axis=1)
            all_rms = np.concatenate([self._pop_rms, f.rms_fast], axis=1)
            d = POP_DELAY
            # A pop's filtered ringing has died down DELAY frames later; EMG stays up.
            masks["pop"] = all_c[:, :n] & (all_rms[:, d : d + n] < all_ref[:, :n])
            self._pop_cand, self._pop_ref = all_c[:, -d:], all_ref[:, -d:]
            self._pop_rms = all_rms[:, -d:]
            masks["wander"] = (wander_uv > np.maximum(3.0 * rms_ref, 100.0)) & ~lead_off & ~clip
        return masks

    def update(
        self,
        f: FeatureFrames,
        mains_share: np.ndarray,
        mains_uv: np.ndarray | None = None,
        bad: np.ndarray | None = None,
    ) -> tuple[dict[str, np.ndarray], np.ndarray, list[tuple[str, Span]]]:
        """Masks for these frames, the untrusted frames and the spans that opened or closed.

        A frame is untrusted while any flag is open on it (or its mask is set): the detector
        raises no alert there.
        """
        masks = self.masks(f, mains_share, mains_uv, bad)
        spans = []
        untrusted = np.zeros(masks["lead_off"].shape, dtype=bool)
        for k in self.ISSUES:
            tracker = self._trackers[k]
            if k == "pop":  # pop masks lag POP_DELAY frames
                spans.extend((k, s) for s in tracker.feed(masks[k], f.start - POP_DELAY))
                continue
            spans.extend((k, s) for s in tracker.feed(masks[k], f.start))
            untrusted |= masks[k] | tracker.open_mask
        # A pop is known POP_DELAY frames late: its candidates count at once.
        return masks, untrusted | self._pop_cand_now, spans

    def close_all(self) -> list[tuple[str, Span]]:
        return [(k, s) for k in self.ISSUES for s in self._trackers[k].close_all()]
