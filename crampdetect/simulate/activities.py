"""Muscle activities placed on a scene: cramps, prodromes and the night confounders.

Each function draws its parameters from ``b.rng``, adds :class:`Activation` components
and writes the label intervals. Sources (``domain.md``): cramp discharge irregularity
(ISI CV ~45 %, doublets ~4 %, common drive ~1.4 Hz) [3]; localisation to one muscle/leg
[1][6]; duration seconds to 10 min, mean ~9 min reported at night [20][22]; prodrome of
41 +/- 11 s with +100-500 % resting EMG [27]; end by stretch with a transient increase
[1][9]; leg movements 0.5-10 s, PLM every 5-90 s, large movements 3-45 s [33][34].
Training activities are in :mod:`crampdetect.simulate.exercise`.
"""

from __future__ import annotations

import numpy as np

from crampdetect.simulate.builder import SceneBuilder, loguniform
from crampdetect.simulate.components import Activation, FasciculationRate


def cramp(
    b: SceneBuilder,
    ch: int,
    start: float,
    length: float,
    *,
    prodrome: bool = False,
    recurrence: bool = False,
    level_range: tuple[float, float] = (0.15, 1.0),
    rise_range_s: tuple[float, float] = (0.3, 5.0),
    depth_range: tuple[float, float] = (0.3, 0.8),
    context: str | None = None,
) -> float:
    """A cramp on channel ``ch`` whose onset ramp starts at ``start``; returns its end, s.

    ``level_range`` (fraction of MVC, uniform), ``rise_range_s`` (onset ramp, s,
    log-uniform) and ``depth_range`` (total waxing-and-waning depth) are the ranges drawn
    from; ``context`` (what the cramp follows) is written into the label when given.
    """
    rng = b.rng
    end = min(start + length, b.duration)
    level = float(rng.uniform(*level_range))
    rise = min(loguniform(rng, *rise_range_s), 0.3 * (end - start))
    stretched = rng.uniform() < 0.6
    fall = float(rng.uniform(0.1, 0.5) if stretched else rng.uniform(2.0, 10.0))
    n_spasms = rng.poisson((end - start) / 40.0)
    bumps = [
        (float(rng.uniform(start + rise, end)), loguniform(rng, 0.2, 1.5), rng.uniform(0.2, 0.9))
        for _ in range(n_spasms)
    ]
    if stretched:  # forcible stretch briefly increases motor-unit activity [1]
        bumps.append((end - rng.uniform(0.3, 1.0), rng.uniform(0.2, 0.5), rng.uniform(0.2, 0.6)))
    mod = b.random_mod(6, 0.1, 2.0, rng.uniform(*depth_range))  # irregular waxing and waning
    mod["mod_hz"] += (float(rng.normal(1.4, 0.4)),)  # common drive [3]
    mod["mod_depth"] += (float(rng.uniform(0.03, 0.1)),)
    mod["mod_phase"] += (float(rng.uniform(0, 2 * np.pi)),)
    b.scene.activations.append(
        Activation(
            ch,
            start,
            end,
            level,
            rise=rise,
            fall=min(fall, (end - start) / 3),
            bumps=tuple(bumps),
            floor=float(rng.uniform(0.3, 0.55)),
            spectral=float(rng.uniform(0.3, 0.95)),
            mu_count=int(rng.integers(4, 11)),
            mu_rate_hz=float(rng.uniform(10, 20)),
            mu_cv=float(np.clip(rng.normal(0.45, 0.08), 0.3, 0.65)),
            mu_amp=float(rng.uniform(0.1, 0.3)),
            **mod,
        )
    )
    extra = {} if context is None else {"context": context}
    b.label(ch, "cramp", start, end, recurrence=recurrence, level=round(level, 3), **extra)
    b.occupy([ch], start, end)
    if prodrome:
        _prodrome(b, ch, start)
    return end


def _prodrome(b: SceneBuilder, ch: int, onset: float) -> None:
    """Rising resting EMG (+100-500 %) and fasciculations for ~20-60 s before a cramp [27]."""
    rng = b.rng
    length = min(float(np.clip(rng.normal(41, 11), 15, 70)), onset)
    if length < 5:
        return
    start = onset - length
    rest, mvc = b.subject.rest_uv[ch], b.subject.mvc_uv[ch]
    rise = rng.uniform(1.0, 5.0)  # RMS increase over resting, 100-500 % [27]
    added = ((1.0 + rise) ** 2 - 1.0) * rest**2  # µV², shared 70/20/10 % below
    level = float(np.sqrt(0.7 * added) / mvc)
    n_mu, mu_rate = int(rng.integers(1, 4)), float(rng.uniform(6, 10))
    mu_peak = np.sqrt(0.2 * added / (n_mu * mu_rate * 1.7 * 2.35e-3 * 1.08))  # MUAP energy
    spikes = tuple(
        (float(rng.uniform(start, onset)), rng.uniform(0.1, 0.6), rng.uniform(0.3, 1.0))
        for _ in range(rng.poisson(length / 8))
    )
    b.scene.activations.append(
        Activation(
            ch,
            start,
            onset + 1.0,
            level,
            rise=0.7 * length,
            fall=1.0,
            bumps=spikes,
            spectral=float(rng.uniform(0.2, 0.6)),
            mu_count=n_mu,
            mu_rate_hz=mu_rate,
            mu_cv=0.3,
            mu_amp=float(mu_peak / (level * mvc)),
        )
    )
    fasciculation_hz = float(np.clip(0.1 * added / 49.0, 0.05, 3.0))  # 80 µV potentials
    b.scene.fasciculations.append(FasciculationRate(ch, start, onset, fasciculation_hz))
    b.label(ch, "prodrome", start, onset)
    b.occupy([ch], start, onset)


def leg_movement(b: SceneBuilder, ch: int, start: float, length: float) -> None:
    """A leg movement during sleep (0.5-10 s burst) on one channel [33]."""
    rng = b.rng
    b.scene.activations.append(
        Activation(
            ch,
            start,
            start + length,
            float(loguniform(rng, 0.03, 0.5)),
            rise=float(rng.uniform(0.05, 0.4)),
            fall=float(rng.uniform(0.1, 0.8)),
            spectral=float(rng.uniform(0.3, 0.7)),
            mu_count=int(rng.integers(0, 4)),
            **b.random_mod(2, 0.3, 3.0, rng.uniform(0.1, 0.5)),
        )
    )
    b.label(ch, "leg_movement", start, start + length)
    b.occupy([ch], start, start + length)


def plm_series(b: SceneBuilder, start: float, count: int) -> float:
    """Periodic leg movements: ``count`` movements every 5-90 s, one or both legs; returns end."""
    rng = b.rng
    period = loguniform(rng, 8.0, 60.0)
    chs = [int(rng.integers(b.n_ch))] if rng.uniform() < 0.6 or b.n_ch == 1 else [0, 1]
    t = start
    for _ in range(count):
        length = float(np.clip(rng.normal(3.0, 1.5), 0.5, 10.0))
        if t + length > b.duration:
            break
        for ch in chs:
            leg_movement(b, ch, t + rng.uniform(0, 0.3), length * rng.uniform(0.8, 1.0))
        t += float(np.clip(period * rng.normal(1.0, 0.15), max(5.0, length + 1.0), 90.0))
    return t


def turnover(b: SceneBuilder, start: float, length: float) -> float:
    """Turning over in bed: 3-45 s of mixed bursts on both legs with motion artefact [34]."""
    rng = b.rng
    end = min(start + length, b.duration)
    for ch in range(b.n_ch):
        t = start + rng.uniform(0, 1.0)
        while t < end - 0.2:
            dur = min(loguniform(rng, 0.2, 3.0), end - t)
            b.scene.activations.append(
                Activation(
                    ch,
                    t,
                    t + dur,
                    float(loguniform(rng, 0.05, 0.7)),
                    rise=0.1 * dur + 0.02,
                    fall=0.2 * dur + 0.02,
                    spectral=float(rng.uniform(0.3, 0.7)),
                )
            )
            t += dur + loguniform(rng, 0.1, 3.0)
        b.label(ch, "turnover", start, end)
        b.wander(ch, start, end - start, loguniform(rng, 500.0, 8000.0))
    b.occupy(range(b.n_ch), start, end)
    return end


def twitch(b: SceneBuilder, ch: int, at: float) -> None:
    """A brief twitch (30-300 ms, a few motor units)."""
    rng = b.rng
    dur = loguniform(rng, 0.03, 0.3)
    b.scene.activations.append(
        Activation(
            ch,
            at,
            at + dur,
            float(loguniform(rng, 0.03, 0.4)),
            rise=0.3 * dur,
            fall=0.5 * dur,
            spectral=float(rng.uniform(0.3, 0.8)),
        )
    )
    b.label(ch, "twitch", at, at + dur)
