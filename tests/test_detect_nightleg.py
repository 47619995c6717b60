"""nightleg (session 16): on the quiet path a flat plateau reached at once waits until it has
outlasted a leg movement during sleep (0.5-10 s), ``quiet_flat_s``; a cramp that builds up
does not wait."""

from __future__ import annotations

import pytest
from conftest import detect_array
from synth import add_burst, scene

from crampdetect.core import Representation
from crampdetect.detect.settings import profile_settings

FS = 1000.0
UV = Representation("raw", "uV")


def _night(x, block=2000, **changes):
    settings = profile_settings("night").replace(**changes)
    return detect_array(x, FS, UV, "night", block=block, settings=settings)[0]


def _cramps(events):
    return [e for e in events if e.kind == "cramp"]


@pytest.mark.parametrize("seed", range(2))
def test_a_flat_leg_movement_of_eight_seconds_is_not_a_cramp(seed):
    # Minutes of rest, then one leg jumps to a level and holds it flat for 8 s: past
    # moved_fast_s (7 s) the quiet path alerted it; with quiet_flat_s it has ended first.
    t, x, rng = scene(duration_s=150.0, seed=seed)
    add_burst(x, t, FS, rng, 0, 100.0, 108.0, 300.0, ramp_s=0.1)
    (was,) = _cramps(_night(x, quiet_flat_s=0.0))
    assert 6.5 <= was.alert_s - 100.0 <= 8.0
    s = profile_settings("night")
    assert s.quiet_flat_s >= 8.5
    for block in (137, 2000, 40000):
        assert _cramps(_night(x, block=block)) == []


@pytest.mark.parametrize("seed", range(2))
def test_a_flat_contraction_that_outlasts_a_leg_movement_is_alerted_within_ten_seconds(seed):
    t, x, rng = scene(duration_s=150.0, seed=seed)
    add_burst(x, t, FS, rng, 0, 100.0, 140.0, 300.0, ramp_s=0.1)
    s = profile_settings("night")
    for block in (137, 2000, 40000):
        (e,) = _cramps(_night(x, block=block))
        assert s.quiet_flat_s - 0.5 <= e.alert_s - 100.0 <= 10.0


@pytest.mark.parametrize("seed", range(2))
def test_a_cramp_that_builds_up_does_not_wait(seed):
    # A contraction reaching its level over 2 s is no leg movement reached at once: the quiet
    # path takes it as before (moved_fast_s at the latest).
    t, x, rng = scene(duration_s=150.0, seed=seed)
    add_burst(x, t, FS, rng, 0, 100.0, 140.0, 300.0, ramp_s=2.0)
    (e,) = _cramps(_night(x))
    (was,) = _cramps(_night(x, quiet_flat_s=0.0))
    assert e.alert_s == pytest.approx(was.alert_s)
    assert e.alert_s - 100.0 <= 7.5
