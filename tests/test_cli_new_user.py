"""What a new user runs into first: the one-line messages must say what to do next."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from crampdetect.cli import main


def _csv(path: Path, step_s: float, n: int = 3000) -> Path:
    rng = np.random.default_rng(0)
    rows = "".join(f"{i * step_s:g},{v:.1f}\n" for i, v in enumerate(rng.normal(0, 20, n)))
    path.write_text("time_s,calf_left\n" + rows)
    return path


def test_time_in_milliseconds_is_named(tmp_path: Path, capsys) -> None:
    path = _csv(tmp_path / "ms.csv", 1.0)  # time_s holding milliseconds of a 1 kHz recording
    assert main(["detect", str(path)]) == 2
    err = capsys.readouterr().err
    assert "ms.csv" in err and "time_s must be in seconds" in err
    assert main(["detect", str(_csv(tmp_path / "s.csv", 0.001))]) == 0  # the same in seconds


def test_a_folder_of_folders_says_to_name_the_sub_folders(tmp_path: Path, capsys) -> None:
    study = tmp_path / "study"
    (study / "anna").mkdir(parents=True)
    _csv(study / "anna" / "night.csv", 0.001)
    assert main(["detect", str(study)]) == 2
    err = capsys.readouterr().err
    assert "without recordings" in err and "sub-folders are not searched" in err
    assert str(study / "anna") in err
    assert main(["detect", "-q", str(study / "anna")]) == 0


def test_report_names_the_recording_that_failed(tmp_path: Path, capsys) -> None:
    pytest.importorskip("matplotlib")
    good = _csv(tmp_path / "good.csv", 0.001)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    out = tmp_path / "reports"
    assert main(["report", "-q", "--workers", "1", str(good), str(empty), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"crampdetect report: error: {empty}: the file is empty" in err, err
    assert "PosixPath" not in err and "(" not in err.split("error:")[1].split(":")[0]
    assert (out / "good.csv.report.png").exists()


def test_a_timeline_can_be_added_to_a_session_imported_without_one(tmp_path, monkeypatch, capsys):
    from crampdetect.storage.paths import HOME_ENV

    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    csv = tmp_path / "gait.csv"
    assert main(["simulate", "gait", "--seed", "2", "--duration", "60", "--out", str(csv)]) == 0
    capsys.readouterr()
    assert main(["detect", str(csv), "--json", "--profile", "training"]) == 0
    result = tmp_path / "gait.json"
    result.write_text(capsys.readouterr().out)
    args = ["history", "--import", str(result), "--profile", "training"]
    assert main(args) == 0
    assert main(["summary", "--training"]) == 0
    assert "import with --recording to add one" in capsys.readouterr().out
    assert main([*args, "--recording", str(csv)]) == 0  # what that line says to do
    assert "its activity timeline added" in capsys.readouterr().out
    assert main(["summary", "--training"]) == 0
    out = capsys.readouterr().out
    assert "import with --recording" not in out and "Activity (calf_left)" in out
    assert main([*args, "--recording", str(csv)]) == 0  # once only
    assert "nothing added" in capsys.readouterr().out


def test_a_folder_names_the_recording_it_cannot_read(tmp_path: Path, capsys) -> None:
    _csv(tmp_path / "good.csv", 0.001)
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "notes.md").write_text("a note, not a recording\n")
    assert main(["detect", "-q", str(tmp_path)]) == 2  # an error, as when named (session 22)
    err = capsys.readouterr().err
    assert "empty.csv" in err and "empty" in err.split("empty.csv", 1)[1]


@pytest.mark.parametrize(
    ("y", "said"),
    [([], "no candidate alert"), ([1, 1], "without cramps"), ([0, 0], "with cramps")],
)
def test_train_on_one_class_says_which_recordings_to_add(
    y: list[int], said: str, tmp_path: Path, monkeypatch, capsys
) -> None:
    from types import SimpleNamespace

    from crampdetect.evaluate import train

    monkeypatch.setattr(
        train, "build_training_set", lambda *a, **k: SimpleNamespace(y=np.array(y, dtype=int))
    )
    data = tmp_path / "data"
    data.mkdir()
    _csv(data / "c.csv", 0.001)
    (data / "c.labels.json").write_text('{"profile": "night", "intervals": []}')
    assert main(["train", "--data", str(data), "--out", str(tmp_path / "m"), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert "only one class" in err and said in err, err
