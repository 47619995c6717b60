"""Athlete activity classifier: synthetic sessions and a real treadmill-walking recording."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SHIPPED_REAL

from crampdetect.reports.activity import classify, rms_envelope, segments

FS = 1000.0
GAIT = SHIPPED_REAL / "gait-13muscles-santuz" / "ID0012_TW_01_raw_emg.csv"


def emg(amplitude_uv: np.ndarray, seed: int) -> np.ndarray:
    """Raw EMG-like noise whose RMS follows ``amplitude_uv`` (sampled at FS)."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal(amplitude_uv.size) * amplitude_uv


def bursts(t: np.ndarray, stride_hz: float, peak_uv: float, duty: float = 0.35) -> np.ndarray:
    phase = (t * stride_hz) % 1.0
    return np.where(phase < duty, peak_uv * np.sin(np.pi * phase / duty), 0.0) + 4.0


def session(seed: int = 0) -> tuple[np.ndarray, list[tuple[float, float, str]]]:
    parts = [
        ("rest", lambda t: np.full_like(t, 4.0)),
        ("standing", lambda t: np.full_like(t, 18.0)),
        ("walking", lambda t: bursts(t, 0.95, 220.0)),
        ("running", lambda t: bursts(t, 1.45, 380.0, duty=0.3)),
        ("hold", lambda t: np.full_like(t, 160.0)),
        ("rest", lambda t: np.full_like(t, 4.0)),
    ]
    amp, truth, t0 = [], [], 0.0
    for name, make in parts:
        t = np.arange(int(40 * FS)) / FS
        amp.append(make(t))
        truth.append((t0, t0 + 40.0, name))
        t0 += 40.0
    return emg(np.concatenate(amp), seed)[None, :], truth


@pytest.mark.parametrize("seed", [0, 1])
def test_synthetic_session_is_labelled(seed):
    x, truth = session(seed)
    env = rms_envelope(x, FS)
    labels = classify(env)
    runs = segments(labels, ("left",))
    assert runs[0][1] == 0.0 and runs[-1][2] == pytest.approx(240.0)
    for a, b, name in truth:
        # Away from the transitions (one window either side), the label is right.
        inner = [r for r in runs if r[1] < b - 6.0 and r[2] > a + 6.0]
        covered = sum(min(r[2], b - 6) - max(r[1], a + 6) for r in inner if r[3] == name)
        assert covered >= 0.9 * (b - a - 12.0), (name, inner)


def test_levels_follow_the_calibration():
    """The same signal is a hold for a weak calf and standing for a strong one."""
    x = emg(np.full(int(30 * FS), 40.0), seed=3)[None, :]
    env = rms_envelope(x, FS)
    assert set(classify(env, rest_uv=3.0, max_uv=150.0)[0]) == {"hold"}
    assert set(classify(env, rest_uv=8.0, max_uv=1500.0)[0]) == {"standing"}


def test_short_input_gives_no_windows():
    env = rms_envelope(emg(np.full(2000, 10.0), 0)[None, :], FS)
    assert classify(env).shape == (1, 0)
    assert segments(classify(env), ("left",)) == []


def test_real_treadmill_walking_calf_muscles_are_walking():
    table = np.loadtxt(GAIT, delimiter=",", skiprows=1)
    header = GAIT.read_text().splitlines()[0].split(",")
    calf = [header.index(m) for m in ("GM", "GL", "SO")]
    data = table[:, calf].T  # µV per PROVENANCE.md
    labels = classify(rms_envelope(data, 1000.0), window_s=6.0, hop_s=1.0)
    assert labels.shape == (3, 2)
    assert (labels == "walking").all()


def test_simulated_gait_session_agrees_with_its_labels(tmp_path):
    """Walking and running from the simulator's labelled gait scenario (uncalibrated)."""
    import json

    from crampdetect.cli import main
    from crampdetect.reports.activity import activity_from_file

    csv = tmp_path / "gait.csv"
    assert main(["simulate", "gait", "--seed", "7", "--out", str(csv)]) == 0
    labels = json.loads((tmp_path / "gait.labels.json").read_text())
    runs = activity_from_file(csv)
    n_s = int(labels["duration_s"])
    for ch in labels["channels"]:
        pred = np.full(n_s, "", dtype="<U8")
        for leg, a, b, what in runs:
            if leg == ch:
                pred[int(a) : int(b)] = what
        for kind in ("walking", "running"):
            truth = np.zeros(n_s, dtype=bool)
            for i in labels["intervals"]:
                if (
                    i["channel"] == ch
                    and i["kind"] == "gait"
                    and i["running"] == (kind == "running")
                ):
                    truth[int(np.ceil(i["start_s"])) : int(i["end_s"])] = True
            assert truth.sum() > 60, "the scenario should contain some of each"
            assert (pred[truth] == kind).mean() >= 0.9, (ch, kind)
