"""The activity timeline is classified as the stream goes (live monitoring feeds it the
pipeline's envelope frames): any cut of the stream into blocks gives the same timeline, to
the bit, across short gaps (spanned) and long ones (a hole in the timeline), with a bounded
window of frames held; windows classified in batches get the labels of one pass."""

from __future__ import annotations

import functools
import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from synth import add_burst, scene

from crampdetect.core import Block, Representation
from crampdetect.pipeline import Pipeline
from crampdetect.reports import activity
from crampdetect.reports.activity import ActivityTimeline

FS = 500.0
LEGS = ("calf_left", "calf_right")
REP = Representation("raw", "counts", 10)
#: Gaps in the stream: (sample index of the first block after it, samples missing). The first
#: is a link's lost frames (spanned), the second longer than SPLIT_GAP_S (a hole).
GAPS = {int(61.013 * FS): int(0.3 * FS), int(92.507 * FS): int(4.0 * FS)}


@functools.cache
def stream() -> np.ndarray:
    """140 s of two legs in 10-bit counts: rest, walking bursts on both legs, a steady hold
    on the left, low tone on the right (under a 10-bit board's floor), rest."""
    t, x, rng = scene(fs=FS, duration_s=140.0, rest_uv=4.0, seed=11, n_channels=2)
    for k in range(int(25 / 1.1)):  # walking: a burst per stride on each leg, half a stride apart
        start = 20.0 + 1.1 * k
        add_burst(x, t, FS, rng, 0, start, start + 0.4, 200.0, ramp_s=0.1)
        add_burst(x, t, FS, rng, 1, start + 0.55, start + 0.95, 180.0, ramp_s=0.1)
    add_burst(x, t, FS, rng, 0, 55.0, 80.0, 500.0, ramp_s=0.5)  # a hold
    add_burst(x, t, FS, rng, 1, 55.0, 110.0, 25.0, ramp_s=1.0)  # low tone
    return np.round(512 + x / REP.uv_per_unit).clip(0, 1023)


def feed(cuts: list[int]) -> ActivityTimeline:
    """The timeline of :func:`stream` pushed through a pipeline in blocks cut at ``cuts``
    (and at the gaps), the timeline fed each output as the monitor feeds it."""
    x = stream()
    pipe = Pipeline(FS, LEGS, REP, "night")
    tl = ActivityTimeline(LEGS, pipe.hop_s, REP)
    lost = 0
    for a, b in itertools.pairwise(sorted({0, *cuts, *GAPS, x.shape[1]})):
        gap = GAPS.get(a, 0)
        lost += gap
        block = Block(x[:, a:b], FS, a + lost, (a + lost) / FS, gap, LEGS)
        tl.feed(pipe.push(block), pipe)
        held = tl._buf.shape[1] + tl._n_pending
        assert held < tl.n_win  # a window's frames at most, however long the stream
    return tl


@functools.cache
def whole() -> tuple[list, list]:
    tl = feed([])
    return tl.runs("night"), tl.runs("training")


def test_the_stream_is_classified_across_its_gaps():
    night, training = whole()
    for runs in (night, training):
        for leg in LEGS:
            mine = [r for r in runs if r[0] == leg]
            assert mine[0][1] == 0.0
            hole = (92.507, 92.507 + 4.0)  # the long gap: no run covers it
            assert not [r for r in mine if r[1] < hole[1] - 0.1 and r[2] > hole[0] + 0.1]
            assert mine[-1][2] > 140.0  # the times after the gaps are the stream's
    assert {"moving", "hold", "rest"} <= {r[3] for r in night}
    assert {"walking", "hold", "rest"} <= {r[3] for r in training}
    # the short gap is spanned: the left leg's hold goes on across it
    left = [r for r in night if r[0] == "calf_left"]
    assert [r for r in left if r[3] == "hold" and r[1] < 60.0 < 62.0 < r[2]], left


@given(st.lists(st.integers(min_value=1, max_value=stream().shape[1] - 1), max_size=25))
def test_any_block_cut_gives_the_same_timeline(cuts):
    tl = feed(cuts)
    assert (tl.runs("night"), tl.runs("training")) == whole()


@settings(max_examples=5)  # each streams 140 s (20-ms blocks: cut at random above)
@given(st.integers(min_value=50, max_value=4000))
def test_blocks_of_any_one_size_give_the_same_timeline(size):
    cuts = list(range(0, stream().shape[1], size))
    tl = feed(cuts)
    assert (tl.runs("night"), tl.runs("training")) == whole()


def test_classify_in_batches_labels_every_window_as_a_whole_pass_does(monkeypatch):
    rng = np.random.default_rng(5)
    t = np.arange(int(900 * activity.ENV_FS)) / activity.ENV_FS
    env = np.abs(rng.normal(30, 12, (2, t.size))) * (1 + np.sin(2 * np.pi * 1.4 * t)) + 4
    env[:, : t.size // 3] = np.abs(rng.normal(6, 1, (2, t.size // 3)))
    monkeypatch.setattr(activity, "BATCH_WINDOWS", 10**9)  # one pass over every window
    whole = activity.classify(env)
    monkeypatch.setattr(activity, "BATCH_WINDOWS", 37)
    assert np.array_equal(activity.classify(env), whole)
    assert {"rest", "running"} <= set(whole.ravel())
