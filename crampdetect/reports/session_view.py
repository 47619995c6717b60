"""Athlete session view: the activity timeline of a training session and where the cramps came.

Reads a session from the night history (its ``activity`` runs come from
:mod:`crampdetect.reports.activity` at import time) and says, per leg, when each cramp came:
minutes into the session, and whether it was during running or walking or some time after
stopping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from crampdetect.reports.clock import clock
from crampdetect.reports.summary import (
    sensor_problem_text,
    sensor_problems,
    session_lost_spans,
    session_prompts,
)
from crampdetect.storage.history import History

GAIT = ("running", "walking")
#: Activity runs shorter than this are merged into their neighbour for the timeline.
MIN_RUN_S = 20.0


def smooth_runs(
    runs: list[tuple[float, float, str]], min_s: float = MIN_RUN_S
) -> list[tuple[float, float, str]]:
    """Merge runs shorter than ``min_s`` into the previous one, and equal neighbours."""
    out: list[tuple[float, float, str]] = []
    for a, b, what in sorted(runs):
        if out and (out[-1][2] == what or b - a < min_s):
            out[-1] = (out[-1][0], float(b), out[-1][2])
        else:
            out.append((float(a), float(b), str(what)))
    if len(out) > 1 and out[0][1] - out[0][0] < min_s:  # a short first run joins the next
        out[1] = (out[0][0], out[1][1], out[1][2])
        out.pop(0)
    return out


def with_cramps(
    runs: list[tuple[float, float, str]],
    cramps: list[tuple[float, float]],
    min_s: float = MIN_RUN_S,
) -> list[tuple[float, float, str]]:
    """The timeline ``runs`` with each cramp's span (s) shown as ``cramp``.

    The activity classifier alone calls a cramp a hold (a sustained, steady contraction).
    A piece of activity shorter than ``min_s`` left beside a cramp joins its other neighbour.
    """
    spans: list[list[float]] = []
    for a, b in sorted(cramps):
        if spans and a <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], b)
        else:
            spans.append([a, b])
    pieces = [(a, b, "cramp") for a, b in spans]
    for a, b, what in runs:
        cuts = [(max(a, ca), min(b, cb)) for ca, cb in spans if ca < b and cb > a]
        edges = [a, *(x for cut in cuts for x in cut), b]
        pieces += [(p, q, what) for p, q in zip(edges[::2], edges[1::2], strict=True) if q > p]
    pieces.sort()
    out: list[tuple[float, float, str]] = []
    for i, (a, b, what) in enumerate(pieces):
        beside_cramp = any(0 <= j < len(pieces) and pieces[j][2] == "cramp" for j in (i - 1, i + 1))
        if what != "cramp" and b - a < min_s and beside_cramp:
            nxt = pieces[i + 1] if i + 1 < len(pieces) else None
            if nxt is not None and nxt[2] != "cramp":
                pieces[i + 1] = (a, nxt[1], nxt[2])
                continue
            if out and out[-1][2] != "cramp":
                out[-1] = (out[-1][0], b, out[-1][2])
                continue
        if out and out[-1][2] == what and what != "cramp":
            out[-1] = (out[-1][0], b, what)
        else:
            out.append((a, b, what))
    return out


#: A cramp's context is read this many s before its onset: the cramp itself looks like a hold.
CONTEXT_BEFORE_S = 3.0
#: Effort (any activity but rest and standing) that ended at most this many s before a cramp's
#: onset is its context ("12 s after other activity"), before an older stop of walking or running.
RECENT_EFFORT_S = 60.0
#: Per activity label (:data:`crampdetect.reports.activity.ACTIVITIES` and the night words),
#: how a cramp's context says it: during it, and after it. The one table of these words, for
#: ``summary --session``/``--training`` and ``report`` alike.
ACTIVITY_PHRASES: dict[str, tuple[str, str]] = {
    "running": ("while running", "after stopping running"),
    "walking": ("while walking", "after stopping walking"),
    "hold": ("during a hold", "after a hold"),
    "standing": ("while standing", "after standing"),
    "rest": ("at rest", "after resting"),
    "active": ("during other activity", "after other activity"),
    "tense": ("with the leg tense", "after the leg was tense"),
    "moving": ("while moving the leg", "after moving the leg"),
}
#: Labels that are no effort: a cramp after them is not "after" anything.
NO_EFFORT = ("rest", "standing", "tense")


def gait_stop(
    runs: list[tuple[float, float, str]], onset_s: float
) -> tuple[str | None, float | None, str | None]:
    """What the wearer did just before a cramp at ``onset_s`` (``runs``: smoothed activity of
    its leg): the run then (None if none), and when the last walking or running before it
    stopped and which (None, None while still on the move or if there was none)."""
    before = onset_s - CONTEXT_BEFORE_S
    current = next((r for r in runs if r[0] <= before < r[1]), None)
    now = current[2] if current is not None else None
    if now in GAIT:
        return now, None, None
    gait_ends = [r for r in runs if r[2] in GAIT and r[1] <= onset_s]
    if not gait_ends:
        return now, None, None
    last = max(gait_ends, key=lambda r: r[1])
    return now, last[1], last[2]


#: A cramp whose onset an early warning on its leg ran into (the warning's rising resting level
#: went on up to the onset) came out of that tension, not out of rest.
TENSED_UP = "after the calf tensed up"


def warned_into(warnings: Sequence[tuple[float, float | None]], onset_s: float) -> bool:
    """Whether one of the early ``warnings`` (``(onset_s, end_s)`` on the cramp's leg, end None
    while open) ran into a cramp's onset at ``onset_s``: began before it, ended at it or later."""
    return any(a <= onset_s and (b is None or b >= onset_s) for a, b in warnings)


def during(label: str) -> str:
    """A cramp's context while ``label`` went on: "at rest", "during a hold", "while running"."""
    return ACTIVITY_PHRASES.get(label, (f"during {label}", ""))[0]


def cramp_context(
    runs: list[tuple[float, float, str]],
    onset_s: float,
    warnings: Sequence[tuple[float, float | None]] = (),
) -> str:
    """Where in the activity a cramp at ``onset_s`` came, e.g. "4 min after stopping running",
    "12 s after other activity", "at rest": the activity going on :data:`CONTEXT_BEFORE_S`
    before the onset if it was effort, else the last effort that ended at most
    :data:`RECENT_EFFORT_S` before it, else the last stop of walking or running, else the
    activity then -- :data:`TENSED_UP` instead of that (rest, standing, a tense leg, unknown)
    when an early warning on its leg (``warnings``: ``(onset_s, end_s)``) ran into the onset
    (:func:`warned_into`). The one reading of a cramp's context, for ``summary`` and
    ``report``."""
    now, stopped_s, what = gait_stop(runs, onset_s)
    if now is not None and now not in NO_EFFORT:
        return during(now)
    before = onset_s - CONTEXT_BEFORE_S
    efforts = [r for r in runs if r[2] not in NO_EFFORT and r[0] <= before]
    last = max(efforts, key=lambda r: r[1]) if efforts else None
    if last is not None and onset_s - last[1] <= RECENT_EFFORT_S:
        return f"{_minutes(max(onset_s - last[1], 0.0))} {_after(last[2])}"
    if stopped_s is not None and what is not None:
        return f"{_minutes(onset_s - stopped_s)} {_after(what)}"
    if warned_into(warnings, onset_s):
        return TENSED_UP
    if now is not None:
        return during(now)
    return (
        "at the start of the session" if runs and onset_s < runs[0][0] + 5.0 else "activity unknown"
    )


def _after(label: str) -> str:
    return ACTIVITY_PHRASES.get(label, ("", f"after {label}"))[1]


def format_session(history: History, session_id: int) -> str:
    """Plain-text view of one (training) session."""
    row = history.session(session_id)
    start = dt.datetime.fromisoformat(row["started_at"])
    length = history.session_end_s(session_id)
    lines = [
        f"{row['profile'].capitalize()} session {session_id}, {start:%Y-%m-%d %H:%M}, "
        f"{_minutes(length)}"
    ]
    if row["recording"]:  # the file it was scored from (an import, a file:// replay)
        lines.append(f"Recording: {row['recording']}")
    per_leg: dict[str, list[tuple[float, float, str]]] = {}
    for r in history.records("activity", session_id):
        per_leg.setdefault(r["leg"], []).append((r["start_s"], r["end_s"], r["activity"]))
    cramps = history.cramps(session_id)  # a cramp in pieces is one cramp
    legs = sorted(set(per_leg) | {c.leg for c in cramps})
    if not per_leg and row["content_hash"] is None:  # monitored live, not imported
        lines.append(
            "No activity timeline: live monitoring stores one only when it records the session. "
            "If the session was recorded (monitor --record REC), `crampdetect history --import "
            "REC --recording REC` adds one; else record the next one so."
        )
    elif not per_leg:
        lines.append("No activity timeline (import with --recording to add one).")
    for leg in legs:
        runs = smooth_runs(per_leg.get(leg, []))
        leg_cramps = [c for c in cramps if c.leg == leg]
        if runs:
            spans = [(p["onset_s"], p["end_s"] or length) for c in leg_cramps for p in c.pieces]
            timeline = ", ".join(
                f"{clock(a, 'ms')}-{clock(b, 'ms')} {what}"
                for a, b, what in with_cramps(runs, spans)
            )
            lines.append(f"Activity ({leg}): {timeline}")
        for c in leg_cramps:
            dur = "did not end" if c.duration_s is None else f"lasted {_minutes(c.duration_s)}"
            if len(c.pieces) > 1:
                again = "once" if len(c.pieces) == 2 else f"{len(c.pieces) - 1} times"
                dur += f", eased and came back {again}"
            warned = [
                (w["onset_s"], w["end_s"])
                for w in history.records("warnings", session_id)
                if w["leg"] == leg
            ]
            where = cramp_context(runs, c.onset_s, warned)
            tag = " (recurrence)" if c.recurrence else ""
            lines.append(f"  cramp {leg} at {_minutes(c.onset_s)} in, {where}; {dur}{tag}")
    if not cramps:
        lines.append("No cramps.")
    lines += _prompts_and_sensors(history, session_id, row["profile"])
    return "\n".join(lines)


def _prompts_and_sensors(history: History, session_id: int, profile: str) -> list[str]:
    """Early warnings, prompts and the time lost to sensor problems, as the night summary
    says them."""
    lines = []
    warnings = len(history.records("warnings", session_id))
    if warnings:
        lines.append(f"Early warnings: {warnings}")
    prompts, acks = session_prompts(history, session_id)
    lines.append(f"Prompts: {prompts}, acknowledged: {acks}")
    lost = sensor_problem_text(sensor_problems(session_lost_spans(history, session_id), profile))
    if lost:
        lines.append(f"Time lost to sensor problems: {lost}")
    return lines


def _minutes(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"
