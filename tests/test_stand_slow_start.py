"""(trainstand, session 23) Training: in the first minute of a stream the slow path's stand test
reads each leg's activity reference raised to ``stand_slow_share`` of the other leg's over rest
(as ``stand_effort_share`` does for the after-effort path's stand test). A leg that has only stood
beside the other leg's hold has its own sway for a reference, never reads as standing against it,
and was alerted on the slow path ~10 s into its standing: ``crampdetect simulate hold --seed 2
--signal env --rate 200`` (right leg, 23.0 s, confidence 0.55, an event to the end of the demo).
A cramp raises its own leg's reference within a second or two, so it is still alerted."""

from __future__ import annotations

import numpy as np
import pytest
from synth import add_burst, scene

from crampdetect.core import Representation
from crampdetect.detect.settings import profile_settings
from crampdetect.simulate import simulate

CHANNELS = ("calf_left", "calf_right")
FIRST_S = 60.0
#: Block cuts of the streams below, in samples (the 20-sample blocks as a live board at 1 kHz).
STEPS = (2000, 137, 20)


def _cuts(n: int, step: int) -> list[int]:
    return list(range(step, n, step))


def _events(x, fs, rep, cuts=(), **changes) -> list:
    """Cramp events of the training profile for ``rep``'s signal (ENV ratios on ENV input),
    with ``x`` streamed in blocks cut at the sample indices ``cuts``."""
    import itertools

    from crampdetect.core import Block
    from crampdetect.pipeline import Pipeline
    from crampdetect.pipeline.offline import Collector

    s = profile_settings("training", rep.signal).replace(**changes)
    pipe = Pipeline(fs, CHANNELS, rep, "training", settings=s)
    col = Collector()
    for a, b in itertools.pairwise(sorted({0, *cuts, x.shape[1]})):
        col.add(pipe.push(Block(x[:, a:b], fs, a, a / fs, 0, CHANNELS)))
    col.add(pipe.finish())
    return [e for e in col.result()[0] if e.kind == "cramp"]


def _demo_hold() -> tuple[np.ndarray, float, Representation]:
    """The first FIRST_S of ``simulate hold --seed 2 --signal env --rate 200``."""
    fs, rep = 200.0, Representation("env", "counts", 10)
    _, x = next(simulate("hold", seed=2, fs=fs, representation=rep).iter_chunks(FIRST_S))
    return x, fs, rep


def test_standing_beside_a_first_minute_hold_is_not_alerted():
    x, fs, rep = _demo_hold()
    assert profile_settings("training", "env").stand_slow_share > 0
    # without the rule: the standing right leg is alerted on the slow path
    found = _events(x, fs, rep, stand_slow_share=0.0)
    assert [(e.channel, e.detail["path"]) for e in found] == [("calf_right", "slow")]
    for step in (x.shape[1], *STEPS):
        assert _events(x, fs, rep, _cuts(x.shape[1], step)) == []


def _stand_then_cramp(seed: int = 3) -> np.ndarray:
    """Rest, both legs standing low from 4 s, a hold of the left leg at 8-12 s, then a steady
    cramp of the right leg from 20 s, at 60 % of the left hold's level (raw µV, 1 kHz)."""
    fs = 1000.0
    t, x, rng = scene(fs=fs, duration_s=45.0, rest_uv=4.0, seed=seed, n_channels=2)
    for ch in (0, 1):
        add_burst(x, t, fs, rng, ch, 4.0, 45.0, 40.0, ramp_s=0.5, irregular=0.15)
    add_burst(x, t, fs, rng, 0, 8.0, 12.0, 600.0, ramp_s=0.5)
    add_burst(x, t, fs, rng, 1, 20.0, 45.0, 360.0, ramp_s=1.0, irregular=0.2)
    return x


@pytest.mark.parametrize("seed", [3])
def test_a_first_minute_cramp_beside_standing_is_still_alerted(seed):
    x = _stand_then_cramp(seed)
    rep = Representation("raw", "uV")
    for step in (x.shape[1], *STEPS):
        found = _events(x, 1000.0, rep, _cuts(x.shape[1], step))
        assert [e.channel for e in found] == ["calf_right"]
        assert 20.0 < found[0].alert_s <= 30.0


def test_the_rule_is_off_at_night():
    assert profile_settings("night").stand_slow_share == 0.0
