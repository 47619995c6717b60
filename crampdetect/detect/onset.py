"""Placing a cramp's onset once its alert is raised."""

from __future__ import annotations

import numpy as np

#: The rising edge: frames above ONSET_RISE x the level before the run and ONSET_SHARE x the
#: cramp's level.
ONSET_RISE, ONSET_SHARE = 1.5, 0.05
#: TKEO conditioning may move the onset back at most this far (s).
TKEO_BACK_S = 2.0


def place_onset(
    fast: np.ndarray,
    tkeo: np.ndarray,
    first: int,
    alert: int,
    pre_level: float,
    level: float,
    frames_per_s: float,
    lookback_s: float,
    tk_floor: float,
) -> int:
    """Frame where the rise to a cramp began.

    Walks back from the alert frame over the rising edge: frames whose 100 ms envelope is
    above both 1.5 x the level before the run and 5 % of the cramp's level (so a low-level
    prodrome before it is not taken for the cramp). Then, TKEO conditioning (Solnik et al.,
    domain notes §4): motor-unit activity shows in the Teager-Kaiser energy before the RMS
    envelope rises, so it continues back (at most 2 s) over frames whose TKEO stands above 4x
    its median before the run.

    Parameters
    ----------
    fast, tkeo : ndarray (n,)
        100 ms envelope (µV) and mean TKEO (µV², zeros for ENV input) of frames
        ``first .. first + n``.
    first : int
        Frame index of ``fast[0]``.
    alert : int
        Frame where the alert was raised.
    pre_level, level : float
        Envelope (µV) before the run and of the cramp at the alert.
    frames_per_s : float
        Feature frame rate in Hz.
    lookback_s : float
        Furthest the onset may lie before the alert, s.
    tk_floor : float
        TKEO level (µV²) that motor-unit activity stands above, from before the run; NaN
        when unknown (ENV input, no rest seen).
    """
    fr = frames_per_s
    floor = max(ONSET_RISE * pre_level, ONSET_SHARE * level)
    lo = max(first, alert - round(lookback_s * fr))
    seg = fast[lo - first : alert - first + 1]
    below = np.flatnonzero(seg < floor)
    k = lo + int(below[-1]) + 1 if below.size else lo
    k = min(k, alert)
    if tk_floor == tk_floor:  # not NaN
        stop = max(first, k - round(TKEO_BACK_S * fr))
        while k - 1 >= stop and tkeo[k - 1 - first] >= tk_floor:
            k -= 1
    return k
