"""The settle path (training with ``settle_s`` 2.5 s; off by default): after gait stops, a
contraction that stays up without the stride rhythm and without a dip, on one leg, alerts
within ~3 s; standing on both legs after running does not; the result does not depend on
block sizes."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from synth import add_burst, scene

from crampdetect.core import Block, InputError, Representation
from crampdetect.detect.settings import profile_settings
from crampdetect.pipeline import Pipeline
from crampdetect.pipeline.offline import Collector

FS = 500.0
CHANNELS = ("left", "right")
REP = Representation("raw", "uV")
STOP_S = 35.0


def _after_running(
    seed: int, left_uv: float, right_uv: float, stride_s: float = 0.7, running: bool = True
):
    """60 s: rest, running (0.35 s calf bursts, legs alternating) from 5 s to STOP_S over a
    standing tone, then from STOP_S a contraction of ``left_uv``/``right_uv`` on each leg."""
    t, x, rng = scene(fs=FS, duration_s=60.0, n_channels=2, seed=seed)
    for ch in range(2):
        add_burst(x, t, FS, rng, ch, 5.0, 60.0, 30.0, ramp_s=1.0)
        for b in np.arange(5.0 + ch * stride_s / 2, STOP_S - 0.4, stride_s) if running else []:
            add_burst(x, t, FS, rng, ch, b, b + 0.35, 500.0, ramp_s=0.1)
    for ch, amp in enumerate((left_uv, right_uv)):
        if amp:
            add_burst(x, t, FS, rng, ch, STOP_S, 58.0, amp, ramp_s=0.3, irregular=0.3)
    return x


def _run(x: np.ndarray, cuts: list[int], **changes: float) -> tuple:
    settings = profile_settings("training").replace(**{"settle_s": 2.5, **changes})
    pipe = Pipeline(FS, CHANNELS, REP, "training", settings=settings)
    col = Collector()
    for a, b in itertools.pairwise(sorted({0, *cuts, x.shape[1]})):
        col.add(pipe.push(Block(x[:, a:b], FS, a, a / FS, 0, CHANNELS)))
    col.add(pipe.finish())
    return col.result()


def _cramps(result: tuple) -> list:
    return [e for e in result[0] if e.kind == "cramp"]


def test_one_legged_contraction_after_running_alerts_on_the_settle_path():
    cramps = _cramps(_run(_after_running(0, 90.0, 0.0), []))
    assert [e.channel for e in cramps] == ["left"]
    assert cramps[0].detail["path"] == "settle"
    assert STOP_S + 2.0 <= cramps[0].alert_s <= STOP_S + 4.0


def test_without_the_path_the_same_contraction_alerts_late_or_not_at_all():
    cramps = _cramps(_run(_after_running(0, 90.0, 0.0), [], settle_s=0.0))
    assert all(e.alert_s > STOP_S + 4.0 for e in cramps)


def test_standing_on_both_legs_after_running_does_not_alert_early():
    cramps = _cramps(_run(_after_running(1, 90.0, 90.0), []))
    assert all(e.detail["path"] != "settle" for e in cramps)


def test_a_contraction_without_gait_before_is_not_the_settle_path():
    cramps = _cramps(_run(_after_running(2, 90.0, 0.0, running=False), []))
    assert all(e.detail["path"] != "settle" for e in cramps)


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 3), st.lists(st.floats(0.0, 1.0), max_size=20))
def test_settle_alerts_do_not_depend_on_block_sizes(seed, fractions):
    x = _after_running(seed, 90.0, 0.0)
    cuts = [round(f * x.shape[1]) for f in fractions]
    assert _run(x, cuts) == _run(x, [])


def test_settle_settings_are_checked():
    base = profile_settings("training")
    for bad in (
        {"settle_s": -1.0},
        {"settle_rhythm": 3.0},
        {"settle_s": 10.0, "settle_gait_s": 20.0},
    ):
        with pytest.raises(InputError):
            base.replace(**bad)
    assert base.settle_s == 0.0  # off by default (benchmarks/detection.md, 2026-12-05)
