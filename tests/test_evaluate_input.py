"""``evaluate --json`` says what it scored: a hash over the folder's recordings and labels."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from crampdetect.cli import main
from crampdetect.provenance import folder_input, generated_input


@pytest.fixture(scope="module")
def labelled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("evalin") / "set"
    folder.mkdir()
    for name, scenario, seed in (("a.csv", "cramp", "1"), ("b.csv", "night-short", "2")):
        out = str(folder / name)
        assert (
            main(["simulate", scenario, "--seed", seed, "--duration", "60", "-q", "--out", out])
            == 0
        )
    (folder / "notes.txt").write_text("not a recording: not scored, not hashed\n")
    return folder


def _evaluate(capsys: pytest.CaptureFixture[str], folder: Path) -> dict:
    capsys.readouterr()
    assert main(["evaluate", str(folder), "--json", "-q"]) == 0
    return json.loads(capsys.readouterr().out)["provenance"]["input"]


def test_the_same_folder_gives_the_same_hash_and_a_label_changed_another(
    labelled, tmp_path, capsys
) -> None:
    first = _evaluate(capsys, labelled)
    files = sorted(p for p in labelled.iterdir() if p.name != "notes.txt")
    lines = "".join(
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in files
    )  # as `sha256sum FILE... | sort -k2` prints them
    assert first["sha256"] == hashlib.sha256(lines.encode()).hexdigest()
    assert first["reader"] == "folder" and first["files"] == len(files) == 4
    assert first["size_bytes"] == sum(p.stat().st_size for p in files)
    # a copy elsewhere, its files written in another order: the same input
    copy = tmp_path / "copy"
    copy.mkdir()
    for p in reversed(files):
        shutil.copyfile(p, copy / p.name)
    again = _evaluate(capsys, copy)
    assert again["sha256"] == first["sha256"] and again["path"] == str(copy)
    # one label changed: another input
    labels = copy / "b.labels.json"
    doc = json.loads(labels.read_text())
    doc["seed"] = -1
    labels.write_text(json.dumps(doc))
    assert _evaluate(capsys, copy)["sha256"] != first["sha256"]


def test_the_folder_hash_is_independent_of_the_order_given(labelled) -> None:
    recordings = sorted(labelled.glob("*.csv"))
    assert folder_input(labelled, recordings) == folder_input(labelled, recordings[::-1])


def test_generated_sets_are_named_by_their_cache_folders() -> None:
    a = generated_input({"standard/0": "/c/standard-seed0-8h-1a2b3c4d", "stress/0": "stress-x"})
    b = generated_input({"stress/0": "stress-x", "standard/0": "standard-seed0-8h-1a2b3c4d"})
    assert a == b and a["sets"]["standard/0"] == "standard-seed0-8h-1a2b3c4d"
    assert generated_input({"standard/0": "standard-seed0-8h-ffffffff"})["sha256"] != a["sha256"]


def test_generated_and_several_set_folders_say_what_was_scored(labelled, tmp_path, capsys) -> None:
    capsys.readouterr()
    argv = ["evaluate", "--seeds", "5", "--sets", "standard", "--standard-hours", "0.02"]
    assert main([*argv, "--cache", str(tmp_path), "--workers", "1", "-q", "--json"]) == 0
    generated = json.loads(capsys.readouterr().out)["provenance"]["input"]
    (folder,) = (p for p in tmp_path.iterdir() if p.name.startswith("standard-seed5-"))
    assert generated["reader"] == "generated sets"
    assert generated["sets"] == {"standard/5": folder.name}
    second = tmp_path / "second"
    shutil.copytree(labelled, second)
    files = sorted(p.name for p in second.glob("*.csv"))
    (second / "manifest.json").write_text(
        json.dumps({"seed": 7, "variant": "stress", "files": files})
    )
    assert main(["evaluate", str(labelled), str(second), "--json", "--workers", "1", "-q"]) == 0
    both = json.loads(capsys.readouterr().out)["provenance"]["input"]
    assert both["reader"] == "folders" and sorted(both["sets"]) == ["standard/0", "stress/7"]
    alone = _evaluate(capsys, labelled)
    assert both["sets"]["standard/0"]["sha256"] == alone["sha256"]
