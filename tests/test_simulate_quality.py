"""Quality labels agree with the data: pops, wander and mains where labelled, not elsewhere."""

from __future__ import annotations

import numpy as np
import pytest

from crampdetect.simulate import SceneOptions, simulate


@pytest.fixture(scope="module")
def noisy():
    options = SceneOptions(artefacts_per_hour=80.0, gaps_per_hour=0.0)
    session = simulate("plm", seed=8, duration_s=900.0, fs=1000.0, options=options)
    parts = list(session.iter_chunks(60.0))
    t = np.concatenate([p[0] for p in parts])
    x = np.concatenate([p[1] for p in parts], axis=1)
    return session, t, x


def _labelled(session, t, ch: int, kinds: set[str] | None = None, pad: float = 0.0):
    mask = np.zeros(t.size, dtype=bool)
    for iv in session.labels["intervals"]:
        if iv["channel"] == session.channels[ch] and (kinds is None or iv["kind"] in kinds):
            mask |= (t >= iv["start_s"] - pad) & (t < iv["end_s"] + pad)
    return mask


def _band_power(v: np.ndarray, fs: float, lo: float, hi: float) -> float:
    spec = np.abs(np.fft.rfft(v - v.mean())) ** 2
    f = np.fft.rfftfreq(v.size, 1.0 / fs)
    return float(spec[(f >= lo) & (f < hi)].sum() / spec.sum())


def test_every_quality_kind_is_present(noisy) -> None:
    session, _, _ = noisy
    kinds = {iv["kind"] for iv in session.labels["intervals"]}
    assert {"pop", "wander", "mains"} <= kinds


def test_clean_rest_is_not_mains_dominated(noisy) -> None:
    session, t, x = noisy
    mains = session.labels["mains_hz"]
    for ch in range(2):
        clean = ~_labelled(session, t, ch, pad=2.0)
        assert clean.sum() > 60_000
        assert _band_power(x[ch, clean][:60_000], session.fs, mains - 1, mains + 1) < 0.25


def test_mains_episodes_are_mains_dominated(noisy) -> None:
    session, t, x = noisy
    mains = session.labels["mains_hz"]
    checked = 0
    for iv in session.labels["intervals"]:
        if iv["kind"] == "mains" and iv["end_s"] - iv["start_s"] > 5:
            ch = session.channels.index(iv["channel"])
            inside = (t >= iv["start_s"] + 1) & (t < iv["end_s"] - 1)
            inside &= ~_labelled(session, t, ch, kinds={"pop", "wander", "turnover",
                                                        "leg_movement"}, pad=1.0)  # fmt: skip
            if inside.sum() > 2000:
                harmonics = sum(_band_power(x[ch, inside], session.fs, h * mains - 1,
                                            h * mains + 1) for h in (1, 3, 5))  # fmt: skip
                assert harmonics > 0.5
                checked += 1
    assert checked >= 1


def test_pops_spike_and_wander_is_low_frequency(noisy) -> None:
    session, t, x = noisy
    checked: set[str] = set()
    for ch in range(2):
        clean = x[ch, ~_labelled(session, t, ch, pad=2.0)]
        rest_rms = np.sqrt(np.mean(clean**2))
        for iv in session.labels["intervals"]:
            if iv["channel"] != session.channels[ch]:
                continue
            inside = (t >= iv["start_s"]) & (t < iv["end_s"])
            if iv["kind"] == "pop":
                assert np.max(np.abs(x[ch, inside])) > 20 * rest_rms
                checked.add("pop")
            elif iv["kind"] == "wander" and iv["end_s"] - iv["start_s"] > 5:
                v = x[ch, inside]
                low = np.sqrt(np.mean(v**2) * _band_power(v, session.fs, 0.0, 20.0))
                assert low > 5 * rest_rms
                checked.add("wander")
    assert checked == {"pop", "wander"}
