"""(standslow, session 16) Training: each leg learns the level it stands at (the last
``learned_stand_s`` of frames at which both legs stood, above ``off_ratio`` x the rest floor
and under ``stand_ref_ceiling`` x the activity reference); the slow and held paths do not
alert while the leg stands under ``learned_stand_rise`` x that level. Standing held past
``slow_min_s`` beside a leg of low gain (which the stand test does not count as standing) is
no cramp; a contraction far above the leg's standing still alerts."""

from __future__ import annotations

import pytest
from synth import add_burst, cramp_events, scene

from crampdetect.core import InputError, Representation
from crampdetect.detect.settings import profile_settings

FS = 500.0
CHANNELS = ("left", "right")
REP = Representation("raw", "uV")
LONG = (80.0, 105.0)  # the long standing spell


def _spells(cramp_uv: float = 0.0):
    """130 s: rest, movements of both legs (the activity reference, 400 µV), four standing
    spells (the left leg at 80 µV, the right one, of low gain, at 6 µV), the last 25 s long;
    with ``cramp_uv`` an 18-s contraction of the left leg from 110 s."""
    t, x, rng = scene(fs=FS, duration_s=130.0, n_channels=2, seed=3, rest_uv=2.0)
    for ch in (0, 1):
        for b in (4.0, 10.0, 16.0):
            add_burst(x, t, FS, rng, ch, b + ch, b + ch + 1.0, 400.0)
    for a, b in ((25.0, 33.0), (40.0, 48.0), (55.0, 63.0), LONG):
        add_burst(x, t, FS, rng, 0, a, b, 80.0, ramp_s=0.5)
        add_burst(x, t, FS, rng, 1, a, b, 6.0, ramp_s=0.5)
    if cramp_uv:
        add_burst(x, t, FS, rng, 0, 110.0, 128.0, cramp_uv, ramp_s=1.0)
    return x


def test_standing_held_past_the_slow_path_at_its_learned_level_is_no_cramp():
    x = _spells()
    assert cramp_events(x, FS, CHANNELS, REP, "training") == []
    # without the rule the long spell alerts on the slow path
    main = cramp_events(x, FS, CHANNELS, REP, "training", learned_stand_s=0.0)
    assert [(e.channel, e.detail["path"]) for e in main] == [("left", "slow")]
    assert LONG[0] < main[0].alert_s < LONG[1]


def test_a_contraction_far_above_standing_still_alerts_whatever_the_cuts():
    x = _spells(300.0)
    cramps = cramp_events(x, FS, CHANNELS, REP, "training")
    assert [(e.channel, e.detail["path"]) for e in cramps] == [("left", "slow")]
    assert 110.0 < cramps[0].alert_s < 121.0
    main = cramp_events(x, FS, CHANNELS, REP, "training", learned_stand_s=0.0)
    assert [e.alert_s for e in main][-1] == cramps[0].alert_s
    for cuts in ([7, 16_000, 41_111, 44_000, 52_501], list(range(0, x.shape[1], 250))):
        cut = cramp_events(x, FS, CHANNELS, REP, "training", cuts)
        assert [(e.alert_s, e.onset_s) for e in cut] == [(e.alert_s, e.onset_s) for e in cramps]


def test_learned_stand_settings_are_checked_and_off_at_night():
    assert profile_settings("night").learned_stand_s == 0
    assert profile_settings("training").learned_stand_s > 0
    with pytest.raises(InputError):
        profile_settings("training").replace(learned_stand_rise=0.5)
    with pytest.raises(InputError):
        profile_settings("training").replace(learned_stand_s=-1.0)
