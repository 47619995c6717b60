"""Inference of the input representation from the data."""

from __future__ import annotations

import numpy as np
import pytest

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
