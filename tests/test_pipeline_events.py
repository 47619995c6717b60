"""Events leaving the pipeline: stream-wide ids, a dict round trip, immutability."""

from __future__ import annotations

import dataclasses
import itertools
import json
import pickle

import numpy as np
import pytest
from synth import add_burst, scene

from crampdetect.core import Block, Event, InputError, QualityInterval, Representation
from crampdetect.pipeline import Pipeline
from crampdetect.pipeline.offline import run_blocks

FS = 1000.0
UV = Representation("raw", "uV")


def _cramp_scene(seed: int):
    t, x, rng = scene(duration_s=60.0, seed=seed)
    add_burst(x, t, FS, rng, 0, 20.0, 50.0, 300.0, ramp_s=1.0, irregular=0.5)
    return t, x


def _run(x, t0: float, ids=None):
    pipe = Pipeline(FS, ("calf",), UV, "night", event_ids=ids)
    blocks = (
        Block(x[:, a : a + 1000], FS, a, t0 + a / FS, 0, ("calf",))
        for a in range(0, x.shape[1], 1000)
    )
    return run_blocks(pipe, blocks)


def test_pipelines_sharing_an_id_source_never_reuse_an_id():
    """After a stream change (new pipeline) a new cramp must not take an earlier one's id."""
    _, x = _cramp_scene(0)
    ids = itertools.count(1)
    first, _ = _run(x, 0.0, ids)
    second, _ = _run(x, 60.0, ids)
    assert len(first) >= 1 and len(second) >= 1
    got = [e.id for e in first + second]
    assert len(set(got)) == len(got)
    assert min(e.id for e in second) > max(e.id for e in first)
    alone, _ = _run(x, 60.0)  # a fresh pipeline counts from 1 again
    assert [e.id for e in alone] == [e.id for e in first]


def test_events_and_quality_survive_a_dict_round_trip():
    _, x = _cramp_scene(1)
    x[0, 30_000:30_050] = 0.0  # a flat stretch: some quality flag or none, either round-trips
    events, quality = _run(x, 0.0)
    assert events
    for e in events:
        assert Event.from_dict({"id": e.id, **e.to_dict()}) == dataclasses.replace(
            e,
            onset_s=round(e.onset_s, 3),
            alert_s=round(e.alert_s, 3),
            end_s=None if e.end_s is None else round(e.end_s, 3),
            confidence=round(e.confidence, 3),
        )
    for q in quality:
        assert QualityInterval.from_dict(q.to_dict()).issue == q.issue


def test_events_are_immutable_and_bad_dicts_are_refused():
    e = Event("calf", "cramp", 1.0, 2.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.end_s = 3.0  # type: ignore[misc]
    assert e.ended(3.0).end_s == 3.0 and e.end_s is None
    given = {"path": "slow"}
    d = Event("calf", "cramp", 1.0, 2.0, detail=given)
    given["path"] = "fast"  # the event keeps its own copy
    with pytest.raises(TypeError):
        d.detail["path"] = "fast"  # type: ignore[index]
    assert d.detail == {"path": "slow"}
    assert json.loads(json.dumps(d.to_dict()))["detail"] == {"path": "slow"}
    assert pickle.loads(pickle.dumps(d)) == d  # bulk runs hand events between processes
    with pytest.raises(InputError, match="bad event"):
        Event.from_dict({"kind": "cramp", "onset_s": 1.0})
    with pytest.raises(InputError, match="bad quality interval"):
        QualityInterval.from_dict({"channel": "calf", "issue": "pop", "start_s": "soon"})


def test_early_warning_never_changes_an_event_it_emitted():
    from crampdetect.detect.early_warning import EarlyWarning
    from crampdetect.detect.settings import DetectorSettings

    settings = DetectorSettings(warn_confirm_s=3, warn_end_s=2, warn_rest_s=1)
    ew = EarlyWarning(1, seg_frames=10, settings=settings)
    raised = ew.update(0, np.array([[1.0, 3.0, 3.0, 3.0]]))
    assert [e.end_frame for e in raised] == [None]
    ended = ew.update(4, np.array([[1.0, 1.0]]))
    assert raised[0].end_frame is None  # the one sent stays as sent
    assert [(e.id, e.end_frame) for e in ended] == [(raised[0].id, 40)]
    again = ew.update(6, np.array([[3.0, 3.0, 3.0]]))
    closed = ew.finish(90)
    assert again[0].end_frame is None and [e.end_frame for e in closed] == [90]
