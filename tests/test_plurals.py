"""Counts in what people read come with the noun in the right number: never "1 cramps"."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from crampdetect.cli import main
from crampdetect.cli._args import format_result, skipped_line
from crampdetect.core import Event, QualityInterval, Representation
from crampdetect.storage.paths import HOME_ENV
from crampdetect.text import plural

#: A count and a plural noun, or a count with "(s)": what must not be printed for one thing.
WRONG = re.compile(
    r"\b1 (cramps|events|gaps|channels|sessions|records|recordings|files|nights|"
    r"intervals|warnings|prompts|samples)\b|\(s\)"
)


def test_plural() -> None:
    assert [plural(n, "cramp") for n in (0, 1, 2)] == ["0 cramps", "1 cramp", "2 cramps"]
    assert plural(1, "quality interval") == "1 quality interval"
    assert plural(5, "index", "indices") == "5 indices"


def _result(n_events: int) -> dict:
    event = {"channel": "calf_left", "kind": "cramp", "onset_s": 10.0, "alert_s": 12.0,
             "end_s": 40.0, "confidence": 0.9}  # fmt: skip
    return {
        "input": {
            "sample_rate_hz": 1000,
            "channels": ["calf_left"],
            "signal": "raw",
            "units": "uV",
            "adc_bits": None,
            "inferred": [],
            "duration_s": 60.0,
            "gaps": 1,
            "profile": "night",
            "profile_from": "default",
        },
        "events": [event] * n_events,
        "quality": [{"channel": "calf_left", "issue": "gap", "start_s": 5.0, "end_s": 5.2}],
    }


def test_detect_table_counts_one_thing_in_the_singular() -> None:
    text = format_result(_result(1))
    assert "1 channel calf_left" in text and "1 gap;" in text
    assert "1 event\n" in text and "1 quality interval" in text
    assert not WRONG.search(text), text
    assert "2 events" in format_result(_result(2))
    line = skipped_line("detect", ["notes.txt"])
    assert line.endswith("skipped 1 non-recording file: notes.txt") and not WRONG.search(line)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    return tmp_path


def test_history_import_export_delete_of_one(home: Path, capsys) -> None:
    doc = {"input": {"channels": ["calf_left"], "duration_s": 600.0},
           "events": [_result(1)["events"][0]], "quality": []}  # fmt: skip
    (home / "n.json").write_text(json.dumps(doc))
    assert main(["history", "--import", str(home / "n.json"), "--started", "2026-11-20T23:00"]) == 0
    assert main(["history", "--export", str(home / "all.json")]) == 0
    assert main(["history", "--delete"]) == 2
    assert main(["history", "--delete", "--yes"]) == 0
    out = capsys.readouterr()
    text = out.out + out.err
    assert "1 cramp)" in text and "Exported 1 session (" in text
    assert "Refusing to delete 1 session without --yes" in text and "Deleted 1 session." in text
    assert not WRONG.search(text), text


def test_convert_and_report_lines_of_one(tmp_path: Path, capsys) -> None:
    from crampdetect.core import Block
    from crampdetect.reports.report import collect
    from crampdetect.reports.report_files import summary_lines
    from crampdetect.storage.reader import open_recording
    from crampdetect.storage.session import SessionWriter

    path = tmp_path / "one.cdrec"
    rep = Representation("raw", "uV")
    x = np.random.default_rng(0).normal(0, 20, (1, 30_000))
    with SessionWriter(path, fs=1000.0, channels=("calf",), representation=rep) as w:
        w.write(Block(x[:, :10_000], 1000.0, channels=("calf",)))
        w.write(Block(x[:, 10_500:], 1000.0, start=10_500, t0=10.5, gap=500, channels=("calf",)))
        w.write_events([Event("calf", "cramp", 12.0, 14.0, 25.0, 0.9, id=1)])
        w.write_events([Event("calf", "early_warning", 11.0, 11.5, 12.0, 0.5, id=2)])
        w.write_quality([QualityInterval("calf", "gap", 10.0, 10.5)])
    assert main(["convert", str(path), str(tmp_path / "one.csv")]) == 0
    text = capsys.readouterr().out
    assert "x 1 channel at" in text and "1 gap, 2 events, 1 quality interval" in text
    assert not WRONG.search(text), text
    rec = open_recording(path)
    data = collect(rec)
    data.result["events"] = [e.to_dict() for e in rec.events]
    lines = "\n".join(summary_lines(data))
    assert "1 channel," in lines and "1 gap;" in lines
    assert "1 cramp," in lines and "1 early warning" in lines
    assert not WRONG.search(lines), lines
