"""What the live monitor tells the wearer, whatever the policy and with or without the view:
the early warning's sentence under the default policy too."""

from __future__ import annotations

import re
import subprocess
import sys

from crampdetect.alerts.haptic import SimplePolicy
from crampdetect.alerts.policy import STRETCH_TEXT, WARNING_TEXT
from crampdetect.core import Event


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crampdetect", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _unstamped(line: str) -> str:
    """A ``--no-view`` line without its leading ``[...]`` time stamp."""
    return re.sub(r"^\[[^\]]*\] ", "", line)


def test_the_default_policy_says_an_early_warning_and_never_vibrates_for_it():
    policy = SimplePolicy()
    warning = Event("calf_left", "early_warning", 70.0, 73.0, id=4)
    (said,) = policy.update([warning], 73.0)
    assert said.kind == "message" and said.text == WARNING_TEXT.format(place="left calf")
    ended = Event("calf_left", "early_warning", 70.0, 73.0, end_s=90.0, id=4)
    assert policy.update([ended], 90.0) == []  # its end is no news to the wearer
    cramp = Event("calf_left", "cramp", 100.0, 104.0, id=5)
    assert [a.kind for a in policy.update([cramp], 104.0)] == ["message", "vibrate"]


def test_no_view_prints_the_early_warning_with_the_default_policy():
    """Night seed 3 warns on the left calf before its cramp: the wearer's sentence is a line
    under ``--no-view`` as it is with ``--policy guided``, said before the cramp's."""
    res = cli("monitor", "sim://night-short?speed=0&seed=3", "--no-view")
    assert res.returncode == 0, res.stderr
    lines = [_unstamped(ln) for ln in res.stdout.splitlines()]
    warned = WARNING_TEXT.format(place="left calf")
    assert lines.count(warned) == 1
    assert lines.index(warned) < lines.index(f"Cramp in the left calf. {STRETCH_TEXT}")
