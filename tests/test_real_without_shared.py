"""A clone without the shared folder beside it (``../shared``) still checks the shipped real
recordings; only the tests of recordings found there alone are skipped.

The real-recording test modules run in a copy of the checkout's layout (``tests/`` copied,
``recordings/`` linked) with no ``shared`` folder beside it, as a user's clone has.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import REPO

MODULES = (
    "test_real_negatives.py",
    "test_pipeline_real.py",
    "test_reports_activity.py",
    "test_detect_quality.py",
)
#: A few tests of each module (the whole modules take a minute): shipped, shared-only, both.
PICK = (
    "shipped_recording_is_read or every_real_recording_is_read or derived_env"
    " or PL_0_01 or tecchio-passive or treadmill or huge_value"
)


def _clone_without_shared(tmp_path):
    clone = tmp_path / "clone" / "crampdetect"
    (clone / "tests").mkdir(parents=True)
    for name in ("conftest.py", "synth.py", *MODULES):
        shutil.copy(REPO / "tests" / name, clone / "tests" / name)
    shutil.copy(REPO / "pyproject.toml", clone / "pyproject.toml")
    (clone / "recordings").symlink_to(REPO / "recordings", target_is_directory=True)
    assert not (clone.parent / "shared").exists()
    return clone


def _pytest(clone, *args):
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # the package of this checkout
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow  # > 3 s: the default suite stays under its 4 min budget
def test_a_clone_without_shared_checks_the_shipped_recordings_and_skips_the_rest(tmp_path):
    clone = _clone_without_shared(tmp_path)
    listed = _pytest(clone, "--collect-only", "-q", *(f"tests/{m}" for m in MODULES))
    assert listed.returncode == 0, listed.stdout + listed.stderr
    params = set(re.findall(r"test_no_cramp_alert_on_a_real_recording\[(.+?)\]", listed.stdout))
    shipped = {
        f"{d.name}/{f}"
        for d in (REPO / "recordings").iterdir()
        if (d / "recordings.json").exists()
        for f in json.loads((d / "recordings.json").read_text())["files"]
    }
    assert len(shipped) >= 10 and params == shipped  # every shipped recording, nothing else

    ran = _pytest(clone, "-rA", "-k", PICK, *(f"tests/{m}" for m in MODULES))
    out = ran.stdout
    assert ran.returncode == 0, out + ran.stderr
    passed = set(re.findall(r"^PASSED tests/\S+::(\S+)", out, re.M))
    skipped = re.findall(r"^SKIPPED \[\d+\] tests/(\S+?):\d+: (.+)$", out, re.M)
    assert {
        "test_every_shipped_recording_is_read",
        "test_derived_env_looks_like_a_myoware_env_output",
        "test_no_cramp_alert_on_a_real_recording[ta-sustained-tecchio2023/PL_0_01.csv]",
        "test_training_profile_raises_no_cramp_on_real_recordings[tecchio-passive-rest]",
        "test_real_treadmill_walking_calf_muscles_are_walking",
    } <= passed, out
    assert sorted(skipped) == [
        ("test_detect_quality.py", "shared real recordings absent"),
        ("test_real_negatives.py", "shared real recordings absent"),
    ], out
