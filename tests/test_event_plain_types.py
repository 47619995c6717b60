"""Events carry plain Python values (str, bool, int, float, None), never numpy scalars: what
``crampdetect.detect`` hands out is what the JSON output and the history database store
(a ``np.bool_`` recurrence is not ``True``; ``np.float64`` reprs as ``np.float64(0.5)``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import crampdetect
from crampdetect.cli import main
from crampdetect.core import Event

PLAIN = (str, bool, int, float, type(None))


def _assert_plain(e: Event) -> None:
    for name in ("channel", "kind", "onset_s", "alert_s", "end_s", "confidence", "id"):
        v = getattr(e, name)
        assert type(v) in PLAIN, (name, type(v))
    for k, v in e.detail.items():
        assert type(v) in PLAIN, (e.kind, k, type(v))


def test_an_event_built_from_numpy_values_holds_plain_ones() -> None:
    e = Event(
        "calf",
        "cramp",
        np.float64(10.0),
        np.float64(12.5),
        np.float64(40.0),
        np.float64(0.7),
        np.int64(3),
        detail={"severity": np.float64(0.43), "recurrence": np.bool_(True), "n": np.int64(2)},
    )
    _assert_plain(e)
    assert e.detail["recurrence"] is True
    assert e == Event("calf", "cramp", 10.0, 12.5, 40.0, 0.7, 3, {"severity": 0.43,
                      "recurrence": True, "n": 2})  # fmt: skip
    _assert_plain(e.ended(np.float64(41.0)))


@pytest.mark.parametrize(
    ("scenario", "seed"), [("night-short", 0), ("cramp", 4), ("hold", 1), ("training", 2)]
)
def test_detect_hands_out_plain_values_under_both_profiles(
    tmp_path: Path, scenario: str, seed: int
) -> None:
    out = tmp_path / f"{scenario}.csv"
    args = ["simulate", scenario, "--seed", str(seed), "--duration", "240", "-q"]
    assert main([*args, "--out", str(out)]) == 0
    rec = crampdetect.open(out)
    kinds = set()
    for profile in ("night", "training"):
        for e in crampdetect.detect(rec, profile=profile).events:
            _assert_plain(e)
            kinds.add(e.kind)
    assert "cramp" in kinds or "possible_cramp" in kinds
