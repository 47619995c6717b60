"""A small PNG of one night or session: cramps, sensor problems, prompts and acks per leg."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from crampdetect.storage.history import History

_ACTIVITY_COLOURS = {
    "running": "#1f77b4",
    "walking": "#9ecae1",
    "hold": "#ff7f0e",
    "standing": "#c7e9c0",
    "rest": "#f0f0f0",
    "active": "#d9d9d9",
}


def plot_sessions(history: History, session_ids: list[int], path: str | Path) -> Path:
    """Draw the given sessions on one clock-time axis and save a PNG to ``path``."""
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure  # no pyplot: no global backend or figure state

    rows = [history.session(sid) for sid in session_ids]
    legs: list[str] = []
    for sid in session_ids:
        for table in ("cramps", "quality", "activity"):
            legs += [r["leg"] for r in history.records(table, sid) if r["leg"] not in legs]
    legs = sorted(set(legs)) or ["-"]
    fig = Figure(figsize=(8, 1.0 + 0.6 * len(legs)), layout="constrained")
    ax = fig.add_subplot()
    y = {leg: k for k, leg in enumerate(legs)}

    def clock(start: dt.datetime, t_s: float) -> float:
        return mdates.date2num(start + dt.timedelta(seconds=float(t_s)))

    for row in rows:
        sid = int(row["id"])
        start = dt.datetime.fromisoformat(row["started_at"]).replace(tzinfo=None)
        end_s = history.session_end_s(sid)
        ax.axvspan(clock(start, 0.0), clock(start, end_s), color="#fafafa", zorder=0)
        for r in history.records("activity", sid):
            a, b = clock(start, r["start_s"]), clock(start, r["end_s"])
            colour = _ACTIVITY_COLOURS.get(r["activity"], "#d9d9d9")
            ax.broken_barh([(a, b - a)], (y[r["leg"]] - 0.4, 0.2), color=colour)
        for q in history.records("quality", sid):
            a = clock(start, q["start_s"])
            b = clock(start, q["end_s"] if q["end_s"] is not None else end_s)
            ax.broken_barh([(a, b - a)], (y[q["leg"]] - 0.15, 0.3), color="#bbbbbb", hatch="//")
        for c in history.records("cramps", sid):
            a = clock(start, c["onset_s"])
            b = clock(start, c["end_s"] if c["end_s"] is not None else end_s)
            colour = "#b2182b" if not c["recurrence"] else "#ef8a62"
            ax.broken_barh([(a, max(b - a, 1e-4))], (y[c["leg"]] - 0.3, 0.6), color=colour)
        for alert in history.records("alerts", sid):
            if alert["kind"] == "vibrate" and alert["leg"] in y:
                ax.plot(clock(start, alert["t_s"]), y[alert["leg"]] + 0.4, "v", color="k", ms=4)
        for ack in history.records("acks", sid):
            ax.axvline(clock(start, ack["t_s"]), color="#2166ac", lw=0.8, ls=":")
    ax.set_yticks(range(len(legs)), legs)
    ax.set_ylim(-0.6, len(legs) - 0.4)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))
    if rows and rows[0]["profile"] == "night":
        title = f"Night of {rows[0]['night']}: cramps (red; recurrences lighter), "
        title += "sensor problems (grey), prompts (▼), acks (dotted)"
    else:
        title = "Session: cramps (red), activity below: running (blue), walking (light blue), "
        title += "hold (orange), standing (green)"
    ax.set_title(title, fontsize=9)
    path = Path(path)
    fig.savefig(path, dpi=100)
    return path
