"""Segment-by-segment rendering of a scene into samples, with carried filter state.

The sample clock is cut into fixed segments of :data:`SEGMENT` output samples. Segment
``k`` draws its random numbers from its own stream ``default_rng([seed, 1, k])`` and
carries filter states and motor-unit potential tails to segment ``k + 1``, so the output
is the same however a caller re-chunks it, and memory stays bounded.

Signal chain per channel (all in µV at the skin until the ADC):

1. interference EMG: two unit-RMS Gaussian streams shaped by the sEMG spectral model
   ``P(f) = f^2 fh^4 / ((f^2 + fl^2)(f^2 + fh^2)^2)`` (low and high mean frequency),
   amplitude-modulated by the summed activation power, times MVC;
2. discrete motor-unit potentials (motor-unit trains, fasciculations);
3. resting noise, residual mains, artefacts;
4. MyoWare front end: 1st-order high-pass 20.8 Hz and low-pass 498.4 Hz;
5. lead-off, rails, ADC (offset, noise, rounding, clipping) or ENV (rectify, 3.6 Hz
   1st-order low-pass, ADC).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from crampdetect.simulate.components import muap
from crampdetect.simulate.subject import Hardware, Subject, physical_digits

if TYPE_CHECKING:
    from crampdetect.simulate.builder import Scene

SEGMENT = 8192  #: output samples per internal segment
MUAP_PAD_S = 0.02  #: half-span of a rendered motor-unit potential, s
ENV_INTERNAL_MIN_HZ = 1000.0  #: ENV is derived from RAW simulated at least this fast


def _bilinear_sos(zeros: list[float], poles: list[float], gain: float, fs: float) -> np.ndarray:
    from scipy import signal

    z, p, k = signal.bilinear_zpk(np.array(zeros), np.array(poles), gain, fs)
    return signal.zpk2sos(z, p, k)


def _noise_gain(sos: np.ndarray, fs: float) -> float:
    """RMS of the filter's output for unit white noise."""
    from scipy import signal

    impulse = np.zeros(int(fs))
    impulse[0] = 1.0
    return float(np.sqrt(np.sum(signal.sosfilt(sos, impulse) ** 2)))


def front_end_sos(fs: float) -> np.ndarray:
    """MyoWare RAW band: 1st-order high-pass 20.8 Hz and low-pass 498.4 Hz (if below Nyquist)."""
    w_hp, w_lp = 2 * np.pi * 20.8, 2 * np.pi * 498.4
    hp = _bilinear_sos([0.0], [-w_hp], 1.0, fs)
    if 498.4 < 0.45 * fs:
        return np.vstack([hp, _bilinear_sos([], [-w_lp], w_lp, fs)])
    return hp


def emg_sos(scale: float, fs: float) -> np.ndarray:
    """sEMG spectral-model shaping filter, fl = 45 Hz x scale, fh = 90 Hz x scale."""
    wl, wh = 2 * np.pi * 45.0 * scale, 2 * np.pi * min(90.0 * scale, 0.4 * fs)
    return _bilinear_sos([0.0], [-wl, -wh, -wh], wh**2, fs)


class Renderer:
    """Produces the samples of one scene, segment after segment (sequential, stateful)."""

    def __init__(
        self, scene: Scene, subject: Subject, hardware: Hardware, fs: float, seed: int
    ) -> None:
        from scipy import signal

        self._sosfilt = signal.sosfilt
        self._lfilter = signal.lfilter
        self.scene, self.subject, self.hw, self.seed = scene, subject, hardware, seed
        self.fs = fs
        self.env = hardware.representation.signal == "env"
        self.decim = int(np.ceil(ENV_INTERNAL_MIN_HZ / fs)) if self.env else 1
        self.fsi = fs * self.decim
        self.n_ch = len(subject.mvc_uv)
        fe = front_end_sos(self.fsi)
        self.fe = fe
        self.rest_scale = 1.0 / _noise_gain(fe, self.fsi)
        self.streams: list[tuple[np.ndarray, float]] = []  # per (channel, L/H)
        for ch in range(self.n_ch):
            for factor in (0.85, 1.2):
                sos = emg_sos(subject.spectral_scale[ch] * factor, self.fsi)
                self.streams.append((sos, 1.0 / _noise_gain(np.vstack([sos, fe]), self.fsi)))
        self.zi = [np.zeros((s.shape[0], 2)) for s, _ in self.streams]
        self.zi_fe = [np.zeros((fe.shape[0], 2)) for _ in range(self.n_ch)]
        a = np.exp(-2 * np.pi * 3.6 / self.fsi)  # ENV 1st-order low-pass (matched pole)
        self.env_ba = (np.array([1.0 - a]), np.array([1.0, -a]))
        self.zi_env = [np.zeros(1) for _ in range(self.n_ch)]
        self.pad = int(np.ceil(MUAP_PAD_S * self.fsi))
        self.carry = np.zeros((self.n_ch, 2 * self.pad))
        self.mains_phase = np.random.default_rng([seed, 3]).uniform(0, 2 * np.pi, self.n_ch)
        self._index_components()
        self.next_segment = 0

    def _index_components(self) -> None:
        sc = self.scene
        self.acts = sorted(sc.activations, key=lambda c: c.start)
        self.act_start = np.array([c.start for c in self.acts])
        self.act_end = np.array([c.end for c in self.acts])
        mu_rng = np.random.default_rng([self.seed, 2])
        self.mu_params = [
            (
                mu_rng.uniform(0.75, 1.3, c.mu_count),  # rate factor
                mu_rng.uniform(0.5, 1.5, c.mu_count) * mu_rng.choice([-1, 1], c.mu_count),
                mu_rng.uniform(1.2e-3, 3.5e-3, c.mu_count),  # MUAP width, s
            )
            for c in self.acts
        ]
        self.adds = sc.additives
        self.add_start = np.array([c.start for c in self.adds])
        self.add_end = np.array([c.end + 10 * c.tau_s * (c.kind == "pop") for c in self.adds])

    def _overlapping(
        self, starts: np.ndarray, ends: np.ndarray, t0: float, t1: float
    ) -> np.ndarray:
        if starts.size == 0:
            return np.zeros(0, dtype=int)
        return np.flatnonzero((starts < t1) & (ends > t0))

    def render(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Render segment ``k`` (must be called for k = 0, 1, 2, ... in order).

        Returns
        -------
        index : ndarray of int64, shape (n,)
            Output sample-clock indices of the rows present (gaps removed).
        data : ndarray, shape (n_channels, n)
            Values in the output representation.
        """
        if k != self.next_segment:
            raise RuntimeError(f"segments must be rendered in order: expected {self.next_segment}")
        self.next_segment += 1
        n_out_total = round(self.scene.duration_s * self.fs)
        i0, i1 = k * SEGMENT, min((k + 1) * SEGMENT, n_out_total)
        n = (i1 - i0) * self.decim
        t = (i0 * self.decim + np.arange(n)) / self.fsi
        t0, t1 = float(t[0]), float(t[0] + n / self.fsi)
        rng = np.random.default_rng([self.seed, 1, k])
        skin = self._emg(rng, t, t0, t1)
        skin += self._spikes(rng, t0, n)
        x = np.empty_like(skin)
        for ch in range(self.n_ch):
            x[ch], self.zi_fe[ch] = self._sosfilt(self.fe, skin[ch], zi=self.zi_fe[ch])
        out = self._hardware(rng, x, t, t0, t1)
        index = np.arange(i0, i1, dtype=np.int64)
        keep = self.scene.present_mask(index, self.fs)
        return index[keep], out[:, keep]

    def _emg(self, rng: np.random.Generator, t: np.ndarray, t0: float, t1: float) -> np.ndarray:
        n = t.size
        power = np.zeros((self.n_ch, 2, n))
        for i in self._overlapping(self.act_start, self.act_end, t0, t1):
            c = self.acts[i]
            lo, hi = np.searchsorted(t, [c.start, c.end])
            a2 = c(t[lo:hi]) ** 2
            power[c.channel, 0, lo:hi] += a2 * (1.0 - c.spectral)
            power[c.channel, 1, lo:hi] += a2 * c.spectral
        skin = np.empty((self.n_ch, n))
        depth, period, phase = self.subject.rest_drift
        for ch in range(self.n_ch):
            acc = rng.standard_normal(n) * (self.subject.rest_uv[ch] * self.rest_scale)
            acc *= 1.0 + depth * np.sin(2 * np.pi * t / period + phase + ch)
            for j in range(2):
                s = 2 * ch + j
                sos, gain = self.streams[s]
                shaped, self.zi[s] = self._sosfilt(sos, rng.standard_normal(n), zi=self.zi[s])
                acc += shaped * (gain * self.subject.mvc_uv[ch]) * np.sqrt(power[ch, j])
            acc += self.subject.mains_uv * np.sin(
                2 * np.pi * self.subject.mains_hz * t + self.mains_phase[ch]
            )
            skin[ch] = acc
        for i in self._overlapping(self.add_start, self.add_end, t0, t1):
            c = self.adds[i]
            lo, hi = np.searchsorted(t, [c.start, self.add_end[i]])
            skin[c.channel, lo:hi] += c(t[lo:hi])
        return skin

    def _spikes(self, rng: np.random.Generator, t0: float, n: int) -> np.ndarray:
        """Motor-unit and fasciculation potentials owned by this segment, plus carried tails."""
        pad, fsi = self.pad, self.fsi
        own0, own1 = t0 + pad / fsi, t0 + (n + pad) / fsi
        times, amps, widths, chans = [], [], [], []
        for i in self._overlapping(self.act_start, self.act_end, own0, own1):
            c = self.acts[i]
            if c.mu_count == 0:
                continue
            a, b = max(own0, c.start), min(own1, c.end)
            rate_f, amp_f, width = self.mu_params[i]
            rate = c.mu_rate_hz * rate_f[:, None]
            shape = 1.0 / c.mu_cv**2
            n_draw = int((b - a) * c.mu_rate_hz * 2.0) + 4
            isi = rng.gamma(shape, 1.0 / (rate * shape), (c.mu_count, n_draw))
            first = rng.uniform(0, 1, (c.mu_count, 1)) * isi[:, :1]
            ts = a + first + np.cumsum(isi, axis=1) - isi[:, :1]
            doublet = rng.uniform(size=ts.shape) < (0.04 if c.mu_cv > 0.3 else 0.005)
            ts = np.concatenate([ts, np.where(doublet, ts + rng.uniform(3e-3, 10e-3), np.inf)], 1)
            keep = (ts < b) & (rng.uniform(size=ts.shape) * c.level < c(np.minimum(ts, c.end)))
            mu = np.broadcast_to(np.arange(c.mu_count)[:, None], ts.shape)[keep]
            times.append(ts[keep])
            amps.append(amp_f[mu] * c.mu_amp * c.level * self.subject.mvc_uv[c.channel])
            widths.append(width[mu])
            chans.append(np.full(mu.size, c.channel))
        for c in self.scene.fasciculations_in(own0, own1, self.n_ch, self.subject):
            a, b = max(own0, c.start), min(own1, c.end)
            if not b > a:  # an empty (or reversed) interval: nothing to draw
                continue
            count = rng.poisson(c.rate_hz * (b - a))
            times.append(rng.uniform(a, b, count))
            amps.append(rng.lognormal(np.log(80.0), 0.5, count) * rng.choice([-1, 1], count))
            widths.append(rng.uniform(1.5e-3, 4e-3, count))
            chans.append(np.full(count, c.channel))
        buf = np.zeros((self.n_ch, n + 2 * pad))
        buf[:, : 2 * pad] += self.carry
        if times and sum(len(x) for x in times):
            tt, aa, ww, cc = (np.concatenate(v) for v in (times, amps, widths, chans))
            centre = (tt - t0) * fsi
            base = np.floor(centre).astype(np.int64) - pad
            idx = base[:, None] + np.arange(2 * pad + 1)[None, :]
            wave = aa[:, None] * muap((idx - centre[:, None]) / fsi, ww[:, None])
            np.add.at(buf, (np.broadcast_to(cc[:, None], idx.shape), idx), wave)
        self.carry = buf[:, n:].copy()
        return buf[:, :n]

    def _hardware(
        self, rng: np.random.Generator, x: np.ndarray, t: np.ndarray, t0: float, t1: float
    ) -> np.ndarray:
        hw, rep = self.hw, self.hw.representation
        for c in self.scene.leadoffs_in(t0, t1):
            lo, hi = np.searchsorted(t, [c.start, c.end])
            if c.mode == "float":
                ph = 2 * np.pi * self.subject.mains_hz * t[lo:hi]
                x[c.channel, lo:hi] = c.amp_uv * (np.sin(ph) + 0.25 * np.sin(3 * ph + 0.7))
            else:
                x[c.channel, lo:hi] = (2.0 if c.mode == "high" else -2.0) * hw.rail_uv
        if rep.signal == "env":
            v = np.abs(np.clip(x, -hw.rail_uv, hw.rail_uv)) * (rep.gain * 1e-6 * hw.env_gain)
            b, a = self.env_ba
            for ch in range(self.n_ch):
                v[ch], self.zi_env[ch] = self._lfilter(b, a, v[ch], zi=self.zi_env[ch])
            v = v[:, :: self.decim]
            counts = hw.offset_counts + v / rep.adc_vref_v * (1 << (rep.adc_bits or 10))
        elif rep.units == "counts":
            counts = hw.offset_counts + x / rep.uv_per_unit
        else:  # 0.01 µV steps in the representation's units (mV, V: the same values scaled)
            x = np.clip(x, -hw.rail_uv, hw.rail_uv)
            if rep.units == "uV":
                return np.round(x, 2)
            return np.round(x / rep.uv_per_unit, physical_digits(rep))
        amp, period = hw.offset_drift
        t_out = t[:: self.decim]
        counts += amp * np.sin(2 * np.pi * t_out / period) + rng.normal(
            0.0, hw.adc_noise_lsb, counts.shape
        )
        return np.clip(np.round(counts), 0, rep.full_scale)
