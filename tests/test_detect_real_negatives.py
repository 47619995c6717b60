"""Real voluntary EMG raises no cramp alert under either profile, from its first second.

Every shared real recording (gait, standing, sitting, sustained and repeated voluntary
contractions, 10 s isometric holds of older adults, rest) is run as it is, cut to start
2 s later (so a recording may open on a contraction), and rendered as a MyoWare ENV output
sampled at 190 Hz (rectified, 3.6 Hz low-pass, 10-bit counts), under ``night`` and
``training``.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SHARED_REAL
from scipy import signal as sg

from crampdetect.core import Block, Representation
from crampdetect.pipeline import Pipeline

pytestmark = pytest.mark.skipif(not SHARED_REAL.exists(), reason="shared real recordings absent")

ENV = Representation("env", "counts", 10)


def _uci(name: str) -> np.ndarray:
    rows = []
    for line in (SHARED_REAL / "uci-lower-limb-sanchez" / f"{name}.txt").read_text().splitlines():
        parts = line.split("\t")
        if len(parts) == 5:
            try:
                rows.append([float(p) for p in parts])
            except ValueError:
                continue
    return np.array(rows)[:, :4].T


def _csv(rel: str, *cols: str) -> np.ndarray:
    d = np.genfromtxt(SHARED_REAL / rel, delimiter=",", names=True)
    return np.stack([d[c] for c in cols])


def _recordings():
    """name -> (loader, fs Hz, representation)."""
    raw_uv, raw_mv = Representation("raw", "uV"), Representation("raw", "mV")
    cases = {
        "biosppy-emg": (
            lambda: np.loadtxt(SHARED_REAL / "biosppy-emg-examples" / "emg.txt")[None],
            1000.0,
            Representation("raw", "counts", 12),
        ),
        "biosppy-emg_1": (
            lambda: np.loadtxt(SHARED_REAL / "biosppy-emg-examples" / "emg_1.txt")[None],
            1000.0,
            Representation("raw", "counts", 12),
        ),
        "santuz-gait": (
            lambda: _csv("gait-13muscles-santuz/ID0012_TW_01_raw_emg.csv", "GM", "GL", "SO", "TA"),
            1000.0,
            raw_uv,
        ),
        "emggo-ballistic": (
            lambda: _csv("ta-ballistic-dorsiflexion-emggo/emg.csv", "ta_emg"),
            250.0,
            raw_uv,
        ),
    }
    for n in ("PL_0_01", "Pas_5"):
        cases[f"tecchio-{n}"] = (
            lambda n=n: _csv(f"ta-sustained-tecchio2023/{n}.csv", "emg_ta_V"),
            2000.0,
            raw_mv,
        )
    for n in ("3Amar", "3Apie", "3Asen", "5Nmar", "5Npie", "5Nsen"):
        cases[f"uci-{n}"] = (lambda n=n: _uci(n), 1000.0, raw_mv)
    for p in sorted((SHARED_REAL / "elderly-ta-gl-isometric-hermescb").glob("*.csv")):
        rel = f"elderly-ta-gl-isometric-hermescb/{p.name}"
        cases[f"elderly-{p.stem}"] = (
            lambda rel=rel: _csv(rel, "emg_ta", "emg_gl"),
            2000.0,
            raw_uv,
        )
    return cases


CASES = _recordings() if SHARED_REAL.exists() else {}


def _as_env(x: np.ndarray, fs: float, rep: Representation, fs_out: float = 190.0):
    """A MyoWare ENV rendering of raw EMG: rectified, 3.6 Hz low-pass, 10-bit counts."""
    uv = (x - np.median(x, axis=1, keepdims=True)) * rep.uv_per_unit
    sos = sg.butter(2, [20, min(450, 0.45 * fs)], "bandpass", fs=fs, output="sos")
    v = np.abs(sg.sosfiltfilt(sos, uv, axis=1)) * 200e-6 * 4.0  # MyoWare gain, ENV gain
    a = np.exp(-2 * np.pi * 3.6 / fs)
    v = sg.lfilter([1 - a], [1, -a], v, axis=1)
    idx = np.round(np.arange(0, x.shape[1] / fs, 1 / fs_out) * fs).astype(int)
    counts = 8 + v[:, idx[idx < x.shape[1]]] / 5.0 * 1024
    return np.clip(np.round(counts), 0, 1023), fs_out


def _cramps(x: np.ndarray, fs: float, rep: Representation, profile: str) -> list:
    names = tuple(f"ch{i}" for i in range(x.shape[0]))
    pipe = Pipeline(fs, names, rep, profile)
    events = []
    step = max(1, round(0.5 * fs))
    for i in range(0, x.shape[1], step):
        events += pipe.push(Block(x[:, i : i + step], fs, i, i / fs, 0, names)).events
    events += pipe.finish().events
    return [(e.channel, round(e.alert_s, 2)) for e in events if e.kind == "cramp"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_cramp_alert_on_real_voluntary_emg(name):
    load, fs, rep = CASES[name]
    x = load()
    env, fs_env = _as_env(x, fs, rep)
    variants = {
        "raw": (x, fs, rep),
        "raw from 2 s": (x[:, round(2 * fs) :], fs, rep),
        "env 190 Hz": (env, fs_env, ENV),
    }
    alerts = {
        (v, profile): found
        for v, (xx, f, r) in variants.items()
        for profile in ("night", "training")
        if (found := _cramps(xx, f, r, profile))
    }
    assert alerts == {}
