"""What a new user met in the session-21 tryout: a night that crashes keeps how long it ran,
..."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import run_cli
from terminal import demo_on_a_terminal


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_a_night_killed_mid_session_keeps_how_long_it_ran(tmp_path):
    """A quiet night (no cramp, no record) killed with SIGKILL: the history, its summary and
    its export say how long it ran, not 0 s."""
    db = tmp_path / "history.sqlite3"
    env = {**os.environ, "CRAMPDETECT_HOME": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "crampdetect", "monitor", "sim://night-short?seed=3&speed=20&duration=1800",
         "--no-view", "--history"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    seen = None
    try:
        deadline = time.monotonic() + 45  # the stream lasts 90 s of wall clock
        while seen is None and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
            if db.exists():
                with sqlite3.connect(db) as conn:
                    try:
                        row = conn.execute("SELECT duration_s FROM sessions").fetchone()
                    except sqlite3.OperationalError:  # the schema is being built
                        row = None
                seen = None if row is None else row[0]
        assert proc.poll() is None, "the monitor ended before it was killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert seen is not None and seen >= 60.0, "the running session never wrote its length"
    with sqlite3.connect(db) as conn:  # the morning after: its heartbeat long stale
        conn.execute("UPDATE sessions SET alive_at = alive_at - 3600")

    listing = run_cli("history", home=tmp_path)
    assert listing.returncode == 0, listing.stderr
    line = next(x for x in listing.stdout.splitlines() if "(interrupted)" in x)
    assert " 0 s " not in line and "min" in line
    summary = run_cli("summary", home=tmp_path)
    assert "monitored 0 s" not in summary.stdout, summary.stdout
    run_cli("history", "--export", tmp_path / "h.json", home=tmp_path)
    (session,) = json.loads((tmp_path / "h.json").read_text())["sessions"]
    assert session["ended_at"] is None and session["duration_s"] >= seen


def _named_volts_in_mv(path, fs=1000.0, seconds=30):
    """A CSV whose column name says V while its samples are mV (a quiet calf: ~10 µV RMS)."""
    rng = np.random.default_rng(1)
    t = np.arange(int(seconds * fs)) / fs
    x = rng.normal(0.0, 0.01, t.size)
    lines = ["time_s,emg_calf_V"] + [f"{a:.4f},{b:.6g}" for a, b in zip(t, x, strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_convert_warns_like_detect_and_takes_units_to_correct_the_copy(tmp_path):
    import edfio

    csv = _named_volts_in_mv(tmp_path / "rec.csv")
    detect = run_cli("detect", csv, home=tmp_path)
    (doubt,) = [ln for ln in detect.stderr.splitlines() if "its names say V" in ln]
    doubt = doubt.split("warning: ", 1)[1]

    kept = run_cli("convert", csv, tmp_path / "as_named.edf", home=tmp_path)
    assert kept.returncode == 0, kept.stderr
    assert f"crampdetect convert: warning: {doubt}" in kept.stderr.splitlines()
    assert "raw EMG in V" in kept.stdout  # the summary says what was written
    (sig,) = edfio.read_edf(tmp_path / "as_named.edf").signals
    assert sig.physical_dimension == "V"

    fixed = run_cli("convert", csv, tmp_path / "fixed.edf", "--units", "mV", home=tmp_path)
    assert fixed.returncode == 0, fixed.stderr
    assert "its names say" not in fixed.stderr and "raw EMG in mV" in fixed.stdout
    (sig,) = edfio.read_edf(tmp_path / "fixed.edf").signals
    assert sig.physical_dimension == "mV"
    assert "its names say" not in run_cli("detect", tmp_path / "fixed.edf", home=tmp_path).stderr

    many = run_cli("convert", tmp_path, "--out", tmp_path / "copies", "--format", "bdf",
                   home=tmp_path)  # fmt: skip
    named = f"{tmp_path / 'rec.csv'}{doubt.removeprefix('rec.csv')}"  # among several: its path
    assert f"crampdetect convert: warning: {named}" in many.stderr.splitlines(), many.stderr


def test_detect_and_evaluate_json_say_what_produced_them(tmp_path):
    from crampdetect import __version__
    from crampdetect.detect.settings import profile_settings

    sim = run_cli("simulate", "night-short", "--seed", "3", "--out", tmp_path / "n.csv")
    assert sim.returncode == 0, sim.stderr
    default = profile_settings("night").slow_s
    sets = ["--set", f"slow_s={default + 1}", "--set", f"fast_s={profile_settings('night').fast_s}"]
    det = run_cli("detect", tmp_path / "n.csv", "--json", "--model", "gate-v2", *sets)
    assert det.returncode == 0, det.stderr
    prov = json.loads(det.stdout)["provenance"]
    assert prov["crampdetect"] == __version__ and prov["profile"] == "night"
    assert prov["settings"] == {"slow_s": default + 1}  # fast_s given at its default: not listed
    assert prov["model"]["kind"] and len(prov["model"]["sha256"]) == 64 and prov["user"] is None

    conv = run_cli("convert", tmp_path / "n.csv", tmp_path / "n.edf")
    assert conv.returncode == 0, conv.stderr
    det = run_cli("detect", tmp_path / "n.edf", "--json", "--model", "none")  # any format
    assert json.loads(det.stdout)["provenance"]["model"] is None
    assert json.loads(det.stdout)["provenance"]["settings"] == {}

    ev = run_cli("evaluate", tmp_path / "n.csv", "--json", *sets)
    assert ev.returncode == 0, ev.stderr
    prov = json.loads(ev.stdout)["provenance"]
    assert prov["crampdetect"] == __version__ and prov["model"] is None  # evaluate's default
    assert prov["settings"]["night"] == {"slow_s": default + 1}  # the profile of each recording
    assert prov["settings"]["training"]["fast_s"] == profile_settings("night").fast_s


def test_cramp_lengths_near_a_rule_are_not_rounded_across_it(tmp_path):
    """598.65 s is not "10 min" (the doctor note counts cramps longer than 10 min), 86 s is not
    "1 min"; the history is a real SQLite file read back by `crampdetect summary`."""
    import datetime as dt

    from crampdetect.core import Event
    from crampdetect.storage.history import History
    from crampdetect.storage.recorder import SessionRecorder

    start = dt.datetime(2026, 11, 20, 23, 0, tzinfo=dt.UTC)
    with History(tmp_path / "history.sqlite3") as h:
        rec = SessionRecorder(h, "night", ["left", "right"], "sim://night", start)
        for k, (leg, onset, length) in enumerate(
            [("left", 3600.0, 598.65), ("right", 9000.0, 86.0)]
        ):
            cramp = Event(leg, "cramp", onset, onset + 2.0, id=k + 1)
            rec.record_event(cramp)
            rec.record_event(cramp.ended(onset + length))
        rec.close(8 * 3600.0)
    out = run_cli("summary", "--night", "2026-11-20", home=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "left: 9 min 58 s" in out.stdout and "right: 1 min 26 s" in out.stdout
    assert "10 min" not in out.stdout and "doctor" not in out.stdout  # 598.65 s is not > 10 min


def test_a_30_ms_gap_is_not_said_to_be_0_0_s_lost():
    import io

    from crampdetect.cli.monitor import print_summary
    from crampdetect.core import QualityInterval
    from crampdetect.pipeline.live import MonitorSummary

    summary = MonitorSummary(quality=[QualityInterval("calf_left", "gap", 60.0, 60.03)])
    summary.stream_s = 120.0
    out = io.StringIO()
    print_summary(summary, out)
    assert "time lost to sensor problems: left calf under 1 s (signal lost once)" in out.getvalue()


def test_summary_plot_without_matplotlib_stops_before_printing_the_summary(tmp_path):
    import datetime as dt

    from conftest import REPO

    from crampdetect.storage.history import History
    from crampdetect.storage.recorder import SessionRecorder

    start = dt.datetime(2026, 11, 20, 23, 0, tzinfo=dt.UTC)
    with History(tmp_path / "history.sqlite3") as h:
        SessionRecorder(h, "night", ["left"], "sim://night", start).close(3600.0)
    code = (
        "import sys\n"
        "sys.modules['matplotlib'] = None  # import raises ModuleNotFoundError: not installed\n"
        "from crampdetect.cli import main\n"
        f"sys.exit(main(['summary', '--plot', {str(tmp_path / 'n.png')!r}]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "CRAMPDETECT_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 2 and "matplotlib" in done.stderr, done.stderr
    assert done.stdout == ""  # not the whole summary first
    assert not (tmp_path / "n.png").exists()


def test_a_truncated_edf_counts_records_against_records(tmp_path):
    """ "3 of the 550 data records its header announces (750 samples)", not "3 complete data
    records (750 samples) of the 550": records are compared with records."""
    import re

    import edfio

    csv = _named_volts_in_mv(tmp_path / "rec.csv")
    assert run_cli("convert", csv, tmp_path / "rec.edf").returncode == 0
    edf = edfio.read_edf(tmp_path / "rec.edf")
    said, per_record = edf.num_data_records, edf.signals[0].samples_per_data_record
    raw = (tmp_path / "rec.edf").read_bytes()
    (tmp_path / "cut.edf").write_bytes(raw[: len(raw) * 2 // 3])
    out = run_cli("detect", tmp_path / "cut.edf")
    said_so = r"it holds (\d+) of the (\d+) data records its header announces \((\d+) samples\)"
    m = re.search(said_so, out.stderr)
    assert m, out.stderr
    held, announced, samples = map(int, m.groups())
    assert announced == said and 0 < held < said and samples == held * per_record


def _status_lines(text):
    import re

    return [ln for ln in text.splitlines() if re.match(r"\d+:\d\d:\d\d\.\d  ", ln)]


@pytest.mark.slow  # ~30 s: a simulated training session gone through as fast as it comes
def test_monitor_says_stream_ended_only_once_the_backlog_is_through(tmp_path):
    """A source that delivers its signal faster than the detector goes through it ends while
    minutes are still queued: until they are through, the status says so, not STREAM ENDED."""
    out = run_cli("monitor", "sim://training?seed=1&speed=0&duration=300", home=tmp_path)
    assert out.returncode == 0, out.stderr
    lines = _status_lines(out.stdout)
    ended = [k for k, ln in enumerate(lines) if "STREAM ENDED" in ln]
    assert ended == [len(lines) - 1], "\n".join(lines)  # the last status line only
    assert lines[-1].startswith("0:05:00.0")


def test_the_status_line_tells_a_backlog_from_the_end():
    import io

    from crampdetect.cli._statusview import StatusView
    from crampdetect.ingest.link import LinkStats

    view = StatusView(io.StringIO())
    stats = LinkStats(ended=True)
    view.update(100.0, {}, stats, backlog_s=200.0)
    view.update(300.0, {}, stats, backlog_s=0.0)  # through: the change shows at once
    first, last = _status_lines(view.file.getvalue())
    assert "SOURCE DONE, PROCESSING BACKLOG" in first and "STREAM ENDED" not in first
    assert "STREAM ENDED" in last


def test_import_with_recording_takes_the_recordings_own_start_not_the_json_mtime(tmp_path):
    """`history --import run.json --recording run.csv`: the session starts when run.csv says it
    began (its sidecar's created_utc), not when run.json was last written."""
    import datetime as dt

    csv = tmp_path / "run.csv"
    rec = run_cli("record", "sim://training?speed=0&duration=40", "--out", tmp_path / "run.cdrec",
                  "--convert", csv, "--quiet", home=tmp_path)  # fmt: skip
    assert rec.returncode == 0, rec.stderr
    created = json.loads((tmp_path / "run.csv.session.json").read_text())["meta"]["created_utc"]
    det = run_cli("detect", csv, "--json", home=tmp_path)
    (tmp_path / "run.json").write_text(det.stdout)
    week_later = dt.datetime.fromisoformat(created.replace("Z", "+00:00")).timestamp() + 7 * 86400
    os.utime(tmp_path / "run.json", (week_later, week_later))

    imp = run_cli("history", "--import", tmp_path / "run.json", "--recording", csv, home=tmp_path)
    assert imp.returncode == 0, imp.stderr
    run_cli("history", "--export", tmp_path / "h.json", home=tmp_path)
    (session,) = json.loads((tmp_path / "h.json").read_text())["sessions"]
    started = dt.datetime.fromisoformat(session["started_at"])
    assert started == dt.datetime.fromisoformat(created.replace("Z", "+00:00"))


def test_convert_notes_say_inside_out_and_keep_quiet_with_q(tmp_path):
    src = tmp_path / "study"
    src.mkdir()
    _named_volts_in_mv(src / "rec.csv", seconds=5)
    (src / "manifest.json").write_text("{}")
    out = src / "copies"
    first = run_cli("convert", src, "--out", out, "--format", "csv", "--units", "mV")
    assert first.returncode == 0, first.stderr
    again = run_cli("convert", src, "--out", out, "--format", "csv", "--units", "mV",
                    "--recursive", "--force")  # fmt: skip
    assert "rec.csv (inside --out)" in again.stderr, again.stderr
    quiet = run_cli("convert", src, "--out", out, "--format", "csv", "--units", "mV", "-q",
                    "--recursive", "--force")  # fmt: skip
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == "", quiet.stderr


def _demo_on_a_terminal() -> str:
    """What `crampdetect demo` draws on a real pseudo-terminal (its rich live table)."""
    return demo_on_a_terminal(columns=160)


@pytest.mark.slow  # > 3 s: the demo on a terminal
@pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")
def test_the_demo_words_an_early_warning_over_for_a_wearer_and_shows_it_as_a_message():
    import re

    text = _demo_on_a_terminal()
    assert "ended early_warning" not in text and "early_warning" not in text
    over = [m.start() for m in re.finditer(r"early warning on \w+ over at", text)]
    assert over, text[-3000:]
    bold_red = "\x1b[1;31m"
    raised = text.index("WARNING on")  # the warning itself still stands out
    assert bold_red in text[raised - 20 : raised]
    assert all(bold_red not in text[k - 20 : k] for k in over)  # its end does not
