"""The cramp detector: a per-channel state machine over feature frames.

States: ``idle`` (at rest), ``suspect`` (continuous activation, not yet a cramp), ``cramp``
(alert raised, waiting for sustained relaxation), ``recovery`` (idle, but within the
recurrence watch after a cramp, with more sensitive thresholds).

A cramp is told from voluntary effort and movement by what the physiology says differs
(domain notes §1, §2.4, §6.4): it starts from rest, it does not relax (no relaxation gaps,
unlike gait or repetitions), it waxes and wanes irregularly (unlike a steady voluntary hold),
it is usually on one leg (turning over involves both), it lasts longer than movements, and it
is not motion artefact. Two paths raise the alert:

- fast: after ``fast_s`` of continuous activation that is irregular, has no deep dips, is not
  bilateral and has no artefact in the window;
- slow: after ``slow_s`` of continuous strong activation, whatever its shape.

All per-frame statistics are computed vectorised over a block; Python only steps through
alerts and ends, which are rare. Output does not depend on block boundaries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from crampdetect.detect.onset import place_onset
from crampdetect.detect.settings import DetectorSettings
from crampdetect.features.context import count_in_run, trailing_stats

_NEVER = -(10**12)

#: Features of an unsure alert candidate, in the order given to a learned gate.
CANDIDATE_FEATURES = (
    "elapsed_s",  # s of continuous activation so far
    "irregularity",  # std of detrended log 250 ms envelope over window_s
    "dip",  # lowest 100 ms envelope / mean over window_s
    "log_level_rest",  # log(level / resting baseline)
    "log_rise",  # log(level / median level in the 5 s before the run)
    "bilateral",  # share of the run during which another leg rose too
    "log_level_reference",  # log(level / strongest recent activity or calibrated maximum)
    "recurrence",  # 1 within the recurrence watch after a cramp
    "path_irregular",  # 1 when the irregular (fast) rule holds
    "path_quiet",  # 1 when the quiet-rest rule holds
)
HISTORY_S = 30.0


@dataclass(slots=True)
class FrameEvent:
    """An event in frame units (converted to seconds by the pipeline)."""

    kind: str
    channel: int
    onset_frame: int
    alert_frame: int
    end_frame: int | None
    confidence: float
    id: int
    detail: dict[str, float | str | bool] = field(default_factory=dict)


@dataclass(slots=True)
class _Channel:
    hyst: bool = False
    last_on: int = _NEVER
    run_start: int = -1
    run_strong: int = 0  # frames of the current run at a strong level
    in_cramp: bool = False
    cramp: FrameEvent | None = None
    cramp_base: float = 0.0
    low: int = 0
    recurrence_until: int = _NEVER
    cramp_level: float = 0.0  # median envelope (µV) when the alert was raised
    pre_run: int = -1  # run whose pre-run level is cached in pre_value
    pre_value: float = 0.0
    last_move_end: int = _NEVER  # end frame of the last activation run of >= 0.5 s


class CrampDetector:
    """Detect cramps on each channel from envelope levels and their baseline.

    Parameters
    ----------
    n_channels : int
        Number of channels.
    hop_s : float
        Frame spacing in s.
    settings : DetectorSettings
        Thresholds (see :func:`~crampdetect.detect.settings.profile_settings`).
    """

    def __init__(
        self,
        n_channels: int,
        hop_s: float,
        settings: DetectorSettings,
        gate: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> None:
        self.n_channels = n_channels
        self.hop_s = hop_s
        self.settings = settings
        #: Optional learned gate: rows of CANDIDATE_FEATURES -> accept (bool) per row, asked
        #: where the rules are unsure (fast and quiet paths, before the slow path).
        self.gate = gate
        #: When a list, every unsure candidate is appended as (channel, frame, features).
        self.candidate_log: list[tuple[int, int, np.ndarray]] | None = None
        s = settings
        fr = 1.0 / hop_s
        self._w = max(3, round(s.window_s * fr))
        self._persist = max(1, round(s.persist_s * fr))
        self._relax_w = max(2, round(3.0 * fr))
        self._gap = max(1, round(s.gap_s * fr))
        self._end = max(1, round(s.end_s * fr))
        self._hist_len = round(HISTORY_S * fr)
        self.reset()

    def reset(self) -> None:
        c = self.n_channels
        self._ch = [_Channel() for _ in range(c)]
        self._next_id = 1
        self._frame = 0
        self.interrupted: dict[int, tuple[float, float]] = {}
        self._h_level = np.zeros((c, 0))  # 250 ms level history (window stats)
        self._h_fast = np.zeros((c, 0))  # 100 ms level history (onset backtracking)
        self._h_base = np.zeros((c, 0))
        self._h_ref = np.zeros((c, 0))
        self._h_tkeo = np.zeros((c, 0))
        self._h_art = np.zeros((c, 0), dtype=bool)

    # -- public -------------------------------------------------------------------------------
    def state(self, channel: int) -> str:
        ch = self._ch[channel]
        if ch.in_cramp:
            return "cramp"
        if ch.run_start >= 0 and self._frame - ch.last_on <= self._gap:
            return "suspect"
        if self._frame < ch.recurrence_until:
            return "recovery"
        return "idle"

    def watch_recurrence(self, channel: int, until_frame: int) -> None:
        """Make ``channel`` more sensitive until ``until_frame`` (recurrence watch)."""
        ch = self._ch[channel]
        ch.recurrence_until = max(ch.recurrence_until, until_frame)

    def update(
        self,
        start: int,
        level_fast: np.ndarray,
        level: np.ndarray,
        base: np.ndarray,
        blocked: np.ndarray,
        artefact: np.ndarray,
        reference: np.ndarray | None = None,
        tkeo: np.ndarray | None = None,
        untrusted: np.ndarray | None = None,
        interrupted: np.ndarray | None = None,
    ) -> list[FrameEvent]:
        """Process frames ``start .. start + n``; all arrays (n_channels, n).

        ``level_fast``/``level`` are 100/250 ms envelopes (µV), ``base`` the resting baseline
        (µV, NaN while unknown), ``blocked`` frames with lead-off, ``artefact`` frames with
        pops, wander or a motion-artefact spectrum, ``reference`` the strongest recent
        activity (µV) or the calibrated maximum, ``tkeo`` the mean Teager-Kaiser energy per
        frame (µV², raw EMG only) used to place onsets, ``untrusted`` frames under a quality
        flag (no alert is raised from them), ``interrupted`` frames under a lasting flag
        (activity there starts or continues no run).
        """
        n = level.shape[1]
        self._frame = start + n
        if n == 0:
            return []
        s = self.settings
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(np.isnan(base), 0.0, level_fast / base)
        if s.ref_fraction > 0 and reference is not None:
            # Training: activity below a fraction of the strongest recent activity (standing
            # against gait bursts) is posture, not a contraction to watch.
            ratio = np.where(level_fast >= s.ref_fraction * reference, ratio, 0.0)
        on = self._hysteresis(ratio, blocked if interrupted is None else blocked | interrupted)
        stats = self._window_stats(level, level_fast, base, artefact)
        stats["ref"] = np.zeros_like(level) if reference is None else reference
        stats["untrusted"] = np.zeros(level.shape, bool) if untrusted is None else untrusted
        self._ext_fast = np.concatenate([self._h_fast, level_fast], axis=1)
        self._ext_level = np.concatenate([self._h_level, level], axis=1)
        self._ext_base = np.concatenate([self._h_base, base], axis=1)
        self._ext_ref = np.concatenate([self._h_ref, stats["ref"]], axis=1)
        tk = np.zeros_like(level) if tkeo is None else tkeo
        self._ext_tkeo = np.concatenate([self._h_tkeo, tk], axis=1)
        self._ext_start = start - self._h_fast.shape[1]
        events: list[FrameEvent] = []
        for c in range(self.n_channels):
            events.extend(self._channel(c, start, on[c], level_fast[c], base[c], blocked[c], stats))
        self._keep_history(level, level_fast, base, artefact)
        return events

    def finish(self) -> list[FrameEvent]:
        """End of stream: end ongoing cramps at the last frame."""
        out = []
        for _c, ch in enumerate(self._ch):
            if ch.in_cramp and ch.cramp is not None:
                ch.cramp.end_frame = self._frame
                out.append(ch.cramp)
                ch.in_cramp, ch.cramp = False, None
        return out

    def interrupt(self) -> list[FrameEvent]:
        """A long gap in the data: end ongoing cramps and forget runs (no cramp spans a gap).

        The levels of the cramps ended here are kept in :attr:`interrupted` (channel ->
        (resting baseline, cramp level), µV) so that :meth:`resume` can reopen one that is
        still going on after the gap.
        """
        self.interrupted = {
            c: (ch.cramp_base, ch.cramp_level) for c, ch in enumerate(self._ch) if ch.in_cramp
        }
        out = self.finish()
        for ch in self._ch:
            ch.hyst, ch.last_on, ch.run_start, ch.low = False, _NEVER, -1, 0
            ch.run_strong = 0
        return out

    def end_floor(self, channel: int) -> float:
        """Envelope (µV) below which the cramp interrupted on ``channel`` counts as relaxed."""
        base, level = self.interrupted[channel]
        s = self.settings
        return max(s.off_ratio * base, s.end_fraction * level)

    def resume(
        self, channel: int, onset: int, frame: int, detail: dict[str, float | str | bool]
    ) -> FrameEvent:
        """Reopen, as a new event from frame ``onset`` alerted at ``frame``, a cramp that a
        long gap interrupted and whose contraction goes on after it (the caller checked)."""
        base, level = self.interrupted.pop(channel)
        ch = self._ch[channel]
        ev = FrameEvent("cramp", channel, onset, frame, None, 0.9, self._next_id, dict(detail))
        ev.detail["level_uv"] = round(level, 1)
        self._next_id += 1
        ch.in_cramp, ch.cramp, ch.cramp_base, ch.low = True, ev, base, 0
        ch.cramp_level = level
        ch.hyst, ch.last_on, ch.run_start, ch.run_strong = False, _NEVER, -1, 0
        return FrameEvent(**{f: getattr(ev, f) for f in ev.__slots__})

    # -- internals ----------------------------------------------------------------------------
    def _hysteresis(self, ratio: np.ndarray, blocked: np.ndarray) -> np.ndarray:
        s = self.settings
        n = ratio.shape[1]
        ev = np.where(ratio >= s.on_ratio, 1, np.where((ratio < s.off_ratio) | blocked, 0, -1))
        ev[blocked] = 0
        idx = np.where(ev >= 0, np.arange(n), -1)
        last = np.maximum.accumulate(idx, axis=1)
        prev = np.array([ch.hyst for ch in self._ch])[:, None]
        on = np.where(last >= 0, np.take_along_axis(ev, np.maximum(last, 0), axis=1) == 1, prev)
        for c, ch in enumerate(self._ch):
            ch.hyst = bool(on[c, -1])
        return on

    def _window_stats(
        self, level: np.ndarray, fast: np.ndarray, base: np.ndarray, art: np.ndarray
    ) -> dict[str, np.ndarray]:
        """Trailing-window statistics of the new frames (see :func:`trailing_stats`)."""
        return trailing_stats(
            self._h_level,
            level,
            self._h_fast,
            fast,
            self._h_art,
            art,
            base,
            self._w,
            self._persist,
            self._relax_w,
            self.settings.relax_fraction,
        )

    def _keep_history(self, level, fast, base, art) -> None:
        h = self._hist_len
        self._h_level = np.concatenate([self._h_level, level], axis=1)[:, -h:]
        self._h_fast = np.concatenate([self._h_fast, fast], axis=1)[:, -h:]
        self._h_base = np.concatenate([self._h_base, base], axis=1)[:, -h:]
        self._h_ref = self._ext_ref[:, -h:]
        self._h_tkeo = self._ext_tkeo[:, -h:]
        self._h_art = np.concatenate([self._h_art, art], axis=1)[:, -h:]

    def _channel(
        self,
        c: int,
        start: int,
        on: np.ndarray,
        fast: np.ndarray,
        base: np.ndarray,
        blocked: np.ndarray,
        stats: dict[str, np.ndarray],
    ) -> list[FrameEvent]:
        ch = self._ch[c]
        n = on.shape[0]
        out: list[FrameEvent] = []
        p = 0
        while p < n:
            if ch.in_cramp:
                s = self.settings
                floor = max(s.off_ratio * ch.cramp_base, s.end_fraction * ch.cramp_level)
                low = (fast[p:] < floor) | blocked[p:]
                assert ch.cramp is not None
                too_long = ch.cramp.alert_frame + round(s.max_cramp_s / self.hop_s)
                if start + p <= too_long < start + n:  # give up: no cramp lasts this long
                    low = low.copy()
                    low[too_long - start - p :] = True
                q = self._end_index(ch, low)
                if q is None:
                    return out
                assert ch.cramp is not None
                ch.cramp.end_frame = start + p + q - self._end + 1
                out.append(ch.cramp)
                rec = round(self.settings.recurrence_s / self.hop_s)
                ch.recurrence_until = ch.cramp.end_frame + rec
                ch.in_cramp, ch.cramp, ch.low = False, None, 0
                ch.hyst, ch.last_on, ch.run_start = False, _NEVER, -1
                ch.run_strong = 0
                on = on.copy()
                on[p : p + q + 1] = False
                p = p + q + 1
                continue
            g = self._first_alert(c, start + p, on[p:], {k: v[c, p:] for k, v in stats.items()})
            if g is None:
                return out
            out.append(self._raise(c, start + p + g, float(base[p + g]), stats, p + g))
            p = p + g + 1
        return out

    def _end_index(self, ch: _Channel, low: np.ndarray) -> int | None:
        """Index in ``low`` where the relaxation run reaches ``end_s``, carrying the count."""
        n = low.shape[0]
        idx = np.arange(n)
        brk = np.where(~low, idx, -1)
        last_break = np.maximum.accumulate(brk)
        count = np.where(last_break >= 0, idx - last_break, ch.low + idx + 1)
        hit = np.flatnonzero(count >= self._end)
        if hit.size:
            return int(hit[0])
        ch.low = int(count[-1])
        return None

    def _first_alert(
        self,
        c: int,
        start: int,
        on: np.ndarray,
        st: dict[str, np.ndarray],
    ) -> int | None:
        """Index of the first frame that raises an alert, updating the run state otherwise."""
        ch = self._ch[c]
        s = self.settings
        n = on.shape[0]
        fr = 1.0 / self.hop_s
        frames = start + np.arange(n)
        on = on & ~st["relaxed"]  # a relaxation relative to its own level breaks continuity
        on_idx = np.where(on, frames, _NEVER)
        last_on = np.maximum(np.maximum.accumulate(on_idx), ch.last_on)
        in_run = frames - last_on <= self._gap
        # A run starts at an active frame whose previous active frame is further than the gap.
        prev_on = np.concatenate([[ch.last_on], last_on[:-1]])
        starts = on & (frames - prev_on > self._gap)
        run_start = np.maximum.accumulate(np.where(starts, frames, -1))
        run_start = np.where(run_start >= 0, run_start, ch.run_start)
        run_start = np.where(in_run, run_start, -1)
        elapsed = np.where(run_start >= 0, frames - run_start + 1, 0)
        moving = st["med"] >= 0.5 * s.strong_ratio
        run_strong = count_in_run(moving & in_run, starts, ch.run_strong)

        rec = frames < ch.recurrence_until
        scale = np.where(rec, s.recurrence_scale, 1.0)
        strong = in_run & (st["med"] >= s.strong_ratio) & (st["dip"] >= s.dip)
        # Fast: irregular waxing and waning, no artefact.
        fast = (
            strong
            & (elapsed >= s.fast_s * fr * scale)
            & (st["irr"] >= s.irregular * scale)
            & ~st["art"]
        )
        # Quiet (night): from quiet rest, a steady strong contraction is enough.
        quiet = np.zeros(n, dtype=bool)
        if s.quiet_s > 0:
            quiet = strong & (elapsed >= s.fast_s * fr * scale) & ~st["art"]
        # Slow: continuous and strong for long enough, whatever its shape.
        slow = in_run & (elapsed >= s.slow_s * fr * scale) & (st["med"] >= s.strong_ratio)

        # Ends of earlier runs that were movements (>= 0.5 s and clearly active).
        prev_in = np.concatenate([[ch.run_start >= 0], in_run[:-1]])
        prev_rs = np.concatenate([[ch.run_start], run_start[:-1]])
        prev_strong = np.concatenate([[ch.run_strong], run_strong[:-1]])
        ended = np.flatnonzero(
            prev_in & ~in_run & (frames - prev_rs >= round(0.5 * fr)) & (prev_strong > 0)
        )
        move_ends = frames[ended]

        def last_move_before(rs: int) -> int:
            k = np.searchsorted(move_ends, rs) - 1
            return int(move_ends[k]) if k >= 0 else ch.last_move_end

        level = st["med"] * st["base"]
        hit = np.flatnonzero((fast | slow | quiet) & ~st["untrusted"])
        g = None
        while hit.size:
            rs = int(run_start[hit[0]])
            mine = hit[run_start[hit] == rs]
            hit = hit[run_start[hit] != rs]
            # Only frames that rose above the activity before the run can alert.
            ok = level[mine] >= s.rise_ratio * self._pre_level(c, rs)
            if s.fast_ref_fraction > 0:
                # The early paths need the strongest activity of the last minutes before
                # the run to be matched: a cramp is rarely weaker than earlier movements.
                e0 = self._ext_start
                before = self._ext_ref[c, max(0, rs - 1 - e0)]
                ok &= slow[mine] | (level[mine] >= s.fast_ref_fraction * before)
            if s.quiet_s > 0 and rs - last_move_before(rs) < s.quiet_s * fr:
                # Shortly after a movement: maybe the next of a periodic series of leg
                # movements (every 5-90 s); only the slow path may alert.
                ok &= slow[mine]
            if ok.any():
                bil = self._bilateral_share(c, rs, start + mine)
                ok &= (bil < 0.5) | (elapsed[mine] >= s.bilateral_s * fr)
            unsure = ok & ~slow[mine]
            if unsure.any() and (self.gate is not None or self.candidate_log is not None):
                # The rules are unsure before the slow path: a learned model may decide.
                rows = np.flatnonzero(unsure)
                x = np.column_stack(
                    [
                        elapsed[mine[rows]] * self.hop_s,
                        st["irr"][mine[rows]],
                        st["dip"][mine[rows]],
                        np.log(np.maximum(st["med"][mine[rows]], 1e-6)),
                        np.log(np.maximum(level[mine[rows]], 1e-9))
                        - np.log(max(self._pre_level(c, rs), 1e-9)),
                        bil[rows],
                        np.log(np.maximum(level[mine[rows]], 1e-9))
                        - np.log(np.maximum(st["ref"][mine[rows]], 1e-9)),
                        rec[mine[rows]].astype(float),
                        fast[mine[rows]].astype(float),
                        quiet[mine[rows]].astype(float),
                    ]
                )
                if self.candidate_log is not None:
                    self.candidate_log.extend(
                        (c, int(start + m), row) for m, row in zip(mine[rows], x, strict=True)
                    )
                if self.gate is not None:
                    ok[rows] = np.asarray(self.gate(x), dtype=bool)
            if ok.any():
                g = int(mine[np.argmax(ok)])
                break
        upto = n if g is None else g + 1
        done = move_ends[ended < upto]
        if done.size:
            ch.last_move_end = int(done[-1])
        ch.last_on = int(last_on[upto - 1])
        ch.run_start = int(run_start[upto - 1])
        ch.run_strong = int(run_strong[upto - 1]) if ch.run_start >= 0 else 0
        if g is not None:
            self._path = "fast" if fast[g] else "quiet" if quiet[g] else "slow"
            self._run_start_at_alert = int(run_start[g])
            self._recurrent = bool(rec[g])
        return g

    def _bilateral_share(self, c: int, run_start: int, frames: np.ndarray) -> np.ndarray:
        """Share of the run, up to each of ``frames``, during which another leg rose too.

        Another leg counts when it is active and well above its own level before the run:
        both legs rising together is posture, a bilateral hold or turning over; a cramp on
        one leg while the other keeps standing is not bilateral.
        """
        if self.n_channels < 2:
            return np.zeros(frames.shape)
        e0 = self._ext_start
        a = max(0, run_start - e0)
        b = int(frames[-1]) - e0 + 1
        co = np.zeros(b - a, dtype=bool)
        # Strength on a common scale: level over each leg's own activity reference (the
        # strongest recent activity), or over its rest when no reference is known yet.
        scale = np.where(self._ext_ref > 0, self._ext_ref, self._ext_base)
        with np.errstate(invalid="ignore", divide="ignore"):
            mine = self._ext_level[c, a:b] / scale[c, a:b]
        for o in range(self.n_channels):
            if o == c:
                continue
            lvl = self._ext_level[o, a:b]
            base = self._ext_base[o, a:b]
            pre = self._pre_level(o, run_start, cache=False)
            with np.errstate(invalid="ignore", divide="ignore"):
                co |= (
                    (lvl >= self.settings.on_ratio * base)
                    & (lvl >= self.settings.rise_ratio * pre)
                    # comparably strong: standing on one leg while the other cramps is not
                    # a bilateral contraction
                    & (lvl / scale[o, a:b] >= 0.25 * mine)
                )
        cum = np.cumsum(co)
        idx = frames - e0 - a
        return cum[idx] / (idx + 1)

    def _pre_level(self, c: int, run_start: int, cache: bool = True) -> float:
        """Median 250 ms level over the 5 s before a run (0 if unknown), cached per run.

        A cramp rises from rest or from lighter activity; a run that begins as gait stops
        and leaves a tonic standing activity does not rise above what came before it.
        """
        ch = self._ch[c]
        if cache and ch.pre_run == run_start:
            return ch.pre_value
        fr = 1.0 / self.hop_s
        e0 = self._ext_start
        a = max(0, run_start - round(5.0 * fr) - e0)
        b = max(0, run_start - round(0.5 * fr) - e0)
        pre = float(np.median(self._ext_level[c, a:b])) if b - a >= round(1.0 * fr) else 0.0
        if cache:
            ch.pre_run, ch.pre_value = run_start, pre
        return pre

    def _raise(
        self, c: int, frame: int, base: float, stats: dict[str, np.ndarray], i: int
    ) -> FrameEvent:
        """Open a cramp event at ``frame`` (block index ``i``); place its onset."""
        s = self.settings
        ch = self._ch[c]
        fr = 1.0 / self.hop_s
        rs = self._run_start_at_alert
        fast, e0 = self._ext_fast[c], self._ext_start
        pre = fast[max(0, rs - round(5 * fr) - e0) : max(0, rs - round(0.5 * fr) - e0)]
        local = max(base, float(np.median(pre)) if pre.size else 0.0)
        level = float(stats["med"][c, i] * base)
        k = place_onset(fast, self._ext_tkeo[c], e0, rs, frame, local, level, fr, s.slow_s + 3.0)
        if self._path == "quiet":
            margin = min(stats["med"][c, i] / s.strong_ratio, 1.25)
        elif self._path == "fast":
            margin = stats["irr"][c, i] / (
                s.irregular * (s.recurrence_scale if self._recurrent else 1.0)
            )
        else:
            margin = stats["med"][c, i] / s.strong_ratio
        confidence = float(np.clip(0.6 + 0.4 * (margin - 1.0), 0.5, 0.99))
        ev = FrameEvent(
            kind="cramp",
            channel=c,
            onset_frame=k,
            alert_frame=frame,
            end_frame=None,
            confidence=confidence,
            id=self._next_id,
            detail={
                "path": self._path,
                "recurrence": self._recurrent,
                "level_uv": round(level, 1),
                # Level relative to the strongest recent activity or the calibrated maximum.
                "severity": round(min(1.0, level / ref), 2)
                if (ref := stats["ref"][c, i]) > 0
                else 1.0,
            },
        )
        self._next_id += 1
        ch.in_cramp, ch.cramp, ch.cramp_base, ch.low = True, ev, base, 0
        ch.cramp_level = level
        return FrameEvent(**{f: getattr(ev, f) for f in ev.__slots__})
