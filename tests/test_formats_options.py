"""``--channels``, ``--user`` and ``--model`` on every format ``detect`` reads, and the same
column choice for ``replay``, ``report`` and ``convert``.

Real files in a temp folder (a CSV, its EDF/BDF/WAV copies written by ``convert``, a session
written by the recorder), run through the CLI as a user would (``main``); the calibration is a
real profile file in a temporary data folder.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from crampdetect.calibration import ChannelCalibration, save_calibration
from crampdetect.cli import main
from crampdetect.core import Block, Representation

FS = 1000.0
REP = Representation("raw", "uV", None)


def _signal(seconds: float = 80.0, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Two channels of raw EMG in µV: rest at 5 µV RMS, the right one contracting 30-50 s."""
    t = np.arange(0, seconds, 1 / FS)
    rng = np.random.default_rng(seed)
    uv = rng.normal(0, 5, (2, t.size))
    on = (t > 30) & (t < 50)
    uv[1, on] += rng.normal(0, 300, on.sum())
    return t, uv


def _write_csv(path, names, t, uv) -> None:
    with open(path, "w") as fh:
        fh.write("time_s," + ",".join(names) + "\n")
        np.savetxt(fh, np.column_stack([t, *uv]), delimiter=",", fmt="%.9g")


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _detect(capsys, *argv: str) -> tuple[int, dict, str]:
    code, out, err = _run(capsys, "detect", *argv, "--json", "-q")
    return code, (json.loads(out) if out.strip() else {}), err


@pytest.fixture
def copies(tmp_path, capsys):
    """A CSV (calf_left, calf_right) and its copies: EDF, BDF, WAV (when soundfile is there)
    and a recorder session."""
    from crampdetect.storage.session import SessionWriter

    t, uv = _signal()
    src = tmp_path / "night.csv"
    _write_csv(src, ["calf_left", "calf_right"], t, uv)
    out = {"csv": src}
    fmts = ["edf", "bdf"]
    try:
        import soundfile  # noqa: F401

        fmts.append("wav")
    except ImportError:
        pass
    for fmt in fmts:
        out[fmt] = tmp_path / f"night.{fmt}"
    assert _run(capsys, "convert", str(src), *map(str, (out[f] for f in fmts)), "-q")[0] == 0
    session = tmp_path / "night.cdrec"
    with SessionWriter(
        session, fs=FS, channels=("calf_left", "calf_right"), representation=REP
    ) as w:
        step = int(FS)
        for i in range(0, t.size, step):
            w.write(Block(uv[:, i : i + step], FS, i, float(t[i]), 0, ("calf_left", "calf_right")))
    out["session"] = session
    return out


@pytest.mark.parametrize("fmt", ["csv", "edf", "bdf", "wav", "session"])
def test_detect_channels_picks_channels_in_order_on_every_format(copies, capsys, fmt):
    if fmt not in copies:
        pytest.skip("soundfile is not installed")
    path = str(copies[fmt])
    code, doc, err = _detect(capsys, path, "--channels", "calf_right,calf_left")
    assert code == 0, err
    assert doc["input"]["channels"] == ["calf_right", "calf_left"]
    code, doc, err = _detect(capsys, path, "--channels", "calf_right")
    assert code == 0, err
    assert doc["input"]["channels"] == ["calf_right"]
    assert {e["channel"] for e in doc["events"]} <= {"calf_right"}
    code, _, err = _detect(capsys, path, "--channels", "calf_middle")
    assert code == 2
    assert "no column calf_middle" in err and "calf_left, calf_right" in err, err


@pytest.mark.parametrize("fmt", ["edf", "bdf", "wav", "session"])
def test_detect_user_applies_the_calibration_on_every_format(
    copies, capsys, monkeypatch, tmp_path, fmt
):
    if fmt not in copies:
        pytest.skip("soundfile is not installed")
    monkeypatch.setenv("CRAMPDETECT_HOME", str(tmp_path / "home"))
    path = str(copies[fmt])
    code, _, err = _detect(capsys, path, "--user", "anna")
    assert code == 2 and "No calibration for user 'anna'" in err, err
    # a rest of 40 µV for a recording resting at 5 µV: the check says it does not fit
    cal = [ChannelCalibration(c, c.split("_")[1], 40.0, 800.0, 40.0, 3) for c in ("calf_left",)]
    save_calibration("anna", cal, REP, FS, "test")
    code, _, err = _detect(capsys, path, "--user", "anna")
    assert code == 2 and "no entry for channel(s) calf_right" in err, err  # it reached the pipeline
    code, doc, err = _detect(capsys, path, "--user", "anna", "--channels", "calf_left")
    assert code == 0, err
    assert any("quiet floor" in p and "anna" in p for p in doc["input"]["problems"]), doc["input"]
    # the same result as detect on the CSV it was copied from
    code, ref, err = _detect(
        capsys, str(copies["csv"]), "--user", "anna", "--channels", "calf_left"
    )
    assert code == 0, err
    assert doc["events"] == ref["events"]
    warn = [p.split(": ", 1)[1] for p in doc["input"]["problems"] if "quiet floor" in p]
    assert warn == [p.split(": ", 1)[1] for p in ref["input"]["problems"] if "quiet floor" in p]


def test_detect_model_on_an_edf_copy(copies, capsys):
    path = str(copies["edf"])
    code, doc, err = _detect(capsys, path, "--model", "none")
    assert code == 0, err
    code, gated, err = _detect(capsys, path, "--model", "gate-v2")
    assert code == 0, err
    assert gated["input"]["channels"] == doc["input"]["channels"]
    code, _, err = _detect(capsys, path, "--model", "no-such-model")
    assert code == 2 and "no-such-model" in err, err


def test_detect_of_several_files_takes_the_options_on_every_format(copies, capsys):
    paths = [str(copies[f]) for f in ("csv", "edf", "session")]
    code, out, err = _run(capsys, "detect", *paths, "--channels", "calf_right", "--json", "-q")
    assert code == 0, err
    docs = [json.loads(line) for line in out.splitlines()]
    assert [d["input"]["channels"] for d in docs] == [["calf_right"]] * 3


def test_replay_and_convert_choose_channels(copies, capsys, tmp_path):
    code, out, err = _run(
        capsys, "replay", str(copies["session"]), "--channels", "calf_right", "--json", "-q"
    )
    assert code == 0, err
    assert json.loads(out)["input"]["channels"] == ["calf_right"]
    one = tmp_path / "right.edf"
    code, _, err = _run(capsys, "convert", str(copies["bdf"]), str(one), "--channels", "calf_right")
    assert code == 0, err
    import edfio

    assert [s.label for s in edfio.read_edf(one).signals] == ["EMG calf_right"]
    code, _, err = _run(capsys, "convert", str(copies["edf"]), str(tmp_path / "x.csv"),
                        "--channels", "calf")  # fmt: skip
    assert code == 2 and "no column calf" in err, err


def test_convert_channels_takes_a_csv_column_left_out_by_its_name(tmp_path, capsys):
    t, uv = _signal(20.0)
    src = tmp_path / "lab.csv"
    _write_csv(src, ["emg_ta", "force_N"], t, uv)
    out = tmp_path / "lab2.csv"
    code, _, err = _run(capsys, "convert", str(src), str(out), "--channels", "force_N,emg_ta")
    assert code == 0, err
    assert out.read_text().splitlines()[0] == "time_s,force_N,emg_ta"


def test_report_channels(copies, capsys, tmp_path):
    pytest.importorskip("matplotlib")
    from crampdetect.reports.report_files import make_report

    out = tmp_path / "r.html"
    code, _, err = _run(capsys, "report", str(copies["edf"]), "--channels", "calf_right",
                        "--out", str(out), "-q")  # fmt: skip
    assert code == 0, err
    page = out.read_text()
    assert "calf_right" in page and "calf_left" not in page
    with pytest.raises(Exception, match="no column calf"):
        make_report(copies["edf"], tmp_path / "s.html", channels=["calf"])


def test_detect_block_s_on_a_session_changes_nothing(copies, capsys):
    path = str(copies["session"])
    code, whole, err = _detect(capsys, path)
    assert code == 0, err
    code, live, err = _detect(capsys, path, "--block-s", "0.02")
    assert code == 0, err
    assert live["events"] == whole["events"] and live["quality"] == whole["quality"]
