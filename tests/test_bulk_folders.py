"""Researchers' bulk work on folders: ``evaluate DIR`` past broken files, labels that travel
with ``convert``'s copies (EDF+/BDF+ annotations read back by MNE and edfio, a ``.labels.json``
beside CSV and WAV copies), one ``--recursive`` folder expansion, ``convert DIR --out DIR2``.

Every file here is a real file in a temp folder, written by ``crampdetect simulate`` or
``convert`` and read back by its own library where one is installed.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from crampdetect.cli import main


def _copy_set(src: Path, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("cramp.csv", "cramp.labels.json"):
        shutil.copy(src / name, dest / name)
    return dest


def _evaluate(capsys, *argv: str) -> tuple[int, dict, str]:
    capsys.readouterr()
    code = main(["evaluate", *argv, "--json", "--workers", "1", "--per-recording", "-q"])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else {}, err


def test_evaluate_dir_goes_on_past_a_broken_file_and_names_it(labelled, tmp_path, capsys):
    folder = _copy_set(labelled, tmp_path / "set")
    (folder / "broken.csv").write_text("time_s,calf_left\n0,1\n0.001,x\n0.002,3\n")
    shutil.copy(folder / "cramp.labels.json", folder / "broken.labels.json")
    (folder / "notes.txt").write_text("session notes\n")
    code, doc, err = _evaluate(capsys, str(folder))
    assert code == 2  # a file failed: the exit status says so
    assert [r["name"] for r in doc["recordings"]] == ["cramp.csv"]  # the others were scored
    assert doc["overall"]["cramps"] == 1
    assert doc["failed"] == [
        {"path": str(folder / "broken.csv"), "error": "broken.csv: non-numeric value 'x' "
         "at data row 2"}
    ]  # fmt: skip
    assert f"error: {folder / 'broken.csv'}: non-numeric value 'x'" in err
    assert "1 of 2 labelled recordings scored" in err


def _label_annotations(raw) -> list[tuple[float, float, str]]:
    return [
        (float(a["onset"]), float(a["duration"]), a["description"])
        for a in raw.annotations
        if a["description"].startswith("label ")
    ]


@pytest.mark.parametrize("fmt", ["edf", "bdf"])
def test_converted_edf_bdf_carry_labels_for_mne_and_evaluate(labelled, tmp_path, capsys, fmt):
    mne = pytest.importorskip("mne")
    edfio = pytest.importorskip("edfio")
    out = tmp_path / "copies" / f"cramp.{fmt}"
    out.parent.mkdir()
    assert main(["convert", str(labelled / "cramp.csv"), str(out)]) == 0
    assert not list(out.parent.glob("*.json"))  # the labels are inside the file
    truth = json.loads((labelled / "cramp.labels.json").read_text())
    cramp = next(i for i in truth["intervals"] if i["kind"] == "cramp")

    # edfio reads the file back as valid EDF+/BDF+, the labels among its annotations
    read = edfio.read_bdf if fmt == "bdf" else edfio.read_edf
    texts = [a.text for a in read(out).annotations]
    assert any(t.startswith(f"label cramp {cramp['channel']}") for t in texts)
    # MNE shows them, at the labelled time and length
    raw = (mne.io.read_raw_bdf if fmt == "bdf" else mne.io.read_raw_edf)(out, verbose=False)
    labels = _label_annotations(raw)
    assert len(labels) == len(truth["intervals"])
    onset, duration, text = next(x for x in labels if x[2].startswith("label cramp"))
    assert onset == pytest.approx(cramp["start_s"], abs=1e-3)
    assert duration == pytest.approx(cramp["end_s"] - cramp["start_s"], abs=1e-3)
    assert json.loads(text.split(" ", 3)[3])["level"] == cramp["level"]

    # and evaluate scores the copy as it scores the labelled CSV
    _, from_csv, _ = _evaluate(capsys, str(labelled))
    code, from_copy, err = _evaluate(capsys, str(out.parent))
    assert code == 0, err
    (row,) = from_copy["recordings"]
    assert row["name"] == out.name and row["profile"] == truth["profile"]
    assert row["cramps"][0]["start_s"] == pytest.approx(cramp["start_s"], abs=1e-3)
    assert from_copy["overall"]["detected"] == from_csv["overall"]["detected"] == 1
    lat_copy = from_copy["overall"]["latency_median_s"]
    assert lat_copy == pytest.approx(from_csv["overall"]["latency_median_s"], abs=0.05)


@pytest.mark.parametrize("fmt", ["csv", "wav"])
def test_converted_csv_wav_copies_get_the_labels_sidecar(labelled, tmp_path, capsys, fmt):
    out = tmp_path / "copies" / f"renamed.{fmt}"
    out.parent.mkdir()
    assert main(["convert", str(labelled / "cramp.csv"), str(out)]) == 0
    copied = json.loads((out.parent / "renamed.labels.json").read_text())
    assert copied == json.loads((labelled / "cramp.labels.json").read_text())
    code, doc, err = _evaluate(capsys, str(out.parent))
    assert code == 0, err
    assert doc["overall"]["recordings"] == 1 and doc["overall"]["detected"] == 1


def test_evaluate_dir_skips_unlabelled_copies_with_a_note(labelled, tmp_path, capsys):
    folder = _copy_set(labelled, tmp_path / "set")
    # an EDF without labels: the copy of a CSV that has none
    bare = tmp_path / "bare.csv"
    shutil.copy(folder / "cramp.csv", bare)
    assert main(["convert", str(bare), str(folder / "bare.edf")]) == 0
    code, doc, err = _evaluate(capsys, str(folder))
    assert code == 0, err
    assert doc["overall"]["recordings"] == 1
    assert doc["skipped"] == [{"path": str(folder / "bare.edf"), "reason": "no labels"}]
    assert f"{folder / 'bare.edf'} (no labels)" in err


def _tree(labelled: Path, root: Path) -> Path:
    """``root/top.csv``, ``root/subject1/night/cramp.csv`` and ``root/subject2/cramp.csv``
    (each labelled), a damaged labelled CSV in subject2 and a note."""
    _copy_set(labelled, root / "subject1" / "night")
    _copy_set(labelled, root / "subject2")
    shutil.copy(labelled / "cramp.csv", root / "top.csv")
    shutil.copy(labelled / "cramp.labels.json", root / "top.labels.json")
    (root / "subject2" / "damaged.csv").write_text("time_s,calf_left\n0,1\n0.001,x\n")
    shutil.copy(labelled / "cramp.labels.json", root / "subject2" / "damaged.labels.json")
    (root / "notes.txt").write_text("cohort notes\n")
    return root


def test_convert_folder_recursive_one_copy_per_recording(labelled, tmp_path, capsys):
    edfio = pytest.importorskip("edfio")
    root = _tree(labelled, tmp_path / "study")
    out = tmp_path / "edf"
    code = main(["convert", str(root), "--out", str(out), "--format", "edf", "--recursive"])
    err = capsys.readouterr().err
    assert code == 2  # the damaged file: named, the others converted
    assert f"error: {root / 'subject2' / 'damaged.csv'}" in err
    assert "3 of 4 recordings converted" in err
    copies = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.edf"))
    assert copies == ["subject1/night/cramp.edf", "subject2/cramp.edf", "top.edf"]
    for copy in out.rglob("*.edf"):  # valid EDF+ with the labels inside
        texts = [a.text for a in edfio.read_edf(copy).annotations]
        assert any(t.startswith("label cramp ") for t in texts)
    # the copies are scored with the sub-folder in their names
    code, doc, err = _evaluate(capsys, str(out), "--recursive")
    assert code == 0, err
    names = [r["name"] for r in doc["recordings"]]
    assert names == ["subject1/night/cramp.edf", "subject2/cramp.edf", "top.edf"]


def test_convert_folder_needs_out_and_format_and_skips_sub_folders(labelled, tmp_path, capsys):
    root = _tree(labelled, tmp_path / "study")
    assert main(["convert", str(root), str(tmp_path / "x")]) == 2  # DIR DIR2: --format
    assert "needs --format" in capsys.readouterr().err
    assert main(["convert", str(root), str(tmp_path / "x.edf")]) == 2  # DIR FILE
    assert "is a folder, not a recording session" in capsys.readouterr().err
    assert main(["convert", str(root)]) == 2
    assert "--out DIR" in capsys.readouterr().err
    out = tmp_path / "csv"
    assert main(["convert", str(root), str(out), "--format", "csv"]) == 0  # top level only
    assert sorted(p.name for p in out.iterdir()) == [
        "top.csv",
        "top.csv.session.json",
        "top.labels.json",
    ]
    assert f"{root / 'subject1'}/, {root / 'subject2'}/" in capsys.readouterr().err
    # a second run into a folder inside the converted one does not convert its own copies
    inner = root / "copies"
    argv = ["convert", str(root), "--out", str(inner), "--format", "wav", "-r", "-q"]
    assert main(argv) == 2  # the damaged CSV
    assert main([*argv[:-1], "--force"]) == 2  # without -q: the note on what was skipped
    assert "(inside --out)" in capsys.readouterr().err
    assert len(list(inner.rglob("*.wav"))) == 3


def test_detect_replay_evaluate_report_recursive(labelled, tmp_path, capsys):
    root = _tree(labelled, tmp_path / "study")
    (root / "subject2" / "damaged.csv").unlink()
    for command in ("detect", "replay"):
        capsys.readouterr()
        assert main([command, str(root), "--json", "-q"]) == 0  # top level only
        assert len(capsys.readouterr().out.splitlines()) == 1
        assert main([command, str(root), "--json", "-q", "--recursive"]) == 0
        lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
        assert [Path(x["path"]).relative_to(root).as_posix() for x in lines] == [
            "subject1/night/cramp.csv",
            "subject2/cramp.csv",
            "top.csv",
        ]
        assert all(x["events"] for x in lines)
    code, doc, err = _evaluate(capsys, str(root))
    assert code == 0 and doc["overall"]["recordings"] == 1, err
    code, doc, err = _evaluate(capsys, str(root), "-r")
    assert code == 0 and doc["overall"]["recordings"] == 3, err
    assert doc["overall"]["cramps"] == 3


def test_report_recursive_keeps_relative_paths(labelled, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    root = tmp_path / "study"
    _copy_set(labelled, root / "a")
    _copy_set(labelled, root / "b")
    out = tmp_path / "reports"
    assert (
        main(["report", str(root), "--recursive", "--out", str(out), "-q", "--workers", "1"]) == 0
    )
    made = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.png"))
    assert made == ["a/cramp.csv.report.png", "b/cramp.csv.report.png"]


def test_evaluate_dir_of_broken_files_only_prints_no_table(tmp_path, capsys):
    (tmp_path / "a.csv").write_text("time_s,calf_left\n0,1\n0.001,x\n")
    (tmp_path / "a.labels.json").write_text('{"intervals": []}')
    (tmp_path / "b.csv").write_bytes(b"")
    (tmp_path / "b.labels.json").write_text('{"intervals": []}')
    capsys.readouterr()
    assert main(["evaluate", str(tmp_path), "--workers", "1", "-q"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert f"error: {tmp_path / 'a.csv'}: non-numeric value 'x'" in err
    assert f"error: {tmp_path / 'b.csv'}: the file is empty" in err
    assert "0 of 2 labelled recordings scored" in err


@pytest.mark.parametrize(
    "option",
    [
        ["--seeds", "tuning"],
        ["--sets", "independent"],
        ["--cache", "elsewhere"],
        ["--standard-hours", "2"],
        ["--stress-hours", "2"],
    ],
)
def test_evaluate_dir_refuses_the_options_of_generated_sets(labelled, capsys, option):
    """A folder is scored as it is: an option that picks or generates sets is refused by name,
    not ignored (one folder and several folders alike)."""
    for folders in ([str(labelled)], [str(labelled), str(labelled)]):
        capsys.readouterr()
        assert main(["evaluate", *folders, *option, "-q"]) == 2
        err = capsys.readouterr().err
        assert f"{option[0]} applies only without a folder" in err, err


def test_evaluate_dir_names_skipped_and_failed_files_alike(labelled, tmp_path, capsys):
    """Skipped entries and errors name a file the same way: the folder as given, then the
    entry's path below it (so two folders' ``notes.txt`` can be told apart)."""
    root = _tree(labelled, tmp_path / "study")
    (root / "subject2" / "notes.txt").write_text("more notes\n")
    (root / "subject2" / "unlabelled.csv").write_bytes((labelled / "cramp.csv").read_bytes())
    code, doc, err = _evaluate(capsys, str(root), "-r")
    assert code == 2, err  # the damaged labelled CSV
    assert doc["failed"][0]["path"] == str(root / "subject2" / "damaged.csv")
    assert sorted((s["path"], s["reason"]) for s in doc["skipped"]) == [
        (str(root / "notes.txt"), "not a recording"),
        (str(root / "subject2" / "notes.txt"), "not a recording"),
        (str(root / "subject2" / "unlabelled.csv"), "no labels"),
    ]
    assert f"error: {root / 'subject2' / 'damaged.csv'}: " in err
