"""Statistics of the envelope over trailing windows of feature frames, for the detector.

Each function takes the new frames plus the history kept from earlier blocks, so results do
not depend on block boundaries.
"""

from __future__ import annotations

import numpy as np

from crampdetect.features.windows import windows


def pad_left(x: np.ndarray, n: int) -> np.ndarray:
    """Repeat the first column of ``x`` (n_channels, m) on the left up to ``n`` columns."""
    if x.shape[1] >= n:
        return x
    return np.concatenate([np.repeat(x[:, :1], n - x.shape[1], axis=1), x], axis=1)


def count_in_run(mask: np.ndarray, starts: np.ndarray, carried: int) -> np.ndarray:
    """Running count of ``mask`` frames since the latest run start (``carried`` before any)."""
    m = mask.astype(np.int64)
    cum = np.cumsum(m)
    base = np.maximum.accumulate(np.where(starts, cum - m, -1))
    return np.where(base >= 0, cum - base, cum + carried)


class LazyStats(dict):
    """Per-frame statistics (name -> (n_channels, n) array) of which some are computed only
    where asked for: ``compute(lo, hi)`` returns them for frames ``lo .. hi - 1`` as a dict.
    :meth:`need` computes them over a span (elsewhere they hold NaN / False); reading one
    before any :meth:`need` computes them over all ``n`` frames. At rest nothing asks."""

    #: Frames between two asked spans up to which both are computed as one (a call's
    #: overhead is worth ~100 frames).
    JOIN = 100

    def __init__(self, compute, n: int) -> None:
        super().__init__()
        self._compute = compute
        self._todo = np.ones(n, dtype=bool)  # frames not computed yet

    def __missing__(self, key: str) -> np.ndarray:
        if self._todo.all():
            self.need(0, self._todo.shape[0])
        return dict.__getitem__(self, key)

    def need(self, lo: int, hi: int) -> None:
        """Compute the statistics of frames ``lo .. hi - 1`` not computed yet."""
        todo = np.flatnonzero(self._todo[lo:hi])
        if not todo.size:
            return
        a, b = lo + int(todo[0]), lo + int(todo[-1]) + 1
        for key, v in self._compute(a, b).items():
            if key not in self:
                fill = False if v.dtype == bool else np.nan
                dict.__setitem__(self, key, np.full((v.shape[0], self._todo.shape[0]), fill))
            dict.__getitem__(self, key)[:, a:b] = v
        self._todo[a:b] = False

    def need_where(self, mask: np.ndarray) -> None:
        """Compute the statistics of the frames where ``mask`` (n,) holds (of spans closer
        than :attr:`JOIN` frames, the frames between too)."""
        k = np.flatnonzero(mask)
        if not k.size:
            return
        if k[-1] - k[0] <= self.JOIN:  # one span
            self.need(int(k[0]), int(k[-1]) + 1)
            return
        edges = np.flatnonzero(np.diff(mask, prepend=False, append=False))
        starts, ends = edges[::2], edges[1::2]
        keep = np.concatenate([[True], starts[1:] - ends[:-1] > self.JOIN])
        group_ends = np.append(ends[np.flatnonzero(keep)[1:] - 1], ends[-1])
        for a, b in zip(starts[keep], group_ends, strict=True):
            self.need(int(a), int(b))

    def row(self, c: int, p: int) -> _Row:
        """The statistics of channel ``c`` from frame ``p`` on, computed when first asked."""
        return _Row(self, c, p)


class _Row(dict):
    def __init__(self, stats: LazyStats, c: int, p: int) -> None:
        super().__init__()
        self._stats, self._c, self._p = stats, c, p

    def __missing__(self, key: str) -> np.ndarray:
        v = self[key] = self._stats[key][self._c, self._p :]
        return v

    def need(self, lo: int, hi: int) -> None:
        """:meth:`LazyStats.need` for this row's frames ``lo .. hi - 1``."""
        self._stats.need(self._p + lo, self._p + hi)

    def need_where(self, mask: np.ndarray) -> None:
        """:meth:`LazyStats.need_where` for ``mask`` over this row's frames."""
        self._stats.need_where(np.concatenate([np.zeros(self._p, dtype=bool), mask]))


def trailing_stats(
    level_hist: np.ndarray,
    level: np.ndarray,
    fast_hist: np.ndarray,
    fast: np.ndarray,
    art_hist: np.ndarray,
    art: np.ndarray,
    base: np.ndarray,
    w: int,
    persist: int,
    relax_w: int,
    relax_fraction: float,
    rest_offset: float = 0.0,
) -> dict[str, np.ndarray]:
    """Per new frame: irregularity, dip depth, level ratio, artefact and relaxation.

    Parameters
    ----------
    level_hist, level : ndarray (n_channels, m), (n_channels, n)
        250 ms envelope (µV): history and new frames.
    fast_hist, fast : ndarray
        100 ms envelope (µV): history and new frames.
    art_hist, art : ndarray of bool
        Artefact frames: history and new frames.
    base : ndarray (n_channels, n)
        Resting baseline (µV) of the new frames.
    w, persist, relax_w : int
        Frames of the statistics window, of the irregularity persistence, and of the
        context for relaxation.
    relax_fraction : float
        Level below this fraction of its ``relax_w`` mean is a relaxation.
    rest_offset : float
        Multiple of the baseline taken off the envelope before the dip and relaxation tests
        (an envelope resting on an offset: its activity is what stands above it).

    Returns
    -------
    dict of ndarray (n_channels, n)
        ``irr`` std of the linearly detrended log 250 ms envelope over ``w`` frames, its
        minimum over ``persist`` frames; ``dip`` lowest 100 ms level / mean over ``w``;
        ``med`` geometric mean of the 250 ms level over ``w`` / baseline; ``art`` any artefact
        in the window; ``relaxed`` level below ``relax_fraction`` x its recent mean; ``base``.
    """
    n = level.shape[1]
    keep = w - 1
    # Reductions spelled as ufunc reduces (the same arithmetic as ndarray.mean and friends,
    # without their per-call overhead, which dominates when a live block brings one frame).
    add, low = np.add.reduce, np.minimum.reduce
    lv = pad_left(
        np.concatenate([level_hist[:, -(keep + persist - 1) :], level], axis=1),
        n + keep + persist - 1,
    )
    lr = pad_left(np.concatenate([level_hist[:, -(relax_w - 1) :], level], axis=1), n + relax_w - 1)
    floor = rest_offset * np.nan_to_num(base)  # (rep) the envelope's resting offset, µV
    relaxed = level - floor < relax_fraction * (add(windows(lr, relax_w), axis=2) / relax_w - floor)
    fa = pad_left(np.concatenate([fast_hist[:, -keep:], fast], axis=1), n + keep)
    ar = np.concatenate([art_hist[:, -keep:], art], axis=1)
    if ar.shape[1] < n + keep:
        ar = np.concatenate([np.zeros((ar.shape[0], n + keep - ar.shape[1]), bool), ar], axis=1)
    y = np.log(np.maximum(windows(lv, w), 1e-6))
    t = np.arange(w) - (w - 1) / 2.0
    ym = add(y, axis=2, keepdims=True) / w
    dev = y - ym
    slope = add(dev * t, axis=2, keepdims=True) / add(t**2)
    dev -= slope * t
    irr_all = np.sqrt(np.maximum(add(dev * dev, axis=2) / w, 0.0))
    # Irregularity must persist: a steady hold's ramp-down is briefly "irregular".
    irr = low(windows(irr_all, persist), axis=2)
    fw = windows(fa, w)
    dip = (low(fw, axis=2) - floor) / np.maximum(add(fw, axis=2) / w - floor, 1e-9)
    with np.errstate(invalid="ignore", divide="ignore"):
        med = np.exp(ym[:, -n:, 0]) / base
    if not np.isfinite(med).all():  # baseline unknown (NaN) or zero
        med = np.nan_to_num(med, copy=False)
    return {
        "relaxed": relaxed,
        "base": base,
        "irr": irr,
        "dip": dip,
        "med": med,
        "art": np.logical_or.reduce(windows(ar, w), axis=2),
    }


def stride_rhythm(x: np.ndarray, lags: np.ndarray) -> np.ndarray:
    """Stride-rhythm strength of windows ``x`` (..., k) of the 100 ms envelope.

    The mean-removed, normalised autocorrelation at a stride lag minus that at half the lag
    (a rhythm is correlated one period on and anti-correlated half a period on; a slowly
    varying envelope is correlated at both), the best over ``lags`` (frames). Windows with
    NaN (history not reaching back) or no variation give -inf.
    """
    g = x - x.mean(axis=-1, keepdims=True)
    energy = np.einsum("...k,...k->...", g, g)
    best = np.full(energy.shape, -np.inf)
    acf: dict[int, np.ndarray] = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        for lag in sorted({int(v) for v in lags} | {max(1, int(v) // 2) for v in lags}):
            if lag >= g.shape[-1]:
                continue
            acf[lag] = np.einsum("...k,...k->...", g[..., :-lag], g[..., lag:]) / energy
    for lag in lags:
        if int(lag) in acf:
            best = np.fmax(best, acf[int(lag)] - acf[max(1, int(lag) // 2)])
    return best


def settled_after_gait(
    fast_ext: np.ndarray,
    n: int,
    recent: int,
    gait: int,
    lags: np.ndarray,
    after: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per new frame: the stride rhythm before, and how the contraction since stayed.

    Parameters
    ----------
    fast_ext : ndarray (n_channels, m)
        100 ms envelope (µV): history followed by the ``n`` new frames.
    recent, gait : int
        Frames of the recent span (the contraction) and of the span before it (gait).
    lags : ndarray of int
        Stride lags (frames) at which the rhythm is looked for (:func:`stride_rhythm`).
    after : int
        The gait span may have ended up to this many frames before the recent span (the
        strongest rhythm over those placements counts).

    Returns
    -------
    rhythm_before, rhythm_recent, lowest, median : ndarray (n_channels, n)
        Stride-rhythm strength of the gait span and of the recent span; lowest and median
        100 ms level (µV) of the recent span. Where the history does not reach back far
        enough: -inf / NaN.
    """
    span = recent + gait
    m = n + after
    x = fast_ext[:, -(m + span - 1) :]
    if x.shape[1] < m + span - 1:
        pad = np.full((x.shape[0], m + span - 1 - x.shape[1]), np.nan)
        x = np.concatenate([pad, x], axis=1)
    w = windows(x, span)  # (C, m, span)
    before = stride_rhythm(w[:, :, :gait], lags)
    before = windows(before, after + 1).max(axis=2) if after else before
    w = w[:, after:]
    r = w[:, :, gait:]
    now = stride_rhythm(r, lags)
    return before, now, r.min(axis=2), np.median(r, axis=2)


def swing_at(
    fast_ext: np.ndarray, ends: np.ndarray, base: np.ndarray, w: int, rest_offset: float = 0.0
) -> np.ndarray:
    """How far the 100 ms envelope swung over the ``w`` frames ending at each of ``ends``
    (part night): log(90th / 10th percentile) of what stands above the resting offset.

    A leg movement reaches its level at once and holds it (a flat plateau: a small swing);
    a cramp builds up over seconds and waxes and wanes (a large one).

    Parameters
    ----------
    fast_ext : ndarray (m,)
        One channel's 100 ms envelope (µV): history followed by the new frames (the first
        frame stands in for frames before it).
    ends : ndarray of int (k,)
        Indices into ``fast_ext`` of the last frame of each window.
    base : ndarray (k,)
        Resting baseline (µV) at each end frame.
    w : int
        Frames of the window.
    rest_offset : float
        Multiple of the baseline taken off the envelope first (ENV rests on an offset).

    Returns
    -------
    ndarray (k,)
        Log units.
    """
    idx = np.maximum(ends[:, None] + np.arange(1 - w, 1)[None, :], 0)
    floor = (rest_offset * np.nan_to_num(base))[:, None]
    above = np.maximum(fast_ext[idx] - floor, 1e-6)
    lo, hi = np.percentile(above, [SWING_PCT, 100.0 - SWING_PCT], axis=1)
    return np.log(hi / lo)


#: Percentiles (low, 100 - low) whose ratio is the envelope's swing (:func:`swing_at`).
SWING_PCT = 10.0


def elevation(
    ratio_ext: np.ndarray, n: int, w: int, floor: float, rest_w: int, rest_share: float, back: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per new frame: how continuously the envelope stayed over the resting floor (part miss).

    A cramp does not relax: even a weak one whose level swings across the run thresholds
    never returns to the resting floor, while movements, gait and repetitions do.

    Parameters
    ----------
    ratio_ext : ndarray (n_channels, m)
        100 ms envelope over the resting baseline: history followed by the ``n`` new frames;
        NaN where unknown (no baseline, lead-off), which is neither elevated nor rest.
    w : int
        Frames of the trailing window.
    floor : float
        Elevated: at or above ``floor`` x baseline.
    rest_w, rest_share : int, float
        A rest spell: ``rest_w`` frames of which at least ``rest_share`` are below the floor.
    back : int
        Frames over which a rest spell is looked for (ending within them).

    Returns
    -------
    share, longest, rested, now : ndarray (n_channels, n)
        Share of the ``w`` frames elevated; longest stretch (frames) not elevated in them;
        whether a rest spell ended within the last ``back`` frames; whether the frame itself
        is elevated.
    win : ndarray (n_channels, n, w)
        The ``w`` ratios ending at each new frame (a view): their median is the level, taken
        by the caller only where it can decide (a median is the costly part).
    """
    span = n + max(w, back + rest_w) - 1
    x = ratio_ext[:, -span:]
    if x.shape[1] < span:
        x = np.concatenate([np.full((x.shape[0], span - x.shape[1]), np.nan), x], axis=1)
    with np.errstate(invalid="ignore"):
        up = x >= floor
        down = x < floor
    idx = np.arange(span)
    last_up = np.maximum.accumulate(np.where(up, idx, -1), axis=1)
    not_up = idx - last_up  # frames since the last elevated one (the stretch ending here)
    tail = slice(span - (n + w - 1), span)
    # Counts and maxima of integers over running windows: exact whatever the order, so the
    # running sums and blockwise maxima give what reducing each window gives, in O(frames).
    share = _window_count(up[:, tail], w) / w
    longest = np.minimum(_window_max(not_up[:, tail], w), w)
    spell = _window_count(down, rest_w) / rest_w >= rest_share  # span - rest_w + 1
    rested = _window_count(spell[:, -(n + back - 1) :], back) > 0
    return share, longest, rested, up[:, -n:], windows(x[:, tail], w)


def _window_count(flags: np.ndarray, w: int) -> np.ndarray:
    """Per window of ``w`` consecutive columns of ``flags`` (n_channels, m), how many hold:
    (n_channels, m - w + 1), int."""
    cs = np.zeros((flags.shape[0], flags.shape[1] + 1), dtype=np.int64)
    np.cumsum(flags, axis=1, out=cs[:, 1:])
    return cs[:, w:] - cs[:, :-w]


def _window_max(x: np.ndarray, w: int) -> np.ndarray:
    """Per window of ``w`` consecutive columns of ``x`` (n_channels, m; integers), its
    maximum (n_channels, m - w + 1): the larger of the running maximum from the window's
    start to the end of its ``w``-column block and that from the next block's start to the
    window's end (van Herk / Gil-Werman)."""
    c, m = x.shape
    k = -(-m // w) * w
    pad = np.concatenate([x, np.full((c, k - m), np.iinfo(x.dtype).min, x.dtype)], axis=1)
    blocks = pad.reshape(c, -1, w)
    ahead = np.maximum.accumulate(blocks, axis=2).reshape(c, k)
    behind = np.maximum.accumulate(blocks[:, :, ::-1], axis=2)[:, :, ::-1].reshape(c, k)
    return np.maximum(behind[:, : m - w + 1], ahead[:, w - 1 : m])


def held_at(
    fast_ext: np.ndarray,
    ends: np.ndarray,
    starts: np.ndarray,
    base: np.ndarray,
    w: int,
    k: int,
    rest_offset: float = 0.0,
) -> np.ndarray:
    """How well the activation held up over the ``w`` frames ending at each of ``ends`` (part
    night): the lowest ``k``-frame mean of the 100 ms envelope there over the median of the
    envelope since ``starts``, both above the resting offset.

    A cramp does not relax; a leg movement decays towards its end, and turning over, whose
    bursts the MyoWare envelope joins into one run, sags between them.

    Parameters
    ----------
    fast_ext : ndarray (m,)
        One channel's 100 ms envelope (µV): history followed by the new frames.
    ends, starts : ndarray of int (j,)
        Indices into ``fast_ext``: the last frame of each window, and the first frame of the
        context its median is taken over (clipped to 0, the first frame known).
    base : ndarray (j,)
        Resting baseline (µV) at each end frame.
    w, k : int
        Frames of the window and of the running mean in it (``k`` <= ``w``).
    rest_offset : float
        Multiple of the baseline taken off the envelope first (ENV rests on an offset).

    Returns
    -------
    ndarray (j,)
        Ratio (0 where the median is not above the offset).
    """
    floor = (rest_offset * np.nan_to_num(base))[:, None]
    idx = np.maximum(ends[:, None] + np.arange(1 - w, 1)[None, :], 0)
    above = np.maximum(fast_ext[idx] - floor, 0.0)
    c = np.cumsum(np.pad(above, ((0, 0), (1, 0))), axis=1)
    lowest = ((c[:, k:] - c[:, :-k]) / k).min(axis=1)
    starts = np.maximum(starts, 0)
    span = int((ends - starts).max()) + 1
    cidx = ends[:, None] - np.arange(span)[None, :]
    ctx = np.where(cidx >= starts[:, None], fast_ext[np.maximum(cidx, 0)] - floor, np.nan)
    median = np.nanmedian(ctx, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(median > 0, lowest / median, 0.0)


# nightfa: a burst that ended
def fell_after_up(
    fast_ext: np.ndarray,
    ends: np.ndarray,
    base: np.ndarray,
    w: int,
    k_up: int,
    k_low: int,
    ratio: float,
) -> np.ndarray:
    """Whether, over the ``w`` frames ending at each of ``ends`` (indices into ``fast_ext``, one
    channel's 100 ms envelope in µV: history and new frames), a ``k_low``-frame mean fell
    below ``ratio`` x ``base`` (µV, its rest at each end) after ``k_up`` frames in a row had
    stood at that level or above: a burst that ended (a twitch is shorter), where a
    contraction rising from rest only rises."""
    idx = np.maximum(ends[:, None] + np.arange(1 - w, 1)[None, :], 0)
    x = fast_ext[idx]
    b = base[:, None]
    with np.errstate(invalid="ignore"):
        n_up = np.cumsum(np.pad(x >= ratio * b, ((0, 0), (1, 0))), axis=1)
        c = np.cumsum(np.pad(x, ((0, 0), (1, 0))), axis=1)
        hi = n_up[:, k_up:] - n_up[:, :-k_up] == k_up  # [j]: frames j .. j + k_up - 1 all up
        lo = (c[:, k_low:] - c[:, :-k_low]) / k_low < ratio * b  # [j]: frames j .. j + k_low - 1
    # a low mean starting at frame j after a burst ending before it
    was_up = np.maximum.accumulate(hi, axis=1)  # [j]: a burst ended by frame j + k_up - 1
    m = w - k_low + 1
    shift = np.zeros((len(ends), m), dtype=bool)
    n = max(0, min(m - k_up, was_up.shape[1]))
    shift[:, k_up : k_up + n] = was_up[:, :n]
    return (shift & lo).any(axis=1)
