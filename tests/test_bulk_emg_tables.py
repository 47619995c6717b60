"""A bulk ``detect``/``convert``/``evaluate`` over a folder names the text tables that look like
EMG but lack their ``recordings.json`` entry apart from the notes (README, PROVENANCE), with
the hint the error for one of them gives when it is named alone. Real files in a temp folder."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import run_cli

from crampdetect.cli import main

#: A text table like the shipped biosppy example (no time column, no rate, no units).
TABLE = "# Simple Text Format\n# Sampling Rate (Hz):= 1000.00\n" + "".join(
    f"{2048 + (i * 37) % 23}.0\n" for i in range(400)
)


@pytest.fixture
def study(labelled: Path, tmp_path: Path) -> Path:
    """A labelled recording, a README, an EMG text table with no recordings.json beside it,
    and in a sub-folder one its recordings.json does not list."""
    folder = tmp_path / "study"
    (folder / "sub").mkdir(parents=True)
    for name in ("cramp.csv", "cramp.labels.json"):
        shutil.copy(labelled / name, folder / name)
    (folder / "README.md").write_text("# what is in this folder\n")
    (folder / "emg.txt").write_text(TABLE)
    (folder / "sub" / "leg.txt").write_text(TABLE)
    (folder / "sub" / "recordings.json").write_text('{"files": {}}')
    return folder


@pytest.mark.parametrize("command", ["detect", "convert", "evaluate"])
def test_bulk_runs_name_emg_tables_apart_with_the_single_file_hint(
    study: Path, tmp_path: Path, capsys, command: str
) -> None:
    assert main(["detect", str(study / "emg.txt")]) == 2  # named alone: its error and hint
    (alone,) = capsys.readouterr().err.splitlines()
    hint = alone.split("; ", 1)[1].replace("emg.txt's", "its")
    assert hint.startswith("a text table like the real recordings in recordings/")

    extra = {
        "detect": ["--json"],
        "convert": ["--out", str(tmp_path / "copies"), "--format", "csv"],
        "evaluate": ["--workers", "1", "--no-progress"],
    }[command]
    assert main([command, str(study), "-r", *extra]) == 0
    err = capsys.readouterr().err.splitlines()
    notes = [x for x in err if "non-recording file" in x or "not labelled recordings" in x]
    assert notes and all("emg.txt" not in x and "leg.txt" not in x for x in notes), err
    assert any(str(study / "README.md") in x for x in notes), err
    (bare,) = [x for x in err if "with no recordings.json beside it" in x]
    assert bare == (
        f"crampdetect {command}: skipped 1 text table that looks like EMG, with no "
        f"recordings.json beside it: {study / 'emg.txt'}; {hint}"
    )
    (unlisted,) = [x for x in err if "not listed in the recordings.json" in x]
    assert str(study / "sub" / "leg.txt") in unlisted and "add its entry there" in unlisted


def test_evaluate_json_lists_emg_tables_among_the_skipped_with_why(study: Path, capsys) -> None:
    assert main(["evaluate", str(study), "-r", "--json", "--workers", "1", "-q"]) == 0
    skipped = {s["path"]: s["reason"] for s in json.loads(capsys.readouterr().out)["skipped"]}
    assert skipped[str(study / "README.md")] == "not a recording"
    assert "no recordings.json beside it" in skipped[str(study / "emg.txt")]
    assert "does not list" in skipped[str(study / "sub" / "leg.txt")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_in_the_folder_is_not_opened(study: Path, tmp_path: Path) -> None:
    """Looking for EMG tables never opens a pipe (it would wait for a writer for ever)."""
    os.mkfifo(study / "pipe.txt")
    res = run_cli("detect", study, "--json", "-q", home=tmp_path / "home", timeout=120)
    assert res.returncode == 0, res.stderr
    assert "pipe.txt" in res.stderr and "emg.txt" in res.stderr
