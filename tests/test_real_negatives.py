"""Real recordings are negatives: no cramp alert under either profile, from their first second.

Each recording runs as recorded and as a derived MyoWare ENV stream (190 Hz, 10-bit), from
its first sample and cut to start 2 s and 4 s later (so a contraction may begin right at
the start). A failing case lists every alert: file, profile, start, time and confidence.

The recordings shipped in ``recordings/`` are checked always; those only in the shared folder
beside the checkout (``../shared/data/real``) when it is there.
"""

from __future__ import annotations

import pytest
from conftest import SHARED_REAL, SHIPPED_REAL

from crampdetect.evaluate.real_negatives import (
    as_env,
    check_recording,
    failure_lines,
    find_real_recordings,
)

SHIPPED, SHIPPED_UNREAD = find_real_recordings((SHIPPED_REAL,))
# The shipped ones first: a file met in both places is read (and named) once, as shipped.
RECORDINGS, UNREAD = find_real_recordings((SHIPPED_REAL, SHARED_REAL))
BY_NAME = {r.name: r for r in RECORDINGS}
#: Still alerting at the evaluation helper's deadline (the detector's owner is fixing them).
KNOWN_FAILURES: dict[str, str] = {}


def test_every_shipped_recording_is_read():
    assert SHIPPED_UNREAD == []
    datasets = {name.split("/")[0] for name in (r.name for r in SHIPPED)}
    assert len(datasets) >= 4 and len(SHIPPED) >= 10
    assert {r.name for r in SHIPPED} <= set(BY_NAME)


@pytest.mark.skipif(not SHARED_REAL.exists(), reason="shared real recordings absent")
def test_every_real_recording_is_read():
    assert UNREAD == []
    datasets = {name.split("/")[0] for name in BY_NAME}
    assert len(datasets) >= 6 and len(RECORDINGS) >= 20
    for rec in RECORDINGS:
        assert rec.data.shape[0] == len(rec.channels) and rec.data.shape[1] > 2 * rec.fs


def test_derived_env_looks_like_a_myoware_env_output():
    rec = BY_NAME["ta-sustained-tecchio2023/PL_0_01.csv"]
    env = as_env(rec)
    assert env.representation.signal == "env" and env.fs == 190.0
    assert env.data.min() >= 0 and env.data.max() <= 1023
    t_hold, t_rest = int(8.0 * env.fs), int(2.0 * env.fs)  # hold 5.0-11.4 s
    assert env.data[0, t_hold] > 10 * (env.data[0, t_rest] - 9)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(reason=KNOWN_FAILURES[n], strict=True))
        if n in KNOWN_FAILURES
        else n
        for n in sorted(BY_NAME)
    ],
)
def test_no_cramp_alert_on_a_real_recording(name):
    rec = BY_NAME[name]
    rows = check_recording(rec) + check_recording(as_env(rec))
    assert {(r["profile"], r["start_s"]) for r in rows} >= {("night", 0.0), ("training", 0.0)}
    failures = failure_lines(rows)
    assert failures == [], "\n".join(failures)
