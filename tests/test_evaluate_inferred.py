"""evaluate's inference check: the representation ``detect`` infers over the whole file."""

from __future__ import annotations

import json

import numpy as np
from synth import slow_modulation, write_csv

from crampdetect.evaluate.score import Scorer


def _envelope_file(tmp_path, declared: dict[str, object]):
    """A 12-bit ENV recording whose first minute stays below 1024 (a 10-bit guess at first)."""
    fs, n = 100.0, 18_000  # 3 min at 100 Hz
    rng = np.random.default_rng(31)
    env = 30 + 3 * slow_modulation(n, fs, rng, 0.3, 0.5) + rng.normal(0, 1.5, (2, n))
    env[1, 9000:9600] += 2500 * np.hanning(600)  # a contraction beyond 1023 after 90 s
    path = tmp_path / "e.csv"
    write_csv(path, np.arange(n) / fs, np.round(env).clip(0, 4095), fmt="%d")
    labels = {"profile": "night", "intervals": [], "channels": ["ch0", "ch1"], **declared}
    (tmp_path / "e.labels.json").write_text(json.dumps(labels))
    return path


def test_a_revision_after_the_look_ahead_counts_as_inferred_right(tmp_path):
    path = _envelope_file(tmp_path, {"signal": "env", "units": "counts", "adc_bits": 12})
    assert Scorer()(path)["inferred_ok"] is True


def test_a_wrong_inference_is_counted_and_the_labelled_representation_scored(tmp_path):
    path = _envelope_file(tmp_path, {"signal": "env", "units": "counts", "adc_bits": 10})
    out = Scorer()(path)
    assert out["inferred_ok"] is False
    assert out["representation"] == "env-counts10"
