"""Detection figures over several seeds of both evaluation sets, as mean and spread.

The seeds are declared here and nowhere else: :data:`TUNING_SEEDS` may be used to tune the
detector (thresholds, the learned gate); :data:`VALIDATION_SEEDS` were the held-out seeds until
a rule was chosen by looking at them (December 2026), so they now only check a change;
:data:`HELD_OUT_SEEDS` are never used for tuning or choosing, and published figures come
from them. :data:`FIT_SEEDS` only add fitting data for learned models (the alert
confidence) and are never reported. Each (set, seed) pair is generated once into a cache directory
(``make_evaluation_set``), scored with :class:`~crampdetect.evaluate.score.Scorer`, and
the per-seed figures are folded into mean, standard deviation, minimum and maximum.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from crampdetect.core import InputError, Representation
from crampdetect.evaluate.score import aggregate, find_recordings
from crampdetect.pipeline.bulk import map_recordings
from crampdetect.simulate import SceneOptions, make_evaluation_set, simulate
from crampdetect.simulate.evalset import plan_evaluation_set

log = logging.getLogger(__name__)

#: Seeds the detector may be tuned on.
TUNING_SEEDS: tuple[int, ...] = (0, 1, 2)
#: Seeds used to check (and so, indirectly, to choose) changes: no longer a clean hold-out.
VALIDATION_SEEDS: tuple[int, ...] = (100, 101, 102)
#: Seeds that only add fitting data for learned models (with the tuning seeds; the alert
#: confidence): never used to report or choose anything.
FIT_SEEDS: tuple[int, ...] = (10, 11, 12, 13, 14)
#: Seeds never used for tuning or choosing: the published figures.
HELD_OUT_SEEDS: tuple[int, ...] = (103, 104, 105)
#: The two evaluation sets: the simulator the detector was developed on, and its stress variant.
SETS: tuple[str, ...] = ("standard", "stress")
#: Every set that can be scored: also ``independent``, a generator written from the domain
#: notes alone, without reading the simulator or the detector
#: (:mod:`crampdetect.evaluate.independent`).
ALL_SETS: tuple[str, ...] = (*SETS, "independent")
#: Hours per seed of each set (one seed's set scores in about a minute on one core).
SET_HOURS: dict[str, float] = {"standard": 10.0, "stress": 8.0, "independent": 8.0}
#: Where generated sets are kept between runs.
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "crampdetect-evalsets"


def parse_seeds(text: str) -> tuple[str, tuple[int, ...]]:
    """``held-out``, ``tuning``, ``validation``, ``fit`` or explicit seeds (``0,1,2`` or
    ``100-104``) -> (role, seeds)."""
    text = text.strip()
    if text == "held-out":
        return "held-out", HELD_OUT_SEEDS
    if text == "tuning":
        return "tuning", TUNING_SEEDS
    if text == "validation":
        return "validation", VALIDATION_SEEDS
    if text == "fit":
        return "fit", FIT_SEEDS
    seeds: list[int] = []
    try:
        for part in text.split(","):
            lo, _, hi = part.partition("-")
            seeds += range(int(lo), int(hi or lo) + 1)
    except ValueError:
        raise InputError(
            f"Invalid seeds {text!r}: use held-out, tuning, validation, fit, "
            "or numbers like 0,1,2 or 100-104"
        ) from None
    if not seeds or min(seeds) < 0:
        raise InputError(f"Invalid seeds {text!r}: need non-negative integers")
    used = sorted(set(seeds))
    if set(used) <= set(HELD_OUT_SEEDS):
        role = "held-out"
    elif set(used) <= set(TUNING_SEEDS):
        role = "tuning"
    elif set(used) <= set(VALIDATION_SEEDS):
        role = "validation"
    elif set(used) <= set(FIT_SEEDS):
        role = "fit"
    elif set(used) & set(TUNING_SEEDS):
        role = "mixed (includes tuning seeds)"
    else:
        role = "other"
    return role, tuple(used)


def set_fingerprint(variant: str, seed: int, hours: float) -> str:
    """Short hash of what the simulator would write: its plan, and per scenario the labels and
    first samples of its first file. A changed simulator never reuses a stale cached set."""
    jobs = plan_evaluation_set(hours, seed, variant)
    h = hashlib.sha1(json.dumps(jobs, sort_keys=True).encode())
    for job in {str(j["scenario"]): j for j in reversed(jobs)}.values():
        rep = Representation(str(job["signal"]), str(job["units"]), job["adc_bits"])  # type: ignore[arg-type]
        session = simulate(str(job["scenario"]), seed=int(job["seed"]),  # type: ignore[arg-type]
                           duration_s=min(float(job["duration_s"]), 4.0),  # type: ignore[arg-type]
                           fs=float(job["fs"]), representation=rep,  # type: ignore[arg-type]
                           options=SceneOptions(**job["options"]),  # type: ignore[arg-type]
                           variant=variant)  # fmt: skip
        h.update(json.dumps(session.planned_labels, sort_keys=True, default=str).encode())
        for _, x in session.iter_chunks(4.0):
            h.update(x.tobytes())
    return h.hexdigest()[:8]


def set_directory(cache: Path, variant: str, seed: int, hours: float) -> Path:
    """Cache folder of one generated set (named by set, seed, hours and content fingerprint)."""
    if variant == "independent":  # fingerprint: the generator's own source
        from crampdetect.evaluate import independent  # lazy: scipy.signal, only for this set

        src = Path(independent.__file__).read_bytes()
        return Path(cache) / f"{variant}-seed{seed}-{hours:g}h-{hashlib.sha1(src).hexdigest()[:8]}"
    return Path(cache) / f"{variant}-seed{seed}-{hours:g}h-{set_fingerprint(variant, seed, hours)}"


def _complete(d: Path) -> bool:
    """Whether ``d`` holds a generated set: its manifest and every file it lists."""
    manifest = d / "manifest.json"
    if not manifest.exists():
        return False
    try:
        doc = json.loads(manifest.read_text())
    except (OSError, ValueError):
        return False
    return all((d / f).exists() for f in doc.get("files", []))


def ensure_set(
    variant: str, seed: int, hours: float, cache: Path, n_jobs: int | None = None
) -> Path:
    """The folder of a generated evaluation set, generating it first if needed.

    A set is written into a private ``<name>.part-*`` folder beside its final place and moved
    there in one rename once complete, so a run started in parallel (another evaluation, a
    benchmark) never reads a recording while it is being written: it either finds the whole
    set or generates its own copy, and the first copy to land is kept.
    """
    d = set_directory(cache, variant, seed, hours)
    if _complete(d):
        return d
    d.parent.mkdir(parents=True, exist_ok=True)
    part = Path(tempfile.mkdtemp(prefix=f"{d.name}.part-", dir=d.parent))
    log.info("generating the %s set, seed %d, %g h in %s", variant, seed, hours, d)
    try:
        if variant == "independent":
            from crampdetect.evaluate.independent import write_set  # lazy: as in set_directory

            files = [p.name for p in write_set(part, seed, hours)]
            doc = {"format": "crampdetect-evalset/1", "seed": seed, "variant": variant,
                   "files": files}  # fmt: skip
            (part / "manifest.json").write_text(json.dumps(doc, indent=1) + "\n")
        else:
            make_evaluation_set(part, hours=hours, seed=seed, n_jobs=n_jobs, variant=variant)
        if d.exists() and not _complete(d):
            shutil.rmtree(d, ignore_errors=True)  # an interrupted older run's leftovers
        try:
            part.rename(d)  # atomic; fails if another run's copy landed first
        except OSError:
            if not _complete(d):
                raise
    finally:
        shutil.rmtree(part, ignore_errors=True)
    return d


def set_recordings(directory: Path) -> list[Path]:
    """The recordings a set's manifest lists (or every labelled CSV in the folder)."""
    manifest = Path(directory) / "manifest.json"
    if manifest.exists():
        return [Path(directory) / f for f in json.loads(manifest.read_text())["files"]]
    return find_recordings(directory)


def set_variant(directory: Path) -> str:
    """``standard`` or ``stress``, from the set's manifest (default ``standard``)."""
    manifest = Path(directory) / "manifest.json"
    if manifest.exists():
        return str(json.loads(manifest.read_text()).get("variant", "standard"))
    return "standard"


def score_sets(
    directories: dict[tuple[str, int], Path],
    scorer: Any,
    *,
    n_workers: int | None = None,
    dask_address: str | None = None,
    progress: bool = False,
) -> dict[tuple[str, int], list[dict[str, Any]]]:
    """Score every recording of every set in one parallel pass; per-recording scores by set."""
    items = [(key, str(p)) for key, d in directories.items() for p in set_recordings(d)]
    scores = map_recordings(
        scorer,
        [p for _, p in items],
        dask_address=dask_address,
        n_workers=n_workers,
        progress=progress,
        desc="evaluate",
    )
    out: dict[tuple[str, int], list[dict[str, Any]]] = {key: [] for key in directories}
    for (key, _), s in zip(items, scores, strict=True):
        out[key].append(s)
    return out


def _numbers(agg: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Numeric figures of one aggregate, by group name (``overall``, ``night``, ``raw-uV``...)."""
    groups = {"overall": agg["overall"], **agg["by_profile"], **agg["by_representation"]}
    out: dict[str, dict[str, float]] = {}
    for name, figs in groups.items():
        out[name] = {
            k: float(v)
            for k, v in figs.items()
            if isinstance(v, int | float) and not isinstance(v, bool)
        }
    return out


def spread(aggregates: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """Mean, sample sd, min and max of every numeric figure over per-seed aggregates.

    A figure missing in some seeds (no cramps of a representation, say) is folded over the
    seeds that have it; ``n`` says how many.
    """
    per = [_numbers(a) for a in aggregates]
    order = {"overall": 0, "night": 1, "training": 2}
    groups = sorted({g for p in per for g in p}, key=lambda g: (order.get(g, 3), g))
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for g in groups:
        figures = sorted({f for p in per for f in p.get(g, {})})
        out[g] = {}
        for f in figures:
            vals = np.array([p[g][f] for p in per if f in p.get(g, {})])
            out[g][f] = {
                "mean": round(float(vals.mean()), 4),
                "sd": round(float(vals.std(ddof=1)), 4) if vals.size > 1 else 0.0,
                "min": round(float(vals.min()), 4),
                "max": round(float(vals.max()), 4),
                "n": int(vals.size),
            }
    return out


def evaluate_sets(
    sets: tuple[str, ...] | list[str],
    seeds: tuple[int, ...],
    scorer: Any,
    *,
    hours: dict[str, float] | None = None,
    cache: Path = DEFAULT_CACHE,
    n_workers: int | None = None,
    dask_address: str | None = None,
    progress: bool = False,
    recordings: bool = False,
) -> dict[str, Any]:
    """Generate (if needed) and score each set at each seed; figures per seed and their spread.

    Returns ``{"seeds": [...], "hours": {...}, "sets": {variant: {"per_seed": {seed:
    aggregate}, "spread": spread, "pooled": aggregate over all seeds' recordings}}}``;
    with ``recordings``, each set also holds ``"recordings": {seed: [per-recording score]}``;
    ``"folders"``: the cache folder of each set, by ``<set>/<seed>`` (what was scored).
    """
    for v in sets:
        if v not in ALL_SETS:
            raise InputError(f"Invalid set {v!r}: must be one of {', '.join(ALL_SETS)}")
    hours = {**SET_HOURS, **(hours or {})}
    dirs = {
        (v, s): ensure_set(v, s, hours[v], Path(cache), n_jobs=n_workers)
        for v in sets
        for s in seeds
    }
    result = fold_sets(
        score_sets(dirs, scorer, n_workers=n_workers, dask_address=dask_address,
                   progress=progress),
        seeds, {v: hours[v] for v in sets}, recordings=recordings,
    )  # fmt: skip
    result["folders"] = {f"{v}/{s}": d.name for (v, s), d in dirs.items()}
    return result


def fold_sets(
    scores: dict[tuple[str, int], list[dict[str, Any]]],
    seeds: tuple[int, ...] | list[int],
    hours: dict[str, float] | None = None,
    recordings: bool = False,
) -> dict[str, Any]:
    """Fold per-recording scores keyed by (set, seed) into per-seed figures and their spread
    (and keep the scores, by seed, under ``"recordings"`` if asked)."""
    out: dict[str, Any] = {"seeds": list(seeds), "hours": hours or {}, "sets": {}}
    for v in dict.fromkeys(k[0] for k in scores):
        per_seed = {s: aggregate(scores[(v, s)]) for s in seeds if (v, s) in scores}
        pooled = aggregate([r for s in seeds for r in scores.get((v, s), [])])
        out["sets"][v] = {
            "per_seed": per_seed,
            "spread": spread(list(per_seed.values())),
            "pooled": pooled,
        }
        if recordings:
            out["sets"][v]["recordings"] = {s: scores[(v, s)] for s in seeds if (v, s) in scores}
    return out


def cell(stat: dict[str, Any] | None, pct: bool = False, digits: int = 2) -> str:
    """``mean±sd`` of one figure (percent if ``pct``), ``-`` when absent."""
    if not stat or stat.get("mean") is None or math.isnan(stat["mean"]):
        return "-"
    k = 100.0 if pct else 1.0
    if stat["n"] < 2:
        return f"{k * stat['mean']:.{digits}f}"
    return f"{k * stat['mean']:.{digits}f}±{k * stat['sd']:.{digits}f}"


#: (figure, short name, as percent, digits) of the per-set summary table.
SUMMARY_FIGURES: tuple[tuple[str, str, bool, int], ...] = (
    ("hours", "hours", False, 1),
    ("cramps", "cramps", False, 0),
    ("sensitivity", "sensitivity", False, 2),
    ("within_10s", "alerted <=10 s", False, 2),
    ("latency_median_s", "latency p50 s", False, 1),
    ("latency_p90_s", "latency p90 s", False, 1),
    ("cramps_after_exertion", "after exertion n", False, 0),
    ("within_10s_after_exertion", "after exertion <=10 s", False, 2),
    ("latency_after_exertion_median_s", "after exertion p50 s", False, 1),
    ("latency_after_exertion_p90_s", "after exertion p90 s", False, 1),
    ("onset_error_median_s", "onset error p50 s", False, 2),
    ("onset_error_p90_s", "onset error p90 s", False, 2),
    # Event ends (session 16): the first event of each alerted cramp against its labelled end.
    ("end_error_median_s", "end error p50 s", False, 1),
    ("end_error_p90_s", "end error p90 s", False, 1),
    ("end_error_signed_median_s", "end signed p50 s", False, 1),
    ("closed_early_share", "closed > 5 s early %", True, 1),
    ("realerts_per_cramp", "re-alerts /cramp", False, 2),
    ("false_alerts_per_hour", "false alerts /h", False, 2),
    ("holds_alerted_share", "holds alerted %", True, 1),
    ("confidence_auc", "confidence AUC", False, 2),
    ("brier", "Brier", False, 3),
    # The model's ranking, also over the possible cramps the gate made of low-rated alerts.
    ("confidence_auc_all", "AUC with possible", False, 2),
    ("possible_cramps", "possible cramps", False, 1),
    ("representation_misinferred", "repr. misinferred", False, 1),
    # Night early warnings (never alerts; docs/detection.md, "Evaluate").
    ("prodromes_warned_share", "prodromes warned %", True, 0),
    ("prodromes_warned_10s_share", "warned >=10 s ahead %", True, 0),
    ("cramps_warned_share", "cramps warned %", True, 0),
    ("early_warning_lead_median_s", "warning lead p50 s", False, 1),
    ("early_warning_lead_p10_s", "warning lead p10 s", False, 1),
    ("false_early_warnings_per_hour", "false warnings /h", False, 2),
)


def format_spread(result: dict[str, Any], role: str = "") -> str:
    """Plain-text tables: per set, figures (rows) by group (columns), as mean±sd over seeds."""
    seeds = ", ".join(str(s) for s in result["seeds"])
    lines = [f"seeds: {seeds}" + (f" ({role})" if role else "")]
    for variant, body in result["sets"].items():
        sp = body["spread"]
        groups = list(sp)
        hours = result.get("hours", {}).get(variant)
        lines += ["", f"set {variant}" + (f", {hours:g} h per seed" if hours else "")]
        width = max(len(g) for g in groups) + 2
        lines.append(f"{'figure':<22}" + "".join(f"{g:>{max(width, 13)}}" for g in groups))
        for key, name, pct, digits in SUMMARY_FIGURES:
            row = f"{name:<22}"
            for g in groups:
                row += f"{cell(sp[g].get(key), pct, digits):>{max(width, 13)}}"
            lines.append(row)
    return "\n".join(lines)
