"""The live time axis on the host clock (``time=host``, the default for a real board) never runs
backwards: a board that flushes its backlog in a burst after a reconnect, or a board played
faster than real time, keeps one time axis, n/fs s per n samples between gaps, and a cramp going
on across the reconnect keeps its onset and its end."""

from __future__ import annotations

import itertools
import json
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crampdetect.ingest import ble
from crampdetect.ingest.blocks import Reassembler, StreamInfo
from crampdetect.ingest.clock import ClockMap
from crampdetect.ingest.frames import SampleFrame
from crampdetect.testing.ble import FakeBoard

FS = 1000
N = 25  # samples per frame


def check_axis(blocks) -> None:
    """Block times strictly increase; a block starts where the previous one ended (n/fs s per
    n samples), after a gap at least the gap's own time later."""
    for a, b in itertools.pairwise(blocks):
        end = a.t0 + a.n_samples / a.fs
        if b.gap:
            assert b.t0 >= end + b.gap / b.fs - 1e-9, (a.start, b.start, a.t0, b.t0)
        else:
            assert b.t0 == pytest.approx(end, abs=1e-9), (a.start, b.start, a.t0, b.t0)


@pytest.fixture(scope="module")
def cramp_notes() -> FakeBoard:
    """A simulated night with a cramp on calf_right (60.6-133.6 s), as the ESP32 sends it."""
    return FakeBoard.simulated("cramp", seed=4, mtu=185)


def _board(notes: FakeBoard, **attrs) -> FakeBoard:
    board = FakeBoard(notes.notifications, mtu=notes.mtu)
    board.session, board.note_s = notes.session, notes.note_s
    for key, value in attrs.items():
        setattr(board, key, value)
    return board


def _detect(board: FakeBoard, blocks: list) -> tuple[list, list]:
    from crampdetect.core import Representation
    from crampdetect.pipeline import Pipeline
    from crampdetect.pipeline.offline import run_blocks

    rep = Representation("raw", "counts", 12)
    return run_blocks(Pipeline(FS, blocks[0].channels, rep, "night"), blocks)


@pytest.fixture(scope="module")
def on_board_clock(cramp_notes):
    """The cramp as the board's own clock places it (``time=device``): onset, alert, end."""
    mp = pytest.MonkeyPatch()
    mp.setattr(ble, "BACKOFF_MIN_S", 0.01)
    board = _board(cramp_notes, drop_at=round(len(cramp_notes.notifications) * 100 / 180))
    blocks = board.blocks(timebase="device")
    mp.undo()
    (cramp,) = [e for e in _detect(board, blocks)[0] if e.kind == "cramp"]
    return cramp.onset_s, cramp.alert_s, cramp.end_s


@pytest.mark.parametrize(
    "attrs",
    [
        # in real time; the link drops at 100 s, mid-cramp, for 5 s; the board then sends what
        # it sampled meanwhile in one burst (its clock 80 ppm slow against the host's)
        {"real_time": True, "down_s": 5.0, "drift_ppm": 80.0},
        {"real_time": True, "down_s": 30.0, "drift_ppm": -40.0},
        # the fake as fast as the event loop goes: everything is a burst
        {"real_time": False},
    ],
    ids=["backlog-5s", "backlog-30s", "faster-than-real-time"],
)
def test_a_backlog_after_a_reconnect_keeps_one_time_axis_and_the_cramp(
    cramp_notes, on_board_clock, monkeypatch, attrs
):
    monkeypatch.setattr(ble, "BACKOFF_MIN_S", 0.01)
    board = _board(cramp_notes, drop_at=round(len(cramp_notes.notifications) * 100 / 180), **attrs)
    blocks = board.blocks(timebase="host")
    assert board.connects == 2
    check_axis(blocks)
    events, quality = _detect(board, blocks)
    assert all(q.end_s >= q.start_s for q in quality)
    (cramp,) = [e for e in events if e.kind == "cramp"]
    t0 = blocks[0].t0  # the host time of the first sample: the board clock's 0
    onset, alert, end = on_board_clock
    assert cramp.onset_s - t0 == pytest.approx(onset, abs=0.06)
    assert cramp.alert_s - t0 == pytest.approx(alert, abs=0.06)
    # it goes on across the reconnect and ends where it ends, not at its own alert
    assert cramp.end_s - t0 == pytest.approx(end, abs=0.1) and cramp.end_s > cramp.alert_s + 60


def _frames(n_frames: int) -> list[SampleFrame]:
    data = np.zeros((2, N), np.uint16)
    return [SampleFrame(k % 65536, (k * N * 1000) % (1 << 32), 0b11, data) for k in range(n_frames)]


@settings(max_examples=60, deadline=None)
@given(
    drift_ppm=st.floats(-3000, 3000),
    jitter_s=st.floats(0.0, 0.05),
    down=st.lists(st.tuples(st.integers(1, 400), st.floats(0.0, 20.0), st.integers(0, 3))),
    per_chunk=st.integers(1, 12),
    seed=st.integers(0, 1000),
)
def test_any_delivery_gives_a_time_axis_that_never_runs_back(
    drift_ppm, jitter_s, down, per_chunk, seed
):
    """Frames arriving late, in bursts, after link drops of any length (the backlog flushed,
    or some frames lost), from a board clock that runs slow or fast: one axis, gaps shown."""
    rng = np.random.default_rng(seed)
    frames = _frames(1500)
    host = (np.arange(1500) + 1) * N / FS * (1 + drift_ppm * 1e-6) + rng.exponential(
        jitter_s + 1e-9, 1500
    )
    drops = {}
    for at, down_s, lost in down:
        drops[at] = (down_s, lost)
    r = Reassembler(StreamInfo(confirmed=True))
    blocks, delay, k = [], 0.0, 0
    while k < len(frames):
        if k in drops:
            blocks += r.flush()
            r.link_reset()
            down_s, lost = drops.pop(k)
            delay = max(delay, host[k] + down_s)  # the backlog comes at once when back
            k += lost
            continue
        chunk = frames[k : k + per_chunk]
        arrival = max(host[min(k + per_chunk, len(frames)) - 1], delay)
        blocks += r.feed(chunk, host_s=float(arrival))
        k += per_chunk
    blocks += r.flush()
    check_axis(blocks)
    assert sum(b.n_samples for b in blocks) == r.stats.samples


def test_a_slow_board_clock_catches_up_at_a_gap_a_fast_one_never_goes_back():
    for drift_ppm in (2000.0, -2000.0):
        r = Reassembler(StreamInfo(confirmed=True))
        frames = _frames(12_000)  # 300 s
        del frames[6000]  # one frame lost at 150 s
        blocks = []
        for f in frames:
            k = f.seq
            blocks += r.feed([f], host_s=(k + 1) * N / FS * (1 + drift_ppm * 1e-6) + 0.002)
        check_axis(blocks)
        (gap,) = [i for i, b in enumerate(blocks) if b.gap]
        late = blocks[gap].t0 - (blocks[gap - 1].t0 + blocks[gap - 1].n_samples / FS)
        if drift_ppm > 0:  # 150 s at 2000 ppm: 0.3 s behind the host, made up at the gap
            assert late == pytest.approx(N / FS + 0.3, abs=0.01)
        else:  # ahead of the host: the gap keeps its own length, the axis does not run back
            assert late == pytest.approx(N / FS, abs=1e-9)


def test_a_backlog_burst_does_not_bend_the_clock_drift():
    """A link down 30 s, the board's backlog then delivered in 0.5 s: the drift fit keeps the
    board's 80 ppm (late frames tell nothing of the drift)."""
    rng = np.random.default_rng(3)
    clock = ClockMap()
    device = np.arange(0, 600, 0.025)
    host = 50.0 + device * (1 + 80e-6) + 0.002 + rng.exponential(0.008, device.size)
    down = (device >= 200) & (device < 230)
    host[down] = host[np.argmax(device >= 230)] + np.linspace(0, 0.5, down.sum())
    worst = 0.0
    for d, h in zip(device, host, strict=True):
        clock.update(d, h)
        if d > 60:
            worst = max(worst, abs(clock.drift_ppm - 80))
    assert worst < 25
    assert clock.to_host(600.0) == pytest.approx(50.0 + 600 * (1 + 80e-6) + 0.002, abs=0.005)


def test_a_latency_grown_for_good_is_still_let_in_after_late_frames():
    """A latency 0.6 s longer for good (left out of the fit as late at first): the envelope
    rises to it at the leak rate, and the map follows it again."""
    clock = ClockMap()
    device = np.arange(0, 4000, 0.025)
    host = device + 0.002 + np.where(device >= 100, 0.6, 0.0)
    for d, h in zip(device, host, strict=True):
        clock.update(d, h)
    assert clock.to_host(4000.0) == pytest.approx(4000.0 + 0.602, abs=0.01)
    assert abs(clock.drift_ppm) < 5


def test_a_source_faster_than_real_time_keeps_the_drift_bounded():
    clock = ClockMap()
    for k in range(4000):  # 100 s of signal in 1 s
        clock.update(k * 0.025, 10.0 + k * 0.00025)
    assert abs(clock.drift_ppm) <= 10_000


@pytest.mark.slow  # > 3 s: a monitor over the fake radio
def test_monitor_history_and_recording_agree_across_a_backlog(
    cramp_notes, tmp_path, monkeypatch, capsys
):
    """``monitor --history --record`` on a board whose link drops mid-cramp and comes back
    with a backlog: the history's cramp, the recording's events and its replay agree, and
    the recording's time axis never runs back."""
    from crampdetect import cli
    from crampdetect.ingest import sources
    from crampdetect.storage.session_reader import read_session

    monkeypatch.setattr(ble, "BACKOFF_MIN_S", 0.01)
    monkeypatch.setenv("CRAMPDETECT_HOME", str(tmp_path))
    board = _board(
        cramp_notes,
        drop_at=round(len(cramp_notes.notifications) * 100 / 180),
        real_time=True,
        down_s=10.0,
        end_when_done=True,
    )
    monkeypatch.setattr(
        sources, "open_source", lambda url, units=None: board.source(timebase="host")
    )
    rec = tmp_path / "night.cdrec"
    argv = ["monitor", "ble://crampdetect-EE01", "--no-view", "--history", "--record", str(rec)]
    assert cli.main(argv) == 0
    assert board.connects == 2
    assert capsys.readouterr().out.count("link to the board back (1 reconnect)") == 1
    assert cli.main(["history", "--export", str(tmp_path / "h.json")]) == 0
    (session,) = json.loads((tmp_path / "h.json").read_text())["sessions"]
    (stored,) = session["cramps"]
    recording = read_session(rec)
    seg = recording.segments
    for a, b in itertools.pairwise(seg):  # a gap lasts at least its samples' time
        assert b.t0 >= a.t0 + (b.start - a.start) / recording.fs - 1e-9
    (cramp,) = [e for e in recording.events if e.kind == "cramp"]
    assert cramp.end_s > cramp.alert_s + 60  # going on across the reconnect
    t0 = seg[0].t0
    for key in ("onset_s", "alert_s", "end_s"):
        assert stored[key] == pytest.approx(getattr(cramp, key) - t0, abs=0.01), key


@pytest.mark.slow  # > 3 s: a simulated night through a real pseudo-terminal
@pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")
def test_a_usb_board_unplugged_mid_cramp_on_the_host_clock(tmp_path):
    """A board on a real pty, played as fast as the reader takes it (its bytes arrive much
    faster than real time, as a flushed backlog does), on the host clock (the default for
    ``serial://``): unplugged for 1 s during the cramp, the time axis stays one and the cramp
    goes on across the gap instead of ending at its own alert."""
    import threading

    from crampdetect.ingest.ptyboard import StopWhenPlayed
    from crampdetect.ingest.serial import SerialTransport
    from crampdetect.ingest.sources import BoardSource
    from crampdetect.pipeline.live import LiveMonitor
    from tests.test_cli_monitor import _pty_board, labelled_cramps

    board = _pty_board(tmp_path, seed=3, speed=0, unplug_s=(140.0, 141.0))
    source = BoardSource(SerialTransport(board.path))  # time=host
    assert source.reassembler.timebase == "host"
    blocks: list = []
    with source:
        board.start()
        stop = threading.Event()
        summary = LiveMonitor(source, "night").run(
            120,
            stop,
            on_pass=StopWhenPlayed(board, source.transport.queue, stop),
            on_block=lambda block, out: blocks.append(block),
        )
    board.close()
    assert summary.stats.reconnects == 1 and summary.stats.gaps == 1
    check_axis(blocks)
    (truth,) = labelled_cramps(3)
    (cramp,) = summary.cramps
    t0 = blocks[0].t0
    assert truth["start_s"] - 1 < cramp.onset_s - t0 < cramp.alert_s - t0 < truth["start_s"] + 10
    assert cramp.end_s - t0 > truth["end_s"] - 5  # across the gap, to its own end
