"""Tiny synthetic-EMG helpers for unit tests of the core (independent of the simulator)."""

from __future__ import annotations

import numpy as np
from scipy import signal


def emg_noise(n: int, fs: float, rng: np.random.Generator) -> np.ndarray:
    """Unit-RMS band-limited noise with a surface-EMG-like spectrum (30-250 Hz)."""
    sos = signal.butter(4, [30, min(250, 0.45 * fs)], "bandpass", fs=fs, output="sos")
    x = signal.sosfilt(sos, rng.normal(size=n + 2000))[2000:]
    return x / x.std()


def slow_modulation(n: int, fs: float, rng: np.random.Generator, depth: float, rate_hz: float):
    """Positive random modulation (log-normal), knots every 1/rate_hz s, mean ~1."""
    knots = rng.normal(size=int(n / fs * rate_hz) + 3)
    t = np.arange(n) / fs * rate_hz
    return np.exp(depth * np.interp(t, np.arange(knots.size), knots))


def scene(
    fs: float = 1000.0,
    duration_s: float = 60.0,
    rest_uv: float = 5.0,
    seed: int = 0,
    n_channels: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.random.Generator]:
    """Resting EMG (µV) shaped (n_channels, n) and the time axis."""
    rng = np.random.default_rng(seed)
    n = int(duration_s * fs)
    t = np.arange(n) / fs
    x = np.stack([rest_uv * emg_noise(n, fs, rng) for _ in range(n_channels)])
    return t, x, rng


def add_burst(x, t, fs, rng, ch, start, stop, amp_uv, ramp_s=0.3, irregular=0.0):
    """Add activity on channel ``ch`` from start to stop s (trapezoid, optional wax/wane)."""
    m = (t >= start) & (t < stop)
    n = int(m.sum())
    env = np.minimum(1.0, np.minimum(t[m] - start, stop - t[m]) / ramp_s)
    if irregular:
        env = env * slow_modulation(n, fs, rng, irregular, 2.5)
    x[ch, m] += amp_uv * env * emg_noise(n, fs, rng)
    return x


def write_csv(path, t, x, channels=None, fmt="%.2f") -> None:
    channels = channels or [f"ch{i}" for i in range(x.shape[0])]
    with open(path, "w") as f:
        f.write("time_s," + ",".join(channels) + "\n")
        np.savetxt(f, np.column_stack([t, x.T]), fmt=["%.4f"] + [fmt] * x.shape[0], delimiter=",")


def night_counts(fs: float = 500.0, seed: int = 7) -> np.ndarray:
    """40 s of two 10-bit ADC channels: a cramp, a leg movement, a pop, mains hum, lead-off."""
    t, x, rng = scene(fs=fs, duration_s=40.0, n_channels=2, seed=seed)
    add_burst(x, t, fs, rng, 0, 6.0, 30.0, 250.0, ramp_s=1.0, irregular=0.5)
    add_burst(x, t, fs, rng, 1, 12.0, 13.5, 300.0)  # a leg movement
    x[1, int(30 * fs) : int(30 * fs) + 3] += 3000.0  # an electrode pop
    x += 30 * np.sin(2 * np.pi * 50 * t)  # mains
    counts = np.round(512 + x / (5.0 / 1024 / 200 * 1e6)).clip(0, 1023)
    counts[0, int(34 * fs) : int(35.2 * fs)] = 1023  # stuck at the rail: lead-off
    return counts


def cramp_events(x, fs, channels, rep, profile, cuts=(), **changes) -> list:
    """Cramp events of a pipeline streaming ``x`` (n_channels, n; µV or counts as ``rep``) at
    ``fs`` Hz in blocks cut at the sample indices ``cuts``, with the settings of ``profile``
    changed by ``changes``."""
    import itertools

    from crampdetect.core import Block
    from crampdetect.detect.settings import profile_settings
    from crampdetect.pipeline import Pipeline
    from crampdetect.pipeline.offline import Collector

    s = profile_settings(profile).replace(**changes)
    pipe = Pipeline(fs, channels, rep, profile, settings=s)
    col = Collector()
    for a, b in itertools.pairwise(sorted({0, *cuts, x.shape[1]})):
        col.add(pipe.push(Block(x[:, a:b], fs, a, a / fs, 0, channels)))
    col.add(pipe.finish())
    return [e for e in col.result()[0] if e.kind == "cramp"]


def assert_cut_invariant(x, fs, channels, rep, profile, steps_s=(0.37, 2.9), **changes) -> None:
    """Assert that ``x`` (n_channels, n) gives cramp events, and the same ones (channel, onset s,
    alert s) fed in blocks of each of ``steps_s`` (s) as in one block."""

    def events(cuts):
        found = cramp_events(x, fs, channels, rep, profile, cuts, **changes)
        return [(e.channel, e.onset_s, e.alert_s) for e in found]

    whole = events(())
    assert whole
    for step_s in steps_s:
        assert events(list(range(0, x.shape[1], int(step_s * fs)))) == whole


def envelope_alerts(
    fast: np.ndarray,
    hop_s: float,
    base: np.ndarray,
    ref,
    cuts=(),
    profile: str = "training",
    watch: tuple[int, ...] = (),
    **changes: float,
) -> list[tuple[int, int, str]]:
    """(channel, alert frame, path) of the cramp alerts (each event once: it is emitted again as
    it ends) for 100 ms envelopes ``fast`` (2, n) in µV at ``hop_s`` s per frame, fed to the
    detector directly in blocks cut at ``cuts`` (frames), with resting baselines ``base`` (2, 1)
    and activity references ``ref`` (a number or (2, 1)) in µV; the channels in ``watch`` are in
    a recurrence watch throughout."""
    import itertools

    from crampdetect.detect.cramp import CrampDetector
    from crampdetect.detect.settings import profile_settings

    n = fast.shape[1]
    level = np.stack([np.convolve(f, np.ones(5) / 5, mode="same") for f in fast])
    # the paths are under test, not the confidence gate: synthetic envelopes are rated low
    settings = profile_settings(profile).replace(**{"min_confidence": 0.0, **changes})
    det = CrampDetector(2, hop_s, settings)
    for c in watch:
        det.watch_recurrence(c, n + 1)
    ref = np.broadcast_to(np.asarray(ref, dtype=float), (2, 1))
    out = []
    for a, b in itertools.pairwise(sorted({0, *cuts, n})):
        m = b - a
        zeros = np.zeros((2, m), dtype=bool)
        out += det.update(
            a, fast[:, a:b], level[:, a:b], base * np.ones(m), zeros, zeros, ref * np.ones(m)
        )
    first = {e.id: e for e in reversed(out) if e.kind == "cramp"}
    return sorted((e.channel, e.alert_frame, e.detail["path"]) for e in first.values())


def detection_result(events: list[dict], duration_s: float, channels: tuple[str, ...]) -> dict:
    """A `detect --json` result of a 1 kHz µV recording of ``duration_s`` s with ``events``,
    for tests that score events without running the detector."""
    return {
        "input": {
            "duration_s": duration_s,
            "channels": list(channels),
            "signal": "raw",
            "units": "uV",
            "adc_bits": None,
            "sample_rate_hz": 1000.0,
        },
        "events": events,
        "quality": [],
    }


def cramp_event(channel: str, alert_s: float, end_s: float | None, path: str = "fast") -> dict:
    """One cramp event of a `detect --json` result, alerted at ``alert_s`` s (onset 3 s before,
    confidence 0.9), ended at ``end_s`` s (None: still open), for scoring tests."""
    return {
        "channel": channel,
        "kind": "cramp",
        "onset_s": alert_s - 3.0,
        "alert_s": alert_s,
        "end_s": end_s,
        "confidence": 0.9,
        "detail": {"path": path},
    }


def night_cramps_uv(x, fs: float, block: int) -> list[tuple[str, float, float, str]]:
    """Cramps (channel, onset s, alert s, path) of ``x`` (n_channels, n; µV raw EMG) scored
    under the night profile in blocks of ``block`` samples."""
    from conftest import detect_array

    from crampdetect.core import Representation

    events = detect_array(x, fs, Representation("raw", "uV", None), "night", block=block)[0]
    return [
        (e.channel, e.onset_s, e.alert_s, e.detail["path"]) for e in events if e.kind == "cramp"
    ]


def assert_one_cramp_within(x, fs: float, blocks, rise_s: float, within_s: float = 10.0) -> None:
    """Assert one night cramp, on ``ch0``, from no earlier than 1 s before ``rise_s`` (s) and
    alerted within ``within_s`` of it, the same event at every block size of ``blocks``."""
    whole = night_cramps_uv(x, fs, blocks[0])
    assert [e[0] for e in whole] == ["ch0"]
    assert rise_s - 1.0 <= whole[0][1] and whole[0][2] <= rise_s + within_s
    for block in blocks[1:]:
        assert night_cramps_uv(x, fs, block) == whole
