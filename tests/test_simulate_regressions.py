"""Seeds that once crashed the simulator (a fasciculation interval of negative length)."""

from __future__ import annotations

import json

from crampdetect.simulate import make_evaluation_set


def test_seed_5_half_hour_set_generates(tmp_path):
    paths = make_evaluation_set(tmp_path, hours=0.5, seed=5, n_jobs=1)
    assert paths
    for p in paths:
        labels = json.loads(p.with_name(p.name.removesuffix(".csv") + ".labels.json").read_text())
        assert labels["duration_s"] > 0 and p.stat().st_size > 0
