"""PNG of a night (or session) from the history: a clock-time timeline per leg, and the week.

:func:`plot_night` draws the night on top (cramps, recurrences, sensor problems, prompts and
acknowledgements per leg, on a clock-time axis) and the seven nights ending with it below
(cramps per night, recurrences stacked, nights without a recording marked), so one look tells
how the week went. :func:`plot_sessions` draws the timeline alone (training sessions).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from crampdetect.reports.summary import summarise_night
from crampdetect.storage.history import History
from crampdetect.text import plural

_ACTIVITY_COLOURS = {
    "running": "#1f77b4",
    "walking": "#9ecae1",
    "hold": "#fdae6b",
    "standing": "#c7e9c0",
    "rest": "#f0f0f0",
    "active": "#d9d9d9",
}
CRAMP = "#b2182b"
RECURRENCE = "#542788"  # purple: far from the activity colours
PROBLEM = "#bdbdbd"
ACK = "#2166ac"


def clock_formatter(locator):
    """Tick labels of a clock-time axis, each a full clock time for the ticks' spacing
    (``23:30``, ``23:30:30``; a date only when ticks are days apart), never a bare ``30``."""
    import matplotlib.dates as mdates

    formatter = mdates.AutoDateFormatter(locator)
    formatter.scaled = {
        365.0: "%Y",
        30.0: "%d %b",
        1.0: "%d %b %H:%M",
        1 / 24: "%H:%M",
        1 / 1440: "%H:%M",
        1 / 86400: "%H:%M:%S",
        1 / 86400000: "%H:%M:%S.%f",
    }
    return formatter


def _timeline(ax, history: History, session_ids: list[int]) -> None:
    """Per leg, on a clock-time axis: what happened in the given sessions."""
    import matplotlib.dates as mdates
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    rows = [history.session(sid) for sid in session_ids]
    legs: list[str] = []
    for sid in session_ids:
        for table in ("cramps", "quality", "activity"):
            legs += [r["leg"] for r in history.records(table, sid) if r["leg"] not in legs]
    legs = sorted(set(legs)) or ["-"]
    y = {leg: k for k, leg in enumerate(legs)}

    def clock(start: dt.datetime, t_s: float) -> float:
        return mdates.date2num(start + dt.timedelta(seconds=float(t_s)))

    activities: set[str] = set()
    spans = [
        (dt.datetime.fromisoformat(r["started_at"]).replace(tzinfo=None), r["id"]) for r in rows
    ]
    total_s = sum(history.session_end_s(int(sid)) for _, sid in spans) or 1.0
    visible = total_s / 300 / 86400  # days: a short cramp still shows as a bar
    for row in rows:
        sid = int(row["id"])
        start = dt.datetime.fromisoformat(row["started_at"]).replace(tzinfo=None)
        end_s = history.session_end_s(sid)
        ax.axvspan(clock(start, 0.0), clock(start, end_s), color="#f7f7f7", zorder=0)
        for r in history.records("activity", sid):
            a, b = clock(start, r["start_s"]), clock(start, r["end_s"])
            activities.add(r["activity"])
            colour = _ACTIVITY_COLOURS.get(r["activity"], "#d9d9d9")
            ax.broken_barh([(a, b - a)], (y[r["leg"]] - 0.45, 0.15), color=colour)
        for q in history.records("quality", sid):
            a = clock(start, q["start_s"])
            b = clock(start, q["end_s"] if q["end_s"] is not None else end_s)
            ax.broken_barh(
                [(a, b - a)], (y[q["leg"]] - 0.15, 0.3), facecolor="#eeeeee", edgecolor=PROBLEM,
                hatch="//",
            )  # fmt: skip
        for c in history.records("cramps", sid):
            a = clock(start, c["onset_s"])
            b = clock(start, c["end_s"] if c["end_s"] is not None else end_s)
            colour = RECURRENCE if c["recurrence"] else CRAMP
            ax.broken_barh([(a, max(b - a, visible))], (y[c["leg"]] - 0.3, 0.6), color=colour)
        for alert in history.records("alerts", sid):
            if alert["kind"] == "vibrate" and alert["leg"] in y:
                ax.plot(clock(start, alert["t_s"]), y[alert["leg"]] + 0.42, "v", color="k", ms=5)
        for ack in history.records("acks", sid):
            ax.axvline(clock(start, ack["t_s"]), color=ACK, lw=0.9, ls=":")
    ax.set_yticks(range(len(legs)), legs)
    ax.set_ylim(-0.6, len(legs) - 0.35)
    ax.set_ylabel("Leg")
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(clock_formatter(locator))
    ax.set_xlabel("Clock time")
    ax.grid(axis="x", color="#dddddd", lw=0.6)
    handles = [
        Patch(color=CRAMP, label="cramp"),
        Patch(color=RECURRENCE, label="recurrence (within 1 h)"),
        Patch(facecolor="#eeeeee", edgecolor=PROBLEM, hatch="//", label="sensor problem"),
        Line2D([], [], marker="v", color="k", ls="", label="vibration prompt"),
        Line2D([], [], color=ACK, ls=":", label="acknowledged"),
        *[Patch(color=_ACTIVITY_COLOURS[a], label=a) for a in _ACTIVITY_COLOURS if a in activities],
    ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)


def plot_sessions(history: History, session_ids: list[int], path: str | Path) -> Path:
    """The sessions on one clock-time axis, saved as a PNG to ``path``."""
    from matplotlib.figure import Figure  # no pyplot: no global backend or figure state

    rows = [history.session(sid) for sid in session_ids]
    fig = Figure(figsize=(10, 2.2 + 0.5 * len(rows)), layout="constrained")
    ax = fig.add_subplot()
    _timeline(ax, history, session_ids)
    if rows:
        kind = "Night of " + rows[0]["night"] if rows[0]["profile"] == "night" else "Session"
        ax.set_title(f"{kind}, started {rows[0]['started_at'][:16].replace('T', ' ')}")
    path = Path(path)
    fig.savefig(path, dpi=100)
    return path


def plot_night(history: History, night: str, path: str | Path, days: int = 7) -> Path:
    """The night of ``night`` (ISO date) and the ``days`` nights ending with it, as a PNG."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    this = summarise_night(history, night)
    fig = Figure(figsize=(10, 6.0), layout="constrained")
    top, bottom = fig.subplots(2, 1, height_ratios=[1.2, 1.0])
    _timeline(top, history, this.session_ids)
    hours = this.monitored_s / 3600
    top.set_title(
        f"Night of {night}: {plural(len(this.cramps), 'cramp')}, {hours:.1f} h monitored",
        loc="left",
    )

    last = dt.date.fromisoformat(night)
    dates = [last - dt.timedelta(days=k) for k in range(days - 1, -1, -1)]
    firsts, recurrences, recorded = [], [], []
    for d in dates:
        s = this if d == last else summarise_night(history, d.isoformat())
        recorded.append(bool(s.session_ids))
        recurrences.append(sum(c.recurrence for c in s.cramps))
        firsts.append(len(s.cramps) - recurrences[-1])
    x = list(range(days))
    bottom.bar(x, firsts, color=CRAMP, width=0.6, label="cramps")
    bottom.bar(x, recurrences, bottom=firsts, color=RECURRENCE, width=0.6, label="recurrences")
    top_count = max([f + r for f, r in zip(firsts, recurrences, strict=True)] + [1])
    for k, ok in enumerate(recorded):
        if not ok:
            bottom.bar(k, top_count, color="none", edgecolor=PROBLEM, hatch="..", width=0.6)
            bottom.text(k, top_count / 2, "not\nrecorded", ha="center", va="center", fontsize=8)
        elif firsts[k] + recurrences[k] == 0:
            bottom.text(k, 0.05 * top_count, "none", ha="center", va="bottom", fontsize=8)
    bottom.axvspan(days - 1.45, days - 0.55, color="#fee8c8", zorder=0)
    bottom.set_xticks(x, [d.strftime("%a %d %b") for d in dates])
    bottom.set_xlim(-0.6, days - 0.4)
    bottom.set_ylim(0, top_count * 1.15)
    bottom.yaxis.get_major_locator().set_params(integer=True)
    bottom.set_ylabel("Cramps per night")
    bottom.set_xlabel("Night (the evening it began); this night shaded")
    n_nights, total = sum(recorded), sum(firsts) + sum(recurrences)
    bottom.set_title(
        f"The last {days} nights: {plural(total, 'cramp')} over "
        f"{plural(n_nights, 'recorded night')}",
        loc="left",
    )
    bottom.legend(
        handles=[
            Patch(color=CRAMP, label="cramps"),
            Patch(color=RECURRENCE, label="recurrences"),
            Patch(facecolor="none", edgecolor=PROBLEM, hatch="..", label="not recorded"),
        ],
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
    )
    path = Path(path)
    fig.savefig(path, dpi=100)
    return path
