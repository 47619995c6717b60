"""nightwatch (session 17): an alert the recurrence watch's shortened slow path raised is named
``slow``, not after the quiet or fast path that also matched its frame; at night that slow path
waits ``slow_s`` x ``watch_slow_scale`` (0.85: 7.65 s, past the early paths' ``moved_fast_s``)
instead of x ``recurrence_scale`` (0.75: 6.75 s) (benchmarks/detection.md, session 17, part
nightwatch)."""

from __future__ import annotations

import pytest
from conftest import detect_array
from synth import add_burst, scene

from crampdetect.core import Representation
from crampdetect.detect.settings import profile_settings

FS = 1000.0
UV = Representation("raw", "uV")


def _scene(seed: int, length_s: float):
    # A cramp, then 40 s after it a flat contraction of the same leg at the same level: the
    # quiet path waits (the cramp is a movement within quiet_s), the watch's slow path may not.
    t, x, rng = scene(duration_s=160.0, seed=seed)
    add_burst(x, t, FS, rng, 0, 20.0, 60.0, 300.0, ramp_s=1.0, irregular=0.5)
    add_burst(x, t, FS, rng, 0, 100.0, 100.0 + length_s, 300.0, ramp_s=0.2)
    return x


def _events(x, block: int, **changes: float):
    settings = profile_settings("night").replace(**changes)
    return detect_array(x, FS, UV, "night", block=block, settings=settings)[0]


@pytest.mark.parametrize(("seed", "block"), [(0, 3000), (1, 40000)])
def test_a_flat_recurrence_taken_by_the_watchs_slow_path_is_named_slow(seed, block):
    s = profile_settings("night")
    assert s.watch_slow_scale == 0.85 and s.recurrence_scale == 0.75
    for scale, wait in ((0.85, 7.65), (0.0, 6.75)):  # 0: recurrence_scale
        first, second = _events(_scene(seed, 30.0), block, watch_slow_scale=scale)
        assert not first.detail["recurrence"] and first.detail["path"] == "quiet"
        assert second.detail["recurrence"] and second.detail["path"] == "slow"  # was quiet
        assert abs(second.alert_s - 100.0 - wait) <= 0.25


@pytest.mark.parametrize(("seed", "block"), [(0, 1000), (1, 40000)])
def test_a_flat_leg_movement_after_a_cramp_outlasting_the_old_watch_wait_is_not_alerted(
    seed, block
):
    # 7.3 s: past 6.75 s (slow_s x recurrence_scale), short of 7.65 s
    x = _scene(seed, 7.3)
    assert len(_events(x, block)) == 1
    (_, movement) = _events(x, block, watch_slow_scale=0.0)
    assert abs(movement.alert_s - 106.75) <= 0.25
