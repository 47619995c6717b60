"""Filter design without scipy.signal: the same coefficients and states as scipy's designers."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy import signal

from crampdetect.filters import design

RATES = [100.0, 190.0, 250.0, 500.0, 1000.0, 1024.0, 2000.0, 4000.0]


@pytest.mark.parametrize("fs", RATES)
def test_bandpass_matches_scipy_butter(fs: float) -> None:
    high = min(450.0, 0.45 * fs)
    ours = design.butter_bandpass_sos(2, 20.0, high, fs)
    ref = signal.butter(2, [20.0, high], btype="bandpass", fs=fs, output="sos")
    np.testing.assert_allclose(ours, ref, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(design.sosfilt_zi(ours), signal.sosfilt_zi(ref), rtol=1e-12)


@pytest.mark.parametrize("fs", RATES)
@pytest.mark.parametrize("f0", [50.0, 60.0, 100.0, 120.0, 180.0])
def test_notch_matches_scipy_iirnotch(fs: float, f0: float) -> None:
    if f0 >= fs / 2:
        with pytest.raises(ValueError):
            design.notch_sos(f0, 25.0, fs)
        return
    ref = signal.tf2sos(*signal.iirnotch(f0, 25.0, fs=fs))
    np.testing.assert_allclose(design.notch_sos(f0, 25.0, fs), ref, rtol=1e-12, atol=1e-14)


def test_sosfilt_matches_scipy_with_state() -> None:
    sos = signal.butter(2, [20.0, 450.0], btype="bandpass", fs=1000.0, output="sos")
    x = np.random.default_rng(3).normal(size=(3, 4000))
    zi = signal.sosfilt_zi(sos)[:, None, :] * x[None, :, :1]
    y, zf = design.sosfilt(sos, x, zi)
    y_ref, zf_ref = signal.sosfilt(sos, x, axis=-1, zi=zi)
    np.testing.assert_array_equal(y, y_ref)
    np.testing.assert_array_equal(zf, zf_ref)
    assert x.shape == (3, 4000) and not np.shares_memory(y, x)


def test_chain_runs_without_importing_scipy_signal() -> None:
    code = (
        "import sys, numpy as np\n"
        "from crampdetect.core import Block, Representation\n"
        "from crampdetect.pipeline import Pipeline\n"
        "p = Pipeline(1000.0, ('l',), Representation('raw', 'uV', None), 'night')\n"
        "x = np.random.default_rng(0).normal(0, 5, size=(1, 5000))\n"
        "p.push(Block(x, 1000.0, 0, 0.0, 0, ('l',))); p.finish()\n"
        "print('scipy.signal' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr
