"""The settle path (training profile, ``settle_s`` 2.5 s): after gait stops, a
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
from crampdetect.features.context import settled_after_gait
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
    # The scenes are a minute long: the path's first-minute closure (``settle_start_s``,
    # tests/test_start_effort.py) is not what these tests are about.
    base = {"settle_s": 2.5, "settle_start_s": 0.0}
    settings = profile_settings("training").replace(**{**base, **changes})
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
    assert base.settle_s > 0 and profile_settings("night").settle_s == 0.0  # training only


# -- train: the refinements (gait over on every leg, no relaxation, gait ended a few s before) --


def _running_then(seed: int, delay_s: float, run_on: bool = False, tonic_uv: float = 30.0):
    """Running as in ``_after_running``; a one-legged contraction (90 µV, waxing and waning)
    on the left from ``delay_s`` after the stop, or (``run_on``) running that goes on to the
    end with a ``tonic_uv`` tone under the left leg's strides instead."""
    t, x, rng = scene(fs=FS, duration_s=60.0, n_channels=2, seed=seed)
    stop = 60.0 if run_on else STOP_S
    for ch in range(2):
        add_burst(x, t, FS, rng, ch, 5.0, 60.0, tonic_uv if ch == 0 else 30.0, ramp_s=1.0)
        for b in np.arange(5.0 + ch * 0.35, stop - 0.4, 0.7):
            add_burst(x, t, FS, rng, ch, b, b + 0.35, 500.0, ramp_s=0.1)
    if not run_on:
        add_burst(x, t, FS, rng, 0, STOP_S + delay_s, 58.0, 90.0, ramp_s=0.3, irregular=0.3)
    return x


#: The training profile's refinements, spelled out so the tests do not hang on its defaults.
REFINED = {"settle_after_s": 4.0, "settle_rhythm_now": 0.7, "settle_relax": 0.35}


def test_a_cramp_seconds_after_the_stop_alerts_when_the_gait_may_have_ended_before():
    x = _running_then(0, 3.0)
    late = _cramps(_run(x, [], **REFINED))
    assert [e.detail["path"] for e in late] == ["settle"]
    assert STOP_S + 3.0 + 2.0 <= late[0].alert_s <= STOP_S + 3.0 + 4.0
    # Looking for the gait right before the contraction only, the stop 3 s earlier is missed.
    assert all(e.detail["path"] != "settle" for e in _cramps(_run(x, [], settle_after_s=0.0)))


def _envelope(stride_s: float, pause_s: float, rng: np.random.Generator) -> np.ndarray:
    """100 ms envelope (µV, one channel, 50 ms frames): 12 s of strides (0.35 s bursts of
    500 µV over 30 µV), ``pause_s`` of standing, then 6 s of a waxing-and-waning 150 µV
    contraction. ``stride_s`` 0: the strides go on to the end instead."""
    hop = 0.05
    t = np.arange(0.0, 12.0 + pause_s + 6.0, hop)
    x = 30.0 + rng.uniform(0, 5, t.size)
    end = t[-1] + 1 if stride_s == 0 else 12.0
    strides = (t < end) & ((t % 0.7) < 0.35)
    x[strides] = 500.0
    if stride_s:
        x[t >= 12.0 + pause_s] = 150.0 * np.exp(
            0.3 * rng.standard_normal((t >= 12.0 + pause_s).sum())
        )
    return x[None, :]


def test_the_stride_rhythm_is_found_before_and_its_end_is_seen():
    rng = np.random.default_rng(0)
    lags = np.arange(10, 27)  # 0.5-1.3 s at 50 ms frames
    recent, gait = 50, 120
    # Right after the stop: rhythm before, none in the contraction since, and no deep dip.
    before, now, lowest, median = settled_after_gait(
        _envelope(0.7, 0.0, rng), 1, recent, gait, lags
    )
    assert before[0, 0] >= 1.0 and now[0, 0] < 1.0
    assert lowest[0, 0] >= 0.3 * median[0, 0]
    # Running on: the rhythm is still there now, and the troughs fall far below the median.
    before, now, lowest, median = settled_after_gait(
        _envelope(0.0, 0.0, rng), 1, recent, gait, lags
    )
    assert now[0, 0] >= 1.0 and lowest[0, 0] < 0.3 * median[0, 0]
    # Stopped 4 s before the contraction: found only when the gait may have ended earlier.
    x = _envelope(0.7, 4.0, rng)[:, : round((12.0 + 4.0 + 2.5) / 0.05)]
    assert settled_after_gait(x, 1, recent, gait, lags)[0][0, 0] < 1.0
    assert settled_after_gait(x, 1, recent, gait, lags, after=90)[0][0, 0] >= 1.0


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 3), st.lists(st.floats(0.0, 1.0), max_size=20))
def test_refined_settle_alerts_do_not_depend_on_block_sizes(seed, fractions):
    x = _running_then(seed, 2.0)
    cuts = [round(f * x.shape[1]) for f in fractions]
    assert _run(x, cuts, **REFINED) == _run(x, [], **REFINED)
