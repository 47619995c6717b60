"""Building blocks of a simulated scene, each evaluable on any time grid (vectorised).

* :class:`Activation`: muscle drive on one channel as a fraction of MVC (RMS), with
  cosine ramps, slow waxing/waning (sum of sinusoids), spasms (Gaussian bumps), force
  tremor, and optional discrete motor-unit trains with a given ISI variability.
* :class:`Additive`: a signal added at the skin in µV before the front end: motion
  artefact / baseline wander (< 10 Hz), electrode pop (decaying step) or mains hum.
* :class:`LeadOff`: an electrode off the skin: the RAW output sits at a rail or floats
  with large mains.
* :class:`FasciculationRate`: extra rate of single fasciculation potentials.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_TWO_PI = 2.0 * np.pi


def _ramps(t: np.ndarray, start: float, end: float, rise: float, fall: float) -> np.ndarray:
    """Trapezoid with raised-cosine edges: 0 outside ``[start, end)``, 1 on the plateau."""
    up = np.clip((t - start) / max(rise, 1e-9), 0.0, 1.0)
    down = np.clip((end - t) / max(fall, 1e-9), 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * np.minimum(up, down))


@dataclass(frozen=True, slots=True)
class Activation:
    """Drive of one channel, as a fraction of MVC RMS amplitude.

    Parameters
    ----------
    channel : int
        Channel index.
    start, end : float
        Extent in s (``start`` is the onset of the rise).
    level : float
        Plateau level, fraction of MVC (may exceed 1 in running).
    rise, fall : float
        Duration of the onset and offset ramps, s.
    mod_hz, mod_depth, mod_phase : tuple of float
        Slow sinusoidal modulation (waxing/waning), Hz, relative depth, rad.
    bumps : tuple of (time_s, width_s, height)
        Gaussian spasms added to the relative level.
    floor : float
        Lowest relative level the modulation may reach (cramps never relax to rest).
    tremor_hz, tremor_depth : float
        Force tremor of voluntary contractions (relative depth).
    spectral : float
        Mix between the subject's low (0) and high (1) mean-frequency spectra.
    mu_count, mu_rate_hz, mu_cv, mu_amp : int, float, float, float
        Discrete motor-unit trains on top of the interference pattern: number of units,
        mean discharge rate (pps), ISI coefficient of variation, MUAP peak as a fraction
        of ``level`` x MVC.
    """

    channel: int
    start: float
    end: float
    level: float
    rise: float = 0.2
    fall: float = 0.2
    mod_hz: tuple[float, ...] = ()
    mod_depth: tuple[float, ...] = ()
    mod_phase: tuple[float, ...] = ()
    bumps: tuple[tuple[float, float, float], ...] = ()
    floor: float = 0.0
    tremor_hz: float = 0.0
    tremor_depth: float = 0.0
    spectral: float = 0.5
    mu_count: int = 0
    mu_rate_hz: float = 12.0
    mu_cv: float = 0.2
    mu_amp: float = 0.3

    def relative(self, t: np.ndarray) -> np.ndarray:
        """Modulation around the plateau (1.0 = plateau), without the ramps."""
        t = np.asarray(t, dtype=float)
        if t.ndim != 1:
            return self.relative(t.ravel()).reshape(t.shape)
        rel = np.ones_like(t)
        if self.mod_hz:
            f = np.asarray(self.mod_hz)
            arg = _TWO_PI * np.outer(t - self.start, f) + np.asarray(self.mod_phase)
            rel += np.sin(arg) @ np.asarray(self.mod_depth)
        for centre, width, height in self.bumps:
            rel += height * np.exp(-0.5 * ((t - centre) / width) ** 2)
        if self.tremor_depth:
            rel += self.tremor_depth * np.sin(_TWO_PI * self.tremor_hz * (t - self.start))
        return np.maximum(rel, self.floor)

    def __call__(self, t: np.ndarray) -> np.ndarray:
        """Activation, fraction of MVC, at times ``t`` (s)."""
        shape = _ramps(t, self.start, self.end, self.rise, self.fall)
        return self.level * shape * self.relative(t)


@dataclass(frozen=True, slots=True)
class Additive:
    """A signal added at the skin, µV, before the analogue front end.

    ``kind`` is ``wave`` (motion artefact or baseline wander: sinusoids at ``freqs_hz``
    with relative ``weights``), ``pop`` (step of ``amp_uv`` decaying with ``tau_s``) or
    ``mains`` (fundamental ``freqs_hz[0]`` and odd harmonics weighted by ``weights``).
    """

    channel: int
    start: float
    end: float
    kind: str
    amp_uv: float
    freqs_hz: tuple[float, ...] = ()
    weights: tuple[float, ...] = ()
    phases: tuple[float, ...] = ()
    tau_s: float = 0.2
    edge_s: float = 0.3

    def __call__(self, t: np.ndarray) -> np.ndarray:
        """Artefact in µV at times ``t`` (s), shape (n,)."""
        if self.kind == "pop":
            return np.where(
                t >= self.start, self.amp_uv * np.exp(-(t - self.start) / self.tau_s), 0
            )
        arg = _TWO_PI * np.outer(t, np.asarray(self.freqs_hz)) + np.asarray(self.phases)
        wave = np.sin(arg) @ np.asarray(self.weights)
        return self.amp_uv * wave * _ramps(t, self.start, self.end, self.edge_s, self.edge_s)


@dataclass(frozen=True, slots=True)
class LeadOff:
    """Electrode off the skin on ``channel`` during ``[start, end)``.

    ``mode`` is ``high`` or ``low`` (output at that rail) or ``float`` (mains of
    ``amp_uv`` at the skin, clipped by the rails).
    """

    channel: int
    start: float
    end: float
    mode: str
    amp_uv: float = 0.0


@dataclass(frozen=True, slots=True)
class FasciculationRate:
    """Extra fasciculation potentials on ``channel``: ``rate_hz`` per s in ``[start, end)``."""

    channel: int
    start: float
    end: float
    rate_hz: float


def muap(offsets: np.ndarray, width: np.ndarray) -> np.ndarray:
    """Biphasic MUAP (first-order Hermite-Rodriguez function) with unit peak.

    Parameters
    ----------
    offsets : ndarray
        Time from the potential's centre, s.
    width : ndarray
        Width parameter lambda, s (1-4 ms for surface potentials), broadcast with ``offsets``.
    """
    u = offsets / width
    return -u * np.exp(-(u**2)) / 0.42888194248035344
