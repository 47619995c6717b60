"""Score a detector on the independent evaluation set and group its failures by cause.

Generates (if missing) ``ROOT/seedN`` with :func:`crampdetect.evaluate.independent.write_set`,
runs ``crampdetect evaluate DIR --cases --json`` from the repository given by ``--repo``
(default: this tree; the figures in ``independent.md`` come from ``--repo`` at a checkout of
main) and
prints the issue-10 figures per seed and over the seeds, then the failures grouped by cause.

    PYTHONPATH=$PWD python benchmarks/bench_independent.py --repo ../main-checkout --seeds 0,1,2
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

from crampdetect.evaluate.independent import write_set

FIGURES = (
    ("within_10s", "alerted within 10 s"),
    ("sensitivity", "alerted at all"),
    ("latency_median_s", "latency median, s"),
    ("latency_p90_s", "latency p90, s"),
    ("within_10s_after_exertion", "within 10 s after exertion"),
    ("latency_after_exertion_median_s", "latency after exertion median, s"),
    ("onset_error_median_s", "onset error median, s"),
    ("onset_error_p90_s", "onset error p90, s"),
    ("fa_night", "false alerts / h, night"),
    ("fa_training", "false alerts / h, training"),
    ("holds_alerted_share", "holds alerted"),
    ("confidence_auc", "confidence ROC AUC"),
    ("lead_offs_flagged_share", "lead-offs flagged"),
    ("clean_time_flagged_share", "clean time flagged"),
)
EXERTION_ENDS = ("gait", "calf_raise", "voluntary_hold")


def evaluate(repo: Path, directory: Path, out: Path) -> dict:
    if not out.exists():
        env = {**os.environ, "PYTHONPATH": str(repo)}
        cmd = [sys.executable, "-m", "crampdetect", "evaluate", str(directory)]
        cmd += ["--cases", "--json", "-q", "--workers", "1"]
        res = subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True, check=True)
        out.write_text(res.stdout)
    return json.loads(out.read_text())


def figures(doc: dict) -> dict:
    o = dict(doc["overall"])
    for prof in ("night", "training"):
        o[f"fa_{prof}"] = doc["by_profile"].get(prof, {}).get("false_alerts_per_hour")
    return o


def _labels(directory: Path, recording: str) -> dict:
    return json.loads((directory / recording.replace(".csv", ".labels.json")).read_text())


def miss_cause(case: dict, labels: dict, doc_cases: list[dict]) -> str:
    """Why a cramp was missed or alerted late (first rule that applies)."""
    on, ch = case["onset_s"], case["channel"]
    early = [
        c
        for c in doc_cases
        if c["case"] == "false_alert"
        and c["recording"] == case["recording"]
        and c["channel"] == ch
        and on - 20.0 <= c["time_s"] < on - 1.0
    ]
    if early:
        return f"alerted before the labelled onset (during {early[0]['activity']})"
    if case["duration_s"] < 15.0:
        return "brief cramp (< 15 s)"
    if case.get("level") is not None and case["level"] < 0.2:
        return "weak cramp (< 20 % MVC)"
    if case.get("after_exertion"):
        return "after exertion: taken for the exertion"
    return f"other ({case.get('context')})"


def false_alert_cause(case: dict, labels: dict) -> str:
    """What a false alert fell in, refined by what surrounded it."""
    t, ch = case["time_s"], case["channel"]
    iv = labels["intervals"]
    other_cramp = any(
        i["kind"] == "cramp" and i["channel"] != ch and i["start_s"] <= t <= i["end_s"] + 2
        for i in iv
    )
    if other_cramp:
        return f"{case['activity']} while the other leg cramps"
    if case["activity"] == "standing":
        ended = [
            i["kind"]
            for i in iv
            if i["kind"] in EXERTION_ENDS and i["channel"] == ch and 0 <= t - i["end_s"] <= 15
        ]
        if ended:
            return f"standing within 15 s after {ended[0]}"
        return "standing"
    if case["activity"] == "leg_movement":
        moves = [i for i in iv if i["kind"] == "leg_movement" and i["channel"] == ch]
        near = [i for i in moves if abs(i["start_s"] - t) < 120]
        return "leg_movement (in a series)" if len(near) >= 3 else "leg_movement (isolated)"
    return case["activity"]


def cramp_rms_uv(directory: Path, labels: dict, cramp: dict) -> float:
    """RMS (µV, electrode-referred) of a RAW recording over the first 10 s of a cramp's
    plateau (after its labelled rise); RAW counts are converted with gain 200 at 5 V
    (10-bit) or 3.3 V (12-bit)."""
    fs = labels["sample_rate_hz"]
    bits = labels["adc_bits"]
    scale = 1.0 if bits is None else (5.0 if bits == 10 else 3.3) / 2**bits / 200 * 1e6
    t0 = cramp["start_s"] + cramp["rise_s"]
    t1 = min(t0 + 10.0, cramp["end_s"])
    name = directory / f"{labels['_name']}"
    with name.open() as f:
        rows = itertools.islice(f, 1 + int(t0 * fs), 1 + int(t1 * fs))
        x = np.loadtxt(rows, delimiter=",")[:, 1 + labels["channels"].index(cramp["channel"])]
    return float(np.std(x) * scale)


def amplitude_table(root: Path, seeds: list[int], tag: str) -> None:
    """Missed / late / in-time cramps of RAW recordings by their EMG amplitude (µV RMS)."""
    edges = (0, 100, 200, 300, np.inf)
    table = Counter()
    for s in seeds:
        d = root / f"seed{s}"
        doc = json.loads((root / f"{tag}-seed{s}.json").read_text())
        bad = {
            (c["recording"], c["channel"], round(c["onset_s"], 1)): c["case"]
            for c in doc["cases"]
            if c["case"] != "false_alert"
        }
        for lp in sorted(d.glob("*.labels.json")):
            lab = json.loads(lp.read_text())
            if lab["signal"] != "raw":
                continue
            lab["_name"] = lp.name.replace(".labels.json", ".csv")
            for c in (i for i in lab["intervals"] if i["kind"] == "cramp"):
                rms = cramp_rms_uv(d, lab, c)
                b = int(np.searchsorted(edges, rms, side="right")) - 1
                table[(b, bad.get((lab["_name"], c["channel"], round(c["start_s"], 1)), "ok"))] += 1
    print("\nRAW-recording cramps by EMG amplitude over their first 10 s (µV RMS):")
    for b in range(len(edges) - 1):
        n = {k: table[(b, k)] for k in ("ok", "late", "missed")}
        print(
            f"  {edges[b]:4.0f}-{edges[b + 1]:<4.0f} µV: {sum(n.values()):3d} cramps, "
            f"{n['ok']} in time, {n['late']} late, {n['missed']} missed"
        )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--root", type=Path, default=Path(tempfile.gettempdir()) / "crampdetect-indep")
    p.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[1])
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--hours", type=float, default=8.0)
    p.add_argument("--tag", default="main", help="name of the result files")
    a = p.parse_args()
    seeds = [int(s) for s in a.seeds.split(",")]
    per_seed, causes_miss, causes_fa, contexts = {}, Counter(), Counter(), Counter()
    for s in seeds:
        d = a.root / f"seed{s}"
        if not d.exists():
            write_set(d, s, a.hours)
        doc = evaluate(a.repo.resolve(), d, a.root / f"{a.tag}-seed{s}.json")
        per_seed[s] = figures(doc)
        for c in doc["cases"]:
            lab = _labels(d, c["recording"])
            if c["case"] == "false_alert":
                causes_fa[(false_alert_cause(c, lab), c.get("path"))] += 1
            else:
                causes_miss[(c["case"], miss_cause(c, lab, doc["cases"]))] += 1
                contexts[(c["case"], c.get("context"))] += 1
    print(f"{'figure':34s} " + " ".join(f"seed {s:<5d}" for s in seeds) + "  mean ± sd")
    for key, name in FIGURES:
        vals = [per_seed[s].get(key) for s in seeds]
        got = [v for v in vals if v is not None]
        cells = " ".join("     -    " if v is None else f"{v:10.3f}" for v in vals)
        spread = f"{np.mean(got):.3f} ± {np.std(got, ddof=1):.3f}" if len(got) > 1 else "-"
        print(f"{name:34s} {cells}  {spread}")
    cr = sum(per_seed[s]["cramps"] for s in seeds)
    hours = sum(per_seed[s]["hours"] for s in seeds)
    print(f"\n{cr} cramps in {hours:.1f} h over seeds {seeds}")
    print("\nmissed / late cramps by cause:")
    for (kind, cause), n in sorted(causes_miss.items(), key=lambda kv: -kv[1]):
        print(f"  {n:3d}  {kind:6s} {cause}")
    print("\nmissed / late cramps by labelled context:")
    for (kind, ctx), n in sorted(contexts.items(), key=lambda kv: -kv[1]):
        print(f"  {n:3d}  {kind:6s} {ctx}")
    print("\nfalse alerts by cause (alert path):")
    for (cause, path), n in sorted(causes_fa.items(), key=lambda kv: -kv[1]):
        print(f"  {n:3d}  {cause} [{path}]")
    amplitude_table(a.root, seeds, a.tag)


if __name__ == "__main__":
    main()
