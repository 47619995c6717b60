"""Streaming filters against scipy's offline reference."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import signal
from synth import emg_noise

from crampdetect.core import InputError
from crampdetect.filters.mains import MainsSuppressor
from crampdetect.filters.sos import SosFilter, bandpass_sos


def test_streamed_sosfilt_equals_scipy_one_shot():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 5000)) + 512.0
    sos = bandpass_sos(1000.0)
    ref = signal.sosfilt(sos, x, axis=-1, zi=signal.sosfilt_zi(sos)[:, None, :] * x[None, :, :1])[0]
    f = SosFilter(sos, 2)
    cuts = [0, 1, 7, 7, 500, 2049, 5000]
    out = np.concatenate([f.process(x[:, a:b]) for a, b in itertools.pairwise(cuts)], axis=1)
    np.testing.assert_allclose(out, ref, rtol=0, atol=1e-9)


@pytest.mark.parametrize("fs", [500.0, 1000.0, 2000.0])
def test_bandpass_is_minus_3_db_at_its_edges(fs):
    sos = bandpass_sos(fs)
    high = min(450.0, 0.45 * fs)
    _, h = signal.freqz_sos(sos, worN=[20.0, high, 100.0], fs=fs)
    db = 20 * np.log10(np.abs(h))
    np.testing.assert_allclose(db[:2], -3.01, atol=0.05)
    assert abs(db[2]) < 0.1


def test_bandpass_rejects_a_rate_with_no_emg_band():
    with pytest.raises(InputError, match="too low"):
        bandpass_sos(40.0)


def test_offset_does_not_ring_through_the_high_pass():
    f = SosFilter(bandpass_sos(1000.0), 1)
    y = f.process(np.full((1, 2000), 512.0))
    assert np.abs(y).max() < 1e-6


@pytest.mark.parametrize("mains_hz", [50.0, 60.0])
def test_mains_frequency_found_and_harmonics_notched(mains_hz):
    fs = 1000.0
    rng = np.random.default_rng(2)
    n = 20_000
    t = np.arange(n) / fs
    emg = 10 * emg_noise(n, fs, rng)
    hum = 40 * np.sin(2 * np.pi * mains_hz * t) + 15 * np.sin(2 * np.pi * 3 * mains_hz * t + 1)
    m = MainsSuppressor(fs, 1)
    y = np.concatenate(
        [m.process(np.atleast_2d(emg + hum)[:, a : a + 700]) for a in range(0, n, 700)], 1
    )
    assert m.mains_hz == mains_hz
    assert mains_hz in m.harmonics_hz and 3 * mains_hz in m.harmonics_hz
    tail = slice(8000, None)  # notches switch on after two 2-s analysis segments
    # After the first seconds, the residual hum is small next to the EMG.
    resid = y[0, tail] - emg[tail]
    assert resid.std() < 0.35 * emg[tail].std()
    assert m.share[0] > 0.3  # the share of line power before notching is reported


def test_clean_emg_gets_no_notch():
    fs = 1000.0
    rng = np.random.default_rng(3)
    x = 20 * emg_noise(30_000, fs, rng)[None, :]
    m = MainsSuppressor(fs, 1)
    y = m.process(x)
    assert m.mains_hz is None
    np.testing.assert_array_equal(y, x)
