"""The Python API takes what the CLI takes: ``settings`` is ``--set``, ``user`` is ``--user``,
``detect_many`` is ``detect FOLDER``; ``Detection.table()`` is the events without pandas.

Real files in temporary folders (a simulated CSV, its EDF copy written by ``convert``, a
corrupt EDF), compared with the CLI run on the same files (``main``).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import crampdetect
from crampdetect.calibration import ChannelCalibration, save_calibration
from crampdetect.cli import main
from crampdetect.core import InputError, Representation


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([*args, "-q"])
    out, err = capsys.readouterr()
    return code, out, err


def _cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    code, out, err = _cli(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def _events(doc: dict) -> dict:
    """What was found: ``events`` and ``quality`` (not ``provenance``, which names the input)."""
    return {"events": doc["events"], "quality": doc["quality"]}


def _outcome(result: crampdetect.Detection) -> dict:
    return _events(result.to_dict())


@pytest.fixture(scope="module")
def cramp_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A simulated cramp on calf_right, 10-bit counts (alerted by the quiet path at 65 s)."""
    out = tmp_path_factory.mktemp("api-options") / "cramp.csv"
    args = ["simulate", "cramp", "--seed", "4", "--units", "counts", "--adc-bits", "10"]
    assert main([*args, "--out", str(out), "-q"]) == 0
    return out


# -- settings: --set ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "option"),
    [({"fast_s": 600}, "fast_s=600"), ({"max_cramp_s": 1.0}, "max_cramp_s=1")],
)
def test_settings_change_the_decision_where_set_does(cramp_csv, capsys, settings, option) -> None:
    default = crampdetect.detect(cramp_csv)
    changed = crampdetect.detect(cramp_csv, settings=settings)
    assert _outcome(changed) != _outcome(default)  # the setting reached the detector
    cli = _cli_json(capsys, "detect", str(cramp_csv), "--set", option)
    assert _outcome(changed) == _events(cli)
    rec = crampdetect.open(cramp_csv)  # on an opened recording and an array too
    assert _outcome(crampdetect.detect(rec, settings=settings)) == _events(cli)
    table = np.loadtxt(cramp_csv, delimiter=",", skiprows=1)
    names = tuple(cramp_csv.read_text().splitlines()[0].split(",")[1:])
    array = crampdetect.detect(
        table[:, 1:].T, fs=1000, channels=names, times=table[:, 0], settings=settings
    )
    assert _outcome(array) == _events(cli)


def test_a_switch_takes_a_bool_or_the_clis_words(cramp_csv, capsys) -> None:
    cli = _cli_json(capsys, "detect", str(cramp_csv), "--set", "early_warning=false")
    for off in (False, "false", "off", "0", "no", "No"):
        result = crampdetect.detect(cramp_csv, settings={"early_warning": off})
        assert _outcome(result) == _events(cli)
    for word in ("no", "NO"):  # the command line takes the same words (one owner)
        said = _cli_json(capsys, "detect", str(cramp_csv), "--set", f"early_warning={word}")
        assert _events(said) == _events(cli)
    warned = _cli_json(capsys, "detect", str(cramp_csv), "--set", "early_warning=yes")
    assert _events(warned) == _outcome(
        crampdetect.detect(cramp_csv, settings={"early_warning": "yes"})
    )
    assert _events(warned) == _outcome(crampdetect.detect(cramp_csv))  # on by default


@pytest.mark.parametrize(
    ("settings", "option"),
    [
        ({"no_such_setting": 1}, "no_such_setting=1"),
        ({"slow_s": 0}, "slow_s=0"),
        ({"slow_s": float("nan")}, "slow_s=nan"),
        ({"on_ratio": 1e9}, "on_ratio=1e9"),
        ({"early_warning": "maybe"}, "early_warning=maybe"),
        ({"slow_s": "x"}, "slow_s=x"),
    ],
)
def test_bad_settings_are_refused_with_the_clis_message(
    cramp_csv, tmp_path, capsys, settings, option
) -> None:
    code, _, err = _cli(capsys, "detect", str(cramp_csv), "--set", option)
    assert code == 2
    message = err.strip().splitlines()[-1]
    message = message.removeprefix("crampdetect detect: error: ")
    message = message.removeprefix(f"{cramp_csv.name}: ")
    message = message.replace("--set ", "settings ")  # the option as the API names it
    for data in (cramp_csv, np.zeros(3000)):
        with pytest.raises(InputError) as caught:
            crampdetect.detect(data, fs=None if isinstance(data, Path) else 1000, settings=settings)
        assert str(caught.value) == message
    with pytest.raises(InputError) as caught:  # before any recording is looked for
        crampdetect.detect_many(tmp_path / "nothing-read-yet", settings=settings)
    assert str(caught.value) == message


def test_a_bool_is_not_a_number_of_seconds() -> None:
    with pytest.raises(InputError, match=r"settings slow_s: True is not a number"):
        crampdetect.detect(np.zeros(3000), fs=1000, settings={"slow_s": True})


# -- user: --user ---------------------------------------------------------------------------


def test_user_uses_the_stored_calibration_as_the_cli(cramp_csv, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CRAMPDETECT_HOME", str(tmp_path / "home"))
    with pytest.raises(InputError, match="No calibration for user 'anna'"):
        crampdetect.detect(cramp_csv, user="anna")
    rep = Representation("raw", "uV", None)
    # a rest far above this recording's: the CLI warns that it does not fit; so does the API
    cal = [ChannelCalibration(c, c.split("_")[1], 40.0, 800.0, 40.0, 3) for c in ("calf_right",)]
    save_calibration("anna", cal, rep, 1000.0, "test")
    home = tmp_path / "home"
    assert (home / "profiles" / "anna.json").exists()
    args = ("detect", str(cramp_csv), "--channels", "calf_right", "--user", "anna")
    cli = _cli_json(capsys, *args)
    problems = [p for p in cli["input"]["problems"] if "anna" in p]
    assert problems, cli["input"]
    with pytest.warns(UserWarning) as caught:
        result = crampdetect.detect(cramp_csv, channels=["calf_right"], user="anna")
    assert _outcome(result) == _events(cli)
    assert [str(w.message) for w in caught if "anna" in str(w.message)] == problems
    plain = crampdetect.detect(cramp_csv, channels=["calf_right"])
    assert _outcome(plain) != _outcome(result), "the calibration reached the detector"
    # a calibration without the scored channel is refused, as the CLI refuses it
    with pytest.raises(InputError, match=r"no entry for channel\(s\) calf_left"):
        crampdetect.detect(cramp_csv, user="anna")


# -- detect_many: detect FOLDER -------------------------------------------------------------


@pytest.fixture
def study(cramp_csv: Path, tmp_path: Path) -> Path:
    """A folder as a study holds it: a CSV (with its labels), an EDF, a corrupt EDF, a note."""
    folder = tmp_path / "study"
    folder.mkdir()
    for f in cramp_csv.parent.glob("cramp.*"):
        (folder / f.name).write_bytes(f.read_bytes())
    assert main(["convert", str(folder / "cramp.csv"), str(folder / "copy.edf"), "-q"]) == 0
    (folder / "broken.edf").write_bytes(b"0       " + bytes(range(256)) * 3)
    (folder / "notes.txt").write_text("left calf sore\n")
    return folder


def test_detect_many_over_a_folder_gives_each_result_and_an_error_object(study, capsys):
    code, out, _ = _cli(capsys, "detect", str(study), "--json")
    assert code == 2  # the broken file
    lines = [json.loads(line) for line in out.splitlines()]
    with pytest.warns(UserWarning, match=r"skipped 1 non-recording file\(s\): .*notes\.txt"):
        results = list(crampdetect.detect_many(study))
    assert [r.path for r in results] == [line["path"] for line in lines]
    assert [type(r).__name__ for r in results] == ["DetectionFailure", "Detection", "Detection"]
    broken, copy, csv = results
    assert isinstance(broken, crampdetect.DetectionFailure)
    assert broken.path.endswith("broken.edf") and broken.error
    assert broken.to_dict()["events"] == [] and "error" in lines[0]
    for result, line in zip((copy, csv), lines[1:], strict=True):
        assert _outcome(result) == _events(line)
        assert result.cramps
    assert _outcome(csv) == _outcome(crampdetect.detect(study / "cramp.csv"))
    # the same in two processes, with the options of detect
    with pytest.warns(UserWarning, match="notes.txt"):
        many = list(crampdetect.detect_many([study], workers=2, settings={"fast_s": 600}))
    assert [type(r) for r in many] == [type(r) for r in results]
    assert _outcome(many[2]) == _outcome(crampdetect.detect(csv.path, settings={"fast_s": 600}))


def test_detect_many_yields_as_it_goes_and_refuses_what_the_cli_refuses(study, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        first = next(crampdetect.detect_many(study))
    assert isinstance(first, crampdetect.DetectionFailure)
    with pytest.raises(InputError, match=r"is a folder: crampdetect\.detect_many"):
        crampdetect.detect(study)
    empty = tmp_path / "empty"
    (empty / "night1").mkdir(parents=True)
    (empty / "night1" / "a.csv").write_bytes((study / "cramp.csv").read_bytes())
    with pytest.raises(InputError, match=r"nothing to score.*--recursive"):
        with pytest.warns(UserWarning, match=r"skipped 1 .*night1/"):  # as the CLI says
            crampdetect.detect_many(empty)
    (found,) = crampdetect.detect_many(empty, recursive=True)
    assert found.path == str(empty / "night1" / "a.csv") and found.cramps
    with pytest.raises(InputError, match="workers must be at least 1"):
        crampdetect.detect_many(study, workers=0)
    with pytest.raises(InputError, match="No calibration for user 'nobody'"):
        crampdetect.detect_many(study, user="nobody")
    with pytest.raises(InputError, match="needs one or more paths"):
        crampdetect.detect_many([])


# -- the events as a table --------------------------------------------------------------------


def test_table_is_one_flat_row_per_event(cramp_csv) -> None:
    result = crampdetect.detect(cramp_csv)
    rows = result.table()
    assert len(rows) == len(result.events) >= 1
    doc = result.to_dict()["events"]
    for row, event in zip(rows, doc, strict=True):
        assert next(iter(row)) == "id" and row["id"] == event["id"]  # joins the JSON and report
        assert row["path"] == str(cramp_csv)
        for key in ("channel", "kind", "onset_s", "alert_s", "end_s", "confidence"):
            assert row[key] == event[key]
        assert {k[len("detail_") :]: v for k, v in row.items() if k.startswith("detail_")} == {
            k: event.get("detail", {}).get(k) for k in {k[7:] for k in row if k[:7] == "detail_"}
        }
    assert len({tuple(r) for r in rows}) == 1  # the same keys in every row
    assert crampdetect.detect(np.zeros(3000), fs=1000, units="uV").table() == []


def test_to_frame_gives_the_table_with_pandas_or_says_how(cramp_csv) -> None:
    result = crampdetect.detect(cramp_csv)
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match=r"pip install pandas.*table\(\)"):
            result.to_frame()
        return
    frame = result.to_frame()
    assert frame.to_dict("records") == result.table()
    empty = crampdetect.detect(np.zeros(3000), fs=1000, units="uV").to_frame()
    assert list(empty.columns)[:4] == ["id", "path", "channel", "kind"] and len(empty) == 0


def test_a_failure_names_its_file_once_as_the_clis_json_line(tmp_path, capsys) -> None:
    """``DetectionFailure.error`` is the reason, without the file the ``path`` field names,
    whatever the reader put in front: the ``error`` of ``detect FOLDER --json``."""
    study = tmp_path / "study2"
    study.mkdir()
    (study / "bad.csv").write_text("time_s,calf\n0,1\n0.001\n0.002,1,2\n")
    (study / "broken.wav").write_bytes(b"RIFF not a wave at all")
    (study / "broken.edf").write_bytes(b"0       " + bytes(range(256)) * 3)
    code, out, _ = _cli(capsys, "detect", str(study), "--json")
    assert code == 2
    lines = {Path(d["path"]).name: d["error"] for d in map(json.loads, out.splitlines())}
    failures = list(crampdetect.detect_many(study))
    assert len(failures) == 3
    for failure in failures:
        assert isinstance(failure, crampdetect.DetectionFailure)
        name = Path(failure.path).name
        assert failure.error == lines[name]
        assert not failure.error.startswith((failure.path, name)), failure.error


def test_workers_in_a_script_without_the_main_guard_say_how_to_fix_it(study, tmp_path) -> None:
    """Worker processes import the calling script: without ``if __name__ == "__main__":`` (or
    from ``python -``) one clear error, not a ``BrokenProcessPool``; with the guard it works."""
    import os
    import subprocess
    import sys

    many = f"crampdetect.detect_many({str(study)!r}, workers=2)"
    body = f"import crampdetect\nprint(len(list({many})))\n"
    script = tmp_path / "score.py"
    env = {**os.environ, "PYTHONPATH": str(Path(crampdetect.__file__).parents[1])}
    for name, run in (("script", [str(script)]), ("stdin", ["-"])):
        script.write_text(body)
        done = subprocess.run(
            [sys.executable, *run], input=body, capture_output=True, text=True, env=env, timeout=300
        )
        assert done.returncode != 0, name
        error = "crampdetect.core.CrampDetectError: detect_many(workers=2)"
        (said,) = [x for x in done.stderr.splitlines() if x.startswith(error)] or [done.stderr]
        assert 'if __name__ == "__main__":' in said and "workers=1" in said
    script.write_text(
        'if __name__ == "__main__":\n' + "".join(f"    {x}\n" for x in body.splitlines())
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0 and done.stdout.strip() == "3", done.stderr
