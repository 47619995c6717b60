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
        found = result.to_dict()
        assert {"events": doc["events"], "quality": doc["quality"]} == {
            "events": found["events"],
            "quality": found["quality"],
        }


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


CUTS = [(1000, 1050), (2000, 2300)]  # 50 samples across a wrap of the counter; 300 > a cycle


def _cut_rows(name: str, tmp_path: Path) -> Path:
    """The shipped sample with the data rows of CUTS removed, as lost packets leave it."""
    lines = (SAMPLES / name).read_text().splitlines(keepends=True)
    head = 5 if name.startswith("OpenBCI") else 0  # % lines and the column header
    drop = {head + i for a, b in CUTS for i in range(a, b)}
    path = tmp_path / name
    path.write_text("".join(line for k, line in enumerate(lines) if k not in drop))
    return path


@pytest.mark.parametrize(
    "name", ["OpenBCI-RAW-2025-12-05_15-30-00.txt", "BrainFlow-RAW_cyton_2025-12-05.csv"]
)
def test_rows_missing_from_the_sample_counter_are_gaps(name: str, tmp_path: Path, capsys) -> None:
    """The Cyton's counter (0-255, wraps) says how many samples were lost; a loss longer
    than one cycle is sized with the timestamps. The gaps reach detect like a CSV's gaps."""
    full = crampdetect.open(SAMPLES / name)
    _, reference = full.load()
    rec = crampdetect.open(_cut_rows(name, tmp_path))
    assert rec.fs == 250 and rec.n_gaps == 2
    assert [(s.start, s.n_samples) for s in rec.segments] == [(0, 1000), (1050, 950), (2300, 200)]
    for s in rec.segments:
        np.testing.assert_array_equal(s.load(), reference[:, s.start : s.start + s.n_samples])
    assert main(["detect", str(rec.path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["input"]["gaps"] == 2 and doc["input"]["duration_s"] == pytest.approx(10.0)
    gaps = {
        (round(q["start_s"], 3), round(q["end_s"], 3))
        for q in doc["quality"]
        if q["issue"] == "gap"
    }
    assert gaps == {(4.0, 4.2), (8.0, 9.2)}


def test_counter_variants_of_the_openbci_boards() -> None:
    """Cycles as the OpenBCI GUI's PacketLossTracker knows them: Cyton 0-255, Ganglion WiFi
    0-200, Cyton+Daisy 0-254 even or 1-255 odd; a repeating counter (Ganglion BLE) is no
    evidence and gives no gaps."""
    from crampdetect.storage.thirdparty import counter_gaps

    def lost(counter, keep):
        return counter_gaps(np.asarray(counter)[keep], None).tolist()

    keep = np.r_[0:300, 310:600]
    assert sum(lost(np.arange(600) % 256, keep)) == 10
    assert sum(lost(np.arange(600) % 201, keep)) == 10
    assert sum(lost(np.arange(600) * 2 % 256, keep)) == 10
    assert sum(lost((np.arange(600) * 2 + 1) % 256, keep)) == 10
    gaps = lost(np.arange(600) % 201, keep)
    assert gaps[300] == 10 and sum(g > 0 for g in gaps) == 1
    assert not any(lost(np.repeat(np.arange(300) % 101, 2), keep))
    stamps = np.arange(600) / 250.0  # a whole cycle and more lost: the timestamps tell
    keep = np.r_[0:100, 400:600]
    gaps = counter_gaps((np.arange(600) % 256)[keep], stamps[keep], 250.0)
    assert gaps[100] == 300 and gaps.sum() == 300


@pytest.mark.parametrize(
    "name", ["OpenBCI-RAW-2025-12-05_15-30-00.txt", "BrainFlow-RAW_cyton_2025-12-05.csv"]
)
def test_bad_samples_are_flagged_not_alerted_and_dropped_by_convert(
    name: str, tmp_path: Path, capsys
) -> None:
    """A NaN or absurd cell is one bad sample (flagged ``bad_value``, never an alert), not a
    lost file; ``convert`` drops its sample as it drops a CSV's bad rows (it never writes NaN)."""
    _, reference = crampdetect.open(SAMPLES / name).load()
    lines = (SAMPLES / name).read_text().splitlines(keepends=True)
    head = 5 if name.startswith("OpenBCI") else 0
    sep = "\t" if name.startswith("BrainFlow") else ","
    for row, cell in ((1200, "nan"), (1300, "1e300")):
        fields = lines[head + row].split(sep)
        fields[1] = cell  # exg0
        lines[head + row] = sep.join(fields)
    path = tmp_path / name
    path.write_text("".join(lines))

    rec = crampdetect.open(path)
    _, data = rec.load()
    expected = reference.copy()
    expected[0, [1200, 1300]] = np.nan
    np.testing.assert_array_equal(data, expected)
    (note,) = rec.problems
    assert "2 NaN, infinite or absurd" in note and "first at sample 1200 (4.800 s)" in note
    result = crampdetect.detect(rec)
    assert result.events == [] and result.cramps == []
    bad = [(q.channel, q.start_s, q.end_s) for q in result.quality if q.issue == "bad_value"]
    assert {ch for ch, _, _ in bad} == {"exg0"}
    for t in (4.8, 5.2):
        assert any(a <= t < b for _, a, b in bad), (t, bad)

    out = tmp_path / "copy.csv"
    assert main(["convert", str(path), str(out)]) == 0
    assert "dropped their 2 samples" in capsys.readouterr().err
    copy = crampdetect.open(out)
    _, kept = copy.load()
    assert copy.n_samples == rec.n_samples - 2 and copy.n_gaps == 2 and copy.problems == []
    np.testing.assert_allclose(kept, np.delete(reference, [1200, 1300], axis=1), atol=1e-6)
