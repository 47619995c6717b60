"""Tiny synthetic-EMG helpers for unit tests of the core (independent of the simulator)."""

from __future__ import annotations

import numpy as np
from scipy import signal


def emg_noise(n: int, fs: float, rng: np.random.Generator) -> np.ndarray:
    """Unit-RMS band-limited noise with a surface-EMG-like spectrum (30-250 Hz)."""
    sos = signal.butter(4, [30, min(250, 0.45 * fs)], "bandpass", fs=fs, output="sos")
    x = signal.sosfilt(sos, rng.normal(size=n + 2000))[2000:]
    return x / x.std()


def slow_modulation(n: int, fs: float, rng: np.random.Generator, depth: float, rate_hz: float):
    """Positive random modulation (log-normal), knots every 1/rate_hz s, mean ~1."""
    knots = rng.normal(size=int(n / fs * rate_hz) + 3)
    t = np.arange(n) / fs * rate_hz
    return np.exp(depth * np.interp(t, np.arange(knots.size), knots))


def scene(
    fs: float = 1000.0,
    duration_s: float = 60.0,
    rest_uv: float = 5.0,
    seed: int = 0,
    n_channels: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.random.Generator]:
    """Resting EMG (µV) shaped (n_channels, n) and the time axis."""
    rng = np.random.default_rng(seed)
    n = int(duration_s * fs)
    t = np.arange(n) / fs
    x = np.stack([rest_uv * emg_noise(n, fs, rng) for _ in range(n_channels)])
    return t, x, rng


def add_burst(x, t, fs, rng, ch, start, stop, amp_uv, ramp_s=0.3, irregular=0.0):
    """Add activity on channel ``ch`` from start to stop s (trapezoid, optional wax/wane)."""
    m = (t >= start) & (t < stop)
    n = int(m.sum())
    env = np.minimum(1.0, np.minimum(t[m] - start, stop - t[m]) / ramp_s)
    if irregular:
        env = env * slow_modulation(n, fs, rng, irregular, 2.5)
    x[ch, m] += amp_uv * env * emg_noise(n, fs, rng)
    return x


def write_csv(path, t, x, channels=None, fmt="%.2f") -> None:
    channels = channels or [f"ch{i}" for i in range(x.shape[0])]
    with open(path, "w") as f:
        f.write("time_s," + ",".join(channels) + "\n")
        np.savetxt(f, np.column_stack([t, x.T]), fmt=["%.4f"] + [fmt] * x.shape[0], delimiter=",")
