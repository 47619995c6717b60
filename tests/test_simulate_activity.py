"""Activities in the data match their labels: hold levels, gait rhythm, prodrome rise."""

from __future__ import annotations

import numpy as np
import pytest

from crampdetect.simulate import simulate


def collect(session) -> tuple[np.ndarray, np.ndarray]:
    parts = list(session.iter_chunks(60.0))
    return np.concatenate([t for t, _ in parts]), np.concatenate([x for _, x in parts], axis=1)


def rms(v: np.ndarray) -> float:
    return float(np.sqrt(np.mean(v**2)))


@pytest.mark.parametrize("seed", [0, 1])
def test_hold_plateau_rms_matches_its_labelled_level(seed: int) -> None:
    session = simulate("hold", seed=seed, fs=1000.0)
    t, x = collect(session)
    ratios = []
    for iv in session.labels["intervals"]:
        if iv["kind"] == "voluntary_hold" and iv["end_s"] - iv["start_s"] > 4.0:
            ch = session.channels.index(iv["channel"])
            plateau = (t >= iv["start_s"] + 1.5) & (t < iv["end_s"] - 1.0)
            ratios.append(rms(x[ch, plateau]) / (iv["level"] * session.subject.mvc_uv[ch]))
    assert len(ratios) >= 5
    assert 0.8 < np.median(ratios) < 1.2
    assert max(iv["level"] for iv in session.labels["intervals"] if "level" in iv) <= 0.9 * 1.1


def test_running_bursts_come_once_per_stride_and_last_under_a_second() -> None:
    session = simulate("gait", seed=2, fs=1000.0)
    t, x = collect(session)
    gaits = [iv for iv in session.labels["intervals"] if iv["kind"] == "gait"]
    (run,) = [iv for iv in gaits if iv["running"] and iv["channel"] == "calf_left"]
    inside = (t >= run["start_s"] + 2) & (t < run["end_s"] - 2)
    env = np.sqrt(np.convolve(x[0, inside] ** 2, np.ones(50) / 50, mode="same"))
    active = env > 0.3 * np.percentile(env, 95)
    edges = np.flatnonzero(np.diff(active.astype(int)))
    rises, falls = edges[::2], edges[1::2]
    seconds = inside.sum() / session.fs
    assert 1.2 <= len(rises) / seconds <= 1.7  # running stride rate (Hz)
    durations = (falls - rises[: len(falls)]) / session.fs
    assert 0.15 < np.median(durations) < 0.6
    other = np.sqrt(np.convolve(x[1, inside] ** 2, np.ones(50) / 50, mode="same"))
    assert np.corrcoef(env, other)[0, 1] < 0.2  # the legs alternate


def test_prodrome_raises_resting_emg_before_the_cramp() -> None:
    session = simulate("night-short", seed=6, fs=1000.0)
    t, x = collect(session)
    (pro,) = [iv for iv in session.labels["intervals"] if iv["kind"] == "prodrome"]
    (cramp,) = [iv for iv in session.labels["intervals"] if iv["kind"] == "cramp"]
    assert pro["end_s"] == cramp["start_s"] and pro["channel"] == cramp["channel"]
    assert 15.0 <= pro["end_s"] - pro["start_s"] <= 70.0
    ch = session.channels.index(pro["channel"])
    before = t < pro["start_s"]
    for iv in session.labels["intervals"]:  # resting baseline: no labelled activity
        if iv["channel"] == pro["channel"]:
            before &= (t < iv["start_s"] - 2) | (t >= iv["end_s"] + 2)
    late = (t >= pro["end_s"] - 8) & (t < pro["end_s"])
    ratio = rms(x[ch, late]) / rms(x[ch, before])
    assert 1.8 < ratio < 7.0  # +100-500 % [27], with spikes
