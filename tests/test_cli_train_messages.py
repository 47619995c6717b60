"""``crampdetect train``: the one-class message says what counts; ``--help`` gives defaults."""

from __future__ import annotations

import pytest

from crampdetect.cli import main


def test_help_gives_the_profile_default(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "(default both)" in text.split("--profile")[-1]


def test_only_cramps_says_which_alerts_are_candidates(tmp_path, capsys) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for seed in (0, 1):  # short nights: their only candidates lie in their cramps
        out = data / f"n{seed}.csv"
        assert main(["simulate", "night-short", "--seed", str(seed), "--out", str(out), "-q"]) == 0
    capsys.readouterr()
    argv = ["train", "--data", str(data), "--out", str(tmp_path / "m"), "--profile", "night"]
    assert main(argv) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "no candidate alert fell outside a cramp" in err
    assert "fast and quiet paths" in err and "slow path" in err
    assert "--negatives" in err
