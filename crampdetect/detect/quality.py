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
from crampdetect.detect.env_rail import EnvRise
from crampdetect.detect.intervals import IntervalTracker, Span
from crampdetect.features.hop import FeatureFrames
from crampdetect.features.windows import windows

#: Issues that make a channel's EMG unusable while they last: they also end a cramp.
BLOCKING = frozenset({"lead_off"})
#: Issues that last: activity under them starts no run toward an alert (pops and clipping
#: are brief and come with real activity, so they only hold the alert back).
LASTING = frozenset({"lead_off", "mains", "wander", "bad_value"})
#: Hum (µV RMS at the skin) that counts as strong mains interference: a residual hum below
#: the resting EMG, which the notches remove, is not flagged.
MAINS_UV = 15.0
#: Frames a pop candidate waits to see whether the level falls back (a pop) or stays (EMG).
POP_DELAY = 3
#: A pop is a step: its largest sample difference is this many times the frame's median one
#: (a heel strike swings smoothly).
STEP_RATIO = 8.0
#: Lower edge of the EMG band-pass (Hz); wander leaking through it above LEAK_FRACTION of
#: the band RMS is flagged.
EDGE_HZ = 20.0
LEAK_FRACTION = 0.5
#: A floating input: the frame repeats itself one mains period later (residual energy share
#: at most HUM_ONLY) at a level no EMG reaches (µV RMS at the skin).
HUM_ONLY = 0.05
FLOATING_UV = 2000.0
#: ENV lead-off: the 1-s spread of frame means at most ENV_STILL of their level, at least
#: ENV_HIGH of full scale.
ENV_STILL = 0.01
ENV_HIGH = 0.5
#: ENV hum: the envelope detector cannot remove interference at the skin. An envelope raised
#: to ENV_HUM_RISE x its floor (lowest 1-s level of the last FLOOR_S) that is smoother than
#: EMG (RMS frame-to-frame change over 1 s at most ENV_HUM_ROUGH of its level; EMG: >= 5 %).
ENV_HUM_RISE = 3.0
ENV_HUM_ROUGH = 0.025
FLOOR_S = 60.0
#: rail: raw counts clipping at a rail while the frame's mean stays within CLIP_CENTRE of full
#: scale of mid-scale are EMG swinging beyond the range about its centred baseline (a lower
#: bound on the level, like an ENV beyond the range): flagged, but trusted. Clipping with the
#: mean pushed toward a rail (a shifted baseline, an artefact) stays untrusted. In the
#: simulator's clipping (cramps, gait, holds, movements) the mean stays within 0.16 of mid.
CLIP_CENTRE = 0.2

#: ``ndarray.any()`` over all axes without its Python-level wrapper (small live arrays).
_any = np.logical_or.reduce


class RawFrames:
    """Statistics of unfiltered raw EMG (µV) for consecutive frames (see :class:`RawFrameStats`).

    Every statistic is computed only where asked (NaN elsewhere): a floating input and a pop
    need them on rare frames. ``sd_uv`` gives the frame standard deviation of every frame.
    """

    __slots__ = ("_before", "_delays", "_frames", "_hop", "_keep", "_samples")

    def __init__(self, before, frames, hop, delays) -> None:
        self._before, self._frames = before, frames  # samples before the frames, the frames
        self._samples: np.ndarray | None = None  # both, joined when first needed
        self._keep, self._hop, self._delays = before.shape[1], hop, delays

    def _rows(self, where: np.ndarray, lag: int) -> np.ndarray:
        """Samples of the frames ``where``, ``lag`` samples back: (n_where, hop)."""
        c, nf = where.shape
        k, hop = self._keep, self._hop
        if self._samples is None:
            self._samples = np.concatenate([self._before, self._frames], axis=1)
        s = self._samples[:, k - lag : k - lag + nf * hop].reshape(c, nf, hop)
        return s[where]

    def _var(self, where: np.ndarray) -> np.ndarray:
        """Variance (µV², at least 1e-12) of the frames ``where``: (n_where,)."""
        v, hop = self._rows(where, 0), self._hop
        mean = np.add.reduce(v, axis=1) / hop
        ms = np.add.reduce(v * v, axis=1) / hop
        return np.maximum(ms - mean**2, 1e-12)

    @property
    def sd_uv(self) -> np.ndarray:
        """Frame standard deviation (µV) of every frame: (n_channels, n_frames)."""
        c, n = self._frames.shape
        return self.sd_uv_at(np.ones((c, n // self._hop), dtype=bool))

    def sd_uv_at(self, where: np.ndarray) -> np.ndarray:
        """Frame standard deviation (µV) at the frames ``where`` (NaN elsewhere)."""
        out = np.full(where.shape, np.nan)
        if where.any():
            out[where] = np.sqrt(self._var(where))
        return out

    def hum_ratio(self, where: np.ndarray) -> np.ndarray:
        """Energy of ``x(t) - x(t - T)`` over twice the frame variance, for the mains period T
        (50 or 60 Hz, the better): about 1 for EMG, near 0 for pure hum."""
        out = np.full(where.shape, np.nan)
        if where.any():
            v = self._rows(where, 0)
            hums = []
            for p, a in self._delays:
                delayed = (1 - a) * self._rows(where, p) + a * self._rows(where, p + 1)
                hums.append(np.add.reduce((v - delayed) ** 2, axis=1) / self._hop)
            out[where] = np.minimum(*hums) / (2 * self._var(where))
        return out

    def diff_uv(self, where: np.ndarray) -> np.ndarray:
        """Median absolute sample difference (µV)."""
        out = np.full(where.shape, np.nan)
        if where.any():
            out[where] = np.median(np.abs(self._rows(where, 0) - self._rows(where, 1)), axis=1)
        return out


class RawFrameStats:
    """Per-frame statistics of unfiltered raw EMG (µV) that the band features lose.

    :meth:`process` returns :class:`RawFrames`, which computes on demand the frame standard
    deviation (``sd_uv``, ``sd_uv_at``), ``hum_ratio`` (energy of ``x(t) - x(t - T)`` over
    twice the frame variance for the mains period T, 50 or 60 Hz, the better: about 1 for EMG,
    near 0 for pure hum) and ``diff_uv`` (median absolute sample difference).

    Parameters
    ----------
    fs : float
        Sample rate, Hz.
    n_channels : int
        Number of channels.
    hop : int
        Frame length in samples (the features' hop).
    """

    def __init__(self, fs: float, n_channels: int, hop: int) -> None:
        self.hop = hop
        self.n_channels = n_channels
        periods = [fs / f0 for f0 in (50.0, 60.0)]
        self._delays = [(int(p), p - int(p)) for p in periods]
        self._keep = int(max(periods)) + 2
        self._hist: np.ndarray | None = None  # the last ``_keep`` samples of complete frames
        self._none = np.zeros((n_channels, 0))
        self._part = self._none  # samples of the frame not yet complete

    def process(self, u: np.ndarray) -> RawFrames:
        """Add samples (n_channels, n); statistics of the frames they complete."""
        k, hop = self._keep, self.hop
        if self._hist is None:
            self._hist = np.repeat(u[:, :1], k, axis=1)
        src = np.concatenate([self._part, u], axis=1) if self._part.shape[1] else u
        nf = src.shape[1] // hop
        m = nf * hop
        self._part = src[:, m:].copy() if m < src.shape[1] else self._none
        if not nf:
            return RawFrames(self._hist, src[:, :0], hop, self._delays)
        v = src[:, :m]
        before = self._hist
        # The last samples, copied: a view would keep the whole block alive.
        self._hist = v[:, -k:].copy() if m >= k else np.concatenate([before, v], axis=1)[:, -k:]
        return RawFrames(before, v, hop, self._delays)


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
        self._hist_level = np.zeros((c, 0))  # 1-s level means, for the ENV floor
        self._hist_rms = np.zeros((c, 0))
        # Pop candidates wait POP_DELAY frames: a pop is transient, an EMG onset is not.
        self._pop_cand = np.zeros((c, POP_DELAY), dtype=bool)
        self._pop_ref = np.ones((c, POP_DELAY))  # where _pop_cand holds (else unused)
        # rail: was the channel's last clipped frame off-centre (its span stays untrusted)?
        self._clip_off = np.zeros(c, dtype=bool)
        self._off_centre = np.zeros((c, 0), dtype=bool)
        self._mains_seen: tuple = (None, None)  # mains figures last seen, and their masks
        self.skip = np.zeros((c, 0), dtype=bool)  # frames the baseline does not learn from
        for t in self._trackers.values():
            t.reset()
        # rep: an envelope pinned high after a climb is a contraction, not a lead-off.
        fsc = self.representation.full_scale
        env = fsc is not None and self.representation.signal == "env"
        self._env_rise = EnvRise(c, self.hop_s, fsc, ENV_HIGH) if env else None

    def blocked(self, channel: int) -> bool:
        """True while a blocking issue (lead-off) is open on this channel."""
        return any(self._trackers[k].is_open(channel) for k in BLOCKING)

    def masks(
        self,
        f: FeatureFrames,
        mains: dict[str, np.ndarray] | None = None,
        raw: RawFrames | None = None,
        bad: np.ndarray | None = None,
    ) -> dict[str, np.ndarray]:
        """Per-issue boolean masks (n_channels, n_frames).

        ``mains`` holds per frame the mains lines' share of band power (0-1) and RMS (µV)
        before (``share``, ``uv``) and after the notches (``residual_share``,
        ``residual_uv``); ``raw`` the :class:`RawFrameStats` of the unfiltered input (raw
        EMG); ``bad`` frames holding samples that were replaced as ``bad_value``.
        """
        rep = self.representation
        uv = rep.uv_per_unit
        n = f.n_frames
        c = self.n_channels
        fsc = rep.full_scale
        span = f.raw_max - f.raw_min
        zeros = np.zeros((c, n))
        mains = mains or {}
        # Rolling 1-s statistics of the frame means and of the band RMS.
        mean_all = np.concatenate([self._hist_mean, f.raw_mean], axis=1)
        rms_all = np.concatenate([self._hist_rms, f.rms_fast], axis=1)
        keep = self._win + 2
        self._hist_mean = mean_all[:, -keep:]
        self._hist_rms = rms_all[:, -keep:]
        pad = keep - (mean_all.shape[1] - n)
        if pad > 0:
            mean_all = np.concatenate([np.repeat(mean_all[:, :1], pad, axis=1), mean_all], axis=1)
            rms_all = np.concatenate([np.repeat(rms_all[:, :1], pad, axis=1), rms_all], axis=1)
        level_mean = level_sd = rms_ref = prev_rms = leak_uv = rough = zeros
        add, win = np.add.reduce, self._win  # ufunc reduces: ndarray.mean's arithmetic
        if n and rep.signal == "env":
            w = windows(mean_all, win)[:, 3:]
            level_mean = add(w, axis=2) / win
            dev = w - level_mean[:, :, None]  # the standard deviation, as ndarray.std
            dev *= dev
            level_sd = np.sqrt(add(dev, axis=2) / win)
            d1 = mean_all[:, 3:] - mean_all[:, 2:-1]
            rough = np.sqrt(add(windows(d1**2, win), axis=2) / win)
        elif n:
            rms_ref = add(windows(rms_all, win)[:, 3:], axis=2) / win
            prev_rms = rms_all[:, -n - 2 : -2]
            # Wander leaking through the band-pass: below its edge the 2nd-order high-pass
            # passes (f / EDGE)^2, i.e. the wander's 2nd derivative over (2 pi EDGE)^2.
            # Means over two frames (100 ms: whole periods of 50 and 60 Hz) hold no hum.
            m2 = (mean_all[:, 1:] + mean_all[:, :-1]) / 2
            e = m2[:, 1:] - m2[:, :-1]
            d2 = (e[:, 1:] - e[:, :-1]) * uv / self.hop_s**2 / (2 * np.pi * EDGE_HZ) ** 2
            leak_uv = np.sqrt(add(windows(d2**2, win), axis=2) / win)

        if fsc is not None:
            at_top = f.raw_max >= fsc - 1
            at_bottom = f.raw_min <= 1
            flat = span <= 2
            if rep.signal == "env":
                # A live envelope wanders; one that sits still high up (a rail or the
                # amplifier's own limit) has lost its electrodes.
                still = level_sd <= np.maximum(ENV_STILL * level_mean, 1.0)
                stuck = (flat & at_top) | (still & (level_mean >= ENV_HIGH * fsc))
                if self._env_rise is not None:  # rep: only if it jumped there (env_rail)
                    stuck &= self._env_rise.jumped(f.raw_mean, f.raw_min, f.raw_max)
                clip = at_top
            else:
                stuck = flat & (at_top | at_bottom)
                clip = at_top | at_bottom
        else:
            stuck = span == 0
            clip = np.zeros_like(stuck)
        hum_off, hum = self._mains_masks(mains, zeros)
        lead_off = stuck | hum_off
        if raw is not None:
            # Nothing but mains of millivolts: a floating input, whatever the notches do. A
            # frame's SD is at most half its range (less 10 % here for rounding): only frames
            # spanning twice FLOATING_UV can be loud.
            loud = span * uv >= 1.8 * FLOATING_UV
            if _any(loud, None):
                loud[loud] = raw.sd_uv_at(loud)[loud] >= FLOATING_UV
                lead_off |= (raw.hum_ratio(loud) <= HUM_ONLY) & loud
        if rep.signal == "env":
            hum = (rough <= ENV_HUM_ROUGH * level_mean) & (
                level_mean >= ENV_HUM_RISE * np.maximum(self._env_floor(level_mean), 1.0)
            )
        usable = ~(lead_off | clip)
        masks = {
            "lead_off": lead_off,
            "saturation": clip & ~lead_off,
            "mains": hum & usable,
            "pop": np.zeros((c, n), dtype=bool),
            "wander": np.zeros((c, n), dtype=bool),
            "bad_value": np.zeros((c, n), dtype=bool) if bad is None else bad,
        }
        self._pop_cand_now = np.zeros((c, n), dtype=bool)
        self._off_centre = self._latest_clip_off(masks["saturation"], f.raw_mean)
        if rep.signal == "raw":
            jump_uv = f.raw_jump * uv
            ref = np.maximum(prev_rms, 1e-9)
            cand = (jump_uv > 12.0 * ref) & (jump_uv > max(300.0, 8 * uv)) & usable
            if raw is not None and _any(cand, None):  # a step, not a fast swing (heel strike):
                cand &= jump_uv > STEP_RATIO * raw.diff_uv(cand)  # one big difference
            if _any(cand, None) or _any(self._pop_cand, None):  # else no pop, nothing to keep
                all_c = np.concatenate([self._pop_cand, cand], axis=1)
                # Untrusted from a candidate until its ringing has died down (DELAY frames).
                self._pop_cand_now = np.logical_or.reduce(windows(all_c, POP_DELAY + 1), axis=2)
                new_ref = np.maximum(4.0 * ref, 0.08 * jump_uv)
                all_ref = np.concatenate([self._pop_ref, new_ref], axis=1)
                # A pop's filtered ringing has died down DELAY frames later; EMG stays up.
                masks["pop"] = all_c[:, :n] & (f.rms_fast < all_ref[:, :n])
                self._pop_cand, self._pop_ref = all_c[:, -POP_DELAY:], all_ref[:, -POP_DELAY:]
            masks["wander"] = (leak_uv > LEAK_FRACTION * rms_ref) & usable
        return masks

    def _mains_masks(
        self, mains: dict[str, np.ndarray], zeros: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per frame, from the mains figures: nothing but strong hum (a lead-off) and hum
        left after the notches. The figures of one analysis segment come back as the same
        read-only arrays frame after frame (live): their masks are kept for them."""
        if mains and mains is self._mains_seen[0]:
            return self._mains_seen[1]
        share, hum_uv = mains.get("share", zeros), mains.get("uv", zeros)
        off = (share >= 0.6) & (hum_uv >= 1000.0)
        hum = (mains.get("residual_share", zeros) >= 0.3) & (
            mains.get("residual_uv", zeros) >= MAINS_UV
        )
        if mains and all(not v.flags.writeable for v in mains.values()):
            off.flags.writeable = hum.flags.writeable = False
            self._mains_seen = (mains, (off, hum))
        return off, hum

    def _latest_clip_off(self, clip: np.ndarray, mean: np.ndarray) -> np.ndarray:
        """Per frame: was the last clipped frame (this one included) off-centre (its mean
        ``mean`` further than CLIP_CENTRE of full scale from mid-scale)? Raw only."""
        if self.representation.signal != "raw":
            return np.zeros(clip.shape, dtype=bool)
        n = clip.shape[1]
        if not _any(clip, None):
            return np.repeat(self._clip_off[:, None], n, axis=1)
        fsc = self.representation.full_scale
        if fsc is None:  # no rails: nothing clips (kept for completeness)
            off = np.ones(clip.shape, dtype=bool)
        else:
            off = ~(np.abs(mean - fsc / 2) <= CLIP_CENTRE * fsc)
        idx = np.where(clip, np.arange(n), -1)
        last = np.maximum.accumulate(idx, axis=1)
        out = np.where(
            last >= 0,
            np.take_along_axis(clip & off, np.maximum(last, 0), axis=1),
            self._clip_off[:, None],
        )
        self._clip_off = out[:, -1].copy()
        return out

    def _env_floor(self, level: np.ndarray) -> np.ndarray:
        """Per frame, the lowest 1-s level of the last FLOOR_S (the resting envelope)."""
        keep = max(1, round(FLOOR_S / self.hop_s))
        allv = np.concatenate([self._hist_level, level], axis=1)
        pad = keep - 1 - (allv.shape[1] - level.shape[1])
        self._hist_level = allv[:, -(keep - 1) :] if keep > 1 else allv[:, :0]
        if pad > 0:
            allv = np.concatenate([np.repeat(allv[:, :1], pad, axis=1), allv], axis=1)
        return windows(allv, keep).min(axis=2)

    def update(
        self,
        f: FeatureFrames,
        mains: dict[str, np.ndarray] | None = None,
        raw: RawFrames | None = None,
        bad: np.ndarray | None = None,
    ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, list[tuple[str, Span]]]:
        """Masks, untrusted frames, interrupted frames and the spans that opened or closed.

        A frame is untrusted while any flag is open on it (or its mask is set): the detector
        raises no alert there. It is interrupted while a :data:`LASTING` flag is: activity
        there does not count toward an alert.
        """
        masks = self.masks(f, mains, raw, bad)
        trackers = self._trackers.values()
        # (speed: one reduce over every mask stacked, not one per mask)
        if all(t.idle for t in trackers) and not _any(np.concatenate([*masks.values()]), None):
            # No flag open, none starting (the usual frame): the trackers have nothing to do.
            quiet = np.zeros(masks["lead_off"].shape, dtype=bool)
            for t in trackers:
                t.open_mask = quiet
            self.skip = self._pop_cand_now.copy()
            return masks, self._pop_cand_now.copy(), quiet.copy(), []
        spans = []
        untrusted = np.zeros(masks["lead_off"].shape, dtype=bool)
        skip = np.zeros_like(untrusted)
        lasting = np.zeros_like(untrusted)
        for k in self.ISSUES:
            tracker = self._trackers[k]
            if k == "pop":  # pop masks lag POP_DELAY frames
                spans.extend((k, s) for s in tracker.feed(masks[k], f.start - POP_DELAY))
                continue
            spans.extend((k, s) for s in tracker.feed(masks[k], f.start))
            if k == "saturation":
                # rep: an envelope beyond the ADC range is at least that strong: no doubt.
                # rail: so is raw EMG clipping about its centre; not clipping pushed to a rail.
                skip |= masks[k] | tracker.open_mask
                if self.representation.signal == "raw":
                    untrusted |= (masks[k] | tracker.open_mask) & self._off_centre
            else:
                untrusted |= masks[k] | tracker.open_mask
            if k in LASTING:
                lasting |= masks[k] | tracker.open_mask
            if k in BLOCKING:  # blocked while the interval lasts, not only where it began
                masks[k] = masks[k] | tracker.open_mask
        # A pop is known POP_DELAY frames late: its candidates count at once.
        untrusted |= self._pop_cand_now
        self.skip = untrusted | skip if self.representation.signal == "raw" else untrusted
        return masks, untrusted, lasting, spans

    def close_all(self) -> list[tuple[str, Span]]:
        return [(k, s) for k in self.ISSUES for s in self._trackers[k].close_all()]
