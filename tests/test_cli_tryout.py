"""What a new user meets first: a phone or spreadsheet CSV refused with what to change, and
the monitor's end-of-session summary (also with --json-events, and a loose electrode in it)."""

from __future__ import annotations

import json

import pytest
from conftest import run_cli

from crampdetect.core import InputError
from crampdetect.storage.reader import open_recording

ROWS = [(0.0, 0.0022, 0.0032), (0.001, -0.0096, -0.0046), (0.002, 0.0063, 0.0137)]


def _refusal(path) -> str:
    """The message ``open_recording`` refuses ``path`` with."""
    with pytest.raises(InputError) as exc:
        open_recording(path)
    return str(exc.value)


def _write(path, header, sep=",", decimal="."):
    lines = [] if header is None else [header]
    lines += [sep.join(f"{v:.4f}".replace(".", decimal) for v in row) for row in ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "header, sep, decimal, says",
    [
        ("Zeit [s];Wade links (mV);Wade rechts (mV)", ";", ",", "semicolons and decimal commas"),
        ("time\tleft\tright", "\t", ".", "tabs"),
        (None, ",", ".", "first line holds numbers, not column names"),
        ("timestamp,EMG1,EMG2", ",", ".", "first column is named 'timestamp', not time_s"),
    ],
)
def test_an_almost_csv_is_refused_with_what_to_change(tmp_path, header, sep, decimal, says):
    path = _write(tmp_path / "phone.csv", header, sep, decimal)
    message = _refusal(path)
    assert says in message
    assert "time_s,<channel names>" in message


def test_detect_names_the_separator_of_a_phone_export(tmp_path):
    path = _write(tmp_path / "phone.csv", "Zeit;links;rechts", ";", ",")
    res = run_cli("detect", path)
    assert res.returncode == 2
    assert "semicolons and decimal commas" in res.stderr
    assert "Traceback" not in res.stderr


def test_a_file_that_is_not_a_table_gets_no_csv_hint(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("# provenance\nrecorded in a lab\n", encoding="utf-8")
    assert "not a recording crampdetect can read" in _refusal(path)
    assert "time_s,<channel names>" not in _refusal(path)


def test_monitor_json_events_still_ends_with_the_summary_on_stderr(tmp_path):
    """stdout holds the events only; the summary (prompts, link health) goes to stderr, as the
    status view does, instead of being dropped."""
    res = run_cli(
        "monitor", "sim://cramp?seed=1&speed=0", "--json-events", "--no-view", home=tmp_path
    )
    assert res.returncode == 0, res.stderr
    events = [json.loads(line) for line in res.stdout.splitlines()]
    assert any(e["kind"] == "cramp" for e in events)
    assert "monitored 0:03:00.0 of signal" in res.stderr
    assert "cramp on calf_right" in res.stderr
    assert "vibration prompt" in res.stderr


def test_monitor_summary_tells_the_time_a_loose_electrode_lost(tmp_path):
    res = run_cli("monitor", "sim://leadoff?seed=1&speed=0", "--no-view", home=tmp_path)
    assert res.returncode == 0, res.stderr
    line = next(ln for ln in res.stdout.splitlines() if ln.startswith("time lost to sensor"))
    assert "left calf" in line and "sensor loose" in line  # the words of the live message


def test_monitor_summary_of_a_clean_session_names_no_sensor_problem(tmp_path):
    res = run_cli("monitor", "sim://cramp?seed=1&speed=0", "--no-view", home=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "time lost to sensor" not in res.stdout


def test_monitor_summary_counts_the_signal_monitored_not_the_source_clock(tmp_path):
    """A source on its own clock (an LSL stream's time stamps, a CSV whose times start late):
    the summary says how much signal was monitored, and the clock its event times are on."""
    lines = ["time_s,calf_left,calf_right"]
    for i in range(60 * 500):  # 60 s at 500 Hz, starting at 5000 s
        lines.append(f"{5000 + i / 500:.3f},{(i * 7919) % 41 - 20},{(i * 104729) % 37 - 18}")
    csv = tmp_path / "late.csv"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = run_cli("monitor", f"file://{csv}", "--no-view", "--units", "uV", home=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "monitored 0:01:00.0 of signal (from 1:23:20.0 to 1:24:20.0" in res.stdout


@pytest.mark.parametrize(
    "args, says",
    [
        (("history", "--from", "2026-11-31"), "no such date (day is out of range for month)"),
        (("summary", "--night", "2026-02-30"), "no such date (day is out of range for month)"),
        (("history", "--from", "11/20/2026"), "use YYYY-MM-DD"),
    ],
)
def test_a_date_that_does_not_exist_is_not_called_the_wrong_form(tmp_path, args, says):
    res = run_cli(*args, home=tmp_path)
    assert res.returncode == 2
    assert says in res.stderr
    assert "Traceback" not in res.stderr


def test_history_import_started_on_a_day_that_does_not_exist(tmp_path):
    result = tmp_path / "night.json"
    result.write_text(json.dumps({"input": {"duration_s": 60.0}, "events": [], "quality": []}))
    res = run_cli("history", "--import", result, "--started", "2026-11-31T23:10", home=tmp_path)
    assert res.returncode == 2
    assert "no such date" in res.stderr and "ISO 8601" not in res.stderr


def test_a_header_missing_a_column_name_says_so(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("time_s,left\n" + "".join(f"{i / 500:.3f},1.5,2.5\n" for i in range(1000)))
    assert "give every column a name" in _refusal(path)


def test_a_utf16_export_is_told_to_be_saved_as_utf8(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text("time_s,left\n0.000,1.5\n0.001,2.5\n", encoding="utf-16")
    assert "UTF-16 text: save it as UTF-8" in _refusal(path)
