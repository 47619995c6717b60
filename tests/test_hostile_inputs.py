"""Hostile input is refused cleanly and cheaply: the corpus of tests/hostile_corpus.py.

Every case runs through ``detect``, ``replay`` and ``convert`` in-process (``main()``), with
its expected outcome asserted: exit 2 and one stderr line naming the problem, or exit 0 with
the stated warning and, for ``convert``, output whose times are finite and increasing.
One subprocess run checks the same on a sample, tracebacks and numpy warnings included.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hostile_corpus import Case, build

from crampdetect.cli import main
from crampdetect.core import Block, InputError, Representation
from crampdetect.storage.reader import open_recording
from crampdetect.storage.session import SessionWriter

COMMANDS = ("detect", "replay", "convert")
TIMEOUT_S = 30


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Case]]:
    root = tmp_path_factory.mktemp("hostile")
    return root, build(root / "in")


def _alarm(*_: object) -> None:
    raise TimeoutError(f"no answer within {TIMEOUT_S} s (a hang)")


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str, list]:
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIMEOUT_S)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse refusing an option value
                code = int(exc.code or 0)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    out, err = capsys.readouterr()
    return code, out, err, [str(w.message) for w in caught]


def _check_output(path: Path) -> str | None:
    """What is wrong with a converted file, if anything: times finite and increasing."""
    rec = open_recording(path)
    times, data = rec.load()
    if rec.n_samples == 0:
        return "no samples written"
    if not (np.isfinite(times).all() and np.isfinite(data).all()):
        return "NaN written"
    if not (np.diff(times) > 0).all():
        return "time_s goes backwards"
    return None


def _mismatch(case: Case, command: str, root: Path, capsys) -> str | None:
    expect = getattr(case, command)
    argv = [command, str(case.path)]
    out_file = root / "out" / command / f"{case.name}.csv"
    if command == "convert":
        out_file.parent.mkdir(parents=True, exist_ok=True)
        argv.append(str(out_file))
    else:
        argv.append("--json")
    if command != "convert":
        argv += case.args
    code, out, err, caught = _run(argv, capsys)
    lines = err.splitlines()
    if caught:
        return f"warnings escaped: {caught[:2]}"
    if "internal error" in err or "Traceback" in err:
        return f"crashed: {err[:200]}"
    if expect.startswith("E:"):
        if code != 2:
            return f"exit {code}, expected 2 ({expect}); stderr {err[:200]!r}"
        errors = [ln for ln in lines if ": error: " in ln]
        if len(errors) != 1 or not re.search(expect[2:], errors[0], re.IGNORECASE):
            return f"stderr {err[:300]!r} does not match {expect[2:]!r}"
        if command != "convert" and len(lines) != 1:
            return f"{len(lines)} stderr lines: {err[:300]!r}"
        if command == "convert" and out_file.exists():  # salvaged rows only
            return _check_output(out_file)
        return None
    if code != 0:
        return f"exit {code}, expected 0; stderr {err[:300]!r}"
    if expect.startswith("OK:") and not re.search(expect[3:], err, re.IGNORECASE):
        return f"expected warning {expect[3:]!r}, stderr {err[:300]!r}"
    if command == "convert":
        return _check_output(out_file)
    result = json.loads(out)  # strict JSON: no NaN
    if "bad_value" in expect and not any(q["issue"] == "bad_value" for q in result["quality"]):
        return "bad cells read, but no bad_value quality interval"
    if not np.isfinite(result["input"]["duration_s"]) or result["input"]["duration_s"] <= 0:
        return f"duration_s {result['input']['duration_s']}"
    return None


def test_corpus_has_at_least_100_inputs_of_every_kind(corpus) -> None:
    _, cases = corpus
    assert len(cases) >= 100
    suffixes = {c.path.suffix for c in cases}
    assert {".csv", ".wav", ".edf", ".bdf", ".cdrec"} <= suffixes
    assert sum(e.startswith("E:") for c in cases for e in (c.replay, c.convert)) >= 150


@pytest.mark.parametrize("command", COMMANDS)
def test_every_corpus_input_gets_its_expected_outcome(corpus, command: str, capsys) -> None:
    root, cases = corpus
    bad = {}
    for case in cases:
        problem = _mismatch(case, command, root, capsys)
        if problem:
            bad[case.name] = problem
    assert not bad, "\n".join(f"{k}: {v}" for k, v in bad.items())


def test_subprocess_sample_one_line_no_traceback(corpus) -> None:
    """Real processes: one stderr line, exit 2, no traceback or numpy warning, no hang."""
    root, cases = corpus
    by_name = {c.name: c for c in cases}
    env = {**os.environ, "PYTHONWARNINGS": "default"}
    for name, command in [
        ("fifo.csv", "detect"),
        ("dev_zero", "replay"),
        ("sess_meta_nested.cdrec", "replay"),
        ("20k_columns.csv", "convert"),
        ("edf_duration_0.edf", "replay"),
        ("wav_side_scale_str.wav", "convert"),
    ]:
        argv = [sys.executable, "-m", "crampdetect", command, str(by_name[name].path)]
        if command == "convert":
            argv.append(str(root / f"sub_{name}.csv"))
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env)
        assert proc.returncode == 2, (name, proc.stderr)
        assert len(proc.stderr.splitlines()) == 1, (name, proc.stderr)
        assert "Traceback" not in proc.stderr and "Warning" not in proc.stderr


def test_huge_header_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    """A header of 10^7 columns (~100 MB) is refused after reading 64 KiB, not parsed."""
    import resource
    import tracemalloc

    path = tmp_path / "wide.csv"
    with open(path, "wb") as fh:
        fh.write(b"time_s")
        fh.write(b",c" * 10**7 + b"\n0" + b",1" * 10**7 + b"\n")
    tracemalloc.start()
    with pytest.raises(InputError, match="header line longer than 65536 bytes"):
        open_recording(path, recover=True)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 16 * 2**20, peak
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > 0


def _writer(path: Path) -> SessionWriter:
    return SessionWriter(
        path, fs=100.0, channels=("a",), representation=Representation("raw", "uV")
    )


def test_failed_sample_write_never_records_a_clean_close(tmp_path: Path) -> None:
    """Disk full (a real ENOSPC from /dev/full) on the last write: no close record."""
    w = _writer(tmp_path / "s.cdrec")
    w.write(Block(np.ones((1, 100)), 100.0, start=0, t0=0.0, channels=("a",)))
    w.sync()  # the first second is safely on disk
    w.write(Block(np.ones((1, 50)), 100.0, start=100, t0=1.0, channels=("a",)))
    w._samples.close()
    w._samples = open("/dev/full", "wb")
    with pytest.raises(OSError, match="No space left"):
        w.close()
    w._journal.close()  # what the process exit does to the buffered journal
    with pytest.raises(OSError):
        w._samples.close()  # the stuck bytes still fail; the descriptor is released
    journal = (tmp_path / "s.cdrec" / "journal.jsonl").read_text()
    assert '"close"' not in journal
    rec = open_recording(tmp_path / "s.cdrec")
    assert rec.n_samples == 100
    assert any("not closed" in p for p in rec.problems)


def test_clean_close_after_the_data(tmp_path: Path) -> None:
    with _writer(tmp_path / "s.cdrec") as w:
        w.write(Block(np.ones((1, 50)), 100.0, start=0, t0=0.0, channels=("a",)))
    rec = open_recording(tmp_path / "s.cdrec")
    assert rec.n_samples == 50 and not rec.problems
    last = (tmp_path / "s.cdrec" / "journal.jsonl").read_text().splitlines()[-1]
    assert json.loads(last) == {"type": "close", "n_samples": 50}


@pytest.mark.parametrize(
    "argv",
    [
        ["simulate", "night-short", "--duration", "5", "--out", "{f}"],
        ["convert", "{src}", "{f}"],
    ],
)
def test_no_command_overwrites_without_force(tmp_path: Path, argv: list[str], capsys) -> None:
    src = tmp_path / "src.csv"
    src.write_text("time_s,a\n" + "".join(f"{i / 100:.2f},{i % 7}\n" for i in range(300)))
    target = tmp_path / "exists.csv"
    target.write_text("keep me")
    args = [a.format(f=target, src=src) for a in argv]
    assert main(args) == 2
    assert "refusing to overwrite" in capsys.readouterr().err
    assert target.read_text() == "keep me"
    assert main([*args, "--force"]) == 0
    assert target.read_text() != "keep me"


def test_history_export_needs_force(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CRAMPDETECT_HOME", str(tmp_path / "home"))
    target = tmp_path / "h.json"
    target.write_text("keep me")
    assert main(["history", "--export", str(target)]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err
    assert target.read_text() == "keep me"
    assert main(["history", "--export", str(target), "--force"]) == 0
    assert json.loads(target.read_text()) == {"sessions": []}
