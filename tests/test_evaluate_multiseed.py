"""Evaluation machinery: new scoring rules, confidence figures, spread over seeds, seed roles."""

from __future__ import annotations

import pytest

from crampdetect.core import InputError
from crampdetect.evaluate.multiseed import (
    FIT_SEEDS,
    HELD_OUT_SEEDS,
    TUNING_SEEDS,
    VALIDATION_SEEDS,
    fold_sets,
    format_spread,
    parse_seeds,
    spread,
)
from crampdetect.evaluate.score import aggregate, confidence_figures, score


def _ev(ch, onset, alert, end, conf):
    return {"channel": ch, "kind": "cramp", "onset_s": onset, "alert_s": alert, "end_s": end,
            "confidence": conf}  # fmt: skip


LABELS = {
    "intervals": [
        {"channel": "L", "kind": "gait", "start_s": 0.0, "end_s": 98.0},
        {"channel": "L", "kind": "cramp", "start_s": 100.0, "end_s": 200.0,
         "context": "after_gait"},
        {"channel": "R", "kind": "cramp", "start_s": 300.0, "end_s": 340.0, "context": "standing"},
        {"channel": "L", "kind": "voluntary_hold", "start_s": 400.0, "end_s": 408.0},
        {"channel": "R", "kind": "cramp", "start_s": 500.0, "end_s": 600.0, "context": "standing"},
    ]
}  # fmt: skip
RESULT = {
    "input": {"duration_s": 3600.0, "channels": ["L", "R"], "signal": "raw", "units": "uV",
              "adc_bits": None, "sample_rate_hz": 1000},
    "events": [
        _ev("L", 100.2, 112.0, 199.0, 0.9),  # after exertion: found, but 12 s late
        _ev("R", 300.6, 302.0, 339.0, 0.8),  # found in 2 s, onset 0.6 s late
        _ev("L", 401.0, 407.0, 408.0, 0.7),  # false alert in a hold
        _ev("R", 900.0, 903.0, 950.0, 0.95),  # false alert at rest, most confident of all
    ],  # the R cramp at 500 s is missed
    "quality": [],
}  # fmt: skip


def test_latency_after_exertion_onset_p90_and_alert_truth():
    s = score(RESULT, LABELS, "x.csv", "training")
    assert [c["after_exertion"] for c in s["cramps"]] == [True, False, False]
    assert [a["true"] for a in s["alerts"]] == [True, True, False, False]
    agg = aggregate([s])["overall"]
    assert agg["sensitivity"] == pytest.approx(2 / 3, abs=1e-4)
    assert agg["within_10s"] == pytest.approx(
        1 / 3, abs=1e-4
    )  # the 12 s alert is outside the window
    assert agg["cramps_after_exertion"] == 1 and agg["within_10s_after_exertion"] == 0.0
    assert agg["latency_after_exertion_median_s"] == pytest.approx(12.0)
    assert agg["onset_error_p90_s"] == pytest.approx(0.2 + 0.9 * 0.4)
    assert agg["by_context"]["standing"] == {"cramps": 2, "within_10s": 0.5,
                                             "latency_median_s": 2.0}  # fmt: skip
    # true 0.9, 0.8; false 0.7, 0.95: 2 of the 4 true/false pairs rank right
    assert agg["confidence_auc"] == pytest.approx(0.5)
    brier = ((0.9 - 1) ** 2 + (0.8 - 1) ** 2 + 0.7**2 + 0.95**2) / 4
    assert agg["brier"] == pytest.approx(brier, abs=1e-4)


def test_confidence_figures_rank_and_calibration():
    perfect = [{"confidence": c, "true": c > 0.5} for c in (0.1, 0.3, 0.6, 0.9, 0.95)]
    figs = confidence_figures(perfect)
    assert figs["confidence_auc"] == 1.0
    assert [row["alerts"] for row in figs["reliability"]] == [2, 1, 2]
    assert figs["reliability"][-1] == {"bin": "0.90-1.00", "alerts": 2,
                                       "mean_confidence": 0.925, "true_share": 1.0}  # fmt: skip
    upside_down = [{"confidence": 1 - a["confidence"], "true": a["true"]} for a in perfect]
    assert confidence_figures(upside_down)["confidence_auc"] == 0.0
    only_true = confidence_figures([{"confidence": 0.9, "true": True}])
    assert only_true["confidence_auc"] is None and only_true["brier"] == pytest.approx(0.01)
    assert confidence_figures([])["confidence_auc"] is None


def test_spread_over_seeds_and_groups_missing_in_some_seeds():
    def agg(sens, fa, env=None):
        by_repr = {"raw-uV": {"sensitivity": sens}}
        if env is not None:
            by_repr["env-counts10"] = {"sensitivity": env}
        overall = {"sensitivity": sens, "false_alerts_per_hour": fa, "cramps": 10,
                   "latency_median_s": None, "by_context": {}}  # fmt: skip
        night = {"night": {"sensitivity": sens}}
        return {"overall": overall, "by_profile": night, "by_representation": by_repr}

    sp = spread([agg(0.9, 1.0, 0.5), agg(1.0, 3.0), agg(0.8, 2.0, 0.7)])
    assert list(sp) == ["overall", "night", "env-counts10", "raw-uV"]
    s = sp["overall"]["sensitivity"]
    assert (s["mean"], s["sd"], s["min"], s["max"], s["n"]) == (0.9, 0.1, 0.8, 1.0, 3)
    assert sp["overall"]["false_alerts_per_hour"]["sd"] == pytest.approx(1.0)
    assert sp["env-counts10"]["sensitivity"]["n"] == 2
    assert "latency_median_s" not in sp["overall"]  # None in every seed: absent, not zero


def test_fold_sets_keeps_sets_and_seeds_apart():
    s = score(RESULT, LABELS, "x.csv", "training")
    quiet = score({**RESULT, "events": []}, LABELS, "y.csv", "training")
    result = fold_sets({("standard", 100): [s], ("standard", 101): [quiet],
                        ("stress", 100): [s, quiet]}, [100, 101])  # fmt: skip
    std = result["sets"]["standard"]["spread"]["overall"]["sensitivity"]
    assert (std["min"], std["max"], std["n"]) == (0.0, pytest.approx(2 / 3, abs=1e-4), 2)
    assert result["sets"]["stress"]["spread"]["overall"]["sensitivity"]["n"] == 1
    assert result["sets"]["stress"]["pooled"]["overall"]["cramps"] == 6
    text = format_spread(result, "held-out")
    assert text.splitlines()[0] == "seeds: 100, 101 (held-out)"
    assert "set standard" in text and "set stress" in text


def test_seed_roles_are_declared_in_one_place():
    assert not set(TUNING_SEEDS) & set(HELD_OUT_SEEDS) and len(HELD_OUT_SEEDS) >= 3
    assert not set(VALIDATION_SEEDS) & (set(HELD_OUT_SEEDS) | set(TUNING_SEEDS))
    assert parse_seeds("held-out") == ("held-out", HELD_OUT_SEEDS)
    assert parse_seeds("tuning") == ("tuning", TUNING_SEEDS)
    assert parse_seeds("103-105") == ("held-out", (103, 104, 105))
    assert parse_seeds("100-102") == ("validation", (100, 101, 102))
    assert parse_seeds("validation") == ("validation", (100, 101, 102))
    assert parse_seeds("2,100")[0].startswith("mixed")
    assert parse_seeds("7,8") == ("other", (7, 8))
    fit = set(FIT_SEEDS)
    assert fit and not fit & (set(TUNING_SEEDS) | set(VALIDATION_SEEDS) | set(HELD_OUT_SEEDS))
    assert parse_seeds("fit") == ("fit", FIT_SEEDS)
    assert parse_seeds(f"{min(FIT_SEEDS)}") == ("fit", (min(FIT_SEEDS),))
    for bad in ("", "a,b", "-3", "3-x"):
        with pytest.raises(InputError):
            parse_seeds(bad)
