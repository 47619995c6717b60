"""What a session report shows, computed in one streaming pass over a recording.

:func:`collect` replays the recording through the live pipeline (so the report shows what the
detector does now) and keeps, per channel, a min-max envelope of the raw signal in µV over a
fixed number of time bins, the pipeline's envelope level and detector state every
``status_s``; memory is bounded whatever the length of the night. The pipeline's cost is per
block pushed, so the replay cuts the stream finely (``status_s``) only around the cramps a
zoom shows, found by a first fast replay, and in steps of about a pixel of the overview
elsewhere (:data:`OVERVIEW_STEPS`). :func:`night_summary` and
:func:`training_summary` turn that into the numbers a person reads; :mod:`.plots` draws it.

Severity of a cramp is graded by its duration (domain.md: cramps last 10 s to 10 min):
mild under 30 s, moderate up to 2 min, severe beyond; its peak level is given as a multiple
of the channel's median level over the session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
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
#: Seconds shown before a cramp's onset and after its end in its zoom.
ZOOM_MARGIN_S = 15.0
#: Detector-state steps over the whole recording outside the zooms: about one per pixel of
#: the overview (15 in wide, 110 dpi: ~1270 px of axis).
OVERVIEW_STEPS = 1500


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
    fine_n = max(1, round(status_s * rec.fs))  # samples per status step
    coarse_k = max(1, int(span / OVERVIEW_STEPS // (fine_n / rec.fs)))  # steps per block
    n_ch = len(rec.channels)
    lo = np.full((n_ch, n_bins), np.inf)
    hi = np.full((n_ch, n_bins), -np.inf)
    status_t = _grid(rec, fine_n)  # the fine blocks' ends, s
    grid_n = _grid_samples(rec, fine_n)  # samples pushed at each of them
    levels = np.zeros((n_ch, status_t.size))
    block_n: list[int] = []  # samples pushed at each block's end
    states: list[list[int]] = []  # the detector state there
    pushed = [0, 0, 0]  # samples pushed, envelope frames received, grid points filled
    last_frame = np.zeros(n_ch)  # the pipeline's level before any frame
    anchor = [t_start, 0]  # time and stream index of the current segment's first sample
    index = {s: i for i, s in enumerate(STATES)}
    # the activity row: the history's classifier, fed the pipeline's envelope frames
    timeline: list[activity.ActivityTimeline] = []
    watch = None  # does the calibration fit this recording? (as detect --user asks it)
    if calibration is not None and stored:
        from crampdetect.calibration import CalibrationWatch  # lazy: only with --user

        watch = CalibrationWatch(stored, user)

    def gather(block: Block, pipe: object, out: object) -> None:
        nonlocal last_frame
        if progress is not None:
            progress(share * block.n_samples / rec.fs)
        x = rep.to_uv(block.data)
        if block.gap > 0 or not block_n:  # sample times from the segment's start: any cut
            anchor[:] = [block.t0, block.start]
        times = anchor[0] + (block.start - anchor[1] + np.arange(block.n_samples)) / rec.fs
        bins = np.minimum(((times - t_start) / span * n_bins).astype(int), n_bins - 1)
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
        # the envelope at each grid point: the last frame completed by then (the pipeline's
        # level), taken from the frames however long the block
        pushed[0] += block.n_samples
        frames = out.envelope_uv  # type: ignore[attr-defined]
        first = pushed[1]
        if frames is not None:
            pushed[1] += frames.shape[1]
        hop = round(pipe.hop_s * rec.fs)  # type: ignore[attr-defined]
        done = int(np.searchsorted(grid_n, pushed[0], "right"))
        if done > pushed[2]:
            k = grid_n[pushed[2] : done] // hop - 1 - first  # frame index within this block's
            cols = np.full((n_ch, 1), np.nan) if frames is None else frames
            both = np.concatenate([last_frame[:, None], cols], axis=1)
            levels[:, pushed[2] : done] = both[:, np.clip(k + 1, 0, both.shape[1] - 1)]
            pushed[2] = done
        if frames is not None and frames.shape[1]:
            last_frame = frames[:, -1].copy()
        status = pipe.status  # type: ignore[attr-defined]
        block_n.append(pushed[0])
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
    spans: list[tuple[float, float]] = []
    share = 1.0  # of a block's seconds shown as progress
    if coarse_k > 1:  # where the zooms are: a fast replay (10-s blocks) finds the cramps
        share = 0.5

        def ahead(block: Block, pipe: object, out: object) -> None:
            if progress is not None:
                progress(share * block.n_samples / rec.fs)

        pre = replay(
            rec,
            profile=profile,
            settings=settings,
            representation=rep,
            on_block=ahead,
            gate=None if model is None else model.gate(profile),
            calibration=calibration,
        )
        spans = zoom_spans(pre["events"], profile, rec.t_end)
    result = replay(
        rec,
        profile=profile,
        settings=settings,
        representation=rep,
        blocks=_blocks(rec, fine_n, coarse_k, spans),
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
        block_s=coarse_k * fine_n / rec.fs,  # the longest block (the events do not depend on it)
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
        status_t=status_t,
        level_uv=levels,
        state=_states_at(grid_n, block_n, states, n_ch),
    )
    if timeline:  # as the history stores it (`history --import --recording`, `monitor`)
        data.activity = timeline[0].runs(profile)
    return data


def _grid(rec: Recording, fine_n: int) -> np.ndarray:
    """The ends (s) of the blocks of ``fine_n`` samples each segment is cut into."""
    out = []
    for seg in rec.segments:  # as Block.t_end computes them
        ends = _ends(seg.n_samples, fine_n)
        starts = np.concatenate([[0], ends[:-1]])
        out.append((seg.t0 + starts / rec.fs) + (ends - starts) / rec.fs)
    return np.concatenate(out) if out else np.zeros(0)


def _grid_samples(rec: Recording, fine_n: int) -> np.ndarray:
    """The samples pushed at each of :func:`_grid`'s ends."""
    ends, before = [], 0
    for seg in rec.segments:
        ends.append(before + _ends(seg.n_samples, fine_n))
        before += seg.n_samples
    return np.concatenate(ends).astype(np.int64) if ends else np.zeros(0, np.int64)


def _ends(n: int, step: int) -> np.ndarray:
    return np.minimum(np.arange(step, n + step, step), n)


def _blocks(
    rec: Recording, fine_n: int, coarse_k: int, spans: list[tuple[float, float]]
) -> Iterator[Block]:
    """The recording in blocks of ``fine_n`` samples where a block overlaps one of ``spans``
    (s), elsewhere of up to ``coarse_k`` such blocks joined; every block ends where a block of
    ``fine_n`` samples ends (a gap starts a block)."""
    a = np.array([s[0] for s in spans])
    b = np.array([s[1] for s in spans])
    for whole in rec.iter_blocks():  # one block per segment, its gap marked
        ends = _ends(whole.n_samples, fine_n)
        starts = np.concatenate([[0], ends[:-1]])
        t0, t1 = whole.t0 + starts / rec.fs, whole.t0 + ends / rec.fs
        fine = ((t0[:, None] < b) & (t1[:, None] > a)).any(axis=1)
        cuts, run = [], 0
        for i, f in enumerate(fine.tolist()):  # one step per status step, not per sample
            run += 1
            if f or run == coarse_k or i + 1 == ends.size or fine[i + 1]:
                cuts.append(int(ends[i]))
                run = 0
        lo = 0
        for hi in cuts:
            yield Block(
                whole.data[:, lo:hi],
                rec.fs,
                whole.start + lo,
                whole.t0 + lo / rec.fs,
                whole.gap if lo == 0 else 0,
                whole.channels,
            )
            lo = hi


def _states_at(
    grid_n: np.ndarray, block_n: list[int], states: list[list[int]], n_ch: int
) -> np.ndarray:
    """The detector state at each grid point: the one at the end of the block holding it."""
    if not states:
        return np.zeros((n_ch, grid_n.size), dtype=np.int8)
    at = np.minimum(np.searchsorted(np.asarray(block_n), grid_n, "left"), len(states) - 1)
    return np.asarray(states, dtype=np.int8).T[:, at].reshape(n_ch, -1)


def zoom_spans(events: list[dict], profile: str, t_end: float) -> list[tuple[float, float]]:
    """The time spans (s) the report's zooms show: each cramp (all its pieces,
    :func:`episodes`) with :data:`ZOOM_MARGIN_S` either side."""
    spans = []
    for pieces in episodes(events, profile):
        end = pieces[-1]["end_s"]
        spans.append(
            (pieces[0]["onset_s"] - ZOOM_MARGIN_S, (t_end if end is None else end) + ZOOM_MARGIN_S)
        )
    return spans


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

    return episodes(data.events, data.profile)


def episodes(events: list[dict], profile: str) -> list[list[dict]]:
    """:func:`cramp_episodes` of a result's ``events`` (dictionaries) under ``profile``."""
    dicts = [d for d in events if d["kind"] == "cramp"]
    found = [Event.from_dict(d, i) for i, d in enumerate(dicts)]
    by_id = {e.id: d for e, d in zip(found, dicts, strict=True)}
    pieces: dict[int, list[dict]] = {}
    for event, _, part_of in label_cramps(found, profile):
        pieces.setdefault(event.id if part_of is None else part_of, []).append(by_id[event.id])
    return list(pieces.values())


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
