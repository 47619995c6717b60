"""Inference of the input representation from the data."""

from __future__ import annotations

import numpy as np
import pytest

from crampdetect.core import Representation
from crampdetect.ingest.inference import infer_representation


def _raw_counts(bits, rng):
    mid = 1 << (bits - 1)
    return np.round(mid + 20 + rng.normal(scale=30, size=(1, 5000))).clip(0, (1 << bits) - 1)


def test_raw_10bit_counts():
    rep, inferred = infer_representation(_raw_counts(10, np.random.default_rng(0)))
    assert (rep.signal, rep.units, rep.adc_bits) == ("raw", "counts", 10)
    assert set(inferred) == {"signal", "units", "adc_bits"}


def test_raw_12bit_counts():
    rep, _ = infer_representation(_raw_counts(12, np.random.default_rng(0)))
    assert (rep.signal, rep.units, rep.adc_bits) == ("raw", "counts", 12)


def test_env_counts_rest_near_the_bottom():
    rng = np.random.default_rng(0)
    env = np.round(np.abs(rng.normal(40, 5, size=(2, 3000)))) + np.r_[0, 900][:, None] * (
        np.arange(3000) > 2500
    )
    rep, _ = infer_representation(env)
    assert (rep.signal, rep.units) == ("env", "counts")


def test_float_microvolts_raw():
    rep, _ = infer_representation(np.random.default_rng(0).normal(scale=5.0, size=(1, 1000)))
    assert (rep.signal, rep.units, rep.adc_bits) == ("raw", "uV", None)


def test_given_values_win_and_are_not_reported_as_inferred():
    rep, inferred = infer_representation(
        _raw_counts(10, np.random.default_rng(0)), signal="env", adc_bits=12
    )
    assert rep.signal == "env" and rep.adc_bits == 12 and rep.units == "counts"
    assert inferred == ["units"]


@pytest.mark.parametrize("bits,uv", [(10, 5.0 / 1024 / 200 * 1e6), (12, 3.3 / 4096 / 200 * 1e6)])
def test_counts_scale_to_microvolts_at_the_skin(bits, uv):
    rep, _ = infer_representation(_raw_counts(bits, np.random.default_rng(0)))
    assert rep.uv_per_unit == pytest.approx(uv)
    assert rep.offset == 1 << (bits - 1)


def test_below_200_hz_only_an_envelope_is_possible():
    rng = np.random.default_rng(0)
    standing = np.round(300 + rng.normal(scale=40, size=(1, 3000))).clip(0, 1023)  # mid-scale
    assert infer_representation(standing)[0].signal == "raw"
    assert infer_representation(standing, fs=100.0)[0].signal == "env"
    assert infer_representation(standing, signal="raw", fs=100.0)[0].signal == "raw"


# -- the whole procedure on simulated recordings: every representation x rate x start --------
MATRIX_REPS = {
    "raw-uV": (Representation("raw", "uV"), (500.0, 1000.0, 2000.0)),
    "raw-counts10": (Representation("raw", "counts", 10), (500.0, 1000.0, 2000.0)),
    "raw-counts12": (Representation("raw", "counts", 12), (500.0, 1000.0, 2000.0)),
    "env-counts10": (Representation("env", "counts", 10), (100.0, 200.0, 500.0, 1000.0, 2000.0)),
    "env-counts12": (Representation("env", "counts", 12), (100.0, 200.0, 500.0, 1000.0, 2000.0)),
}
STARTS = ("rest", "strong", "lead_off", "interference", "wander")
CASES = [(k, fs, s) for k, (_, rates) in MATRIX_REPS.items() for fs in rates for s in STARTS]


def _recording(rep, fs, start, seed, duration=75.0):
    """A simulated recording whose first 40 s (past the 30-s look-ahead) are ``start``."""
    from crampdetect.simulate import activities as act
    from crampdetect.simulate import exercise as ex
    from crampdetect.simulate.builder import Scene, SceneBuilder
    from crampdetect.simulate.session import Session
    from crampdetect.simulate.subject import Hardware, Subject

    rng = np.random.default_rng([seed, 7])
    subject = Subject.draw(rng, 2)
    hardware = Hardware.draw(rng, rep, float(np.mean(subject.mvc_uv)))
    scene = Scene("night", duration, 2)
    b = SceneBuilder(rng, scene, subject, ("left", "right"))
    if start == "strong":
        act.cramp(b, 0, 0.0, 40.0)
        ex.hold(b, [1], 1.0, level=0.9)
    elif start == "lead_off":
        for ch in (0, 1):
            b.lead_off(ch, 0.0, 40.0, ("high", "low", "float")[(seed + ch) % 3])
    elif start == "interference":
        b.mains(range(2), 0.0, 40.0, 600.0)
        b.pop(0, 5.0)
        b.pop(1, 12.0)
    elif start == "wander":
        for ch in (0, 1):
            b.wander(ch, 0.0, 40.0, 8000.0)
    ex.hold(b, [0], 50.0, level=0.6)
    ex.hold(b, [1], 62.0, level=0.6)
    session = Session("matrix", seed, fs, rep, ("left", "right"), duration, scene, subject,
                      hardware, {})  # fmt: skip
    return [x for _, x in session.iter_chunks(7.3)]


@pytest.mark.parametrize("key,fs,start", CASES)
def test_inference_is_right_for_every_representation_rate_and_start(key, fs, start):
    from crampdetect.ingest.inference import infer_over

    rep, _ = MATRIX_REPS[key]
    chunks = _recording(rep, fs, start, seed=CASES.index((key, fs, start)))
    got = infer_over(chunks, fs).finish()
    assert (got.signal, got.units) == (rep.signal, rep.units)
    top = max(float(c.max()) for c in chunks)
    # 12-bit data that never leaves 0..1023 cannot be told from 10-bit (and reads the same).
    assert got.adc_bits == (10 if rep.adc_bits == 12 and top <= 1023 else rep.adc_bits)


INVARIANCE = [
    ("env-counts12", "rest"),
    ("raw-uV", "lead_off"),
    ("raw-counts10", "lead_off"),
    ("env-counts10", "lead_off"),
]


@pytest.mark.parametrize("key,start", INVARIANCE)
def test_decision_and_revisions_do_not_depend_on_block_size(key, start):
    from crampdetect.ingest.inference import infer_over

    rep, rates = MATRIX_REPS[key]
    x = np.concatenate(_recording(rep, rates[0], start, seed=3), axis=1)
    infos = []
    for block in (1, 333, 4096, x.shape[1]):
        inf = infer_over((x[:, a : a + block] for a in range(0, x.shape[1], block)), rates[0])
        infos.append((inf.representation, inf.info()))
    assert all(i == infos[0] for i in infos[1:])


def test_a_value_above_1023_revises_ten_bits_to_twelve():
    from crampdetect.ingest.inference import RepresentationInference

    rng = np.random.default_rng(5)
    fs = 100.0
    env = np.round(np.abs(rng.normal(30, 4, size=(1, 12_000))))  # 2 min of resting ENV
    env[0, 9000:9500] = 1500  # minutes in, a contraction above 1023
    inf = RepresentationInference(fs)
    changed = [inf.feed(env[:, a : a + 700]) for a in range(0, env.shape[1], 700)]
    assert inf.finish() == Representation("env", "counts", 12)
    assert sum(changed) == 1
    (rev,) = inf.info()["revisions"]
    assert rev["field"] == "adc_bits" and (rev["from"], rev["to"]) == (10, 12)
    assert 89.0 <= rev["at_s"] <= 90.0
    assert inf.info()["decided_at_s"] == 30.0


def test_raw_microvolts_that_start_at_a_positive_rail_are_revised_to_raw():
    from crampdetect.ingest.inference import RepresentationInference

    rng = np.random.default_rng(6)
    x = 12_500.0 * np.ones((1, 60_000))  # 60 s at the top rail (electrode off), then EMG
    x[0, 40_000:] = np.round(rng.normal(0, 8, 20_000), 2)
    inf = RepresentationInference(1000.0)
    inf.feed(x)
    assert inf.finish() == Representation("raw", "uV")
    # Integral and positive at first: 16-bit counts of an envelope, until EMG contradicts it.
    revisions = {r["field"]: (r["from"], r["to"], r["at_s"]) for r in inf.info()["revisions"]}
    assert revisions["units"][:2] == ("counts", "uV") and revisions["signal"][:2] == ("env", "raw")
    assert all(40.0 <= r[2] <= 41.0 for r in revisions.values())


def test_corrupt_samples_are_no_evidence():
    rng = np.random.default_rng(8)
    x = np.round(512 + rng.normal(0, 30, (1, 40_000))).clip(0, 1023)
    x[0, [100, 20_000, 35_000]] = [np.nan, np.inf, 1e300]
    rep, _ = infer_representation(x, fs=1000.0)
    assert (rep.signal, rep.units, rep.adc_bits) == ("raw", "counts", 10)


@pytest.mark.parametrize("revised", [False, True])
def test_detect_reads_once_and_matches_inferring_over_the_whole_file_first(tmp_path, revised):
    """``detect`` starts on the look-ahead decision; a later revision reruns with the final one."""
    from crampdetect.detect.settings import profile_settings
    from crampdetect.ingest.inference import infer_over
    from crampdetect.pipeline import Pipeline
    from crampdetect.pipeline.offline import (
        detect_file,
        detection_result,
        run_blocks,
        with_profile_note,
    )
    from crampdetect.storage.csvfile import open_csv
    from tests.synth import write_csv

    fs, rng = 1000.0, np.random.default_rng(7)
    x = np.round(rng.normal(0, 8, (2, 70_000)), 2)
    x[1, 20_000:23_000] *= 40  # a burst on one channel
    if revised:  # 40 s at the top rail (electrode off): 16-bit envelope counts until EMG comes
        x[:, :40_000] = 12_500.0
    path = tmp_path / "rec.csv"
    write_csv(path, np.arange(x.shape[1]) / fs, x, ["left", "right"])

    stream = open_csv(path)
    inference = infer_over((b.data for b in stream.blocks()), stream.fs)
    rep = inference.finish()
    assert bool(inference.revisions) == revised
    stream = open_csv(path)
    pipe = Pipeline(stream.fs, stream.channels, rep, "night", profile_settings("night", rep.signal))
    events, quality = run_blocks(pipe, stream.blocks())
    expected = detection_result(
        stream.fs, stream.channels, rep, stream.duration_s, stream.gaps, inference.inferred,
        inference.info(), "night", events, quality,
    )  # fmt: skip
    expected = with_profile_note(expected, {"profile_from": "default", "recorded_profile": None})
    seen: list[float] = []
    got = detect_file(path, block_s=0.7, progress=seen.append)
    assert got == expected
    assert sum(seen) == pytest.approx(x.shape[1] / fs * (2 if revised else 1))


def test_an_envelope_resting_after_raw_swings_still_revises_to_envelope():
    """After raw EMG swung, only envelope rest is examined further: it still revises."""
    from crampdetect.ingest.inference import RepresentationInference

    rng = np.random.default_rng(2)
    fs = 1000.0
    raw = np.round(512 + rng.normal(scale=40, size=(2, 40_000))).clip(0, 1023)
    rest = np.round(np.abs(rng.normal(30, 4, size=(2, 4_000))))
    inf = RepresentationInference(fs)
    for part in np.array_split(np.hstack([raw, rest]), 13, axis=1):
        inf.feed(part)
    rep = inf.finish()
    assert rep.signal == "env"
    (rev,) = inf.revisions
    assert (rev.field, rev.old, rev.new) == ("signal", "raw", "env")
    assert 40.0 <= rev.at_s < 44.0
    assert "envelope at rest" in rev.reason


@pytest.mark.parametrize("bits,pinned", [(12, 30.0), (10, 6.0)])
def test_raw_pinned_near_a_rail_for_a_while_stays_raw(bits, pinned):
    """A raw output resting at mid-scale for minutes, then pinned near the bottom rail for
    20 s (a lead-off, with ADC noise) is still raw: window by window the pinned stretch looks
    like an envelope at rest, but raw EMG has rested at mid-scale far longer."""
    from crampdetect.ingest.inference import infer_over

    fs = 1000.0
    rng = np.random.default_rng(bits)
    mid = (1 << bits) / 2
    rest = np.round(mid + rng.normal(0, 1.0, (2, int(300 * fs))))
    burst = np.round(mid + rng.normal(0, 60.0, (2, int(2 * fs))))  # one raw swing
    lead = np.round(pinned + rng.normal(0, 1.5, (2, int(20 * fs)))).clip(0)
    x = np.concatenate([rest[:, :100_000], burst, rest[:, 100_000:], lead, rest[:, :30_000]], 1)
    inf = infer_over([x[:, a : a + 7300] for a in range(0, x.shape[1], 7300)], fs)
    got = inf.finish()
    assert (got.signal, got.units) == ("raw", "counts")
    assert not [r for r in inf.revisions if r.field == "signal"]
