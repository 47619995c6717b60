"""Findings of the session-24 new-user tryout (researchers and contributors): a bulk run over
the shipped ``recordings/`` folder, ``convert``'s summary of a CSV, ``replay --block-s``, a
CSV's labels in MNE annotations, and the pings of fast simulated boards.

Every file here is a real file in a temp folder (or the shipped ``recordings/``), written by
``crampdetect simulate`` or ``convert`` and read back by its own library where one is used.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from crampdetect.cli import main

REPO = Path(__file__).resolve().parents[1]


# -- 1. helper tables beside recordings are skipped with a note when a folder is expanded --


def test_detect_over_the_shipped_recordings_folder_succeeds(capsys):
    capsys.readouterr()
    code = main(["detect", str(REPO / "recordings"), "--recursive", "--json", "--workers", "1"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "error" not in err
    cycles = REPO / "recordings" / "gait-13muscles-santuz" / "ID0012_TW_01_cycles.csv"
    assert f"skipped {cycles}: not a recording: the touchdown and liftoff times" in err
    lines = [json.loads(ln) for ln in out.splitlines()]
    assert lines and all("error" not in ln for ln in lines)
    assert str(cycles) not in [ln["path"] for ln in lines]


def _folder_with_tables(labelled: Path, folder: Path) -> Path:
    folder.mkdir()
    for name in ("cramp.csv", "cramp.labels.json"):
        shutil.copy(labelled / name, folder / name)
    # an event table and a gait-cycle table as researchers keep them beside a recording
    (folder / "events_derived.csv").write_text(
        "onset_s,offset_s,duration_s,peak_env_50ms\n7.592,9.232,1.640,1319.3\n"
    )
    (folder / "cycles.csv").write_text("touchdown_s,liftoff_s\n1.414,2.074\n")
    (folder / "trials.csv").write_text("force_N,ankle_angle_deg\n1.0,2.0\n")
    return folder


def test_folder_skips_tables_of_times_and_non_signal_columns(labelled, tmp_path, capsys):
    folder = _folder_with_tables(labelled, tmp_path / "set")
    capsys.readouterr()
    assert main(["detect", str(folder), "--json", "--workers", "1"]) == 0
    out, err = capsys.readouterr()
    assert [json.loads(ln)["path"] for ln in out.splitlines()] == [str(folder / "cramp.csv")]
    for name in ("cycles.csv", "events_derived.csv", "trials.csv"):
        assert f"skipped {folder / name}: not a recording: its columns" in err
    assert "1 of 1 file scored" in err

    out_dir = tmp_path / "copies"
    assert main(["convert", str(folder), "--out", str(out_dir), "--format", "edf"]) == 0
    assert [p.name for p in out_dir.iterdir()] == ["cramp.edf"]
    assert "skipped" in capsys.readouterr().err

    capsys.readouterr()
    code = main(["evaluate", str(folder), "--json", "--workers", "1", "-q"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and not doc.get("failed")


def test_a_table_named_directly_or_a_near_miss_recording_is_still_an_error(
    labelled, tmp_path, capsys
):
    folder = _folder_with_tables(labelled, tmp_path / "set")
    capsys.readouterr()
    assert main(["detect", str(folder / "cycles.csv")]) == 2
    assert "its first column is named 'touchdown_s'" in capsys.readouterr().err
    # one column that may be a signal: a recording whose time column is misnamed
    (folder / "night.csv").write_text("t,calf_left\n0,1\n0.001,2\n0.002,3\n")
    # a name that says EMG is a signal, whatever it ends with
    (folder / "soleus.csv").write_text("onset_s,emg_s\n0,1\n0.001,2\n")
    assert main(["detect", str(folder), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert f"error: {folder / 'night.csv'}: not a recording" in err
    assert f"error: {folder / 'soleus.csv'}: not a recording" in err


# -- 2. convert says it copies stored events, it does not detect --


def test_convert_of_a_csv_says_no_stored_events_not_zero_events(labelled, tmp_path, capsys):
    capsys.readouterr()
    assert main(["convert", str(labelled / "cramp.csv"), str(tmp_path / "c.edf")]) == 0
    out = capsys.readouterr().out
    assert "0 events" not in out and "0 quality intervals" not in out
    assert "no stored events or quality intervals (convert copies them, it does not detect)" in out


# -- 6. a CSV's sidecar labels reach the MNE annotations, as the EDF+ copy carries them --


def test_to_mne_of_a_csv_carries_its_labels_as_the_edf_copy_does(labelled, tmp_path):
    mne = pytest.importorskip("mne")
    pytest.importorskip("edfio")
    import crampdetect
    from crampdetect.storage.formats import to_mne

    raw = to_mne(crampdetect.open(labelled / "cramp.csv"))
    truth = json.loads((labelled / "cramp.labels.json").read_text())
    cramp = next(i for i in truth["intervals"] if i["kind"] == "cramp")
    mine = [
        (round(float(a["onset"]), 2), round(float(a["duration"]), 2), a["description"])
        for a in raw.annotations
        if a["description"].startswith("label ")
    ]
    assert any(text.startswith(f"label cramp {cramp['channel']}") for *_, text in mine)
    assert main(["convert", str(labelled / "cramp.csv"), str(tmp_path / "c.edf")]) == 0
    copy = mne.io.read_raw_edf(tmp_path / "c.edf", verbose=False)
    theirs = [
        (round(float(a["onset"]), 2), round(float(a["duration"]), 2), a["description"])
        for a in copy.annotations
        if a["description"].startswith("label ")
    ]
    assert mine == theirs
    assert any(a["description"].startswith("crampdetect-labels ") for a in raw.annotations)


# -- 5. replay --block-s, as detect has it: the events do not depend on it --


def test_replay_block_s_changes_no_event(labelled, capsys):
    def replay(*extra: str) -> dict:
        capsys.readouterr()
        assert main(["replay", str(labelled / "cramp.csv"), "--json", "-q", *extra]) == 0
        return json.loads(capsys.readouterr().out)

    ref = replay()
    assert any(e["kind"] == "cramp" for e in ref["events"])
    for block_s in ("0.02", "3"):
        got = replay("--block-s", block_s)
        assert got["provenance"]["block_s"] == float(block_s)  # the blocks were cut so
        assert (got["events"], got["quality"]) == (ref["events"], ref["quality"])
    with pytest.raises(SystemExit) as stop:  # refused where it is parsed (test_cli_block_s.py)
        main(["replay", str(labelled / "cramp.csv"), "--block-s", "-1"])
    assert stop.value.code == 2
    assert "--block-s: -1: give a positive number" in capsys.readouterr().err


# -- 7. pings of a board faster than the host: all answered, and a board that does not answer --


def _fast_sim_monitor(silent: bool = False):
    """A 20 s simulated scene played as fast as possible (the board ends its stream long
    before the host, slowed here per block, has scored it); ``silent``: a board that answers
    no command at all."""
    import time

    from crampdetect.ingest.sources import open_source
    from crampdetect.pipeline.live import LiveMonitor

    source = open_source("sim://leadoff?speed=0&duration=20")
    if silent:
        source.transport.board.receive = lambda data: b""
    with source:
        # the board plays its whole stream, its end included, before the host reads any of it
        assert source.transport.wait_played(60)
        monitor = LiveMonitor(source)
        # the host takes a quarter of real time: 5 s for the 20 s the board sent at once
        return monitor.run(on_block=lambda block, out: time.sleep(block.n_samples / block.fs / 4))


def test_pings_sent_while_the_host_catches_up_after_the_end_are_all_acknowledged(monkeypatch):
    from crampdetect.ingest import commands

    # the host remembers few pings here: more than that go out after the end of the stream
    # (a long scenario at speed=0 sends minutes of them), and every one is answered
    monkeypatch.setattr(commands, "PING_MEMORY", 2)
    summary = _fast_sim_monitor()
    stats = summary.stats
    assert stats.ended and stats.pings > 2  # pings went out after the board ended its stream
    assert stats.pings_acked == stats.pings


def test_a_board_that_answers_no_ping_is_still_reported():
    import io

    from crampdetect.cli.monitor import print_summary

    summary = _fast_sim_monitor(silent=True)
    stats = summary.stats
    assert stats.pings >= 2 and stats.pings_acked == 0
    out = io.StringIO()
    print_summary(summary, file=out)
    assert f"pings acknowledged 0/{stats.pings}" in out.getvalue()


# -- 3, 4. docs: every detail field of an event described; the loose-sensor command works --


def _detail_keys() -> set[str]:
    """The keys the detector and the chain put in an event's ``detail`` (dict literals given
    as ``detail=``, or bound to a name ``detail``, and ``<x>.detail["key"] = ...``)."""
    import ast

    keys: set[str] = set()
    for path in sorted((REPO / "crampdetect").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            value = None
            if isinstance(node, ast.keyword) and node.arg == "detail":
                value = node.value
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "detail" for t in node.targets
            ):
                value = node.value
            elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
                if isinstance(node.value, ast.Attribute) and node.value.attr == "detail":
                    if isinstance(node.slice, ast.Constant):
                        keys.add(node.slice.value)
            if isinstance(value, ast.Dict):
                keys |= {k.value for k in value.keys if isinstance(k, ast.Constant)}
    return keys


def test_every_detail_field_of_an_event_is_described_in_detection_md():
    keys = _detail_keys()
    assert {"path", "level_uv", "floor_ratio", "continues"} <= keys
    text = (REPO / "docs" / "detection.md").read_text(encoding="utf-8")
    missing = [k for k in sorted(keys) if f"`detail.{k}`" not in text and f"`{k}`" not in text]
    assert not missing, missing
    for key, unit in (("level_uv", "µV at the skin"), ("floor_ratio", "unitless")):
        described = text.split(f"`detail.{key}`", 1)[1][:400]
        assert unit in described


def test_docs_edf_table_says_physical_units_are_kept_and_every_module_is_in_architecture():
    table = (REPO / "docs" / "recordings.md").read_text(encoding="utf-8")
    edf_row = next(ln for ln in table.splitlines() if ln.startswith("| EDF+ |"))
    assert "keep their unit" in edf_row and "mV" in edf_row
    arch = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    for module in sorted((REPO / "crampdetect").glob("*.py")):
        if not module.name.startswith("_"):
            assert f"| `{module.stem}`" in arch, module.name
    for package in sorted((REPO / "crampdetect").iterdir()):
        if (package / "__init__.py").exists():
            assert f"| `{package.name}`" in arch, package.name


def test_readme_loose_sensor_command_names_a_source_that_opens(capsys):
    import re
    import shlex

    from crampdetect.cli import build_parser
    from crampdetect.ingest.sources import open_source

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    loose = readme[readme.index("A sensor that comes loose") :][:400]
    command = re.search(r"`(crampdetect monitor [^`]+)`", loose).group(1)
    argv = shlex.split(command)[1:]
    args = build_parser().parse_args(argv)
    assert args.url == "sim://leadoff?speed=10"
    source = open_source(args.url)
    assert source.transport.speed == 10.0


def test_answers_read_minutes_after_their_pings_still_count():
    # a host behind its board reads the answers after the minutes of samples queued before
    # them: every ping of those minutes was answered
    from crampdetect.ingest.commands import CommandChannel
    from crampdetect.ingest.frames import AckFrame, CommandFrame, FrameDecoder

    written: list[bytes] = []
    channel = CommandChannel(lambda data: written.append(data) or True, lambda: 0.0)
    for _ in range(300):  # five minutes of heartbeats
        channel.send("ping")
    decoder = FrameDecoder()
    seqs = [f.seq for f in decoder.feed(b"".join(written)) if isinstance(f, CommandFrame)]
    assert len(seqs) == 300
    for n, seq in enumerate(seqs):
        channel.acked(AckFrame(n, seq, 0))
    assert (channel.pings, channel.pings_acked) == (300, 300)
    channel.acked(AckFrame(300, seqs[0], 0))  # an answer twice counts once
    assert channel.pings_acked == 300
