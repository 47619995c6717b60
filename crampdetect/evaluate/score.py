"""Score the detector against labelled recordings (CSV + ``.labels.json`` sidecar).

Per recording, :class:`Scorer` runs ``detect`` and matches its output with the labels;
:func:`aggregate` folds many such scores into the figures the targets are stated in:
sensitivity, alert latency (also for cramps right after exertion), onset error, false
alerts per hour (by profile and by the activity they fall in), share of voluntary holds
alerted, how well the event confidence ranks and is calibrated (ROC AUC, Brier score,
reliability table over every alert raised; the ROC AUC also over alerts and possible
cramps together, the model's ranking whatever the gate let through), share of lead-offs
flagged and share of clean time wrongly flagged. Spread over seeds is in
:mod:`crampdetect.evaluate.multiseed`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from crampdetect.core import PROFILES, InputError, Representation
from crampdetect.detect.model import check_recording, load_model
from crampdetect.detect.settings import profile_settings
from crampdetect.ingest.inference import RepresentationInference, resolve_inference
from crampdetect.pipeline.offline import (
    detect_file,
    detection_result,
    infer_and_run,
    scoring_profile,
)
from crampdetect.pipeline.rescore import replay
from crampdetect.storage.csvfile import open_csv
from crampdetect.storage.limits import read_json
from crampdetect.storage.reader import open_recording, sniff
from crampdetect.storage.recording import carried_profile

#: Activities a false alert is attributed to (the first that overlaps wins).
ACTIVITIES = (
    "voluntary_hold",
    "calf_raise",
    "gait",
    "turnover",
    "leg_movement",
    "twitch",
    "standing",
    "prodrome",
)
QUALITY_LABELS = ("lead_off", "saturation", "mains", "pop", "wander", "bad_value", "gap")
#: Tolerance (s) around labelled quality intervals when judging flags on clean signal.
FLAG_TOLERANCE_S = 1.0
#: Voluntary effort a cramp may follow; a cramp starting within ``AFTER_EXERTION_S`` of
#: the end of one of these (or during it) on its leg counts as "after exertion".
EXERTION = ("gait", "calf_raise", "voluntary_hold")
AFTER_EXERTION_S = 5.0
#: An alert is in time when raised at most this long after the cramp's onset, s.
ALERT_WINDOW_S = 10.0
#: An early warning is followed when a cramp on its leg starts from WARN_LATE_S before its
#: alert to WARN_FOLLOW_S after it; a warned prodrome counts when warned WARN_AHEAD_S ahead.
WARN_LATE_S, WARN_FOLLOW_S, WARN_AHEAD_S = 5.0, 120.0, 10.0
#: Confidence bins of the reliability table ([lo, hi), the last includes 1).
RELIABILITY_EDGES = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
#: Event kinds the confidence model rated: alerts, and alerts the gate made possible cramps.
RATED_KINDS = ("cramp", "possible_cramp")
#: (event ends, session 16) An alerted cramp's event *closed early* when it ended more than
#: this long (s) before the labelled end, the cramp going on.
CLOSED_EARLY_S = 5.0
#: An alert on a cramp's leg after its first, up to this long (s) past its labelled end, is a
#: repeat (neither a false alert nor a detection, :func:`_true_alerts`): a *re-alert*.
REPEAT_S = 2.0


def labels_path(csv_path: str | Path) -> Path:
    p = Path(csv_path)
    return p.with_name(p.name.removesuffix(".csv") + ".labels.json")


def labelled_profile(labels: object, name: str, given: str | None = None) -> str:
    """The profile a labelled recording is scored (or trained) under: ``given`` (a forced
    profile), else the one its labels name (:func:`~crampdetect.storage.recording.carried_profile`),
    else night (:func:`~crampdetect.pipeline.offline.scoring_profile`).

    Raises InputError for labels naming a profile this version does not know: they are the
    ground truth, so the recording is not scored as something else.
    """
    recorded = carried_profile({}, labels)
    profile, _, unknown = scoring_profile(given, recorded)
    if unknown:
        known = ", ".join(PROFILES)
        raise InputError(f"{name}: its labels name profile {recorded!r}, not one of {known}")
    return profile


def run_labelled(
    csv_path: str | Path, make_pipe: Callable[[Any, Any, str], Any]
) -> tuple[dict[str, Any], str, Any, dict[str, Any]]:
    """Run a pipeline of one's own over a labelled recording, its representation inferred
    with the hints its labels declare (signal, units, ADC bits), for benchmarks that look
    inside the detector (``benchmarks/fit_confidence.py``, ``benchmarks/learned_path.py``).

    ``make_pipe(stream, representation, profile)`` builds the pipeline (called again if a
    later revision of the inference reruns the file); the profile is the one the labels
    name (night if none). Returns the labels, the profile, the final representation and the
    ``detect --json`` document (:func:`~crampdetect.pipeline.offline.detection_result`).
    """
    labels = json.loads(labels_path(csv_path).read_text())
    profile = labels.get("profile", "night")
    declared = {k: labels.get(k) for k in ("signal", "units", "adc_bits")}
    stream, inference, _, (events, quality) = infer_and_run(
        lambda: open_csv(csv_path),
        lambda fs: RepresentationInference(fs, **declared),
        lambda stream, rep: make_pipe(stream, rep, profile),
        lambda blocks: blocks,
    )
    rep = inference.finish()
    result = detection_result(
        stream.fs, stream.channels, rep, stream.duration_s, stream.gaps,
        inference.inferred, inference.info(), profile, events, quality,
    )  # fmt: skip
    return labels, profile, rep, result


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def _union_length(spans: list[tuple[float, float]]) -> float:
    total, end = 0.0, -np.inf
    for a, b in sorted(spans):
        if b <= end:
            continue
        total += b - max(a, end)
        end = b
    return total


@dataclass(frozen=True)
class Scorer:
    """Picklable per-recording scorer (for parallel and Dask runs).

    Parameters
    ----------
    profile : str or None
        Force a detector profile; default: the profile named in each recording's labels.
    overrides : dict
        Detector settings to override (name -> value).
    model : str or None
        Path of a learned gate (see :mod:`crampdetect.detect.model`); None: rules only.
    """

    profile: str | None = None
    overrides: dict[str, float] = field(default_factory=dict)
    model: str | None = None

    def __call__(self, csv_path: str | Path) -> dict[str, Any]:
        model = None
        if self.model is not None:
            model = load_model(self.model)
        if sniff(Path(csv_path)) != "csv":  # EDF+/BDF+ copies, WAV, sessions: their labels
            return self._score_recording(Path(csv_path), model)
        lp = labels_path(csv_path)
        if not lp.exists():
            raise NoLabelsError(f"{Path(csv_path).name}: no labels sidecar {lp.name}")
        labels = read_json(lp, "labels file")
        check_labels(labels, lp.name)
        profile = labelled_profile(labels, Path(csv_path).name, self.profile)
        declared = {k: labels.get(k) for k in ("signal", "units", "adc_bits")}
        # Run as a user would (representation inferred over the whole file); only where
        # that inference misses the labelled representation, score a run with the label.
        inferred_ok: bool | None = None
        try:
            result = detect_file(csv_path, profile=profile, overrides=self.overrides, model=model)
            if declared["signal"] is not None:
                inferred_ok = all(result["input"][k] == v for k, v in declared.items())
        except InputError:  # e.g. a rate impossible for the inferred signal type
            inferred_ok = False
        if inferred_ok is False:
            result = detect_file(
                csv_path, profile=profile, overrides=self.overrides, model=model, **declared
            )
        out = score(result, labels, Path(csv_path).name, profile)
        out["inferred_ok"] = inferred_ok
        return out

    def _score_recording(self, path: Path, model: Any) -> dict[str, Any]:
        """Score a recording of any other format against the labels it carries: a
        ``.labels.json`` beside it, or the label annotations of an EDF+/BDF+ copy written by
        ``crampdetect convert``. Its own representation (an EDF's header) is used; where it
        has none, the one its labels declare, else the inferred one."""
        rec = open_recording(path)
        labels = rec.labels
        if not isinstance(labels, dict):
            raise NoLabelsError(
                f"{path.name}: no labels (no {path.stem}.labels.json beside it, no EDF+ label "
                "annotations)"
            )
        check_labels(labels, path.name)
        profile = labelled_profile(labels, path.name, self.profile)
        rep = rec.representation
        declared = {k: labels.get(k) for k in ("signal", "units", "adc_bits")}
        if rep is None and declared["signal"] and declared["units"]:
            bits = declared["adc_bits"] if declared["units"] == "counts" else None
            rep = Representation(declared["signal"], declared["units"], bits)
        if rep is None:
            rep = resolve_inference(rec)[0]
        gate = None
        if model is not None:
            check_recording(model, rec.fs, rep.signal)
            gate = model.gate(profile)
        settings = profile_settings(profile, rep.signal).replace(**self.overrides)
        result = replay(rec, profile=profile, settings=settings, representation=rep, gate=gate)
        out = score(result, labels, path.name, profile)
        out["inferred_ok"] = None
        return out


class NoLabelsError(InputError):
    """A recording without ground-truth labels: ``evaluate`` skips it (not a failure)."""


def check_labels(labels: object, name: str) -> None:
    """Refuse a labels document :func:`score` cannot read (one line, naming the file)."""
    intervals = labels.get("intervals") if isinstance(labels, dict) else None
    if not isinstance(intervals, list):
        raise InputError(f"{name}: labels without an 'intervals' list")
    for item in intervals:
        ok = isinstance(item, dict) and isinstance(item.get("kind"), str)
        ok = ok and isinstance(item.get("channel"), str)
        if not ok or not all(
            isinstance(item.get(k), int | float) and not isinstance(item.get(k), bool)
            for k in ("start_s", "end_s")
        ):
            raise InputError(
                f"{name}: a labelled interval needs kind, channel, start_s and end_s, "
                f"got {str(item)[:60]}"
            )


def _after_exertion(cramp: dict[str, Any], intervals: list[dict[str, Any]]) -> bool:
    """A cramp that starts during or within ``AFTER_EXERTION_S`` of voluntary effort."""
    return any(
        i["kind"] in EXERTION
        and i["channel"] == cramp["channel"]
        and i["start_s"] < cramp["start_s"] + 0.5
        and i["end_s"] >= cramp["start_s"] - AFTER_EXERTION_S
        for i in intervals
    )


def _true_alerts(
    events: list[dict[str, Any]], cramps: list[dict[str, Any]]
) -> tuple[list[int | None], set[int]]:
    """Match alert ``events`` with labelled ``cramps``: per cramp, the index of its first
    alert (raised from 1 s before its start to its end on its leg; None: missed), and the
    indices of the alerts that are cramps (those, and repeats: alerts after a matched
    alert within the same cramp, up to 2 s past its end, are not false alerts)."""
    matched: set[int] = set()
    first: list[int | None] = []
    for c in cramps:
        hits = [
            k
            for k, e in enumerate(events)
            if e["channel"] == c["channel"]
            and c["start_s"] - 1.0 <= e["alert_s"] <= c["end_s"]
            and k not in matched
        ]
        matched.update(hits)
        first.append(hits[0] if hits else None)
    for k, e in enumerate(events):
        for c in cramps:
            if (
                e["channel"] == c["channel"]
                and c["start_s"] <= e["alert_s"] <= c["end_s"] + REPEAT_S
            ):
                matched.add(k)
    return first, matched


def _end_figures(
    e: dict[str, Any],
    hit: int,
    c: dict[str, Any],
    events: list[dict[str, Any]],
    first: list[int | None],
    duration_s: float,
) -> dict[str, Any]:
    """(event ends, session 16) How the event first matched to an alerted cramp ``c`` ended:
    its end minus the labelled end (s; an event still open at the end of the recording ends
    there), whether it closed more than ``CLOSED_EARLY_S`` early, and the re-alerts: further
    alerts on the leg after it, up to ``REPEAT_S`` past the labelled end, that are no other
    cramp's first alert."""
    end = e.get("end_s")
    end = duration_s if end is None else float(end)
    again = [
        k
        for k, o in enumerate(events)
        if k != hit
        and k not in first
        and o["channel"] == c["channel"]
        and e["alert_s"] < o["alert_s"] <= c["end_s"] + REPEAT_S
    ]
    return {
        "event_end_s": end,
        "end_error_s": end - c["end_s"],
        "closed_early": end < c["end_s"] - CLOSED_EARLY_S,
        "realerts": len(again),
    }


def score(
    result: dict[str, Any], labels: dict[str, Any], name: str, profile: str
) -> dict[str, Any]:
    """Match one ``detect`` result with its labels; returns raw counts and lists.

    Labels are clipped to the data's end (:func:`clip_to_data`): a truncated file is scored
    on the data it holds, its reader's problems passed on as ``problems``."""
    intervals = clip_to_data(labels["intervals"], float(result["input"]["duration_s"]))
    events = [e for e in result["events"] if e["kind"] == "cramp"]
    cramps = [i for i in intervals if i["kind"] == "cramp"]
    first, matched = _true_alerts(events, cramps)
    cramp_rows = []
    for c, hit in zip(cramps, first, strict=True):
        row = {
            "channel": c["channel"],
            "start_s": c["start_s"],
            "duration_s": c["end_s"] - c["start_s"],
            "detected": False,
            "after_exertion": _after_exertion(c, intervals),
            "context": c.get("context"),
            "level": c.get("level"),
            "recurrence": c.get("recurrence"),
            "cut_by_end": bool(c.get("cut_by_end")),
        }
        if hit is not None:
            e = events[hit]
            row.update(
                detected=True,
                latency_s=e["alert_s"] - c["start_s"],
                onset_error_s=e["onset_s"] - c["start_s"],
                # latency (session 15): the path that alerted it (aggregate's by_path)
                path=(e.get("detail") or {}).get("path"),
            )
            row.update(_end_figures(e, hit, c, events, first, float(result["input"]["duration_s"])))
        cramp_rows.append(row)
    false_alerts = []
    for k, e in enumerate(events):
        if k in matched:
            continue
        where = "rest"
        for kind in ACTIVITIES:
            if any(
                i["kind"] == kind
                and i["channel"] == e["channel"]
                and i["start_s"] - 2.0 <= e["alert_s"] <= i["end_s"] + 5.0
                for i in intervals
            ):
                where = kind
                break
        false_alerts.append(
            {
                "alert_s": e["alert_s"],
                "channel": e["channel"],
                "activity": where,
                "path": (e.get("detail") or {}).get("path"),
                "confidence": e.get("confidence"),
            }
        )
    # Every alert raised, with its confidence and whether it is a cramp (repeats included).
    alerts = [
        {"confidence": e.get("confidence"), "true": k in matched} for k, e in enumerate(events)
    ]
    # The model's ranking, whatever the gate (`min_confidence`) let through: every alert and
    # possible cramp together, each judged as if it were an alert.
    rated_events = [e for e in result["events"] if e["kind"] in RATED_KINDS]
    rated_true = _true_alerts(rated_events, cramps)[1]
    rated = [
        {"confidence": e.get("confidence"), "true": k in rated_true, "kind": e["kind"]}
        for k, e in enumerate(rated_events)
    ]
    holds = [i for i in intervals if i["kind"] == "voluntary_hold"]
    holds_alerted = sum(
        any(
            fa["channel"] == h["channel"] and h["start_s"] <= fa["alert_s"] <= h["end_s"] + 5.0
            for fa in false_alerts
        )
        for h in holds
    )
    duration = float(result["input"]["duration_s"])
    channels = result["input"]["channels"]
    lead_rows, clean_s, wrong_s = [], 0.0, 0.0
    flags = [q for q in result["quality"] if q["issue"] != "gap"]
    for ch in channels:
        bad = [
            (i["start_s"], i["end_s"])
            for i in intervals
            if i["channel"] == ch and i["kind"] in QUALITY_LABELS
        ]
        mine = [(q["start_s"], q["end_s"]) for q in flags if q["channel"] == ch]
        for i in intervals:
            if i["channel"] == ch and i["kind"] == "lead_off":
                cov = _union_length(
                    [
                        (max(a, i["start_s"]), min(b, i["end_s"]))
                        for a, b in mine
                        if b > i["start_s"] and a < i["end_s"]
                    ]
                )
                lead_rows.append(cov / max(i["end_s"] - i["start_s"], 1e-9))
        padded = [(a - FLAG_TOLERANCE_S, b + FLAG_TOLERANCE_S) for a, b in bad]
        clean_s += duration - _union_length([(max(a, 0), min(b, duration)) for a, b in padded])
        outside = []
        for a, b in mine:
            pieces = [(a, b)]
            for pa, pb in padded:
                pieces = [
                    seg
                    for x0, x1 in pieces
                    for seg in ((x0, min(x1, pa)), (max(x0, pb), x1))
                    if seg[1] > seg[0]
                ]
            outside.extend(pieces)
        wrong_s += _union_length(outside)
    warnings, prodromes = _score_warnings(result, intervals, cramps, cramp_rows)
    rep = result["input"]
    rep_key = rep["signal"] + "-" + rep["units"] + (f"{rep['adc_bits']}" if rep["adc_bits"] else "")
    return {
        "name": name,
        "profile": profile,
        "representation": rep_key,
        "sample_rate_hz": rep["sample_rate_hz"],
        "duration_s": duration,
        "cramps": cramp_rows,
        "false_alerts": false_alerts,
        "alerts": alerts,
        "rated": rated,
        "holds": len(holds),
        "holds_alerted": int(holds_alerted),
        "lead_off_coverage": lead_rows,
        "clean_s": clean_s,
        "wrongly_flagged_s": wrong_s,
        "warnings": warnings,
        "prodromes": prodromes,
        "problems": list(result["input"].get("problems") or []),
    }


def clip_to_data(intervals: list[dict[str, Any]], duration_s: float) -> list[dict[str, Any]]:
    """The labelled intervals as far as the data goes: those starting at or after its end
    dropped, those running past it ending there (``cut_by_end``). A truncated file (an EDF
    cut short) is scored on what it holds: a cramp cut by the end is not "closed early"."""
    out = []
    for i in intervals:
        if i["start_s"] >= duration_s:
            continue
        if i["end_s"] > duration_s:
            i = {**i, "end_s": duration_s, "cut_by_end": True}
        out.append(i)
    return out


def _score_warnings(
    result: dict[str, Any],
    intervals: list[dict[str, Any]],
    cramps: list[dict[str, Any]],
    cramp_rows: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Early warnings against the labels (docs/detection.md, "Evaluate").

    A warning is *followed* when a cramp on its leg starts from ``WARN_LATE_S`` before its
    alert to ``WARN_FOLLOW_S`` after it (its lead: onset - alert); any other is false. A
    labelled prodrome is *warned* when a warning on its leg is raised within it (lead: the
    cramp's onset, the prodrome's end, minus the first such alert). A cramp is *warned* when
    a warning on its leg was raised up to ``WARN_FOLLOW_S`` before its onset (``warned_lead_s``
    on its row).
    """
    warnings = []
    for w in result["events"]:
        if w["kind"] != "early_warning":
            continue
        nxt = [
            c["start_s"]
            for c in cramps
            if c["channel"] == w["channel"]
            and w["alert_s"] - WARN_LATE_S <= c["start_s"] <= w["alert_s"] + WARN_FOLLOW_S
        ]
        during = any(
            c["channel"] == w["channel"] and c["start_s"] <= w["alert_s"] <= c["end_s"]
            for c in cramps
        )
        warnings.append(
            {
                "channel": w["channel"],
                "alert_s": w["alert_s"],
                "followed": bool(nxt),
                "lead_s": (min(nxt) - w["alert_s"]) if nxt else None,
                "during_cramp": during,
            }
        )
    for c, row in zip(cramps, cramp_rows, strict=True):
        ahead = [
            c["start_s"] - w["alert_s"]
            for w in warnings
            if w["channel"] == c["channel"]
            and c["start_s"] - WARN_FOLLOW_S <= w["alert_s"] < c["start_s"]
        ]
        row["warned_lead_s"] = max(ahead) if ahead else None
    prodromes = []
    for p in (i for i in intervals if i["kind"] == "prodrome"):
        ahead = [
            p["end_s"] - w["alert_s"]
            for w in warnings
            if w["channel"] == p["channel"] and p["start_s"] <= w["alert_s"] <= p["end_s"]
        ]
        prodromes.append(
            {
                "channel": p["channel"],
                "start_s": p["start_s"],
                "duration_s": p["end_s"] - p["start_s"],
                "warned": bool(ahead),
                "lead_s": max(ahead) if ahead else None,
            }
        )
    return warnings, prodromes


def aggregate(scores: list[dict[str, Any]]) -> dict[str, Any]:
    """Fold per-recording scores into the target figures (overall and per group)."""

    def fold(rows: list[dict[str, Any]]) -> dict[str, Any]:
        cr = [c for r in rows for c in r["cramps"]]
        det = [c for c in cr if c["detected"]]
        lat = np.array([c["latency_s"] for c in det])
        err = np.abs([c["onset_error_s"] for c in det])
        hours = sum(r["duration_s"] for r in rows) / 3600.0
        fas = [f for r in rows for f in r["false_alerts"]]
        by_act: dict[str, int] = {}
        for f in fas:
            by_act[f["activity"]] = by_act.get(f["activity"], 0) + 1
        holds = sum(r["holds"] for r in rows)
        lead = [v for r in rows for v in r["lead_off_coverage"]]
        clean = sum(r["clean_s"] for r in rows)
        warns = [w for r in rows for w in r.get("warnings", [])]
        leads = np.array([w["lead_s"] for w in warns if w["followed"]])
        prods = [p for r in rows for p in r.get("prodromes", [])]
        prod_leads = np.array([p["lead_s"] for p in prods if p["warned"]])
        night = [r for r in rows if r["profile"] == "night"]
        night_h = sum(r["duration_s"] for r in night) / 3600.0
        night_cr = [c for r in night for c in r["cramps"]]
        false_night = sum(not w["followed"] for r in night for w in r.get("warnings", []))

        def q(a, p):
            return None if a.size == 0 else round(float(np.percentile(a, p)), 3)

        exert = [c for c in cr if c.get("after_exertion")]
        lat_ex = np.array([c["latency_s"] for c in exert if c["detected"]])
        contexts: dict[str, dict[str, Any]] = {}
        for ctx in sorted({str(c["context"]) for c in cr if c.get("context")}):
            sub = [c for c in cr if c.get("context") == ctx]
            sub_lat = np.array([c["latency_s"] for c in sub if c["detected"]])
            contexts[ctx] = {
                "cramps": len(sub),
                "within_10s": round(float(np.sum(sub_lat <= ALERT_WINDOW_S)) / len(sub), 4),
                "latency_median_s": q(sub_lat, 50),
            }
        # latency (session 15): which path alerted the cramps, and how late (s)
        by_path: dict[str, dict[str, Any]] = {}
        for path in sorted({str(c.get("path")) for c in det}):
            p_lat = np.array([c["latency_s"] for c in det if str(c.get("path")) == path])
            by_path[path] = {
                "cramps": int(p_lat.size),
                "latency_median_s": q(p_lat, 50),
                "latency_p90_s": q(p_lat, 90),
            }
        inferred = [r["inferred_ok"] for r in rows if r.get("inferred_ok") is not None]
        # event ends (session 16): the first event of each alerted cramp against its labelled end
        end_err = np.array([c["end_error_s"] for c in det if c.get("end_error_s") is not None])
        early = sum(bool(c.get("closed_early")) for c in det)
        again = sum(int(c.get("realerts", 0)) for c in det)
        return {
            "recordings": len(rows),
            "hours": round(hours, 3),
            "cramps": len(cr),
            "detected": len(det),
            "sensitivity": None if not cr else round(len(det) / len(cr), 4),
            "within_10s": None
            if not cr
            else round(float(np.sum(lat <= ALERT_WINDOW_S)) / len(cr), 4),
            "latency_median_s": q(lat, 50),
            "latency_p90_s": q(lat, 90),
            "latency_max_s": None if lat.size == 0 else round(float(lat.max()), 3),
            "cramps_after_exertion": len(exert),
            "within_10s_after_exertion": None
            if not exert
            else round(float(np.sum(lat_ex <= ALERT_WINDOW_S)) / len(exert), 4),
            "latency_after_exertion_median_s": q(lat_ex, 50),
            "latency_after_exertion_p90_s": q(lat_ex, 90),
            "by_context": contexts,
            "by_path": by_path,
            "onset_error_median_s": q(err, 50),
            "onset_error_p90_s": q(err, 90),
            "onset_within_0_5s": None if err.size == 0 else round(float(np.mean(err <= 0.5)), 4),
            "end_error_median_s": q(np.abs(end_err), 50),
            "end_error_p90_s": q(np.abs(end_err), 90),
            "end_error_signed_median_s": q(end_err, 50),
            "closed_early": early,
            "closed_early_share": None if end_err.size == 0 else round(early / end_err.size, 4),
            "realerts": again,
            "realerts_per_cramp": None if not det else round(again / len(det), 4),
            **confidence_figures([a for r in rows for a in r.get("alerts", [])]),
            **ranking_figures([a for r in rows for a in r.get("rated", [])]),
            "representation_misinferred": None if not inferred else sum(not ok for ok in inferred),
            "false_alerts": len(fas),
            "false_alerts_per_hour": None if hours == 0 else round(len(fas) / hours, 4),
            "false_alerts_by_activity": dict(sorted(by_act.items())),
            "holds": holds,
            "holds_alerted_share": None
            if holds == 0
            else round(sum(r["holds_alerted"] for r in rows) / holds, 4),
            "lead_offs": len(lead),
            "lead_offs_flagged_share": None
            if not lead
            else round(float(np.mean(np.array(lead) >= 0.5)), 4),
            "early_warnings": len(warns),
            "early_warnings_followed_share": None
            if not warns
            else round(sum(w["followed"] for w in warns) / len(warns), 4),
            "early_warnings_during_cramp": sum(w.get("during_cramp", False) for w in warns),
            "cramps_warned_share": None
            if not night_cr
            else round(
                sum(c.get("warned_lead_s") is not None for c in night_cr) / len(night_cr), 4
            ),
            "early_warning_lead_median_s": q(leads, 50),
            "early_warning_lead_p10_s": q(leads, 10),
            "prodromes": len(prods),
            "prodromes_warned_share": None if not prods else round(prod_leads.size / len(prods), 4),
            "prodromes_warned_10s_share": None
            if not prods
            else round(float(np.sum(prod_leads >= WARN_AHEAD_S)) / len(prods), 4),
            "prodrome_warning_lead_median_s": q(prod_leads, 50),
            "prodrome_warning_lead_p10_s": q(prod_leads, 10),
            "false_early_warnings_per_hour": None
            if night_h == 0
            else round(false_night / night_h, 4),
            "clean_time_flagged_share": None
            if clean == 0
            else round(sum(r["wrongly_flagged_s"] for r in rows) / clean, 5),
        }

    out: dict[str, Any] = {"overall": fold(scores), "by_profile": {}, "by_representation": {}}
    for key, dest in (("profile", "by_profile"), ("representation", "by_representation")):
        for val in sorted({r[key] for r in scores}):
            out[dest][val] = fold([r for r in scores if r[key] == val])
    return out


def cases(scores: list[dict[str, Any]], late_s: float = ALERT_WINDOW_S) -> list[dict[str, Any]]:
    """The cases behind the figures, from :func:`score` rows: every cramp missed or alerted
    more than ``late_s`` (s) after its labelled onset, and every false alert.

    Each case names its recording, channel and time (s): the onset of a missed cramp, the
    alert otherwise; cramps add their latency (s) and labels (context, level, recurrence,
    after exertion), false alerts the labelled activity, alert path and confidence.
    """
    out = []
    for r in scores:
        where = {
            "recording": r["name"],
            "profile": r["profile"],
            "representation": r["representation"],
        }
        for c in r["cramps"]:
            late = c["detected"] and c["latency_s"] > late_s
            if c["detected"] and not late:
                continue
            out.append(
                {
                    "case": "late" if late else "missed",
                    **where,
                    "channel": c.get("channel"),
                    "time_s": round(c["start_s"] + (c["latency_s"] if late else 0.0), 3),
                    "onset_s": round(c["start_s"], 3),
                    "latency_s": round(c["latency_s"], 3) if late else None,
                    "duration_s": round(c["duration_s"], 3),
                    "context": c.get("context"),
                    "after_exertion": c.get("after_exertion"),
                    "level": c.get("level"),
                    "recurrence": c.get("recurrence"),
                }
            )
        for f in r["false_alerts"]:
            out.append(
                {
                    "case": "false_alert",
                    **where,
                    "channel": f["channel"],
                    "time_s": round(f["alert_s"], 3),
                    "activity": f["activity"],
                    "path": f.get("path"),
                    "confidence": f.get("confidence"),
                }
            )
    return out


def format_case(case: dict[str, Any]) -> str:
    """One line of :func:`cases`: what, where (recording, channel, time s) and its labels."""
    head = f"{case['case']:<11} {case['recording']} {case['channel']} {case['time_s']:.1f} s"
    if case["case"] == "false_alert":
        conf = case.get("confidence")
        conf = "-" if conf is None else f"{conf:.2f}"
        body = f"in {case['activity']}, path {case.get('path') or '-'}, confidence {conf}"
    else:
        late = case.get("latency_s")
        body = f"onset {case['onset_s']:.1f} s, " + (
            f"latency {late:.1f} s" if late is not None else "no alert"
        )
        body += f", lasts {case['duration_s']:.0f} s, context {case.get('context') or '-'}"
        if case.get("after_exertion"):
            body += " (after exertion)"
        if case.get("level") is not None:
            body += f", level {case['level']:.2f}"
        if case.get("recurrence"):
            body += ", recurrence"
    where = f"{case['profile']} {case['representation']}"
    if "set" in case:
        where = f"{case['set']} seed {case['seed']}, " + where
    return f"{head}: {body}; {where}"


def confidence_figures(alerts: list[dict[str, Any]]) -> dict[str, Any]:
    """How the confidence of every alert raised ranks and is calibrated (true = a cramp).

    ``confidence_auc``: ROC AUC of the confidence for true against false alerts (None
    unless both occur); ``brier``: mean squared difference between the confidence and
    the outcome; ``reliability``: per confidence bin, alerts, mean confidence and the
    share that were cramps.
    """
    from sklearn.metrics import brier_score_loss, roc_auc_score  # lazy: sklearn is heavy

    rated = [a for a in alerts if a.get("confidence") is not None]
    if not rated:
        return {"alerts": len(alerts), "confidence_auc": None, "brier": None, "reliability": []}
    conf = np.clip(np.array([float(a["confidence"]) for a in rated]), 0.0, 1.0)
    truth = np.array([bool(a["true"]) for a in rated])
    auc = roc_auc_score(truth, conf) if 0 < truth.sum() < truth.size else None
    edges = np.asarray(RELIABILITY_EDGES)
    which = np.clip(np.searchsorted(edges, conf, side="right") - 1, 0, edges.size - 2)
    table = []
    for b in range(edges.size - 1):
        sel = which == b
        if sel.any():
            table.append(
                {
                    "bin": f"{edges[b]:.2f}-{edges[b + 1]:.2f}",
                    "alerts": int(sel.sum()),
                    "mean_confidence": round(float(conf[sel].mean()), 3),
                    "true_share": round(float(truth[sel].mean()), 3),
                }
            )
    return {
        "alerts": len(alerts),
        "confidence_auc": None if auc is None else round(float(auc), 4),
        "brier": round(float(brier_score_loss(truth, conf)), 4),
        "reliability": table,
    }


def ranking_figures(rated: list[dict[str, Any]]) -> dict[str, Any]:
    """How the confidence model ranks every contraction it rated, whether the gate
    (``min_confidence``) made it an alert or a possible cramp (true = on a cramp, repeats
    included, as for alerts).

    ``possible_cramps``: how many possible cramps; ``confidence_auc_all``: ROC AUC of the
    confidence over alerts and possible cramps together (None unless both outcomes occur).
    ``confidence_auc`` (:func:`confidence_figures`, the issue's figure) is over the alerts
    raised only: a gate that turns low-rated false alerts into possible cramps removes the
    easiest negatives from it and lowers it, while this one is unaffected by the gate.
    """
    from sklearn.metrics import roc_auc_score  # lazy: sklearn is heavy

    rows = [a for a in rated if a.get("confidence") is not None]
    conf = np.clip(np.array([float(a["confidence"]) for a in rows]), 0.0, 1.0)
    truth = np.array([bool(a["true"]) for a in rows], dtype=bool)
    auc = roc_auc_score(truth, conf) if 0 < truth.sum() < truth.size else None
    return {
        "possible_cramps": sum(a.get("kind") == "possible_cramp" for a in rated),
        "confidence_auc_all": None if auc is None else round(float(auc), 4),
    }


def find_recordings(directory: str | Path) -> list[Path]:
    """Labelled CSV recordings in a directory (those with a ``.labels.json`` sidecar)."""
    d = Path(directory)
    if not d.is_dir():
        raise InputError(f"{d}: not a directory")
    found = sorted(p for p in d.glob("*.csv") if labels_path(p).exists())
    if not found:
        raise InputError(f"{d}: no labelled recordings (*.csv with a .labels.json sidecar)")
    return found
