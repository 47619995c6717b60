"""The `crampdetect detect` contract: JSON shape, readable table, bad input -> exit 2, one line."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest
from synth import add_burst, scene, write_csv

from crampdetect.cli import main


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "crampdetect", *map(str, args)], capture_output=True, text=True
    )


@pytest.fixture(scope="module")
def cramp_csv(tmp_path_factory):
    t, x, rng = scene(duration_s=60.0, n_channels=2, seed=11)
    add_burst(x, t, 1000.0, rng, 0, 20.0, 50.0, 300.0, ramp_s=1.0, irregular=0.5)
    counts = np.round(512 + x / (5.0 / 1024 / 200 * 1e6)).clip(0, 1023)
    keep = np.ones(t.size, bool)
    keep[40_000:40_050] = False  # 50 lost samples
    keep[45_000:45_010] = False
    path = tmp_path_factory.mktemp("d") / "night.csv"
    write_csv(path, t[keep], counts[:, keep], ["calf_left", "calf_right"], fmt="%d")
    return path


def test_json_document(cramp_csv):
    r = _cli("detect", cramp_csv, "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    inp = doc["input"]
    assert inp["sample_rate_hz"] == 1000 and inp["channels"] == ["calf_left", "calf_right"]
    assert (inp["signal"], inp["units"], inp["adc_bits"]) == ("raw", "counts", 10)
    assert inp["gaps"] == 2 and abs(inp["duration_s"] - 60.0) < 0.01
    (ev,) = doc["events"]
    assert ev["channel"] == "calf_left" and ev["kind"] == "cramp"
    assert ev["onset_s"] <= ev["alert_s"] <= ev["onset_s"] + 10 and ev["end_s"] > ev["alert_s"]
    assert 0 < ev["confidence"] <= 1
    gaps = [q for q in doc["quality"] if q["issue"] == "gap"]
    assert {(q["channel"], round(q["start_s"], 3), round(q["end_s"], 3)) for q in gaps} >= {
        ("calf_left", 40.0, 40.05),
        ("calf_right", 45.0, 45.01),
    }


def test_readable_table(cramp_csv):
    r = _cli("detect", cramp_csv)
    assert r.returncode == 0
    assert "1 event\n" in r.stdout and "calf_left" in r.stdout and "cramp" in r.stdout


def test_overrides_are_reported_and_respected(cramp_csv):
    r = _cli(
        "detect", cramp_csv, "--json", "--signal", "raw", "--units", "counts", "--adc-bits", "12"
    )
    doc = json.loads(r.stdout)
    assert doc["input"]["adc_bits"] == 12 and doc["input"]["inferred"] == []


BAD = {
    "missing": None,
    "empty": "",
    "header only": "time_s,a\n",
    "no time column": "t,a\n0,1\n0.001,2\n",
    "non-numeric": "time_s,a\n0,1\n0.001,abc\n0.002,3\n",
    "nan time": "time_s,a\n0,1\nnan,2\n0.002,3\n",
    "empty time": "time_s,a\n0,1\n,2\n0.002,3\n",
    "backwards": "time_s,a\n" + "".join(f"{i / 1000},{i}\n" for i in range(50)) + "0.01,5\n",
    "single sample": "time_s,a\n0,1\n",
    "ragged": "time_s,a,b\n0,1,2\n0.001,2\n",
    "binary": "\x00\x01\x02garbage",
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_file_exits_2_with_one_line(case, tmp_path):
    path = tmp_path / "bad.csv"
    if BAD[case] is not None:
        path.write_text(BAD[case])
    r = _cli("detect", path, "--json")
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr and lines[0].startswith("crampdetect")


def test_bad_values_are_flagged_not_refused(cramp_csv, tmp_path):
    """Empty, NaN, inf and absurd cells: a bad_value flag where they are, the rest as before."""
    lines = cramp_csv.read_text().splitlines(keepends=True)  # header, then data rows
    bad = [(5000, "nan", None), (5001, None, "inf"), (7999, None, ""), (8000, "-1e300", "1e12")]
    for row, left, right in bad:
        fields = lines[row].rstrip("\n").split(",")
        fields[1] = fields[1] if left is None else left
        fields[2] = fields[2] if right is None else right
        lines[row] = ",".join(fields) + "\n"
    dirty = tmp_path / "dirty.csv"
    dirty.write_text("".join(lines))
    clean, r = _cli("detect", cramp_csv, "--json"), _cli("detect", dirty, "--json")
    assert r.returncode == 0, r.stderr
    (warning,) = r.stderr.splitlines()
    assert warning.startswith("crampdetect detect: warning: dirty.csv: 5 empty, NaN")
    assert "data row 5000" in warning and "bad_value" in warning
    doc, ref = json.loads(r.stdout), json.loads(clean.stdout)
    assert doc["events"] == ref["events"] and len(doc["events"]) == 1
    flags = {(q["channel"], q["issue"]) for q in doc["quality"]} - {
        (q["channel"], q["issue"]) for q in ref["quality"]
    }
    assert flags == {("calf_left", "bad_value"), ("calf_right", "bad_value")}
    for q in doc["quality"]:
        if q["issue"] == "bad_value":
            assert 4.99 - 1.0 <= q["start_s"] <= 8.0 and q["end_s"] <= 8.0 + 2.0, q


def test_wrong_rate_is_refused(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("time_s,a\n" + "".join(f"{i / 1000},{i % 7}\n" for i in range(3000)))
    assert main(["detect", str(path), "--rate", "500"]) == 2


def test_too_low_rate_for_raw_emg_is_refused(tmp_path, capsys):
    path = tmp_path / "r.csv"
    path.write_text("time_s,a\n" + "".join(f"{i / 50},{(-1) ** i * 5.5}\n" for i in range(300)))
    assert main(["detect", str(path), "--signal", "raw"]) == 2
    assert "out of range" in capsys.readouterr().err


def test_a_last_line_cut_short_is_left_out_with_a_warning(cramp_csv, tmp_path):
    """A recorder killed mid-write: detect scores the rest and names the row it left out."""
    text = cramp_csv.read_text()
    n_rows = text.count("\n") - 1
    cut = tmp_path / "cut.csv"
    cut.write_text(text[: text.rstrip("\n").rfind(",")])  # the last line loses its last field
    r, clean = _cli("detect", cut, "--json"), _cli("detect", cramp_csv, "--json")
    assert r.returncode == 0, r.stderr
    (warning,) = r.stderr.splitlines()
    assert warning.startswith("crampdetect detect: warning: cut.csv: ")
    assert f"data row {n_rows} is cut short" in warning
    assert json.loads(r.stdout)["events"] == json.loads(clean.stdout)["events"]


def test_a_bad_rate_is_named_once(tmp_path, capsys):
    path = tmp_path / "r.csv"
    path.write_text("time_s,a\n" + "".join(f"{i / 1000},{i % 7}\n" for i in range(300)))
    with pytest.raises(SystemExit) as exc:
        main(["detect", str(path), "--rate", "-5"])
    assert exc.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "argument --rate: sample rate -5 Hz" in line and line.count("--rate") == 1


def test_warnings_on_other_formats_are_labelled_detect(cramp_csv, tmp_path, capsys):
    """detect replays what is not a CSV; its warnings still name the command the user ran."""
    wav = tmp_path / "night.wav"
    assert main(["convert", str(cramp_csv), str(wav)]) == 0
    wav.write_bytes(wav.read_bytes()[:50_000])  # cut short
    (tmp_path / "night.wav.session.json").unlink()  # it would refuse the sample count
    capsys.readouterr()
    assert main(["detect", str(wav)]) == 0
    cut, bare, *units = capsys.readouterr().err.splitlines()
    assert cut.startswith("crampdetect detect: warning: WAV cut short")
    assert bare.startswith("crampdetect detect: warning: no sidecar night.wav.session.json")
    # without its sidecar the scale is unknown: a magnitude that fits no unit is said too
    assert all(line.startswith("crampdetect detect: warning: night.wav: ") for line in units)


@pytest.fixture(scope="module")
def study(cramp_csv, tmp_path_factory):
    """A folder of two recordings, a damaged CSV and a note (not a recording)."""
    folder = tmp_path_factory.mktemp("study")
    (folder / "a.csv").write_bytes(cramp_csv.read_bytes())
    rows = cramp_csv.read_text().splitlines(keepends=True)
    (folder / "b.csv").write_text("".join(rows[:15_001]))  # the first 15 s, before the cramp
    (folder / "c.csv").write_text("time_s,a\n0,1\n0.001,abc\n0.002,3\n")
    (folder / "notes.txt").write_text("subject 3, left calf\n")
    return folder


def test_several_files_one_json_line_each(study, cramp_csv):
    single = json.loads(_cli("detect", cramp_csv, "--json").stdout)
    r = _cli("detect", study, study / "a.csv", "--json", "--workers", "2")
    assert r.returncode == 2  # c.csv failed
    docs = [json.loads(line) for line in r.stdout.splitlines()]
    assert [d["path"] for d in docs] == [
        str(study / n) for n in ("a.csv", "b.csv", "c.csv", "a.csv")
    ]
    a, b, c, again = docs
    for doc in (a, again):  # input.path: the file's own, in the provenance too
        path = doc["provenance"]["input"].pop("path")
        assert doc["input"].pop("path") == path == str(study / "a.csv")
    path = single["provenance"]["input"].pop("path")
    assert single["input"].pop("path") == path == str(cramp_csv)
    assert {k: v for k, v in a.items() if k != "path"} == single  # the same as one file alone
    assert again == a
    assert b["events"] == [] and abs(b["input"]["duration_s"] - 15.0) < 0.01
    assert set(c) == {"path", "error", "events", "quality"} and c["events"] == c["quality"] == []
    assert "abc" in c["error"] and "row 2" in c["error"] and "c.csv" not in c["error"]
    err = r.stderr.splitlines()
    assert f"crampdetect detect: skipped 1 non-recording file: {study / 'notes.txt'}" in err
    # named by its path: among folders of recordings a bare name is ambiguous
    assert any(line.startswith(f"crampdetect detect: error: {study / 'c.csv'}: ") for line in err)
    assert "Traceback" not in r.stderr


def test_several_files_tables_and_exit_0_when_all_scored(study):
    r = _cli("detect", study / "a.csv", study / "b.csv", "--profile", "training")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert out.index(f"== {study / 'a.csv'}") < out.index(f"== {study / 'b.csv'}")
    assert (
        len(re.findall(r"^\d+ events?$", out, re.MULTILINE)) == 2 and "calf_left     cramp" in out
    )
    assert "2 of 2 files scored" in r.stderr


def test_folder_without_recordings_is_an_error(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing here\n")
    r = _cli("detect", tmp_path)
    assert r.returncode == 2 and r.stdout == ""
    assert (
        r.stderr.strip().splitlines()[-1].startswith("crampdetect detect: error: nothing to score")
    )


@pytest.fixture(scope="module")
def training_copies(tmp_path_factory):
    """A session recorded from the simulator under the training profile, its EDF+ copy, and a
    labelled CSV whose labels name training: each names the training profile. Both hold a
    cramp, which the two profiles alert at different times (their paths differ), so scoring
    under one or the other shows in the events, not only in the label."""
    root = tmp_path_factory.mktemp("training")
    session, edf = root / "run.cdrec", root / "run.edf"
    url = "sim://cramp?speed=0&duration=60&seed=0"
    argv = ["record", url, "--out", str(session), "--profile", "training", "--quiet"]
    assert main([*argv, "--convert", str(edf)]) == 0
    csv = root / "cramp.csv"
    assert main(["simulate", "cramp", "--seed", "0", "--duration", "90", "--out", str(csv)]) == 0
    labels = csv.with_suffix(".labels.json")
    labels.write_text(json.dumps({**json.loads(labels.read_text()), "profile": "training"}))
    return [session, edf, csv]


def _inputs(capsys) -> list[dict]:
    return [json.loads(line)["input"] for line in capsys.readouterr().out.splitlines()]


def test_a_recording_is_scored_under_the_profile_it_names(training_copies, cramp_csv, capsys):
    """detect and replay without --profile use the recording's own profile (a session, its
    EDF+ copy, a labelled CSV), and say so; an explicit --profile wins and says what the
    recording names; a recording that names none is a night, as before."""
    for path in training_copies:
        for command in ("detect", "replay"):
            for given, used, source in (
                (None, "training", "recording"),
                ("night",) * 2 + ("option",),
            ):
                argv = [command, str(path), "--json", *(["--profile", given] if given else [])]
                assert main(argv) == 0
                (inp,) = _inputs(capsys)
                got = (inp["profile"], inp["profile_from"], inp["recorded_profile"])
                assert got == (used, source, "training"), (command, path, given)
    assert main(["detect", *map(str, training_copies), "--json"]) == 0  # several files
    assert [i["profile"] for i in _inputs(capsys)] == ["training"] * 3
    assert main(["detect", str(cramp_csv), "--json"]) == 0
    (inp,) = _inputs(capsys)
    assert (inp["profile"], inp["profile_from"], inp["recorded_profile"]) == (
        "night",
        "default",
        None,
    )


def test_scoring_under_the_named_profile_is_scoring_under_training(training_copies, capsys):
    """Not only the label: the events are those of --profile training (the night profile
    alerts the same cramp later or earlier, on another path), and the table says where the
    profile came from."""
    for path in (training_copies[0], training_copies[2]):
        events = {}
        for given in (None, "training", "night"):
            argv = ["detect", str(path), "--json", *(["--profile", given] if given else [])]
            assert main(argv) == 0
            events[given] = json.loads(capsys.readouterr().out)["events"]
        assert events[None] == events["training"] != events["night"], path
    session = str(training_copies[0])
    assert main(["detect", session]) == 0
    assert "profile training (the recording's)" in capsys.readouterr().out
    assert main(["detect", session, "--profile", "night"]) == 0
    assert "profile night (--profile; the recording names training)" in capsys.readouterr().out


def test_an_unknown_or_unreadable_profile_is_a_warning_and_a_night(
    training_copies, tmp_path, capsys
):
    """A labels file naming a profile this version does not know, or a CSV sidecar that cannot
    be read: a warning line, and the recording is still scored, under night."""
    csv = tmp_path / "nap.csv"
    csv.write_bytes(training_copies[2].read_bytes())
    labels = json.loads(training_copies[2].with_suffix(".labels.json").read_text())
    (tmp_path / "nap.labels.json").write_text(json.dumps({**labels, "profile": "nap"}))
    assert main(["detect", str(csv), "--json"]) == 0
    out, err = capsys.readouterr()
    inp = json.loads(out)["input"]
    assert (inp["profile"], inp["profile_from"], inp["recorded_profile"]) == (
        "night",
        "default",
        "nap",
    )
    assert "profile 'nap'" in inp["problems"][-1] and "warning: the recording names" in err
    (tmp_path / "nap.labels.json").unlink()
    (tmp_path / "nap.csv.session.json").write_text("{not json")
    assert main(["detect", str(csv), "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["input"]["profile"] == "night" and "sidecar ignored" in err


def test_table_columns_stay_apart_for_unix_times_and_long_names():
    """A CSV whose time_s is a Unix time (allowed) or a long channel name must not glue the
    table's columns together: each row still splits into its fields."""
    from crampdetect.cli._args import format_result

    t0 = 1.76e9
    inp = {"sample_rate_hz": 1000, "channels": ["gastrocnemius_l"], "signal": "raw",
           "units": "uV", "adc_bits": None, "inferred": [], "duration_s": 60.0, "gaps": 0,
           "profile": "night"}  # fmt: skip
    event = {"channel": "gastrocnemius_l", "kind": "cramp", "onset_s": t0 + 15.975,
             "alert_s": t0 + 25.999, "end_s": t0 + 57.0, "confidence": 0.7}  # fmt: skip
    flag = {"channel": "gastrocnemius_l", "issue": "lead_off", "start_s": t0, "end_s": t0 + 1}
    text = format_result({"input": inp, "events": [event], "quality": [flag]})
    rows = [line.split() for line in text.splitlines() if line.startswith("  gastro")]
    assert [len(r) for r in rows] == [6, 4], text
    plain = dict(event, channel="calf_right", onset_s=15.975, alert_s=25.999, end_s=57.0)
    head, row = format_result({"input": inp, "events": [plain], "quality": []}).splitlines()[3:5]
    for column, value in (("onset", "00:00:15.975"), ("end", "00:00:57.000")):
        assert row.index(value) + len(value) == head.index(column) + len(column), (head, row)


def test_unix_time_stamps_print_as_the_utc_clock_of_their_day(tmp_path):
    """A CSV whose time_s holds Unix times prints its events at the UTC clock time of their
    day (with the day named), not as 490264 hours into a stream; the JSON keeps the seconds."""
    t0 = 1764950400.0  # 2025-12-05 16:00:00 UTC
    fs, quiet_s = 500, 20.0
    n = int(quiet_s * fs)
    rng = np.random.default_rng(0)
    emg = rng.normal(0.0, 3.0, n)
    emg[int(5 * fs) : int(8 * fs)] = 5e4  # flat at the rail: a quality interval 5-8 s in
    path = tmp_path / "unix.csv"
    times = t0 + np.arange(n) / fs
    np.savetxt(path, np.column_stack([times, emg]), delimiter=",", fmt=["%.3f", "%.2f"],
               header="time_s,calf_right", comments="")  # fmt: skip
    text = _cli("detect", str(path), "--units", "uV").stdout
    assert "times: UTC clock from 2025-12-05" in text, text
    rows = [line for line in text.splitlines() if line.startswith("  calf_right")]
    assert rows and all(" 16:00:" in row for row in rows), text
    assert "490264" not in text
    doc = json.loads(_cli("detect", str(path), "--units", "uV", "--json").stdout)
    assert all(q["start_s"] > t0 for q in doc["quality"])


def test_time_in_milliseconds_is_named_with_a_hint(tmp_path, capsys):
    """A CSV whose time_s holds milliseconds gives a 1 Hz rate: the error names the file and
    asks whether time_s is in seconds, rather than blaming an 'env EMG' it never had."""
    path = tmp_path / "ms.csv"
    rows = "".join(f"{i},{(i * 37) % 11 - 5}\n" for i in range(3000))  # 0, 1, 2... ms
    path.write_text("time_s,calf_left\n" + rows)
    assert main(["detect", str(path)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("crampdetect detect: error: ms.csv: "), line
    assert "in seconds" in line


def test_skipped_entries_are_named_and_sidecars_are_not_skipped(cramp_csv, tmp_path):
    """In a folder, the simulator's labels beside a CSV belong to it (not "skipped"); a data
    file crampdetect cannot read and a sub-folder are named, so the researcher sees which (a
    text table of numbers like EMG on a line of its own, with what reads it)."""
    (tmp_path / "a.csv").write_bytes(cramp_csv.read_bytes())
    (tmp_path / "a.labels.json").write_text("{}")
    (tmp_path / "emg.txt").write_text("# Simple Text Format\n1\n2\n3\n")
    (tmp_path / "subject2").mkdir()
    r = _cli("detect", tmp_path, "--json", "-q")
    assert r.returncode == 0, r.stderr
    err = r.stderr.splitlines()
    emg, sub = tmp_path / "emg.txt", tmp_path / "subject2"
    assert f"crampdetect detect: skipped 1 non-recording file: {sub}/" in err
    table = "crampdetect detect: skipped 1 text table that looks like EMG, with no recordings.json"
    assert any(x.startswith(f"{table} beside it: {emg}; ") for x in err), err
