"""(vetoes, session 25) Training: where no standing was remembered before the run (the session
opened by sitting: both legs never stood), another leg that stands up at standing's level
(``stand_ref_ceiling`` x its activity reference or under) beside a contraction whose level over
its reference is ``1 / stand_beside_strength`` x its own or more (and over
``stand_ref_ceiling`` of its own reference) does not make that
contraction bilateral for the slow path (after-effort included): a cramp right after a hold,
the other leg stood up beside it, is alerted on the after-effort path within 10 s; a
contraction of both legs at comparable levels after the hold stays silent."""

from __future__ import annotations

import numpy as np
from synth import add_burst, cramp_events, scene

from crampdetect.core import Representation
from crampdetect.detect.settings import profile_settings

FS = 1000.0
CHANNELS = ("left", "right")
REP = Representation("raw", "uV")
HOLD_END_S = 75.0  # past the first minute (own_effort_s)
ONSET_S = HOLD_END_S + 1.5
CUTS = (2000, 137, 20)  # samples per block


def _session(other_uv: float, other_irregular: float = 0.1, second_s: float = 25.0):
    """Sitting: rest but for movements of both legs early on (the activity references, 300
    µV), a steady 8-s hold of the right leg ending at HOLD_END_S, then 1.5 s of rest and a
    contraction of the right leg waxing and waning at 200 µV for ``second_s``, the left leg
    rising with it to ``other_uv``."""
    t, x, rng = scene(fs=FS, duration_s=ONSET_S + second_s + 10.0, n_channels=2, seed=5)
    for ch in (0, 1):
        for b in (4.0, 10.0, 16.0):
            add_burst(x, t, FS, rng, ch, b + ch, b + ch + 1.0, 300.0)
    add_burst(x, t, FS, rng, 1, HOLD_END_S - 8.0, HOLD_END_S, 200.0, ramp_s=0.5)
    end = ONSET_S + second_s
    add_burst(x, t, FS, rng, 1, ONSET_S, end, 200.0, ramp_s=1.0, irregular=0.25)
    add_burst(x, t, FS, rng, 0, ONSET_S, end, other_uv, ramp_s=1.0, irregular=other_irregular)
    return x


def _alerts(x, block: int | None = None, **changes) -> list[tuple[str, float]]:
    cuts = () if block is None else list(range(0, x.shape[1], block))
    return [
        (e.channel, round(e.alert_s, 3))
        for e in cramp_events(x, FS, CHANNELS, REP, "training", cuts, **changes)
    ]


def test_a_cramp_beside_a_leg_that_stood_up_is_alerted_within_10_s():
    x = _session(60.0)
    whole = _alerts(x)
    assert [c for c, _ in whole] == ["right"]
    assert whole[0][1] <= ONSET_S + 10.0
    for block in CUTS:
        assert _alerts(x, block) == whole
    # without the rule the standing leg makes it bilateral: nothing within 10 s
    off = _alerts(x, stand_beside_strength=0.0)
    assert all(t > ONSET_S + 10.0 for _, t in off)


def test_both_legs_contracting_alike_after_a_hold_stay_silent():
    x = _session(150.0, 0.0, second_s=8.0)
    for block in (None, *CUTS):
        assert _alerts(x, block) == []


def test_off_at_night_and_bounded():
    assert profile_settings("night").stand_beside_strength == 0.0
    assert profile_settings("training").stand_beside_strength > 0.0
    import pytest

    from crampdetect.core import InputError

    with pytest.raises(InputError):
        profile_settings("training").replace(stand_beside_strength=-1.0)
    assert np.isfinite(profile_settings("training").stand_beside_strength)
