"""docs/devices.md's ``sim://`` row says which ``simulate`` command writes the samples a
``sim://`` source streams, its default seed and the demo's: what it says is checked by running
them (a ``sim://`` stream recorded with ``record --convert``, the command's CSV, read back)."""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path

import numpy as np
from conftest import REPO, run_cli

from crampdetect.cli import demo


def _sim_row() -> str:
    text = (REPO / "docs" / "devices.md").read_text(encoding="utf-8")
    return next(line for line in text.splitlines() if line.startswith("| `sim://"))


def _samples(path: Path) -> np.ndarray:
    return np.loadtxt(path, delimiter=",", skiprows=1)[:, 1:]


def test_the_sim_row_names_the_simulate_command_that_plays_the_same_scene(tmp_path: Path):
    row = _sim_row()
    (command,) = re.findall(r"`(crampdetect simulate SCENARIO --seed N[^`]*)`", row)
    (default,) = re.findall(r"`seed=` defaults to (\d+)", row)
    (seed,) = re.findall(r"`crampdetect demo` plays seed (\d+)", row)
    parser = argparse.ArgumentParser()
    demo.add_arguments(parser)
    assert int(seed) == parser.parse_args([]).seed  # the demo's seed, as the row says

    # a sim:// source without seed= streams what the named command writes for the default seed
    url = "sim://night-short?speed=0&duration=20"
    live = tmp_path / "live.csv"
    res = run_cli("record", url, "--out", tmp_path / "live.cdrec", "--quiet", "--convert", live,
                  home=tmp_path / "home")  # fmt: skip
    assert res.returncode == 0, res.stderr
    argv = shlex.split(command.replace("SCENARIO", "night-short").replace("N", default))[1:]
    written = tmp_path / "written.csv"
    res = run_cli(*argv, "--duration", "20", "--out", written, "-q")
    assert res.returncode == 0, res.stderr
    assert np.array_equal(_samples(live), _samples(written))
    # ... and not what simulate writes by default (µV): another scene of the same seed
    micro = tmp_path / "micro.csv"
    res = run_cli("simulate", "night-short", "--seed", default, "--duration", "20",
                  "--out", micro, "-q")  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert not np.allclose(_samples(live), _samples(micro))
