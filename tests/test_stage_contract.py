"""Every stateful stage meets the stage contract of :mod:`crampdetect.testing`.

Chunk invariance under any cuts (hypothesis), reset() equal to a fresh instance, input not
mutated, empty chunks accepted. A new stage is covered by adding one case to ``CASES``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from synth import night_counts

from crampdetect.core import Representation
from crampdetect.detect.baseline import BaselineTracker
from crampdetect.detect.cramp import CrampDetector
from crampdetect.detect.early_warning import EarlyWarning
from crampdetect.detect.quality import QualityMonitor
from crampdetect.detect.settings import profile_settings
from crampdetect.features.hop import FeatureFrames, HopFeatures
from crampdetect.filters.mains import MainsSuppressor
from crampdetect.filters.sos import SosFilter, bandpass_sos
from crampdetect.ingest.blocks import Reassembler, StreamInfo
from crampdetect.ingest.frames import FrameDecoder, SampleFrame, StatusFrame, encode_frame
from crampdetect.pipeline.chain import MOTION_MDF_HZ
from crampdetect.testing import StageCase, check_stage, length

FS = 500.0
REP = Representation("raw", "counts", 10)
COUNTS = night_counts(FS)
UV = REP.to_uv(COUNTS)
Y = MainsSuppressor(FS, 2).process(SosFilter(bandpass_sos(FS), 2).process(UV))
FEATURES = HopFeatures(FS, 2)
FRAMES = FEATURES.process(Y, COUNTS)
HOP_S = FRAMES.hop_s
ARRAYS = [f.name for f in dataclasses.fields(FeatureFrames) if f.name not in ("start", "hop_s")]


def _frames(chunk: tuple, start: int) -> FeatureFrames:
    return FeatureFrames(start, HOP_S, *chunk[: len(ARRAYS)])


def _join_frames(outputs: list[FeatureFrames]) -> dict[str, np.ndarray]:
    starts = [o.start for o in outputs if o.n_frames]
    joined = {k: np.concatenate([getattr(o, k) for o in outputs], axis=1) for k in ARRAYS}
    return {"start": starts[:1], **joined}


def _span_order(item: tuple) -> tuple:
    issue, sp = item
    return (sp.start, issue, sp.channel, sp.stop is not None, sp.stop or 0)


def _detector_inputs() -> tuple[np.ndarray, ...]:
    """Frame-rate inputs of the detector, made the way the pipeline makes them."""
    masks, untrusted, lasting, _ = QualityMonitor(REP, 2, HOP_S).update(FRAMES)
    blocked = masks["lead_off"]
    base, ref = BaselineTracker(2, round(1 / HOP_S), 0.5 * REP.uv_per_unit).process(
        FRAMES.rms_fast, untrusted
    )
    mdf = FEATURES.median_frequency(0, FRAMES.n_frames)
    artefact = masks["pop"] | masks["wander"] | (mdf < MOTION_MDF_HZ)
    fast, level = np.where(blocked, 0.0, FRAMES.rms_fast), np.where(blocked, 0.0, FRAMES.rms)
    return fast, level, base, blocked, artefact, ref, FRAMES.tkeo, untrusted, lasting


def _wire() -> tuple[bytes, list]:
    """Bytes of a status frame and 60 sample frames (one lost, one twice, some noise)."""
    data = (np.arange(25 * 60) % 1024).astype(np.uint16).reshape(1, -1).repeat(2, axis=0)
    status = StatusFrame(0, 0, "test", 1000, 10, "raw", 255, 0, 0b11)
    frames: list = [status]
    for k in [*range(30), 29, *range(31, 60)]:  # frame 30 lost, 29 repeated
        frames.append(SampleFrame(k, k * 25_000, 0b11, data[:, k * 25 : (k + 1) * 25]))
    wire = b"\x01\x02garbage\x00" + b"".join(encode_frame(f) for f in frames)
    return wire, frames


WIRE, WIRE_FRAMES = _wire()
RATIOS = np.ones((2, 60))
RATIOS[0, 10:40] = 3.0  # a raised resting floor for 30 s: an early warning and its end

CASES = [
    StageCase(
        "sos_bandpass",
        make=lambda: SosFilter(bandpass_sos(FS), 2),
        feed=lambda s, x, i: s.process(x),
        stream=UV,
    ),
    StageCase(
        "mains", make=lambda: MainsSuppressor(FS, 2), feed=lambda s, x, i: s.process(x), stream=UV
    ),
    StageCase(
        "features",
        make=lambda: HopFeatures(FS, 2),
        feed=lambda s, c, i: s.process(*c),
        stream=(Y, COUNTS),
        join=_join_frames,
    ),
    StageCase(
        "baseline",
        make=lambda: BaselineTracker(2, round(1 / HOP_S), 0.05),
        feed=lambda s, c, i: s.process(*c),
        stream=(FRAMES.rms_fast, FRAMES.rms_fast > 400.0),
    ),
    StageCase(
        "quality",
        make=lambda: QualityMonitor(REP, 2, HOP_S),
        feed=lambda s, c, i: s.update(_frames(c, i)),
        stream=tuple(getattr(FRAMES, k) for k in ARRAYS),
        finish=lambda s: (None, None, None, s.close_all()),
        join=lambda outs: (
            {k: np.concatenate([o[0][k] for o in outs[:-1]], axis=1) for k in outs[0][0]},
            np.concatenate([o[1] for o in outs[:-1]], axis=1),
            np.concatenate([o[2] for o in outs[:-1]], axis=1),
            sorted((sp for o in outs for sp in o[3]), key=_span_order),  # order within a
        ),  # chunk is by issue, across chunks by time: the set of spans is the contract
    ),
    StageCase(
        "detector",
        make=lambda: CrampDetector(2, HOP_S, profile_settings("night", "raw")),
        feed=lambda s, c, i: s.update(i, *c),
        stream=_detector_inputs(),
        finish=lambda s: s.finish(),
    ),
    StageCase(
        "early_warning",
        make=lambda: EarlyWarning(2, round(1 / HOP_S)),
        feed=lambda s, r, i: s.update(i, r),
        stream=RATIOS,
        finish=lambda s: s.finish(60 * round(1 / HOP_S)),
    ),
    StageCase("decoder", make=FrameDecoder, feed=lambda s, b, i: s.feed(b), stream=WIRE),
    StageCase(
        "reassembler",
        make=lambda: Reassembler(StreamInfo(confirmed=True), timebase="device"),
        feed=lambda s, frames, i: s.feed(frames, host_s=0.0),
        stream=WIRE_FRAMES,
        finish=lambda s: s.flush(),
    ),
]


def test_the_cases_exercise_their_stages():
    """The streams are not trivial: events, spans, frames and blocks do come out."""
    from crampdetect.testing import run

    by_name = {c.name: c for c in CASES}
    assert any(e.kind == "cramp" for e in run(by_name["detector"]))
    assert run(by_name["early_warning"])
    assert {k for k, _ in run(by_name["quality"])[3]} >= {"pop", "lead_off"}
    assert len(run(by_name["decoder"])) == len(WIRE_FRAMES)
    assert sum(b.gap for b in run(by_name["reassembler"])) == 25


@pytest.mark.parametrize("case", CASES, ids=repr)
@given(data=st.data())
def test_stage_contract(case, data):
    n = length(case.stream)
    cuts = data.draw(st.lists(st.integers(min_value=0, max_value=n), max_size=12))
    check_stage(case, cuts)


class _Demean:
    """Subtracts each chunk's own mean (not chunk invariant); ``in_place`` writes the input."""

    def __init__(self, in_place: bool = False) -> None:
        self.in_place = in_place

    def reset(self) -> None:
        pass

    def process(self, x: np.ndarray) -> np.ndarray:
        mean = x.mean(axis=-1, keepdims=True) if x.shape[-1] else 0.0
        if self.in_place:
            x -= mean
            return x.copy()
        return x - mean


class _Counter:
    """Numbers samples across chunks, but reset() forgets to restart the count."""

    def __init__(self) -> None:
        self.n = 0

    def reset(self) -> None:
        pass

    def process(self, x: np.ndarray) -> np.ndarray:
        out = self.n + np.arange(x.shape[-1])
        self.n += x.shape[-1]
        return out


def test_the_kit_catches_broken_stages():
    from crampdetect.testing import check_chunk_invariance, check_input_not_mutated, check_reset

    x = np.arange(20.0).reshape(1, 20)
    demean = StageCase("demean", _Demean, lambda s, c, i: s.process(c), x)
    with pytest.raises(AssertionError, match="depends on the cuts"):
        check_chunk_invariance(demean, [5])
    demean = StageCase("demean", lambda: _Demean(in_place=True), lambda s, c, i: s.process(c), x)
    with pytest.raises(AssertionError, match="wrote into its input"):
        check_input_not_mutated(demean, [5])
    counter = StageCase("counter", _Counter, lambda s, c, i: s.process(c), x)
    check_chunk_invariance(counter, [3, 3, 11])
    with pytest.raises(AssertionError, match="fresh start"):
        check_reset(counter)
