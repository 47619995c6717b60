"""The stress variant of the evaluation set: wide coverage, honest labels, reproducible."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from crampdetect.core import InputError, Representation
from crampdetect.evaluate.multiseed import VALIDATION_SEEDS
from crampdetect.simulate import SceneOptions, simulate
from crampdetect.simulate.evalset import plan_evaluation_set
from crampdetect.simulate.stress import (
    LOWEST_LEVEL,
    NIGHT_CONTEXTS,
    TRAINING_CONTEXTS,
    lowest_visible_level,
)


def _plan(job: dict) -> object:
    rep = Representation(job["signal"], job["units"], job["adc_bits"])
    return simulate(job["scenario"], seed=job["seed"], duration_s=job["duration_s"], fs=job["fs"],
                    representation=rep, options=SceneOptions(**job["options"]),
                    variant=job["variant"])  # fmt: skip


def test_stress_plan_covers_every_condition_the_brief_asks_for() -> None:
    jobs = plan_evaluation_set(8.0, seed=100, variant="stress")
    assert {j["variant"] for j in jobs} == {"stress"}
    formats = {(j["signal"], j["units"], j["adc_bits"]) for j in jobs}
    assert formats == {("raw", "uV", None), ("raw", "counts", 10), ("raw", "counts", 12),
                       ("env", "counts", 10), ("env", "counts", 12)}  # fmt: skip
    sessions = [_plan(j) for j in jobs]  # planning only: nothing is rendered
    profiles = Counter(s.profile for s in sessions)
    assert set(profiles) == {"night", "training"}
    cramps = [i for s in sessions for i in s.planned_labels["intervals"] if i["kind"] == "cramp"]
    assert len(cramps) >= 30
    assert len({c["context"] for c in cramps}) >= len(NIGHT_CONTEXTS) + len(TRAINING_CONTEXTS) - 1
    levels = [c["level"] for c in cramps]
    assert min(levels) < 0.2 and max(levels) > 0.9
    rises = [a.rise for s in sessions for a in s.scene.activations if a.mu_cv > 0.3]
    assert min(rises) < 0.3 and max(rises) > 4.0  # fast and slow onsets
    gains = [m for s in sessions for m in s.subject.mvc_uv]
    assert max(gains) / min(gains) > 20  # MVC x electrode gain spans more than 0.3-3 mV
    env = [s for s in sessions if s.representation.signal == "env"]
    # ENV gain: MVC lands above full scale on some boards (saturating), well below on others
    at_mvc = [s.hardware.env_gain * 0.8 * np.mean(s.subject.mvc_uv) * 200e-6
              / s.representation.adc_vref_v for s in env]  # fmt: skip
    assert max(at_mvc) > 1.5 and min(at_mvc) < 0.6
    kinds = Counter(i["kind"] for s in sessions for i in s.planned_labels["intervals"])
    for kind in ("voluntary_hold", "calf_raise", "gait", "standing", "leg_movement", "turnover",
                 "prodrome"):  # fmt: skip
        assert kinds[kind] >= 5, kind


def test_stress_sets_over_the_validation_seeds_have_cramps_in_every_context() -> None:
    """One seed's 8 h may lack a rare context (a cramp 0-5 s after gait); three seeds do not."""
    contexts = {
        i["context"]
        for seed in VALIDATION_SEEDS
        for j in plan_evaluation_set(8.0, seed=seed, variant="stress")
        for i in _plan(j).planned_labels["intervals"]
        if i["kind"] == "cramp"
    }
    assert contexts == set(NIGHT_CONTEXTS) | set(TRAINING_CONTEXTS)


def test_cramp_contexts_match_the_labels_around_them() -> None:
    seen: Counter[str] = Counter()
    for seed, scenario in [(s, sc) for s in range(6) for sc in ("stress-night", "stress-training")]:
        session = simulate(scenario, seed=seed, duration_s=2400.0, variant="stress")
        iv = session.planned_labels["intervals"]
        for c in (i for i in iv if i["kind"] == "cramp"):
            ctx, ch, t = c["context"], c["channel"], c["start_s"]
            seen[ctx] += 1
            mine = [i for i in iv if i["channel"] == ch and i is not c]
            if ctx == "leg_movement":
                assert any(i["kind"] == "leg_movement" and 0.0 <= t - i["end_s"] <= 5.0 + 1e-6
                           for i in mine)  # fmt: skip
            elif ctx == "gait":
                assert any(i["kind"] == "gait" and i["start_s"] < t < i["end_s"] for i in mine)
            elif ctx == "after_gait":
                assert any(i["kind"] == "gait" and -0.5 <= t - i["end_s"] <= 5.0 + 1e-6
                           for i in mine)  # fmt: skip
            elif ctx == "after_hold":
                assert any(i["kind"] == "voluntary_hold" and 0.0 <= t - i["end_s"] <= 5.5
                           for i in mine)  # fmt: skip
            elif ctx == "after_raises":
                assert any(i["kind"] == "calf_raise" and 0.0 <= t - i["end_s"] <= 5.0 + 1e-6
                           for i in mine)  # fmt: skip
            elif ctx == "prodrome":
                assert any(i["kind"] == "prodrome" and abs(i["end_s"] - t) < 1e-3 for i in mine)
            idx = session.channels.index(ch)
            assert c["level"] >= min(LOWEST_LEVEL, 1.0) - 1e-3
            assert c["level"] >= lowest_visible_level(session.subject, session.hardware, idx) - 1e-3
    assert set(seen) == set(NIGHT_CONTEXTS) | set(TRAINING_CONTEXTS)


@pytest.mark.parametrize("signal,units,bits", [("raw", "counts", 10), ("env", "counts", 12)])
def test_every_labelled_cramp_stands_clear_of_the_noise_floor(signal, units, bits) -> None:
    """Ground truth agrees with the signal: each cramp is visibly above the quiet rest."""
    from scipy import signal as sps

    rep = Representation(signal, units, bits)
    checked = 0
    for seed in (1, 2):
        s = simulate("stress-night", seed=seed, duration_s=1500.0, fs=1000.0,
                     representation=rep, variant="stress",
                     options=SceneOptions(artefacts_per_hour=0.0, gaps_per_hour=0.0))  # fmt: skip
        chunks = list(s.iter_chunks(60.0))
        t = np.concatenate([c[0] for c in chunks])
        x = np.concatenate([c[1] for c in chunks], axis=1)
        kernel = np.ones(250) / 250  # 250 ms at 1 kHz
        if signal == "raw":  # band RMS; ENV is an envelope already
            x = sps.sosfiltfilt(sps.butter(4, [20, 450], "bandpass", fs=1000.0, output="sos"), x)
            env = np.sqrt(np.apply_along_axis(np.convolve, 1, x**2, kernel, "same"))
        else:
            env = np.apply_along_axis(np.convolve, 1, x, kernel, "same")
        iv = s.planned_labels["intervals"]
        for ch_i, ch in enumerate(s.channels):
            busy = np.zeros(t.size, bool)
            for i in iv:
                if i["channel"] == ch:
                    busy |= (t >= i["start_s"] - 3) & (t < i["end_s"] + 3)
            rest = env[ch_i, ~busy]
            base = np.percentile(rest, 1) if signal == "env" else 0.0  # ENV offset
            rest_level = np.median(rest) - base
            for c in (i for i in iv if i["kind"] == "cramp" and i["channel"] == ch):
                mid = (t >= c["start_s"] + 0.3 * (c["end_s"] - c["start_s"])) & (
                    t < c["end_s"] - 0.3 * (c["end_s"] - c["start_s"])
                )
                assert np.median(env[ch_i, mid]) - base > 2.5 * max(rest_level, 1e-9), c
                checked += 1
    assert checked >= 3


def test_stress_sessions_are_reproducible_per_seed_and_differ_between_seeds() -> None:
    def render(seed: int) -> np.ndarray:
        s = simulate("stress-training", seed=seed, duration_s=120.0, fs=500.0, variant="stress")
        return np.concatenate([x for _, x in s.iter_chunks(7.0)], axis=1)

    a, b, c = render(5), render(5), render(6)
    assert np.array_equal(a, b)
    assert a.shape != c.shape or not np.array_equal(a, c)
    assert plan_evaluation_set(4.0, 3, "stress") == plan_evaluation_set(4.0, 3, "stress")
    assert plan_evaluation_set(4.0, 3, "stress") != plan_evaluation_set(4.0, 3, "standard")


def test_standard_variant_is_unchanged_and_bad_variants_are_refused() -> None:
    s = simulate("cramp", seed=3, duration_s=60.0)
    assert "variant" not in s.planned_labels
    with pytest.raises(InputError):
        simulate("cramp", seed=3, duration_s=60.0, variant="harder")
    with pytest.raises(InputError):
        plan_evaluation_set(1.0, 0, "harder")


def test_cli_writes_a_stress_scene_and_refuses_an_unknown_variant(tmp_path) -> None:
    import json
    import subprocess
    import sys

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "crampdetect", "simulate", *args],
                              capture_output=True, text=True)  # fmt: skip

    out = tmp_path / "s.csv"
    r = cli("stress-training", "--variant", "stress", "--duration", "90", "--out", str(out))
    assert r.returncode == 0, r.stderr
    labels = json.loads((tmp_path / "s.labels.json").read_text())
    assert labels["variant"] == "stress" and labels["profile"] == "training"
    r = cli("cramp", "--variant", "harder", "--out", str(out))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
