"""Filter design without importing ``scipy.signal`` (its import costs ~0.8 s of CPU at start-up).

The chain needs a handful of coefficients: a Butterworth band-pass and 50/60 Hz notches as
second-order sections, the steady-state initial conditions of a cascade, and the cascade itself.
The designs follow scipy.signal's algorithms step for step (``butter`` -> ``buttap``,
``lp2bp_zpk``, ``bilinear_zpk``, ``zpk2sos`` with nearest pairing; ``iirnotch``; ``sosfilt_zi``),
and ``tests/test_filters_design.py`` checks them against scipy. Streaming uses scipy's compiled
``_sosfilt`` kernel, loaded on its own; if that private module ever moves, :func:`sosfilt`
falls back to ``scipy.signal.sosfilt``.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np

SosKernel = Callable[[np.ndarray, np.ndarray, np.ndarray], None]


def butter_bandpass_sos(order: int, low_hz: float, high_hz: float, fs: float) -> np.ndarray:
    """Digital Butterworth band-pass, shape (order, 6) second-order sections.

    Parameters
    ----------
    order : int
        Order of the low-pass prototype (the band-pass has ``2 * order`` poles).
    low_hz, high_hz : float
        Band edges in Hz, ``0 < low_hz < high_hz < fs / 2``.
    fs : float
        Sample rate in Hz.
    """
    wn = np.array([low_hz, high_hz], dtype=float) / (fs / 2)
    warped = 2 * 2.0 * np.tan(np.pi * wn / 2.0)  # pre-warp for a bilinear transform at fs = 2
    bw = warped[1] - warped[0]
    wo = math.sqrt(warped[0] * warped[1])
    m = np.arange(-order + 1, order, 2, dtype=float)
    p = (-np.exp(1j * np.pi * m / (2 * order))) * bw / 2  # analog prototype, scaled
    root = np.sqrt(p**2 - wo**2)
    p_bp = np.concatenate((p + root, p - root))
    k_bp = bw**order
    fs2 = 4.0
    z_z = np.concatenate(((fs2 + np.zeros(order)) / (fs2 - np.zeros(order)), -np.ones(order)))
    p_z = (fs2 + p_bp) / (fs2 - p_bp)
    k_z = k_bp * np.real(np.prod(fs2 - np.zeros(order)) / np.prod(fs2 - p_bp))
    return _zpk2sos_pairs(z_z, p_z, k_z)


def notch_sos(f0_hz: float, q: float, fs: float) -> np.ndarray:
    """Second-order IIR notch at ``f0_hz`` (Hz) with quality factor ``q``, shape (1, 6).

    Same response as ``scipy.signal.tf2sos(*scipy.signal.iirnotch(f0_hz, q, fs=fs))``.
    """
    w0 = 2 * float(f0_hz) / fs
    if not 0.0 < w0 < 1.0:
        raise ValueError("notch frequency must lie between 0 and fs / 2")
    bw = w0 / float(q) * np.pi
    w0 = w0 * np.pi
    gain = 1.0 / (1.0 + math.tan(bw / 2.0))
    b = gain * np.array([1.0, -2.0 * math.cos(w0), 1.0])
    a = np.array([1.0, -2.0 * gain * math.cos(w0), 2.0 * gain - 1.0])
    # tf2sos goes through zeros and poles; do the same so sections match scipy's to rounding.
    k = b[0]
    z = np.roots(b / k)
    p = np.roots(a)
    return _zpk2sos_pairs(z, p, k)


def _zpk2sos_pairs(z: np.ndarray, p: np.ndarray, k: float) -> np.ndarray:
    """``zpk2sos`` (nearest pairing) for poles that come in complex-conjugate pairs."""
    zc, zr = _split(z)
    pc, pr = _split(p)
    if pr.size:
        raise ValueError("only complex-conjugate pole pairs are supported")
    zeros = np.concatenate((zc, zr))
    poles = pc
    sos = np.zeros((poles.size, 6))
    for si in range(poles.size - 1, -1, -1):
        i = int(np.argmin(np.abs(1 - np.abs(poles))))  # pole closest to the unit circle last
        p1 = poles[i]
        poles = np.delete(poles, i)
        z1_i = int(np.argsort(np.abs(zeros - p1))[0])
        z1 = zeros[z1_i]
        zeros = np.delete(zeros, z1_i)
        if np.iscomplex(z1):
            pair = [z1, z1.conj()]
        else:
            order = np.argsort(np.abs(zeros - p1))
            real = order[np.isreal(zeros[order])]
            z2_i = int(real[0])
            pair = [z1, zeros[z2_i]]
            zeros = np.delete(zeros, z2_i)
        sos[si, :3] = np.real(np.poly(pair))
        sos[si, 3:] = np.real(np.poly([p1, p1.conj()]))
    sos[0, :3] *= k
    return sos


def _split(z: np.ndarray, tol: float = 100 * np.finfo(float).eps) -> tuple[np.ndarray, np.ndarray]:
    """Complex values with positive imaginary part (pairs averaged) and real values, sorted."""
    z = np.asarray(z, dtype=complex)
    z = z[np.lexsort((abs(z.imag), z.real))]
    real = abs(z.imag) <= tol * abs(z)
    zr = z[real].real
    zc = z[~real]
    zp = zc[zc.imag > 0]
    zn = zc[zc.imag < 0]
    if zp.size != zn.size:
        raise ValueError("complex values without conjugates")
    zp = zp[np.lexsort((abs(zp.imag), zp.real))]
    zn = zn[np.lexsort((abs(zn.imag), zn.real))]
    return (zp + zn.conj()) / 2, zr


def sosfilt_zi(sos: np.ndarray) -> np.ndarray:
    """Initial conditions (n_sections, 2) for a step response in steady state (unit input)."""
    sos = np.asarray(sos, dtype=float)
    zi = np.empty((sos.shape[0], 2))
    scale = 1.0
    for i, (b, a) in enumerate(zip(sos[:, :3], sos[:, 3:], strict=True)):
        b = b / a[0]
        a = a / a[0]
        i_minus_a = np.array([[1.0 + a[1], -1.0], [a[2], 1.0]])
        zi[i] = scale * np.linalg.solve(i_minus_a, b[1:] - a[1:] * b[0])
        scale *= b.sum() / a.sum()
    return zi


def sosfilt(sos: np.ndarray, x: np.ndarray, zi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Filter ``x`` (n_channels, n) along its last axis; ``zi`` is (n_sections, n_channels, 2).

    Returns the filtered signal and the final state, like ``scipy.signal.sosfilt(..., zi=zi)``.
    """
    y = np.array(x, dtype=float, order="C")
    state = np.ascontiguousarray(np.moveaxis(zi, 0, -2), dtype=float)  # (n_ch, n_sec, 2)
    sosfilt_inplace(np.ascontiguousarray(sos, dtype=float), y, state)
    return y, np.moveaxis(state, -2, 0)


def sosfilt_inplace(sos: np.ndarray, y: np.ndarray, state: np.ndarray) -> None:
    """Filter ``y`` (n_channels, n) in place, carrying ``state`` (n_channels, n_sections, 2).

    All three arrays must be C-contiguous float64; ``state`` is updated in place. This is
    :func:`sosfilt` without the per-call layout changes, for streaming small blocks.
    """
    kernel = _kernel()
    if kernel is None:
        from scipy import signal  # lazy: only if the compiled kernel cannot be loaded alone

        y[...], zf = signal.sosfilt(sos, y, axis=-1, zi=np.moveaxis(state, -2, 0))
        state[...] = np.moveaxis(zf, 0, -2)
        return
    kernel(sos, y, state)


_KERNEL: list[SosKernel | None] = []


def _kernel() -> SosKernel | None:
    """scipy's compiled ``_sosfilt`` loaded without running ``scipy.signal/__init__``."""
    if not _KERNEL:
        _KERNEL.append(_load_kernel())
    return _KERNEL[0]


def _load_kernel() -> SosKernel | None:
    try:
        import scipy

        folder = Path(scipy.__file__).parent / "signal"
        path = next(iter(sorted(folder.glob("_sosfilt.*"))), None)
        if path is None:
            return None
        spec = importlib.util.spec_from_file_location("scipy.signal._sosfilt", path)
        if spec is None or spec.loader is None:
            return None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module._sosfilt
    except (ImportError, OSError, AttributeError, StopIteration):
        return None
