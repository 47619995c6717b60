"""OpenBCI GUI and BrainFlow files: opened, detected, replayed and converted like our own."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO

import crampdetect
from crampdetect.cli import main
from crampdetect.simulate import simulate

SAMPLES = REPO / "recordings" / "openbci-brainflow-generated"
T0 = 1764970200.0  # 2025-12-05 21:30:00 UTC
FS = 500.0  # a Cyton over WiFi


def _writers():
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def cramp() -> np.ndarray:
    """3 min of simulated calves (µV) with a cramp on the second channel."""
    _, emg = next(simulate("cramp", seed=1, fs=FS).iter_chunks(1e9))
    return np.round(emg, 3)


@pytest.fixture(scope="module", params=["openbci", "brainflow"])
def written(request, cramp: np.ndarray, tmp_path_factory) -> tuple[str, Path]:
    mod, folder = _writers(), tmp_path_factory.mktemp(request.param)
    if request.param == "openbci":
        path = folder / "OpenBCI-RAW-2025-12-05_22-30-00.txt"
        mod.write_openbci_gui(path, cramp, FS, T0)
    else:
        path = folder / "brainflow.csv"
        mod.write_brainflow(path, cramp, FS, T0)
    return request.param, path


def test_open_reads_the_exg_channels_in_microvolts(written, cramp: np.ndarray) -> None:
    kind, path = written
    rec = crampdetect.open(path)
    assert (rec.kind, rec.fs, rec.channels) == (kind, FS, tuple(f"exg{i}" for i in range(8)))
    _, data = rec.load()
    np.testing.assert_allclose(data[:2], cramp, atol=1e-6)
    assert not data[2:].any()
    assert rec.representation.units == "uV" and rec.meta["created_utc"] == "2025-12-05T21:30:00Z"


def test_detect_replay_and_the_api_agree(written, cramp: np.ndarray, capsys) -> None:
    _, path = written
    result = crampdetect.detect(crampdetect.open(path))
    truth = crampdetect.detect(cramp, fs=FS, units="uV", channels=("exg0", "exg1"))
    (found,) = result.cramps
    (expected,) = truth.cramps
    assert found.channel == expected.channel == "exg1"
    assert found.onset_s == pytest.approx(expected.onset_s, abs=0.05)
    assert found.alert_s == pytest.approx(expected.alert_s, abs=0.05)
    for command in ("detect", "replay"):
        capsys.readouterr()
        assert main([command, str(path), "--json"]) == 0
        doc = json.loads(capsys.readouterr().out)
        assert {"events": doc["events"], "quality": doc["quality"]} == result.to_dict()


def test_convert_to_edf_keeps_samples_and_start_time(written, cramp, tmp_path) -> None:
    mne = pytest.importorskip("mne")
    _, path = written
    out = tmp_path / "copy.edf"
    assert main(["convert", str(path), str(out)]) == 0
    raw = mne.io.read_raw_edf(out, infer_types=True, preload=True, verbose="error")
    assert raw.get_channel_types()[:2] == ["emg", "emg"]
    np.testing.assert_allclose(raw.get_data()[:2, : cramp.shape[1]] * 1e6, cramp, atol=0.05)
    local = crampdetect.open(out).meta["created_utc"]
    assert local == "2025-12-05T21:30:00Z"


@pytest.mark.parametrize(
    "name", ["OpenBCI-RAW-2025-12-05_15-30-00.txt", "BrainFlow-RAW_cyton_2025-12-05.csv"]
)
def test_shipped_samples_open_and_stay_silent(name: str) -> None:
    rec = crampdetect.open(SAMPLES / name)
    assert rec.fs == 250 and rec.n_samples == 2500 and len(rec.channels) == 8
    for profile in ("night", "training"):  # walking: no cramp
        assert crampdetect.detect(rec, profile=profile).cramps == []
