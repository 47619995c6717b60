"""Reports render for a night with a cramp, a lead-off and a gap, in every output format."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from crampdetect.cli import main
from crampdetect.pipeline.rescore import resolve_representation
from crampdetect.reports.report import collect, night_summary, severity, training_summary
from crampdetect.reports.report_files import make_report, summary_lines
from crampdetect.storage.reader import open_recording

FS = 1000.0
CH = ("calf_left", "calf_right")


def night_csv(path: Path, duration_s: float = 150.0) -> Path:
    """Counts: a 60 s waxing/waning contraction on the left, 0.5 s gap, 20 s right lead-off."""
    import scipy.signal as ss

    rng = np.random.default_rng(0)
    n = int(duration_s * FS)
    t = np.arange(n) / FS
    sos = ss.butter(4, [20, 450], "bandpass", fs=FS, output="sos")
    x = ss.sosfilt(sos, rng.normal(size=(2, n)))
    x /= x.std(axis=1, keepdims=True)
    amp = np.full((2, n), 4.0)
    c = (t > 30) & (t < 90)
    amp[0, c] = 250 * (1 + 0.4 * np.sin(2 * np.pi * 0.2 * t[c])) * np.clip((t[c] - 30) / 2, 0, 1)
    counts = np.clip(np.round(512 + x * amp / (5.0 / 1024 / 200 * 1e6)), 0, 1023)
    counts[1, (t > 110) & (t < 130)] = 1023
    keep = ~((t > 60) & (t < 60.5))
    with open(path, "w") as fh:
        fh.write("time_s," + ",".join(CH) + "\n")
        rows = np.column_stack([t[keep], counts[:, keep].T])
        np.savetxt(fh, rows, fmt=["%.3f", "%d", "%d"], delimiter=",")
    return path


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return night_csv(tmp_path_factory.mktemp("rep") / "night.csv")


@pytest.fixture(scope="module")
def data(night: Path):
    return collect(open_recording(night), "night")


def test_collect_bounds_memory_and_keeps_extremes(data) -> None:
    rec = data.rec
    assert data.lo.shape == (2, 3000) and data.hi.shape == (2, 3000)
    _, raw = rec.load()
    rep, _ = resolve_representation(rec)  # a plain CSV: 10-bit raw counts, inferred
    assert (rep.units, rep.adc_bits) == ("counts", 10)
    uv = (raw - rep.offset) * rep.uv_per_unit
    np.testing.assert_allclose(np.nanmax(data.hi, axis=1), uv.max(axis=1))
    np.testing.assert_allclose(np.nanmin(data.lo, axis=1), uv.min(axis=1))
    gap_bins = (data.edges[:-1] > 60.05) & (data.edges[1:] < 60.45)
    assert gap_bins.any() and np.isnan(data.lo[:, gap_bins]).all()  # gaps stay empty
    assert data.status_t.size == data.level_uv.shape[1] == data.state.shape[1]
    assert {0, 2} <= set(np.unique(data.state[0]))  # idle and cramp on the left


def test_night_summary_counts_cramps_and_sensor_time(data) -> None:
    s = night_summary(data)
    assert s["n_cramps"] >= 1
    cramp = s["cramps"][0]
    assert cramp["leg"] == "calf_left" and 28 < cramp["onset_s"] < 34
    assert cramp["severity"] == severity(cramp["duration_s"]) == "moderate"
    assert cramp["peak_x_median"] > 10
    assert 19 <= s["sensor_problem_s"]["calf_right"] <= 25  # the 20 s lead-off (+ gap)
    assert s["sensor_problem_s"]["calf_left"] < 2
    assert s["gaps"] == 1
    lines = summary_lines(data)
    assert any("cramp calf_left" in line for line in lines)
    assert any("time lost to sensor problems" in line for line in lines)
    assert (severity(10), severity(60), severity(300)) == ("mild", "moderate", "severe")


@pytest.mark.parametrize("suffix", [".png", ".pdf", ".html"])
def test_report_files_render(night: Path, tmp_path: Path, suffix: str) -> None:
    out = make_report(night, tmp_path / f"r{suffix}", "night")
    raw = out.read_bytes()
    if suffix == ".png":
        import matplotlib.image as mpimg

        img = mpimg.imread(out)
        assert img.shape[0] > 800 and img.shape[1] > 1200
        assert img[..., :3].std() > 0.05  # not a blank page
    elif suffix == ".pdf":
        assert raw.startswith(b"%PDF") and raw.count(b"/Type /Page") >= 2  # overview + zoom
    else:
        text = raw.decode()
        assert text.count("data:image/png;base64,") == 2 and "sensor loose" in text
    with pytest.raises(Exception, match="refusing to overwrite"):
        make_report(night, out, "night")


def test_report_cli_training_profile_and_bad_suffix(
    night: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "train.png"
    assert main(["report", str(night), "--out", str(out), "--profile", "training"]) == 0
    assert out.exists() and capsys.readouterr().out.strip() == str(out)
    assert main(["report", str(night), "--out", str(tmp_path / "r.docx")]) == 2
    assert ".png, .pdf or .html" in capsys.readouterr().err
    assert main(["report", str(night), "--out", str(tmp_path / "no" / "r.png")]) == 2
    (err,) = capsys.readouterr().err.splitlines()
    assert f"the folder {tmp_path / 'no'} does not exist" in err and "Errno" not in err
    (tmp_path / "study").mkdir()
    assert main(["report", str(tmp_path / "study"), "--out", str(tmp_path / "reports")]) == 2
    (err,) = capsys.readouterr().err.splitlines()
    assert "nothing to report" in err and "study without recordings" in err


def test_training_summary_relates_cramps_to_activity(night: Path) -> None:
    data = collect(open_recording(night), "training")
    assert data.activity, "training reports classify activity"
    t = training_summary(data)
    assert sum(t["activity_s"].values()) == pytest.approx(data.rec.duration_s, rel=0.1)
    for cramp in t["cramps"]:
        assert cramp["during"] in {"rest", "standing", "walking", "running", "hold", "active"}
        assert cramp["effort_before_pct_of_peak"] is None or cramp["effort_before_pct_of_peak"] >= 0


def test_report_reads_simulator_labels(night: Path, tmp_path: Path) -> None:
    csv = tmp_path / "labelled.csv"
    csv.write_bytes(night.read_bytes())
    labels = {"intervals": [{"channel": "calf_left", "kind": "cramp", "start_s": 30, "end_s": 90}]}
    (tmp_path / "labelled.labels.json").write_text(json.dumps(labels))
    assert open_recording(csv).labels == labels
    assert make_report(csv, tmp_path / "labelled.png").exists()


def test_report_uses_the_profile_the_recording_names(
    night: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """Without --profile a recording labelled training is reported as training; --profile
    night still re-scores it as a night."""
    csv = tmp_path / "run.csv"
    csv.write_bytes(night.read_bytes())
    (tmp_path / "run.labels.json").write_text(json.dumps({"profile": "training"}))
    for extra, said in (([], "profile training"), (["--profile", "night"], "profile night")):
        out = tmp_path / f"run{len(extra)}.html"
        assert main(["report", str(csv), "--out", str(out), "-q", *extra]) == 0
        assert said in out.read_text()
    assert capsys.readouterr().err == ""


def test_report_cli_many_recordings_in_parallel(
    night: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    second = tmp_path / "second.csv"
    second.write_bytes(night.read_bytes())
    (tmp_path / "broken.csv").write_text("time_s,calf_left\n")
    paths = [str(night), str(second), str(tmp_path / "broken.csv")]
    argv = ["report", *paths, "--out", str(tmp_path / "reports"), "--workers", "2"]
    assert main(argv) == 2  # one recording failed: reported, the others still written
    captured = capsys.readouterr()
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == [
        "night.csv.report.png",
        "second.csv.report.png",
    ]
    assert "broken.csv" in captured.err and "Traceback" not in captured.err
    # the failure names the recording by its path, not the job tuple the workers were given
    broken = tmp_path / "broken.csv"
    assert f"crampdetect report: error: {broken}: no data rows" in captured.err.splitlines()


@pytest.mark.slow  # > 3 s: the default suite stays under its 4 min budget
def test_report_says_what_the_reader_left_out(
    night: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    cut = tmp_path / "cut.csv"
    data = night.read_bytes()
    cut.write_bytes(data[: data.rindex(b",")])  # a recorder killed mid-row
    out = tmp_path / "cut.html"
    assert main(["report", str(cut), "--out", str(out), "-q"]) == 0
    (warning,) = capsys.readouterr().err.splitlines()
    assert warning.startswith("crampdetect report: warning: ") and "cut.csv" in warning
    assert "cut short" in warning and "cut short" in out.read_text()  # stderr and the report
    argv = ["report", str(night), str(cut), "--out", str(tmp_path / "many"), "--force"]
    assert main([*argv, "--workers", "2", "-q"]) == 0
    (warning,) = capsys.readouterr().err.splitlines()  # only the damaged one warns
    assert "cut.csv" in warning and "cut short" in warning


def test_min_max_bins_do_not_depend_on_block_size(tmp_path: Path) -> None:
    rec = open_recording(night_csv(tmp_path / "short.csv", duration_s=20.0))
    a = collect(rec, "night", n_bins=700, status_s=0.37)
    b = collect(rec, "night", n_bins=700, status_s=1.3)
    np.testing.assert_array_equal(a.lo, b.lo)
    np.testing.assert_array_equal(a.hi, b.hi)
    assert a.events == b.events and a.quality == b.quality
    assert a.status_t.size > b.status_t.size


def test_report_of_a_folder_reports_its_recordings(
    night: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """As in detect, a folder stands for the recordings directly in it; a note is skipped and
    named, the simulator's labels go with their recording."""
    study = tmp_path / "study"
    study.mkdir()
    (study / "a.csv").write_bytes(night.read_bytes())
    (study / "notes.txt").write_text("subject 3\n")
    assert main(["report", str(study), "--out", str(tmp_path / "reports"), "-q"]) == 0
    assert [p.name for p in (tmp_path / "reports").iterdir()] == ["a.csv.report.png"]
    assert f"crampdetect report: skipped 1 non-recording file: {study / 'notes.txt'}" in (
        capsys.readouterr().err.splitlines()
    )


def test_report_counts_a_cramp_in_pieces_once_as_summary_does(data) -> None:
    """A cramp the detector sees end and come back on its leg within ``rejoin_s`` (night
    60 s) is one cramp in the report, as in the history and ``summary``; later, a new one."""
    import dataclasses

    from tests.synth import cramp_event

    events = [
        cramp_event("calf_left", 33.0, 50.0),
        cramp_event("calf_left", 70.0, 80.0),  # back 20 s after it ended: the same cramp
        cramp_event("calf_left", 100.0, 110.0),  # and again
        cramp_event("calf_right", 75.0, 85.0),  # the other leg: a cramp of its own
        cramp_event("calf_left", 140.0, 145.0),  # 30 s after... within 60 s: still one
    ]
    piece = dataclasses.replace(data, result={**data.result, "events": events})
    s = night_summary(piece)
    assert s["n_cramps"] == 2
    left, right = s["cramps"]
    assert (left["leg"], left["pieces"], left["onset_s"]) == ("calf_left", 4, 30.0)
    assert left["duration_s"] == 145.0 - 30.0  # first onset to last end
    assert (right["leg"], right["pieces"]) == ("calf_right", 1)
    text = "\n".join(summary_lines(piece))
    assert "2 cramps" in text and "eased and came back 3 times" in text
    assert len(training_summary(piece)["cramps"]) == 2
    later = [*events, cramp_event("calf_left", 400.0, 420.0)]  # 255 s after: a new cramp
    s = night_summary(dataclasses.replace(data, result={**data.result, "events": later}))
    assert [c["pieces"] for c in s["cramps"]] == [4, 1, 1]


def test_report_zooms_once_on_a_cramp_in_pieces(data, tmp_path: Path) -> None:
    """One zoom per cramp (as the report counts cramps): a cramp that eased and came back
    within ``rejoin_s`` is one zoom over all its pieces, not one per piece."""
    import dataclasses
    import re

    from crampdetect.reports.report_files import write_report
    from tests.synth import cramp_event

    events = [
        cramp_event("calf_left", 33.0, 50.0),
        cramp_event("calf_left", 70.0, 80.0),  # back 20 s after it ended: the same cramp
        cramp_event("calf_left", 100.0, 110.0),
        cramp_event("calf_right", 75.0, 85.0),  # the other leg: a cramp of its own
        cramp_event("calf_left", 140.0, 145.0),
    ]
    piece = dataclasses.replace(data, result={**data.result, "events": events})
    pdf = write_report(piece, tmp_path / "pieces.pdf").read_bytes()
    assert len(re.findall(rb"/Type /Page\b(?!s)", pdf)) == 2  # the overview, one zoom page
    page = write_report(piece, tmp_path / "pieces.html").read_text()
    assert page.count("data:image/png;base64,") == 2
    from crampdetect.reports.report import cramp_zooms

    zooms = cramp_zooms(piece)
    got = [(z["channel"], z["onset_s"], z["end_s"], z["pieces"]) for z in zooms]
    assert got == [("calf_left", 30.0, 145.0, 4), ("calf_right", 72.0, 85.0, 1)]
