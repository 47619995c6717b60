"""Named scenarios: scripts that fill a scene with activities and quality problems."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from crampdetect.calibration import Protocol
from crampdetect.simulate import activities as act
from crampdetect.simulate import exercise as ex
from crampdetect.simulate.builder import SceneBuilder, SceneOptions, loguniform
from crampdetect.simulate.components import Activation
from crampdetect.simulate.interference import interference
from crampdetect.simulate.stress import stress_night, stress_training
from crampdetect.simulate.training import training


@dataclass(frozen=True, slots=True)
class Scenario:
    """A named scene script with its detector profile and default length (s)."""

    name: str
    profile: str
    default_s: float
    build: Callable[[SceneBuilder, SceneOptions], None]
    summary: str


def night_cramp_length(rng: np.random.Generator) -> float:
    """Night cramp duration, s: log-normal, median 150 s, clipped to 10 s-10 min."""
    return float(np.clip(rng.lognormal(np.log(150.0), 0.8), 10.0, 600.0))


def _night_cramps(b: SceneBuilder, count: int) -> None:
    rng = b.rng
    for _ in range(count):
        length = night_cramp_length(rng)
        ch = int(rng.integers(b.n_ch))
        start = b.find_slot(range(b.n_ch), length + 75.0, 10.0, lo=5.0)
        if start is None:
            continue
        onset = start + 70.0
        prodrome = rng.uniform() < 0.7
        end = act.cramp(b, ch, onset, length, prodrome=prodrome)
        if not prodrome and rng.uniform() < 0.5:  # a movement in bed runs into the cramp [89]
            lead = float(rng.uniform(3.0, 20.0))
            act.turnover(b, onset - lead, lead + float(rng.uniform(0.0, 3.0)))
        if b.n_ch > 1 and rng.uniform() < 0.1:  # occasionally both calves
            other = max(10.0, length * rng.uniform(0.3, 0.9))
            act.cramp(b, 1 - ch, onset + rng.uniform(1, 20), other)
        if rng.uniform() < 0.5:  # waking up and stretching after the cramp
            t = end + rng.uniform(2.0, 30.0)
            if b.is_free(range(b.n_ch), t, t + 30, 1.0):
                act.turnover(b, t, loguniform(rng, 5.0, 30.0))
        if rng.uniform() < 0.35:  # recurrence within minutes to an hour [16]
            again = end + loguniform(rng, 120.0, 3600.0)
            length2 = night_cramp_length(rng)
            if b.is_free([ch], again, again + length2, 10.0) and again + length2 < b.duration:
                act.cramp(b, ch, again, length2, recurrence=True, prodrome=rng.uniform() < 0.3)


def night(b: SceneBuilder, o: SceneOptions) -> None:
    """Hours of rest with cramps, turn-overs, PLM series, leg movements and twitches."""
    rng, hours = b.rng, b.duration / 3600.0
    count = o.cramps if o.cramps is not None else 1 + int(rng.poisson(0.5 * hours / 8))
    _night_cramps(b, count)
    for _ in range(rng.poisson(hours * rng.uniform(1.5, 4.0))):
        length = loguniform(rng, 3.0, 45.0)
        start = b.find_slot(range(b.n_ch), length, 5.0)
        if start is not None:
            act.turnover(b, start, length)
    for _ in range(rng.poisson(hours * 0.4)):
        start = b.find_slot(range(b.n_ch), 300.0, 5.0)
        if start is not None:
            act.plm_series(b, start, int(rng.integers(4, 30)))
    _scatter(b, rng.poisson(hours * rng.uniform(2, 10)), 8.0, "lm")
    _scatter(b, rng.poisson(hours * rng.uniform(10, 60)), 0.5, "twitch")
    b.artefacts(o.artefacts_per_hour, o.gaps_per_hour, o.leadoffs)


def _scatter(b: SceneBuilder, count: int, length: float, what: str) -> None:
    rng = b.rng
    for _ in range(count):
        ch = int(rng.integers(b.n_ch))
        start = b.find_slot([ch], length, 2.0)
        if start is None:
            continue
        if what == "lm":
            act.leg_movement(b, ch, start, float(np.clip(rng.lognormal(np.log(2.5), 0.6), 0.5, 10)))
        else:
            act.twitch(b, ch, start)


def night_short(b: SceneBuilder, o: SceneOptions) -> None:
    """A few minutes of rest, a leg movement or two and one cramp with a prodrome."""
    rng, d = b.rng, b.duration
    onset = float(rng.uniform(0.38, 0.45) * d)
    act.cramp(b, int(rng.integers(b.n_ch)), onset, rng.uniform(0.3, 0.42) * d, prodrome=True)
    for _ in range(int(rng.integers(1, 3))):
        length = float(rng.uniform(1.0, 4.0))
        ch = int(rng.integers(b.n_ch))
        start = b.find_slot([ch], length, 3.0, lo=3.0)
        if start is not None:
            act.leg_movement(b, ch, start, length)
    _scatter(b, int(rng.integers(0, 4)), 0.5, "twitch")
    b.artefacts(0.0, o.gaps_per_hour, 0)


def single_cramp(b: SceneBuilder, o: SceneOptions) -> None:
    """Rest, then one cramp (night-like, with or without prodrome), then rest."""
    rng, d = b.rng, b.duration
    onset = float(rng.uniform(0.3, 0.4) * d)
    act.cramp(
        b,
        int(rng.integers(b.n_ch)),
        onset,
        rng.uniform(0.25, 0.5) * d,
        prodrome=rng.uniform() < 0.5,
    )
    _scatter(b, int(rng.integers(0, 6)), 0.5, "twitch")
    b.artefacts(o.artefacts_per_hour, o.gaps_per_hour, o.leadoffs)


def holds(b: SceneBuilder, o: SceneOptions) -> None:
    """Standing, with voluntary isometric holds of 3-10 s at up to 90 % MVC, one or both legs."""
    rng = b.rng
    t = float(rng.uniform(2.0, min(10.0, max(2.0, 0.2 * b.duration))))
    while t < b.duration - 10.5:
        chs = list(range(b.n_ch)) if rng.uniform() < 0.5 else [int(rng.integers(b.n_ch))]
        end = ex.hold(b, chs, t)
        gap = float(rng.uniform(4.0, 20.0))
        ex.standing(b, range(b.n_ch), end, gap)
        t = end + gap
    b.artefacts(o.artefacts_per_hour, o.gaps_per_hour, o.leadoffs)


def calibration(b: SceneBuilder, o: SceneOptions) -> None:
    """The ``crampdetect calibrate`` routine played by each leg in turn, no artefacts.

    Per leg (left, then right): relax, three maximal voluntary contractions (about 90 % MVC,
    each as long as the routine asks, pauses between), then a passive stretch.
    """
    proto, rng = Protocol(), b.rng
    for leg in range(min(b.n_ch, 2)):
        t0 = leg * proto.duration_s
        for phase in proto.phases():
            if not phase.name.startswith("contract"):
                continue
            start, end = t0 + phase.start_s + 0.3, t0 + phase.end_s - 0.2  # reaction time
            b.scene.activations.append(
                Activation(
                    leg,
                    start,
                    end,
                    float(rng.uniform(0.85, 0.95)),
                    rise=0.3,
                    fall=0.2,
                    tremor_hz=float(rng.uniform(8, 12)),
                    tremor_depth=0.05,
                    spectral=0.5,
                    mu_count=5,
                    mu_rate_hz=15.0,
                    mu_cv=0.2,
                    mu_amp=0.2,
                    **b.random_mod(2, 0.1, 1.0, 0.05),
                )
            )
            b.label(leg, "voluntary_hold", start, end, level=0.9)
            b.occupy([leg], start, end)


def turnovers(b: SceneBuilder, o: SceneOptions) -> None:
    """Rest with several turn-overs in bed (mixed bilateral bursts and motion artefact)."""
    rng = b.rng
    t = float(rng.uniform(5.0, 30.0))
    while t < b.duration - 10.0:
        t = act.turnover(b, t, loguniform(rng, 3.0, 45.0)) + float(rng.uniform(10.0, 60.0))
    _scatter(b, int(rng.integers(0, 6)), 0.5, "twitch")
    b.artefacts(o.artefacts_per_hour, o.gaps_per_hour, o.leadoffs)


def plm(b: SceneBuilder, o: SceneOptions) -> None:
    """Periodic leg movements in sleep: series of 0.5-10 s movements every 5-90 s."""
    t = float(b.rng.uniform(5.0, 30.0))
    while t < b.duration - 20.0:
        t = act.plm_series(b, t, int(b.rng.integers(4, 40))) + float(b.rng.uniform(20.0, 120.0))
    b.artefacts(o.artefacts_per_hour, o.gaps_per_hour, o.leadoffs)


def walk_run(b: SceneBuilder, o: SceneOptions) -> None:
    """Walking, running, walking."""
    rng, d = b.rng, b.duration
    t = ex.gait(b, 2.0, rng.uniform(0.2, 0.3) * d, running=False)
    t = ex.gait(b, t + 0.5, rng.uniform(0.4, 0.5) * d, running=True)
    ex.gait(b, t + 0.5, d - t - 3.0, running=False)
    b.artefacts(o.artefacts_per_hour, o.gaps_per_hour, o.leadoffs)


def raises(b: SceneBuilder, o: SceneOptions) -> None:
    """Sets of calf raises separated by standing rests."""
    rng = b.rng
    t = 3.0
    while t < b.duration - 45.0:
        t = ex.calf_raises(b, t)
        rest = float(rng.uniform(15.0, 60.0))
        ex.standing(b, range(b.n_ch), t, min(rest, b.duration - t))
        t += rest
    b.artefacts(o.artefacts_per_hour, o.gaps_per_hour, o.leadoffs)


def leadoff(b: SceneBuilder, o: SceneOptions) -> None:
    """Rest with lead-off episodes of every kind (rail high, rail low, floating), pops, mains."""
    rng, d = b.rng, b.duration
    for i, mode in enumerate(("high", "low", "float")):
        ch = i % b.n_ch
        start = (0.1 + 0.28 * i) * d
        b.pop(ch, start)
        b.lead_off(ch, start + 0.02, float(rng.uniform(0.08, 0.15) * d), mode)
    b.mains(range(b.n_ch), 0.88 * d, 0.1 * d, loguniform(rng, 100.0, 600.0))
    b.artefacts(0.0, o.gaps_per_hour, 0)


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("night", "night", 8 * 3600.0, night, "a whole night with cramps and confounders"),
        Scenario("night-short", "night", 240.0, night_short, "rest, leg movements, one cramp"),
        Scenario("training", "training", 2700.0, training, "a training session with cramps"),
        Scenario("cramp", "night", 180.0, single_cramp, "one cramp between rests"),
        Scenario("hold", "training", 180.0, holds, "voluntary isometric holds"),
        Scenario("turnover", "night", 300.0, turnovers, "turning over in bed"),
        Scenario("plm", "night", 600.0, plm, "periodic leg movements in sleep"),
        Scenario("gait", "training", 300.0, walk_run, "walking and running"),
        Scenario("calf-raise", "training", 240.0, raises, "calf-raise sets"),
        Scenario("leadoff", "night", 180.0, leadoff, "lead-off, pops and mains"),
        Scenario(
            "interference", "night", 900.0, interference, "everyday interference and lead-offs"
        ),
        Scenario(
            "stress-night",
            "night",
            3600.0,
            stress_night,
            "dense night: cramps in every context among strong leg movements",
        ),
        Scenario(
            "stress-training",
            "training",
            2700.0,
            stress_training,
            "stop-start running, holds, raises; cramps during and right after effort",
        ),
        Scenario(
            "calibration", "training", 175.0, calibration, "the calibrate routine, left then right"
        ),
    )
}
