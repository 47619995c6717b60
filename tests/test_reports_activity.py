"""Athlete activity classifier: synthetic sessions and a real treadmill-walking recording,
classified from the detection pipeline's envelope frames as live monitoring classifies them."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SHIPPED_REAL

from crampdetect.core import Block, Representation
from crampdetect.pipeline import Pipeline
from crampdetect.reports.activity import ActivityTimeline, classify, segments

FS = 1000.0
GAIT = SHIPPED_REAL / "gait-13muscles-santuz" / "ID0012_TW_01_raw_emg.csv"


def emg(amplitude_uv: np.ndarray, seed: int) -> np.ndarray:
    """Raw EMG-like noise whose RMS follows ``amplitude_uv`` (sampled at FS)."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal(amplitude_uv.size) * amplitude_uv


def bursts(t: np.ndarray, stride_hz: float, peak_uv: float, duty: float = 0.35) -> np.ndarray:
    phase = (t * stride_hz) % 1.0
    return np.where(phase < duty, peak_uv * np.sin(np.pi * phase / duty), 0.0) + 4.0


def session(seed: int = 0) -> tuple[np.ndarray, list[tuple[float, float, str]]]:
    parts = [
        ("rest", lambda t: np.full_like(t, 4.0)),
        ("standing", lambda t: np.full_like(t, 18.0)),
        ("walking", lambda t: bursts(t, 0.95, 220.0)),
        ("running", lambda t: bursts(t, 1.45, 380.0, duty=0.3)),
        ("hold", lambda t: np.full_like(t, 160.0)),
        ("rest", lambda t: np.full_like(t, 4.0)),
    ]
    amp, truth, t0 = [], [], 0.0
    for name, make in parts:
        t = np.arange(int(40 * FS)) / FS
        amp.append(make(t))
        truth.append((t0, t0 + 40.0, name))
        t0 += 40.0
    return emg(np.concatenate(amp), seed)[None, :], truth


def timeline(x: np.ndarray, fs: float = FS, block_s: float = 10.0) -> ActivityTimeline:
    """The timeline of µV samples ``x`` streamed through the pipeline in ``block_s`` blocks."""
    channels = tuple(f"leg{i}" for i in range(x.shape[0]))
    pipe = Pipeline(fs, channels, Representation(), "training")
    tl = ActivityTimeline(channels, pipe.hop_s, pipe.representation)
    step = round(block_s * fs)
    for a in range(0, x.shape[1], step):
        tl.feed(pipe.push(Block(x[:, a : a + step], fs, a, a / fs, 0, channels)), pipe)
    return tl


def envelope_frames(x: np.ndarray, fs: float = FS) -> tuple[np.ndarray, float]:
    """The pipeline's envelope frames of ``x`` (µV) and their rate in Hz."""
    channels = tuple(f"leg{i}" for i in range(x.shape[0]))
    pipe = Pipeline(fs, channels, Representation(), "training")
    out = pipe.push(Block(x, fs, 0, 0.0, 0, channels))
    return out.envelope_uv, 1.0 / pipe.hop_s


@pytest.mark.parametrize("seed", [0, 1])
def test_synthetic_session_is_labelled(seed):
    x, truth = session(seed)
    runs = timeline(x).runs("training", {"leg0": (5.0, 400.0)})
    assert runs[0][1] == 0.0 and runs[-1][2] == pytest.approx(240.0, abs=0.1)
    for a, b, name in truth:
        # Away from the transitions (one window either side), the label is right.
        inner = [r for r in runs if r[1] < b - 6.0 and r[2] > a + 6.0]
        covered = sum(min(r[2], b - 6) - max(r[1], a + 6) for r in inner if r[3] == name)
        assert covered >= 0.9 * (b - a - 12.0), (name, inner)


def test_the_timeline_labels_its_frames_as_classify_does():
    """One rule set: the streaming timeline's windows are :func:`classify`'s of its frames."""
    x, _ = session(2)
    env, rate = envelope_frames(x)
    labels = classify(env, 5.0, 400.0, rate_hz=rate)
    expected = segments(labels, ("leg0",), hop_s=40 / rate, window_s=120 / rate)
    got = timeline(x, block_s=0.37).runs("training", {"leg0": (5.0, 400.0)})
    assert [r[3] for r in got] == [r[3] for r in expected]
    assert np.allclose([r[1:3] for r in got], [r[1:3] for r in expected], atol=1e-6)


def test_levels_follow_the_calibration():
    """The same signal is a hold for a weak calf and standing for a strong one."""
    x = emg(np.full(int(30 * FS), 40.0), seed=3)[None, :]
    tl = timeline(x)
    assert {r[3] for r in tl.runs("training", {"leg0": (1.5, 120.0)})} == {"hold"}
    assert {r[3] for r in tl.runs("training", {"leg0": (8.0, 1500.0)})} == {"standing"}


def test_short_input_gives_no_windows():
    x = emg(np.full(2000, 10.0), 0)[None, :]
    env, rate = envelope_frames(x)
    assert classify(env, rate_hz=rate).shape == (1, 0)
    assert segments(classify(env, rate_hz=rate), ("left",)) == []
    assert timeline(x).runs() == []


def test_real_treadmill_walking_calf_muscles_are_walking():
    table = np.loadtxt(GAIT, delimiter=",", skiprows=1)
    header = GAIT.read_text().splitlines()[0].split(",")
    calf = [header.index(m) for m in ("GM", "GL", "SO")]
    data = table[:, calf].T  # µV per PROVENANCE.md
    env, rate = envelope_frames(data)
    labels = classify(env, window_s=6.0, hop_s=1.0, rate_hz=rate)
    assert labels.shape[0] == 3 and labels.shape[1] >= 1
    assert (labels == "walking").all()


def test_simulated_gait_session_agrees_with_its_labels(tmp_path):
    """Walking and running from the simulator's labelled gait scenario (uncalibrated)."""
    import json

    from crampdetect.cli import main
    from crampdetect.reports.activity import activity_from_file

    csv = tmp_path / "gait.csv"
    assert main(["simulate", "gait", "--seed", "7", "--out", str(csv)]) == 0
    labels = json.loads((tmp_path / "gait.labels.json").read_text())
    runs = activity_from_file(csv)
    n_s = int(labels["duration_s"])
    for ch in labels["channels"]:
        pred = np.full(n_s, "", dtype="<U8")
        for leg, a, b, what in runs:
            if leg == ch:
                pred[int(a) : int(b)] = what
        for kind in ("walking", "running"):
            truth = np.zeros(n_s, dtype=bool)
            for i in labels["intervals"]:
                if (
                    i["channel"] == ch
                    and i["kind"] == "gait"
                    and i["running"] == (kind == "running")
                ):
                    truth[int(np.ceil(i["start_s"])) : int(i["end_s"])] = True
            assert truth.sum() > 60, "the scenario should contain some of each"
            assert (pred[truth] == kind).mean() >= 0.9, (ch, kind)
