"""Placing a cramp's onset once its alert is raised."""

from __future__ import annotations

import numpy as np

from crampdetect.features.context import count_in_run

#: The onset is sought at most this long before the run the alert belongs to began (s): the
#: run starts once the envelope is up, a little after the rise began.
RUN_MARGIN_S = 2.0
#: The foot of the rise: the last frame before the step whose log envelope is below this share
#: of the way from the mean level before the step to the mean level after it...
ONSET_FOOT = 0.05
#: ... or, if lower, above the level just before the step (its median over FOOT_SPAN_S) by
#: less than FOOT_SPREAD times its median absolute deviation (at least FOOT_MIN_DEV, log units):
#: the first departure from the noise before the rise.
FOOT_SPAN_S, FOOT_SPREAD, FOOT_MIN_DEV = 3.0, 2.0, 0.05
#: (miss) The noise just before the rise is re-measured this many times, each time over the
#: FOOT_SPAN_S before the foot found so far: the span before the split holds part of a slow
#: rise, which raises the foot (a slow onset came out up to a second late).
FOOT_PASSES = 2
#: A stretch this long (s) back at that level after the foot is a relaxation gap: what came
#: before it (a movement) is not the cramp, whose onset follows the gap.
RELAX_GAP_S = 0.5
#: TKEO conditioning may move the onset back at most this far (s).
TKEO_BACK_S = 0.5
#: (onset) From the foot, the onset goes back down the rise while the envelope, averaged over
#: DESCENT_SMOOTH_S, keeps falling, at most DESCENT_BACK_S: the first part of a slow rise (or
#: one out of the dip after an effort) is under the noise, so its foot comes late.
DESCENT_SMOOTH_S, DESCENT_BACK_S = 0.15, 1.0
#: (onset2) A late alert: when the envelope over the whole search window, averaged over
#: RUN_LEVEL_SMOOTH_S, stays above RUN_LEVEL_RATIO times its lowest level over the FOOT_SPAN_S
#: before ``run_start``, the window lies inside a contraction that rose before it, so the search
#: reaches back to the run's start (at most RUN_BACK_S before the alert) unless another leg rose
#: as much over that extension (a bilateral movement, a turnover, opened the run).
RUN_LEVEL_SMOOTH_S, RUN_LEVEL_RATIO, RUN_BACK_S = 0.5, 4.0, 30.0
#: (onset3) ... that is, the other leg stood above RUN_LEVEL_RATIO x its own level before the
#: run (averaged over RUN_LEVEL_SMOOTH_S) for more than this share of the extension: a turnover
#: moves both legs through it for seconds, whereas the tail of one that ended as this leg's run
#: began (a cramp that continued a turnover) is a brief burst at the extension's start.
RUN_OTHER_SHARE = 0.25
#: (onset3) A swell within the cramp is not its onset: when the onset found lies after the
#: start of the alert's run, at least SWELL_AFTER_S before the alert, and since the run began
#: the envelope (averaged over RUN_LEVEL_SMOOTH_S) never fell below SWELL_RATIO x its median
#: from that onset to the alert, the cramp was already up when the run began (out of gait, or
#: continuing a turnover): the onset is the run's start. Not when the other leg stood above
#: RUN_LEVEL_RATIO x its level before the run for more than RUN_OTHER_SHARE of the run up to
#: that onset (both legs moving through it: a turnover opened the run, the cramp came later).
SWELL_RATIO, SWELL_AFTER_S = 0.5, 1.0
# onset: blocked frames. The chain zeroes the envelope of frames masked as lead-off (an input
# pinned at a rail or floating): they carry no level, so they are not the resting level before
# a rise. A blocked stretch takes the level of the first frame measured after it (up to the
# alert), and a search window that starts inside one reaches back to its start (less
# RUN_MARGIN_S, at most RUN_BACK_S before the alert): a cramp that drove the input to its rail
# rose where the stretch began, not where the mask lifted.


def place_onset(
    fast: np.ndarray,
    tkeo: np.ndarray,
    first: int,
    alert: int,
    run_start: int,
    frames_per_s: float,
    lookback_s: float,
    tk_floor: float,
    others: np.ndarray | None = None,
) -> int:
    """Frame where the rise to a cramp began.

    A change point going back from the alert: over the 100 ms envelope from the start of the
    alert's run (the last relaxation gap, less ``RUN_MARGIN_S``) or ``lookback_s`` before the
    alert, whichever is later (the run's start when the alert came late: ``_reach_run_start``),
    the split into a lower and a higher mean of the log envelope that explains it best is the
    cramp's rise (a prodrome, a movement or gait before it stays on the lower side; the cramp's
    own waxing and waning on the higher). The onset is the foot of that rise: the frame after
    the last one before the split still at the level before it (``ONSET_FOOT`` of the way up, or
    within the noise just before), taken back down the rise while the smoothed envelope keeps
    falling (``DESCENT_BACK_S``). Then, TKEO conditioning (Solnik et al., domain notes §4):
    motor-unit activity shows in the Teager-Kaiser energy before the RMS envelope rises, so it
    continues back (at most ``TKEO_BACK_S``) over frames whose TKEO stands above 4x its median
    before the run.

    Parameters
    ----------
    fast, tkeo : ndarray (n,)
        100 ms envelope (µV) and mean TKEO (µV², zeros for ENV input) of frames
        ``first .. first + n``.
    first : int
        Frame index of ``fast[0]``.
    alert : int
        Frame where the alert was raised.
    run_start : int
        First frame of the alert's run (< 0: unknown).
    frames_per_s : float
        Feature frame rate in Hz.
    lookback_s : float
        Furthest the onset may lie before the alert, s (within the caller's history).
    tk_floor : float
        TKEO level (µV²) that motor-unit activity stands above, from before the run; NaN
        when unknown (ENV input, no rest seen).
    others : ndarray (m, n), optional
        (onset2) 100 ms envelopes (µV) of the other channels over the same frames.
    """
    fr = frames_per_s
    lo = max(first, alert - round(lookback_s * fr))
    if run_start >= 0:
        lo = max(lo, run_start - round(RUN_MARGIN_S * fr))
    lo = min(lo, alert)
    lo = _reach_run_start(fast, first, lo, alert, run_start, fr, others)  # onset2
    fast, lo = _unblock(fast, first, lo, alert, fr)  # onset: blocked frames
    y = np.log(np.maximum(fast[lo - first : alert - first + 1], 1e-9))
    k = alert
    if y.size >= 2:
        # Best split y[:t] | y[t:] by the between-group sum of squares, rising only.
        cs = np.cumsum(y)
        t = np.arange(1, y.size)
        left, right = cs[t - 1] / t, (cs[-1] - cs[t - 1]) / (y.size - t)
        gain = np.where(right > left, t * left**2 + (y.size - t) * right**2, -np.inf)
        best = int(np.argmax(gain))
        if np.isfinite(gain[best]):
            split = best + 1
            foot = left[best] + ONSET_FOOT * (right[best] - left[best])
            before = y[max(0, split - round(FOOT_SPAN_S * fr)) : split]
            med = float(np.median(before))
            dev = max(float(np.median(np.abs(before - med))), FOOT_MIN_DEV)
            foot = min(foot, med + FOOT_SPREAD * dev)
            low = y <= foot
            below = np.flatnonzero(low[:split])
            k = int(below[-1]) + 1 if below.size else 0
            # A relaxation gap after it (a movement before the cramp): the onset is after that.
            gaps = np.flatnonzero(count_in_run(low, ~low, 0) >= max(1, round(RELAX_GAP_S * fr)))
            stop = 0  # (miss) the passes below do not go back past a relaxation gap
            if gaps.size and gaps[-1] >= k:
                up = np.flatnonzero(~low[gaps[-1] :])
                k = int(gaps[-1] + up[0]) if up.size else y.size - 1
                stop = k
            for _ in range(FOOT_PASSES):  # (miss) the noise before the foot, not the split
                at = k + lo - first  # the foot in ``fast`` (whose history reaches further back)
                span = fast[max(0, at - round(FOOT_SPAN_S * fr)) : at]
                if span.size < round(FOOT_SPAN_S * fr):
                    break
                before = np.log(np.maximum(span, 1e-9))
                med = float(np.median(before))
                dev = max(float(np.median(np.abs(before - med))), FOOT_MIN_DEV)
                foot = min(foot, med + FOOT_SPREAD * dev)
                below = np.flatnonzero(y[stop:k] <= foot)
                if not below.size:  # nothing at that noise level since: keep the foot
                    break
                k = stop + int(below[-1]) + 1
            k += lo
            k = _descend(fast, first, k, lo, alert, fr)
    if tk_floor == tk_floor:  # not NaN
        stop = max(first, k - round(TKEO_BACK_S * fr))
        # back from k while the TKEO stands at the floor or above (NaN stops it)
        under = np.flatnonzero(~(tkeo[stop - first : k - first] >= tk_floor))
        k = stop + int(under[-1]) + 1 if under.size else min(k, stop)
    return _swell(fast, first, k, alert, run_start, fr, others)  # onset3


def _swell(
    fast: np.ndarray,
    first: int,
    k: int,
    alert: int,
    run_start: int,
    fr: float,
    others: np.ndarray | None = None,
) -> int:
    """(onset3) ``run_start`` when the onset ``k`` found after it is a swell of a cramp that was
    already up when its run began (``SWELL_RATIO``, ``SWELL_AFTER_S``) and the other leg did not
    move through that run (``RUN_OTHER_SHARE``); otherwise ``k``. Reads only frames from
    ``RUN_BACK_S`` before the alert (the history always kept) up to the alert."""
    n = max(1, round(RUN_LEVEL_SMOOTH_S * fr))
    reach = alert - round(RUN_BACK_S * fr)
    rest0 = run_start - round(FOOT_SPAN_S * fr)
    if 0 <= run_start and rest0 < max(first, reach):  # onset4: the run began out of reach
        return _old_run(fast, first, k, alert, run_start, fr, others)
    if run_start < 0 or k - run_start < n or alert - k < round(SWELL_AFTER_S * fr):
        return k
    run = np.log(np.maximum(fast[run_start - first : k - first + 1], 1e-9))
    after = np.log(np.maximum(fast[k - first : alert - first + 1], 1e-9))
    low = float(np.min(_running_mean(run, n)[n // 2 : run.size - (n - 1) // 2]))
    if low < float(np.median(after)) + np.log(SWELL_RATIO):
        return k
    a = max(reach, run_start - round(RUN_MARGIN_S * fr))
    for o in [] if others is None else others:
        floor = _floor(o[rest0 - first : run_start - first], n)
        if _up_share(o[a - first : k - first], n, RUN_LEVEL_RATIO * floor) > RUN_OTHER_SHARE:
            return k
    return run_start


def _old_run(
    fast: np.ndarray,
    first: int,
    k: int,
    alert: int,
    run_start: int,
    fr: float,
    others: np.ndarray | None = None,
) -> int:
    """(onset4) ``run_start`` when the alert's run began so long before it that the level
    before the run is out of the history kept (``RUN_BACK_S``), the onset ``k`` found lies at
    least ``SWELL_AFTER_S`` before the alert, and over the reachable part of the run up to
    ``k`` the envelope (averaged over ``RUN_LEVEL_SMOOTH_S``) never fell below
    ``SWELL_RATIO`` x its median from ``k`` to the alert (a cramp alerted late: up all along,
    whereas the split found a swell within it), unless the other leg stood above
    ``RUN_LEVEL_RATIO`` x its own lowest level up to the alert for more than
    ``RUN_OTHER_SHARE`` of that part (both legs moving). Otherwise ``k``. Reads only frames
    from ``RUN_BACK_S`` before the alert up to it, so the onset may lie before the history
    kept."""
    n = max(1, round(RUN_LEVEL_SMOOTH_S * fr))
    a = max(first, alert - round(RUN_BACK_S * fr), run_start)
    if k - a < n or alert - k < round(SWELL_AFTER_S * fr):
        return k
    run = np.log(np.maximum(fast[a - first : k - first + 1], 1e-9))
    after = np.log(np.maximum(fast[k - first : alert - first + 1], 1e-9))
    if _floor(run, n) < float(np.median(after)) + np.log(SWELL_RATIO):
        return k
    for o in [] if others is None else others:
        floor = _floor(o[a - first : alert - first + 1], n)
        if _up_share(o[a - first : k - first], n, RUN_LEVEL_RATIO * floor) > RUN_OTHER_SHARE:
            return k
    return run_start


def _descend(fast: np.ndarray, first: int, k: int, lo: int, alert: int, fr: float) -> int:
    """(onset) Frame at the bottom of the rise whose foot is ``k``: back from ``k`` (not before
    ``lo``, at most ``DESCENT_BACK_S``) while the log 100 ms envelope averaged over
    ``DESCENT_SMOOTH_S`` (centred; frames after ``alert`` are not used) keeps falling; a sharp
    step keeps its foot."""
    n = max(1, round(DESCENT_SMOOTH_S * fr))
    stop = max(lo, k - round(DESCENT_BACK_S * fr))
    a, b = max(first, stop - n), min(first + fast.size, k + n + 1, alert + 1)
    z = _running_mean(np.log(np.maximum(fast[a - first : b - first], 1e-9)), n)
    j, bottom = k - a, stop - a
    if j > bottom:  # back from j while the average keeps falling (NaN stops it)
        flat = np.flatnonzero(~(z[bottom:j] < z[bottom + 1 : j + 1]))
        j = bottom + int(flat[-1]) + 1 if flat.size else bottom
    return min(k, j + a + n // 2)  # the average reaches n // 2 frames into a sharp step


def _reach_run_start(
    fast: np.ndarray,
    first: int,
    lo: int,
    alert: int,
    run_start: int,
    fr: float,
    others: np.ndarray | None = None,
) -> int:
    """(onset2) Start of the onset search: ``lo``, or earlier, back to the start of the alert's
    run less ``RUN_MARGIN_S`` (at most ``RUN_BACK_S`` before the alert, within the history),
    when the envelope never comes down near the level before the run within ``lo .. alert``
    (``RUN_LEVEL_RATIO``): the cramp rose before the window, the alert came late."""
    start = max(first, run_start - round(RUN_MARGIN_S * fr), alert - round(RUN_BACK_S * fr))
    rest_at = (max(0, run_start - round(FOOT_SPAN_S * fr) - first), max(0, run_start - first))
    rest = fast[rest_at[0] : rest_at[1]]
    if run_start < 0 or start >= lo or rest.size < round(FOOT_SPAN_S * fr):
        return lo
    n = max(1, round(RUN_LEVEL_SMOOTH_S * fr))
    window = fast[lo - first : alert - first + 1]
    if window.size < n:
        return lo
    low = _floor(window, n)
    floor = _floor(rest, n)
    if low <= RUN_LEVEL_RATIO * floor:
        return lo
    # Not when the other leg rose with the run (a bilateral movement, a turnover, opened it)
    # and stayed up through much of it (onset3: not a burst at its start).
    for o in [] if others is None else others:
        span = o[start - first : lo - first]
        o_rest = o[rest_at[0] : rest_at[1]]
        if span.size >= n and _up_share(span, n, RUN_LEVEL_RATIO * _floor(o_rest, n)) > (
            RUN_OTHER_SHARE
        ):
            return lo
    return start


def _unblock(
    fast: np.ndarray, first: int, lo: int, alert: int, fr: float
) -> tuple[np.ndarray, int]:
    """(onset) ``fast`` with each blocked stretch (envelope 0) up to ``alert`` at the level of
    the first measured frame after it (still 0 where none is, up to the alert), and the search
    start ``lo``, moved back to the start of the blocked stretch it lies in less
    ``RUN_MARGIN_S`` (not before ``first`` nor ``RUN_BACK_S`` before the alert: the history
    kept, ``HISTORY_S``, reaches that far whatever the block size)."""
    head = fast[: alert - first + 1]
    blocked = head == 0
    if not blocked.any():
        return fast, lo
    idx = np.where(blocked, head.size, np.arange(head.size))
    nxt = np.minimum.accumulate(idx[::-1])[::-1]  # the next measured frame (size: none)
    filled = head.copy()
    ok = blocked & (nxt < head.size)
    filled[ok] = head[nxt[ok]]
    if blocked[lo - first]:
        stop = max(0, alert - first - round(RUN_BACK_S * fr))
        measured = np.flatnonzero(~blocked[stop : lo - first])
        start = stop + (int(measured[-1]) + 1 if measured.size else 0)
        lo = max(first + stop, first + start - round(RUN_MARGIN_S * fr))
    return np.concatenate([filled, fast[head.size :]]), lo


def preload() -> None:
    """Import now what placing an onset needs (scipy.ndimage, ~0.1-0.3 s), so that a live
    monitor does not pay for it at its first alert, when the prompt must go out."""
    import scipy.ndimage  # noqa: F401


def _running_mean(x: np.ndarray, n: int) -> np.ndarray:
    """Centred running mean of ``x`` over ``n`` samples, the edges repeated (scipy's
    ``uniform_filter1d``, imported here: only an alert pays for scipy.ndimage's import)."""
    from scipy.ndimage import uniform_filter1d

    return uniform_filter1d(x, n, mode="nearest")


def _up_share(x: np.ndarray, n: int, level: float) -> float:
    """(onset3) Share of the whole ``n``-frame windows of ``x`` whose mean is above ``level``."""
    return float(np.mean(_running_mean(x, n)[n // 2 : x.size - (n - 1) // 2] > level))


def _floor(x: np.ndarray, n: int) -> float:
    """(onset2) Lowest level of ``x`` averaged over ``n`` frames (whole windows only)."""
    return float(np.min(_running_mean(x, n)[n // 2 : x.size - (n - 1) // 2]))
