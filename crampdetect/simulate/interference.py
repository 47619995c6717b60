"""Everyday interference on top of ordinary activity, for judging the quality flags.

The ``interference`` scenario places cramps, gait (with heel strikes), holds strong enough
to clip and rest first; then, unless ``SceneOptions.clean`` is set, the interference of a
real recording: continuous mild mains (2-80 µV, level drifting over tens of seconds), slow
baseline wander (up to a few hundred µV, below 1 Hz), pops, a strong mains episode, strong
wander and lead-offs of every kind (rail high or low, floating in mains of tens of mV), one
possibly from the very start and one possibly for many minutes. The mild interference is
unlabelled: the notch and the band-pass remove it, so it must not be flagged. The labelled
problems and the activity come from the same plan with or without interference, so the
clean and the interfered versions of one seed hold the same cramps.
"""

from __future__ import annotations

import numpy as np

from crampdetect.simulate import activities as act
from crampdetect.simulate import exercise as ex
from crampdetect.simulate.builder import SceneBuilder, SceneOptions
from crampdetect.simulate.components import Additive
from crampdetect.simulate.subject import loguniform

#: Mild mains: level drawn per piece (µV at the skin) and piece length (s).
MILD_MAINS_UV = (2.0, 80.0)
MILD_MAINS_PIECE_S = 40.0
#: Slow wander: amplitude (µV) and frequencies (Hz).
SLOW_WANDER_UV = (30.0, 400.0)
SLOW_WANDER_HZ = (0.03, 0.8)


def interference(b: SceneBuilder, o: SceneOptions) -> None:
    """Cramps, gait, clipping holds and rest; then everyday interference (see module doc)."""
    rng, d = b.rng, b.duration
    start_leadoff = d >= 300.0 and rng.uniform() < 0.5
    first = float(rng.uniform(60.0, 130.0)) if start_leadoff else 0.0
    lead_ch = int(rng.integers(b.n_ch))
    if start_leadoff:
        b.occupy([lead_ch], 0.0, first + 5.0)
    for _ in range(2):
        length = float(np.clip(rng.lognormal(np.log(60.0), 0.6), 15.0, 180.0))
        ch = int(rng.integers(b.n_ch))
        at = b.find_slot(range(b.n_ch), length + 25.0, 5.0, lo=first + 10.0)
        if at is not None:
            act.cramp(b, ch, at + 20.0, length)
    length = float(rng.uniform(40.0, 90.0))
    at = b.find_slot(range(b.n_ch), length, 10.0)
    if at is not None:
        ex.gait(b, at, length, running=bool(rng.uniform() < 0.5))
    for _ in range(2):  # strong holds: clip the ADC or the envelope on some boards
        at = b.find_slot(range(b.n_ch), 12.0, 5.0)
        if at is not None:
            ex.hold(b, [int(rng.integers(b.n_ch))], at, level=float(rng.uniform(1.5, 4.0)))
    if o.clean:
        return
    plan = b.rng
    b.rng = np.random.default_rng(plan.integers(2**63))
    try:
        _everyday(b, start_leadoff, first, lead_ch)
    finally:
        b.rng = plan


def _everyday(b: SceneBuilder, start_leadoff: bool, first: float, lead_ch: int) -> None:
    rng, d, f = b.rng, b.duration, b.subject.mains_hz
    for ch in range(b.n_ch):
        # Mild mains: overlapping pieces with long ramps, so the level drifts smoothly.
        for a in np.arange(-MILD_MAINS_PIECE_S / 2, d, MILD_MAINS_PIECE_S / 2):
            b.scene.additives.append(
                Additive(
                    ch, float(a), float(a + MILD_MAINS_PIECE_S), "mains",
                    loguniform(rng, *MILD_MAINS_UV) / 2,
                    freqs_hz=(f, 3 * f), weights=(1.0, float(rng.uniform(0.0, 0.3))),
                    phases=(0.0, float(rng.uniform(0, 2 * np.pi))),
                    edge_s=MILD_MAINS_PIECE_S / 2,
                )
            )  # fmt: skip
        n = 3
        b.scene.additives.append(
            Additive(
                ch, 0.0, d, "wave", loguniform(rng, *SLOW_WANDER_UV),
                freqs_hz=tuple(loguniform(rng, *SLOW_WANDER_HZ) for _ in range(n)),
                weights=tuple(rng.dirichlet(np.ones(n)).tolist()),
                phases=tuple(rng.uniform(0, 2 * np.pi, n).tolist()), edge_s=1.0,
            )
        )  # fmt: skip
    if start_leadoff:
        b.lead_off(lead_ch, 0.0, first, str(rng.choice(["low", "high", "float"])))
    for _ in range(int(rng.integers(2, 5))):
        b.pop(int(rng.integers(b.n_ch)), float(rng.uniform(0.05, 0.95) * d))
    length = min(float(rng.uniform(20.0, 60.0)), 0.5 * d)  # short scenes: shorter episodes
    at = float(rng.uniform(0, d - length))
    b.mains(range(b.n_ch), at, length, loguniform(rng, 150, 600))
    length = min(float(rng.uniform(5.0, 30.0)), 0.5 * d)
    ch = int(rng.integers(b.n_ch))
    b.wander(ch, float(rng.uniform(0, d - length)), length, loguniform(rng, 1500, 15000))
    for mode in ("float", str(rng.choice(["low", "high"]))):
        length = loguniform(rng, 10.0, 60.0) if rng.uniform() < 0.6 else rng.uniform(120, 300)
        ch = int(rng.integers(b.n_ch))
        at = b.find_slot([ch], length + 1.0, 3.0)
        if at is not None:
            b.pop(ch, at)
            b.lead_off(ch, at + 0.02, length, mode)
