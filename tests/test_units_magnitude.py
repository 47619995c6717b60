"""Raw EMG in mV or V is read in mV or V (by its magnitude, or by the units its column names
name), and a scale that cannot be told is warned about, naming the file and ``--units``.

At the level a user meets it: ``crampdetect simulate --units mV|V`` writes a CSV, and
``crampdetect detect`` (a separate process) scores it.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "crampdetect", *map(str, args)], capture_output=True, text=True
    )


def _detect(path, *extra):
    r = _cli("detect", path, "--json", "-q", *extra)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout), r.stderr


def _cramps(doc):
    return [(e["channel"], e["alert_s"]) for e in doc["events"] if e["kind"] == "cramp"]


@pytest.fixture(scope="module")
def cramp_files(tmp_path_factory):
    """``simulate cramp --seed 1`` written in µV, mV and V (the same signal scaled)."""
    folder = tmp_path_factory.mktemp("units")
    out = {}
    for units in ("uV", "mV", "V"):
        path = folder / f"cramp_{units}.csv"
        r = _cli("simulate", "cramp", "--seed", 1, "--units", units, "--out", path, "-q")
        assert r.returncode == 0, r.stderr
        out[units] = path
    return out


@pytest.mark.parametrize("units", ["mV", "V"])
def test_a_cramp_in_mv_or_v_is_alerted_as_in_microvolts(cramp_files, units):
    ref, _ = _detect(cramp_files["uV"])
    doc, err = _detect(cramp_files[units])
    assert doc["input"]["units"] == units and "units" in doc["input"]["inferred"]
    assert _cramps(doc) == _cramps(ref) and _cramps(ref)  # the same alert, not 60 s late
    assert "warning" not in err  # unambiguous: nothing to warn about


def test_given_units_still_win(cramp_files):
    doc, _ = _detect(cramp_files["mV"], "--units", "uV")
    assert doc["input"]["units"] == "uV" and "units" not in doc["input"]["inferred"]


def _rewrite(src, dst, header, scale):
    """``src`` with its EMG columns multiplied by ``scale`` and the header replaced."""
    lines = src.read_text().splitlines()
    rows = [header]
    for line in lines[1:]:
        t, *cells = line.split(",")
        rows.append(",".join([t, *(repr(float(c) * scale) for c in cells)]))
    dst.write_text("\n".join(rows) + "\n")
    return dst


def test_units_named_by_the_columns_win(cramp_files, tmp_path):
    path = _rewrite(cramp_files["uV"], tmp_path / "named.csv", "time_s,left (mV),right (mV)", 1e-3)
    doc, err = _detect(path)
    assert doc["input"]["units"] == "mV" and "units" not in doc["input"]["inferred"]
    assert doc["input"]["inference"]["units_from"] == "name" and "warning" not in err
    assert _cramps(doc)


def test_column_names_the_magnitude_contradicts_are_warned_about(cramp_files, tmp_path):
    path = _rewrite(cramp_files["uV"], tmp_path / "wrong.csv", "time_s,left_V,right_V", 1e-3)
    doc, err = _detect(path)
    assert doc["input"]["units"] == "V"  # the names win ...
    (line,) = [x for x in err.splitlines() if "warning" in x]
    assert "wrong.csv" in line and "--units mV" in line  # ... but the user is told
    assert any("--units mV" in p for p in doc["input"]["problems"])


def test_an_ambiguous_scale_is_warned_about(cramp_files, tmp_path):
    # rest near 0.1 in the file's values: 0.1 µV (a very quiet amplifier) or 100 µV (mV)?
    path = _rewrite(cramp_files["uV"], tmp_path / "odd.csv", "time_s,calf_left,calf_right", 0.04)
    doc, err = _detect(path)
    (line,) = [x for x in err.splitlines() if "warning" in x]
    units = doc["input"]["units"]
    assert "odd.csv" in line and f"read as {units}" in line and "--units" in line


def test_a_loud_start_is_revised_to_millivolts_at_any_block_size():
    from crampdetect.ingest.inference import RepresentationInference

    rng = np.random.default_rng(3)
    fs = 1000.0
    x = rng.normal(0, 0.004, (1, 90_000))  # 4 µV at rest, in mV ...
    x[0, :40_000] *= 100.0  # ... after 40 s of contraction (0.4 mV RMS)
    infos = []
    for block in (20, 777, 60_000, x.shape[1]):
        inf = RepresentationInference(fs)
        for a in range(0, x.shape[1], block):
            inf.feed(x[:, a : a + block])
        infos.append((inf.finish(), inf.info()))
    assert all(i == infos[0] for i in infos[1:])
    rep, info = infos[0]
    assert rep.units == "mV"
    (rev,) = info["revisions"]
    assert (rev["field"], rev["from"], rev["to"]) == ("units", "uV", "mV")
    assert 42.0 <= rev["at_s"] <= 44.0  # the third quiet second


@pytest.mark.parametrize("rail", [7903.64, -813.27])
def test_a_raw_output_stuck_at_a_rail_is_no_quiet_floor(rail):
    # A lead-off pins raw µV at one value for minutes: its 1-s deviations are float rounding
    # (~1e-10), which read as a floor made the night V from there on (and silenced it).
    from crampdetect.ingest.inference import RepresentationInference

    rng = np.random.default_rng(5)
    fs = 1000.0
    x = rng.normal(0, 6.0, (2, 200_000))  # 6 µV at rest, both legs
    x[0, 60_000:120_000] = rail  # 60 s of one leg stuck at the rail
    infos = []
    for block in (10, 999, x.shape[1]):
        inf = RepresentationInference(fs)
        for a in range(0, x.shape[1], block):
            inf.feed(x[:, a : a + block])
        infos.append((inf.finish(), inf.info(), inf.warnings))
    assert all(i == infos[0] for i in infos[1:])
    rep, info, warnings = infos[0]
    assert rep.units == "uV" and info["revisions"] == [] and warnings == []


def test_unit_names():
    from crampdetect.ingest.inference import units_from_names

    assert units_from_names(["time_s", "calf_left_mV", "calf_right_mV"]) == "mV"
    assert units_from_names(["EMG (uV)"]) == "uV" and units_from_names(["emg [V]"]) == "V"
    assert units_from_names(["calf_left", "calf_right"]) is None
    assert units_from_names(["a_mV", "b_V"]) is None  # disagree: not named


def _wav(src, dst, scale):
    """A float WAV without sidecar of ``src``'s EMG columns times ``scale``."""
    from scipy.io import wavfile

    data = np.loadtxt(src, delimiter=",", skiprows=1)
    wavfile.write(dst, 1000, (data[:, 1:] * scale).astype(np.float32))
    return dst


def test_a_wav_in_volts_without_sidecar_is_read_in_volts(cramp_files, tmp_path):
    ref, _ = _detect(cramp_files["uV"])
    doc, _ = _detect(_wav(cramp_files["uV"], tmp_path / "volts.wav", 1e-6))
    assert doc["input"]["units"] == "V"
    assert [a for _, a in _cramps(doc)] == [a for _, a in _cramps(ref)]


def test_replay_and_report_warn_about_an_ambiguous_scale(cramp_files, tmp_path):
    wav = _wav(cramp_files["uV"], tmp_path / "odd.wav", 0.04)
    r = _cli("replay", wav, "--json", "-q")
    assert r.returncode == 0, r.stderr
    assert any("odd.wav: its quiet level" in x and "--units" in x for x in r.stderr.splitlines())
    r = _cli("report", wav, "--out", tmp_path / "odd.html", "-q")
    assert r.returncode == 0, r.stderr
    assert any("odd.wav: its quiet level" in x and "--units" in x for x in r.stderr.splitlines())


def test_monitor_of_a_file_warns_about_an_ambiguous_scale(cramp_files, tmp_path):
    wav = _wav(cramp_files["uV"], tmp_path / "odd.wav", 0.04)
    r = _cli("monitor", f"file://{wav}", "--no-view", "--json-events")
    assert r.returncode == 0, r.stderr
    assert any("odd.wav: its quiet level" in x for x in r.stderr.splitlines())
