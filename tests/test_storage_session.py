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
from synth import add_burst, scene

from crampdetect.cli import main
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


#: Bad samples a live stream can deliver, all in the chunk holding samples 10000-10999:
#: (sample index, channel, value).
BAD = ((10_200, 0, np.nan), (10_400, 1, -np.inf), (10_600, 0, 1e300), (10_601, 1, 5e12))


@pytest.mark.parametrize(
    "rep", [REP, Representation("raw", "uV")], ids=["counts-float64-chunk", "uV-float32-chunk"]
)
def test_bad_samples_in_a_chunk_are_flagged_not_refused(
    rep: Representation, tmp_path: Path, capsys
) -> None:
    """NaN, infinite and absurd samples the recorder stored in one chunk are bad samples, as in a
    CSV: the session opens whole, they are flagged ``bad_value`` (never an alert), the rest is
    intact and scored as without them, and ``convert`` drops just their samples."""
    t, x, rng = scene(duration_s=60.0, n_channels=2, seed=11)
    add_burst(x, t, FS, rng, 0, 20.0, 50.0, 300.0, ramp_s=1.0, irregular=0.5)
    if rep.units == "counts":
        x = np.round(512 + x / (5.0 / 1024 / 200 * 1e6)).clip(0, 1023)
    dirty = x.copy()
    for i, ch, value in BAD:
        dirty[ch, i] = value
    if rep.units == "uV":
        dirty[0, 10_600] = 1e30  # float32 holds no 1e300 (the writer would warn of overflow)
    paths = {}
    for name, data in (("clean", x), ("dirty", dirty)):
        paths[name] = tmp_path / f"{name}.cdrec"
        with SessionWriter(paths[name], fs=FS, channels=CH, representation=rep) as w:
            for a in range(0, data.shape[1], 100):  # as the recorder receives them
                w.write(Block(data[:, a : a + 100], FS, start=a, t0=a / FS, channels=CH))

    rec, ref = open_recording(paths["dirty"]), open_recording(paths["clean"])
    assert rec.n_samples == ref.n_samples == x.shape[1] and rec.n_gaps == 0
    expected = ref.load()[1]
    for i, ch, _ in BAD:
        expected[ch, i] = np.nan
    np.testing.assert_array_equal(rec.load()[1], expected)  # every other sample intact
    (note,) = rec.problems
    assert note.startswith("4 NaN, infinite or absurd") and "in 1 chunk of" in note
    assert "first at sample 10200 (10.200 s)" in note and "bad_value" in note

    assert main(["detect", str(paths["clean"]), "--json"]) == 0
    clean = json.loads(capsys.readouterr().out)
    assert main(["detect", str(paths["dirty"]), "--json"]) == 0
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert err.strip() == f"crampdetect detect: warning: {note}"
    assert doc["input"]["problems"] == [note]
    assert doc["events"] == clean["events"]  # the cramp at 20-50 s, nothing from the bad ones
    assert [e["channel"] for e in doc["events"] if e["kind"] == "cramp"] == ["calf_left"]
    bad = [(q["channel"], q["start_s"], q["end_s"]) for q in doc["quality"]]
    bad = [b for b, q in zip(bad, doc["quality"], strict=True) if q["issue"] == "bad_value"]
    assert {ch for ch, _, _ in bad} == set(CH)
    for i, ch, _ in BAD:
        assert any(c == CH[ch] and a <= i / FS < b for c, a, b in bad), (i, bad)
    assert all(9.0 <= a and b <= 12.0 for _, a, b in bad), bad

    copy = tmp_path / "copy.csv"
    assert main(["convert", str(paths["dirty"]), str(copy)]) == 0
    err = capsys.readouterr().err
    assert "first at sample 10200 (10.200 s)" in err and "dropped their 4 samples" in err
    kept = open_recording(copy)
    assert kept.n_samples == x.shape[1] - 4 and kept.n_gaps == 3  # 10600-10601 is one gap
    np.testing.assert_allclose(
        kept.load()[1], np.delete(expected, [i for i, _, _ in BAD], axis=1), atol=1e-3
    )
