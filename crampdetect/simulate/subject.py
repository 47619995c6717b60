"""Per-recording subject and hardware parameters, drawn once from the scene seed.

Ranges follow ``../shared/design/domain.md``: resting surface EMG of 1-10 µV RMS,
maximal voluntary contraction (MVC) of 0.3-3 mV RMS at the skin, mean frequency of
roughly 60-120 Hz (§1.4), MyoWare 2.0 RAW gain 200 centred at VCC/2 and a 3.6 Hz ENV
low-pass (§3.4).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crampdetect.core import InputError, Representation


@dataclass(frozen=True, slots=True)
class Subject:
    """Physiological parameters of one wearer, one entry per channel where they differ.

    Parameters
    ----------
    mvc_uv : tuple of float
        RMS of surface EMG at maximal voluntary contraction, µV, per channel.
    rest_uv : tuple of float
        RMS of the resting signal (electrode and amplifier noise), µV, per channel.
    spectral_scale : tuple of float
        Scale of the sEMG spectral model per channel: 1.0 gives a mean frequency of
        about 90 Hz, 0.8-1.2 spans about 72-108 Hz.
    mains_hz : float
        Mains frequency, 50 or 60 Hz.
    mains_uv : float
        Amplitude of the always-present residual mains pickup, µV (5-50 % of the rest RMS).
    fasciculation_hz : float
        Background rate of fasciculation potentials per channel at rest, events/s.
    rest_drift : tuple of float
        Slow change of the resting noise with electrode impedance over hours: relative
        depth, period in s, phase in rad.
    """

    mvc_uv: tuple[float, ...]
    rest_uv: tuple[float, ...]
    spectral_scale: tuple[float, ...]
    mains_hz: float
    mains_uv: float
    fasciculation_hz: float
    rest_drift: tuple[float, float, float] = (0.0, 3600.0, 0.0)

    @classmethod
    def draw(cls, rng: np.random.Generator, n_channels: int) -> Subject:
        """Draw a subject: MVC log-uniform in 0.3-3 mV, rest noise log-uniform in 1-10 µV."""
        mvc = float(np.exp(rng.uniform(np.log(300.0), np.log(3000.0))))
        rest = float(np.exp(rng.uniform(np.log(1.0), np.log(10.0))))
        scale = float(rng.uniform(0.8, 1.2))
        return cls(
            mvc_uv=tuple(mvc * rng.uniform(0.8, 1.2, n_channels)),
            rest_uv=tuple(rest * rng.uniform(0.8, 1.25, n_channels)),
            spectral_scale=tuple(scale * rng.uniform(0.95, 1.05, n_channels)),
            mains_hz=float(rng.choice([50.0, 60.0])),
            mains_uv=float(rest * rng.uniform(0.05, 0.5)),  # residual, below the rest noise
            fasciculation_hz=float(rng.uniform(0.0, 0.05)),
            rest_drift=(
                float(rng.uniform(0.05, 0.3)),
                loguniform(rng, 1800.0, 14400.0),
                float(rng.uniform(0, 2 * np.pi)),
            ),
        )


@dataclass(frozen=True, slots=True)
class Hardware:
    """Analogue front end and ADC that turn skin µV into the output representation.

    Parameters
    ----------
    representation : Representation
        Output representation (raw µV, raw counts, ENV counts).
    rail_uv : float
        Skin-referred amplifier rail: the MyoWare output swings 0..VCC around VCC/2 with a
        gain of 200, so ±VCC/2/200 (12.5 mV at 5 V, 8.25 mV at 3.3 V).
    offset_counts : float
        Resting output code (mid-scale plus a board-specific offset for raw; a few counts
        above zero for ENV).
    adc_noise_lsb : float
        Standard deviation of ADC noise, LSB.
    env_gain : float
        ENV volts per rectified-RAW volt (the MyoWare gain potentiometer).
    offset_drift : tuple of float
        Slow drift of the resting code (reference and temperature): amplitude in counts,
        period in s.
    """

    representation: Representation
    rail_uv: float
    offset_counts: float
    adc_noise_lsb: float
    env_gain: float
    offset_drift: tuple[float, float] = (0.0, 3600.0)

    @classmethod
    def draw(
        cls, rng: np.random.Generator, representation: Representation, mvc_uv: float
    ) -> Hardware:
        """Draw board parameters; ``mvc_uv`` sets the ENV gain so MVC sits at 25-130 % of scale."""
        rep = representation
        vref = rep.adc_vref_v if rep.units == "counts" else 5.0
        rail_uv = vref / 2.0 / rep.gain * 1e6
        offset = 0.0
        noise = 0.0
        env_gain = 1.0
        if rep.units == "counts":
            full = float(rep.full_scale or 1023)
            noise = float(rng.uniform(0.6, 2.0))
            if rep.signal == "raw":
                offset = (full + 1) / 2.0 + rng.uniform(-0.04, 0.04) * full
            else:
                offset = rng.uniform(0.003, 0.02) * full
        if rep.signal == "env":
            target = rng.uniform(0.25, 1.3) * vref  # ENV volts at MVC (may saturate)
            env_gain = target / (0.8 * mvc_uv * 1e-6 * rep.gain)
        drift = (float(rng.uniform(0.0, 3.0)), loguniform(rng, 600.0, 7200.0))
        return cls(rep, rail_uv, float(offset), noise, float(env_gain), drift)


def loguniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    """A log-uniform draw in ``[lo, hi)``."""
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))


def parse_representation(signal: str, units: str, adc_bits: int | None) -> Representation:
    """Build and check a representation the simulator can produce.

    Raises
    ------
    InputError
        For ENV in physical units (the MyoWare ENV output is only ever digitised).
    """
    if signal == "env" and units != "counts":
        raise InputError("The ENV signal is only simulated in ADC counts: use --units counts")
    if units == "counts" and adc_bits is None:
        adc_bits = 10
    if units != "counts":
        adc_bits = None
    if units not in ("uV", "mV", "V", "counts"):
        raise InputError(
            f"Invalid units {units!r} for simulation: must be 'uV', 'mV', 'V' or 'counts'"
        )
    if adc_bits is not None and adc_bits not in (10, 12):
        raise InputError(
            f"Invalid adc_bits {adc_bits}: the simulator models 10 (Uno) or 12 (ESP32)"
        )
    return Representation(signal, units, adc_bits)


def physical_digits(rep: Representation) -> int:
    """Decimals that keep the simulator's 0.01 µV steps in ``rep``'s physical units (2 for µV,
    5 for mV, 8 for V)."""
    return 2 + round(float(np.log10(rep.uv_per_unit)))
