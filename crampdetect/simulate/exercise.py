"""Training activities: standing, voluntary holds, walking and running, calf raises.

Sources (``domain.md``): gait bursts of 0.3-0.5 s per stride in the calf (the real
``gait-13muscles-santuz`` recording), running EMG above MVC [79], mean frequency falling
with fatigue [81][82], physiological force tremor in voluntary holds.
"""

from __future__ import annotations

import numpy as np

from crampdetect.simulate.builder import SceneBuilder, loguniform
from crampdetect.simulate.components import Activation, Additive


def hold(b: SceneBuilder, chs: list[int], start: float, level: float | None = None) -> float:
    """Voluntary isometric hold of 3-10 s (ramp, plateau with tremor, ramp down); returns end."""
    rng = b.rng
    length = float(rng.uniform(3.0, 10.0))
    level = float(rng.uniform(0.1, 0.9)) if level is None else level
    rise, fall = rng.uniform(0.3, 1.5), rng.uniform(0.2, 1.0)
    for ch in chs:
        jitter = rng.uniform(-0.15, 0.15)
        b.scene.activations.append(
            Activation(
                ch,
                start + jitter,
                start + jitter + length,
                level * rng.uniform(0.85, 1.0),  # at most 90 % MVC
                rise=rise,
                fall=fall,
                tremor_hz=float(rng.uniform(8, 12)),
                tremor_depth=float(rng.uniform(0.02, 0.08)),
                spectral=float(rng.uniform(0.25, 0.75)),
                mu_count=int(rng.integers(3, 7)),
                mu_rate_hz=float(rng.uniform(10, 20)),
                mu_cv=float(rng.uniform(0.12, 0.25)),
                mu_amp=float(rng.uniform(0.1, 0.3)),
                **b.random_mod(2, 0.1, 1.0, rng.uniform(0.03, 0.12)),
            )
        )
        b.label(
            ch, "voluntary_hold", start + jitter, start + jitter + length, level=round(level, 3)
        )
        b.occupy([ch], start + jitter, start + jitter + length)
    others = [ch for ch in range(b.n_ch) if ch not in chs]
    if others:  # the other leg keeps standing
        standing(b, others, start, length)
    return start + length + 0.15


def standing(b: SceneBuilder, chs: list[int] | range, start: float, length: float) -> None:
    """Quiet standing: low tonic soleus activity (2-8 % MVC) modulated by postural sway."""
    rng = b.rng
    for ch in chs:
        b.scene.activations.append(
            Activation(
                ch,
                start,
                start + length,
                float(rng.uniform(0.02, 0.08)),
                rise=0.5,
                fall=0.5,
                floor=0.15,
                spectral=float(rng.uniform(0.2, 0.5)),
                **b.random_mod(3, 0.1, 1.0, rng.uniform(0.3, 0.7)),
            )
        )
        b.label(ch, "standing", start, start + length)


def gait(b: SceneBuilder, start: float, length: float, running: bool) -> float:
    """Walking or running: one calf burst of 0.3-0.5 s per stride and leg; returns end, s."""
    rng = b.rng
    stride_hz = rng.uniform(1.3, 1.6) if running else rng.uniform(0.8, 1.05)
    level = rng.uniform(0.6, 1.5) if running else rng.uniform(0.15, 0.5)
    end = min(start + length, b.duration)
    if end - start < 1.0:
        return max(start, end)
    n = int((end - start) * stride_hz) + 2
    periods = (1.0 / stride_hz) * (1.0 + 0.03 * rng.standard_normal(n))
    onsets = start + np.concatenate([[0.0], np.cumsum(periods[:-1])])
    fatigue = np.linspace(0.65, 0.35, n) if running else np.full(n, 0.5)
    for ch in range(b.n_ch):
        phase = 0.0 if ch % 2 == 0 else 0.5 / stride_hz
        for i, t in enumerate(onsets + phase + rng.normal(0, 0.01, n)):
            dur = float(rng.uniform(0.3, 0.5))
            if t + dur > end:
                break
            lvl = float(level * rng.uniform(0.8, 1.2))
            b.scene.activations.append(
                Activation(
                    ch,
                    float(t),
                    float(t) + dur,
                    lvl,
                    rise=0.45 * dur,
                    fall=0.45 * dur,
                    spectral=float(fatigue[i]),
                )
            )
            heel = float(t) - rng.uniform(0.08, 0.2)  # heel-strike motion artefact, unlabelled
            b.scene.additives.append(
                Additive(
                    ch,
                    heel,
                    heel + 0.15,
                    "wave",
                    loguniform(rng, 200.0, 1500.0) if running else loguniform(rng, 80.0, 600.0),
                    freqs_hz=(loguniform(rng, 4.0, 12.0), loguniform(rng, 8.0, 20.0)),
                    weights=(0.7, 0.3),
                    phases=tuple(rng.uniform(0, 2 * np.pi, 2).tolist()),
                    edge_s=0.05,
                )
            )
        b.scene.activations.append(
            Activation(ch, start, end, float(rng.uniform(0.01, 0.04)), rise=1.0, fall=1.0)
        )
        b.label(ch, "gait", start, end, running=bool(running))
    b.occupy(range(b.n_ch), start, end)
    return end


def calf_raises(b: SceneBuilder, start: float) -> float:
    """A set of 8-15 calf raises, 2-3 s each, on both legs (or one); returns end, s."""
    rng = b.rng
    chs = list(range(b.n_ch)) if rng.uniform() < 0.7 else [int(rng.integers(b.n_ch))]
    level = rng.uniform(0.3, 0.8)
    t = start
    for _ in range(int(rng.integers(8, 16))):
        dur = float(rng.uniform(2.0, 3.0))
        for ch in chs:
            b.scene.activations.append(
                Activation(
                    ch,
                    t,
                    t + dur,
                    float(level * rng.uniform(0.85, 1.15)),
                    rise=0.35 * dur,
                    fall=0.5 * dur,
                    tremor_hz=10.0,
                    tremor_depth=0.04,
                    spectral=0.5,
                )
            )
        t += dur + float(rng.uniform(0.0, 0.4))
    standing(b, range(b.n_ch), start, t - start)
    for ch in chs:
        b.label(ch, "calf_raise", start, t)
    b.occupy(range(b.n_ch), start, t)
    return t
