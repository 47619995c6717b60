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
