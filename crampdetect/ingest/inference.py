"""Infer how a recording's samples are expressed (raw or envelope, µV or ADC counts, bits)."""

from __future__ import annotations

import numpy as np

from crampdetect.core import Representation


def infer_representation(
    sample: np.ndarray,
    signal: str | None = None,
    units: str | None = None,
    adc_bits: int | None = None,
    fs: float | None = None,
) -> tuple[Representation, list[str]]:
    """Guess the representation of ``sample`` (n_channels, n); given values win.

    Rules: integral values within 0-4095 and never negative are ADC counts (10 bits if they
    stay within 0-1023, else 12; beyond 4095, 16), anything else is µV. Counts centred
    near mid-scale are raw EMG; counts resting near the bottom of the range are the MyoWare
    ENV output. Physical values with a negative share are raw EMG, never-negative ones an
    envelope. Below 200 Hz (``fs``) it can only be an envelope: raw EMG needs its 20-450 Hz band.

    Returns
    -------
    representation : Representation
    inferred : list of str
        Names of the fields that were inferred rather than given.
    """
    x = np.asarray(sample, dtype=float)
    inferred: list[str] = []
    finite = x[np.isfinite(x)]
    if finite.size == 0:
        finite = np.zeros(1)
    integral = bool(np.all(finite == np.round(finite)))
    lo, hi = float(finite.min()), float(finite.max())
    if units is None:
        units = "counts" if integral and lo >= 0 and hi <= 65535 else "uV"
        inferred.append("units")
    if units == "counts" and adc_bits is None:
        adc_bits = 10 if hi <= 1023 else 12 if hi <= 4095 else 16
        inferred.append("adc_bits")
    if units != "counts":
        adc_bits = None
    if signal is None:
        if fs is not None and fs < 200.0:
            signal = "env"
        elif units == "counts":
            full = (1 << int(adc_bits or 10)) - 1
            centre = float(np.median(finite)) / full
            signal = "raw" if 0.25 <= centre <= 0.75 else "env"
        else:
            signal = "raw" if np.mean(finite < 0) > 0.05 else "env"
        inferred.append("signal")
    return Representation(signal=signal, units=units, adc_bits=adc_bits), inferred
