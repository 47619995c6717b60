"""One calibration check for every caller (``CalibrationWatch``): ``detect --user``,
``replay --user``, ``report --user``, ``monitor --user`` and the API's ``detect(..., user=)``
say the same lines when a calibration does not fit the recording; the live monitor says
them as the stream goes (its representation and rate at once, its resting level once
``CHECK_AFTER_S`` of signal went through), a restarted stream gets a new check."""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pytest

import crampdetect
from crampdetect.calibration import (
    CHECK_AFTER_S,
    CalibrationWatch,
    ChannelCalibration,
    load_profile_channels,
    save_calibration,
)
from crampdetect.cli import main
from crampdetect.core import Block, Representation
from crampdetect.pipeline import Pipeline

FS = 500.0
LEGS = ("calf_left", "calf_right")
DURATION_S = 75.0
REP = Representation()


def _noise() -> np.ndarray:
    """Two legs resting at 5 µV RMS for ``DURATION_S``."""
    return np.random.default_rng(4).normal(0, 5, (2, int(DURATION_S * FS)))


@pytest.fixture
def night(tmp_path: Path, monkeypatch) -> Path:
    """A CSV resting at 5 µV, and user ``bob``'s calibration that fits none of it: a rest of
    40 µV, measured at 1000 Hz in 10-bit counts."""
    monkeypatch.setenv("CRAMPDETECT_HOME", str(tmp_path / "home"))
    uv = _noise()
    csv = tmp_path / "night.csv"
    with open(csv, "w") as fh:
        fh.write("time_s," + ",".join(LEGS) + "\n")
        t = np.arange(uv.shape[1]) / FS
        np.savetxt(fh, np.column_stack([t, *uv]), delimiter=",", fmt="%.9g")
    cal = [ChannelCalibration(c, c.split("_")[1], 40.0, 800.0, 40.0, 3) for c in LEGS]
    save_calibration("bob", cal, Representation("raw", "counts", 10), 1000.0, "test")
    return csv


def _said(err: str, command: str) -> list[str]:
    head = f"crampdetect {command}: warning: "
    return [line[len(head) :] for line in err.splitlines() if line.startswith(head)]


def test_every_caller_says_the_same_lines(night: Path, capsys) -> None:
    assert main(["detect", str(night), "--user", "bob", "-q"]) == 0
    said = _said(capsys.readouterr().err, "detect")
    assert [w.split(": ", 1)[0] for w in said] == ["night.csv"] * 4, said
    lines = [w.split(": ", 1)[1] for w in said]
    assert "10-bit ADC counts" in lines[0] and "1000 Hz" in lines[1]  # the setup first
    assert all("quiet floor" in w for w in lines[2:]), lines  # then the resting level
    assert "calf_left" in lines[2] and "calf_right" in lines[3]

    assert main(["replay", str(night), "--user", "bob", "-q"]) == 0
    assert _said(capsys.readouterr().err, "replay") == said
    if importlib.util.find_spec("matplotlib") is not None:  # the report draws with it
        out = night.with_suffix(".html")
        assert main(["report", str(night), "--user", "bob", "--out", str(out), "-q"]) == 0
        err = capsys.readouterr().err
        assert _said(err, "report") == [w.replace("night.csv", str(night), 1) for w in said]
    # live, over the same samples: the same lines, without the file's name
    assert main(["monitor", f"file://{night}?speed=0", "--no-view", "--user", "bob"]) == 0
    assert _said(capsys.readouterr().err, "monitor") == lines

    for data, kwargs, expected in (
        (str(night), {}, said),
        (_noise(), {"fs": FS, "channels": list(LEGS)}, lines),  # an array has no name
    ):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            crampdetect.detect(data, user="bob", **kwargs)
        assert [str(w.message) for w in caught if "'bob'" in str(w.message)] == expected


def _pushed(pipe: Pipeline, x: np.ndarray, start: int, block: int):
    for i in range(0, x.shape[1], block):
        yield pipe.push(Block(x[:, i : i + block], FS, start + i, (start + i) / FS, 0, LEGS))


@pytest.mark.parametrize("block_s", [0.02, 0.5, 7.0])
def test_the_watch_says_each_warning_once_as_the_stream_goes(night: Path, block_s) -> None:
    watch = CalibrationWatch(load_profile_channels("bob"), "bob")
    x, block = _noise(), round(block_s * FS)
    said: list[tuple[float, list[str]]] = []
    pipe = Pipeline(FS, LEGS, REP, "night")
    for k, out in enumerate(_pushed(pipe, x, 0, block)):
        new = watch.feed(pipe, out)
        if new:
            said.append(((k + 1) * block / FS, new))
    (t_setup, setup), (t_floor, floor) = said
    assert t_setup == pytest.approx(block_s) and len(setup) == 2  # at the first block
    assert "10-bit ADC counts" in setup[0] and "1000 Hz" in setup[1]
    assert CHECK_AFTER_S <= t_floor < CHECK_AFTER_S + block_s + 1.0  # once the check can judge
    assert len(floor) == 2 and all("quiet floor" in w for w in floor)
    assert watch.warnings("night.csv") == [f"night.csv: {w}" for w in setup + floor]
    assert watch.warnings() == setup + floor

    # the stream restarts (a board that reconnected after a reboot): a new pipeline, a new
    # check; its setup is said again, its resting level once enough of it went through
    again = Pipeline(FS, LEGS, REP, "night")
    outs = list(_pushed(again, x[:, : int(10 * FS)], 0, block))
    assert watch.feed(again, outs[0]) == setup
    assert all(watch.feed(again, out) == [] for out in outs[1:])
    assert watch.warnings() == setup  # the new stream's: 10 s are too few to judge its floor


def test_the_monitor_says_the_lines_in_its_view(night: Path) -> None:
    from types import SimpleNamespace

    from crampdetect.cli.monitor import _calibration_watch

    shown: list[str] = []
    monitor = SimpleNamespace(pipeline=Pipeline(FS, LEGS, REP, "night"))
    on_block = _calibration_watch(monitor, "bob", SimpleNamespace(message=shown.append))
    for out in _pushed(monitor.pipeline, _noise(), 0, round(0.02 * FS)):
        on_block(None, out)
    assert len(shown) == 4 and all("'bob'" in line for line in shown), shown
    assert all("quiet floor" in line for line in shown[2:])
