"""Night cramps after a prodrome (part prodrome, session 22): a leg whose resting EMG has stood
raised for seconds (a prodrome, domain notes §1.7) is not alerted while that raised rest goes on
(``prodrome_s``, ``prodrome_gap_s``, ``prodrome_share``); the cramp that steps up out of it
(``prodrome_step``) is alerted within 10 s of its onset, at any block size, and a night cramp
from a still rest alerts as before."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import detect_array
from synth import add_burst, emg_noise, scene, slow_modulation

from crampdetect.core import InputError, Representation
from crampdetect.detect.settings import DetectorSettings, profile_settings

UV = Representation("raw", "uV", None)
FS = 1000.0
PRODROME = 80.0  # s: the left leg's resting EMG starts creeping up
ONSET = 120.0  # s: the cramp steps up out of it


def _night(seed: int, prodrome_uv: float | None = 70.0) -> np.ndarray:
    """Two legs at rest on a 5 µV floor. ``prodrome_uv``: from ``PRODROME`` the left leg's
    resting EMG creeps up over 30 s to about that level (14-16x its rest), waxing and waning,
    and stays there until ``ONSET``; then (in any case) a cramp (400 µV, a 3-s rise, waxing and
    waning) for 40 s."""
    t, x, rng = scene(fs=FS, duration_s=170.0, n_channels=2, seed=seed, rest_uv=5.0)
    if prodrome_uv is not None:
        m = (t >= PRODROME) & (t < ONSET)
        n = int(m.sum())
        creep = np.minimum(1.0, (t[m] - PRODROME) / 30.0)
        swing = slow_modulation(n, FS, rng, 0.3, 2.5)
        x[0, m] += prodrome_uv * creep * swing * emg_noise(n, FS, rng)
    add_burst(x, t, FS, rng, 0, ONSET, ONSET + 40.0, 400.0, ramp_s=3.0, irregular=0.4)
    return x


def _cramps(x: np.ndarray, block: int = 2000, **changes) -> list:
    s = profile_settings("night").replace(**changes)
    events, _ = detect_array(x, FS, UV, "night", block=block, settings=s)
    return [e for e in events if e.kind == "cramp"]


@pytest.mark.parametrize(("seed", "level"), [(3, 80.0), (5, 70.0)])
def test_a_cramp_after_a_prodrome_is_alerted_on_its_own_onset_not_during_the_prodrome(seed, level):
    x = _night(seed, level)
    cramps = _cramps(x)
    assert [e.channel for e in cramps] == ["ch0"]
    assert ONSET < cramps[0].alert_s <= ONSET + 10.0
    assert abs(cramps[0].onset_s - ONSET) <= 1.0
    for block in (137, 20):
        assert _cramps(x, block=block) == cramps
    # without the wait the prodrome's raised rest itself was alerted as a cramp
    off = _cramps(x, prodrome_s=0.0)
    assert off and PRODROME < off[0].alert_s < ONSET


@pytest.mark.parametrize("seed", [3, 5])
def test_a_night_cramp_from_a_still_rest_still_alerts_within_10_s(seed):
    x = _night(seed, prodrome_uv=None)
    cramps = _cramps(x)
    assert [e.channel for e in cramps] == ["ch0"]
    assert ONSET < cramps[0].alert_s <= ONSET + 10.0
    for block in (137, 20):
        assert _cramps(x, block=block) == cramps
    assert [(e.alert_s, e.detail["path"]) for e in _cramps(x, prodrome_s=0.0)] == [
        (e.alert_s, e.detail["path"]) for e in cramps
    ]


def test_a_leg_raised_with_the_other_leg_is_no_prodrome():
    """Both legs raised over the span (a turnover, drift) is not one leg's prodrome: the wait
    does not hold a cramp that follows it (``quiet_other_share``)."""
    x = _night(5, prodrome_uv=70.0)
    t = np.arange(x.shape[1]) / FS
    rng = np.random.default_rng(11)
    add_burst(x, t, FS, rng, 1, PRODROME, ONSET - 6.0, 70.0, ramp_s=3.0, irregular=0.3)
    on = _cramps(x)
    off = _cramps(x, prodrome_s=0.0)
    assert [(e.channel, e.alert_s) for e in on] == [(e.channel, e.alert_s) for e in off]


def test_prodrome_settings_night_on_training_off_and_within_the_history():
    night, training = profile_settings("night"), profile_settings("training")
    assert night.prodrome_s > 0 and training.prodrome_s == 0
    assert night.prodrome_step > 1.0 and 0.0 < night.prodrome_share <= 1.0
    assert night.prodrome_s + night.prodrome_gap_s < 30.0  # HISTORY_S
    with pytest.raises(InputError):
        DetectorSettings(prodrome_s=40.0)
    with pytest.raises(InputError):
        DetectorSettings(prodrome_step=0.5)
