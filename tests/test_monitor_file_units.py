"""``monitor file://REC`` takes ``--units`` (and the URL ``units=``), as ``detect`` and
``replay`` do: the units warning's advice (``give --units ...``) can be followed there."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from crampdetect.cli import main
from crampdetect.core import InputError
from crampdetect.ingest.sources import open_source


@pytest.fixture
def odd_csv(tmp_path):
    """40 s of quiet two-leg EMG whose scale cannot be told: 0.1 per 1-s RMS at rest."""
    rng = np.random.default_rng(5)
    fs = 1000
    t = np.arange(40 * fs) / fs
    x = rng.normal(0.0, 0.1, (2, t.size))
    path = tmp_path / "odd.csv"
    rows = np.column_stack([t, x.T])
    np.savetxt(path, rows, delimiter=",", fmt="%.6f", header="time_s,calf_left,calf_right",
               comments="")  # fmt: skip
    return path


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_the_file_source_warns_and_names_units_the_monitor_takes(odd_csv, caplog):
    with caplog.at_level(logging.WARNING):
        source = open_source(f"file://{odd_csv}?speed=0")
    (line,) = [w for w in _warnings(caplog) if "--units" in w]
    read_as = source.info.representation.units
    other = "mV" if read_as == "uV" else "uV"
    assert f"--units {other}" in line
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        given = open_source(f"file://{odd_csv}?speed=0", units=other)
    assert given.info.representation.units == other
    assert not [w for w in _warnings(caplog) if "--units" in w]
    in_url = open_source(f"file://{odd_csv}?speed=0&units={other}")
    assert in_url.info.representation.units == other


def test_monitor_takes_units_for_a_recording(odd_csv, caplog, capsys):
    url = f"file://{odd_csv}?speed=0"
    with caplog.at_level(logging.WARNING):
        assert main(["monitor", url, "--units", "mV", "--no-view", "--json-events"]) == 0
    assert not [w for w in _warnings(caplog) if "--units" in w]


def test_units_are_refused_for_a_board():
    with pytest.raises(InputError, match="units apply to recordings"):
        open_source("sim://cramp?speed=0&duration=5", units="mV")
    with pytest.raises(InputError, match="invalid units"):
        open_source("file:///nowhere.csv?units=kV")


def test_record_takes_units_for_a_recording(odd_csv, tmp_path, caplog, capsys):
    from crampdetect.storage.reader import open_recording

    out = tmp_path / "odd.cdrec"
    url = f"file://{odd_csv}?speed=0"
    with caplog.at_level(logging.WARNING):
        assert main(["record", url, "--units", "mV", "--out", str(out), "--quiet"]) == 0
    assert not [w for w in _warnings(caplog) if "--units" in w]
    assert open_recording(out).representation.units == "mV"  # the session says what it holds
    capsys.readouterr()
    board = ["record", "sim://cramp?speed=0", "--units", "mV", "--out", str(tmp_path / "b")]
    assert main(board) == 2
    assert "units apply to recordings" in capsys.readouterr().err
