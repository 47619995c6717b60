"""(tonic, session 19; its spectrum, session 22) A weak training cramp right after an effort
(calf raises here) keeps one leg up without relaxing or striding, at a few times the level that
leg stands at, while the other leg stands at its own, and on raw EMG its potentials are shorter
than the standing's beside it (its median frequency stands ``tonic_mdf_other`` x the other
leg's): after ``tonic_s`` it alerts on the ``held`` path, named ``tonic``, judged against each
leg's learned standing level (``learned_stand_s``), not the resting baseline or the activity
reference the effort moved. The same contraction with the standing's spectrum (a leg shifting
weight), a voluntary one-legged hold after the same raises, and one leg standing higher than
the other throughout, do not."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal
from synth import add_burst, assert_cut_invariant, cramp_events, scene, slow_modulation

from crampdetect.core import InputError, Representation
from crampdetect.detect.settings import profile_settings

FS = 1000.0
CHANNELS = ("left", "right")
REP = Representation("raw", "uV")
RUN = (40.0, 100.0)  #: running on both legs: the activity reference sees the session's effort
RAISES = (160.0, 190.0)  #: calf raises on both legs, a raise every 2 s
END_S = 250.0
STAND_UV = 20.0  #: both legs stand here (over a 5 µV rest)
SEATED_S = 20.0  #: seated at rest before standing up: the rest floor the spectrum is read over
STRIDE_UV, RAISE_UV = 400.0, 350.0
PERIOD_S = 0.7  #: a stride per leg
WEAK_UV = 60.0  #: the left leg's weak cramp: about 3x its standing, ~0.15 of its reference
SHORT_BAND_HZ = (60.0, 400.0)  #: the cramp's shorter potentials: a carrier ~1.6x higher


def _short_potentials(x, t, rng, ch, start, stop, amp_uv):
    """A waxing and waning contraction on a carrier higher in frequency than ``emg_noise``."""
    m = (t >= start) & (t < stop)
    n = int(m.sum())
    sos = signal.butter(4, SHORT_BAND_HZ, "bandpass", fs=FS, output="sos")
    carrier = signal.sosfilt(sos, rng.normal(size=n + 2000))[2000:]
    env = np.minimum(1.0, np.minimum(t[m] - start, stop - t[m]) / 1.0)
    env = env * slow_modulation(n, FS, rng, 0.3, 2.5)
    x[ch, m] += amp_uv * env * carrier / carrier.std()


def _session(
    seed: int,
    cramp_s: float = 0.0,
    hold_s: float = 0.0,
    left_stand: float = 1.0,
    short: bool = True,
):
    """Seated for SEATED_S, then standing throughout, running over RUN and raises over RAISES
    on both legs; then a weak left-leg cramp (waxing and waning; on the higher carrier if
    ``short``, else on the standing's) of ``cramp_s`` or a steady left-leg hold of ``hold_s``
    starting as the raises end; the left leg standing at ``left_stand`` x STAND_UV."""
    t, x, rng = scene(fs=FS, duration_s=END_S, n_channels=2, seed=seed)
    for ch in (0, 1):
        stand = STAND_UV * (left_stand if ch == 0 else 1.0)
        add_burst(x, t, FS, rng, ch, SEATED_S, END_S, stand, ramp_s=0.3, irregular=0.15)
        for b in np.arange(RUN[0] + ch * PERIOD_S / 2, RUN[1] - 0.3, PERIOD_S):
            add_burst(x, t, FS, rng, ch, b, b + PERIOD_S / 2, STRIDE_UV, ramp_s=0.1)
        for b in np.arange(RAISES[0], RAISES[1] - 0.5, 2.0):
            add_burst(x, t, FS, rng, ch, b, b + 1.0, RAISE_UV, ramp_s=0.2)
    end = RAISES[1] - 1.0
    if cramp_s and short:
        _short_potentials(x, t, rng, 0, end, end + cramp_s, WEAK_UV)
    elif cramp_s:
        add_burst(x, t, FS, rng, 0, end, end + cramp_s, WEAK_UV, ramp_s=1.0, irregular=0.3)
    if hold_s:
        add_burst(x, t, FS, rng, 0, end + 1.0, end + 1.0 + hold_s, 3 * WEAK_UV, ramp_s=0.3)
    return x


def _run(x: np.ndarray, cuts=(), **changes: float) -> list:
    return cramp_events(x, FS, CHANNELS, REP, "training", cuts, **changes)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_weak_cramp_after_raises_alerts_as_tonic(seed):
    s = profile_settings("training")
    x = _session(seed, cramp_s=45.0)
    cramps = _run(x)
    assert [(e.channel, e.detail["path"]) for e in cramps] == [("left", "tonic")]
    start = RAISES[1] - 1.0
    assert start + s.tonic_s - 1.0 <= cramps[0].alert_s <= start + s.tonic_s + 8.0
    # without the rule no path takes it
    assert _run(x, tonic_s=0.0) == []


@pytest.mark.parametrize("seed", [1, 2])
def test_the_same_contraction_with_the_standings_spectrum_is_not_taken(seed):
    x = _session(seed, cramp_s=45.0, short=False)
    assert _run(x) == []
    # ... which the level tests alone (session 19's rule, waiting 5 s) would take
    assert [e.detail["path"] for e in _run(x, tonic_mdf_other=0.0)] == ["tonic"]


@pytest.mark.parametrize("seed", [1, 2])
def test_a_one_legged_hold_after_raises_is_not_taken(seed):
    assert _run(_session(seed, hold_s=9.0)) == []


def test_one_leg_standing_higher_throughout_is_not_taken():
    assert _run(_session(3, left_stand=2.5)) == []


def test_the_tonic_rule_does_not_depend_on_block_sizes():
    steps = tuple(k / FS for k in (2000, 137, 20))  # samples a block: 2 s, 137 ms, 20 ms
    assert_cut_invariant(_session(2, cramp_s=45.0), FS, CHANNELS, REP, "training", steps)


def test_tonic_settings_are_checked_and_off_at_night():
    base = profile_settings("training")
    bad_values = (
        {"tonic_level": 1.5},
        {"tonic_one_leg": 0.5},
        {"tonic_s": 30.0},
        {"tonic_relax": -1},
        {"tonic_effort": 2.0},
        {"tonic_mdf_other": -0.1},
        {"tonic_mdf_other": 20.0},
    )
    for bad in bad_values:
        with pytest.raises(InputError):
            base.replace(**bad)
    assert base.tonic_s > 0 and base.learned_stand_s > 0 and base.tonic_mdf_other > 0
    assert profile_settings("night").tonic_s == 0.0
