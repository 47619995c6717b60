"""A WAV without its sidecar: the warning says exactly how to give the scale, and that works."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from crampdetect.cli import main
from crampdetect.storage.reader import open_recording

sf = pytest.importorskip("soundfile")


def test_the_sidecar_the_warning_shows_gives_the_scale(tmp_path, capsys) -> None:
    uv = np.random.default_rng(0).normal(0.0, 40.0, size=(5000, 2))  # 40 µV RMS
    wav = tmp_path / "rec.wav"
    sf.write(wav, uv / 400.0, 1000, subtype="FLOAT")  # a float WAV: 400 µV per stored unit
    (warning,) = [p for p in open_recording(wav).problems if "sidecar" in p]
    assert "--units" in warning
    template = re.search(r"(\{.*\}) \(the channels", warning)
    assert template, warning
    doc = json.loads(template.group(1).replace("UV_PER_STORED_UNIT", "400"))
    doc["channels"] = ["calf_left", "calf_right"]
    (tmp_path / "rec.wav.session.json").write_text(json.dumps(doc), encoding="utf-8")

    rec = open_recording(wav)
    assert not rec.problems and rec.channels == ("calf_left", "calf_right")
    assert rec.representation.units == "uV"
    _, data = rec.load()
    np.testing.assert_allclose(data, uv.T, rtol=1e-6, atol=1e-4)
    assert main(["detect", str(wav)]) == 0  # and detect reads it in µV, without the warning
    captured = capsys.readouterr()
    assert "raw in uV" in captured.out and "sidecar" not in captured.err
