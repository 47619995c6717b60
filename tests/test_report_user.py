"""`report --user NAME` says when the calibration does not fit the recording, with the very
lines `detect --user NAME` prints (one check: ``CalibrationWatch``), on stderr and in the
report."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from crampdetect.calibration import ChannelCalibration, save_calibration
from crampdetect.cli import main
from crampdetect.core import Representation

pytest.importorskip("matplotlib")

FS = 500.0
LEGS = ("calf_left", "calf_right")
WARNING = "crampdetect {}: warning: "


def _warnings(err: str, command: str) -> list[str]:
    head = WARNING.format(command)
    return [line[len(head) :] for line in err.splitlines() if line.startswith(head)]


def test_report_user_warns_as_detect_user_does(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CRAMPDETECT_HOME", str(tmp_path / "home"))
    t = np.arange(0, 75.0, 1 / FS)
    uv = np.random.default_rng(4).normal(0, 5, (2, t.size))  # rest at 5 µV RMS
    csv = tmp_path / "night.csv"
    with open(csv, "w") as fh:
        fh.write("time_s," + ",".join(LEGS) + "\n")
        np.savetxt(fh, np.column_stack([t, *uv]), delimiter=",", fmt="%.9g")
    # a rest of 40 µV (another sensor's) for a recording resting at 5 µV: it does not fit
    cal = [ChannelCalibration(c, c.split("_")[1], 40.0, 800.0, 40.0, 3) for c in LEGS]
    save_calibration("anna", cal, Representation(), FS, "test")

    assert main(["detect", str(csv), "--user", "anna", "-q"]) == 0
    said = _warnings(capsys.readouterr().err, "detect")
    assert len(said) == 2 and all("anna" in w and "quiet floor" in w for w in said), said

    out = tmp_path / "night.html"
    assert main(["report", str(csv), "--user", "anna", "--out", str(out), "-q"]) == 0
    err = capsys.readouterr().err
    assert _warnings(err, "report") == [w.replace("night.csv", str(csv), 1) for w in said], err
    page = out.read_text(encoding="utf-8")
    assert all("quiet floor" in page and "calibrate again" in page for w in said)

    # without --user, nothing to check: no warning
    plain = tmp_path / "plain.html"
    assert main(["report", str(csv), "--out", str(plain), "-q"]) == 0
    assert _warnings(capsys.readouterr().err, "report") == []
