"""Early warning (session 13, part warn): a prodrome-like rise of one leg's resting floor
warns; leg movements, turnovers, a new level after a lead-off and the tail of a cramp do not;
the scoring counts warnings as docs/evaluation.md describes."""

from __future__ import annotations

import numpy as np
import pytest
from synth import detection_result

from crampdetect.core import InputError
from crampdetect.detect.cramp import FrameEvent
from crampdetect.detect.early_warning import EarlyWarning
from crampdetect.detect.settings import DetectorSettings
from crampdetect.evaluate.score import aggregate, score

SEG = 20  # frames per 1-s segment


def _prodrome(n_s: int = 200, start: int = 100, length: int = 40, rise: float = 3.0):
    """Floor / baseline per second for two legs: rest, then leg 0 creeping up to ``rise`` x
    over ``length`` s (the baseline follows a slow rise below 2x: the ratios read it)."""
    r = np.ones((2, n_s)) + 0.03 * np.sin(np.arange(n_s))[None, :]
    ramp = np.linspace(0.0, 1.0, length) ** 1.5
    r[0, start : start + length] = 1.0 + (rise - 1.0) * ramp
    return r


def _run(ew: EarlyWarning, ratios, baselines=None, clean=None, cuts=(50, 113, 150)):
    out, lo = [], 0
    for hi in (*cuts, ratios.shape[1]):
        sl = slice(lo, hi)
        out += ew.update(
            lo,
            ratios[:, sl],
            None if baselines is None else baselines[:, sl],
            None if clean is None else clean[:, sl],
        )
        lo = hi
    return out


def _raised(events):
    return [e for e in events if e.end_frame is None]


def test_a_prodrome_like_floor_rise_on_one_leg_warns_ahead_of_the_cramp():
    ratios = _prodrome()
    (w,) = _raised(_run(EarlyWarning(2, SEG), ratios))
    assert w.kind == "early_warning" and w.channel == 0
    assert 100 * SEG <= w.onset_frame < w.alert_frame
    assert 140 * SEG - w.alert_frame >= 10 * SEG  # >= 10 s before the cramp (at 140 s)
    # Chunk-invariant: any cut gives the same events.
    for cuts in ((1, 2, 3), (120, 121, 122), (199,)):
        assert _raised(_run(EarlyWarning(2, SEG), ratios, cuts=cuts)) == [w]


def test_a_creeping_baseline_does_not_hide_the_rise():
    """The tracker's baseline follows a rise below 2x up slowly: the floor is read against
    the lowest baseline of the last warn_ref_s."""
    n = 200
    base = np.ones((2, n))
    base[0, 100:140] = np.linspace(1.0, 1.6, 40)  # crept up with the rise
    base[0, 140:] = 1.6
    floors = _prodrome(rise=2.2)
    assert _raised(_run(EarlyWarning(2, SEG), floors / base)) == []  # read against 1
    (w,) = _raised(_run(EarlyWarning(2, SEG), floors / base, base))
    assert w.channel == 0


def test_leg_movements_and_their_decay_do_not_warn():
    r = np.ones((2, 300))
    for s in range(20, 280, 25):  # movements: a few seconds far above rest, then a decay
        r[0, s : s + 3] = 40.0
        r[0, s + 3 : s + 12] = np.linspace(3.0, 1.2, 9)
    assert _raised(_run(EarlyWarning(2, SEG), r)) == []


def test_a_turnover_raising_both_legs_does_not_warn():
    r = _prodrome()
    r[1] = r[0]  # both legs' floors rise together (turning over, drift on both electrodes)
    assert _raised(_run(EarlyWarning(2, SEG), r)) == []
    r = np.ones((2, 200))
    r[:, 100:140] = 2.5  # turning over: both legs up for 40 s, in bursts far above rest
    r[:, 100:140:6] = 30.0
    assert _raised(_run(EarlyWarning(2, SEG), r)) == []


def test_a_new_level_after_a_lead_off_or_a_flagged_stretch_does_not_warn():
    r = np.ones((2, 200))
    clean = np.ones((2, 200), dtype=bool)
    clean[0, 80:100] = False  # lead-off
    r[0, 80:100] = np.nan
    r[0, 100:] = 2.8  # re-attached with a different contact: a step, not a rise from rest
    assert _raised(_run(EarlyWarning(2, SEG), r, clean=clean)) == []
    # A prodrome whose window holds a flagged second (mains, wander) is not counted there.
    r = _prodrome()
    clean = np.ones(r.shape, dtype=bool)
    clean[0, 100:200:5] = False
    assert _raised(_run(EarlyWarning(2, SEG), r, clean=clean)) == []


def test_no_warning_on_a_leg_in_a_cramp_or_just_after_it():
    r = _prodrome()
    ew = EarlyWarning(2, SEG)
    ew.note_cramps([FrameEvent("cramp", 0, 60 * SEG, 70 * SEG, None, 0.9, 1)])
    ew.note_cramps([FrameEvent("cramp", 0, 60 * SEG, 70 * SEG, 95 * SEG, 0.9, 1)])  # ended
    assert _raised(_run(ew, r)) == []  # within warn_recover_s (60 s) of its end
    ew = EarlyWarning(2, SEG)
    ew.note_cramps([FrameEvent("cramp", 1, 60 * SEG, 70 * SEG, None, 0.9, 1)])  # other leg
    assert [e.channel for e in _raised(_run(ew, r))] == [0]


def test_warning_settings_are_validated():
    with pytest.raises(InputError, match="warn_confirm_s"):
        DetectorSettings(warn_confirm_s=0.0)
    with pytest.raises(InputError, match="warn_low_ratio"):
        DetectorSettings(warn_low_ratio=20.0, warn_high_ratio=12.0)


def _result(events):
    return detection_result(events, 3600.0, ("L", "R"))


def _ev(kind, ch, onset, alert):
    return {
        "kind": kind,
        "channel": ch,
        "onset_s": onset,
        "alert_s": alert,
        "end_s": alert + 30,
        "confidence": 0.8,
    }


def test_scoring_counts_warnings_prodromes_and_warned_cramps():
    labels = {
        "intervals": [
            {"kind": "prodrome", "channel": "L", "start_s": 100.0, "end_s": 140.0},
            {"kind": "cramp", "channel": "L", "start_s": 140.0, "end_s": 200.0},
            {"kind": "prodrome", "channel": "R", "start_s": 1000.0, "end_s": 1040.0},
            {"kind": "cramp", "channel": "R", "start_s": 1040.0, "end_s": 1100.0},
        ]
    }
    events = [
        _ev("early_warning", "L", 110.0, 125.0),  # 15 s ahead: followed, prodrome warned
        _ev("cramp", "L", 140.2, 143.0),
        _ev("early_warning", "L", 2000.0, 2015.0),  # nothing follows: false
        _ev("cramp", "R", 1040.0, 1044.0),  # its prodrome was not warned
    ]
    row = score(_result(events), labels, "x", "night")
    assert [(w["followed"], w["lead_s"]) for w in row["warnings"]] == [(True, 15.0), (False, None)]
    assert [(p["warned"], p["lead_s"]) for p in row["prodromes"]] == [(True, 15.0), (False, None)]
    assert [c["warned_lead_s"] for c in row["cramps"]] == [15.0, None]
    assert len(row["false_alerts"]) == 0  # warnings are no alerts
    figs = aggregate([row])["overall"]
    assert figs["early_warnings"] == 2 and figs["early_warnings_followed_share"] == 0.5
    assert figs["prodromes"] == 2 and figs["prodromes_warned_share"] == 0.5
    assert figs["prodromes_warned_10s_share"] == 0.5
    assert figs["cramps_warned_share"] == 0.5
    assert figs["false_early_warnings_per_hour"] == 1.0  # one false warning in one night hour
    assert figs["early_warning_lead_median_s"] == 15.0
    assert figs["sensitivity"] == 1.0 and figs["false_alerts"] == 0


def test_the_switch_is_set_on_the_command_line_and_on_at_night():
    import argparse

    from crampdetect.cli._args import overrides_from_args
    from crampdetect.detect.settings import profile_settings

    args = argparse.Namespace(set=["early_warning=false", "warn_low_ratio=1.6"])
    assert overrides_from_args(args) == {"early_warning": False, "warn_low_ratio": 1.6}
    with pytest.raises(InputError, match="true or false"):
        overrides_from_args(argparse.Namespace(set=["early_warning=2"]))
    assert profile_settings("night").early_warning
    assert not profile_settings("training").early_warning
