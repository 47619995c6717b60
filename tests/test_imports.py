"""`import crampdetect` stays light, and the CLI starts without the heavy optional libraries."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("bleak", "serial", "matplotlib", "sklearn", "dask", "edfio", "soundfile", "scipy")


def _modules(code: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "; import sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _loaded(code: str) -> list[str]:
    return sorted({m.split(".")[0] for m in _modules(code)} & set(HEAVY))


def test_import_crampdetect_is_light():
    assert _loaded("import crampdetect") == []


def test_cli_parser_is_light():
    assert _loaded("from crampdetect.cli import build_parser; build_parser()") == []


def test_one_call_api_names_load_lazily():
    # reaching the names imports neither the pipeline nor scipy until detect() runs
    assert _loaded("import crampdetect; crampdetect.open; crampdetect.detect") == []
    # detect() may load scipy's compiled filter kernel, never scipy.signal or other heavy libraries
    assert _loaded("import crampdetect; crampdetect.detect([0.0] * 300, fs=300)") in ([], ["scipy"])
    raw = "import numpy as np, crampdetect; crampdetect.detect(np.sin(np.arange(3000.0)), fs=1000)"
    assert "scipy.signal" not in _modules(raw)
