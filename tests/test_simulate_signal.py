"""Simulated signals look like surface EMG from the hardware they claim to come from."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from crampdetect.core import Representation
from crampdetect.simulate import simulate

RAW_UV = Representation("raw", "uV")
COUNTS10 = Representation("raw", "counts", 10)
COUNTS12 = Representation("raw", "counts", 12)
ENV10 = Representation("env", "counts", 10)


def collect(session, chunk_s: float = 30.0) -> tuple[np.ndarray, np.ndarray]:
    parts = list(session.iter_chunks(chunk_s))
    return np.concatenate([t for t, _ in parts]), np.concatenate([x for _, x in parts], axis=1)


def intervals(session, kind: str) -> list[dict]:
    return [iv for iv in session.labels["intervals"] if iv["kind"] == kind]


def inside(t: np.ndarray, iv: dict, margin: float = 0.0) -> np.ndarray:
    return (t >= iv["start_s"] + margin) & (t < iv["end_s"] - margin)


def quiet(session, t: np.ndarray, channel: str, margin: float = 2.0) -> np.ndarray:
    """Samples of ``channel`` outside every labelled interval (by ``margin`` s)."""
    mask = np.ones(t.size, dtype=bool)
    for iv in session.labels["intervals"]:
        if iv["channel"] == channel:
            mask &= (t < iv["start_s"] - margin) | (t >= iv["end_s"] + margin)
    return mask


@pytest.mark.parametrize(("scenario", "kind"), [("cramp", "cramp"), ("hold", "voluntary_hold")])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_active_emg_spectrum(scenario: str, kind: str, seed: int) -> None:
    """Active raw EMG: mean frequency 60-120 Hz and > 90 % of power in 20-450 Hz."""
    session = simulate(scenario, seed=seed, fs=2000.0, channels=("calf",))
    t, x = collect(session)
    iv = max(intervals(session, kind), key=lambda d: d["end_s"] - d["start_s"])
    f, p = signal.welch(x[0, inside(t, iv, 0.5)], fs=2000.0, nperseg=1024)
    mean_freq = float(np.sum(f * p) / np.sum(p))
    in_band = float(np.sum(p[(f >= 20) & (f <= 450)]) / np.sum(p))
    assert 60.0 <= mean_freq <= 120.0
    assert in_band > 0.9


def test_rest_level_and_cramp_much_louder() -> None:
    session = simulate("cramp", seed=4, fs=1000.0)
    t, x = collect(session)
    (cramp,) = intervals(session, "cramp")
    ch = session.channels.index(cramp["channel"])
    rest = x[ch, quiet(session, t, cramp["channel"])]
    rest_rms = np.sqrt(np.mean(rest**2))
    assert 0.5 < rest_rms < 15.0  # resting noise of a few µV
    cramp_rms = np.sqrt(np.mean(x[ch, inside(t, cramp, 1.0)] ** 2))
    assert cramp_rms > 10 * rest_rms


@pytest.mark.parametrize("rep", [COUNTS10, COUNTS12])
def test_counts_are_integers_within_the_adc_range(rep: Representation) -> None:
    session = simulate("gait", seed=5, duration_s=60.0, fs=1000.0, representation=rep)
    _, x = collect(session)
    assert np.array_equal(x, np.round(x))
    assert x.min() >= 0 and x.max() <= (1 << rep.adc_bits) - 1
    centre = np.median(x)
    assert abs(centre - (1 << rep.adc_bits) / 2) < 0.06 * (1 << rep.adc_bits)


def _strongest(scenario: str, rep: Representation, seeds: range):
    """The session with the strongest subject among ``seeds`` (by MVC)."""
    sessions = [simulate(scenario, seed=s, fs=1000.0, representation=rep) for s in seeds]
    return max(sessions, key=lambda s: max(s.subject.mvc_uv))


@pytest.mark.parametrize(("rep", "min_clipped"), [(COUNTS10, 1), (COUNTS12, 50)])
def test_strong_contractions_clip_at_the_rails_and_are_labelled(
    rep: Representation, min_clipped: int
) -> None:
    session = _strongest("gait", rep, range(12))
    assert max(session.subject.mvc_uv) > 2000  # a strong calf, running above MVC
    t, x = collect(session, chunk_s=7.3)
    full = (1 << rep.adc_bits) - 1
    rail = (x == 0) | (x == full)
    assert rail.sum() >= min_clipped
    labelled = np.zeros_like(rail)
    for iv in intervals(session, "saturation"):
        labelled[session.channels.index(iv["channel"])] |= (t >= iv["start_s"]) & (t < iv["end_s"])
    assert np.array_equal(rail & labelled, rail)  # every clipped sample is labelled
    assert labelled.sum() < 0.05 * labelled.size  # and the labels stay tight


def test_rest_never_clips() -> None:
    session = simulate("cramp", seed=1, fs=1000.0, representation=COUNTS10)
    t, x = collect(session)
    for ch, name in enumerate(session.channels):
        rest = x[ch, quiet(session, t, name)]
        assert rest.size > 10_000
        assert not np.any((rest == 0) | (rest == 1023))
        assert np.std(rest) < 3.0  # a few LSB of noise


def test_env_is_non_negative_smooth_and_near_the_bottom_at_rest() -> None:
    session = simulate("cramp", seed=2, fs=500.0, representation=ENV10)
    t, x = collect(session)
    assert x.min() >= 0 and x.max() <= 1023
    (cramp,) = intervals(session, "cramp")
    ch = session.channels.index(cramp["channel"])
    rest = x[ch, quiet(session, t, cramp["channel"])]
    active = x[ch, inside(t, cramp, 1.0)]
    assert np.median(rest) < 0.05 * 1023
    assert np.median(active) > np.median(rest) + 20
    # a 3.6 Hz envelope: sample-to-sample steps are small compared with its range
    steps = np.abs(np.diff(x[ch]))
    assert np.percentile(steps, 99) < 0.05 * (active.max() - np.median(rest))


def test_env_rate_100hz_and_raw_rate_checks() -> None:
    session = simulate("hold", seed=0, duration_s=30.0, fs=100.0, representation=ENV10)
    t, _ = collect(session)
    assert np.allclose(np.diff(t)[np.diff(t) < 0.015], 0.01)
