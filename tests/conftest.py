"""Shared test configuration: hypothesis profiles and small synthetic-EMG helpers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "dev", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

REPO = Path(__file__).resolve().parents[1]
#: Real recordings shipped with the repository (always present).
SHIPPED_REAL = REPO / "recordings"
#: The shared folder beside the checkout: optional, tests that need it skip without it.
SHARED_REAL = REPO.parent / "shared" / "data" / "real"


def detect_array(x, fs, rep, profile="night", block=2000, channels=None, settings=None):
    """Final events and quality of samples ``x`` (n_channels, n) pushed through a Pipeline in
    blocks of ``block`` samples (the one loop the unit tests share)."""
    from crampdetect.core import Block
    from crampdetect.pipeline import Pipeline
    from crampdetect.pipeline.offline import run_blocks

    channels = tuple(channels or (f"ch{i}" for i in range(x.shape[0])))
    pipe = Pipeline(fs, channels, rep, profile, settings)
    blocks = (
        Block(x[:, a : a + block], fs, a, a / fs, 0, channels) for a in range(0, x.shape[1], block)
    )
    return run_blocks(pipe, blocks)


def run_cli(*args, home=None, timeout: float = 300) -> subprocess.CompletedProcess:
    """``python -m crampdetect ARGS`` in a child process, as a user runs it (its data folder
    ``CRAMPDETECT_HOME`` = ``home`` when given); stdout and stderr captured as text."""
    env = {**os.environ} if home is None else {**os.environ, "CRAMPDETECT_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "crampdetect", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def labelled(tmp_path_factory) -> Path:
    """A labelled simulated cramp scene: ``cramp.csv`` and ``cramp.labels.json`` (a module may
    define its own ``labelled``)."""
    from crampdetect.cli import main as cli_main

    folder = tmp_path_factory.mktemp("labelled")
    argv = ["simulate", "cramp", "--seed", "3", "--duration", "120", "-q"]
    assert cli_main([*argv, "--out", str(folder / "cramp.csv")]) == 0
    assert (folder / "cramp.labels.json").exists()
    return folder
