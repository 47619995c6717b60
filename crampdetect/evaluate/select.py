"""Choose a learned gate's decision threshold per profile from out-of-fold probabilities.

The detector alerts on the first accepted candidate of a run, so outcomes are judged on
episodes (runs of candidates on one channel) and on labelled cramps, not on rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # train.py imports this module
    from crampdetect.evaluate.train import TrainingSet

#: Alert budget of the gate's own false alerts per profile: (false alerts/h, share of holds).
BUDGET = {"night": (0.05, 1.0), "training": (0.5, 0.05)}
#: Share of the cramps whose fast alert the gate must keep.
KEEP_CRAMPS = 0.97
#: Extra latency (s) over the rules-only alert for a cramp to count as kept.
MAX_DELAY_S = 0.5


def _episode_max(values: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique ``keys`` and the largest value under each."""
    uk, inv = np.unique(keys, return_inverse=True)
    out = np.full(len(uk), -np.inf)
    np.maximum.at(out, inv, values)
    return uk, out


def gate_outcome(ts: TrainingSet, prob: np.ndarray, profile: str, tau: float) -> dict[str, Any]:
    """What a gate with threshold ``tau`` does to the unsure candidates of ``profile``.

    ``cramps_kept``: share of cramps (with candidates) still alerted within MAX_DELAY_S of
    the rules-only alert; ``added_delay_median_s``: median extra latency of those;
    ``false_alerts_per_hour`` and ``holds_alerted_share``: the gate's own false alerts.
    """
    recs = [i for i, r in enumerate(ts.recordings) if r["profile"] == profile]
    rows = np.isin(ts.recording, recs)
    hours = sum(ts.recordings[i]["duration_s"] for i in recs) / 3600.0
    holds = sum(ts.recordings[i]["holds"] for i in recs)
    pos = rows & (ts.cramp >= 0)
    ids = np.unique(ts.cramp[pos])
    delays = np.full(len(ids), np.inf)
    for k, cid in enumerate(ids):
        r = np.flatnonzero(pos & (ts.cramp == cid))
        t, acc = ts.time_s[r], prob[r] >= tau
        if acc.any():
            delays[k] = t[acc].min() - t.min()
    kept = delays <= MAX_DELAY_S
    pos_episodes = np.unique(ts.episode[pos])
    neg = rows & ~np.isin(ts.episode, pos_episodes)
    eps, emax = _episode_max(prob[neg], ts.episode[neg])
    fired = set(eps[emax >= tau].tolist())
    n_holds = 0
    for e in fired:
        r = np.flatnonzero(neg & (ts.episode == e))
        first = r[np.argmax(prob[r] >= tau)]
        n_holds += ts.activity[first] == "voluntary_hold"
    return {
        "threshold": float(tau),
        "cramps_with_candidates": len(ids),
        "cramps_kept": None if not len(ids) else round(float(kept.mean()), 4),
        "added_delay_median_s": round(float(np.median(delays[kept])), 3) if kept.any() else None,
        "negative_episodes": len(eps),
        "false_alerts": len(fired),
        "false_alerts_per_hour": None if hours == 0 else round(len(fired) / hours, 4),
        "holds_alerted_share": None if holds == 0 else round(n_holds / holds, 4),
        "hours": round(hours, 3),
    }


def choose_threshold(ts: TrainingSet, prob: np.ndarray, profile: str) -> dict[str, Any]:
    """Lowest threshold meeting the profile's budget that keeps KEEP_CRAMPS of the cramps.

    If none meets the budget, the highest that still keeps KEEP_CRAMPS (fewest false alerts
    without losing sensitivity). Returns the chosen outcome plus ``rules_only`` (tau 0)
    and ``at_keep`` (the highest threshold keeping KEEP_CRAMPS, used to compare models).
    """
    fa_budget, hold_budget = BUDGET[profile]
    mine = [i for i, r in enumerate(ts.recordings) if r["profile"] == profile]
    rows = np.isin(ts.recording, mine)
    maxima = np.unique(prob[rows])
    grid = np.unique(np.r_[0.0, np.nextafter(maxima, np.inf)])

    def ok(o: dict[str, Any]) -> bool:
        return o["cramps_kept"] is None or o["cramps_kept"] >= KEEP_CRAMPS

    def meets(o: dict[str, Any]) -> bool:
        fa, holds = o["false_alerts_per_hour"] or 0.0, o["holds_alerted_share"] or 0.0
        return fa <= fa_budget and holds <= hold_budget

    # Outcomes are monotone in tau: bisect for the highest tau that keeps the cramps.
    lo, hi = 0, len(grid) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if ok(gate_outcome(ts, prob, profile, grid[mid])):
            lo = mid
        else:
            hi = mid - 1
    at_keep = gate_outcome(ts, prob, profile, grid[lo])
    chosen = at_keep
    if meets(at_keep):
        a, b = 0, lo  # lowest tau in [0, lo] meeting the budget
        while a < b:
            mid = (a + b) // 2
            if meets(gate_outcome(ts, prob, profile, grid[mid])):
                b = mid
            else:
                a = mid + 1
        chosen = gate_outcome(ts, prob, profile, grid[a])
    chosen["meets_budget"] = meets(chosen)
    return {
        "chosen": chosen,
        "rules_only": gate_outcome(ts, prob, profile, 0.0),
        "at_keep": at_keep,
    }
