"""``--block-s`` is checked once, where it is parsed, for every input kind (``detect`` and
``replay``; a CSV, a shipped text recording, a folder of them): zero, negative, NaN and inf are
refused with one line and exit status 2, before any file is read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crampdetect.cli import main

REPO = Path(__file__).resolve().parents[1]
TXT = REPO / "recordings" / "biosppy-emg-examples" / "emg.txt"
BAD = ("-1", "0", "nan", "inf", "-inf", "x")


@pytest.fixture(scope="module")
def csv_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("blocks") / "scene.csv"
    argv = ["simulate", "cramp", "--seed", "3", "--duration", "60", "-q", "--out", str(path)]
    assert main(argv) == 0
    return path


@pytest.mark.parametrize("command", ["detect", "replay"])
@pytest.mark.parametrize("kind", ["csv", "txt", "folder of txt", "two files"])
@pytest.mark.parametrize("value", BAD)
def test_bad_block_s_refused_for_every_input(command, kind, value, csv_file, capsys):
    paths = {
        "csv": [csv_file],
        "txt": [TXT],
        "folder of txt": [TXT.parent],
        "two files": [csv_file, TXT],
    }[kind]
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        main([command, *map(str, paths), "--json", "-q", f"--block-s={value}"])
    out, err = capsys.readouterr()
    assert stop.value.code == 2
    assert out == ""  # no file was scored
    assert len(err.strip().splitlines()) == 1
    assert "--block-s" in err and "positive number of seconds" in err


def test_shipped_text_recording_refused_from_the_command_line():
    bad = subprocess.run(
        [sys.executable, "-m", "crampdetect", "detect", str(TXT.parent), "--block-s", "-1"],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1, bad.stderr


def test_good_block_s_still_runs_a_text_recording(capsys):
    capsys.readouterr()
    assert main(["detect", str(TXT), "--json", "-q", "--block-s", "0.5"]) == 0
    assert '"block_s": 0.5' in capsys.readouterr().out
