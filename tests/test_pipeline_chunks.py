"""Chunk invariance: any split of a stream into blocks gives identical output, events included."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st
from synth import night_counts

from crampdetect.core import Block, Representation
from crampdetect.pipeline import Pipeline
from crampdetect.pipeline.offline import Collector

FS = 500.0


COUNTS = night_counts(FS)
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


def test_a_pipeline_finished_before_any_block_gives_nothing():
    """A live start refused at the first block finishes a pipeline that saw no sample: no
    events, no quality, no error (it has no time yet)."""
    for rep in (REP, Representation("env", "counts", 10)):
        out = Pipeline(FS, ("left", "right"), rep, "night").finish()
        assert out.events == [] and out.quality == []
