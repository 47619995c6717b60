"""Score the detector on labelled recordings: sensitivity, latency, false alerts, quality.

Without a directory, both evaluation sets (standard and stress; ``--sets`` also takes
``independent``, a generator written apart from the simulator) are generated for the
held-out seeds (see :mod:`crampdetect.evaluate.multiseed`) and every figure is reported as
mean and spread over the seeds, per profile and per representation.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from crampdetect.cli._args import add_model_argument, add_recursive_argument, refuse_ignored
from crampdetect.core import PROFILES, InputError
from crampdetect.provenance import Background, folder_input, generated_input, provenance
from crampdetect.text import plural


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "directory",
        nargs="*",
        help="folder of labelled recordings (CSV or WAV with a .labels.json sidecar, EDF+/BDF+ "
        "with label annotations, as `convert` writes them), or one such recording; several "
        "folders: evaluation sets; none: "
        "generate and score both evaluation sets at several seeds",
    )
    add_recursive_argument(p)
    p.add_argument(
        "--seeds",
        default="held-out",
        help="held-out (default), validation, tuning, fit (seeds for fitting models only), "
        "or seeds like 0,1,2 or 100-104 (no directory)",
    )
    p.add_argument(
        "--sets",
        default="standard,stress",
        help="evaluation sets to score (no directory): standard, stress, independent",
    )
    p.add_argument("--cache", help="where generated sets are kept (default: a temp folder)")
    p.add_argument("--standard-hours", type=float, help="hours per seed of the standard set")
    p.add_argument("--stress-hours", type=float, help="hours per seed of the stress set")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--profile", choices=PROFILES, help="force a profile (default: from labels)")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a detector setting (repeatable)",
    )
    add_model_argument(p)
    p.add_argument("--workers", type=int, help="local worker processes (default: all cores)")
    p.add_argument("--dask", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://host:8786")
    p.add_argument(
        "--per-recording",
        action="store_true",
        help='a table of every recording\'s scores (--json: a "recordings" list)',
    )
    p.add_argument(
        "--cases",
        action="store_true",
        help="list every cramp missed or alerted > 10 s late and every false alert, with "
        'its labels (--json: a "cases" list)',
    )
    p.add_argument(
        "-q",
        "--quiet",
        "--no-progress",
        dest="no_progress",
        action="store_true",
        help="no progress bar",
    )


def run(args: argparse.Namespace) -> int:
    from crampdetect.cli._args import emg_table_lines, name_path, overrides_from_args, skipped_line
    from crampdetect.detect.model import model_path_for
    from crampdetect.evaluate.score import NoLabelsError, Scorer, aggregate, cases
    from crampdetect.pipeline.bulk import Failure, map_recordings

    if args.directory:
        _refuse_generation_options(args)
    overrides = overrides_from_args(args)
    scorer = Scorer(args.profile, overrides, model_path_for(args.model))
    if len(args.directory) != 1:
        return _run_sets(args, scorer)
    emg: list[tuple[str, str]] = []  # EMG text tables without their recordings.json entry
    paths, skipped, failed = labelled_recordings(args.directory[0], args.recursive, emg)
    read = Background(folder_input, args.directory[0], paths)  # hashed while it is scored
    outcomes = map_recordings(
        scorer,
        paths,
        dask_address=args.dask,
        n_workers=args.workers,
        progress=not args.no_progress and sys.stderr.isatty(),
        errors="collect",
        desc="evaluate",
    )
    scores = []
    for path, outcome in zip(paths, outcomes, strict=True):
        if not isinstance(outcome, Failure):
            given = Path(args.directory[0])
            outcome["name"] = (  # sub-folders; a file given is named by its name
                Path(path).name if given.is_file() else Path(path).relative_to(given).as_posix()
            )
            scores.append(outcome)
            for problem in outcome.get("problems", []):  # e.g. a file cut short: as detect
                print(f"crampdetect evaluate: warning: {name_path(path, problem)}", file=sys.stderr)
        elif outcome.error.startswith(f"{NoLabelsError.__name__}: "):
            skipped.append(f"{path} (no labels)")
        else:
            kind, _, error = outcome.error.partition(": ")
            if kind not in KNOWN_ERRORS:  # a bug: say so
                error = f"internal error: {outcome.error} (please report it)"
            failed.append((path, error))
    if skipped:
        note = ", not labelled recordings"
        print(skipped_line("evaluate", skipped, noun="file", note=note), file=sys.stderr)
    for line in emg_table_lines("evaluate", emg):
        print(line, file=sys.stderr)
    for path, error in failed:
        print(f"crampdetect evaluate: error: {name_path(path, error)}", file=sys.stderr)
    if not scores and not failed:
        raise InputError(
            f"{args.directory[0]}: no labelled recordings (CSV or WAV with a .labels.json "
            "sidecar, EDF+/BDF+ with label annotations)"
            + ("" if args.recursive else "; sub-folders are searched with --recursive")
        )
    if failed:
        print(
            f"crampdetect evaluate: {len(scores)} of "
            f"{plural(len(scores) + len(failed), 'labelled recording')} scored",
            file=sys.stderr,
        )
    result = aggregate(scores)
    result["provenance"] = provenance(
        args.profile, None, overrides, scorer.model, source=read.result()
    )
    result["failed"] = [{"path": p, "error": e} for p, e in failed]
    result["skipped"] = [skipped_entry(s) for s in skipped] + [
        {"path": path, "reason": EMG_TABLE_REASONS[kind]} for path, kind in emg
    ]
    if args.per_recording:
        result["recordings"] = scores
    if args.cases:
        result["cases"] = cases(scores)
    if args.json:
        json.dump(result, sys.stdout, indent=1)
        sys.stdout.write("\n")
    elif scores:  # nothing scored: the error lines say why, no table of zeros
        print(format_summary(result))
        if args.per_recording:
            print("\n" + format_recordings(scores))
        _print_cases(result.get("cases"))
    return 2 if failed else 0


def _refuse_generation_options(args: argparse.Namespace) -> None:
    """Folders are scored as they are: the options that choose and generate the evaluation
    sets would be ignored, so say so (as ``simulate --eval-set`` does for its own)."""
    refuse_ignored(
        [
            ("--seeds", args.seeds != "held-out"),
            ("--sets", args.sets != "standard,stress"),
            ("--cache", args.cache is not None),
            ("--standard-hours", args.standard_hours is not None),
            ("--stress-hours", args.stress_hours is not None),
        ],
        ("applies", "apply"),
        "only without a folder (generated evaluation sets): a folder's recordings are scored "
        "as they are (several folders: their manifests name set and seed)",
    )


#: Exceptions that mean "this recording cannot be scored" (anything else is a bug).
KNOWN_ERRORS = ("InputError", "LimitError", "CrampDetectError", "OSError", "FileNotFoundError",
                "PermissionError", "IsADirectoryError")  # fmt: skip


def labelled_recordings(
    directory: str, recursive: bool = False, emg_tables: list[tuple[str, str]] | None = None
) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """The recordings of ``directory`` to score (``recursive``: of its sub-folders too), the
    entries skipped (no labels, not recordings) and the recording files that cannot be read
    (path, why). A CSV is scored when a ``.labels.json`` sidecar is beside it; any other
    recording when it carries labels (a sidecar, EDF+ label annotations), which the scorer
    finds out (:class:`~crampdetect.evaluate.score.NoLabelsError`). A file named as a
    recording (.edf, .bdf, .wav, a labelled .csv) that cannot be read is failed. ``emg_tables``:
    if given, the EMG text tables without their ``recordings.json`` entry go there, not among
    the skipped (``expand_folders``)."""
    from crampdetect.cli._args import expand_folders
    from crampdetect.evaluate.score import labels_path

    folder = Path(directory)
    if folder.is_file():  # one labelled recording: scored as a folder of one
        return [directory], [], []
    if not folder.is_dir():
        raise InputError(f"{folder}: no such file or directory")
    failed: list[tuple[str, str]] = []
    found, skipped = expand_folders(
        [directory], recursive, unreadable=failed, emg_tables=emg_tables
    )
    paths = []
    for name in found:
        path = Path(name)
        if path.suffix.lower() == ".csv" and not labels_path(path).exists():
            skipped.append(f"{name} (no labels)")  # named as errors are (the path given)
        else:
            paths.append(name)
    # a recording file that cannot be read fails, as in detect, report, convert and replay,
    # unless it is a CSV without labels: that one is not scored even when it can be read
    for path, why in list(failed):
        p = Path(path)
        if p.suffix.lower() == ".csv" and not labels_path(p).exists():
            failed.remove((path, why))
            skipped.append(f"{path} (no labels)")
    skipped = [s for s in skipped if not s.endswith(IGNORED_SUFFIXES)]
    return paths, skipped, failed


def skipped_entry(shown: str) -> dict[str, str]:
    """An entry of ``evaluate --json``'s ``skipped`` list: ``{"path", "reason"}`` for one of
    the names the stderr line gives (``x.csv (no labels)``, ``notes.txt``, ``sub/``)."""
    if shown.endswith(" (no labels)"):
        return {"path": shown.removesuffix(" (no labels)"), "reason": "no labels"}
    if shown.endswith("/"):
        return {"path": shown.rstrip("/"), "reason": "a sub-folder (searched with --recursive)"}
    return {"path": shown, "reason": "not a recording"}


#: The ``reason`` of an EMG text table without its ``recordings.json`` entry in
#: ``evaluate --json``'s ``skipped`` list, by kind (:func:`crampdetect.storage.reader.emg_table`).
EMG_TABLE_REASONS = {
    "no manifest": "a text table like EMG with no recordings.json beside it",
    "unlisted": "a text table like EMG that the recordings.json beside it does not list",
}

#: Files of a labelled folder that are neither recordings nor worth a note (set manifests).
IGNORED_SUFFIXES = (".json",)


def _print_cases(found: list[dict] | None) -> None:
    """The ``--cases`` listing after the figures (nothing without ``--cases``)."""
    from crampdetect.evaluate.score import format_case

    if found is None:
        return
    print(f"\ncases: {len(found)} (missed, late > 10 s, false alerts)")
    for case in found:
        print(format_case(case))


def _folders_input(dirs: dict) -> dict:
    """``input`` of several set folders: each one's :func:`~crampdetect.provenance.folder_input`
    by ``<set>/<seed>``, and ``sha256`` of the lines ``<set>/<seed> <its sha256>\\n`` sorted."""
    import hashlib

    from crampdetect.evaluate.multiseed import set_recordings

    sets = {f"{v}/{s}": folder_input(d, set_recordings(d)) for (v, s), d in sorted(dirs.items())}
    text = "".join(f"{k} {one['sha256']}\n" for k, one in sorted(sets.items()))
    return {
        "path": None,
        "reader": "folders",
        "sets": sets,
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
    }


def _run_sets(args: argparse.Namespace, scorer) -> int:
    """Several sets: generated at ``--seeds`` (no directory) or the given folders."""
    from crampdetect.evaluate import multiseed as ms
    from crampdetect.evaluate.score import cases

    progress = not args.no_progress and sys.stderr.isatty()
    keep = args.per_recording or args.cases
    if args.directory:
        dirs = {}
        for i, d in enumerate(args.directory):
            manifest = Path(d) / "manifest.json"
            seed = json.loads(manifest.read_text()).get("seed", i) if manifest.exists() else i
            dirs[(ms.set_variant(Path(d)), int(seed))] = Path(d)
        if len(dirs) != len(args.directory):
            raise InputError("Two folders hold the same set and seed")
        seeds = sorted({s for _, s in dirs})
        role = ms.parse_seeds(",".join(map(str, seeds)))[0]
        read = Background(_folders_input, dirs)  # hashed while they are scored
        scores = ms.score_sets(dirs, scorer, n_workers=args.workers, dask_address=args.dask,
                               progress=progress)  # fmt: skip
        result = ms.fold_sets(scores, seeds, recordings=keep)
        source = read.result()
    else:
        role, seeds = ms.parse_seeds(args.seeds)
        hours = {}
        for name, value in (("standard", args.standard_hours), ("stress", args.stress_hours)):
            if value is not None:
                if not 0 < value <= 200:
                    raise InputError(f"Invalid --{name}-hours {value}: must be > 0 and <= 200")
                hours[name] = value
        sets = tuple(v.strip() for v in args.sets.split(",") if v.strip())
        result = ms.evaluate_sets(
            sets, seeds, scorer, hours=hours, cache=Path(args.cache or ms.DEFAULT_CACHE),
            n_workers=args.workers, dask_address=args.dask, progress=progress, recordings=keep,
        )  # fmt: skip
        source = generated_input(result.pop("folders"))
    if args.cases:
        result["cases"] = [
            {"set": variant, "seed": seed, **case}
            for variant, body in result["sets"].items()
            for seed, scores in body["recordings"].items()
            for case in cases(scores)
        ]
    if not args.per_recording:
        for body in result["sets"].values():
            body.pop("recordings", None)
    result["seed_role"] = role
    result["provenance"] = provenance(
        args.profile, None, scorer.overrides, scorer.model, source=source
    )
    result["tuning_seeds"] = list(ms.TUNING_SEEDS)
    result["validation_seeds"] = list(ms.VALIDATION_SEEDS)
    result["fit_seeds"] = list(ms.FIT_SEEDS)
    result["held_out_seeds"] = list(ms.HELD_OUT_SEEDS)
    if args.json:
        json.dump(result, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        print(ms.format_spread(result, role))
        for variant, body in result["sets"].items() if args.per_recording else ():
            for seed, scores in body["recordings"].items():
                print(f"\n{variant}, seed {seed}:\n" + format_recordings(scores))
        _print_cases(result.get("cases"))
    return 0


#: Columns of the one-set table: (figure key, heading with its unit, as a percentage).
SUMMARY_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("hours", "h", False),
    ("cramps", "cramps", False),
    ("sensitivity", "alerted", False),
    ("latency_median_s", "lat p50 s", False),
    ("latency_p90_s", "lat p90 s", False),
    ("onset_error_median_s", "onset err s", False),
    ("end_error_median_s", "end err s", False),
    ("closed_early_share", "early end %", True),
    ("realerts", "re-alerts", False),
    ("false_alerts_per_hour", "false /h", False),
    ("holds_alerted_share", "holds %", True),
    ("lead_offs_flagged_share", "lead-off %", True),
    ("clean_time_flagged_share", "clean flag %", True),
)


def format_recordings(scores: list[dict]) -> str:
    """``--per-recording`` in text: one row per recording (its name, profile, length in min,
    labelled cramps, alerted, alerted within 10 s, false alerts, voluntary holds alerted of
    those labelled, median alert latency in s)."""
    from statistics import median

    from crampdetect.evaluate.score import ALERT_WINDOW_S

    name_w = max([len("recording")] + [len(s["name"]) for s in scores]) + 2
    heads = ("profile", "min", "cramps", "alerted", f"<= {ALERT_WINDOW_S:g} s", "false",
             "holds", "lat p50 s")  # fmt: skip
    out = [f"{'recording':<{name_w}}" + "".join(f"{h:>10}" for h in heads)]
    for s in scores:
        hits = [c for c in s["cramps"] if c["detected"]]
        lat = [c["latency_s"] for c in hits]
        mid = f"{median(lat):.2f}" if lat else "-"
        cells = (
            s["profile"],
            f"{s['duration_s'] / 60:.1f}",
            len(s["cramps"]),
            len(hits),
            sum(c["latency_s"] <= ALERT_WINDOW_S for c in hits),
            len(s["false_alerts"]),
            f"{s['holds_alerted']}/{s['holds']}",
            mid,
        )
        out.append(f"{s['name']:<{name_w}}" + "".join(f"{c!s:>10}" for c in cells))
    return "\n".join(out)


def format_summary(result: dict) -> str:
    """One row per group: share of cramps alerted, alert latency and onset error (s), event
    end error (s, absolute median), share of alerted cramps whose event closed > 5 s early (%),
    re-alerts, false alerts per hour, shares (%) of holds alerted, lead-offs flagged and clean
    time flagged."""
    rows = [("overall", result["overall"])]
    rows += [(f"profile {k}", v) for k, v in result["by_profile"].items()]
    rows += [(f"repr {k}", v) for k, v in result["by_representation"].items()]
    widths = [max(len(h) + 2, 8) for _, h, _ in SUMMARY_COLUMNS]
    out = [
        f"{'group':<20}"
        + "".join(f"{h:>{w}}" for (_, h, _), w in zip(SUMMARY_COLUMNS, widths, strict=True))
    ]

    def f(v, pct=False):
        if v is None:
            return "-"
        if isinstance(v, int):
            return str(v)
        return f"{100 * v:.1f}" if pct else f"{v:.2f}"

    for name, r in rows:
        cells = (f(r[k], pct) for k, _, pct in SUMMARY_COLUMNS)
        out.append(f"{name:<20}" + "".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True)))
    fa = result["overall"]["false_alerts_by_activity"]
    out.append(
        "false alerts by activity: " + (", ".join(f"{k} {v}" for k, v in fa.items()) or "none")
    )
    return "\n".join(out)
