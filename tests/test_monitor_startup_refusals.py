"""A monitor that refuses to start stores nothing: no history session for a run that never
monitored (a `--record` that exists or whose folder is missing), and `--record` refuses a
missing folder as `simulate --out` does, instead of creating it."""

from __future__ import annotations

import io

import pytest
from conftest import run_cli as _cli

from crampdetect.core import InputError

NIGHT = "sim://night-short?seed=3&speed=0"


def _sessions(home) -> list:
    from crampdetect.storage.history import open_history

    path = home / "history.sqlite3"
    if not path.exists():
        return []
    with open_history(path) as history:
        return list(history.sessions())


def test_an_existing_recording_refuses_the_start_and_stores_no_history_session(tmp_path):
    rec = tmp_path / "night.cdrec"
    rec.mkdir()
    (rec / "meta.json").write_text("{}")
    r = _cli("monitor", NIGHT, "--no-view", "--history", "--record", rec, "--duration", "5",
             home=tmp_path)  # fmt: skip
    assert r.returncode == 2 and "already exists" in r.stderr, r.stderr
    assert _sessions(tmp_path) == []
    listed = _cli("history", home=tmp_path)
    assert "night" not in listed.stdout.replace("Night history", ""), listed.stdout


@pytest.mark.parametrize("command", ["monitor", "record"])
def test_a_record_path_in_a_missing_folder_is_refused_not_created(tmp_path, command):
    rec = tmp_path / "no" / "such" / "x.cdrec"
    args = ["--no-view", "--history", "--record"] if command == "monitor" else ["--out"]
    r = _cli(command, NIGHT, *args, rec, "--duration", "5", home=tmp_path)
    assert r.returncode == 2 and "does not exist" in r.stderr, r.stderr
    assert not (tmp_path / "no").exists()
    assert _sessions(tmp_path) == []


def test_a_recording_that_cannot_start_at_the_first_block_removes_its_history_session(
    tmp_path, monkeypatch
):
    """The live monitor's own guard (a refusal the CLI could not see beforehand, e.g. a
    folder made meanwhile): the history session opened at the first block goes again."""
    from crampdetect.alerts.journal import start_journal
    from crampdetect.cli._statusview import MessageLines
    from crampdetect.cli.monitor import make_policy
    from crampdetect.ingest.sources import open_source
    from crampdetect.pipeline.live import LiveMonitor

    monkeypatch.setenv("CRAMPDETECT_HOME", str(tmp_path))

    def history(block):
        return start_journal("night", NIGHT, block.channels, block.t0)

    def recording(block, pipe):
        raise InputError("x.cdrec already exists; refusing to overwrite a recording")

    source = open_source(NIGHT)
    monitor = LiveMonitor(
        source, "night", make_policy("guided", "night"), MessageLines(io.StringIO()),
        None, history=history, recording=recording,
    )  # fmt: skip
    with pytest.raises(InputError), source:
        monitor.run(5.0, None)
    assert _sessions(tmp_path) == []


@pytest.mark.parametrize("signal", ["raw", "env"])
def test_a_monitored_session_stores_one_settings_hash_as_detect_does(tmp_path, signal):
    """Once the board's status frame said raw or env, the session's provenance holds the one
    hash of the settings the detector ran with (not one per signal), as `detect --json`."""
    from crampdetect.provenance import provenance
    from crampdetect.storage.history import open_history

    url = f"sim://night-short?seed=3&speed=0&signal={signal}"
    r = _cli("monitor", url, "--no-view", "--history", "--duration", "3", home=tmp_path)
    assert r.returncode == 0, r.stderr
    with open_history(tmp_path / "history.sqlite3") as history:
        (row,) = history.sessions()
        stored = history.provenance(int(row["id"]))
    assert stored["settings_sha256"] == provenance("night", signal)["settings_sha256"]
    assert isinstance(stored["settings_sha256"], str)
    assert stored["settings"] == {}


def test_history_where_refuses_an_action_it_would_silently_skip(tmp_path):
    r = _cli("history", "--where", "--export", tmp_path / "x.json", home=tmp_path)
    assert r.returncode == 2 and "--where" in r.stderr and "--export" in r.stderr, r.stderr
    assert not (tmp_path / "x.json").exists()
    alone = _cli("history", "--where", home=tmp_path)
    assert alone.returncode == 0 and str(tmp_path) in alone.stdout
