"""Training profile decisions (issue 10, part `train`): the recurrence watch after a cramp
does not shorten the slow path below the length of a voluntary hold (``slow_min_s``)."""

from __future__ import annotations

import numpy as np
import pytest
from synth import add_burst, scene

from crampdetect.core import Block, InputError, Representation
from crampdetect.detect.settings import profile_settings
from crampdetect.pipeline import Pipeline
from crampdetect.pipeline.offline import Collector

FS = 500.0
CHANNELS = ("left", "right")
HOLD_S = (70.0, 79.0)


def _cramp_then_hold(seed: int):
    """A 30 s waxing-and-waning cramp on the left, rest, then a steady 9 s one-legged hold on
    the same leg 30 s after it (within the recurrence watch)."""
    t, x, rng = scene(fs=FS, duration_s=95.0, n_channels=2, seed=seed)
    add_burst(x, t, FS, rng, 0, 10.0, 40.0, 250.0, ramp_s=0.5, irregular=0.5)
    add_burst(x, t, FS, rng, 0, *HOLD_S, 200.0, ramp_s=0.4)
    return x


def _cramps(x, **changes: float) -> list:
    settings = profile_settings("training").replace(**changes)
    pipe = Pipeline(FS, CHANNELS, Representation("raw", "uV"), "training", settings=settings)
    col = Collector()
    col.add(pipe.push(Block(x, FS, 0, 0.0, 0, CHANNELS)))
    col.add(pipe.finish())
    return [e for e in col.result()[0] if e.kind == "cramp"]


@pytest.mark.parametrize("seed", [0, 1])
def test_a_hold_after_a_cramp_is_not_alerted_by_the_shortened_slow_path(seed):
    x = _cramp_then_hold(seed)
    shortened = _cramps(x, slow_min_s=0.0)
    assert len(shortened) == 2 and shortened[0].alert_s < 40.0
    assert shortened[1].detail["recurrence"] and HOLD_S[0] < shortened[1].alert_s < HOLD_S[1]
    floored = _cramps(x)
    assert [e.alert_s for e in floored] == [shortened[0].alert_s]


def test_slow_min_s_is_checked():
    with pytest.raises(InputError):
        profile_settings("training").replace(slow_min_s=-1.0)
    assert profile_settings("night").slow_min_s == 0.0


HOP_S = 0.05


def _dipping_run(depth: float, **changes: float) -> list:
    """Detector alerts for a 12 s one-legged activation (30x rest) whose 100 ms envelope falls
    to ``depth`` x its level for 0.2 s every 0.8 s (repetition-like dips that never relax it
    to rest), after 5 s of rest; the detector is fed envelopes directly (µV, rest 1 µV)."""
    from crampdetect.detect.cramp import CrampDetector

    n, start = round(20.0 / HOP_S), round(5.0 / HOP_S)
    fast = np.ones((2, n))
    k = np.arange(n - start)
    fast[0, start:] = np.where(k % 16 < 4, 30.0 * depth, 30.0)
    fast[0, start + round(12.0 / HOP_S) :] = 1.0
    level = np.stack([np.convolve(f, np.ones(5) / 5, mode="same") for f in fast])
    det = CrampDetector(2, HOP_S, profile_settings("training").replace(**changes))
    zeros = np.zeros((2, n), dtype=bool)
    return det.update(0, fast, level, np.ones((2, n)), zeros, zeros, np.full((2, n), 40.0))


def test_fast_path_needs_dips_shallower_than_fast_dip():
    assert profile_settings("training").fast_dip > 0.3
    # Dips to 0.3 of the level (~0.35 of the window mean): irregular, above `dip`, never a
    # relaxation; only fast_dip keeps the fast path from alerting them.
    unchecked = _dipping_run(0.3, fast_dip=0.0)
    assert [e.detail["path"] for e in unchecked][:1] == ["fast"]
    assert unchecked[0].alert_frame * HOP_S < 5.0 + 4.0
    assert all(e.detail["path"] != "fast" for e in _dipping_run(0.3))


def test_fast_dip_and_settle_run_s_are_checked():
    for name in ("fast_dip", "settle_run_s"):
        with pytest.raises(InputError):
            profile_settings("training").replace(**{name: -1.0})
    assert profile_settings("night").fast_dip == 0.0
    assert profile_settings("night").settle_run_s == 0.0
