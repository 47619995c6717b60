"""The README's first two commands are the ones CI and users run."""

from __future__ import annotations

import re

from conftest import REPO


def _commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", (REPO / "README.md").read_text(), re.S)
    return [b.strip() for b in blocks[:2]]


def test_first_command_installs_and_runs_the_demo():
    first = _commands()[0]
    assert "pip install -e ." in first and first.endswith("crampdetect demo")


def test_ci_runs_the_readme_test_command():
    second = _commands()[1]
    assert "pytest" in second and ".[test]" in second
    assert second in (REPO / ".ci" / "run").read_text()
