"""One seed, one scene per representation: what ``simulate --help`` and docs/simulator.md say."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crampdetect.cli import main


def _cramps(tmp_path: Path, *extra: str) -> list[tuple[float, float, str]]:
    out = tmp_path / f"s{len(list(tmp_path.iterdir()))}.csv"
    argv = ["simulate", "night-short", "--seed", "3", "--duration", "60", "--rate", "500"]
    assert main([*argv, *extra, "--out", str(out), "-q"]) == 0
    labels = json.loads(out.with_suffix("").with_suffix(".labels.json").read_text())
    return [
        (iv["start_s"], iv["end_s"], iv["channel"])
        for iv in labels["intervals"]
        if iv["kind"] == "cramp"
    ]


def test_help_says_the_representation_is_part_of_the_scene(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["simulate", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "representation is part of the scene" in text
    assert "raw counts" in text and "--signal env" in text


def test_what_the_help_says_holds(tmp_path) -> None:
    uv = _cramps(tmp_path, "--units", "uV")
    assert uv and uv == _cramps(tmp_path, "--units", "mV") == _cramps(tmp_path, "--units", "V")
    counts = _cramps(tmp_path, "--units", "counts")
    assert counts == _cramps(tmp_path, "--units", "counts", "--adc-bits", "12")
    assert counts != uv
    assert _cramps(tmp_path, "--signal", "env", "--rate", "100") not in (uv, counts)


def test_docs_say_it_too() -> None:
    doc = Path(__file__).resolve().parents[1] / "docs" / "simulator.md"
    text = " ".join(doc.read_text(encoding="utf-8").split())
    assert "representation is part of the scene" in text
