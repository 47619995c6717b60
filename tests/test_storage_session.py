"""Crash-safe sessions: round trip, SIGKILL mid-stream, truncated and corrupt files."""

from __future__ import annotations

import itertools
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crampdetect.core import Block, Event, InputError, QualityInterval, Representation
from crampdetect.storage.reader import open_recording
from crampdetect.storage.session import CHUNK_HEADER, SAMPLES_FILE, SessionWriter
from crampdetect.storage.session_reader import read_session

FS = 1000.0
CH = ("calf_left", "calf_right")
REP = Representation("raw", "counts", 10)


def counts(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 1024, (2, n)).astype(np.float64)


def write_session(
    path: Path, data: np.ndarray, *, block: int = 37, gap_at: int | None = None
) -> None:
    with SessionWriter(
        path, fs=FS, channels=CH, representation=REP, device={"url": "test://"}
    ) as w:
        for i in range(0, data.shape[1], block):
            start = i + (500 if gap_at is not None and i >= gap_at else 0)
            w.write(Block(data[:, i : i + block], FS, start=start, t0=start / FS, channels=CH))
        w.write_events([Event("calf_left", "cramp", 1.5, 3.0, id=7)])
        w.write_quality([QualityInterval("calf_right", "lead_off", 0.5)])
        w.write_events([Event("calf_left", "cramp", 1.5, 3.0, end_s=4.25, id=7)])
        w.write_quality([QualityInterval("calf_right", "lead_off", 0.5, 1.0)])


def test_round_trip_keeps_samples_gaps_events_and_metadata(tmp_path: Path) -> None:
    data = counts(6000)
    write_session(tmp_path / "s.cdrec", data, gap_at=2997)
    rec = open_recording(tmp_path / "s.cdrec")
    times, got = rec.load()
    np.testing.assert_array_equal(got, data)
    assert rec.kind == "session" and rec.fs == FS and rec.channels == CH
    assert rec.representation == REP
    assert rec.n_gaps == 1
    (gap,) = rec.gap_intervals()
    assert gap[1] - gap[0] == pytest.approx(0.5)
    assert np.all(np.diff(times) > 0)
    assert rec.events == [Event("calf_left", "cramp", 1.5, 3.0, end_s=4.25, id=7)]
    assert rec.quality == [QualityInterval("calf_right", "lead_off", 0.5, 1.0)]
    assert rec.meta["device"] == {"url": "test://"}
    assert rec.meta["software"]["name"] == "crampdetect"
    assert rec.problems == []
    blocks = list(rec.iter_blocks(256))
    assert sum(b.gap for b in blocks) == 500
    assert max(b.n_samples for b in blocks) <= 256


def test_refuses_to_overwrite_and_keeps_samples_that_are_not_counts(tmp_path: Path) -> None:
    write_session(tmp_path / "s", counts(100))
    with pytest.raises(InputError, match="already exists"):
        SessionWriter(tmp_path / "s", fs=FS, channels=CH, representation=REP)
    odd = counts(3000) + 0.25
    odd[0, 100] = 70000.0
    with SessionWriter(tmp_path / "t", fs=FS, channels=CH, representation=REP) as w:
        w.write(Block(odd, FS, channels=CH))
    np.testing.assert_array_equal(open_recording(tmp_path / "t").load()[1], odd)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.floats(0.0, 1.0))
def test_any_truncation_opens_with_a_prefix_of_the_data(tmp_path: Path, cut: float) -> None:
    src = tmp_path / "src"
    if not src.exists():
        write_session(src, counts(5000))
    dst = Path(tempfile.mkdtemp(dir=tmp_path)) / "copy"
    shutil.copytree(src, dst)
    samples = dst / SAMPLES_FILE
    size = samples.stat().st_size
    os.truncate(samples, int(size * cut))
    journal = dst / "journal.jsonl"
    os.truncate(journal, max(journal.stat().st_size - 7, 0))  # half-written last line
    head = CHUNK_HEADER.unpack((src / SAMPLES_FILE).read_bytes()[: CHUNK_HEADER.size])
    first_chunk = CHUNK_HEADER.size + head[3] * head[4] * 2  # int16 counts
    if int(size * cut) < first_chunk:  # not even the first ~1 s chunk is complete
        with pytest.raises(InputError, match="no readable samples"):
            open_recording(dst)
        return
    rec = open_recording(dst)
    _, got = rec.load()
    np.testing.assert_array_equal(got, counts(5000)[:, : got.shape[1]])
    assert got.shape[1] >= 5000 * cut - 1000 - 50  # only the broken chunk is lost
    assert any("closed" in p for p in rec.problems)


def test_corrupt_chunk_is_skipped_as_a_gap_and_missing_meta_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "s"
    write_session(path, counts(5000))
    raw = bytearray((path / SAMPLES_FILE).read_bytes())
    raw[len(raw) // 2] ^= 0xFF  # flip one payload byte in a middle chunk
    (path / SAMPLES_FILE).write_bytes(bytes(raw))
    (path / "meta.json").unlink()
    before = (path / SAMPLES_FILE).read_bytes()
    rec = read_session(path)
    assert any("checksum" in p for p in rec.problems)
    assert any("rebuilt" in p for p in rec.problems)
    assert 3900 <= rec.n_samples < 5000 and rec.n_gaps == 1
    assert (path / SAMPLES_FILE).read_bytes() == before  # never modified


def test_session_without_samples_or_metadata_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="not a recording session"):
        open_recording(tmp_path / "empty")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / SAMPLES_FILE).write_bytes(b"garbage" * 10)
    with pytest.raises(InputError, match="metadata missing"):
        open_recording(tmp_path / "bad")


CHILD = """
import sys, time, numpy as np
from crampdetect.core import Block, Representation, Event
from crampdetect.storage.session import SessionWriter
fs, ch = 1000.0, ("calf_left", "calf_right")
data = np.random.default_rng(3).integers(0, 1024, (2, 600000)).astype(float)
rep = Representation("raw", "counts", 10)
w = SessionWriter(sys.argv[1], fs=fs, channels=ch, representation=rep)
w.write_events([Event("calf_left", "cramp", 0.1, 0.2, id=1)])
t_start = time.monotonic()
for i in range(0, data.shape[1], 20):
    w.write(Block(data[:, i:i + 20], fs, start=i, t0=i / fs, channels=ch))
    print(i + 20, flush=True)
    time.sleep(max(0.0, t_start + (i + 20) / fs - time.monotonic()))  # pace like a live board
"""


def test_sigkill_mid_stream_loses_at_most_the_last_second(tmp_path: Path) -> None:
    path = tmp_path / "night.cdrec"
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE, text=True, bufsize=1
    )
    pushed = 0
    deadline = time.monotonic() + 30
    try:
        while pushed < 2700 and time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], 5.0)
            assert ready, "recorder child stopped producing"
            pushed = int(proc.stdout.readline())
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    rec = open_recording(path)
    _, got = rec.load()
    expected = np.random.default_rng(3).integers(0, 1024, (2, 600000)).astype(float)
    assert pushed - got.shape[1] <= FS + 20, (pushed, got.shape[1])
    np.testing.assert_array_equal(got, expected[:, : got.shape[1]])
    assert rec.events and rec.events[0].id == 1
    assert any("not closed" in p for p in rec.problems)
    meta = json.loads((path / "meta.json").read_text())
    assert meta["sample_rate_hz"] == FS and meta["channels"] == list(CH)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cuts=st.lists(st.integers(1, 2999), max_size=40), gap=st.integers(0, 2999))
def test_any_block_split_reads_back_the_same_samples(
    tmp_path: Path, cuts: list[int], gap: int
) -> None:
    data = counts(3000, seed=4)
    bounds = sorted({0, 3000, gap, *cuts})  # 100 samples are lost just before index `gap`
    path = Path(tempfile.mkdtemp(dir=tmp_path)) / "s"
    with SessionWriter(path, fs=FS, channels=CH, representation=REP, flush_interval_s=0.25) as w:
        for a, b in itertools.pairwise(bounds):
            start = a + (100 if a >= gap else 0)
            w.write(Block(data[:, a:b], FS, start=start, t0=start / FS, channels=CH))
    rec = open_recording(path)
    times, got = rec.load()
    np.testing.assert_array_equal(got, data)
    expected_t = (np.arange(3000) + np.where(np.arange(3000) >= gap, 100, 0)) / FS
    np.testing.assert_allclose(times, expected_t, atol=1e-9)
    assert rec.n_gaps == (1 if gap > 0 else 0)
