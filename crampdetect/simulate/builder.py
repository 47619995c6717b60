"""Scene plan: the labelled events of one recording and the primitives that place them.

Every primitive draws its parameters from the scene's plan RNG and appends both the
signal components (see :mod:`crampdetect.simulate.components`) and the ground-truth
label intervals. Durations and rates come from ``domain.md`` (§1.5-1.7 cramps, §2.4
night confounders, §1.4 and [79] for training).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from crampdetect.simulate.components import (
    Activation,
    Additive,
    FasciculationRate,
    LeadOff,
)
from crampdetect.simulate.subject import Subject, loguniform


@dataclass
class Scene:
    """Everything needed to render one recording, plus its label intervals (times in s)."""

    profile: str
    duration_s: float
    n_channels: int
    activations: list[Activation] = field(default_factory=list)
    additives: list[Additive] = field(default_factory=list)
    leadoffs: list[LeadOff] = field(default_factory=list)
    fasciculations: list[FasciculationRate] = field(default_factory=list)
    gaps: list[tuple[float, float]] = field(default_factory=list)  # (start_s, end_s)
    intervals: list[dict[str, object]] = field(default_factory=list)

    def present_mask(self, index: np.ndarray, fs: float) -> np.ndarray:
        """True for sample-clock indices that are not inside a dropped-packet gap."""
        keep = np.ones(index.size, dtype=bool)
        for start, end in self.gaps:
            lo, hi = int(np.ceil(start * fs - 1e-9)), int(np.ceil(end * fs - 1e-9))
            keep &= (index < lo) | (index >= hi)
        return keep

    def fasciculations_in(
        self, t0: float, t1: float, n_channels: int, subject: Subject
    ) -> list[FasciculationRate]:
        """Fasciculation sources overlapping ``[t0, t1)``, background first."""
        out = [
            FasciculationRate(ch, 0.0, self.duration_s, subject.fasciculation_hz)
            for ch in range(n_channels)
            if subject.fasciculation_hz > 0
        ]
        return out + [c for c in self.fasciculations if c.start < t1 and c.end > t0]

    def leadoffs_in(self, t0: float, t1: float) -> list[LeadOff]:
        return [c for c in self.leadoffs if c.start < t1 and c.end > t0]


@dataclass(frozen=True, slots=True)
class SceneOptions:
    """Knobs the evaluation set varies per file.

    Parameters
    ----------
    cramps : int or None
        Number of primary cramps (recurrences come on top); None lets the scenario choose.
    artefacts_per_hour : float
        Rate of pops, wander and mains episodes.
    gaps_per_hour : float
        Rate of dropped-packet gaps.
    leadoffs : int
        Number of lead-off episodes.
    clean : bool
        Leave the interference out (scenarios that support it), for clean-versus-interfered
        comparisons of one seed.
    """

    cramps: int | None = None
    artefacts_per_hour: float = 2.0
    gaps_per_hour: float = 2.0
    leadoffs: int = 0
    clean: bool = False


class SceneBuilder:
    """Places labelled events on a scene, avoiding overlaps where asked.

    Parameters
    ----------
    rng : numpy.random.Generator
        Plan stream of the scene seed.
    scene : Scene
        Scene being filled.
    subject : Subject
        The wearer (needed to scale prodromes relative to resting noise).
    channels : tuple of str
        Channel names, for the labels.
    """

    def __init__(
        self, rng: np.random.Generator, scene: Scene, subject: Subject, channels: tuple[str, ...]
    ) -> None:
        self.rng, self.scene, self.subject, self.channels = rng, scene, subject, channels
        self.busy: list[list[tuple[float, float]]] = [[] for _ in channels]

    @property
    def duration(self) -> float:
        return self.scene.duration_s

    @property
    def n_ch(self) -> int:
        return len(self.channels)

    # -- bookkeeping -------------------------------------------------------------------
    def label(self, ch: int, kind: str, start: float, end: float, **extra: object) -> None:
        start, end = max(0.0, start), min(self.duration, end)
        if end <= start:
            return
        item: dict[str, object] = {"channel": self.channels[ch], "kind": kind}
        item.update(start_s=round(start, 4), end_s=min(round(end, 4), self.duration), **extra)
        self.scene.intervals.append(item)

    def is_free(self, chs: list[int] | range, start: float, end: float, margin: float) -> bool:
        if start < 0 or end > self.duration:
            return False
        return all(end + margin <= s or start - margin >= e for ch in chs for s, e in self.busy[ch])

    def occupy(self, chs: list[int] | range, start: float, end: float) -> None:
        for ch in chs:
            self.busy[ch].append((start, end))

    def find_slot(
        self, chs: list[int] | range, length: float, margin: float, lo: float = 0.0, hi=None
    ) -> float | None:
        """A random start in ``[lo, hi - length]`` where ``chs`` are free, or None."""
        hi = self.duration if hi is None else min(hi, self.duration)
        for _ in range(60):
            if hi - length <= lo:
                return None
            start = float(self.rng.uniform(lo, hi - length))
            if self.is_free(chs, start, start + length, margin):
                return start
        return None

    def random_mod(self, n: int, lo_hz: float, hi_hz: float, depth: float) -> dict:
        rng = self.rng
        weights = rng.dirichlet(np.ones(n)) * depth
        return {
            "mod_hz": tuple(loguniform(rng, lo_hz, hi_hz) for _ in range(n)),
            "mod_depth": tuple(float(w) for w in weights),
            "mod_phase": tuple(rng.uniform(0, 2 * np.pi, n).tolist()),
        }

    # -- quality problems --------------------------------------------------------------
    def wander(self, ch: int, start: float, length: float, amp_uv: float, label: bool = True):
        rng, n = self.rng, 4
        self.scene.additives.append(
            Additive(
                ch,
                start,
                start + length,
                "wave",
                amp_uv,
                freqs_hz=tuple(loguniform(rng, 0.15, 6.0) for _ in range(n)),
                weights=tuple(rng.dirichlet(np.ones(n)).tolist()),
                phases=tuple(rng.uniform(0, 2 * np.pi, n).tolist()),
                edge_s=min(0.5, length / 4),
            )
        )
        if label:
            self.label(ch, "wander", start, start + length)

    def pop(self, ch: int, at: float) -> None:
        rng = self.rng
        amp = loguniform(rng, 800.0, 8000.0) * rng.choice([-1.0, 1.0])
        self.scene.additives.append(
            Additive(ch, at, at + 1e-3, "pop", amp, tau_s=loguniform(rng, 0.05, 0.6))
        )
        self.label(ch, "pop", at, at + 0.25)

    def mains(self, chs: list[int] | range, start: float, length: float, amp_uv: float) -> None:
        rng, f = self.rng, self.subject.mains_hz
        w3, w5 = rng.uniform(0.1, 0.5), rng.uniform(0.03, 0.2)
        for ch in chs:
            self.scene.additives.append(
                Additive(
                    ch,
                    start,
                    start + length,
                    "mains",
                    amp_uv * rng.uniform(0.7, 1.0),
                    freqs_hz=(f, 2 * f, 3 * f, 5 * f),
                    weights=(1.0, 0.05, w3, w5),
                    phases=tuple(rng.uniform(0, 2 * np.pi, 4).tolist()),
                    edge_s=0.5,
                )
            )
            self.label(ch, "mains", start, start + length)

    def lead_off(self, ch: int, start: float, length: float, mode: str | None = None) -> None:
        rng = self.rng
        mode = mode or str(rng.choice(["high", "low", "float", "float"]))
        amp = loguniform(rng, 8000.0, 60000.0)
        self.scene.leadoffs.append(LeadOff(ch, start, start + length, mode, amp))
        self.label(ch, "lead_off", start, start + length, mode=mode)
        self.occupy([ch], start, start + length)

    def gap(self, start: float, length: float) -> None:
        self.scene.gaps.append((start, start + length))
        for ch in range(self.n_ch):
            self.label(ch, "gap", start, start + length)

    def artefacts(self, per_hour: float, gaps_per_hour: float, leadoffs: int = 0) -> None:
        """Scatter quality problems: pops, wander, mains episodes, gaps and lead-offs."""
        rng, d = self.rng, self.duration
        for _ in range(rng.poisson(per_hour * d / 3600.0)):
            kind = rng.choice(["pop", "pop", "wander", "mains"])
            ch = int(rng.integers(self.n_ch))
            if kind == "pop":
                self.pop(ch, rng.uniform(0.1, 0.9) * d)
            elif kind == "wander":
                length = min(loguniform(rng, 3.0, 90.0), d)
                self.wander(ch, rng.uniform(0, d - length), length, loguniform(rng, 1500, 15000))
            else:
                length = min(loguniform(rng, 10.0, 600.0), d)
                start = rng.uniform(0, d - length)
                self.mains(range(self.n_ch), start, length, loguniform(rng, 30.0, 600.0))
        for _ in range(leadoffs if d >= 40.0 else 0):
            ch = int(rng.integers(self.n_ch))
            length = loguniform(rng, 5.0, min(600.0, d / 4))
            start = self.find_slot([ch], length + 0.5, 2.0)
            if start is not None:
                self.pop(ch, start)
                self.lead_off(ch, start + 0.02, length)
        for _ in range(rng.poisson(gaps_per_hour * d / 3600.0)):
            length = 0.02 + rng.exponential(0.15) if rng.uniform() < 0.85 else rng.uniform(1, 5)
            length = min(length, 0.2 * d)
            self.gap(float(rng.uniform(0.1 * d, 0.9 * d - length)), length)
