"""The one-call API gives what the CLI gives; the README's Python example runs as written."""

from __future__ import annotations

import doctest
import json
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO

import crampdetect
from crampdetect.cli import main
from crampdetect.core import InputError


def _outcome(result: crampdetect.Detection) -> dict:
    """What was found (``to_dict()`` without ``provenance``, which names the input read)."""
    doc = result.to_dict()
    return {"events": doc["events"], "quality": doc["quality"]}


def _cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    capsys.readouterr()
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def counts_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A simulated cramp as 10-bit ADC counts (units, signal and bits left to inference)."""
    out = tmp_path_factory.mktemp("api") / "cramp.csv"
    args = ["simulate", "cramp", "--seed", "4", "--units", "counts", "--adc-bits", "10"]
    assert main([*args, "--out", str(out)]) == 0
    for side in out.parent.glob("cramp.csv.*"):
        side.unlink()  # a bare CSV: the CLI has to infer, so must the API
    return out


def test_detect_on_an_array_equals_the_cli(counts_csv: Path, capsys) -> None:
    cli = _cli_json(capsys, "detect", str(counts_csv))
    table = np.loadtxt(counts_csv, delimiter=",", skiprows=1)
    header = counts_csv.read_text().splitlines()[0].split(",")
    result = crampdetect.detect(table[:, 1:].T, fs=1000, channels=header[1:], times=table[:, 0])
    assert _outcome(result) == {"events": cli["events"], "quality": cli["quality"]}
    assert result.cramps, "the simulated cramp is found"
    assert (result.representation.units, result.representation.adc_bits) == ("counts", 10)
    assert set(result.inferred) == set(cli["input"]["inferred"])


def test_detect_on_an_opened_edf_equals_replay(counts_csv: Path, tmp_path: Path, capsys) -> None:
    edf = tmp_path / "cramp.edf"
    assert main(["convert", str(counts_csv), str(edf)]) == 0
    cli = _cli_json(capsys, "replay", str(edf), "--profile", "training")
    result = crampdetect.detect(crampdetect.open(edf), profile="training")
    assert _outcome(result) == {"events": cli["events"], "quality": cli["quality"]}
    assert result.channels == tuple(cli["input"]["channels"])


def test_bad_arrays_get_clear_errors() -> None:
    x = np.zeros((5000, 2))
    with pytest.raises(InputError, match=r"pass data\.T"):
        crampdetect.detect(x, fs=1000)
    with pytest.raises(InputError, match="sample rate"):
        crampdetect.detect(x.T)
    with pytest.raises(InputError, match="3 channel names"):
        crampdetect.detect(x.T, fs=1000, channels=("a", "b", "c"))
    with pytest.raises(InputError, match="no such file"):
        crampdetect.open("missing.edf")
    with pytest.raises(InputError, match="no such file"):
        crampdetect.detect("missing.edf")
    for odd in (b"night.csv", [["a", "b"]], {"calf": [1.0]}):  # neither numbers nor a path
        with pytest.raises(InputError, match="data must be numbers"):
            crampdetect.detect(odd, fs=1000)


def test_bad_values_in_an_array_are_flagged_as_the_cli_flags_bad_cells(
    counts_csv: Path, tmp_path: Path, capsys
) -> None:
    """NaN, inf and absurd values are bad samples (``bad_value``), as empty or NaN CSV cells."""
    lines = counts_csv.read_text().splitlines(keepends=True)
    cells = {1000: (1, ""), 2000: (2, "nan"), 3000: (1, "inf"), 4000: (2, "-3e9")}
    for row, (col, text) in cells.items():
        fields = lines[row].rstrip("\n").split(",")
        fields[col] = text
        lines[row] = ",".join(fields) + "\n"
    dirty = tmp_path / "dirty.csv"
    dirty.write_text("".join(lines))
    cli = _cli_json(capsys, "detect", str(dirty))
    table = np.loadtxt(counts_csv, delimiter=",", skiprows=1)
    for row, (col, text) in cells.items():
        table[row - 1, col] = float(text or "nan")
    header = lines[0].strip().split(",")
    result = crampdetect.detect(table[:, 1:].T, fs=1000, channels=header[1:], times=table[:, 0])
    assert _outcome(result) == {"events": cli["events"], "quality": cli["quality"]}
    assert {q.channel for q in result.quality if q.issue == "bad_value"} == set(header[1:])
    assert result.cramps, "the cramp is still found around the bad samples"


def test_to_dict_holds_plain_python_values(counts_csv: Path) -> None:
    """No numpy scalars: the dictionary prints and serialises like the CLI's JSON."""
    table = np.loadtxt(counts_csv, delimiter=",", skiprows=1)
    result = crampdetect.detect(table[:, 1:].T, fs=1000)
    doc = result.to_dict()
    assert result.cramps and "severity" in doc["events"][0]["detail"]

    def leaves(value: object) -> list[object]:
        if isinstance(value, dict):
            return [x for v in value.values() for x in leaves(v)]
        if isinstance(value, list):
            return [x for v in value for x in leaves(v)]
        return [value]

    kinds = {type(v) for v in leaves(doc)}
    assert kinds <= {str, int, float, bool, type(None)}, kinds
    assert "np." not in repr(doc)


def test_the_detect_package_stays_callable_after_its_submodules_load() -> None:
    import crampdetect.detect.settings  # sets crampdetect.detect to the package

    result = crampdetect.detect(np.zeros(3000), fs=1000, units="uV", signal="raw")
    assert result.events == [] and result.channels == ("calf",)


def test_help_and_signature_of_crampdetect_detect_describe_the_call() -> None:
    import inspect
    import pydoc

    from crampdetect import api

    assert inspect.signature(crampdetect.detect) == inspect.signature(api.detect)
    assert list(inspect.signature(crampdetect.detect).parameters)[:3] == ["data", "fs", "profile"]
    text = pydoc.render_doc(crampdetect.detect, renderer=pydoc.plaintext)
    assert "fs : float" in text and "Sample rate in Hz" in text  # api.detect's parameters
    assert "From feature frames to events" in text  # and still what the package holds
    assert text.index("Sample rate in Hz") < text.index("From feature frames to events")


def test_readme_python_example(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    res = doctest.testfile(str(REPO / "README.md"), module_relative=False, optionflags=flags)
    assert res.attempted >= 5 and res.failed == 0


@pytest.fixture(scope="module")
def training_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A simulated training hold whose ``.labels.json`` names the training profile."""
    out = tmp_path_factory.mktemp("api-training") / "hold.csv"
    assert main(["simulate", "hold", "--seed", "1", "--duration", "60", "--out", str(out)]) == 0
    return out


def test_the_api_scores_a_recording_under_the_profile_it_names(training_csv: Path) -> None:
    """Without ``profile`` the functions that score a recording use the one it names, as the
    commands do (not only the label: the events are those of training); an explicit profile
    wins; an array names none: night."""
    from crampdetect.pipeline.offline import detect_file
    from crampdetect.pipeline.rescore import replay, rescore

    rec = crampdetect.open(training_csv)
    found = crampdetect.detect(rec)
    assert found.profile == "training"
    assert found.to_dict() == crampdetect.detect(rec, profile="training").to_dict()
    assert crampdetect.detect(rec, profile="night").profile == "night"
    runs = {
        "replay": (replay(rec), replay(rec, profile="night")),
        "rescore": (rescore(training_csv), rescore(training_csv, profile="night")),
        "detect_file": (detect_file(training_csv), detect_file(training_csv, profile="night")),
    }
    trained = replay(rec, profile="training")["events"]
    for name, (default, night) in runs.items():
        got = [default["input"][k] for k in ("profile", "profile_from", "recorded_profile")]
        assert got == ["training", "recording", "training"], name
        assert default["events"] == trained, name
        got = [night["input"][k] for k in ("profile", "profile_from", "recorded_profile")]
        assert got == ["night", "option", "training"], name
    table = np.loadtxt(training_csv, delimiter=",", skiprows=1)
    assert crampdetect.detect(table[:, 1:].T, fs=1000).profile == "night"


def test_the_api_warns_and_scores_a_night_for_a_profile_it_does_not_know(
    training_csv: Path, tmp_path: Path
) -> None:
    csv = tmp_path / "hold.csv"
    csv.write_bytes(training_csv.read_bytes())
    labels = json.loads(training_csv.with_name("hold.labels.json").read_text())
    (tmp_path / "hold.labels.json").write_text(json.dumps({**labels, "profile": "evening"}))
    with pytest.warns(UserWarning, match="'evening'"):
        assert crampdetect.detect(crampdetect.open(csv)).profile == "night"
    from crampdetect.pipeline.rescore import replay

    result = replay(crampdetect.open(csv))
    assert (result["input"]["profile"], result["input"]["profile_from"]) == ("night", "default")
    assert any("'evening'" in p for p in result["input"]["problems"])


def test_detect_on_a_path_opens_it_and_equals_the_cli(
    counts_csv: Path, tmp_path: Path, capsys
) -> None:
    """A path (str or Path, any format) is opened as ``crampdetect.open`` opens it and scored
    as ``crampdetect detect PATH`` scores it; what the reader left out comes as a warning."""
    cli = _cli_json(capsys, "detect", str(counts_csv))
    for given in (str(counts_csv), counts_csv):
        result = crampdetect.detect(given)
        assert _outcome(result) == {"events": cli["events"], "quality": cli["quality"]}
        assert result.channels == tuple(cli["input"]["channels"])
    assert result.cramps
    edf = tmp_path / "cramp.edf"
    assert main(["convert", str(counts_csv), str(edf)]) == 0
    cli = _cli_json(capsys, "detect", str(edf))
    assert _outcome(crampdetect.detect(str(edf))) == {
        "events": cli["events"],
        "quality": cli["quality"],
    }
    with pytest.raises(InputError, match="disagrees"):
        crampdetect.detect(counts_csv, fs=500)
    with pytest.raises(InputError, match="no such file"):
        crampdetect.detect(tmp_path / "missing.csv")
    # a torque column beside the EMG is left out, by name, with the CLI's warning
    lines = counts_csv.read_text().splitlines()
    torque = tmp_path / "torque.csv"
    rows = [f"{line},{i % 7}" for i, line in enumerate(lines[1:])]
    torque.write_text("\n".join([lines[0] + ",torque_Nm", *rows]) + "\n")
    cli = _cli_json(capsys, "detect", str(torque))
    with pytest.warns(UserWarning, match="torque_Nm not read"):
        result = crampdetect.detect(torque)
    assert _outcome(result) == {"events": cli["events"], "quality": cli["quality"]}
    assert "torque_Nm" not in result.channels


def test_channels_choose_among_a_recordings_channels_as_the_cli_does(
    counts_csv: Path, tmp_path: Path, capsys
) -> None:
    """``channels`` of a recording or a path: those, in that order (``--channels``); a name
    it does not have is refused naming the channels it has."""
    names = counts_csv.read_text().splitlines()[0].split(",")[1:]
    assert len(names) == 2
    edf = tmp_path / "cramp.edf"
    assert main(["convert", str(counts_csv), str(edf)]) == 0
    for path in (counts_csv, edf):
        for chosen in ([names[1]], names[::-1]):
            cli = _cli_json(capsys, "detect", str(path), "--channels", ",".join(chosen))
            expect = {"events": cli["events"], "quality": cli["quality"]}
            for data in (path, crampdetect.open(path)):
                result = crampdetect.detect(data, channels=chosen)
                assert result.channels == tuple(chosen) == tuple(cli["input"]["channels"])
                assert _outcome(result) == expect
        for data in (path, crampdetect.open(path)):
            with pytest.raises(InputError, match=rf"no column calf_middle.*{names[0]}"):
                crampdetect.detect(data, channels=["calf_middle"])
