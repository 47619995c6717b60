"""`sim://calibration` plays the calibrate routine, so `calibrate` can be tried without hardware."""

from __future__ import annotations

from pathlib import Path

import pytest

from crampdetect.cli import main


def test_calibrate_on_the_simulated_routine(tmp_path: Path, monkeypatch, capsys) -> None:
    from crampdetect.calibration import load_calibration

    monkeypatch.setenv("CRAMPDETECT_HOME", str(tmp_path))
    argv = ["calibrate", "sim://calibration?speed=100", "--user", "sim", "--non-interactive"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "left: rest" in out and "right: rest" in out and "no contraction" not in out
    calibration = load_calibration("sim")
    assert set(calibration) == {"calf_left", "calf_right"}
    for rest_uv, max_uv in calibration.values():
        assert 1.0 < rest_uv < 100.0 and max_uv > 10 * rest_uv


def test_a_night_scene_cannot_pass_for_a_calibration(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CRAMPDETECT_HOME", str(tmp_path))
    argv = ["calibrate", "sim://night-short?speed=100", "--user", "x", "--non-interactive"]
    assert main(argv) == 2
    assert "contraction" in capsys.readouterr().err
    with pytest.raises(FileNotFoundError):
        (tmp_path / "profiles" / "x.json").read_text()
