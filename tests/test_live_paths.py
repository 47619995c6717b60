"""The live path's shortcuts (one frame per update, session 13 part speed) give what the general
path gives: the same events, quality intervals and envelopes, the same hysteresis."""

from __future__ import annotations

import numpy as np
import pytest
from synth import night_counts

from crampdetect.core import Block, Representation
from crampdetect.detect.cramp import CrampDetector
from crampdetect.detect.settings import profile_settings
from crampdetect.pipeline import Pipeline
from crampdetect.pipeline.offline import Collector

FS = 500.0
COUNTS = night_counts(FS)  # a cramp, a leg movement, a pop, mains hum (found), a lead-off
REP = Representation("raw", "counts", 10)


def _run(profile: str, block: int):
    pipe = Pipeline(FS, ("left", "right"), REP, profile)
    col, env = Collector(), []
    for a in range(0, COUNTS.shape[1], block):
        out = pipe.push(Block(COUNTS[:, a : a + block], FS, a, a / FS, 0, ("left", "right")))
        col.add(out)
        if out.envelope_uv is not None:
            env.append(out.envelope_uv)
    col.add(pipe.finish())
    events, quality = col.result()
    return events, quality, np.concatenate(env, axis=1)


@pytest.mark.parametrize("profile", ["night", "training"])
def test_live_blocks_give_what_one_block_gives(profile):
    # 20 ms blocks: every update brings one 50 ms frame (cramp holds, mains figures held
    # frame after frame, clipping, a pop); one block: every frame at once.
    live, whole = _run(profile, 10), _run(profile, COUNTS.shape[1])
    assert live[0] == whole[0] and live[1] == whole[1]
    assert np.array_equal(live[2], whole[2])
    if profile == "night":
        assert any(e.kind == "cramp" for e in live[0])
        assert {q.issue for q in live[1]} >= {"lead_off", "pop"}


def test_one_frame_hysteresis_is_the_general_one():
    rng = np.random.default_rng(3)
    s = profile_settings("night")
    n = 400
    ratio = rng.choice([0.0, 1.0, s.off_ratio, 3.0, s.on_ratio, 6.0, np.nan], size=(3, n))
    blocked = rng.random((3, n)) < 0.1
    whole = CrampDetector(3, 0.05, s)._hysteresis(ratio, blocked)
    one = CrampDetector(3, 0.05, s)
    frames = [one._hysteresis(ratio[:, k : k + 1], blocked[:, k : k + 1]) for k in range(n)]
    assert np.array_equal(np.concatenate(frames, axis=1), whole)
    assert whole.any() and not whole.all()
