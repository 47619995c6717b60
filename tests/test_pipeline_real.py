"""Real EMG recordings (gait, standing, sitting, a sustained voluntary hold, rest): no cramp alert.

The recordings are the copies shipped in ``recordings/`` (see each PROVENANCE.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import SHIPPED_REAL


def _write(path: Path, t: np.ndarray, cols: dict[str, np.ndarray]) -> Path:
    with path.open("w") as f:
        f.write("time_s," + ",".join(cols) + "\n")
        np.savetxt(f, np.column_stack([t, *cols.values()]), fmt="%.6g", delimiter=",")
    return path


def _biosppy(name, tmp):
    x = np.loadtxt(SHIPPED_REAL / "biosppy-emg-examples" / name, comments="#")
    return _write(tmp / "b.csv", np.arange(x.size) / 1000.0, {"emg": x}), ["--units", "counts"]


def _santuz(tmp):
    d = np.genfromtxt(
        SHIPPED_REAL / "gait-13muscles-santuz" / "ID0012_TW_01_raw_emg.csv",
        delimiter=",",
        names=True,
    )
    cols = {m: d[m] for m in ("GM", "GL", "SO", "TA")}
    return _write(tmp / "s.csv", d["time"], cols), ["--units", "uV"]


def _tecchio(name, tmp):
    d = np.genfromtxt(SHIPPED_REAL / "ta-sustained-tecchio2023" / name, delimiter=",", names=True)
    return _write(tmp / "t.csv", d["time_s"], {"ta": d["emg_ta_V"]}), ["--units", "V"]


def _uci(name, tmp):
    rows = []
    for line in (SHIPPED_REAL / "uci-lower-limb-sanchez" / name).read_text().splitlines():
        parts = line.split("\t")
        if len(parts) == 5:
            try:
                rows.append([float(p) for p in parts])
            except ValueError:
                continue
    a = np.array(rows)
    cols = {k: a[:, i] for i, k in enumerate(("rf", "bf", "vm", "st"))}
    return _write(tmp / "u.csv", np.arange(len(a)) / 1000.0, cols), ["--units", "mV"]


CASES = {
    "biosppy-rest-weak-activation": lambda tmp: _biosppy("emg.txt", tmp),
    "biosppy-rest-bursts": lambda tmp: _biosppy("emg_1.txt", tmp),
    "santuz-treadmill-gait-calf": _santuz,
    "tecchio-sustained-ta-hold": lambda tmp: _tecchio("PL_0_01.csv", tmp),
    "tecchio-passive-rest": lambda tmp: _tecchio("Pas_5.csv", tmp),
    **{f"uci-{n}": n for n in ("3Amar", "3Apie", "3Asen", "5Nmar", "5Npie", "5Nsen")},
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_training_profile_raises_no_cramp_on_real_recordings(case, tmp_path):
    make = CASES[case]
    path, opts = _uci(make + ".txt", tmp_path) if isinstance(make, str) else make(tmp_path)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "crampdetect",
            "detect",
            str(path),
            "--json",
            "--profile",
            "training",
            *opts,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout)
    assert result["input"]["duration_s"] > 5.0
    assert [e for e in result["events"] if e["kind"] == "cramp"] == []


def test_real_rest_is_not_flagged_as_bad_quality(tmp_path):
    path, opts = _tecchio("Pas_5.csv", tmp_path)
    out = subprocess.run(
        [sys.executable, "-m", "crampdetect", "detect", str(path), "--json", *opts],
        capture_output=True,
        text=True,
        check=True,
    )
    q = json.loads(out.stdout)["quality"]
    assert sum(i["end_s"] - i["start_s"] for i in q) < 0.01 * 17.0
