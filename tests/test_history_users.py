"""Two wearers on one machine: `history` and `summary` keep their nights apart with --user."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crampdetect.cli import main


def result(duration_s: float, cramp: bool) -> dict:
    events = [
        {"channel": "calf_left", "kind": "cramp", "onset_s": 100.0, "alert_s": 103.0,
         "end_s": 160.0, "confidence": 0.7}
    ] if cramp else []  # fmt: skip
    return {
        "input": {"channels": ["calf_left", "calf_right"], "duration_s": duration_s},
        "events": events,
        "quality": [],
    }


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CRAMPDETECT_HOME", str(tmp_path / "home"))
    return tmp_path


def _import(home: Path, name: str, day: int, user: str, cramp: bool) -> None:
    path = home / f"{name}.json"
    path.write_text(json.dumps(result(20_000.0 + day, cramp)))  # a file of its own per night
    started = f"2026-11-{day:02d}T23:30"
    assert main(["history", "--import", str(path), "--started", started, "--user", user]) == 0


def test_two_wearers_nights_are_kept_apart(home: Path, capsys) -> None:
    for day in range(16, 21):  # mum: a cramp on 5 nights of one week
        _import(home, f"mum{day}", day, "mum", cramp=True)
    _import(home, "dad20", 20, "dad", cramp=False)
    capsys.readouterr()

    assert main(["history"]) == 0
    listing = capsys.readouterr().out
    assert "user" in listing.splitlines()[0]
    assert sum(" mum " in line for line in listing.splitlines()) == 5
    assert sum(" dad " in line for line in listing.splitlines()) == 1

    assert main(["history", "--user", "dad"]) == 0
    assert len([ln for ln in capsys.readouterr().out.splitlines() if "2026-11-20" in ln]) == 1

    assert main(["summary", "--user", "dad"]) == 0
    dad = capsys.readouterr().out
    assert "No cramps detected." in dad
    assert "For your information" not in dad  # mum's cramp nights are not dad's

    assert main(["summary", "--user", "mum"]) == 0
    assert "cramps on 5 nights within one week" in capsys.readouterr().out

    assert main(["summary"]) == 0
    assert "every wearer together (dad, mum)" in capsys.readouterr().out

    out = home / "dad.json"
    assert main(["history", "--user", "dad", "--export", str(out)]) == 0
    assert "Exported 1 session" in capsys.readouterr().out

    assert main(["history", "--user", "dad", "--delete", "--yes"]) == 0
    assert "Deleted 1 session" in capsys.readouterr().out
    assert main(["history", "--user", "mum"]) == 0
    assert (
        sum("mum" in line or "2026-11-" in line for line in capsys.readouterr().out.splitlines())
        == 5
    )
