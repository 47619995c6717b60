"""The median frequency and the TKEO computed where asked: the same for any block cuts and any
asks, equal to the direct formula, and not computed at all while nothing reads them."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from synth import add_burst, scene

from crampdetect.core import Block, Representation
from crampdetect.features.flags import FrameFlags
from crampdetect.features.hop import SPECTRAL_HOPS, HopFeatures
from crampdetect.pipeline import Pipeline

FS = 1000.0
T, Y, _RNG = scene(FS, 20.0, rest_uv=5.0, seed=3, n_channels=2)
# a slow swing on one channel for a while: a low median frequency there
Y[0, 5000:9000] += 80.0 * np.sin(2 * np.pi * 3.0 * T[5000:9000])
add_burst(Y, T, FS, _RNG, 1, 11.0, 15.0, 60.0)
N = Y.shape[1]


def direct_mdf(y: np.ndarray, hop: int, n_frames: int) -> np.ndarray:
    """Per frame, the median frequency (Hz) of the last 4-hop window ended by its end, one
    window at a time: Hann window, power spectrum, first bin holding half the power."""
    w = SPECTRAL_HOPS * hop
    freqs = np.fft.rfftfreq(w, 1.0 / FS)
    out = np.full((y.shape[0], n_frames), np.nan)
    for k in range(n_frames):
        j = (k + 1) // SPECTRAL_HOPS - 1
        if j < 0:
            continue
        for c in range(y.shape[0]):
            p = np.abs(np.fft.rfft(y[c, j * w : (j + 1) * w] * np.hanning(w))) ** 2
            cp = np.cumsum(p)
            out[c, k] = freqs[np.flatnonzero(cp >= 0.5 * cp[-1])[0]]
    return out


DIRECT = direct_mdf(Y, 50, N // 50)


def direct_tkeo(y: np.ndarray, hop: int, n_frames: int) -> np.ndarray:
    """Per frame, the mean over its samples i of y[i-1]**2 - y[i-2] * y[i] (zeros before 0)."""
    e = np.concatenate([np.zeros((y.shape[0], 2)), y], axis=1)
    tk = e[:, 1:-1] * e[:, 1:-1] - e[:, :-2] * e[:, 2:]
    return tk[:, : n_frames * hop].reshape(y.shape[0], n_frames, hop).mean(axis=2)


DIRECT_TKEO = direct_tkeo(Y, 50, N // 50)


def test_the_slow_swing_gives_a_low_median_frequency_and_rest_does_not():
    assert (DIRECT[0, 110:170] < 35.0).all()
    assert (DIRECT[1, 4:] > 35.0).mean() > 0.9


@pytest.mark.parametrize("name", ["median_frequency", "tkeo"])
@settings(max_examples=40, deadline=None)
@given(
    cuts=st.lists(st.integers(0, N), max_size=12).map(sorted),
    asks=st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), max_size=4),
    history=st.integers(0, 300),
)
def test_a_lazy_feature_is_the_direct_one_for_any_cuts_and_asks(name, cuts, asks, history):
    """The median frequency (Hz) and TKEO (µV²), computed only where asked, equal the direct
    per-frame values whatever the cuts, the order of the asks and the history kept."""
    direct = DIRECT if name == "median_frequency" else DIRECT_TKEO
    feats = HopFeatures(FS, 2, history_frames=history)
    ask = getattr(feats, name)
    for a, b in itertools.pairwise([0, *cuts, N]):
        f = feats.process(Y[:, a:b], Y[:, a:b])
        first = max(0, f.start - history)
        for u, v in asks:  # anywhere in what can be asked, in any order
            lo = first + round(u * (f.stop - first))
            hi = lo + round(v * (f.stop - lo))
            assert np.array_equal(ask(lo, hi), direct[:, lo:hi], equal_nan=True)
        assert np.array_equal(ask(f.start, f.stop), direct[:, f.start : f.stop], equal_nan=True)
        if first > 0:
            with pytest.raises(ValueError):
                ask(first - 1, f.stop)
        with pytest.raises(ValueError):
            feats.tkeo(first, f.stop + 1)  # not there yet
        if first > 0:
            with pytest.raises(ValueError):
                feats.tkeo(first - 1, f.stop)


def test_envelope_input_has_no_median_frequency():
    feats = HopFeatures(FS, 2, "env", history_frames=10)
    f = feats.process(np.abs(Y), np.abs(Y))
    assert np.isnan(feats.median_frequency(0, f.stop)).all()
    assert np.array_equal(feats.tkeo(0, f.stop), np.zeros((2, f.stop)))


def test_frame_flags_compute_the_lazy_part_only_for_the_frames_read():
    asked = []

    def lazy(lo, hi):
        asked.append((lo, hi))
        return (np.arange(lo, hi) % 7 == 0)[None, :].repeat(2, axis=0)

    flags = FrameFlags(2, keep=5, lazy=lazy)
    pop = np.zeros((2, 10), dtype=bool)
    pop[1, 3] = True
    flags.extend(0, pop)
    flags.extend(10, np.zeros((2, 10), dtype=bool))
    assert asked == []  # nothing read, nothing computed
    got = flags.frames(6, 15)
    assert asked == [(6, 15)]
    assert np.array_equal(got[0], np.arange(6, 15) % 7 == 0)
    with pytest.raises(ValueError):
        flags.frames(4, 12)  # before the 5 frames kept
    array_only = FrameFlags(2, keep=3)
    array_only.extend(0, pop)
    array_only.extend(40, np.ones((2, 2), dtype=bool))  # the clock jumped: history relabelled
    assert np.array_equal(array_only.frames(37, 42)[1], [False] * 3 + [True] * 2)


@pytest.mark.parametrize("name", ["median_frequency", "tkeo"])
def test_a_resting_stream_computes_no_spectra_and_no_tkeo(monkeypatch, name):
    """At rest nothing reads the artefact flag or the TKEO: neither is computed."""
    called = []
    real = getattr(HopFeatures, name)

    def spy(self, lo, hi):
        called.append((lo, hi))
        return real(self, lo, hi)

    monkeypatch.setattr(HopFeatures, name, spy)
    rest = scene(FS, 30.0, rest_uv=5.0, seed=4, n_channels=2)[1]
    pipe = Pipeline(FS, ("l", "r"), Representation("raw", "uV"), "night")
    for a in range(0, rest.shape[1], 7000):
        pipe.push(Block(rest[:, a : a + 7000], FS, a, a / FS, 0, ("l", "r")))
    assert called == []
    busy = Y.copy()
    add_burst(busy, T, FS, np.random.default_rng(1), 0, 3.0, 18.0, 300.0, irregular=0.5)
    pipe = Pipeline(FS, ("l", "r"), Representation("raw", "uV"), "night")
    pipe.push(Block(busy, FS, 0, 0.0, 0, ("l", "r")))
    assert called  # activity: the detector reads them
