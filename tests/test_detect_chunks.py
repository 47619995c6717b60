"""Chunk invariance of cramp events, onsets included, on hard cases cut at random.

The signals have what made onsets depend on block sizes before: a slow build-up, a low
prodrome long before the cramp, a movement just before it, a movement on the other leg and
gaps in the data. The same samples cut into any blocks must give identical events and quality.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from synth import add_burst, scene, write_csv

from crampdetect.core import Block, Representation
from crampdetect.detect.settings import profile_settings
from crampdetect.pipeline import Pipeline
from crampdetect.pipeline.offline import Collector

FS = 500.0
CHANNELS = ("left", "right")
REP = Representation("raw", "uV")


def _signal(seed: int, onset_s: float, ramp_s: float, prodrome: float, move_lead_s: float):
    """70 s: rest, a prodrome from 10 s, a movement ``move_lead_s`` before a cramp that
    builds up over ``ramp_s`` from ``onset_s`` to 60 s, and a movement on the other leg."""
    t, x, rng = scene(fs=FS, duration_s=70.0, n_channels=2, seed=seed)
    if prodrome:
        add_burst(x, t, FS, rng, 0, 10.0, onset_s, prodrome, ramp_s=2.0, irregular=0.6)
    m0 = onset_s - move_lead_s - 1.2
    add_burst(x, t, FS, rng, 0, m0, m0 + 1.2, 200.0)
    add_burst(x, t, FS, rng, 0, onset_s, 60.0, 300.0, ramp_s=ramp_s, irregular=0.5)
    add_burst(x, t, FS, rng, 1, 20.0, 22.0, 250.0)
    return x


def _run(x: np.ndarray, cuts: list[int], gaps: dict[int, int], detector=None) -> tuple:
    """Stream ``x`` cut at ``cuts``; ``gaps`` maps a sample index to samples missing before it."""
    pipe = Pipeline(FS, CHANNELS, REP, "night", detector)
    col = Collector()
    bounds = sorted({0, *cuts, *gaps, x.shape[1]})
    lost = 0
    for a, b in itertools.pairwise(bounds):
        gap = gaps.get(a, 0)
        lost += gap
        col.add(pipe.push(Block(x[:, a:b], FS, a + lost, (a + lost) / FS, gap, CHANNELS)))
    col.add(pipe.finish())
    return col.result()


cases = st.tuples(
    st.integers(0, 3),  # seed
    st.floats(30.0, 40.0),  # cramp onset, s
    st.sampled_from([0.3, 3.0, 8.0]),  # build-up, s
    st.sampled_from([0.0, 25.0, 60.0]),  # prodrome amplitude, µV
    st.floats(0.2, 5.0),  # movement ends this long before the cramp, s
)


@settings(max_examples=12)
@given(
    cases,
    st.lists(st.floats(0.0, 1.0), max_size=25),
    st.sampled_from([{}, {12_000: 40}, {20_000: 1500}]),
)
def test_events_and_onsets_do_not_depend_on_block_sizes(case, fractions, gaps):
    x = _signal(*case)
    n = x.shape[1]
    cuts = [round(f * n) for f in fractions]
    whole = _run(x, [], gaps)
    assert _run(x, cuts, gaps) == whole


def test_every_block_size_gives_the_same_cramp_onset():
    x = _signal(1, 35.0, 8.0, 25.0, 1.0)
    ref = _run(x, [], {})
    cramps = [e for e in ref[0] if e.kind == "cramp"]
    assert [e.channel for e in cramps] == ["left"]
    for block_s in (0.02, 0.25, 1.0, 7.3, 20.0):
        step = round(block_s * FS)
        assert _run(x, list(range(step, x.shape[1], step)), {}) == ref


def test_giving_up_on_a_too_long_cramp_does_not_depend_on_block_sizes():
    """A cramp still up ``max_cramp_s`` after its alert is closed (give-up) whatever the cuts:
    the give-up used to be applied only inside the block holding its frame."""
    x = _signal(1, 30.0, 0.3, 0.0, 2.0)
    tuned = profile_settings("night").replace(max_cramp_s=10.0)
    ref = _run(x, [], {}, tuned)
    (cramp,) = [e for e in ref[0] if e.kind == "cramp"]
    assert cramp.end_s is not None and cramp.end_s < 55.0  # the burst lasts to 60 s
    for block_s in (0.02, 0.5, 3.0):
        step = round(block_s * FS)
        assert _run(x, list(range(step, x.shape[1], step)), {}, tuned) == ref


def test_detect_cli_block_size_changes_nothing(tmp_path):
    x = _signal(2, 33.0, 3.0, 25.0, 0.5)
    path = tmp_path / "c.csv"
    write_csv(path, np.arange(x.shape[1]) / FS, x, list(CHANNELS))

    def detect(*extra: str) -> dict:
        out = subprocess.run(
            [sys.executable, "-m", "crampdetect", "detect", str(path), "--json", *extra],
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(out.stdout)

    ref = detect()
    assert any(e["kind"] == "cramp" for e in ref["events"])
    for block_s in ("0.02", "0.5", "13"):
        got = detect("--block-s", block_s)
        assert got["provenance"].pop("block_s") == float(block_s)  # said, and nothing else
        assert ref["provenance"]["block_s"] is None
        assert got == {**ref, "provenance": {k: v for k, v in ref["provenance"].items()
                                             if k != "block_s"}}  # fmt: skip
    bad = subprocess.run(
        [sys.executable, "-m", "crampdetect", "detect", str(path), "--block-s", "-1"],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
