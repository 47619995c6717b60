"""The portable firmware core (C), compiled with the host compiler and run against the golden
vectors shared with the Python codec, plus its motor-safety and ring-buffer state machines."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CORE_TESTS = Path(__file__).resolve().parents[1] / "firmware_bridge/core/test/build_tests.sh"


def host_compiler() -> str | None:
    return shutil.which("gcc") or shutil.which("cc")


def test_firmware_core_passes_its_host_tests(tmp_path: Path) -> None:
    cc = host_compiler()
    if cc is None:
        if os.environ.get("CRAMPDETECT_REQUIRE_FIRMWARE") == "1":
            pytest.fail("no host C compiler, and CRAMPDETECT_REQUIRE_FIRMWARE=1")
        pytest.skip("no host C compiler")
    result = subprocess.run(
        ["sh", str(CORE_TESTS), str(tmp_path), cc],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHON": sys.executable},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 failed" in result.stdout
    checks = int(result.stdout.split("core tests: ")[1].split()[0])
    assert checks > 100  # every golden vector was checked
