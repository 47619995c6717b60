"""Benchmark: the night history's write cost and the morning summary over a long history.

Measures, on this machine (a real SQLite file in a temporary directory):
1. one-record transactions (``SessionRecorder.record_event`` etc., WAL + synchronous=FULL),
   in records per second and ms per record: the monitor's cost per event;
2. a year of nights (365 sessions, each 8 h with 0-4 cramps, prompts, acks, quality problems):
   file size, ``summary`` (one night + 8-week trend + doctor note) time, CSV/JSON export time;
3. deleting half the history (with VACUUM) time.

Writes the results into benchmarks/history.md.  Usage: ``python benchmarks/bench_history.py``
"""

from __future__ import annotations

import datetime as dt
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

from crampdetect.alerts.policy import Action
from crampdetect.core import Event, QualityInterval
from crampdetect.reports import summary as S
from crampdetect.storage.export import export_history
from crampdetect.storage.history import History
from crampdetect.storage.recorder import SessionRecorder

TZ = dt.timezone(dt.timedelta(hours=1))


def fill_year(h: History, rng: np.random.Generator) -> int:
    n_records = 0
    day0 = dt.datetime(2025, 11, 1, 23, 0, tzinfo=TZ)
    for d in range(365):
        rec = SessionRecorder(
            h, "night", ["calf_left", "calf_right"], "bench", day0 + dt.timedelta(days=d)
        )
        for k in range(int(rng.integers(0, 5))):
            leg = ("calf_left", "calf_right")[int(rng.integers(2))]
            t = float(rng.uniform(0, 28000))
            e = Event(leg, "cramp", t, t + 2.0, id=k + 1)
            rec.record_event(e)
            for j in range(3):
                rec.record_action(Action("vibrate", t + 2 + 30 * j, "cramp: prompt", leg, k + 1))
            rec.record_ack(t + 40.0)
            rec.record_event(e.ended(t + float(rng.uniform(10, 700))))
            n_records += 6
        for _ in range(int(rng.integers(0, 4))):
            t = float(rng.uniform(0, 28000))
            rec.record_quality(QualityInterval("calf_left", "lead_off", t, t + 60.0))
            n_records += 1
        rec.close(28800.0)
    return n_records


def main() -> None:
    rng = np.random.default_rng(0)
    lines = [
        "# Night history benchmark",
        "",
        f"Machine: {platform.platform()}, Python {platform.python_version()}",
        "",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.sqlite3"
        with History(path) as h:
            rec = SessionRecorder(h, "night", ["calf_left"], "bench")
            n = 2000
            t0 = time.perf_counter()
            for k in range(n):
                rec.record_event(Event("calf_left", "cramp", float(k), k + 1.0, id=k))
            single = time.perf_counter() - t0
            lines += [
                "## One-record transactions (WAL, synchronous=FULL)",
                "",
                f"- {n} `record_event` calls: {single:.2f} s, {n / single:.0f} records/s, "
                f"{1e3 * single / n:.2f} ms per record",
                "",
            ]
            h.delete_sessions([rec.session_id])

            t0 = time.perf_counter()
            n_records = fill_year(h, rng)
            fill_s = time.perf_counter() - t0
            h.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            size_mb = path.stat().st_size / 1e6
            t0 = time.perf_counter()
            night = S.summarise_night(h, "2026-06-15")
            S.format_night(night)
            S.format_trend(S.weekly_trend(h, "2026-06-15", 8))
            S.doctor_note(h, "2026-06-15")
            summary_s = time.perf_counter() - t0
            ids = [int(r["id"]) for r in h.sessions()]
            t0 = time.perf_counter()
            export_history(h, ids, Path(tmp) / "all.csv")
            csv_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            export_history(h, ids, Path(tmp) / "all.json")
            json_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            h.delete_sessions(ids[: len(ids) // 2])
            delete_s = time.perf_counter() - t0
    lines += [
        "## A year of nights (365 sessions)",
        "",
        f"- {n_records} records written in {fill_s:.1f} s; "
        f"database {size_mb:.2f} MB (after a WAL checkpoint)",
        f"- morning summary (night + 8-week trend + doctor note): {1e3 * summary_s:.1f} ms",
        f"- export of the whole year: CSV {1e3 * csv_s:.0f} ms, JSON {1e3 * json_s:.0f} ms",
        f"- deleting half the sessions (with VACUUM): {1e3 * delete_s:.0f} ms",
        "",
    ]
    out = Path(__file__).with_name("history.md")
    out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
