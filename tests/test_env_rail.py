"""The ENV rail test (envrail): jumps to the top that stay pinned vs contractions that wane."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from crampdetect.detect.env_rail import WANE_FRACTION, EnvRise

FULL = 1023


def _frames(levels):
    """Frames (2 channels: the levels and rest) of constant-ish level: mean, lowest, highest."""
    mean = np.array([levels, [10.0] * len(levels)], dtype=float)
    return mean, np.clip(mean - 5, 0, FULL), np.clip(mean + 5, 0, FULL)


def _jumped(levels):
    mean, lo, hi = _frames(levels)
    out = EnvRise(2, 0.05, FULL, 0.5).jumped(mean, lo, hi)
    assert not out[1].any()
    return out[0]


def test_a_jump_that_stays_pinned_is_a_lead_off_throughout():
    out = _jumped([10, 10, 1023, 1023, 1023, 1023, 1023, 1023])
    assert out.tolist() == [False, False] + [True] * 6


def test_a_jump_that_wanes_and_comes_back_is_a_contraction_from_its_return():
    dip = WANE_FRACTION * FULL - 60  # a dip below the wane level, still high
    levels = [10, 10, 1023, 1023, dip, 1023, 1023, 1023, 10, 10, 10]
    out = _jumped(levels)
    assert out.tolist() == [False, False, True, True, True] + [False] * 6


def test_a_shallow_ripple_or_a_fall_to_rest_is_no_wane():
    ripple = WANE_FRACTION * FULL + 40  # mains ripple of a floating input: above the level
    assert _jumped([10, 1023, 1023, ripple, 1023, 1023])[-2:].all()
    # A fall below the high level between two tops (a stride, a lead-off ending and
    # starting again) is no wane: the second jump is still a lead-off.
    assert _jumped([10, 1023, 1023, 300, 1023, 1023])[-2:].all()
    # A new jump after rest is judged anew: an earlier wane does not carry over.
    dip = WANE_FRACTION * FULL - 60
    out = _jumped([10, 1023, dip, 1023, 10, 10, 1023, 1023])
    assert not out[3] and out[-2:].all()


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from([10.0, 150.0, 600.0, 850.0, 1000.0, 1023.0]), min_size=5, max_size=60),
    st.lists(st.integers(1, 7), min_size=1, max_size=20),
)
def test_the_result_does_not_depend_on_how_frames_are_batched(levels, cuts):
    mean, lo, hi = _frames(levels)
    whole = EnvRise(2, 0.05, FULL, 0.5).jumped(mean, lo, hi)
    rise, parts, a = EnvRise(2, 0.05, FULL, 0.5), [], 0
    for k in cuts * 10:
        parts.append(rise.jumped(mean[:, a : a + k], lo[:, a : a + k], hi[:, a : a + k]))
        a += k
    parts.append(rise.jumped(mean[:, a:], lo[:, a:], hi[:, a:]))
    assert np.array_equal(np.concatenate(parts, axis=1), whole)
