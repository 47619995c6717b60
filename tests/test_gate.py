"""The confidence gate: an alert the model rates below ``min_confidence`` is a possible cramp,
logged with its onset and end, never vibrated, never counted or stored as a cramp."""

from __future__ import annotations

import pytest
from conftest import detect_array
from synth import add_burst, scene

from crampdetect.alerts.policy import AlertPolicy
from crampdetect.cli._statusview import alert_line
from crampdetect.core import EVENT_KINDS, Event, InputError, Representation
from crampdetect.detect.settings import MIN_CONFIDENCE, DetectorSettings, profile_settings
from crampdetect.evaluate.multiseed import SUMMARY_FIGURES
from crampdetect.evaluate.score import aggregate, score

FS = 1000.0
UV = Representation("raw", "uV")


def _cramp_scene(seed: int = 1):
    t, x, rng = scene(duration_s=90.0, seed=seed)
    add_burst(x, t, FS, rng, 0, 31.0, 80.0, 250.0, ramp_s=1.0, irregular=0.5)
    return x


def _events(x, profile: str, min_confidence: float):
    s = profile_settings(profile).replace(min_confidence=min_confidence)
    return [e for e in detect_array(x, FS, UV, profile, settings=s)[0] if e.kind != "early_warning"]


def test_training_gates_and_the_setting_is_validated():
    assert "possible_cramp" in EVENT_KINDS
    for signal in ("raw", "env"):
        assert profile_settings("training", signal).min_confidence == MIN_CONFIDENCE > 0
        assert profile_settings("night", signal).min_confidence == 0.0  # off at night
    assert DetectorSettings().min_confidence == 0.0  # the bare settings do not gate
    for bad in (-0.1, 1.5, float("nan")):
        with pytest.raises(InputError, match="min_confidence"):
            DetectorSettings(min_confidence=bad)


@pytest.mark.parametrize("profile", ["night", "training"])
def test_an_alert_below_the_gate_is_a_possible_cramp_with_the_same_times(profile):
    x = _cramp_scene()
    (cramp,) = _events(x, profile, 0.0)
    assert cramp.kind == "cramp" and 0.0 < cramp.confidence < 1.0
    # just above its confidence: the same contraction, the same times, only not an alert
    (possible,) = _events(x, profile, min(1.0, cramp.confidence + 1e-6))
    assert possible.kind == "possible_cramp"
    assert (possible.onset_s, possible.alert_s, possible.end_s, possible.confidence) == (
        cramp.onset_s, cramp.alert_s, cramp.end_s, cramp.confidence,
    )  # fmt: skip
    # at its confidence exactly it passes
    (again,) = _events(x, profile, cramp.confidence)
    assert again.kind == "cramp"


def test_a_possible_cramp_is_not_vibrated_counted_or_called_an_alert():
    ev = Event("calf_left", "possible_cramp", 30.0, 34.0, confidence=0.12, id=1)
    policy = AlertPolicy()
    assert [a.kind for a in policy.update([ev], now_s=34.0)] == []
    line = alert_line(ev)
    assert "ALERT" not in line and "possible cramp" in line and "0.12" in line
    cramp = Event("calf_left", "cramp", 30.0, 34.0, confidence=0.12, id=1)
    assert "vibrate" in [a.kind for a in policy.update([cramp], now_s=34.0)]
    labels = {"profile": "night", "duration_s": 90.0, "channels": ["calf_left"], "intervals": []}
    for e, n in ((ev, 0), (cramp, 1)):
        result = {"events": [e.to_dict()], "quality": [],
                  "input": {"duration_s": 90.0, "channels": ["calf_left"], "signal": "raw",
                            "units": "uV", "adc_bits": None, "sample_rate_hz": FS}}  # fmt: skip
        assert len(score(result, labels, "x.csv", "night")["alerts"]) == n


def test_evaluate_ranks_alerts_and_possible_cramps_together_beside_the_alerts_raised():
    # two labelled cramps and two false contractions, on either side of the gate
    labels = {"profile": "training", "duration_s": 600.0, "channels": ["calf_left"],
              "intervals": [{"kind": "cramp", "channel": "calf_left", "start_s": 100.0,
                             "end_s": 140.0},
                            {"kind": "cramp", "channel": "calf_left", "start_s": 300.0,
                             "end_s": 340.0}]}  # fmt: skip
    rated = ((103.0, "cramp", 0.9), (200.0, "cramp", 0.3), (303.0, "possible_cramp", 0.15),
             (305.0, "cramp", 0.16), (450.0, "possible_cramp", 0.1))  # fmt: skip
    events = [Event("calf_left", k, t - 2.0, t, confidence=c, id=i).to_dict()
              for i, (t, k, c) in enumerate(rated)]  # fmt: skip
    result = {"events": events, "quality": [],
              "input": {"duration_s": 600.0, "channels": ["calf_left"], "signal": "raw",
                        "units": "uV", "adc_bits": None, "sample_rate_hz": FS}}  # fmt: skip
    s = score(result, labels, "x.csv", "training")
    # the alerts raised: 0.9 and 0.16 true, 0.3 false (the figure, as before)
    assert [a["true"] for a in s["alerts"]] == [True, False, True]
    # every rated contraction: the possible cramp on the second cramp is true, the one on
    # nothing false; the alert after it within the same cramp is a repeat, still true
    assert [(a["kind"], a["true"]) for a in s["rated"]] == [
        ("cramp", True), ("cramp", False), ("possible_cramp", True), ("cramp", True),
        ("possible_cramp", False),
    ]  # fmt: skip
    fig = aggregate([s])["overall"]
    assert fig["confidence_auc"] == 0.5  # 0.9 > 0.3 > 0.16
    # positives 0.9, 0.15, 0.16 against negatives 0.3, 0.1: 4 of 6 pairs ranked right
    assert fig["confidence_auc_all"] == round(4 / 6, 4)
    assert fig["possible_cramps"] == 2
    assert any(key == "confidence_auc_all" for key, *_ in SUMMARY_FIGURES)
