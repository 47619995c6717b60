"""Share of pipeline time spent in the learned gate; results appended to benchmarks/model.md.

Usage: ``.venv/bin/python benchmarks/model_bench.py DIR [MODEL]`` where DIR holds labelled
simulated CSVs (e.g. ``crampdetect simulate`` / ``make_evaluation_set`` output) and MODEL
defaults to models/gate-v2. Each recording runs through ``detect_file`` with the model's
gate wrapped in a timer; the share is gate time / whole detect time.
"""

from __future__ import annotations

import json
import platform
import sys
import time
from pathlib import Path

from crampdetect.detect.model import SHIPPED_MODEL, load_model
from crampdetect.evaluate.score import find_recordings, labels_path
from crampdetect.pipeline.offline import detect_file

OUT = Path(__file__).with_name("model.md")


class TimedModel:
    """Wraps a model so that every gate call is timed (s) and counted."""

    def __init__(self, model) -> None:
        self.model, self.seconds, self.calls, self.rows = model, 0.0, 0, 0
        self.header = model.header

    def gate(self, profile: str):
        inner = self.model.gate(profile)

        def timed(x):
            t0 = time.perf_counter()
            out = inner(x)
            self.seconds += time.perf_counter() - t0
            self.calls += 1
            self.rows += len(x)
            return out

        return timed


def main(directory: str, model_path: str | None = None) -> None:
    model = load_model(model_path or SHIPPED_MODEL)
    timed = TimedModel(model)
    total = rules = 0.0
    hours = 0.0
    for p in find_recordings(directory):
        profile = json.loads(labels_path(p).read_text())["profile"]
        t0 = time.perf_counter()
        r = detect_file(p, profile=profile, model=timed)
        total += time.perf_counter() - t0
        t0 = time.perf_counter()
        detect_file(p, profile=profile)
        rules += time.perf_counter() - t0
        hours += r["input"]["duration_s"] / 3600.0
    share = timed.seconds / total
    line = (
        f"| {time.strftime('%Y-%m-%d')} | {platform.processor() or platform.machine()} | "
        f"{Path(directory).name} ({hours:.1f} h) | {model.kind} | {timed.calls} calls, "
        f"{timed.rows} rows | {timed.seconds:.3f} s | {total:.1f} s | {rules:.1f} s | "
        f"{100 * share:.2f} % |"
    )
    print(line)
    if not OUT.exists():
        OUT.write_text(
            "# Learned gate: inference share of pipeline time\n\n"
            "Target: gate inference <= 10 % of pipeline time. Produced by "
            "`benchmarks/model_bench.py DIR [MODEL]`: every recording of DIR through "
            "`detect_file` with the gate (timed around each gate call) and again rules-only. "
            "The gate is asked only about unsure candidates.\n\n"
            "| date | cpu | set | model | gate calls | gate time | detect with gate | "
            "detect rules only | gate share |\n|---|---|---|---|---|---|---|---|---|\n"
        )
    with OUT.open("a") as f:
        f.write(line + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:3])
