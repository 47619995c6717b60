"""What a session report shows, computed in one streaming pass over a recording.

:func:`collect` replays the recording through the live pipeline (so the report shows what the
detector does now) and keeps, per channel, a min-max envelope of the raw signal in µV over a
fixed number of time bins, the pipeline's envelope level and detector state every
``status_s``; memory is bounded whatever the length of the night. :func:`night_summary` and
:func:`training_summary` turn that into the numbers a person reads; :mod:`.plots` draws it.

Severity of a cramp is graded by its duration (domain.md: cramps last 10 s to 10 min):
mild under 30 s, moderate up to 2 min, severe beyond; its peak level is given as a multiple
of the channel's median level over the session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from crampdetect.alerts.policy import label_cramps
from crampdetect.core import Block, Event
from crampdetect.detect.settings import profile_settings
from crampdetect.ingest.inference import resolve_inference
from crampdetect.pipeline.offline import unit_warnings
from crampdetect.pipeline.rescore import replay, resolve_representation
from crampdetect.provenance import InputHash, provenance
from crampdetect.reports import activity
from crampdetect.reports.session_view import cramp_context, gait_stop, smooth_runs, with_cramps
from crampdetect.reports.summary import SensorProblems, sensor_problems
from crampdetect.storage.recording import Recording

STATES = ("idle", "suspect", "cramp", "recovery")
MILD_S, SEVERE_S = 30.0, 120.0
#: Time in s after a cramp ends during which activity is ignored for "effort before".
EFFORT_WINDOW_S = 600.0


@dataclass(slots=True)
class ReportData:
    """Everything a report draws, at bounded resolution.

    ``edges`` (n_bins + 1) are the min-max bin edges in s, ``lo``/``hi`` (n_channels, n_bins)
    the raw signal extremes in µV per bin (NaN where no samples). ``status_t`` (n) are the
    times in s of the status samples, ``level_uv`` (n_channels, n) the envelope and ``state``
    (n_channels, n) the detector state index into :data:`STATES`.
    """

    rec: Recording
    profile: str
    result: dict
    edges: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    status_t: np.ndarray
    level_uv: np.ndarray
    state: np.ndarray
    activity: list[tuple[str, float, float, str]] = field(default_factory=list)

    @property
    def events(self) -> list[dict]:
        return self.result["events"]

    @property
    def quality(self) -> list[dict]:
        return self.result["quality"]


def collect(
    rec: Recording,
    profile: str = "night",
    *,
    settings: object | None = None,
    n_bins: int = 3000,
    status_s: float | None = None,
    progress: Callable[[float], None] | None = None,
    overrides: dict[str, float | bool] | None = None,
    model: Any = None,
    user: str | None = None,
    calibration: Any = None,
    stored: dict[str, dict] | None = None,
) -> ReportData:
    """Replay ``rec`` once and gather the report's data (see :class:`ReportData`).

    Scored as ``crampdetect detect`` scores it with the same options: ``overrides``
    (``--set``, checked: :func:`~crampdetect.detect.overrides.check_overrides`) change the
    profile's settings (``settings``, if given, replaces them), ``model`` (a loaded
    ``CrampModel``, ``--model``) gates the unsure candidates, ``calibration`` is ``user``'s
    (``--user``: :func:`~crampdetect.calibration.user_calibration`); the provenance names
    them, so the report's event ids are those of ``detect --json`` with the same options.
    ``stored``, what the user's profile stores per channel (the second value of
    :func:`~crampdetect.calibration.user_calibration`), checks that the calibration fits the
    recording as ``detect --user`` does (:class:`~crampdetect.calibration.CalibrationWatch`):
    its warnings join ``rec.problems``.

    ``status_s`` (default: 0.1 s, longer for recordings over ~33 min so that a night takes
    about 20 000 pipeline steps) sets how often the envelope and detector state are sampled;
    ``progress`` is called with the seconds of signal of each block done. Warnings about
    the units inferred for it join ``rec.problems``.
    """
    rep, _, inference = resolve_inference(rec)
    read = InputHash(rec.path, rec.kind, rec.read_hash)  # hashed as the reader reads it
    for line in unit_warnings(Path(str(rec.path or "recording")).name, inference):
        if line not in rec.problems:
            rec.problems.append(line)
    status_s = status_s or min(max(rec.duration_s / 20_000, 0.1), 2.0)
    t_start, span = rec.t_start, max(rec.duration_s, 1.0 / rec.fs)
    n_ch = len(rec.channels)
    lo = np.full((n_ch, n_bins), np.inf)
    hi = np.full((n_ch, n_bins), -np.inf)
    status_t: list[float] = []
    levels: list[list[float]] = []
    states: list[list[int]] = []
    index = {s: i for i, s in enumerate(STATES)}
    # the activity row: the history's classifier, fed the pipeline's envelope frames
    timeline: list[activity.ActivityTimeline] = []
    watch = None  # does the calibration fit this recording? (as detect --user asks it)
    if calibration is not None and stored:
        from crampdetect.calibration import CalibrationWatch  # lazy: only with --user

        watch = CalibrationWatch(stored, user)

    def gather(block: Block, pipe: object, out: object) -> None:
        if progress is not None:
            progress(block.n_samples / rec.fs)
        x = rep.to_uv(block.data)
        bins = np.minimum(((block.times() - t_start) / span * n_bins).astype(int), n_bins - 1)
        cuts = np.flatnonzero(np.diff(bins)) + 1
        starts = np.concatenate([[0], cuts])
        b = bins[starts]
        lo[:, b] = np.minimum(lo[:, b], np.minimum.reduceat(x, starts, axis=1))
        hi[:, b] = np.maximum(hi[:, b], np.maximum.reduceat(x, starts, axis=1))
        if profile == "training":
            if not timeline:
                timeline.append(activity.ActivityTimeline(rec.channels, pipe.hop_s, rep))  # type: ignore[attr-defined]
            timeline[0].feed(out, pipe)
        if watch is not None:
            watch.feed(pipe, out)
        status = pipe.status  # type: ignore[attr-defined]
        status_t.append(block.t_end)
        levels.append([status[c].level_uv for c in rec.channels])
        states.append([index.get(status[c].state, 0) for c in rec.channels])

    overrides = dict(overrides or {})
    if settings is None:
        settings = profile_settings(profile, rep.signal).replace(**overrides)
    gate = None
    if model is not None:
        # lazy: the model loads only when one is given
        from crampdetect.detect.model import check_recording

        check_recording(model, rec.fs, rep.signal)
        gate = model.gate(profile)
    result = replay(
        rec,
        profile=profile,
        settings=settings,
        representation=rep,
        block_s=status_s,
        on_block=gather,
        gate=gate,
        calibration=calibration,
    )
    # what produced it, as detect --json says it
    result["provenance"] = provenance(
        profile,
        rep.signal,
        overrides,
        model,
        user,
        settings=settings,
        calibration=calibration,
        source=read.id(rec.fs),
        block_s=status_s,
    )
    if watch is not None:
        name = Path(str(rec.path or "recording")).name
        rec.problems += [w for w in watch.warnings(name) if w not in rec.problems]
    lo[~np.isfinite(lo)] = np.nan
    hi[~np.isfinite(hi)] = np.nan
    data = ReportData(
        rec=rec,
        profile=profile,
        result=result,
        edges=t_start + np.linspace(0.0, span, n_bins + 1),
        lo=lo,
        hi=hi,
        status_t=np.asarray(status_t),
        level_uv=np.asarray(levels, dtype=float).T.reshape(n_ch, -1),
        state=np.asarray(states, dtype=np.int8).T.reshape(n_ch, -1),
    )
    if timeline:  # as the history stores it (`history --import --recording`, `monitor`)
        data.activity = timeline[0].runs(profile)
    return data


def load_window(rec: Recording, start_s: float, end_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Samples of every channel between ``start_s`` and ``end_s``, in µV; times in s."""
    rep, _ = resolve_representation(rec)
    ts, xs = [], []
    for seg in rec.segments:
        seg_end = seg.t0 + seg.n_samples / rec.fs
        if seg_end <= start_s or seg.t0 >= end_s:
            continue
        a = max(0, int((start_s - seg.t0) * rec.fs))
        b = min(seg.n_samples, int(np.ceil((end_s - seg.t0) * rec.fs)))
        ts.append(seg.t0 + np.arange(a, b) / rec.fs)
        xs.append(rep.to_uv(np.asarray(seg.load()[:, a:b], float)))
    if not ts:
        return np.zeros(0), np.zeros((len(rec.channels), 0))
    return np.concatenate(ts), np.concatenate(xs, axis=1)


def severity(duration_s: float | None) -> str:
    if duration_s is None:
        return "unknown (did not end)"
    return "mild" if duration_s < MILD_S else "moderate" if duration_s <= SEVERE_S else "severe"


def cramp_episodes(data: ReportData) -> list[list[dict]]:
    """The cramps of the recording, each as the list of its pieces (cramp events, in order):
    a cramp raised on a leg at most the profile's ``AlertSettings.rejoin_s`` after that leg's
    cramp ended is a piece of it, as the alert policy, the history and ``summary`` count it
    (:func:`crampdetect.alerts.policy.label_cramps`)."""

    dicts = [d for d in data.events if d["kind"] == "cramp"]
    events = [Event.from_dict(d, i) for i, d in enumerate(dicts)]
    by_id = {e.id: d for e, d in zip(events, dicts, strict=True)}
    episodes: dict[int, list[dict]] = {}
    for event, _, part_of in label_cramps(events, data.profile):
        episodes.setdefault(event.id if part_of is None else part_of, []).append(by_id[event.id])
    return list(episodes.values())


def cramp_zooms(data: ReportData) -> list[dict]:
    """One event per cramp to zoom on (:func:`cramp_episodes`): its first piece (onset, alert,
    confidence) ending where its last piece ends, with ``pieces`` the number of pieces and
    ``open_at_end`` whether the last was still going when the recording ended."""
    return [
        {
            **pieces[0],
            "end_s": pieces[-1]["end_s"],
            "pieces": len(pieces),
            "open_at_end": bool((pieces[-1].get("detail") or {}).get("open_at_end")),
        }
        for pieces in cramp_episodes(data)
    ]


def lost_to_sensor_problems(data: ReportData) -> SensorProblems:
    """The time lost to sensor problems of the recording, reckoned as ``summary`` and
    ``monitor`` do (:func:`~crampdetect.reports.summary.sensor_problems`)."""
    spans: dict[str, dict[str, list[tuple[float, float]]]] = {}
    for q in data.quality:
        end = q["end_s"] if q["end_s"] is not None else data.rec.t_end
        spans.setdefault(q["channel"], {}).setdefault(q["issue"], []).append((q["start_s"], end))
    return sensor_problems(spans, data.profile)


def shown_activity(data: ReportData) -> list[tuple[str, float, float, str]]:
    """The activity timeline as the report shows it (its table, its row, its minutes per
    activity): per leg, the runs of ``data.activity`` with the pieces of that leg's cramps laid
    over them as ``cramp`` by :func:`~crampdetect.reports.session_view.with_cramps`, as
    ``summary --training`` lays them over the stored timeline (the classifier alone calls a
    cramp a hold). The runs stay unsmoothed: the report shows them to the tenth of a second."""
    pieces = [p for episode in cramp_episodes(data) for p in episode]
    out: list[tuple[str, float, float, str]] = []
    for leg in data.rec.channels:
        runs = [(a, b, what) for ch, a, b, what in data.activity if ch == leg]
        spans = [
            (p["onset_s"], data.rec.t_end if p["end_s"] is None else p["end_s"])
            for p in pieces
            if p["channel"] == leg
        ]
        if runs:
            out += [(leg, a, b, what) for a, b, what in with_cramps(runs, spans)]
    return out


def night_summary(data: ReportData) -> dict:
    """Cramps (leg, time, duration from the first piece's onset to the last one's end,
    severity, peak, pieces) and time lost to sensor problems (lead-off, saturation and gaps:
    :data:`~crampdetect.reports.summary.LOST_ISSUES`, as ``summary`` and ``monitor`` count it;
    mains hum or a pop costs no signal time)."""
    t_end = data.rec.t_end
    medians = {
        ch: float(np.nanmedian(row)) if row.size else np.nan
        for ch, row in zip(data.rec.channels, data.level_uv, strict=True)
    }
    cramps = []
    for pieces in cramp_episodes(data):
        ev, last = pieces[0], pieces[-1]
        c = data.rec.channels.index(ev["channel"])
        peak = np.nan
        for p in pieces:
            end = p["end_s"] if p["end_s"] is not None else t_end
            inside = (data.status_t >= p["onset_s"]) & (data.status_t <= end)
            if inside.any():
                peak = np.fmax(peak, float(np.max(data.level_uv[c, inside])))
        duration = None if last["end_s"] is None else last["end_s"] - ev["onset_s"]
        cramps.append(
            {
                "leg": ev["channel"],
                "onset_s": ev["onset_s"],
                "alert_delay_s": round(ev["alert_s"] - ev["onset_s"], 2),
                "duration_s": None if duration is None else round(duration, 1),
                "severity": severity(duration),
                "peak_x_median": round(peak / medians[ev["channel"]], 1)
                if medians[ev["channel"]] > 0
                else None,
                "pieces": len(pieces),
                # still going when the recording ended: its duration is a lower bound
                "open_at_end": bool((last.get("detail") or {}).get("open_at_end")),
            }
        )
    problems = lost_to_sensor_problems(data)  # as summary and monitor count them
    lost = {ch: round(problems.lost_s.get(ch, 0.0), 1) for ch in data.rec.channels}
    lost_episodes = {ch: problems.episodes.get(ch, {}) for ch in data.rec.channels}
    issues: dict[str, int] = {}
    for q in data.quality:
        issues[q["issue"]] = issues.get(q["issue"], 0) + 1
    return {
        "duration_s": round(data.rec.duration_s, 1),
        "n_cramps": len(cramps),
        "cramps": cramps,
        "n_warnings": sum(1 for e in data.events if e["kind"] == "early_warning"),
        "n_possible_cramps": sum(1 for e in data.events if e["kind"] == "possible_cramp"),
        "sensor_problem_s": lost,
        "sensor_problem_share": {
            ch: round(v / max(data.rec.duration_s, 1e-9), 4) for ch, v in lost.items()
        },
        "sensor_problem_episodes": lost_episodes,
        "quality_issues": issues,
        "gaps": data.rec.n_gaps,
    }


def _warnings(data: ReportData, channel: str) -> list[tuple[float, float | None]]:
    """The early warnings on ``channel``: ``(onset_s, end_s)``, as the history stores them."""
    return [
        (e["onset_s"], e["end_s"])
        for e in data.events
        if e["kind"] == "early_warning" and e["channel"] == channel
    ]


def training_summary(data: ReportData) -> dict:
    """Time per activity (cramps included: :func:`shown_activity`), and each cramp against
    the effort before it and the last stop."""
    per_activity: dict[str, float] = {}
    for _, a, b, act in shown_activity(data):
        per_activity[act] = per_activity.get(act, 0.0) + (b - a) / max(len(data.rec.channels), 1)
    session_peak = float(np.nanmax(data.level_uv)) if data.level_uv.size else np.nan
    cramps = []
    for pieces in cramp_episodes(data):  # a cramp in pieces: where its first piece began
        ev = pieces[0]
        c = data.rec.channels.index(ev["channel"])
        before = (data.status_t >= ev["onset_s"] - EFFORT_WINDOW_S) & (
            data.status_t < ev["onset_s"]
        )
        effort = float(np.mean(data.level_uv[c, before])) if before.any() else np.nan
        runs = smooth_runs(
            [(a, b, act) for leg, a, b, act in data.activity if leg == ev["channel"]]
        )
        now, stopped_s, _ = gait_stop(runs, ev["onset_s"])  # as summary --training reads it
        cramps.append(
            {
                "leg": ev["channel"],
                "onset_s": ev["onset_s"],
                "effort_before_pct_of_peak": round(100 * effort / session_peak, 1)
                if session_peak > 0
                else None,
                "after_stopping_s": None
                if stopped_s is None
                else round(ev["onset_s"] - stopped_s, 1),
                "during": now or "unknown",
                "context": cramp_context(runs, ev["onset_s"], _warnings(data, ev["channel"])),
            }
        )
    return {
        "activity_s": {k: round(v, 1) for k, v in sorted(per_activity.items())},
        "cramps": cramps,
    }
