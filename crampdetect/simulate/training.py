"""The training-session scenario: warm-up, running bouts, calf raises, holds, cool-down.

Cramps strike late in exertion (the athlete stops within about a second) or shortly after
stopping, mostly in the last part of the session (``domain.md`` §2.2: 4th quarter most
common [30]); recurrences follow within minutes.
"""

from __future__ import annotations

import numpy as np

from crampdetect.simulate import activities as act
from crampdetect.simulate import exercise as ex
from crampdetect.simulate.builder import SceneBuilder, SceneOptions, loguniform


def training_cramp_length(rng: np.random.Generator) -> float:
    """Training cramp duration, s: log-normal, median 40 s, clipped to 10-180 s."""
    return float(np.clip(rng.lognormal(np.log(40.0), 0.7), 10.0, 180.0))


class _Session:
    """Sequential timeline of a training session with pending cramps."""

    def __init__(self, b: SceneBuilder, cramps: int) -> None:
        self.b, self.t, self.pending = b, 0.0, cramps
        self.cramped: list[int] = []

    @property
    def left(self) -> float:
        return self.b.duration - self.t

    def stand(self, length: float) -> None:
        length = min(length, self.left)
        if length > 1.0:
            ex.standing(self.b, range(self.b.n_ch), self.t, length)
        self.t += max(length, 0.0)

    def cramp_due(self) -> bool:
        """A pending cramp strikes now with a probability rising towards the end."""
        late = self.t / self.b.duration
        return self.pending > 0 and late > 0.35 and self.b.rng.uniform() < 0.3 + late

    def cramp(self) -> None:
        b, rng = self.b, self.b.rng
        ch = self.cramped[-1] if self.cramped and rng.uniform() < 0.7 else int(rng.integers(b.n_ch))
        length = min(training_cramp_length(rng), self.left - 2.0)
        if length < 10.0:
            return
        self.pending -= 1
        end = act.cramp(b, ch, self.t, length, recurrence=ch in self.cramped)
        self.cramped.append(ch)
        for other in range(b.n_ch):
            if other != ch:
                ex.standing(b, [other], self.t + 1.0, end - self.t - 1.0)
        self.t = end
        self.stand(rng.uniform(20.0, 90.0))

    def bout(self, length: float, running: bool) -> None:
        """Walk or run; a due cramp cuts the bout short or comes just after it."""
        b, rng = self.b, self.b.rng
        length = min(length, self.left - 1.0)
        if length < 5.0:
            return
        if self.cramp_due() and rng.uniform() < 0.5:
            stop = self.t + length * rng.uniform(0.5, 1.0)
            ex.gait(b, self.t, stop - self.t, running)
            self.t = stop - rng.uniform(0.5, 1.5)  # onset shortly before the athlete stops
            self.cramp()
            return
        self.t = ex.gait(b, self.t, length, running) + 0.3
        if self.cramp_due():
            self.stand(rng.uniform(2.0, 90.0))
            self.cramp()

    def raises(self) -> None:
        b, rng = self.b, self.b.rng
        for _ in range(int(rng.integers(2, 5))):
            if self.left < 60.0:
                return
            self.t = ex.calf_raises(b, self.t)
            if self.cramp_due() and rng.uniform() < 0.5:
                self.t += rng.uniform(0.5, 5.0)
                self.cramp()
            self.stand(rng.uniform(30.0, 90.0))

    def holds(self) -> None:
        b, rng = self.b, self.b.rng
        for _ in range(int(rng.integers(4, 13))):
            if self.left < 30.0:
                return
            chs = list(range(b.n_ch)) if rng.uniform() < 0.5 else [int(rng.integers(b.n_ch))]
            self.t = ex.hold(b, chs, self.t)
            self.stand(rng.uniform(4.0, 20.0))


def training(b: SceneBuilder, o: SceneOptions) -> None:
    """A 30-60 min session: walking, running bouts, calf raises and isometric holds."""
    rng = b.rng
    cramps = o.cramps if o.cramps is not None else int(rng.uniform() < 0.7) + int(rng.poisson(0.3))
    s = _Session(b, cramps)
    s.stand(rng.uniform(20.0, 60.0))
    s.bout(rng.uniform(120.0, 420.0), running=False)
    s.stand(rng.uniform(10.0, 40.0))
    cool_down = rng.uniform(90.0, 300.0)
    block = 0
    while s.left > cool_down + 60.0:
        kind = ("run", "raises", "run", "holds")[block % 4]
        if kind == "run":
            s.bout(loguniform(rng, 150.0, 900.0), running=True)
            s.bout(rng.uniform(30.0, 120.0), running=False)
            s.stand(rng.uniform(10.0, 60.0))
        elif kind == "raises":
            s.raises()
        else:
            s.holds()
        block += 1
    s.bout(cool_down, running=False)
    if s.pending:
        s.stand(rng.uniform(2.0, 30.0))
        s.cramp()
    s.stand(s.left)
    b.artefacts(o.artefacts_per_hour, o.gaps_per_hour, o.leadoffs)
