"""Chunk invariance: any split of a stream into blocks gives identical output, events included."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from synth import add_burst, scene

from crampdetect.core import Block, Representation
from crampdetect.features.hop import HopFeatures
from crampdetect.filters.mains import MainsSuppressor
from crampdetect.filters.sos import SosFilter, bandpass_sos
from crampdetect.pipeline import Pipeline
from crampdetect.pipeline.offline import Collector

FS = 500.0


def _signal():
    t, x, rng = scene(fs=FS, duration_s=40.0, n_channels=2, seed=7)
    add_burst(x, t, FS, rng, 0, 6.0, 30.0, 250.0, ramp_s=1.0, irregular=0.5)
    add_burst(x, t, FS, rng, 1, 12.0, 13.5, 300.0)  # a leg movement
    x[1, 15000:15003] += 3000.0  # an electrode pop
    x += 30 * np.sin(2 * np.pi * 50 * t)  # mains
    counts = np.round(512 + x / (5.0 / 1024 / 200 * 1e6)).clip(0, 1023)
    counts[0, 17000:17600] = 1023  # stuck at the rail: lead-off
    return counts


COUNTS = _signal()
N = COUNTS.shape[1]
REP = Representation("raw", "counts", 10)
cuts_strategy = st.lists(st.integers(min_value=0, max_value=N), max_size=30).map(sorted)


def _run(cuts, gap_at=None):
    pipe = Pipeline(FS, ("left", "right"), REP, "night")
    col = Collector()
    bounds = [0, *cuts, N]
    for a, b in itertools.pairwise(bounds):
        gap = 0
        start = a
        if gap_at is not None and a == gap_at:
            gap = 25
        col.add(
            pipe.push(
                Block(
                    COUNTS[:, a:b],
                    FS,
                    start,
                    (a + (25 if gap_at and a >= gap_at else 0)) / FS,
                    gap,
                    ("left", "right"),
                )
            )
        )
    col.add(pipe.finish())
    return col.result()


WHOLE = _run([])


def test_reference_run_finds_the_cramp_and_the_flags():
    events, quality = WHOLE
    assert [e.channel for e in events if e.kind == "cramp"] == ["left"]
    issues = {(q.channel, q.issue) for q in quality}
    assert ("left", "lead_off") in issues and ("right", "pop") in issues


@given(cuts_strategy)
def test_pipeline_output_does_not_depend_on_block_sizes(cuts):
    assert _run(cuts) == WHOLE


@given(cuts_strategy)
def test_filters_and_features_are_chunk_invariant(cuts):
    def run(cs):
        bp, mains, hop = SosFilter(bandpass_sos(FS), 2), MainsSuppressor(FS, 2), HopFeatures(FS, 2)
        out = []
        bounds = [0, *cs, N]
        for a, b in itertools.pairwise(bounds):
            x = COUNTS[:, a:b]
            f = hop.process(mains.process(bp.process(x)), x)
            out.append(np.concatenate([f.rms, f.mdf, f.tkeo, f.raw_jump]))
        return np.concatenate(out, axis=1)

    np.testing.assert_array_equal(run(cuts), run([]))
