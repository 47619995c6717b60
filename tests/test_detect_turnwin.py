"""A cramp beside a leg that had long been as active before it (session 16, parts nightmiss
and turnwin): the other leg did not turn over with this one (``turn_other_rise``, judged
against its median over the ``turn_rest_s`` before the run)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import detect_array
from synth import add_burst, scene

from crampdetect.core import Representation
from crampdetect.detect.settings import profile_settings

UV = Representation("raw", "uV", None)
ONSET = 80.0


def _restless_beside_a_cramp(seed: int) -> tuple[np.ndarray, float]:
    """The left leg active in bursts (~5x its rest, brief pauses) from 20 s on; the right leg
    at rest until a strong cramp at ``ONSET``."""
    fs = 500.0
    t, x, rng = scene(fs=fs, duration_s=90.0, n_channels=2, seed=seed, rest_uv=5.0)
    a = 20.0
    while a < 90.0:
        d = rng.uniform(0.5, 2.0)
        add_burst(x, t, fs, rng, 0, a, a + d, 25.0, ramp_s=0.1)
        a += d + rng.uniform(0.2, 0.5)
    add_burst(x, t, fs, rng, 1, ONSET, 90.0, 400.0, ramp_s=0.5, irregular=0.4)
    return x, fs


def _alerts(x, fs, block=2000, **changes) -> list[float]:
    s = profile_settings("night").replace(**changes)
    events = detect_array(x, fs, UV, "night", block=block, settings=s)[0]
    return sorted(e.alert_s for e in events if e.kind == "cramp" and e.channel == "ch1")


@pytest.mark.parametrize("seed", [1])
def test_a_leg_long_active_before_the_run_does_not_hold_the_early_paths(seed):
    """With ``turn_other_rise`` the right leg's cramp takes the early path at ``fast_s``
    (at any block size); without it the left leg counts as turning over and the cramp
    waits."""
    x, fs = _restless_beside_a_cramp(seed)
    got = [_alerts(x, fs, block) for block in (7, 2000, 100_000)]
    assert all(g == got[0] for g in got)
    assert got[0] and ONSET + 3.5 <= got[0][0] <= ONSET + 5.5
    late = _alerts(x, fs, turn_other_rise=0.0)
    assert not late or late[0] > ONSET + 6.0
