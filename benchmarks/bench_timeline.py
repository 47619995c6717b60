"""The wait at the end of ``monitor --history --record``: from the moment monitoring stops
to the command's return (the activity timeline stored, the history and recording closed).

    PYTHONPATH=. python benchmarks/bench_timeline.py [HOURS] [SEED]   # default 1 h, seed 5

Monitors a simulated night (``sim://night``, ``speed=0``: as fast as the host goes) of HOURS
into a temporary history and recording, and prints how long monitoring took and how long
the end took (benchmarks/history.md quotes the result). Runs against any checkout: it
times ``LiveMonitor.run``'s return, which every version has.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path


def run(hours: float, seed: int) -> tuple[float, float, float | None]:
    """Seconds monitoring took, seconds from its stop to the command's return, and seconds
    the live activity timeline took while monitoring (None where there is none)."""
    from crampdetect.cli import main
    from crampdetect.pipeline import live
    from crampdetect.reports import activity

    fed = [0.0]
    timeline = getattr(activity, "ActivityTimeline", None)  # a version that classifies live
    real_feed = timeline.feed if timeline is not None else None

    def timed_feed(self, *args, **kwargs):
        t = time.perf_counter()
        try:
            return real_feed(self, *args, **kwargs)  # type: ignore[misc]
        finally:
            fed[0] += time.perf_counter() - t

    if timeline is not None:
        timeline.feed = timed_feed  # type: ignore[method-assign]
    stopped: list[float] = []
    real_run = live.LiveMonitor.run

    def timed(self, *args, **kwargs):
        try:
            return real_run(self, *args, **kwargs)
        finally:
            stopped.append(time.perf_counter())  # the first (innermost) return

    live.LiveMonitor.run = timed  # type: ignore[method-assign]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["CRAMPDETECT_HOME"] = tmp
            rec = Path(tmp) / "night.cdrec"
            url = f"sim://night?seed={seed}&speed=0&duration={hours * 3600:g}"
            argv = ["monitor", url, "--profile", "night", "--no-view", "--history"]
            start = time.perf_counter()
            code = main([*argv, "--record", str(rec)])
            end = time.perf_counter()
            assert code == 0, code
    finally:
        live.LiveMonitor.run = real_run  # type: ignore[method-assign]
        if timeline is not None:
            timeline.feed = real_feed  # type: ignore[method-assign]
    return stopped[0] - start, end - stopped[0], fed[0] if timeline is not None else None


if __name__ == "__main__":
    hours = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    monitored, wait, fed = run(hours, seed)
    live_cost = "" if fed is None else f" (of which the live activity timeline {fed:.2f} s)"
    print(
        f"{hours:g} h simulated night (seed {seed}): monitored in {monitored:.1f} s"
        f"{live_cost}, end-of-monitor wait {wait:.2f} s",
        flush=True,
    )
