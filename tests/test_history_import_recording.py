"""`history --import RESULT --recording REC`: REC is read once, for its start and its timeline."""

from __future__ import annotations

from pathlib import Path

from crampdetect.cli import main
from crampdetect.storage.history import open_history
from crampdetect.storage.paths import HOME_ENV


def test_import_with_a_recording_opens_it_once(tmp_path: Path, monkeypatch, capsys) -> None:
    import crampdetect.reports.activity as activity
    import crampdetect.storage.reader as reader

    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    rec, res = tmp_path / "t.csv", tmp_path / "t.json"
    assert main(["simulate", "training", "--seed", "1", "--duration", "120", "-q",
                 "--out", str(rec)]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["detect", str(rec), "--json"]) == 0
    res.write_text(capsys.readouterr().out)

    opened: list[Path] = []
    real_open = reader.open_recording

    def counting_open(path, *args, **kwargs):
        opened.append(Path(path).resolve())
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(reader, "open_recording", counting_open)
    monkeypatch.setattr(activity, "open_recording", counting_open)
    # no --started and a result that does not say when it began: REC is asked for its start
    assert main(["history", "--import", str(res), "--recording", str(rec)]) == 0
    assert "Imported training session" in capsys.readouterr().out
    assert opened.count(rec.resolve()) == 1, opened
    with open_history() as history:
        (session,) = history.sessions(profile="training")
        runs = history.records("activity", session["id"])
    assert {r["leg"] for r in runs} == {"calf_left", "calf_right"}
    assert {r["activity"] for r in runs} >= {"walking"}
