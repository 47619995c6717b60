"""The morning summary: what happened in one night, the trend over weeks, and when to see a doctor.

Reads only the local night history (:mod:`crampdetect.storage.history`). The doctor note is
information, not a diagnosis: it quotes the thresholds it used (domain.md §1.6, §2.1: more than
3 cramp nights a week, several cramps a night, or a cramp longer than 10 min).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from crampdetect.alerts.patterns import settings_for
from crampdetect.alerts.policy import place, sensor_loose_episodes, sensor_problem_episodes
from crampdetect.storage.history import History
from crampdetect.text import plural

#: Frequency/duration thresholds behind the doctor note.
NIGHTS_PER_WEEK = 3
CRAMPS_PER_NIGHT = 3
LONG_CRAMP_S = 600.0
#: Quality issues during which the leg is not monitored at all (others only disturb it);
#: ``signal_mismatch``: a channel not of the kind it is scored as is not scored.
LOST_ISSUES = ("lead_off", "saturation", "gap", "signal_mismatch")
#: The quality issues of :data:`LOST_ISSUES` in a carer's words (the machine names stay in JSON).
ISSUE_WORDS = {
    "lead_off": "sensor loose",
    "saturation": "signal overloaded",
    "gap": "signal lost",
    "signal_mismatch": "wrong kind of signal",
}
#: Every quality issue in the same words: those of :data:`ISSUE_WORDS`, and the ones that
#: only disturb the signal (the report's quality table says them so; JSON keeps the names).
QUALITY_WORDS = {
    **ISSUE_WORDS,
    "mains": "mains hum",
    "pop": "electrode pop",
    "wander": "baseline wander",
    "bad_value": "bad sample values",
}


def issue_words(issue: str) -> str:
    """A quality issue as a carer reads it (:data:`QUALITY_WORDS`; an unknown name spaced)."""
    return QUALITY_WORDS.get(issue, issue.replace("_", " "))


@dataclass(frozen=True, slots=True)
class CrampLine:
    """One cramp as the summary shows it; ``duration_s`` is None if it never ended."""

    session_id: int
    leg: str
    at: dt.datetime
    duration_s: float | None
    recurrence: bool
    pieces: int = 1  # the detector saw it end and come back within rejoin_s: still one cramp


@dataclass(slots=True)
class NightSummary:
    """Everything the morning summary says about one night (times in s)."""

    night: str
    session_ids: list[int] = field(default_factory=list)
    monitored_s: float = 0.0
    cramps: list[CrampLine] = field(default_factory=list)
    n_warnings: int = 0
    n_prompts: int = 0
    n_acks: int = 0
    lost_s: dict[str, float] = field(default_factory=dict)
    #: per leg, per issue of :data:`LOST_ISSUES`: its episodes (:func:`sensor_problems`)
    lost_episodes: dict[str, dict[str, int]] = field(default_factory=dict)
    lost_any_s: float = 0.0
    interrupted: bool = False
    running: bool = False  # a session of the night is still being monitored
    recordings: list[str] = field(default_factory=list)  # files its sessions were scored from

    @property
    def legs(self) -> list[str]:
        return sorted({c.leg for c in self.cramps})


def union_length(intervals: list[tuple[float, float]]) -> float:
    """Total length in s covered by possibly overlapping ``(start, end)`` intervals."""
    total, cur_a, cur_b = 0.0, None, None
    for a, b in sorted(intervals):
        if cur_b is None or a > cur_b:
            if cur_b is not None:
                total += cur_b - cur_a  # type: ignore[operator]
            cur_a, cur_b = a, b
        else:
            cur_b = max(cur_b, b)
    if cur_b is not None:
        total += cur_b - cur_a  # type: ignore[operator]
    return total


def episodes(intervals: list[tuple[float, float]]) -> int:
    """How many separate stretches of time the possibly overlapping ``(start, end)`` cover."""
    n, cur_b = 0, None
    for a, b in sorted(intervals):
        if cur_b is None or a > cur_b:
            n += 1
            cur_b = b
        else:
            cur_b = max(cur_b, b)
    return n


def issue_episodes(issue: str, spans: list[tuple[float, float]], profile: str = "night") -> int:
    """Episodes of one quality issue on one leg, as every summary counts them: a loose sensor
    (``lead_off``) as the live messages told it (a lead-off back within the profile's
    ``sensor_back_s`` is the same episode:
    :func:`~crampdetect.alerts.policy.sensor_loose_episodes`), another issue as separate
    stretches of flagged time (:func:`episodes`)."""
    if issue != "lead_off":
        return episodes(spans)
    return sensor_loose_episodes(spans, settings_for(profile).sensor_back_s)


@dataclass(frozen=True, slots=True)
class SensorProblems:
    """The time lost to sensor problems (issues of :data:`LOST_ISSUES`) of a session or a night:
    per leg its lost time (s, the union of its flagged spans) and its episodes per issue
    (:func:`~crampdetect.alerts.policy.sensor_problem_episodes`), and the time any leg lost."""

    lost_s: dict[str, float]
    episodes: dict[str, dict[str, int]]
    any_s: float


def sensor_problems(
    spans: dict[str, dict[str, list[tuple[float, float]]]], profile: str = "night"
) -> SensorProblems:
    """:class:`SensorProblems` of the flagged ``(start, end)`` spans per leg and per issue of
    :data:`LOST_ISSUES` (other issues ignored): the one reckoning of ``monitor``'s end summary,
    ``summary`` and ``report``."""
    back_s = settings_for(profile).sensor_back_s
    lost = {
        leg: {k: v for k, v in issues.items() if k in LOST_ISSUES}
        for leg, issues in sorted(spans.items())
    }
    lost = {leg: issues for leg, issues in lost.items() if issues}
    return SensorProblems(
        {leg: union_length([iv for ivs in i.values() for iv in ivs]) for leg, i in lost.items()},
        {leg: sensor_problem_episodes(i, back_s) for leg, i in lost.items()},
        union_length([iv for i in lost.values() for ivs in i.values() for iv in ivs]),
    )


def lost_length(seconds: float) -> str:
    """A length of lost signal time: ``under 1 s`` (something was lost: not "0 s"), ``47 s``,
    ``6 min 40 s``, ``1 h 05 min``; cut down, as :func:`cramp_length`."""
    seconds = max(0.0, float(seconds))
    if 0 < seconds < 1:
        return "under 1 s"
    if seconds < 3600:
        return cramp_length(seconds)
    return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60):02d} min"


def sensor_problem_text(problems: SensorProblems) -> str | None:
    """The time lost to sensor problems as a carer reads it, the one wording of ``monitor``'s
    end summary, ``summary`` and ``report`` (each puts its own "time lost to sensor problems:"
    before it): ``1 min 05 s; left calf 47 s (sensor loose twice), right calf 18 s (sensor
    loose once)`` -- the total (time any leg lost) only when more than one leg lost some.
    None when nothing was lost: the line is left out."""
    if problems.any_s <= 0:
        return None
    per_leg = ", ".join(
        sensor_problem_words(leg, lost_length(v), problems.episodes.get(leg, {}))
        for leg, v in problems.lost_s.items()
        if v > 0
    )
    if sum(v > 0 for v in problems.lost_s.values()) > 1:
        return f"{lost_length(problems.any_s)}; {per_leg}"
    return per_leg


def sensor_problem_words(channel: str, length: str, counts: dict[str, int]) -> str:
    """One leg's time lost to sensor problems as a carer reads it (:func:`sensor_problem_text`):
    ``left calf 47 s (sensor loose 3 times, signal lost once)``; ``counts``: episodes per issue
    of :data:`LOST_ISSUES`."""
    said = []
    for issue in LOST_ISSUES:
        n = counts.get(issue, 0)
        if n:
            times = "once" if n == 1 else "twice" if n == 2 else f"{n} times"
            said.append(f"{ISSUE_WORDS[issue]} {times}")
    return f"{place(channel)} {length}" + (f" ({', '.join(said)})" if said else "")


def session_prompts(history: History, session_id: int) -> tuple[int, int]:
    """A session's vibration prompts (a hold's buzz is no prompt) and acknowledgements, as the
    night summary and the session view count them."""
    alerts = history.records("alerts", session_id)
    prompts = sum(1 for a in alerts if a["kind"] == "vibrate" and "hold" not in a["reason"])
    return prompts, len(history.records("acks", session_id))


def session_lost_spans(
    history: History, session_id: int, offset: float = 0.0
) -> dict[str, dict[str, list[tuple[float, float]]]]:
    """A session's flagged spans of :data:`LOST_ISSUES` per leg and issue, ``offset`` s added
    (an interval still open at the end runs to the session's end), for :func:`sensor_problems`."""
    end_s = history.session_end_s(session_id)
    out: dict[str, dict[str, list[tuple[float, float]]]] = {}
    for q in history.records("quality", session_id):
        if q["issue"] not in LOST_ISSUES:
            continue
        a, b = q["start_s"], q["end_s"] if q["end_s"] is not None else end_s
        span = (offset + a, offset + min(b, end_s))
        out.setdefault(q["leg"], {}).setdefault(q["issue"], []).append(span)
    return out


def summarise_night(
    history: History, night: str, profile: str = "night", user: str | None = None
) -> NightSummary:
    """Summarise the sessions of ``night`` (ISO date on which the night began); ``user``: only
    that wearer's sessions (None: everyone's)."""
    out = NightSummary(night)
    per_issue: dict[str, dict[str, list[tuple[float, float]]]] = {}
    offset = 0.0  # sessions of one night are laid end to end for the union
    for row in history.sessions(night, night, profile=profile, user=user):
        sid = int(row["id"])
        end_s = history.session_end_s(sid)
        out.session_ids.append(sid)
        out.monitored_s += end_s
        running = history.running(row)
        out.running |= running
        out.interrupted |= row["ended_at"] is None and not running
        if row["recording"] and row["recording"] not in out.recordings:
            out.recordings.append(str(row["recording"]))
        start = dt.datetime.fromisoformat(row["started_at"])
        for c in history.cramps(sid):
            out.cramps.append(
                CrampLine(
                    sid,
                    c.leg,
                    start + dt.timedelta(seconds=c.onset_s),
                    c.duration_s,
                    c.recurrence,
                    len(c.pieces),
                )
            )
        out.n_warnings += len(history.records("warnings", sid))
        prompts, acks = session_prompts(history, sid)
        out.n_prompts += prompts
        out.n_acks += acks
        for leg, issues in session_lost_spans(history, sid, offset).items():
            for issue, spans in issues.items():
                per_issue.setdefault(leg, {}).setdefault(issue, []).extend(spans)
        offset += end_s + 1.0
    problems = sensor_problems(per_issue, profile)
    out.lost_s, out.lost_episodes, out.lost_any_s = (
        problems.lost_s,
        problems.episodes,
        problems.any_s,
    )
    return out


@dataclass(frozen=True, slots=True)
class WeekTrend:
    """One ISO week (``week`` like ``2026-W47``)."""

    week: str
    nights: int
    cramp_nights: int
    cramps: int
    longest_s: float


def weekly_trend(
    history: History, until: str, weeks: int = 8, user: str | None = None
) -> list[WeekTrend]:
    """Per-week counts for the ``weeks`` weeks ending with the week of ``until``.

    Each row counts its whole ISO week (Monday to Sunday nights), the nights after ``until``
    in its week included: a row never shows part of a week under the week's name.
    """
    until_day = dt.date.fromisoformat(until)
    last = until_day + dt.timedelta(days=6 - until_day.weekday())  # the Sunday of its week
    first = last - dt.timedelta(days=6 + 7 * (weeks - 1))
    per_week: dict[str, dict[str, object]] = {}
    for k in range(weeks):
        monday = first + dt.timedelta(days=7 * k)
        iso = monday.isocalendar()
        per_week[f"{iso.year}-W{iso.week:02d}"] = {
            "nights": set(),
            "cnights": set(),
            "n": 0,
            "max": 0.0,
        }
    for row in history.sessions(first.isoformat(), last.isoformat(), profile="night", user=user):
        iso = dt.date.fromisoformat(row["night"]).isocalendar()
        w = per_week[f"{iso.year}-W{iso.week:02d}"]
        w["nights"].add(row["night"])  # type: ignore[attr-defined]
        cramps = history.cramps(int(row["id"]))
        if cramps:
            w["cnights"].add(row["night"])  # type: ignore[attr-defined]
        w["n"] = int(w["n"]) + len(cramps)  # type: ignore[call-overload]
        longest = max([c.duration_s or 0.0 for c in cramps], default=0.0)
        w["max"] = max(float(w["max"]), longest)  # type: ignore[arg-type]
    return [
        WeekTrend(k, len(v["nights"]), len(v["cnights"]), int(v["n"]), float(v["max"]))  # type: ignore[arg-type,call-overload]
        for k, v in per_week.items()
    ]


def doctor_note(
    history: History, until: str, days: int = 28, user: str | None = None
) -> str | None:
    """Information text when the last ``days`` show frequent or long cramps, else None."""
    last = dt.date.fromisoformat(until)
    first = last - dt.timedelta(days=days - 1)
    per_night: dict[str, int] = {}
    longest = 0.0
    for row in history.sessions(first.isoformat(), last.isoformat(), profile="night", user=user):
        cramps = history.cramps(int(row["id"]))
        if cramps:
            per_night[row["night"]] = per_night.get(row["night"], 0) + len(cramps)
        longest = max([longest] + [c.duration_s or 0.0 for c in cramps])
    reasons = []
    # The busiest 7-night window of the period (the latest of equals), not the first one over
    # the limit: 5 cramp nights in a week are reported as 5, with the nights they fell on.
    best: list[str] = []
    for start in range(0, days - 6):
        window = {(first + dt.timedelta(days=start + d)).isoformat() for d in range(7)}
        hits = sorted(window & per_night.keys())
        if len(hits) >= len(best):
            best = hits
    if len(best) > NIGHTS_PER_WEEK:
        reasons.append(
            f"cramps on {len(best)} nights within one week (more than {NIGHTS_PER_WEEK}:"
            f" nights of {best[0]} to {best[-1]})"
        )
    busiest = max(per_night.values(), default=0)
    if busiest >= CRAMPS_PER_NIGHT:
        reasons.append(f"{busiest} cramps in one night")
    if longest > LONG_CRAMP_S:
        reasons.append(
            f"a cramp lasting {cramp_length(longest)} (longer than {LONG_CRAMP_S / 60:.0f} min)"
        )
    if not reasons:
        return None
    return (
        "For your information: over the last "
        f"{days} days the history shows " + "; ".join(reasons) + ". Frequent or long cramps are "
        "a common reason to talk to a doctor, who can look for causes such as medicines or "
        "other conditions. This is not a diagnosis."
    )


def format_night(s: NightSummary) -> str:
    """Plain-text morning summary of one night."""
    if not s.session_ids:
        return f"Night of {s.night}: no monitoring recorded."
    lines = [f"Night of {s.night}: monitored {_hm(s.monitored_s)}"]
    if s.interrupted:
        lines[0] += " (a session ended without closing: times are up to the last record)"
    elif s.running:
        lines[0] += " so far (a session is still running)"
    if not s.cramps:
        lines.append("No cramps detected.")
    else:
        legs = " and ".join(s.legs)
        lines.append(f"{plural(len(s.cramps), 'cramp')} ({legs}):")
        for c in s.cramps:
            going = c.duration_s is None
            dur = "still going when the recording ended" if going else cramp_length(c.duration_s)
            tag = ", recurrence" if c.recurrence else ""
            if c.pieces > 1:  # it eased and came back within rejoin_s: one cramp
                again = "once" if c.pieces == 2 else f"{c.pieces - 1} times"
                tag += f", eased and came back {again}"
            lines.append(f"  {c.at:%H:%M} {c.leg}: {dur}{tag}")
    if s.n_warnings:
        lines.append(f"Early warnings: {s.n_warnings}")
    lines.append(f"Prompts: {s.n_prompts}, acknowledged: {s.n_acks}")
    lost = sensor_problem_text(SensorProblems(s.lost_s, s.lost_episodes, s.lost_any_s))
    if lost:
        lines.append(f"Time lost to sensor problems: {lost}")
    if s.recordings:
        noun = "Recording" if len(s.recordings) == 1 else "Recordings"
        lines.append(f"{noun}: {', '.join(s.recordings)}")
    return "\n".join(lines)


def format_trend(trend: list[WeekTrend]) -> str:
    """Plain-text table of the weekly trend."""
    lines = ["Week      nights  with cramps  cramps  longest"]
    for w in trend:
        longest = cramp_length(w.longest_s) if w.cramps else "-"
        lines.append(f"{w.week}  {w.nights:6d}  {w.cramp_nights:11d}  {w.cramps:6d}  {longest}")
    return "\n".join(lines)


def cramp_length(seconds: float) -> str:
    """A cramp's length to the second, cut down, never rounded up: ``45 s``, ``9 min 59 s`` (a
    cramp of 598.65 s is not "10 min": the doctor note counts those longer than 10 min)."""
    whole = int(max(0.0, float(seconds)))
    if whole < 60:
        return f"{whole} s"
    return f"{whole // 60} min {whole % 60:02d} s"


def _hm(seconds: float) -> str:
    seconds = max(0.0, float(seconds))
    if 0 < seconds < 0.5:  # something was lost: not "0 s"
        return "under 1 s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60):02d} min"
