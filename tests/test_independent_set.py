"""The independent evaluation set: valid labels, read by the scorer, physiologically sane."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from crampdetect.evaluate import independent as ind
from crampdetect.evaluate.score import ACTIVITIES, QUALITY_LABELS, Scorer, labels_path

KNOWN_KINDS = {"cramp", *ACTIVITIES, *QUALITY_LABELS}


@pytest.fixture(scope="module")
def recordings(tmp_path_factory):
    """A short night recording (RAW µV) and a short training session (ENV 12-bit counts)."""
    d = tmp_path_factory.mktemp("indep")
    night = ind.write_recording(d, 0, 7, "night", 420.0, 1, representation=0)
    training = ind.write_recording(d, 1, 7, "training", 900.0, 2, representation=4)
    return night, training


def _labels(path):
    return json.loads(labels_path(path).read_text())


def test_labels_are_valid_and_match_the_csv(recordings):
    for path in recordings:
        lab = _labels(path)
        assert lab["format"] == "crampdetect-labels/1"
        assert lab["profile"] in ("night", "training")
        assert lab["signal"] in ("raw", "env") and lab["units"] in ("uV", "counts")
        assert (lab["adc_bits"] is None) == (lab["units"] == "uV")
        assert lab["mains_hz"] in (50, 60)
        with path.open() as f:
            header = next(csv.reader(f))
        assert header == ["time_s", *lab["channels"]]
        data = np.loadtxt(path, delimiter=",", skiprows=1)
        fs = lab["sample_rate_hz"]
        assert data.shape[0] == pytest.approx(lab["duration_s"] * fs, abs=1)
        assert np.allclose(np.diff(data[:, 0]), 1 / fs, atol=1e-4)
        if lab["units"] == "counts":
            assert data[:, 1:].min() >= 0 and data[:, 1:].max() < 2 ** lab["adc_bits"]
            assert np.all(data[:, 1:] == np.round(data[:, 1:]))
        for i in lab["intervals"]:
            assert i["kind"] in KNOWN_KINDS, i
            assert i["channel"] in lab["channels"]
            assert 0 <= i["start_s"] < i["end_s"] <= lab["duration_s"]
        cramps = [i for i in lab["intervals"] if i["kind"] == "cramp"]
        assert cramps and all("context" in c and 0 < c["level"] <= 1 for c in cramps)


def test_the_scorer_reads_it(recordings):
    for path in recordings:
        out = Scorer()(path)
        lab = _labels(path)
        assert out["profile"] == lab["profile"]
        assert len(out["cramps"]) == sum(i["kind"] == "cramp" for i in lab["intervals"])
        assert out["duration_s"] == pytest.approx(lab["duration_s"], abs=0.01)
        assert out["representation"].startswith(lab["signal"])


def test_a_cramp_is_louder_than_rest(recordings):
    path = recordings[0]
    lab = _labels(path)
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    fs = lab["sample_rate_hz"]
    c = next(i for i in lab["intervals"] if i["kind"] == "cramp")
    x = data[:, 1 + lab["channels"].index(c["channel"])]
    busy = np.zeros(x.size, bool)
    for i in lab["intervals"]:
        if i["channel"] == c["channel"]:
            busy[int((i["start_s"] - 2) * fs) : int((i["end_s"] + 2) * fs)] = True
    rest = np.sqrt(np.mean(x[~busy] ** 2))
    during = np.sqrt(np.mean(x[int(c["start_s"] * fs) : int(c["end_s"] * fs)] ** 2))
    assert during > 3 * rest


def test_seeds_are_reproducible(tmp_path):
    for sub in "abc":
        (tmp_path / sub).mkdir()
    a = ind.write_recording(tmp_path / "a", 3, 11, "training", 400.0, 1, 1)
    b = ind.write_recording(tmp_path / "b", 3, 11, "training", 400.0, 1, 1)
    c = ind.write_recording(tmp_path / "c", 3, 12, "training", 400.0, 1, 1)
    assert a.read_bytes() == b.read_bytes()
    assert labels_path(a).read_text() == labels_path(b).read_text()
    assert a.read_bytes() != c.read_bytes()


def test_a_cramp_has_no_relaxation_gaps_and_gait_follows_the_stride():
    sc = ind.Scene(300.0, np.random.default_rng(5))
    onset, end = ind.cramp(sc, 50.0, 0, 120.0, 0.4, "rest")
    a = sc.cramp[0, sc.span(onset + 6.0, end - 21.0)]
    assert a.min() >= 0.45 * 0.4 * 0.7  # waxes and wanes, never relaxes
    assert a.std() / a.mean() > 0.05  # and is not a flat plateau
    ind.gait(sc, 200.0, 290.0, running=True)
    g = sc.vol[1, sc.span(210.0, 280.0)]
    spec = np.abs(np.fft.rfft(g - g.mean()))
    f = np.fft.rfftfreq(g.size, 1 / ind.CONTROL_HZ)
    assert 1.25 <= f[np.argmax(spec)] <= 1.6  # running bursts at ~1.4 Hz


@pytest.mark.slow  # generates half an hour of recordings
def test_write_set_mixes_profiles_and_representations(tmp_path):
    paths = ind.write_set(tmp_path, seed=1, hours=0.5)
    labs = [_labels(p) for p in paths]
    assert {lab["profile"] for lab in labs} == {"night", "training"}
    reps = {(lab["signal"], lab["units"], lab["adc_bits"]) for lab in labs}
    assert len(labs) >= 2 and len(reps) == len(labs)  # cycles through the representations
    assert sum(lab["duration_s"] for lab in labs) == pytest.approx(0.5 * 3600, rel=0.2)


@pytest.mark.slow  # generates and scores half an hour of recordings
def test_evaluate_sets_generates_caches_and_scores_the_independent_set(tmp_path, monkeypatch):
    """``evaluate --sets independent``: generated once into the cache with a manifest, found
    again without regenerating, scored like the other sets; an unknown set is refused."""
    from crampdetect.core import InputError
    from crampdetect.evaluate import multiseed as ms

    d = ms.ensure_set("independent", 1, 0.5, tmp_path)
    assert ms.set_variant(d) == "independent"
    files = ms.set_recordings(d)
    assert files and all(p.exists() for p in files)
    calls = []
    monkeypatch.setattr(ind, "write_set", lambda *a, **k: calls.append(a) or [])
    assert ms.ensure_set("independent", 1, 0.5, tmp_path) == d and not calls  # cached
    result = ms.evaluate_sets(("independent",), (1,), Scorer(), hours={"independent": 0.5},
                              cache=tmp_path, n_workers=1)  # fmt: skip
    overall = result["sets"]["independent"]["per_seed"][1]["overall"]
    assert overall["hours"] == pytest.approx(0.5, rel=0.2)
    assert overall["cramps"] == sum(
        1 for p in files for i in _labels(p)["intervals"] if i["kind"] == "cramp"
    )
    with pytest.raises(InputError, match="independent"):
        ms.evaluate_sets(("nonesuch",), (1,), Scorer(), cache=tmp_path)


def _fake_write_set(marker: str):
    """A stand-in for the generator (hours of EMG take minutes): one small file per set."""

    def write(directory, seed, hours):
        p = Path(directory) / "000_night.csv"
        p.write_text(marker)
        return [p]

    return write


def test_a_set_lands_whole_or_not_at_all(tmp_path, monkeypatch):
    """Generation writes into a private folder and moves it into place complete: a crash leaves
    nothing a later run could half-read, an older run's leftovers are replaced, and when a
    parallel run's copy lands first that copy is kept."""
    from crampdetect.evaluate import multiseed as ms

    d = ms.set_directory(tmp_path, "independent", 7, 0.5)

    def crash(directory, seed, hours):
        (Path(directory) / "000_night.csv").write_text("half")
        raise RuntimeError("killed mid-write")

    monkeypatch.setattr(ind, "write_set", crash)
    with pytest.raises(RuntimeError):
        ms.ensure_set("independent", 7, 0.5, tmp_path)
    assert list(tmp_path.iterdir()) == []  # neither the set nor its private folder

    d.mkdir()
    (d / "000_night.csv").write_text("stale, no manifest")  # an interrupted old-style run
    monkeypatch.setattr(ind, "write_set", _fake_write_set("ours"))
    assert ms.ensure_set("independent", 7, 0.5, tmp_path) == d
    assert (d / "000_night.csv").read_text() == "ours" and ms.set_recordings(d) == [
        d / "000_night.csv"
    ]

    other = ms.set_directory(tmp_path, "independent", 8, 0.5)

    def slower_than_a_parallel_run(directory, seed, hours):
        if not other.exists():  # the parallel run finishes while we are still writing
            other.mkdir()
            _fake_write_set("theirs")(other, seed, hours)
            (other / "manifest.json").write_text(json.dumps({"files": ["000_night.csv"]}))
        return _fake_write_set("ours")(directory, seed, hours)

    monkeypatch.setattr(ind, "write_set", slower_than_a_parallel_run)
    assert ms.ensure_set("independent", 8, 0.5, tmp_path) == other
    assert (other / "000_night.csv").read_text() == "theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([d.name, other.name])
