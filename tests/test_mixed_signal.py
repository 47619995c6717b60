"""A RAW output on one channel and an ENV output on another: the channel that is not of the
kind the stream is scored as is told (a warning naming it and the fix) and flagged
``signal_mismatch`` (no cramp alerted from it), in ``detect`` on files and in ``monitor``
live; well-formed recordings never are."""

from __future__ import annotations

import csv
import json
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from crampdetect.core import Block, InputError, Representation
from crampdetect.ingest.channelkind import MISMATCH, ChannelKindCheck
from crampdetect.ingest.ptyboard import PtyBoard, StopWhenPlayed
from crampdetect.ingest.serial import SerialTransport
from crampdetect.ingest.sim import BoardEmulator
from crampdetect.ingest.sources import BoardSource
from crampdetect.pipeline import Pipeline
from crampdetect.pipeline.live import LiveMonitor
from crampdetect.simulate import simulate

RAW10 = Representation("raw", "counts", 10)
ENV10 = Representation("env", "counts", 10)
REPO = Path(__file__).resolve().parent.parent


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crampdetect", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


def _counts(rep: Representation, seed: int = 1, duration: float = 60.0) -> np.ndarray:
    session = simulate("night-short", seed=seed, representation=rep, duration_s=duration)
    data = np.concatenate([d for _, d in session.iter_chunks(10.0)], axis=1)
    return np.clip(np.rint(data), 0, 1023)


def _mixed(duration: float = 60.0) -> np.ndarray:
    """calf_left from a RAW output, calf_right from an ENV output, both 10-bit counts."""
    raw, env = _counts(RAW10, duration=duration)[0], _counts(ENV10, duration=duration)[1]
    n = min(raw.size, env.size)
    return np.stack([raw[:n], env[:n]])


def _run(x: np.ndarray, rep: Representation, step_s: float | None = None):
    pipe = Pipeline(1000.0, ("calf_left", "calf_right"), rep, "night")
    step = x.shape[1] if step_s is None else max(1, round(step_s * 1000))
    events, quality = [], []
    for i in range(0, x.shape[1], step):
        part = x[:, i : i + step]
        out = pipe.push(Block(part, 1000.0, i, i / 1000.0, 0, pipe.channels))
        events += out.events
        quality += out.quality
    out = pipe.finish()
    return events + out.events, quality + out.quality


def _mismatch(quality) -> list[tuple[str, float, float | None]]:
    """The flags as they closed (each also went out as it opened, ``end_s`` None)."""
    return [
        (q.channel, q.start_s, q.end_s)
        for q in quality
        if q.issue == MISMATCH and q.end_s is not None
    ]


@pytest.fixture(scope="module")
def mixed_csv(tmp_path_factory) -> Path:
    """`crampdetect simulate --signal raw` and `--signal env` of one scene, their columns
    merged: calf_left the RAW output, calf_right the ENV output."""
    folder = tmp_path_factory.mktemp("mix")
    for signal in ("raw", "env"):
        res = cli(
            "simulate", "night-short", "--seed", "1", "--duration", "90", "--signal", signal,
            "--units", "counts", "--out", str(folder / f"{signal}.csv"), "-q",
        )  # fmt: skip
        assert res.returncode == 0, res.stderr
    rows = {}
    for signal in ("raw", "env"):
        with (folder / f"{signal}.csv").open(newline="") as f:
            rows[signal] = list(csv.reader(f))
    out = folder / "mixed.csv"
    with out.open("w", newline="") as f:
        w = csv.writer(f)
        for raw, env in zip(rows["raw"], rows["env"], strict=False):  # gaps drop rows
            w.writerow([raw[0], raw[1], env[2]])
    return out


def _detect(path: Path, *args: str) -> tuple[dict, str]:
    res = cli("detect", str(path), "--json", *args)
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    return json.loads(res.stdout), res.stderr


def test_detect_flags_the_raw_channel_of_a_file_read_as_envelope(mixed_csv):
    """Counts that rest near the bottom on one channel make the file an envelope: the RAW
    channel is then the one that disagrees, and is named with the fix."""
    doc, stderr = _detect(mixed_csv)
    assert doc["input"]["signal"] == "env"
    flagged = {q["channel"] for q in doc["quality"] if q["issue"] == MISMATCH}
    assert flagged == {"calf_left"}
    (problem,) = [p for p in doc["input"]["problems"] if MISMATCH in p]
    assert "calf_left" in problem and "raw EMG" in problem and "--signal raw" in problem
    assert "calf_left" in stderr and MISMATCH in stderr
    assert not any(e["channel"] == "calf_left" for e in doc["events"])


def test_detect_with_signal_raw_flags_the_env_channel(mixed_csv):
    doc, _ = _detect(mixed_csv, "--signal", "raw")
    flagged = [q for q in doc["quality"] if q["issue"] == MISMATCH]
    assert [q["channel"] for q in flagged] == ["calf_right"]
    end = doc["input"]["duration_s"]
    assert flagged[0]["start_s"] <= 15.0 and flagged[0]["end_s"] == pytest.approx(end, abs=0.1)
    (problem,) = [p for p in doc["input"]["problems"] if MISMATCH in p]
    assert "calf_right" in problem and "envelope" in problem and "--signal env" in problem
    assert not any(e["channel"] == "calf_right" for e in doc["events"])


def test_monitor_on_the_mixed_file_says_which_channel(mixed_csv):
    res = cli("monitor", f"file://{mixed_csv}?speed=0", "--no-view")
    assert res.returncode == 0, res.stderr
    told = [line for line in (res.stdout + res.stderr).splitlines() if "looks like" in line]
    assert len(told) == 1 and "calf_left" in told[0] and MISMATCH in told[0]


@pytest.mark.parametrize("step_s", [0.02, 0.37, 2.9])
def test_the_flag_does_not_depend_on_the_block_cuts(step_s):
    x = _mixed()
    whole = _mismatch(_run(x, RAW10)[1])
    assert [c for c, _, _ in whole] == ["calf_right"]
    assert _mismatch(_run(x, RAW10, step_s)[1]) == whole


def test_a_flagged_channel_raises_no_cramp_the_other_still_does():
    """The cramp of seed 1's night-short is on calf_right: scored as raw, the ENV channel it
    is on is flagged and not scored; scored as env, it is alerted and the RAW channel is
    flagged instead."""
    x = _mixed(240.0)
    events, quality = _run(x, RAW10)
    assert [c for c, _, _ in _mismatch(quality)] == ["calf_right"]
    assert not [e for e in events if e.channel == "calf_right"]
    events, quality = _run(x, ENV10)
    assert [c for c, _, _ in _mismatch(quality)] == ["calf_left"]
    assert any(e.kind == "cramp" and e.channel == "calf_right" for e in events)


@pytest.mark.parametrize(
    "rep",
    [
        RAW10,
        Representation("raw", "counts", 12),
        Representation("raw", "uV", None),
        Representation("raw", "mV", None),
        ENV10,
        Representation("env", "counts", 12),
    ],
)
@pytest.mark.parametrize("scenario", ["night-short", "leadoff", "gait"])
def test_well_formed_simulated_recordings_are_not_flagged(rep, scenario):
    """Lead-offs floating near a rail, gait, cramps: no channel of one kind disagrees."""
    session = simulate(scenario, seed=2, representation=rep, duration_s=180.0)
    check = ChannelKindCheck(session.fs, len(session.channels), rep)
    changes = []
    for _, data in session.iter_chunks(10.0):
        x = np.clip(np.rint(data), 0, rep.full_scale) if rep.units == "counts" else data
        changes += check.feed(x)
    assert not changes
    assert (check.own > 0).all()  # it saw its own kind: the check is not blind here


def test_the_shipped_recordings_are_not_flagged():
    from crampdetect.ingest.inference import resolve_inference
    from crampdetect.storage.reader import open_recording

    paths = sorted(
        p
        for p in (REPO / "recordings").rglob("*")
        if p.suffix in (".csv", ".txt") and p.name != "README.md"
    )
    assert paths
    for path in paths:
        try:
            rec = open_recording(path)
        except InputError:  # not a recording (gait cycles, notes)
            continue
        rep, _, _ = resolve_inference(rec)
        check = ChannelKindCheck(rec.fs, len(rec.channels), rep)
        for block in rec.iter_blocks(60_000):
            assert not check.feed(block.data), path.name


def test_physical_units_raw_with_a_positive_offset_is_not_an_envelope():
    """Raw EMG riding on a positive offset is never negative for a while, but it is jagged, and
    a bipolar stretch keeps it raw. An envelope in µV is never negative and smooth: flagged."""
    rng = np.random.default_rng(0)
    fs = 1000.0
    t = np.arange(int(60 * fs)) / fs
    raw = rng.normal(0, 20, t.size)
    raw[: 20 * 1000] += 200  # positive, jagged
    env = 30 + 200 * np.clip(np.sin(2 * np.pi * 0.05 * t), 0, None) + rng.normal(0, 0.2, t.size)
    check = ChannelKindCheck(fs, 2, Representation("raw", "uV", None))
    changes = []
    for i in range(0, t.size, 777):
        changes += check.feed(np.stack([raw, env])[:, i : i + 777])
    assert [(c.channel, c.disagrees) for c in changes] == [(1, True)]


@pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")
def test_a_board_wired_raw_and_env_is_told_live_over_a_pty(tmp_path, caplog):
    """A board that says RAW (status signal 0) streams a RAW calf_left and an ENV calf_right
    through a real pseudo-terminal: the monitor says which channel and flags it; no sample
    is lost and the RAW leg's cramp is still alerted."""
    raw = simulate("night-short", seed=3, representation=RAW10)
    env = simulate("night-short", seed=3, representation=ENV10)

    def chunks():
        for (time_s, a), (_, b) in zip(raw.iter_chunks(0.05), env.iter_chunks(0.05), strict=True):
            yield time_s, np.clip(np.rint(np.stack([a[0], b[1]])), 0, 1023)

    board = PtyBoard(chunks(), BoardEmulator(1000, 2, 10, "raw"), tmp_path / "ttyACM", 0)
    source = BoardSource(SerialTransport(board.path), timebase="device")
    monitor = LiveMonitor(source, "night")
    with caplog.at_level(logging.WARNING), source:
        board.start()
        stop = threading.Event()
        summary = monitor.run(
            120, stop, on_pass=StopWhenPlayed(board, source.transport.queue, stop)
        )
    board.close()
    assert summary.stream_s == pytest.approx(raw.duration_s)
    flagged = [q for q in summary.quality if q.issue == MISMATCH]
    assert [q.channel for q in flagged] == [raw.channels[1]]
    told = [r.getMessage() for r in caplog.records if MISMATCH in r.getMessage()]
    assert len(told) == 1 and raw.channels[1] in told[0] and "SIGNAL_CODE" in told[0]
    assert not [e for e in summary.cramps if e.channel == raw.channels[1]]


def test_an_envelope_busy_at_mid_scale_is_not_raw_but_raw_emg_at_its_offset_is():
    """Calf raises with a noisy ENV output: minutes at mid-scale, jagged and symmetric in each
    second, but its level moves from second to second. Raw EMG swings about the board's fixed
    offset: flagged on a stream scored as ENV once 30 s of it are seen."""
    rng = np.random.default_rng(1)
    fs = 500.0
    t = np.arange(int(180 * fs)) / fs
    level = 540 + 40 * np.sin(2 * np.pi * t / 2.3) + 15 * np.sin(2 * np.pi * t / 17.0)
    env = np.clip(np.rint(level + rng.normal(0, 12, t.size)), 0, 1023)
    raw = np.clip(np.rint(530 + rng.normal(0, 15, t.size) * (1 + (t % 20 < 5))), 0, 1023)
    check = ChannelKindCheck(fs, 2, ENV10)
    changes = []
    for i in range(0, t.size, 1000):
        changes += check.feed(np.stack([env, raw])[:, i : i + 1000])
    assert [(c.channel, c.disagrees) for c in changes] == [(1, True)]
    assert 30 * fs <= changes[0].index <= 40 * fs
