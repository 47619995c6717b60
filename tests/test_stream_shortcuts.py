"""The chain's shortcuts give the numbers of the plain computation.

Mains analysis batched over every segment a block completes (notches switched mid-block
included) equals hop-sized blocks bit for bit; raw-frame statistics computed on demand equal
the direct formulas at the frames asked for, and the frames quality examines for a floating
input are those the direct formula flags.
"""

from __future__ import annotations

import numpy as np

from crampdetect.core import Representation
from crampdetect.detect.quality import FLOATING_UV, HUM_ONLY, QualityMonitor, RawFrameStats
from crampdetect.features.hop import HopFeatures
from crampdetect.filters.mains import MainsSuppressor

FS = 1000.0
KEYS = ("share", "uv", "residual_share", "residual_uv")


def _hum_signal(seconds: float = 40.0) -> np.ndarray:
    """EMG-like noise, a 50 Hz hum growing in, and its 3rd harmonic from 20 s (µV)."""
    t = np.arange(int(seconds * FS)) / FS
    x = np.random.default_rng(7).normal(size=(2, t.size)) * 30.0
    x += np.clip((t - 4.0) / 8.0, 0.0, 1.0) * 200.0 * np.sin(2 * np.pi * 50.0 * t)
    return x + (t > 20.0) * 80.0 * np.sin(2 * np.pi * 150.0 * t)


def test_mains_in_one_block_equals_hop_sized_blocks():
    x = _hum_signal()
    whole = MainsSuppressor(FS, 2)
    y_whole = whole.process(x)
    fig_whole = whole.share_at(np.arange(50, x.shape[1] + 1, 50))
    hops = MainsSuppressor(FS, 2)
    parts, figs = [], []
    for a in range(0, x.shape[1], 50):
        parts.append(hops.process(x[:, a : a + 50]))
        figs.append(hops.share_at(np.array([a + 50])))
    assert whole.harmonics_hz == hops.harmonics_hz == (50.0, 150.0)  # switched mid-stream
    assert np.array_equal(y_whole, np.hstack(parts))
    for k in KEYS:
        assert np.array_equal(fig_whole[k], np.hstack([f[k] for f in figs]))
    assert fig_whole["uv"][:, -1].min() > 50.0  # the hum was measured, not left at zero


def test_raw_frame_statistics_on_demand_match_the_formulas():
    rng = np.random.default_rng(3)
    u = rng.normal(size=(2, 3000)) * 100.0
    stats = RawFrameStats(FS, 2, 50)
    first = stats.process(u[:, :1000])
    later = stats.process(u[:, 1000:])
    assert (first.sd_uv.shape, later.sd_uv.shape) == ((2, 20), (2, 40))
    frames = u[:, 1000:].reshape(2, 40, 50)  # the frames of ``later``
    assert np.allclose(later.sd_uv, frames.std(axis=2))
    where = np.zeros((2, 40), dtype=bool)
    where[0, 0] = where[1, 37] = True  # the first needs samples of the earlier block
    hum, diff = later.hum_ratio(where), later.diff_uv(where)
    assert np.isnan(hum[~where]).all() and np.isnan(diff[~where]).all()
    for c, f in zip(*np.nonzero(where), strict=True):
        start = 1000 + 50 * f
        v = u[c, start : start + 50]
        d = np.abs(v - u[c, start - 1 : start + 49])
        assert np.isclose(diff[c, f], np.median(d))
        ratios = []
        for period in (FS / 50.0, FS / 60.0):
            p, a = int(period), period - int(period)
            delayed = (1 - a) * u[c, start - p : start - p + 50] + a * u[
                c, start - p - 1 : start - p + 49
            ]
            ratios.append(np.mean((v - delayed) ** 2) / (2 * v.var()))
        assert np.isclose(hum[c, f], min(ratios))
        assert 0.5 < hum[c, f] < 2.0  # noise, not hum: about 1


def test_floating_input_found_from_frame_ranges_as_from_every_frame_sd():
    """Quality looks for a floating input (mV of pure hum) only in frames whose range could
    give an SD of FLOATING_UV: the lead-off frames are those of the direct formula. A square
    hum has the largest SD a range allows (half of it)."""
    fs, n = FS, 20_000
    rng = np.random.default_rng(5)
    sweep = np.linspace(0.8, 1.3, n)  # SD crosses FLOATING_UV on both channels
    hum = sweep * FLOATING_UV * np.where((np.arange(n) // 10) % 2, -1.0, 1.0)  # 50 Hz
    emg = sweep * FLOATING_UV * rng.normal(size=n)
    u = np.vstack([hum, emg])
    rep = Representation("raw", "uV")
    feats = HopFeatures(fs, 2).process(u, u)
    raw = RawFrameStats(fs, 2, 50).process(u)
    lead_off = QualityMonitor(rep, 2, 0.05).masks(feats, raw=raw)["lead_off"]
    frames = u.reshape(2, -1, 50)
    loud = frames.std(axis=2) >= FLOATING_UV
    direct = loud & (raw.hum_ratio(np.ones_like(loud)) <= HUM_ONLY)
    assert np.array_equal(lead_off, direct)
    assert lead_off[0].any() and not lead_off[0].all()  # the hum, once loud enough
    assert loud[1].any() and not lead_off[1].any()  # loud EMG is no floating input
    assert np.allclose(raw.sd_uv_at(loud)[loud], frames.std(axis=2)[loud])
    assert np.isnan(raw.sd_uv_at(loud)[~loud]).all()
