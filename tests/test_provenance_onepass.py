"""Each input is read once: the readers hash the bytes as they read them.

Real files written by their own libraries (edfio, soundfile, numpy) and read back; the bytes
read are counted by the kernel (``/proc/self/io``) and the second-read hash is forbidden.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import crampdetect
from crampdetect import provenance
from crampdetect.cli import main
from crampdetect.provenance import ReadHash

FS = 1000


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rest(seconds: float, channels: int = 1) -> np.ndarray:
    return np.random.default_rng(3).normal(0, 5, (channels, round(seconds * FS)))


def _csv(path: Path, seconds: float, tail: str = "") -> Path:
    x = _rest(seconds)
    table = np.c_[np.arange(x.shape[1]) / FS, x.T]
    np.savetxt(path, table, delimiter=",", header="time_s,calf_uV", comments="", fmt="%.6f")
    if tail:
        with open(path, "a") as fh:
            fh.write(tail)
    return path


def _edf(path: Path, seconds: float) -> Path:
    import edfio

    signal = edfio.EdfSignal(
        _rest(seconds)[0], sampling_frequency=FS, label="EMG calf", physical_dimension="uV"
    )
    edfio.Edf([signal]).write(path)
    return path


def _wav(path: Path, seconds: float) -> Path:
    import soundfile as sf

    counts = np.round(_rest(seconds)[0] * 100).astype(np.int16)
    sf.write(path, counts, FS, subtype="PCM_16")
    return path


def _read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hash of a second read fails the test: the readers must hash what they read."""

    def second_read(path: object) -> str:
        raise AssertionError(f"{path} was read a second time to hash it")

    monkeypatch.setattr(provenance, "file_sha256", second_read)


@pytest.mark.parametrize("kind", ["csv", "edf", "wav"])
def test_the_hash_is_sha256sum_of_the_file_read_once(kind, tmp_path, monkeypatch) -> None:
    path = {"csv": _csv, "edf": _edf, "wav": _wav}[kind](tmp_path / f"rest.{kind}", 20)
    _read_once(monkeypatch)
    with pytest.warns(UserWarning) if kind == "wav" else _nothing():  # no sidecar: a note
        found = crampdetect.detect(path, units="uV").provenance["input"]
    assert found["sha256"] == _sha(path)
    assert found["size_bytes"] == path.stat().st_size
    assert found["reader"] == kind and found["path"] == str(path)


def _nothing():
    import contextlib

    return contextlib.nullcontext()


def test_a_bdf_written_by_edfio_is_hashed_as_read(tmp_path, monkeypatch) -> None:
    import edfio

    path = tmp_path / "rest.bdf"
    signal = edfio.EdfSignal(
        _rest(10)[0], sampling_frequency=FS, label="EMG calf", physical_dimension="uV"
    )
    edfio.Edf([signal]).write(path)
    _read_once(monkeypatch)
    assert crampdetect.detect(path).provenance["input"]["sha256"] == _sha(path)


def test_a_line_left_out_is_still_in_the_hash(tmp_path, monkeypatch, capsys) -> None:
    """A last line cut short is left out of the samples by the CSV reader (the API's reader
    and the CLI's): the hash is still that of the whole file."""
    path = _csv(tmp_path / "cut.csv", 5, tail="5.001")
    _read_once(monkeypatch)
    with pytest.warns(UserWarning, match="cut short"):
        found = crampdetect.detect(path).provenance["input"]
    assert found["sha256"] == _sha(path) and found["size_bytes"] == path.stat().st_size
    capsys.readouterr()
    assert main(["detect", str(path), "--json"]) == 0  # the CLI's own CSV path
    cli = json.loads(capsys.readouterr().out)["provenance"]["input"]
    assert cli["sha256"] == _sha(path) and cli["reader"] == "csv"


def test_read_hash_follows_seeks_and_rereads(tmp_path) -> None:
    path = tmp_path / "bytes.bin"
    path.write_bytes(bytes(range(256)) * 5000)
    hashed = ReadHash(path)
    with hashed.open() as fh:
        fh.seek(300_000)  # a reader that jumps ahead: the skipped bytes are hashed then
        fh.read(1000)
        fh.seek(0)  # and one that reads a header again: not hashed twice
        fh.read(4096)
    assert hashed.finish() == (path.stat().st_size, _sha(path))


def _bytes_read() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar")


@pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="Linux counts the reads")
@pytest.mark.parametrize("kind", ["csv", "wav"])
def test_the_bytes_read_are_the_file_once(kind, tmp_path) -> None:
    """What the process reads while scoring is the file once (plus a few KiB of header and
    sidecars), not twice as when the hash read the file again."""
    make = {"csv": _csv, "wav": _wav}[kind]
    path = make(tmp_path / f"big.{kind}", 150 if kind == "csv" else 1500)
    size = path.stat().st_size
    assert size > 2_000_000
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a WAV without its sidecar: a note
        crampdetect.detect(make(tmp_path / f"warm.{kind}", 2), units="uV")  # imports, caches
        before = _bytes_read()
        crampdetect.detect(path, units="uV")
        read = _bytes_read() - before
    assert size <= read < 1.25 * size, (read, size)


def test_a_shipped_real_recording_is_hashed_as_read(monkeypatch) -> None:
    from conftest import REPO

    path = REPO / "recordings" / "biosppy-emg-examples" / "emg.txt"
    _read_once(monkeypatch)
    found = crampdetect.detect(path).provenance["input"]
    assert found["sha256"] == _sha(path) and found["reader"] == "real"
