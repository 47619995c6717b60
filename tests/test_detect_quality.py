"""Signal-quality flags: injected problems are flagged, clean signal and real EMG onsets are not."""

from __future__ import annotations

import numpy as np
from conftest import detect_array
from synth import add_burst, scene

from crampdetect.core import Representation

FS = 1000.0
UV = Representation("raw", "uV")


def flags(x, rep=UV, profile="night"):
    channels = tuple(f"c{i}" for i in range(x.shape[0]))
    return detect_array(x, FS, rep, profile, block=1500, channels=channels)


def _covered(quality, issue, t0, t1):
    return sum(max(0.0, min(q.end_s, t1) - max(q.start_s, t0)) for q in quality if q.issue == issue)


def test_strong_hum_is_flagged_a_residual_hum_is_not():
    t, x, _ = scene(duration_s=60.0, seed=21)
    x[0] += 1.5 * np.sin(2 * np.pi * 50 * t)  # residual hum, below the resting EMG
    m = (t >= 20) & (t < 40)
    x[0, m] += 150.0 * np.sin(2 * np.pi * 50 * t[m])  # strong interference
    _, q = flags(x)
    assert _covered(q, "mains", 20.0, 40.0) > 14.0
    assert _covered(q, "mains", 0.0, 18.0) == 0.0 and _covered(q, "mains", 43.0, 60.0) == 0.0


def test_floating_electrode_with_tens_of_millivolts_of_mains_is_lead_off():
    t, x, _ = scene(duration_s=60.0, seed=22)
    m = (t >= 25) & (t < 45)
    x[0, m] = 20_000.0 * np.sin(2 * np.pi * 60 * t[m])
    events, q = flags(x)
    assert events == []
    assert _covered(q, "lead_off", 25.0, 45.0) > 15.0


def test_pops_are_flagged_but_an_emg_onset_is_not():
    t, x, rng = scene(duration_s=60.0, seed=23)
    for at in (10.0, 30.5):
        i = int(at * FS)
        x[0, i : i + 300] += 2500.0 * np.exp(-np.arange(300) / 40.0)  # decaying step
    add_burst(x, t, FS, rng, 0, 45.0, 47.0, 800.0, ramp_s=0.02)  # abrupt voluntary burst
    _, q = flags(x)
    pops = [p.start_s for p in q if p.issue == "pop"]
    assert any(abs(p - 10.0) < 0.3 for p in pops) and any(abs(p - 30.5) < 0.3 for p in pops)
    assert not any(44.5 < p < 47.5 for p in pops)


def test_clipping_at_the_rails_is_saturation_and_clean_counts_are_not_flagged():
    rep = Representation("raw", "counts", 10)
    t, x, rng = scene(duration_s=60.0, seed=24)
    add_burst(x, t, FS, rng, 0, 30.0, 40.0, 9000.0, ramp_s=0.5, irregular=0.3)
    counts = np.round(512 + x / rep.uv_per_unit).clip(0, 1023)
    _, q = flags(counts, rep)
    assert _covered(q, "saturation", 30.0, 40.0) > 5.0
    assert sum(i.end_s - i.start_s for i in q if i.start_s < 28.0 or i.start_s > 42.0) == 0.0
