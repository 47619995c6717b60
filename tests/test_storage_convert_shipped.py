"""Every shipped real recording converts to the detect CSV layout and reads back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crampdetect.cli import main
from crampdetect.storage.csvfile import open_csv

REC = Path(__file__).resolve().parents[1] / "recordings"
FILES = sorted(
    folder / name
    for folder in REC.iterdir()
    if (folder / "recordings.json").exists()
    for name in json.loads((folder / "recordings.json").read_text()).get("files", {})
)


@pytest.mark.parametrize("src", FILES, ids=lambda p: p.name)
def test_shipped_recording_converts_to_csv(src, tmp_path):
    out = tmp_path / "out.csv"
    assert main(["convert", str(src), str(out)]) == 0
    stream = open_csv(out)
    assert sum(b.n_samples for b in stream.blocks()) > 1000
