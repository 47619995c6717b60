"""Causal IIR filtering in second-order sections with carried state (scipy's sos + zi contract)."""

from __future__ import annotations

import numpy as np

from crampdetect.core import InputError
from crampdetect.filters.design import butter_bandpass_sos, sosfilt_inplace, sosfilt_zi


def bandpass_sos(
    fs: float, low_hz: float = 20.0, high_hz: float = 450.0, order: int = 2
) -> np.ndarray:
    """Butterworth band-pass as second-order sections, the upper edge clamped below Nyquist.

    Parameters
    ----------
    fs : float
        Sample rate in Hz.
    low_hz, high_hz : float
        Pass band edges in Hz (SENIAM: 20-450 Hz). ``high_hz`` is clamped to 0.45 * fs.
    order : int
        Butterworth order of each edge (the band-pass has ``order`` sections).
    """
    high = min(high_hz, 0.45 * fs)
    if not 0 < low_hz < high:
        raise InputError(
            f"Sample rate {fs:g} Hz is too low for a {low_hz:g}-{high_hz:g} Hz EMG band-pass"
        )
    return butter_bandpass_sos(order, low_hz, high, fs)


class SosFilter:
    """Stream a filter given as second-order sections over blocks shaped (n_channels, n_samples).

    The state starts at rest (zeros) plus, with ``settle=True``, the steady state for the first
    sample value so that a DC offset (ADC mid-scale) does not ring through a high-pass.

    >>> import numpy as np
    >>> f = SosFilter(bandpass_sos(1000.0), n_channels=1)
    >>> x = np.random.default_rng(0).normal(size=(1, 300))
    >>> np.allclose(np.hstack([f.process(x[:, :7]), f.process(x[:, 7:])]),
    ...             SosFilter(bandpass_sos(1000.0), 1).process(x))
    True
    """

    def __init__(self, sos: np.ndarray, n_channels: int, settle: bool = True) -> None:
        self.sos = np.ascontiguousarray(sos, dtype=float)
        self.n_channels = n_channels
        self.settle = settle
        self.reset()

    def reset(self) -> None:
        self._state: np.ndarray | None = None  # (n_channels, n_sections, 2)

    def process(self, x: np.ndarray) -> np.ndarray:
        """Filter one block; returns a new array of the same shape."""
        if x.shape[-1] == 0:
            return np.zeros_like(x, dtype=float)
        if self._state is None:
            state = np.zeros((self.n_channels, self.sos.shape[0], 2))
            if self.settle:
                state[...] = sosfilt_zi(self.sos)[None, :, :] * x[:, None, :1]
            self._state = state
        y = np.array(x, dtype=float, order="C")
        sosfilt_inplace(self.sos, y, self._state)
        return y
