"""What a researcher re-scoring in bulk met in the session-22 tryout: a truncated EDF scored
against labels past its end, unreadable recordings in a folder, a truncated WAV with its
sidecar, events still open at the end, bulk lines without a name or a shape pandas reads."""

from __future__ import annotations

import json

import pytest
from conftest import run_cli


@pytest.fixture(scope="module")
def cramp_edf(tmp_path_factory):
    """The simulator's one-cramp scene (180 s, the cramp labelled ~56-121 s) as an EDF+ with
    its labels, as `simulate` then `convert` write it."""
    folder = tmp_path_factory.mktemp("cramp")
    csv = folder / "cramp1.csv"
    assert run_cli("simulate", "cramp", "--seed", "1", "--out", csv, "-q").returncode == 0
    assert run_cli("convert", csv, folder / "cramp1.edf").returncode == 0
    return folder / "cramp1.edf"


def _cramp_label(edf):
    labels = json.loads(edf.with_name("cramp1.labels.json").read_text())
    (cramp,) = [i for i in labels["intervals"] if i["kind"] == "cramp"]
    return cramp


def test_evaluate_of_a_truncated_edf_warns_and_scores_only_the_data_it_holds(cramp_edf, tmp_path):
    """An EDF cut inside the cramp: the reader's warning is printed (as `detect` prints it,
    named), and the cramp running past the data's end is scored up to that end, not as an
    event that "closed early" by the minute that is not in the file."""
    cramp = _cramp_label(cramp_edf)
    raw = cramp_edf.read_bytes()
    cut = tmp_path / "c_trunc.edf"
    cut.write_bytes(raw[:300_000])  # ~68 of 180 s: the cramp's end is not in the file
    r = run_cli("evaluate", cut, "--json", "--per-recording", "-q")
    assert r.returncode == 0, r.stderr
    warned = [ln for ln in r.stderr.splitlines() if ln.startswith("crampdetect evaluate: warning")]
    assert warned and "c_trunc.edf" in warned[0] and "truncated" in warned[0], r.stderr
    doc = json.loads(r.stdout)
    (rec,) = doc["recordings"]
    assert rec["duration_s"] < cramp["end_s"]
    (row,) = rec["cramps"]
    assert row["detected"] and row["cut_by_end"]
    assert row["closed_early"] is False and abs(row["end_error_s"]) < 5.0
    assert doc["overall"]["closed_early"] == 0


@pytest.fixture(scope="module")
def mixed_folder(cramp_edf, tmp_path_factory):
    """A labelled recording, a zero-byte EDF, random bytes named .bdf and a note."""
    import numpy as np

    folder = tmp_path_factory.mktemp("mixed")
    (folder / "cramp1.edf").write_bytes(cramp_edf.read_bytes())
    (folder / "empty.edf").write_bytes(b"")
    (folder / "noise.bdf").write_bytes(np.random.default_rng(3).bytes(5000))
    (folder / "notes.txt").write_text("subject 3\n")
    return folder


@pytest.mark.parametrize("command", ["detect", "evaluate", "convert", "report"])
def test_a_recording_file_that_cannot_be_read_in_a_folder_is_an_error(
    command, mixed_folder, tmp_path
):
    """Named on the command line an unreadable .edf is an error (exit 2); in a folder too:
    an error line naming each, the batch goes on, exit status 2; a note is still skipped."""
    extra = {
        "detect": ["--json"],
        "evaluate": ["--json"],
        "convert": ["--out", tmp_path / "copies", "--format", "csv"],
        "report": ["--out", tmp_path / "reports", "--workers", "1"],
    }[command]
    r = run_cli(command, mixed_folder, *extra, "-q")
    assert r.returncode == 2, r.stderr
    for bad in ("empty.edf", "noise.bdf"):
        line = f"crampdetect {command}: error: {mixed_folder / bad}: "
        assert any(ln.startswith(line) for ln in r.stderr.splitlines()), r.stderr
    if command != "convert":  # convert -q keeps to errors and warnings
        assert "skipped 1" in r.stderr and "notes.txt" in r.stderr
    assert "Traceback" not in r.stderr
    if command == "detect":
        docs = [json.loads(line) for line in r.stdout.splitlines()]
        assert [d["path"].rsplit("/", 1)[1] for d in docs if "error" in d] == [
            "empty.edf",
            "noise.bdf",
        ]
    if command == "evaluate":
        doc = json.loads(r.stdout)
        assert sorted(f["path"] for f in doc["failed"]) == [
            str(mixed_folder / "empty.edf"),
            str(mixed_folder / "noise.bdf"),
        ]
        assert doc["overall"]["cramps"] == 1  # the readable one is scored


def test_a_truncated_wav_with_its_sidecar_is_read_as_far_as_it_goes(cramp_edf, tmp_path):
    """`convert` to WAV writes a .session.json sidecar; the WAV cut short (a copy interrupted)
    is read like one without a sidecar: the frames present, a warning about the WAV (not an
    error blaming the sidecar), its scale from the sidecar kept."""
    import soundfile as sf

    wav = tmp_path / "night.wav"
    assert run_cli("convert", cramp_edf, wav).returncode == 0
    whole = json.loads(run_cli("detect", wav, "--json").stdout)
    raw = wav.read_bytes()
    cut = tmp_path / "trunc.wav"
    cut.write_bytes(raw[:200_000])
    cut.with_name("trunc.wav.session.json").write_bytes(
        wav.with_name("night.wav.session.json").read_bytes()
    )
    frames = sf.read(cut, always_2d=True)[0].shape[0]
    r = run_cli("detect", cut, "--json")
    assert r.returncode == 0, r.stderr
    (warning,) = [ln for ln in r.stderr.splitlines() if "warning" in ln]
    assert "WAV cut short" in warning and "session.json:" not in warning
    doc = json.loads(r.stdout)
    assert abs(doc["input"]["duration_s"] - frames / 1000.0) < 0.01
    assert doc["input"]["units"] == whole["input"]["units"] == "uV"  # the sidecar's scale
    # in a folder, the warning names the WAV
    (tmp_path / "study").mkdir()
    for name in ("trunc.wav", "trunc.wav.session.json"):
        (tmp_path / "study" / name).write_bytes((tmp_path / name).read_bytes())
    r = run_cli("detect", tmp_path / "study", "-q")
    assert r.returncode == 0, r.stderr
    named = f"crampdetect detect: warning: {tmp_path / 'study' / 'trunc.wav'}: WAV cut short"
    assert any(ln.startswith(named) for ln in r.stderr.splitlines()), r.stderr


def test_a_cramp_still_going_when_the_data_ends_is_marked_and_said_so(cramp_edf, tmp_path):
    """The EDF cut inside the cramp: its event ends at the data's end and says it was still
    going (`detail.open_at_end`); imported into the history it is stored as going on, not
    as a cramp that short, and `summary` and `report` say it was still going."""
    cut = tmp_path / "c_trunc.edf"
    cut.write_bytes(cramp_edf.read_bytes()[:300_000])
    whole = json.loads(run_cli("detect", cramp_edf, "--json", "-q").stdout)
    assert not any((e.get("detail") or {}).get("open_at_end") for e in whole["events"])
    r = run_cli("detect", cut, "--json", "-q")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    (cramp,) = [e for e in doc["events"] if e["kind"] == "cramp"]
    assert cramp["detail"]["open_at_end"] is True
    assert cramp["end_s"] == pytest.approx(doc["input"]["duration_s"], abs=0.2)
    assert not any(
        (e.get("detail") or {}).get("open_at_end") for e in doc["events"] if e is not cramp
    )
    result = tmp_path / "cut.json"
    result.write_text(r.stdout)
    imported = run_cli("history", "--import", result, "--start", "2026-12-01T23:00", home=tmp_path)
    assert imported.returncode == 0, imported.stderr
    summary = run_cli("summary", home=tmp_path)
    assert "calf_right: still going when the recording ended" in summary.stdout, summary.stdout
    html = tmp_path / "cut.html"
    report = run_cli("report", cut, "--out", html, "-q")
    assert report.returncode == 0, report.stderr
    assert "still going when the recording ended" in html.read_text()


def test_bulk_warnings_name_their_file_and_an_open_edf_header_is_worded_plainly(
    cramp_edf, tmp_path
):
    """`convert DIR --out ... -r` of a truncated EDF and one whose header gives -1 data records
    (a recorder that did not close it): every warning names its file by path, as `detect`
    of several files does, and none says edfio's "Updating header" (nothing is written)."""
    raw = bytearray(cramp_edf.read_bytes())
    study = tmp_path / "study" / "s1"
    study.mkdir(parents=True)
    (study / "cut.edf").write_bytes(bytes(raw[:300_000]))
    raw[236:244] = b"-1      "  # number of data records: -1, "unknown"
    (study / "open.edf").write_bytes(bytes(raw))
    for command in (
        ["convert", tmp_path / "study", "--out", tmp_path / "copies", "--format", "bdf", "-r"],
        ["detect", tmp_path / "study", "-r", "--json"],
    ):
        r = run_cli(*command, "-q")
        assert r.returncode == 0, r.stderr
        warnings = [ln for ln in r.stderr.splitlines() if ": warning: " in ln]
        assert len(warnings) == 2, r.stderr
        for line, name in zip(sorted(warnings), ("cut.edf", "open.edf"), strict=True):
            assert line.startswith(f"crampdetect {command[0]}: warning: {study / name}: "), line
        assert "Updating header" not in r.stderr
        (opened,) = [ln for ln in warnings if "open.edf" in ln]
        assert "no number of data records" in opened and "180" in opened


def test_bulk_json_lines_share_one_shape_and_skipped_entries_say_why(mixed_folder, tmp_path):
    """`detect DIR --json`: an error line has `events` and `quality` (empty) like a result
    line, and its error gives the file once (its path is the line's own field); `evaluate
    --json` lists skipped entries as {"path", "reason"}."""
    r = run_cli("detect", mixed_folder, "--json", "-q")
    assert r.returncode == 2, r.stderr
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    assert all(isinstance(d["events"], list) and isinstance(d["quality"], list) for d in recs)
    errors = [d for d in recs if "error" in d]
    assert len(errors) == 2 and all(d["events"] == d["quality"] == [] for d in errors)
    for d in errors:
        name = d["path"].rsplit("/", 1)[1]
        assert name not in d["error"] and d["error"], d
    # what pd.json_normalize(recs, record_path="events", meta=["path"]) needs: every record
    # holds a list of objects under "events"
    rows = [{**e, "path": d["path"]} for d in recs for e in d["events"]]
    assert rows and {row["path"] for row in rows} == {str(mixed_folder / "cramp1.edf")}
    try:
        import pandas as pd
    except ImportError:
        pass
    else:
        table = pd.json_normalize(recs, record_path="events", meta=["path"])
        assert len(table) == len(rows)
    (mixed_folder / "sub").mkdir(exist_ok=True)
    try:
        r = run_cli("evaluate", mixed_folder, "--json", "-q")
    finally:
        (mixed_folder / "sub").rmdir()
    doc = json.loads(r.stdout)
    assert sorted(doc["skipped"], key=lambda s: s["path"]) == [
        {"path": str(mixed_folder / "notes.txt"), "reason": "not a recording"},
        {"path": str(mixed_folder / "sub"), "reason": "a sub-folder (searched with --recursive)"},
    ]


def test_evaluate_per_recording_prints_a_table_in_text_mode(cramp_edf, tmp_path):
    """`--per-recording` without --json prints one row per recording under the figures
    (it used to change nothing in text mode)."""
    folder = tmp_path / "set"
    folder.mkdir()
    (folder / "a.edf").write_bytes(cramp_edf.read_bytes())
    (folder / "b.edf").write_bytes(cramp_edf.read_bytes()[:300_000])
    plain = run_cli("evaluate", folder, "-q")
    r = run_cli("evaluate", folder, "--per-recording", "-q")
    assert r.returncode == 0 and plain.returncode == 0, r.stderr
    assert r.stdout.startswith(plain.stdout.rstrip("\n"))  # the figures, then the table
    table = r.stdout[len(plain.stdout.rstrip("\n")) :].strip().splitlines()
    assert table[0].split()[:4] == ["recording", "profile", "min", "cramps"]
    rows = {line.split()[0]: line.split() for line in table[1:]}
    assert set(rows) == {"a.edf", "b.edf"}
    assert rows["a.edf"][1] == "night" and rows["a.edf"][3] == "1" and rows["a.edf"][4] == "1"
    assert float(rows["b.edf"][2]) < float(rows["a.edf"][2])  # the cut copy is shorter


def test_a_shipped_text_recording_copied_out_of_its_folder_is_told_about_recordings_json(
    tmp_path,
):
    """`emg.txt` copied out of recordings/ is not readable without a recordings.json beside
    it: the refusal names that file and what it must give for `emg.txt`, in one line; a
    recordings.json without its entry is named as such; its folder's recordings.json, copied
    beside it, makes it readable (a one-column and a multi-column text file)."""
    from pathlib import Path

    shipped = Path(__file__).resolve().parents[1] / "recordings"
    for folder, name in [
        ("biosppy-emg-examples", "emg.txt"),
        ("uci-lower-limb-sanchez", "3Amar.txt"),
    ]:
        copy = tmp_path / folder / name
        copy.parent.mkdir()
        copy.write_bytes((shipped / folder / name).read_bytes())
        r = run_cli("detect", copy)
        assert r.returncode == 2, r.stderr
        hint = r.stderr[r.stderr.index("; ") :]
        assert "recordings.json beside it" in hint and f"{name}'s reader, rate, units" in hint
        assert "\n" not in hint.rstrip("\n"), r.stderr
        (copy.parent / "recordings.json").write_text('{"files": {}}')
        r = run_cli("detect", copy)
        assert r.returncode == 2 and f"has no entry for {name}" in r.stderr, r.stderr
        manifest = shipped / folder / "recordings.json"
        (copy.parent / "recordings.json").write_bytes(manifest.read_bytes())
        r = run_cli("detect", copy, "--json")
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["input"]["sample_rate_hz"] > 0
