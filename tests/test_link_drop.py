"""A cramp survives a short link drop: the same event goes on across gaps up to 10 s, no stop
is sent, the gap is recorded on the event; after a longer gap a contraction still going on
is raised and alerted again."""

from __future__ import annotations

import os
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from synth import add_burst, scene

from crampdetect.core import Block, Representation
from crampdetect.ingest.ptyboard import PtyBoard, StopWhenPlayed
from crampdetect.ingest.serial import SerialTransport
from crampdetect.ingest.sim import BoardEmulator
from crampdetect.ingest.sources import BoardSource
from crampdetect.pipeline.chain import LONG_GAP_S, Pipeline
from crampdetect.pipeline.live import LiveMonitor
from crampdetect.pipeline.offline import Collector
from crampdetect.simulate import simulate

FS = 1000.0
UV = Representation("raw", "uV")
REP = Representation("raw", "counts", 10)


def _cramp_with_gap(gap_s: float, stop_s: float = 95.0, seed: int = 1):
    """A cramp from 30 s to ``stop_s``; the samples from 50 s to 50 + gap_s are missing."""
    t, x, rng = scene(duration_s=110.0, seed=seed)
    add_burst(x, t, FS, rng, 0, 30.0, stop_s, 300.0, ramp_s=1.0, irregular=0.5)
    a0, a1 = int(50 * FS), int((50 + gap_s) * FS)
    return x, a0, a1


def _events(x, a0, a1, sizes):
    """Events of the pipeline fed blocks of the given sizes (cycled), the gap between a0, a1."""
    pipe, col = Pipeline(FS, ("calf",), UV, "night"), Collector()
    pos, k, gap = 0, 0, 0
    while pos < x.shape[1]:
        if pos == a0:
            pos, gap = a1, a1 - a0
            continue
        stop = min(pos + sizes[k % len(sizes)], a0 if pos < a0 else x.shape[1])
        col.add(pipe.push(Block(x[:, pos:stop], FS, pos, pos / FS, gap, ("calf",))))
        pos, k, gap = stop, k + 1, 0
    col.add(pipe.finish())
    return [e for e in col.result()[0] if e.kind == "cramp"]


@pytest.mark.parametrize("gap_s", [0.5, 3.0, 8.0, LONG_GAP_S])
def test_a_cramp_goes_on_across_a_short_gap_as_the_same_event(gap_s):
    x, a0, a1 = _cramp_with_gap(gap_s)
    (e,) = _events(x, a0, a1, [2000])
    assert e.onset_s < 35.0 and e.end_s == pytest.approx(95.0, abs=2.0)
    assert e.detail["gaps"] == 1 and e.detail["gap_s"] == pytest.approx(gap_s)


@pytest.mark.parametrize("gap_s", [12.0, 30.0])
def test_after_a_long_gap_a_contraction_still_going_on_is_raised_again(gap_s):
    x, a0, a1 = _cramp_with_gap(gap_s)
    first, second = _events(x, a0, a1, [2000])
    assert first.end_s == pytest.approx(50.0, abs=0.1)  # where the data stopped
    assert second.id != first.id and second.detail["continues"] == first.id
    assert second.detail["after_gap_s"] == pytest.approx(gap_s)
    assert 50.0 + gap_s - 0.1 <= second.onset_s <= second.alert_s <= 50.0 + gap_s + 3.0
    assert second.end_s == pytest.approx(95.0, abs=2.0)


def test_after_a_long_gap_a_cramp_that_ended_meanwhile_is_not_raised_again():
    x, a0, a1 = _cramp_with_gap(15.0, stop_s=58.0)
    (e,) = _events(x, a0, a1, [2000])
    assert e.end_s == pytest.approx(50.0, abs=0.1)


@pytest.mark.slow  # real-time device/stream test; run by .ci/run's slow pass
@settings(max_examples=12, deadline=None)
@given(st.sampled_from([3.0, 12.0]), st.lists(st.integers(1, 5000), min_size=1, max_size=6))
def test_events_across_gaps_do_not_depend_on_block_sizes(gap_s, sizes):
    x, a0, a1 = _cramp_with_gap(gap_s)
    ref = [e.to_dict() for e in _events(x, a0, a1, [2000])]
    assert [e.to_dict() for e in _events(x, a0, a1, sizes)] == ref


# -- over a real pseudo-terminal ---------------------------------------------------------------


UNPLUGS = ((125.0, 0.5), (135.0, 3.0), (150.0, 8.0))  # (signal time s, out for s)


def _paced_unplugs(board_ref: list, unplugs=UNPLUGS):
    """Chunks of simulated night seed 3: as fast as the reader takes them, then in real time
    from 15 s before the first unplug to 3 s after the last replug, so each cable pull lasts
    its wall-clock time and the reconnection back-off costs what it would with a board."""
    session = simulate("night-short", seed=3, representation=REP)
    t_from, t_to = unplugs[0][0] - 15.0, unplugs[-1][0] + unplugs[-1][1] + 3.0
    events = sorted([(t, "unplug") for t, _ in unplugs] + [(t + d, "replug") for t, d in unplugs])
    wall0 = None
    for time_s, data in session.iter_chunks(0.05):
        t = float(time_s[0]) if len(time_s) else 0.0
        if t_from <= t <= t_to:
            wall0 = wall0 if wall0 is not None else time.monotonic()
            delay = wall0 + (t - t_from) - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        while events and t >= events[0][0]:
            getattr(board_ref[0], events.pop(0)[1])()
        yield time_s, data


@pytest.mark.slow  # real-time device/stream test; run by .ci/run's slow pass
@pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")
def test_a_cramp_survives_usb_unplugs_of_half_a_second_3_and_8_s(tmp_path):
    """Seed 3's cramp runs 106.6-192.8 s and is alerted near 117 s; the cable is pulled at
    125 s for 0.5 s, at 135 s for 3 s and at 150 s for 8 s: still one event, one vibrate, no
    stop before the cramp ends, and the three gaps recorded on the event."""
    board_ref: list[PtyBoard] = []
    board = PtyBoard(
        _paced_unplugs(board_ref),
        BoardEmulator(1000, 2, 10, "raw"),
        tmp_path / "ttyACM",
        speed=0,
    )
    board_ref.append(board)
    source = BoardSource(SerialTransport(board.path), timebase="device")
    monitor = LiveMonitor(source, "night")
    with source:
        board.start()
        stop = threading.Event()
        summary = monitor.run(
            180, stop, on_pass=StopWhenPlayed(board, source.transport.queue, stop)
        )
    board.close()
    stats = summary.stats
    assert stats.reconnects == 3 and stats.gaps == 3
    gap_s = stats.gap_samples / 1000
    out_s = sum(d for _, d in UNPLUGS)
    assert out_s <= gap_s <= out_s + 3 * 0.8  # the back-off is capped at 0.5 s
    gaps = sorted(
        (q.start_s, q.end_s)
        for q in summary.quality
        if q.issue == "gap" and q.channel == "calf_left"
    )
    assert all(d <= b - a <= d + 0.8 for (a, b), (_, d) in zip(gaps, UNPLUGS, strict=True))
    (cramp,) = summary.cramps
    assert cramp.alert_s < 125.0 and cramp.end_s > 185.0
    assert cramp.detail["gaps"] == 3 and cramp.detail["gap_s"] == pytest.approx(gap_s, abs=0.01)
    sent = [(t, c.command) for t, c in board.board.motor.commands if c.command != "ping"]
    assert [c for _, c in sent][:1] == ["vibrate"]
    assert sum(c == "vibrate" for _, c in sent) == 1
    assert all(t >= cramp.end_s for t, c in sent if c == "stop")
