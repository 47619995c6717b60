"""Messages a new user meets when combining this round's features (found by trying them).

Real files in a temp folder, run through the CLI as a user would (``main``), or the
calibration check at the level ``detect --user`` / ``monitor --user`` use it.
"""

from __future__ import annotations

import numpy as np
import pytest

from crampdetect.cli import main
from crampdetect.core import Representation

FS = 1000.0


def _write(path, columns: dict[str, np.ndarray], t: np.ndarray) -> None:
    with open(path, "w") as fh:
        fh.write("time_s," + ",".join(columns) + "\n")
        np.savetxt(fh, np.column_stack([t, *columns.values()]), delimiter=",", fmt="%.9g")


def _emg(seconds: float = 20.0, rms: float = 5.0, seed: int = 1):
    t = np.arange(0, seconds, 1 / FS)
    return t, np.random.default_rng(seed).normal(0, rms, t.size)


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_convert_names_an_unrecoverable_csv_once(tmp_path, capsys):
    bad = tmp_path / "broken.csv"
    bad.write_text("time_s,calf_left\n0,1\n0.001,abc\n")
    code, _, err = _run(capsys, "convert", str(bad), str(tmp_path / "x.csv"))
    assert code == 2
    (line,) = [x for x in err.splitlines() if "error" in x]
    assert "no readable rows" in line
    assert line.count("broken.csv") == 1, line  # not "broken.csv: broken.csv: ..."


def test_convert_out_names_the_recording_whose_copy_would_overwrite_another(tmp_path, capsys):
    pytest.importorskip("soundfile")
    study = tmp_path / "study"
    study.mkdir()
    t, uv = _emg()
    _write(study / "a.csv", {"calf_left": uv}, t)
    assert _run(capsys, "convert", str(study / "a.csv"), str(study / "a.wav"), "-q")[0] == 0
    code, _, err = _run(
        capsys, "convert", str(study), "--out", str(tmp_path / "out"), "--format", "wav", "-q"
    )
    assert code == 2
    (line,) = [x for x in err.splitlines() if "would overwrite" in x]
    # the WAV's own copy clashes with the CSV's: the line says which recording was not copied
    assert line.startswith(f"crampdetect convert: error: {study / 'a.wav'}: its copy"), line


def test_the_left_out_note_sends_the_user_to_the_option_the_command_has(tmp_path, capsys):
    t, uv = _emg()
    path = tmp_path / "lab.csv"
    _write(path, {"emg_ta": uv, "torque_Nm": 20 + 0 * t}, t)
    code, _, err = _run(capsys, "replay", str(path), "--json", "-q")
    assert code == 0, err
    (note,) = [x for x in err.splitlines() if "not read" in x]
    assert "with --channels" in note  # replay has --channels too (every command that reads)
    code, out, err = _run(capsys, "replay", str(path), "--channels", "torque_Nm", "--json", "-q")
    assert code == 0, err
    assert '"channels": ["torque_Nm"]' in out


def test_detect_takes_channels_on_a_wav_copy(tmp_path, capsys):
    pytest.importorskip("soundfile")
    t, uv = _emg()
    src = tmp_path / "a.csv"
    _write(src, {"calf_left": uv, "calf_right": uv}, t)
    wav = tmp_path / "a.wav"
    assert _run(capsys, "convert", str(src), str(wav), "-q")[0] == 0
    code, out, err = _run(capsys, "detect", str(wav), "--channels", "calf_right", "-q")
    assert code == 0, err
    assert "1 channel calf_right" in out


def test_calibration_floor_ratio_is_not_shown_as_zero():
    from crampdetect.calibration import CHECK_AFTER_S, CalibrationCheck

    stored = {"calf_left": {"rest_rms_uv": 40.0}}
    rep = Representation("raw", "uV", None)
    check = CalibrationCheck(stored, ("calf_left",), rep, FS, 10, "anna")
    check.feed(np.full((1, int(10 * (CHECK_AFTER_S + 5))), 1.6))  # 1.6 µV floor vs 40 µV rest
    (line,) = check.floor_warnings()
    assert "(0.04x)" in line and "(0.0x)" not in line, line


def test_units_warning_in_uv_says_the_level_once(tmp_path, capsys):
    t, uv = _emg(40.0)
    path = tmp_path / "named.csv"
    _write(path, {"calf_uV": uv * 1e-3}, t)  # millivolts under a µV name
    code, _, err = _run(capsys, "detect", str(path), "-q")
    assert code == 0, err
    (line,) = [x for x in err.splitlines() if "names say" in x]
    assert "give --units mV" in line
    assert "µV) would be" not in line, line  # not "(0.005 µV) would be 0.005 µV RMS"


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["--units", "mV", "--channels", "calf_uV,calf_right"], "give --units uV, or"),
        (["--signal", "env", "--channels", "calf_mV"], "give a name without a unit"),
    ],
)
def test_simulate_refuses_channel_names_stating_another_unit(tmp_path, capsys, argv, hint):
    out = tmp_path / "s.csv"
    code, _, err = _run(capsys, "simulate", "cramp", "--duration", "5", "--out", str(out), *argv)
    assert code == 2 and hint in err, err
    assert not out.exists()


def test_simulate_keeps_channel_names_stating_its_unit(tmp_path, capsys):
    out = tmp_path / "s.csv"
    code, _, err = _run(
        capsys, "simulate", "cramp", "--duration", "5", "--units", "mV",
        "--channels", "calf_mV,calf_right", "--out", str(out), "-q",
    )  # fmt: skip
    assert code == 0, err
    assert out.read_text().splitlines()[0] == "time_s,calf_mV,calf_right"


def test_replay_speed_paces_the_one_recording_of_a_folder(tmp_path, capsys):
    folder = tmp_path / "one"
    folder.mkdir()
    t, uv = _emg(10.0)
    _write(folder / "a.csv", {"calf_left": uv}, t)
    code, out, err = _run(capsys, "replay", str(folder), "--speed", "1000", "-q")
    assert code == 0, err
    assert "0 events" in out
    _write(folder / "b.csv", {"calf_left": uv}, t)  # two: --speed cannot pace both
    code, _, err = _run(capsys, "replay", str(folder), "--speed", "1000", "-q")
    assert code == 2 and "--speed paces one recording" in err and "hold 2" in err, err


def test_the_default_live_policy_follows_the_profile():
    # `demo --scenario training` builds a LiveMonitor without a policy: a cramp back on the
    # same leg is the same one within the training rejoin_s (30 s), not the night's 60 s
    from crampdetect.alerts.patterns import settings_for
    from crampdetect.pipeline.live import LiveMonitor

    class Board:  # only what the constructor touches
        def send(self, command: str, **fields) -> bool:
            return True

    for profile in ("night", "training"):
        monitor = LiveMonitor(Board(), profile)  # type: ignore[arg-type]
        assert monitor.policy.rejoin_s == settings_for(profile).rejoin_s
    assert settings_for("training").rejoin_s != settings_for("night").rejoin_s


@pytest.mark.parametrize("units", ["mV", "V", "counts"])
def test_history_activity_timeline_reads_a_csv_in_its_units(tmp_path, capsys, units):
    # `history --import RUN.json --recording RUN.csv`: an athlete's CSV in mV (or V, or
    # counts) has the same timeline as in µV, not "rest" throughout
    from crampdetect.reports.activity import activity_from_file

    runs = {}
    for u in ("uV", units):
        out = tmp_path / f"run_{u}.csv"
        argv = ["simulate", "training", "--seed", "5", "--duration", "150", "--units", u]
        assert _run(capsys, *argv, "--out", str(out), "-q")[0] == 0
        runs[u] = [(ch, kind) for ch, _, _, kind in activity_from_file(out)]
    assert ("calf_left", "walking") in runs["uV"]
    if units == "counts":  # another signal chain (ADC gain, offset, steps): the same activities
        assert {k for _, k in runs[units]} >= {"standing", "walking"}, runs[units]
    else:  # the same signal scaled
        assert runs[units] == runs["uV"]


@pytest.mark.parametrize(
    ("channels", "expected"),
    [
        (("calf_left", "calf_right"), ("calf_left", "calf_right")),
        (("left", "right"), ("left", "right")),
        (("calf_left_mV", "calf_right_mV"), ("calf_left_mV", "calf_right_mV")),
        (("Left calf (mV)", "Right calf (mV)"), ("Left calf (mV)", "Right calf (mV)")),
    ],
)
def test_calibrate_finds_the_legs_in_channel_names_with_a_unit(channels, expected):
    from crampdetect.cli.calibrate import leg_channels

    pairs = list(zip(("left", "right"), expected, strict=True))
    assert leg_channels(["left", "right"], channels) == pairs


def test_calibrate_a_csv_whose_columns_name_their_unit(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CRAMPDETECT_HOME", str(tmp_path / "home"))
    cal = tmp_path / "cal.csv"
    argv = ["simulate", "calibration", "--units", "mV", "--out", str(cal), "-q"]
    assert _run(capsys, *argv, "--channels", "calf_left_mV,calf_right_mV")[0] == 0
    code, out, err = _run(capsys, "calibrate", str(cal), "--user", "lab", "--non-interactive")
    assert code == 0, err
    assert "Calibration saved for user 'lab'" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["--units", "mV"],
        ["training"],
        ["--rate", "500", "--channels", "a,b"],
        ["--wearer", "night"],
    ],
)
def test_simulate_eval_set_refuses_options_it_would_ignore(tmp_path, capsys, argv):
    out = tmp_path / "set"
    code, _, err = _run(capsys, "simulate", "--eval-set", str(out), "--hours", "0.05", *argv)
    assert code == 2 and "for one --out recording" in err, err
    assert not out.exists() or not any(out.iterdir())


def test_convert_out_quiet_prints_nothing_when_all_went_well(tmp_path, capsys):
    study = tmp_path / "study"
    study.mkdir()
    t, uv = _emg()
    _write(study / "a.csv", {"calf_left": uv}, t)
    argv = ["convert", str(study), "--out", str(tmp_path / "out"), "--format", "csv"]
    code, out, err = _run(capsys, *argv, "-q")  # -q: only errors and warnings
    assert code == 0 and out == "" and err == "", err
    code, _, err = _run(capsys, *argv, "--force")
    assert code == 0 and "1 of 1 recording converted" in err


def test_a_file_source_names_the_recording_once_in_its_warnings(tmp_path, caplog):
    # `monitor file://lab.csv`: the reader's note already names the file
    import logging

    from crampdetect.ingest.replay import open_recording_source

    t, uv = _emg()
    path = tmp_path / "lab.csv"
    _write(path, {"emg_ta": uv, "torque_Nm": 20 + 0 * t}, t)
    with caplog.at_level(logging.WARNING, logger="crampdetect.ingest.replay"):
        open_recording_source(str(path)).close()
    (line,) = [r.getMessage() for r in caplog.records if "not read" in r.getMessage()]
    assert line.count("lab.csv") == 1, line


def test_detect_reads_a_csv_copy_in_the_representation_its_sidecar_states(tmp_path, capsys):
    # `convert REC copy.csv` writes what the samples are into copy.csv.session.json; detect
    # reads the copy as replay does (not re-inferred), so both give the same result
    import json

    src = tmp_path / "night.csv"
    argv = ["simulate", "cramp", "--seed", "2", "--duration", "100", "--units", "V"]
    assert _run(capsys, *argv, "--out", str(src), "-q")[0] == 0
    copy = tmp_path / "copy.csv"
    assert _run(capsys, "convert", str(src), str(copy), "-q")[0] == 0
    side = json.loads((tmp_path / "copy.csv.session.json").read_text())
    assert side["representation"]["units"] == "V"
    side["representation"]["units"] = "mV"  # what the copy says wins over the magnitude
    (tmp_path / "copy.csv.session.json").write_text(json.dumps(side))
    code, out, err = _run(capsys, "detect", str(copy), "--json", "-q")
    assert code == 0, err
    detected = json.loads(out)
    code, out, err = _run(capsys, "replay", str(copy), "--json", "-q")
    assert code == 0, err
    replayed = json.loads(out)
    assert detected["input"]["units"] == replayed["input"]["units"] == "mV"
    assert "units" not in detected["input"].get("inferred", [])
    assert detected["events"] == replayed["events"]


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_history_import_of_several_detect_results_says_what_to_do(
    tmp_path, capsys, monkeypatch, suffix
):
    # `detect study/ --json > all.jsonl` writes one JSON line per recording
    monkeypatch.setenv("CRAMPDETECT_HOME", str(tmp_path / "home"))
    study = tmp_path / "study"
    study.mkdir()
    t, uv = _emg()
    for name in ("a", "b"):
        _write(study / f"{name}.csv", {"calf_left": uv}, t)
    code, out, err = _run(capsys, "detect", str(study), "--json", "-q")
    assert code == 0, err
    lines = tmp_path / f"all{suffix}"
    lines.write_text(out)
    code, _, err = _run(capsys, "history", "--import", str(lines))
    assert code == 2
    assert "holds 2 detection results, one JSON line per recording" in err, err
    one = tmp_path / f"one{suffix}"
    one.write_text(out.splitlines()[0] + "\n")
    code, out, err = _run(capsys, "history", "--import", str(one))
    assert code == 0 and "Imported" in out, err


def test_a_calibration_of_other_channels_says_which_it_has():
    from crampdetect.core import InputError
    from crampdetect.detect.settings import profile_settings
    from crampdetect.pipeline import Pipeline

    rep = Representation("raw", "uV", None)
    calibration = {"calf_left_mV": (2.0, 300.0), "calf_right_mV": (2.0, 300.0)}
    with pytest.raises(InputError) as err:  # another muscle of each leg (calf_left: its leg's)
        Pipeline(
            FS, ("ta_left", "ta_right"), rep, "night", profile_settings("night", "raw"),
            calibration,
        )  # fmt: skip
    assert "no entry for channel(s) ta_left, ta_right" in str(err.value)
    assert "it has calf_left_mV, calf_right_mV" in str(err.value)


def test_report_of_a_folder_of_one_recording_to_one_file(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    folder = tmp_path / "one"
    folder.mkdir()
    t, uv = _emg(15.0)
    _write(folder / "a.csv", {"calf_left": uv}, t)
    out = tmp_path / "a.html"
    code, _, err = _run(capsys, "report", str(folder), "--out", str(out), "-q")
    assert code == 0, err
    assert out.is_file() and out.stat().st_size > 0
    _write(folder / "b.csv", {"calf_left": uv}, t)  # two: --out must be a folder
    code, _, err = _run(capsys, "report", str(folder), "--out", str(tmp_path / "b.html"), "-q")
    assert code == 2 and "--out must be a directory" in err


def test_calibrate_from_a_recording_that_is_not_a_csv(tmp_path, capsys, monkeypatch):
    # the routine recorded and kept as EDF (or a session, WAV): `calibrate night.edf` reads it
    # as `calibrate file://night.edf` does, instead of parsing it as a CSV
    pytest.importorskip("edfio")
    monkeypatch.setenv("CRAMPDETECT_HOME", str(tmp_path / "home"))
    cal = tmp_path / "cal.csv"
    assert _run(capsys, "simulate", "calibration", "--out", str(cal), "-q")[0] == 0
    edf = tmp_path / "cal.edf"
    assert _run(capsys, "convert", str(cal), str(edf), "-q")[0] == 0
    code, out, err = _run(capsys, "calibrate", str(edf), "--user", "edf", "--non-interactive")
    assert code == 0, err
    assert "Calibration saved for user 'edf'" in out
