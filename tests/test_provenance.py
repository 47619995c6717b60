"""A result pins the run that made it (``provenance``) and its events carry stable ids.

Real files written by the converters and read back; the HTML report parsed with the stdlib's
``html.parser``; the history a real SQLite file; git asked for real (and hidden from the PATH).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO
from htmlpage import ReportPage

import crampdetect
from crampdetect.cli import main
from crampdetect.detect.settings import profile_settings


def _detect(capsys: pytest.CaptureFixture[str], *args: object) -> dict:
    capsys.readouterr()
    assert main(["detect", *map(str, args), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One simulated cramp as a CSV and its EDF and WAV copies."""
    folder = tmp_path_factory.mktemp("prov")
    csv = folder / "cramp.csv"
    assert main(["simulate", "cramp", "--seed", "4", "--out", str(csv)]) == 0
    out = {"csv": csv}
    for fmt in ("edf", "wav"):
        out[fmt] = folder / f"cramp.{fmt}"
        assert main(["convert", str(csv), str(out[fmt])]) == 0
    return out


@pytest.mark.parametrize("fmt", ["csv", "edf", "wav"])
def test_a_file_detected_twice_gives_the_same_provenance(recordings, fmt, capsys) -> None:
    path = recordings[fmt]
    first, again = _detect(capsys, path), _detect(capsys, path)
    assert first["provenance"] == again["provenance"]
    prov = first["provenance"]
    assert prov["schema"] == 2 and prov["code"]["version"] == crampdetect.__version__
    assert prov["input"] == {
        "path": str(path),
        "reader": fmt,
        "size_bytes": path.stat().st_size,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "sample_rate_hz": first["input"]["sample_rate_hz"],
    }
    assert len(prov["settings_sha256"]) == 64 and len(prov["confidence_sha256"]) == 64
    assert [e["id"] for e in first["events"]] and all(
        isinstance(e["id"], int) for e in first["events"]
    )


def test_a_changed_byte_changes_the_sha256(recordings, tmp_path, capsys) -> None:
    lines = recordings["csv"].read_text().splitlines(keepends=True)
    changed = tmp_path / "cramp.csv"
    row = lines[100].rstrip("\n").split(",")
    row[-1] = f"{float(row[-1]) + 1.0:.6g}"  # one sample one unit higher
    lines[100] = ",".join(row) + "\n"
    changed.write_text("".join(lines))
    same = hashlib.sha256(recordings["csv"].read_bytes()).hexdigest()
    assert _detect(capsys, recordings["csv"])["provenance"]["input"]["sha256"] == same
    assert _detect(capsys, changed)["provenance"]["input"]["sha256"] != same


def test_a_set_changes_the_settings_hash_and_the_short_list(recordings, capsys) -> None:
    path = recordings["csv"]
    base = _detect(capsys, path)["provenance"]
    slow = profile_settings("night").slow_s + 1
    changed = _detect(capsys, path, "--set", f"slow_s={slow}")["provenance"]
    assert base["settings"] == {} and changed["settings"] == {"slow_s": slow}
    assert changed["settings_sha256"] != base["settings_sha256"]
    # a --set at its default changes no number: the same hash, not listed
    default = profile_settings("night").fast_s
    same = _detect(capsys, path, "--set", f"fast_s={default}")["provenance"]
    assert same["settings_sha256"] == base["settings_sha256"] and same["settings"] == {}


def test_block_s_is_recorded_and_event_ids_do_not_depend_on_it(recordings, capsys) -> None:
    for fmt in ("csv", "edf"):
        path = recordings[fmt]
        default = _detect(capsys, path)
        live = _detect(capsys, path, "--block-s", "0.02")
        assert live["provenance"]["block_s"] == 0.02
        assert default["provenance"]["block_s"] != 0.02
        assert default["events"] == live["events"]  # ids included
        assert any(e["kind"] == "cramp" for e in live["events"])
        same = {k: v for k, v in live["provenance"].items() if k != "block_s"}
        assert same == {k: v for k, v in default["provenance"].items() if k != "block_s"}


def test_the_html_report_shows_the_provenance_and_the_event_ids(recordings, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    path = recordings["edf"]
    out = tmp_path / "cramp.html"
    assert main(["report", str(path), "--out", str(out), "-q"]) == 0
    parser = ReportPage()
    parser.feed(out.read_text(encoding="utf-8"))
    prov = dict(parser.tables["provenance"])  # strings as plain text, the rest as JSON
    detected = _detect(capsys, path)
    assert prov["input.sha256"] == detected["provenance"]["input"]["sha256"]
    assert prov["input.reader"] == "edf" and prov["profile"] == "night"
    assert json.loads(prov["input.size_bytes"]) == path.stat().st_size
    assert prov["settings_sha256"] == detected["provenance"]["settings_sha256"]
    assert prov["code.version"] == crampdetect.__version__ and json.loads(prov["schema"]) == 2
    assert json.loads(prov["user"]) is None  # null as JSON writes it, not the word "None"
    events = parser.tables["events"][1:]  # below the header row
    assert [(int(r[0]), r[1], r[2]) for r in events] == [
        (e["id"], e["channel"], e["kind"]) for e in detected["events"]
    ]


def test_the_api_carries_the_same_block(recordings, capsys) -> None:
    path = recordings["csv"]
    found = crampdetect.detect(path)
    doc = found.to_dict()
    cli = _detect(capsys, path)
    assert doc["events"] == cli["events"]  # ids included
    assert doc["provenance"] == found.provenance
    assert doc["provenance"]["input"]["sha256"] == cli["provenance"]["input"]["sha256"]
    assert doc["provenance"]["settings_sha256"] == cli["provenance"]["settings_sha256"]
    # samples given as an array: hashed as they stream, the same for any layout in memory
    x = np.random.default_rng(1).normal(0.0, 5.0, (2, 30_000))
    a = crampdetect.detect(x, fs=1000, units="uV").provenance["input"]
    b = crampdetect.detect(np.asfortranarray(x), fs=1000, units="uV").provenance["input"]
    assert a == b and a["reader"] == "array" and a["path"] is None
    assert a["sha256"] == hashlib.sha256(np.ascontiguousarray(x.T).tobytes()).hexdigest()


def test_an_imported_result_keeps_its_provenance_in_the_history(recordings, tmp_path, capsys):
    """``history --import`` of a ``detect --json`` file: the session keeps the block and the ids."""
    from crampdetect.storage.history import History

    result = _detect(capsys, recordings["csv"])
    saved = tmp_path / "night.json"
    saved.write_text(json.dumps(result))
    home = tmp_path / "home"
    run = subprocess.run(
        [sys.executable, "-m", "crampdetect", "history", "--import", str(saved)],
        capture_output=True,
        text=True,
        env={**os.environ, "CRAMPDETECT_HOME": str(home)},
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    (db,) = home.rglob("history.sqlite3")
    with History(db) as h:
        (session,) = h.sessions()
        assert h.provenance(session["id"]) == result["provenance"]
        ids = [r["event_id"] for r in h.records("cramps", session["id"])]
        assert ids == [e["id"] for e in result["events"] if e["kind"] == "cramp"]


def _code(env: dict[str, str], cwd: Path, pythonpath: Path) -> dict:
    script = "import json; from crampdetect.provenance import code_id; print(json.dumps(code_id()))"
    run = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**env, "PYTHONPATH": str(pythonpath)},
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_the_commit_where_git_finds_one_and_none_without(tmp_path) -> None:
    git = shutil.which("git")
    at_checkout = _code(dict(os.environ), REPO, REPO)
    if git and (REPO / ".git").exists():
        head = subprocess.run(
            [git, "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        assert at_checkout["commit"] == head and isinstance(at_checkout["dirty"], bool)
    # no git on the PATH: the version only, no crash
    no_git = _code({**os.environ, "PATH": str(tmp_path / "nothing")}, REPO, REPO)
    assert no_git == {"version": crampdetect.__version__}
    # a copy of the package outside any checkout (an installed one): no commit
    shutil.copytree(REPO / "crampdetect", tmp_path / "site" / "crampdetect")
    copied = _code(dict(os.environ), tmp_path, tmp_path / "site")
    assert copied == {"version": crampdetect.__version__}


def test_a_schema_6_history_migrates_with_no_provenance_and_takes_one(tmp_path) -> None:
    """A file from before (schema 6) keeps its session, says it has no block, and a session
    stored after the migration keeps its own (a real SQLite file, reopened)."""
    import datetime as dt

    from oldhistory import history_at_schema

    from crampdetect.storage.history import SCHEMA_VERSION, History
    from crampdetect.storage.recorder import SessionRecorder

    path = tmp_path / "old.sqlite3"
    conn = history_at_schema(path, 6)
    conn.execute(
        "INSERT INTO sessions (id, started_at, night, profile, source) VALUES"
        " (1, '2026-11-01T23:00:00+01:00', '2026-11-01', 'night', 'COM3')"
    )
    conn.execute("PRAGMA user_version = 6")
    conn.commit()
    conn.close()
    block = {"schema": 2, "settings_sha256": "ab" * 32, "input": None}
    with History(path) as h:
        assert h.schema_version == SCHEMA_VERSION >= 7 and h.provenance(1) is None
        start = dt.datetime(2026, 11, 2, 23, 0).astimezone()
        rec = SessionRecorder(h, "night", ["calf"], "COM3", start, provenance=block)
        rec.close(60.0)
    with History(path) as h:
        assert h.provenance(rec.session_id) == block and h.provenance(1) is None


def test_the_settings_hash_covers_every_field_and_the_calibration() -> None:
    from crampdetect.provenance import provenance, settings_sha256

    night = profile_settings("night")
    base = settings_sha256(night)
    assert settings_sha256(profile_settings("night")) == base  # the same numbers, the same hash
    assert settings_sha256(profile_settings("night", "env")) != base  # signal defaults
    assert settings_sha256(night.replace(max_cramp_s=night.max_cramp_s + 1)) != base
    assert settings_sha256(night, {"calf": (5.0, 400.0)}) != base
    assert settings_sha256(night, {"calf": (5.0, 400.0)}) != settings_sha256(
        night, {"calf": (5.0, 401.0)}
    )
    # the block computes the same hash from the profile, signal and overrides it is given
    made = provenance("night", "raw", {"slow_s": night.slow_s + 1})
    assert made["settings_sha256"] == settings_sha256(night.replace(slow_s=night.slow_s + 1))


def test_report_takes_the_scoring_options_of_detect(recordings, tmp_path, monkeypatch, capsys):
    """``report --set/--user/--model`` score as ``detect`` with them: the same ids, and the
    provenance names the options (a re-scored run gets its HTML report)."""
    pytest.importorskip("matplotlib")
    from crampdetect.calibration import ChannelCalibration, save_calibration
    from crampdetect.core import Representation

    monkeypatch.setenv("CRAMPDETECT_HOME", str(tmp_path / "home"))
    cal = [ChannelCalibration("calf_right", "right", 2.0, 300.0, 40.0, 3)]
    save_calibration("anna", cal, Representation("raw", "uV", None), 1000.0, "test")
    path = recordings["csv"]
    options = ["--channels", "calf_right", "--set", "early_warning=no", "--user", "anna"]
    options += ["--model", "none"]
    out = tmp_path / "rescored.html"
    assert main(["report", str(path), "--out", str(out), "-q", *options]) == 0
    parser = ReportPage()
    parser.feed(out.read_text(encoding="utf-8"))
    prov = dict(parser.tables["provenance"])
    detected = _detect(capsys, path, *options)
    assert prov["settings.early_warning"] == "false" and prov["user"] == "anna"
    assert prov["settings_sha256"] == detected["provenance"]["settings_sha256"]
    assert prov["model"] == "null"
    events = parser.tables["events"][1:]
    assert [(int(r[0]), r[1], r[2]) for r in events] == [
        (e["id"], e["channel"], e["kind"]) for e in detected["events"]
    ]
    assert [e["kind"] for e in detected["events"]] == ["cramp"]  # no early warning: id 1
    plain = _detect(capsys, path, "--channels", "calf_right")
    assert plain["provenance"]["settings_sha256"] != prov["settings_sha256"]
    # refused before the recording is read, with detect's messages
    for bad in (["--set", "early_warning=maybe"], ["--user", "nobody"]):
        capsys.readouterr()
        assert main(["report", str(path), "--out", str(tmp_path / "x.html"), "-q", *bad]) == 2
        assert "early_warning" in capsys.readouterr().err or bad[0] == "--user"
        assert not (tmp_path / "x.html").exists()
