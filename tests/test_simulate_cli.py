"""``crampdetect simulate``: writes a CSV and its labels, rejects bad arguments in one line."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from crampdetect.cli import main


def test_cli_writes_csv_and_sidecar(tmp_path, capsys) -> None:
    out = tmp_path / "hold.csv"
    argv = [
        "simulate",
        "hold",
        "--seed",
        "2",
        "--duration",
        "20",
        "--rate",
        "500",
        "--units",
        "counts",
        "--adc-bits",
        "12",
        "--channels",
        "left,right",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    assert "wrote" in capsys.readouterr().out
    assert out.read_text().splitlines()[0] == "time_s,left,right"
    data = np.loadtxt(out, delimiter=",", skiprows=1)
    assert data.shape[1] == 3 and 0 <= data[:, 1:].min() and data[:, 1:].max() <= 4095
    labels = json.loads((tmp_path / "hold.labels.json").read_text())
    assert labels["scenario"] == "hold" and labels["profile"] == "training"
    assert labels["sample_rate_hz"] == 500 and labels["adc_bits"] == 12
    assert labels["units"] == "counts" and labels["channels"] == ["left", "right"]
    assert any(iv["kind"] == "voluntary_hold" for iv in labels["intervals"])


def test_cli_env_output(tmp_path) -> None:
    out = tmp_path / "env.csv"
    assert main(["simulate", "cramp", "--signal", "env", "--rate", "100", "--out", str(out)]) == 0
    labels = json.loads((tmp_path / "env.labels.json").read_text())
    assert labels["signal"] == "env" and labels["units"] == "counts" and labels["adc_bits"] == 10


@pytest.mark.parametrize(
    "extra",
    [
        ["nosuchscene"],
        ["--rate", "20"],
        ["--signal", "env", "--units", "uV"],
        ["--units", "uV", "--adc-bits", "12"],
        ["--duration", "-5"],
        ["--channels", "a,,b"],
        ["--eval-set", "x", "--hours", "0"],
    ],
)
def test_cli_rejects_bad_arguments_with_one_line(tmp_path, capsys, extra) -> None:
    code = main(["simulate", *extra, "--out", str(tmp_path / "x.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "error" in err
    assert not (tmp_path / "x.csv").exists()


def test_cli_missing_out_and_missing_directory(tmp_path, capsys) -> None:
    assert main(["simulate", "cramp"]) == 2
    assert main(["simulate", "cramp", "--out", str(tmp_path / "no" / "x.csv")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and "Traceback" not in "".join(err)


def test_cli_runs_as_a_program(tmp_path) -> None:
    out = tmp_path / "n.csv"
    proc = subprocess.run(
        [sys.executable, "-m", "crampdetect", "simulate", "night-short", "--duration", "10",
         "--out", str(out)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "n.labels.json").exists()
    proc = subprocess.run([sys.executable, "-m", "crampdetect", "simulate", "--rate", "x"],
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
