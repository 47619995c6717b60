"""Draw a session report with matplotlib (Agg): overview, event zooms, summary; PNG, PDF or HTML.

The overview shows, per channel, the raw signal as a min-max band (never millions of points),
quality intervals shaded, cramp events (onset, alert, end), and below it the envelope on a log
scale over a strip of detector states. Each cramp gets a zoom with the raw samples.
"""

from __future__ import annotations

import numpy as np

from crampdetect.core import Representation
from crampdetect.reports.clock import clock
from crampdetect.reports.report import (
    STATES,
    ZOOM_MARGIN_S,
    ReportData,
    load_window,
    shown_activity,
)

QUALITY_COLOURS = {
    "lead_off": "#d62728",
    "saturation": "#ff7f0e",
    "mains": "#9467bd",
    "pop": "#8c564b",
    "wander": "#bcbd22",
    "bad_value": "#17becf",
    "gap": "#7f7f7f",
}
STATE_COLOURS = {"idle": "#e8e8e8", "suspect": "#f2c14e", "cramp": "#d1495b", "recovery": "#8ecae6"}
#: Detector events by kind: a cramp and its early warning must not look alike.
EVENT_COLOURS = {"cramp": "#1f5fa8", "possible_cramp": "#00838f", "early_warning": "#c2185b"}
EVENT_COLOUR = EVENT_COLOURS["cramp"]  # any other kind
ALERT_LINE = "#333333"  # the legend's "alert raised": dashed in each event's colour
MAX_ZOOM_POINTS = 6000


def clock_style(duration_s: float) -> str:
    """How to print times in a recording of this length."""
    return "hm" if duration_s > 3 * 3600 else "hms" if duration_s >= 3600 else "ms"


def _log_labels(ax) -> None:
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    ax.yaxis.set_major_locator(LogLocator(base=10.0, numticks=6))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def _flagged(data: ReportData, channel: str, edges: np.ndarray) -> np.ndarray:
    """Per bin between ``edges``: True where a quality interval of ``channel`` overlaps it."""
    flagged = np.zeros(edges.size - 1, dtype=bool)
    for q in data.quality:
        if q["channel"] == channel:
            end = q["end_s"] if q["end_s"] is not None else edges[-1]
            a = max(int(np.searchsorted(edges, q["start_s"], "right")) - 1, 0)
            b = int(np.searchsorted(edges, end, "left"))
            flagged[a:b] = True
    return flagged


def _time_axis(ax, style: str, origin: float) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(nbins=12, steps=[1, 2, 3, 5, 6, 10]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: clock(v - origin, style)))


def _robust_limits(lo: np.ndarray, hi: np.ndarray) -> tuple[float, float]:
    vals = np.abs(np.concatenate([lo[np.isfinite(lo)], hi[np.isfinite(hi)]]))
    if vals.size == 0:
        return -1.0, 1.0
    top = float(np.percentile(vals, 99.0)) * 1.15 or 1.0
    return -top, top


def _shade(ax, data: ReportData, channel: str, t_end: float, legend: dict) -> None:
    from matplotlib.lines import Line2D

    for q in data.quality:
        if q["channel"] != channel:
            continue
        colour = QUALITY_COLOURS.get(q["issue"], "#444444")
        end = q["end_s"] if q["end_s"] is not None else t_end
        span = ax.axvspan(
            q["start_s"], max(end, q["start_s"] + 0.002 * t_end), color=colour, alpha=0.28, lw=0
        )
        legend.setdefault(q["issue"].replace("_", "-"), span)
    for ev in data.events:
        if ev["channel"] != channel:
            continue
        end = ev["end_s"] if ev["end_s"] is not None else t_end
        colour = EVENT_COLOURS.get(ev["kind"], EVENT_COLOUR)
        span = ax.axvspan(ev["onset_s"], end, color=colour, alpha=0.13, lw=0)
        legend.setdefault(ev["kind"].replace("_", " "), span)
        ax.axvline(ev["onset_s"], color=colour, lw=1.2)
        ax.axvline(ev["alert_s"], color=colour, lw=1.2, ls="--")
        if "alert raised" not in legend:
            legend["alert raised"] = Line2D([], [], color=ALERT_LINE, lw=1.2, ls="--")
        if ev["end_s"] is not None:
            ax.axvline(ev["end_s"], color=colour, lw=1.0, ls=":")


def _state_strip(ax, t: np.ndarray, state: np.ndarray, t0: float) -> None:
    from matplotlib.colors import ListedColormap

    cmap = ListedColormap([STATE_COLOURS[s] for s in STATES])
    edges = np.concatenate([[t0], t])
    ax.pcolormesh(
        edges, [0, 1], state[None, :].astype(float), cmap=cmap, vmin=-0.5, vmax=len(STATES) - 0.5
    )
    ax.set_yticks([])


def signal_units(data: ReportData) -> tuple[str, str, float]:
    """(signal row label, unit, factor from the report's µV to that unit).

    Raw EMG stays in µV at the skin; the MyoWare ENV output is an envelope already, shown
    in mV at the sensor's ENV pin (its gain is set by a potentiometer, so µV at the skin
    would be a guess).
    """
    inp = data.result["input"]
    rep = data.rec.representation or Representation(
        inp["signal"], inp["units"], inp.get("adc_bits")
    )
    unit, scale, _ = rep.physical
    shown = {"uV": "µV"}.get(unit, unit)
    if rep.signal == "env":
        return f"ENV envelope ({shown})", shown, scale / rep.uv_per_unit
    return f"raw ({shown})", shown, scale / rep.uv_per_unit


def overview_figure(data: ReportData, title: str, lines: list[str]):
    """The whole session: per channel the raw band with events/quality, envelope and state."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    rec = data.rec
    n_ch = len(rec.channels)
    extra = [r for r, on in (("activity", bool(data.activity)), ("labels", _labels(rec))) if on]
    ratios = [3.0, 2.0, 0.35] * n_ch + [0.45 + 0.35 * n_ch] * len(extra)
    fig = plt.figure(figsize=(15, 1.4 + 1.9 * n_ch + 0.8 * len(extra) + 0.22 * len(lines)))
    top = 1 - (0.5 + 0.2 * len(lines)) / fig.get_figheight()
    gs = fig.add_gridspec(
        len(ratios),
        1,
        height_ratios=ratios,
        hspace=0.12,
        top=top,
        bottom=0.6 / fig.get_figheight(),
        left=0.07,
        right=0.84,
    )
    fig.suptitle(title, x=0.07, y=0.995, ha="left", va="top", fontsize=13, weight="bold")
    fig.text(
        0.07,
        1 - 0.4 / fig.get_figheight(),
        "\n".join(lines),
        va="top",
        ha="left",
        fontsize=9.5,
        family="monospace",
    )
    t0, t1 = rec.t_start, rec.t_end
    style = clock_style(rec.duration_s)
    centres = 0.5 * (data.edges[1:] + data.edges[:-1])
    axes, legend = [], {}
    signal_label, unit, factor = signal_units(data)
    levels = data.level_uv * factor
    top_level = float(np.nanmax(levels)) if levels.size else 10.0
    floor = 0.5 * factor
    env_limits = (floor, max(top_level * 2.0, 10 * floor))  # same scale on both legs
    for c, ch in enumerate(rec.channels):
        raw = fig.add_subplot(gs[3 * c], sharex=axes[0] if axes else None)
        lo, hi = data.lo[c] * factor, data.hi[c] * factor
        clean = ~_flagged(data, ch, data.edges)
        ok = clean & np.isfinite(lo)
        dc = float(np.median((lo + hi)[ok] / 2)) if ok.any() else 0.0  # display without DC
        dc = 0.0 if data.result["input"]["signal"] == "env" else dc  # an envelope keeps its 0
        raw.fill_between(centres, lo - dc, hi - dc, step="mid", color="#2b2b2b", lw=0)
        use = clean if clean.mean() > 0.1 else np.ones_like(clean)
        raw.set_ylim(*_robust_limits(lo[use] - dc, hi[use] - dc))
        raw.set_ylabel(f"{ch}\n{signal_label}", fontsize=9)
        _shade(raw, data, ch, t1, legend)
        env = fig.add_subplot(gs[3 * c + 1], sharex=raw)
        level = np.clip(levels[c], floor, None)
        env.semilogy(data.status_t, level, color="#2a7f62", lw=0.8)
        env.set_ylim(*env_limits)
        _log_labels(env)
        env.set_ylabel(f"detector\nenvelope\n({unit}, log)", fontsize=9)
        _shade(env, data, ch, t1, {})
        strip = fig.add_subplot(gs[3 * c + 2], sharex=raw)
        _state_strip(strip, data.status_t, data.state[c], t0)
        strip.set_ylabel("state", fontsize=8, rotation=0, ha="right", va="center")
        axes += [raw, env, strip]
    for i, name in enumerate(extra):
        ax = fig.add_subplot(gs[3 * n_ch + i], sharex=axes[0])
        (_activity_rows if name == "activity" else _label_rows)(ax, data)
        axes.append(ax)
    for ax in axes:
        ax.tick_params(labelsize=8)
        ax.grid(axis="x", color="#cccccc", lw=0.5)
        if ax is not axes[-1]:
            ax.tick_params(labelbottom=False)
    axes[0].set_xlim(t0, t1)
    _time_axis(axes[-1], style, t0)
    unit = {"hm": "h:mm", "hms": "h:mm:ss", "ms": "min:s"}[style]
    axes[-1].set_xlabel(f"elapsed time ({unit})")
    handles = list(legend.values()) + [Patch(color=STATE_COLOURS[s], label=s) for s in STATES]
    labels = list(legend) + [f"state: {s}" for s in STATES]
    fig.legend(
        handles, labels, loc="upper left", bbox_to_anchor=(0.85, top), fontsize=8.5, frameon=False
    )
    return fig


def _labels(rec) -> list[dict]:
    labels = rec.labels if isinstance(rec.labels, dict) else {}
    return [i for i in labels.get("intervals", []) if isinstance(i, dict)]


def _label_rows(ax, data: ReportData) -> None:
    chans = list(data.rec.channels)
    kinds = sorted({i["kind"] for i in _labels(data.rec)})
    cmap = {k: f"C{j % 10}" for j, k in enumerate(kinds)}
    for i in _labels(data.rec):
        if i.get("channel") in chans:
            y = chans.index(i["channel"])
            ax.broken_barh(
                [(i["start_s"], i["end_s"] - i["start_s"])], (y - 0.4, 0.8), color=cmap[i["kind"]]
            )
    for k in kinds:
        ax.plot([], [], lw=6, color=cmap[k], label=k.replace("_", " "))
    ax.set_yticks(range(len(chans)), chans, fontsize=8)
    ax.set_ylabel("truth", fontsize=9)
    ax.legend(loc="upper left", bbox_to_anchor=(1.005, 1.05), fontsize=7, frameon=False, ncol=2)


def _activity_rows(ax, data: ReportData) -> None:
    chans = list(data.rec.channels)
    colours = {
        "rest": "#eeeeee",
        "standing": "#c7e9c0",
        "walking": "#74c476",
        "running": "#238b45",
        "hold": "#fd8d3c",
        "active": "#9ecae1",
        "cramp": "#d7301f",
    }
    for leg, a, b, act in shown_activity(data):  # cramps laid over the activity
        ax.broken_barh(
            [(a, b - a)], (chans.index(leg) - 0.4, 0.8), color=colours.get(act, "#999999")
        )
    for k, col in colours.items():
        ax.plot([], [], lw=6, color=col, label=k)
    ax.set_yticks(range(len(chans)), chans, fontsize=8)
    ax.set_ylabel("activity", fontsize=9)
    ax.legend(loc="upper left", bbox_to_anchor=(1.005, 1.05), fontsize=7, frameon=False, ncol=2)


def _minmax(t: np.ndarray, x: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved min/max per bin so that at most ``2 n`` points are drawn."""
    if x.size <= 2 * n:
        return t, x
    k = -(-x.size // n)
    pad = n * k - x.size
    xs = np.pad(x, (0, pad), mode="edge").reshape(n, k)
    tt = np.repeat(np.pad(t, (0, pad), mode="edge").reshape(n, k)[:, 0], 2)
    return tt, np.column_stack([xs.min(axis=1), xs.max(axis=1)]).ravel()


def zoom_figure(data: ReportData, events: list[dict]):
    """One row per event: the raw samples around it, its envelope and the detector state; an
    event with ``pieces`` (:func:`~crampdetect.reports.report.cramp_zooms`) is a cramp from
    its first piece's onset to its last one's end, each piece shaded."""
    import matplotlib.pyplot as plt

    rec = data.rec
    signal_label, unit, factor = signal_units(data)
    fig = plt.figure(figsize=(15, 0.6 + 3.3 * len(events)))
    gs = fig.add_gridspec(
        4 * len(events),
        1,
        height_ratios=[2.2, 1.3, 0.3, 0.75] * len(events),
        hspace=0.15,
        top=1 - 0.35 / fig.get_figheight(),
        bottom=0.5 / fig.get_figheight(),
        left=0.07,
        right=0.97,
    )
    for i, ev in enumerate(events):
        c = rec.channels.index(ev["channel"])
        end = ev["end_s"] if ev["end_s"] is not None else rec.t_end
        a, b = max(rec.t_start, ev["onset_s"] - ZOOM_MARGIN_S), min(rec.t_end, end + ZOOM_MARGIN_S)
        t, x = load_window(rec, a, b)
        x = x * factor
        raw = fig.add_subplot(gs[4 * i])
        if t.size:
            tt, xx = _minmax(t, x[c], MAX_ZOOM_POINTS)
            dc = 0.0 if data.result["input"]["signal"] == "env" else float(np.median(x[c]))
            raw.plot(tt, xx - dc, color="#2b2b2b", lw=0.4)
            raw.set_ylim(*_robust_limits(x[c] - dc, x[c] - dc))
        _shade(raw, data, ev["channel"], rec.t_end, {})
        dur = "ongoing" if ev["end_s"] is None else f"{ev['end_s'] - ev['onset_s']:.1f} s"
        if ev.get("open_at_end") or (ev.get("detail") or {}).get("open_at_end"):
            dur += ", still going when the recording ended"
        style = "hms" if rec.duration_s >= 3600 else "ms"
        onset = clock(ev["onset_s"] - rec.t_start, style)
        pieces = int(ev.get("pieces", 1))  # a cramp that eased and came back: one zoom
        if pieces > 1:
            dur += ", eased and came back " + ("once" if pieces == 2 else f"{pieces - 1} times")
        raw.set_title(
            f"{ev['kind'].replace('_', ' ')} on {ev['channel']}: onset {onset}, "
            f"alert +{ev['alert_s'] - ev['onset_s']:.1f} s, duration {dur}, "
            f"confidence {ev['confidence']:.2f}",
            loc="left",
            fontsize=10,
        )
        raw.set_ylabel(signal_label, fontsize=9)
        env = fig.add_subplot(gs[4 * i + 1], sharex=raw)
        sel = (data.status_t >= a) & (data.status_t <= b)
        if t.size:
            te, level = _zoom_envelope(t, x[c], rec.fs, data.result["input"]["signal"])
            env.semilogy(te, np.clip(level, 0.5 * factor, None), color="#2a7f62", lw=1.0)
        _log_labels(env)
        env.set_ylabel(f"detector\nenvelope\n({unit}, log)", fontsize=9)
        _shade(env, data, ev["channel"], rec.t_end, {})
        strip = fig.add_subplot(gs[4 * i + 2], sharex=raw)
        _state_strip(strip, data.status_t[sel], data.state[c, sel], a)
        for ax in (raw, env, strip):
            ax.tick_params(labelsize=8)
        for ax in (raw, env):
            ax.tick_params(labelbottom=False)
        raw.set_xlim(a, b)
        strip.set_ylabel("state", fontsize=8, rotation=0, ha="right", va="center")
        _time_axis(strip, style, rec.t_start)
    return fig


def _zoom_envelope(t: np.ndarray, x: np.ndarray, fs: float, signal: str) -> tuple:
    """100 ms RMS of the 20-450 Hz band (offline, zero-phase: for display only), 20 ms steps."""
    import scipy.signal as ss

    if signal == "raw" and x.size > 64:
        sos = ss.butter(4, [20.0, min(450.0, 0.45 * fs)], "bandpass", fs=fs, output="sos")
        x = ss.sosfiltfilt(sos, x - np.median(x))
        x = x * x
    win, hop = max(1, round(0.1 * fs)), max(1, round(0.02 * fs))
    if x.size < win:
        return t[:1], np.sqrt(np.abs(x[:1]))
    frames = np.lib.stride_tricks.sliding_window_view(x, win)[::hop]
    level = frames.mean(axis=1)
    centre = t[win // 2 :: hop][: level.size]
    return centre, np.sqrt(level) if signal == "raw" else level
