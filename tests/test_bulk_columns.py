"""Multi-column research CSVs: channels chosen by name (force, torque, angle... left out with a
note; ``--channels`` picks them), and a unit the column name states honoured (``emg_ta_V``).

Real files in a temp folder, read by ``detect``, ``replay`` and ``convert`` (the EDF copy read
back by edfio).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from crampdetect.cli import main
from crampdetect.ingest.columns import is_emg_name, unit_from_name
from crampdetect.storage.csvfile import open_csv

FS = 1000.0


def _signal(seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """40 s of raw EMG in µV: rest at 5 µV RMS, a 400 µV RMS contraction from 10 to 25 s."""
    t = np.arange(0, 40, 1 / FS)
    rng = np.random.default_rng(seed)
    uv = rng.normal(0, 5, t.size)
    on = (t > 10) & (t < 25)
    uv[on] += rng.normal(0, 400, on.sum())
    return t, uv


def _write(path, columns: dict[str, np.ndarray], t: np.ndarray) -> None:
    with open(path, "w") as fh:
        fh.write("time_s," + ",".join(columns) + "\n")
        np.savetxt(fh, np.column_stack([t, *columns.values()]), delimiter=",", fmt="%.9g")


def _detect(capsys, *argv: str) -> tuple[int, dict, str]:
    capsys.readouterr()
    code = main(["detect", *argv, "--json", "-q"])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else {}, err


@pytest.mark.parametrize(
    ("name", "emg"),
    [
        ("emg_ta_V", True),
        ("calf_left", True),
        ("left", True),
        ("ch1", True),
        ("force", False),
        ("force_N", False),
        ("ForceN", False),
        ("torque_Nm", False),
        ("ankle_angle_deg", False),
        ("accX", False),
        ("trigger", False),
        ("time_ms", False),
        ("emg_force_side", True),  # says EMG: kept
    ],
)
def test_is_emg_name(name, emg):
    assert is_emg_name(name) is emg


@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("emg_ta_V", "V"),
        ("EMG (mV)", "mV"),
        ("left[µV]", "uV"),
        ("calf_left_uV", "uV"),
        ("calf-counts", "counts"),
        ("calf_left", None),
        ("dev", None),
        ("emg_lv", None),
    ],
)
def test_unit_from_name(name, unit):
    assert unit_from_name(name) == unit


def test_force_torque_angle_columns_are_left_out_with_a_note(tmp_path, capsys):
    t, uv = _signal()
    path = tmp_path / "lab.csv"
    force = 20 + 200 * ((t > 10) & (t < 25))
    _write(path, {"emg_ta": uv, "torque_Nm": force, "ankle_angle_deg": -15 + 5 * np.sin(t)}, t)
    code, doc, err = _detect(capsys, str(path))
    assert code == 0, err
    assert doc["input"]["channels"] == ["emg_ta"]
    assert all(e["channel"] == "emg_ta" for e in doc["events"] + doc["quality"])
    assert "columns torque_Nm, ankle_angle_deg not read (not EMG by their names" in err
    # the other readers see the same channels (replay, convert)
    capsys.readouterr()
    assert main(["replay", str(path), "--json", "-q"]) == 0
    assert json.loads(capsys.readouterr().out)["input"]["channels"] == ["emg_ta"]


def test_channels_option_picks_columns_in_order(tmp_path, capsys):
    t, uv = _signal()
    path = tmp_path / "lab.csv"
    _write(path, {"emg_ta": uv, "force": 20 + 0 * t, "emg_gl": uv[::-1].copy()}, t)
    code, doc, err = _detect(capsys, str(path), "--channels", "emg_gl,emg_ta")
    assert code == 0, err
    assert doc["input"]["channels"] == ["emg_gl", "emg_ta"]
    assert "not read" not in err  # chosen: nothing to say
    code, _, err = _detect(capsys, str(path), "--channels", "emg_sol")
    assert code == 2
    assert "no column emg_sol (columns: emg_ta, force, emg_gl)" in err
    only_force = tmp_path / "force.csv"
    _write(only_force, {"force_N": 20 + 0 * t}, t)
    code, _, err = _detect(capsys, str(only_force))
    assert code == 2 and "no EMG column: force_N" in err and "--channels" in err


@pytest.mark.parametrize(("unit", "scale"), [("V", 1e-6), ("mV", 1e-3), ("uV", 1.0)])
def test_a_unit_in_the_column_name_is_honoured(tmp_path, capsys, unit, scale):
    t, uv = _signal()
    path = tmp_path / f"emg_{unit}.csv"
    _write(path, {f"emg_ta_{unit}": uv * scale, "torque_Nm": 20 + 0 * t}, t)
    code, doc, err = _detect(capsys, str(path))
    assert code == 0, err
    assert doc["input"]["units"] == unit and "units" not in doc["input"]["inferred"]
    assert doc["input"]["units_from_column_names"] == {f"emg_ta_{unit}": unit}
    code, doc, err = _detect(capsys, str(path), "--units", "uV")  # the option still wins
    assert code == 0 and doc["input"]["units"] == "uV", err


def test_the_edf_copy_keeps_the_emg_columns_in_their_named_unit(tmp_path, capsys):
    edfio = pytest.importorskip("edfio")
    t, uv = _signal()
    path = tmp_path / "lab.csv"
    _write(path, {"emg_ta_V": uv * 1e-6, "force_N": 20 + 0 * t}, t)
    out = tmp_path / "lab.edf"
    assert main(["convert", str(path), str(out), "-q"]) == 0
    edf = edfio.read_edf(out)
    (signal,) = [s for s in edf.signals if "Annotations" not in s.label]
    assert signal.label == "EMG emg_ta_V" and signal.physical_dimension == "V"  # not µV
    assert np.abs(signal.data - uv * 1e-6).max() < 0.01 * np.abs(uv * 1e-6).max()


def test_channels_naming_different_volt_units_are_read_in_one(tmp_path):
    t, uv = _signal()
    path = tmp_path / "mixed.csv"
    _write(path, {"left_uV": uv, "right_mV": uv * 1e-3, "force": 0 * t}, t)
    stream = open_csv(path)
    assert stream.channels == ("left_uV", "right_mV") and stream.units == "uV"
    data = np.hstack([b.data for b in stream.blocks()])
    np.testing.assert_allclose(data[1], data[0], rtol=1e-6, atol=1e-6)
    assert any("right_mV (mV) read in uV" in p for p in stream.problems)


def test_rescore_of_a_recording_honours_the_named_unit(tmp_path):
    from crampdetect.pipeline.rescore import rescore

    t, uv = _signal()
    path = tmp_path / "lab.csv"
    _write(path, {"emg_ta_mV": uv * 1e-3, "angle": 0 * t}, t)
    result = rescore(path)
    assert result["input"]["channels"] == ["emg_ta_mV"]
    assert result["input"]["units"] == "mV" and "units" not in result["input"]["inferred"]


def _edf_from_other_software(path, columns: dict[str, np.ndarray]) -> None:
    """An EDF as a lab's amplifier software writes it (edfio): its own signal labels."""
    import edfio

    signals = [
        edfio.EdfSignal(x, sampling_frequency=FS, label=name, physical_dimension=unit)
        for name, (x, unit) in columns.items()
    ]
    edfio.Edf(signals).write(path)


def test_every_format_leaves_out_non_emg_signals_by_name_as_a_csv(tmp_path, capsys):
    """The CSV rule on EDF and WAV too: a torque signal is not scored by default (a warning
    names it), ``--channels`` still picks it, in the order given."""
    import crampdetect
    from crampdetect.storage.formats import export
    from crampdetect.storage.recording import Recording, segments_from_array

    t, uv = _signal()
    torque = 20 + 200 * ((t > 10) & (t < 25))
    edf = tmp_path / "lab.edf"
    _edf_from_other_software(edf, {"emg_ta": (uv, "uV"), "torque_Nm": (torque, "Nm")})
    rec = Recording(
        tmp_path / "lab", "array", FS, ("emg_ta", "torque_Nm"), None,
        segments_from_array(t, np.vstack([uv, torque]), FS),
    )  # fmt: skip
    wav = export(rec, tmp_path / "lab.wav")
    for path in (edf, wav):
        opened = crampdetect.open(path)
        assert opened.channels == ("emg_ta",), path
        assert any("channel torque_Nm not read (not EMG by" in p for p in opened.problems)
        code, doc, err = _detect(capsys, str(path))
        assert code == 0, err
        assert doc["input"]["channels"] == ["emg_ta"]
        assert all(e["channel"] == "emg_ta" for e in doc["events"] + doc["quality"])
        assert "torque_Nm not read (not EMG by its name;" in err
        code, doc, err = _detect(capsys, str(path), "--channels", "torque_Nm,emg_ta")
        assert code == 0, err
        assert doc["input"]["channels"] == ["torque_Nm", "emg_ta"]
        assert "not read" not in err
