"""Write a session report file: PNG (overview and first zooms), PDF (pages) or HTML.

:func:`make_report` is the whole job for one recording (open, replay, draw, write) and is
picklable for :func:`crampdetect.pipeline.bulk.map_recordings`.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np

from crampdetect.core import InputError
from crampdetect.pipeline.offline import scoring_profile
from crampdetect.reports.clock import clock
from crampdetect.reports.plots import overview_figure, zoom_figure
from crampdetect.reports.report import (
    ReportData,
    collect,
    cramp_zooms,
    lost_to_sensor_problems,
    night_summary,
    shown_activity,
    training_summary,
)
from crampdetect.reports.summary import issue_words, sensor_problem_text
from crampdetect.storage.limits import refuse_overwrite
from crampdetect.storage.reader import open_recording, sniff
from crampdetect.text import plural

ZOOMS_PER_PAGE = 4
MAX_ZOOMS = 40
#: Events listed in an HTML report's table (a night has a few; a broken file may have many).
MAX_EVENT_ROWS = 500


def _duration(seconds: float) -> str:
    h, rem = divmod(round(seconds), 3600)
    m, sec = divmod(rem, 60)
    return f"{h} h {m:02d} min" if h else f"{m} min {sec:02d} s"


def summary_lines(data: ReportData) -> list[str]:
    """The night summary (and, for training, the training summary) as text lines."""
    s = night_summary(data)
    rec = data.rec
    lines = [
        f"{_duration(rec.duration_s)} recorded, {rec.fs:g} Hz, "
        f"{plural(len(rec.channels), 'channel')}, profile {data.profile}, "
        f"{plural(s['gaps'], 'gap')}; {plural(s['n_cramps'], 'cramp')}, "
        f"{plural(s['n_warnings'], 'early warning')}"
    ]
    for cr in s["cramps"]:
        dur = "did not end" if cr["duration_s"] is None else f"{cr['duration_s']:.0f} s"
        at = clock(cr["onset_s"] - rec.t_start, "auto")
        again = ""
        if cr["pieces"] > 1:  # it eased and came back within rejoin_s: one cramp
            again = "  eased and came back " + (
                "once" if cr["pieces"] == 2 else f"{cr['pieces'] - 1} times"
            )
        again += "  still going when the recording ended" if cr["open_at_end"] else ""
        lines.append(
            f"  cramp {cr['leg']:<12} at {at:>7}  {dur:>8}  {cr['severity']:<9} "
            f"peak {cr['peak_x_median']}x median  alert after {cr['alert_delay_s']:.1f} s{again}"
        )
    lost = sensor_problem_text(lost_to_sensor_problems(data))  # as monitor and summary say it
    if lost:
        lines.append(f"time lost to sensor problems: {lost}")
    lines += [f"input: {problem}" for problem in rec.problems]  # e.g. a cut-off last row
    if data.profile == "training" and data.activity:
        t = training_summary(data)
        acts = ", ".join(f"{k} {v / 60:.1f} min" for k, v in t["activity_s"].items())
        lines.append(f"activity (mean over legs): {acts}")
        for cr in t["cramps"]:
            at = clock(cr["onset_s"] - rec.t_start, "auto")
            lines.append(
                f"  cramp {cr['leg']:<12} at {at:>7}  {cr['context']}; "
                "effort in the 10 min before: "
                f"{cr['effort_before_pct_of_peak']} % of session peak"
            )
    return lines


def write_report(data: ReportData, out: str | Path) -> Path:
    """Write the report as ``.png`` (overview and first zooms), ``.pdf`` (pages) or ``.html``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out)
    kind = out.suffix.lower().lstrip(".")
    if kind not in ("png", "pdf", "html"):
        raise InputError(f"Report output must end in .png, .pdf or .html, got {out.name!r}")
    title = f"crampdetect report: {data.rec.path.name}"
    lines = summary_lines(data)
    cramps = cramp_zooms(data)  # one zoom per cramp, over all its pieces
    figs = [overview_figure(data, title, lines)]
    per_page = ZOOMS_PER_PAGE
    zooms = cramps[:per_page] if kind == "png" else cramps[:MAX_ZOOMS]
    figs += [zoom_figure(data, zooms[i : i + per_page]) for i in range(0, len(zooms), per_page)]
    try:
        if kind == "pdf":
            from matplotlib.backends.backend_pdf import PdfPages

            with PdfPages(out) as pdf:
                for fig in figs:
                    pdf.savefig(fig)
        elif kind == "png":
            _stack_png(figs, out)
        else:
            _write_html(figs, title, lines, data, out)
    finally:
        for fig in figs:
            plt.close(fig)
    return out


def _png_bytes(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return buf.getvalue()


def _stack_png(figs: list, out: Path) -> None:
    import matplotlib.image as mpimg
    import matplotlib.pyplot as plt

    images = [  # as uint8: a long report is several thousand pixels tall
        (mpimg.imread(io.BytesIO(_png_bytes(f)), format="png") * 255).astype(np.uint8) for f in figs
    ]
    width = max(im.shape[1] for im in images)
    padded = [
        np.pad(im, ((0, 0), (0, width - im.shape[1]), (0, 0)), constant_values=255) for im in images
    ]
    plt.imsave(out, np.concatenate(padded, axis=0))


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _write_html(figs: list, title: str, lines: list[str], data: ReportData, out: Path) -> None:
    imgs = "\n".join(
        f'<img alt="report figure {i + 1}" src="data:image/png;base64,'
        f'{base64.b64encode(_png_bytes(f)).decode()}">'
        for i, f in enumerate(figs)
    )
    rows = "".join(
        f"<tr><td>{html.escape(q['channel'])}</td><td>{html.escape(issue_words(q['issue']))}</td>"
        f"<td>{q['start_s']:.1f}</td><td>{_fmt(q['end_s'])}</td></tr>"
        for q in data.quality[:500]
    )
    events = "".join(
        f"<tr><td>{e.get('id', '')}</td><td>{html.escape(e['channel'])}</td>"
        f"<td>{html.escape(e['kind'])}</td><td>{e['onset_s']:.1f}</td><td>{e['alert_s']:.1f}</td>"
        f"<td>{_fmt(e['end_s'])}</td><td>{e['confidence']:.2f}</td></tr>"
        for e in data.events[:MAX_EVENT_ROWS]
    )
    runs = "".join(  # the activity row's runs (training), cramps laid over them as summary does
        f"<tr><td>{html.escape(leg)}</td><td>{a:.1f}</td><td>{b:.1f}</td>"
        f"<td>{html.escape(what)}</td></tr>"
        for leg, a, b, what in shown_activity(data)
    )
    activity = (
        "<h2>Activity</h2><table id='activity'><tr><th>leg</th><th>start (s)</th>"
        f"<th>end (s)</th><th>activity</th></tr>{runs}</table>"
        if data.activity
        else ""
    )
    out.write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:2em}img{max-width:100%}pre{background:#f6f6f6;padding:1em}"
        "td,th{padding:2px 10px;text-align:left}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><pre>{html.escape(chr(10).join(lines))}</pre>{imgs}"
        "<h2>Events</h2><table id='events'><tr><th>id</th><th>channel</th><th>kind</th>"
        "<th>onset (s)</th><th>alert (s)</th><th>end (s)</th><th>confidence</th></tr>"
        f"{events}</table>{activity}"
        "<h2>Quality intervals</h2><table id='quality'><tr><th>channel</th><th>issue</th>"
        f"<th>start (s)</th><th>end (s)</th></tr>{rows}</table>"
        f"<h2>Provenance</h2>{provenance_table(data.result.get('provenance') or {})}"
        "</body></html>",
        encoding="utf-8",
    )


#: Significant digits of a float shown in the report's provenance table.
SHOWN_DIGITS = 6


def provenance_table(block: dict) -> str:
    """The ``provenance`` block as an HTML table, one row per value (``input.sha256``...),
    with the dotted key in its first cell and the value in its second: a string as plain text,
    anything else (numbers, true/false, null, lists) as JSON writes it, a float to
    :data:`SHOWN_DIGITS` significant digits (``0.135``, not ``0.1349999999999411``: the JSON
    result keeps the value)."""

    def short(value: object) -> object:
        if isinstance(value, float) and math.isfinite(value):
            return float(f"{value:.{SHOWN_DIGITS}g}")
        if isinstance(value, list | tuple):
            return [short(v) for v in value]
        return value

    def text(value: object) -> str:
        return value if isinstance(value, str) else json.dumps(short(value))

    def flat(prefix: str, value: object) -> list[tuple[str, object]]:
        if isinstance(value, dict) and value:
            return [kv for k, v in value.items() for kv in flat(f"{prefix}{k}.", v)]
        return [(prefix.rstrip("."), value)]

    rows = "".join(
        f"<tr><th>{html.escape(key)}</th><td><code>{html.escape(text(value))}</code></td></tr>"
        for key, value in flat("", block)
    )
    return f"<table id='provenance'>{rows}</table>"


def make_report(
    path: str | Path,
    out: str | Path,
    profile: str | None = None,
    progress: Callable[[float], None] | None = None,
    *,
    force: bool = False,
    warn: Callable[[str], None] | None = None,
    channels: Sequence[str] | None = None,
    overrides: Mapping[str, object] | None = None,
    user: str | None = None,
    model: str | None = None,
) -> Path:
    """Open ``path``, replay it and write its report to ``out``; overwrites only with ``force``.
    ``channels``: only these, in this order (``report --channels``). ``overrides`` (setting
    name -> value, ``--set``), ``user`` (``--user``: the stored calibration) and ``model``
    (``--model``: none, a model folder, None for the default) score it as ``crampdetect
    detect`` does with the same options (its event ids are those of ``detect --json``); the
    provenance names them. A bad setting, a user without a calibration or an unreadable model
    is refused before the recording is read.

    ``profile`` None scores it under the profile it names, else night
    (:func:`~crampdetect.pipeline.offline.scoring_profile`). ``progress`` is called with the
    seconds of signal of each block replayed; ``warn`` with each problem the reader met and
    worked around (the report lists them too).
    """
    # lazy: the scoring options' owners, shared with detect
    from crampdetect.calibration import user_calibration
    from crampdetect.detect.model import resolve_model
    from crampdetect.detect.overrides import check_overrides

    changes = check_overrides(overrides or {}, "--set")
    calibration, stored = user_calibration(user)
    loaded = resolve_model(model)
    sniff(Path(path))  # an unreadable input is the first thing to say
    out = refuse_overwrite(out, force)
    if out.suffix.lower() not in (".png", ".pdf", ".html"):
        raise InputError(f"Report output must end in .png, .pdf or .html, got {out.name!r}")
    if not out.parent.is_dir():
        raise InputError(f"{out}: the folder {out.parent} does not exist")
    rec = open_recording(path, channels=channels)
    profile, _, unknown = scoring_profile(profile, rec.profile)
    rec.problems += [unknown] if unknown else []
    data = collect(  # adds the units' warnings, if any
        rec,
        profile,
        progress=progress,
        overrides=changes,
        model=loaded,
        user=user,
        calibration=calibration,
        stored=stored,  # the fit check of detect --user: its warnings join rec.problems
    )
    for problem in rec.problems if warn is not None else ():
        warn(problem)
    return write_report(data, out)
