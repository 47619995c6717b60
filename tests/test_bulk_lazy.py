"""``detect_many`` and ``imap_recordings`` are lazy: the first result arrives while a later
file is still being scored (a call that waits for the test to release it), without timing."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from crampdetect.pipeline.bulk import Failure, imap_recordings

#: A call not released in this long gives up (only a failing run ever waits this long).
GIVE_UP_S = 120.0


def wait_for(item: tuple[str, str | None]) -> str:
    """``item``'s name, or, for an item with a marker file, "released" once the marker
    exists ("never released" if it never comes: the run was not lazy)."""
    name, marker = item
    if marker is None:
        return name
    end = time.monotonic() + GIVE_UP_S
    while time.monotonic() < end:
        if Path(marker).exists():
            return "released"
        time.sleep(0.02)
    return "never released"


def fail_on_b(item: tuple[str, str | None]) -> str:
    if item[0] == "b":
        raise ValueError("bad file b")
    return wait_for(item)


def test_the_first_result_comes_before_the_last_item_is_done(tmp_path) -> None:
    marker = tmp_path / "release"
    items = [("a", None), ("b", None), ("last", str(marker))]
    results = imap_recordings(fail_on_b, items, n_workers=2, progress=False, errors="collect")
    assert next(results) == "a"  # "last" is still waiting for the marker
    marker.touch()
    failed, last = list(results)
    assert isinstance(failed, Failure) and failed.error == "ValueError: bad file b"
    assert last == "released"


def test_a_long_list_keeps_its_order_with_a_small_look_ahead(tmp_path) -> None:
    marker = tmp_path / "release"
    items = [("first", str(marker)), *((f"n{i}", None) for i in range(20))]
    results = imap_recordings(wait_for, items, n_workers=2, progress=False, ahead=3)
    marker.touch()
    assert list(results) == ["released", *(f"n{i}" for i in range(20))]


def blocking_detect(path: str, options: dict) -> object:
    """:func:`crampdetect.many._detect_one`, but the file named ``slow.csv`` waits for the
    marker ``release`` beside it."""
    from crampdetect.many import _detect_one

    if Path(path).name == "slow.csv":
        wait_for((path, str(Path(path).with_name("release"))))
    return _detect_one(path, options)


def test_detect_many_with_workers_yields_before_the_last_file_is_scored(tmp_path) -> None:
    from crampdetect.many import DetectionFailure, _detect_each

    rest = np.random.default_rng(0).normal(0, 5, 3000)
    table = np.c_[np.arange(3000) / 1000, rest]
    for name in ("a.csv", "slow.csv"):
        np.savetxt(tmp_path / name, table, delimiter=",", header="time_s,calf", comments="")
    (tmp_path / "broken.edf").write_bytes(b"not an EDF")
    paths = [str(tmp_path / n) for n in ("a.csv", "broken.edf", "slow.csv")]
    options = {"units": "uV"}
    results = _detect_each(paths, options, workers=2, progress=False, one=blocking_detect)
    first = next(results)  # slow.csv is still waiting
    assert Path(first.path).name == "a.csv" and not isinstance(first, DetectionFailure)
    (tmp_path / "release").touch()
    broken, slow = list(results)
    assert isinstance(broken, DetectionFailure) and Path(broken.path).name == "broken.edf"
    assert Path(slow.path).name == "slow.csv" and slow.events == []


def test_imap_refuses_an_unknown_errors_mode() -> None:
    with pytest.raises(ValueError, match="errors"):
        imap_recordings(wait_for, [], errors="ignore")
