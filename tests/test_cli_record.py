"""``record --duration``: what the recording holds, and why when it holds less."""

from __future__ import annotations

from pathlib import Path

import pytest

from crampdetect.cli import main
from crampdetect.storage.reader import open_recording


def test_a_source_that_ends_early_is_named(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """night-short is 240 s of simulated board, with a 0.3 s loss of the link: asked for
    240 s, ``record`` keeps every sample received and says why that is less."""
    out = tmp_path / "short.cdrec"
    url = "sim://night-short?speed=0"
    assert main(["record", url, "--out", str(out), "--duration", "240", "--quiet"]) == 0
    captured = capsys.readouterr()
    rec = open_recording(out)
    assert f"saved {out}: {rec.n_samples} samples, {rec.n_samples / rec.fs:.1f} s" in captured.out
    assert rec.n_samples == 239_709  # every sample the board sent, its last short frame too
    assert "the source ended after 239.7 s of signal, before --duration 240 s" in captured.err
    assert "0.3 s of it lost in 1 gap of the stream" in captured.err


def test_a_duration_reached_says_nothing_more(tmp_path: Path, capsys) -> None:
    out = tmp_path / "full.cdrec"
    assert main(["record", "sim://cramp?speed=0", "--out", str(out), "--duration", "20"]) == 0
    captured = capsys.readouterr()
    assert open_recording(out).n_samples == 20_000
    assert "the source ended" not in captured.err
