"""Replay equals detect; recording a board through the CLI survives SIGKILL; CLI bad input."""

from __future__ import annotations

import json
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from crampdetect.cli import main
from crampdetect.core import Block, Representation
from crampdetect.pipeline import Pipeline
from crampdetect.pipeline.offline import detect_file, event_dict
from crampdetect.pipeline.rescore import replay
from crampdetect.storage.formats import export
from crampdetect.storage.reader import open_recording
from crampdetect.storage.session import SessionWriter

FS = 1000.0
CH = ("calf_left", "calf_right")
REP = Representation("raw", "counts", 10)


def night(seed: int = 0, duration_s: float = 150.0) -> tuple[np.ndarray, np.ndarray]:
    """10-bit counts: rest, a 60 s waxing/waning contraction on the left, a gap, a lead-off."""
    import scipy.signal as ss

    rng = np.random.default_rng(seed)
    n = int(duration_s * FS)
    t = np.arange(n) / FS
    x = ss.sosfilt(
        ss.butter(4, [20, 450], "bandpass", fs=FS, output="sos"), rng.normal(size=(2, n))
    )
    x /= x.std(axis=1, keepdims=True)
    amp = np.full((2, n), 4.0)
    c = (t > 30) & (t < 90)
    amp[0, c] = 250 * (1 + 0.4 * np.sin(2 * np.pi * 0.2 * t[c])) * np.clip((t[c] - 30) / 2, 0, 1)
    counts = np.clip(np.round(512 + x * amp / (5.0 / 1024 / 200 * 1e6)), 0, 1023)
    counts[1, (t > 110) & (t < 130)] = 1023  # lead-off: stuck at the rail
    keep = ~((t > 60) & (t < 60.5))  # 0.5 s of lost packets
    return t[keep], counts[:, keep]


def write_csv(path: Path, t: np.ndarray, counts: np.ndarray) -> Path:
    with open(path, "w") as fh:
        fh.write("time_s," + ",".join(CH) + "\n")
        np.savetxt(fh, np.column_stack([t, counts.T]), fmt=["%.3f", "%d", "%d"], delimiter=",")
    return path


@pytest.fixture(scope="module")
def night_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_csv(tmp_path_factory.mktemp("night") / "night.csv", *night())


def record_live(path: Path, t: np.ndarray, counts: np.ndarray) -> None:
    """Feed the samples as a live board would (odd block sizes) into pipeline + recorder."""
    pipe = Pipeline(FS, CH, REP, "night")
    index = np.round(t * FS).astype(int)
    rng = np.random.default_rng(5)
    with SessionWriter(path, fs=FS, channels=CH, representation=REP) as w:
        i = 0
        while i < t.size:
            j = min(i + int(rng.integers(5, 80)), t.size)
            brk = np.flatnonzero(np.diff(index[i:j]) > 1)
            j = i + int(brk[0]) + 1 if brk.size else j
            gap = int(index[i] - index[i - 1] - 1) if i else 0
            block = Block(
                counts[:, i:j], FS, start=int(index[i]), t0=float(t[i]), gap=gap, channels=CH
            )
            w.write(block)
            w.write_output(pipe.push(block))
            i = j
        w.write_output(pipe.finish())


def test_replay_of_csv_gives_exactly_the_detect_events(night_csv: Path) -> None:
    expected = detect_file(night_csv, profile="night")
    got = replay(open_recording(night_csv), profile="night")
    assert expected["events"], "the scene must contain a detected cramp"
    assert any(q["issue"] == "lead_off" for q in expected["quality"])
    assert got["events"] == expected["events"]
    assert got["quality"] == expected["quality"]
    for key in ("sample_rate_hz", "channels", "signal", "units", "adc_bits", "gaps", "duration_s"):
        assert got["input"][key] == expected["input"][key], key


def test_live_session_replays_like_detect_on_its_csv_and_edf(
    night_csv: Path, tmp_path: Path
) -> None:
    t, counts = night()
    session = tmp_path / "live.cdrec"
    record_live(session, t, counts)
    rec = open_recording(session)
    expected = detect_file(night_csv, profile="night")
    # the events stored live, the replayed session and its EDF+ copy all agree with detect
    assert [event_dict(e) for e in rec.events] == expected["events"]  # ids too
    assert replay(rec, profile="night")["events"] == expected["events"]
    assert replay(rec, profile="night")["quality"] == expected["quality"]
    edf = open_recording(export(rec, tmp_path / "live.edf"))
    assert replay(edf, profile="night")["events"] == expected["events"]
    csv = export(rec, tmp_path / "live.csv")
    assert detect_file(csv, profile="night")["events"] == expected["events"]


def test_replay_cli_json_matches_detect_cli(night_csv: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["detect", str(night_csv), "--json"]) == 0
    detect_out = json.loads(capsys.readouterr().out)
    assert main(["replay", str(night_csv), "--json"]) == 0
    replay_out = json.loads(capsys.readouterr().out)
    assert replay_out["events"] == detect_out["events"]
    assert replay_out["input"]["inferred"] == detect_out["input"]["inferred"]


def test_replay_speed_paces_like_a_board(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    t, counts = night(duration_s=2.0)
    path = write_csv(tmp_path / "short.csv", t, counts)
    start = time.monotonic()
    assert main(["replay", str(path), "--speed", "4"]) == 0
    assert time.monotonic() - start >= 0.45  # 2 s of signal at 4x takes >= 0.5 s
    assert re.search(r"^\d+ events?$", capsys.readouterr().out, re.MULTILINE)


@pytest.mark.parametrize("command", ["replay", "convert", "report"])
def test_cli_bad_input_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture, command: str
) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("hello\nworld\n")
    (tmp_path / "dir").mkdir()
    for bad in ("empty.csv", "notes.txt", "dir", "missing.edf"):
        argv = [command, str(tmp_path / bad)]
        if command == "convert":
            argv.append(str(tmp_path / "out.edf"))
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err, err
    assert not (tmp_path / "out.edf").exists()


@pytest.mark.slow  # > 3 s: the default suite stays under its 4 min budget
def test_record_cli_sigkill_keeps_all_but_the_last_second(tmp_path: Path) -> None:
    from crampdetect.ingest.ptyboard import PtyBoard
    from crampdetect.ingest.sim import BoardEmulator

    counts = np.random.default_rng(9).integers(0, 1024, (2, 60_000)).astype(np.float64)
    t = np.arange(counts.shape[1]) / FS  # white counts: every 64-sample window is unique

    def chunks():
        for i in range(0, t.size, 50):
            yield t[i : i + 50], counts[:, i : i + 50].astype(np.uint16)

    board = BoardEmulator(int(FS), 2, 10, "raw")
    pty = PtyBoard(chunks(), board, tmp_path / "tty", speed=1.0).start()
    out = tmp_path / "night.cdrec"
    cmd = [
        sys.executable,
        "-m",
        "crampdetect",
        "record",
        f"serial://{tmp_path}/tty",
        "--out",
        str(out),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        saved, received = 0, 0.0
        deadline = time.monotonic() + 30
        while saved < 2500 and time.monotonic() < deadline:
            assert select.select([proc.stdout], [], [], 10.0)[0], proc.stderr.read()
            line = proc.stdout.readline()
            if line.startswith("recording"):
                received, saved = float(line.split()[1]), int(line.split()[3])
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        sent = board.n_taken  # taken by the board: received, in the pty, or not yet sent
    finally:
        pty.close()
        proc.stdout.close()
        proc.stderr.close()
    rec = open_recording(out)
    assert any("not closed" in p for p in rec.problems)
    _, got = rec.load()
    assert got.shape[1] >= saved
    # what reached the recorder is a contiguous run of the board's samples, bit for bit
    first = next(
        k for k in range(counts.shape[1]) if np.array_equal(counts[:, k : k + 64], got[:, :64])
    )
    np.testing.assert_array_equal(got, counts[:, first : first + got.shape[1]])
    # of what the recorder had received when it last reported, at most ~1 s is lost
    assert got.shape[1] >= received * FS - 1.05 * FS, (received, got.shape[1])
    assert first + got.shape[1] <= sent
    assert rec.meta["device"]["firmware"] == "sim-1.0"


def test_record_duration_counts_blocks_even_when_one_read_brings_them_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """``--duration`` stops within a block of what was asked even when the board got far
    ahead: here the simulated board queues its whole minute before the first read (as
    ``speed=0`` does when the detector is slower than the simulator)."""
    from crampdetect.ingest.sim import SimTransport

    monkeypatch.setattr(SimTransport, "start", lambda self: self._play())
    out = tmp_path / "sim.cdrec"
    url = "sim://hold?speed=0&duration=60&seed=1"
    assert main(["record", url, "--out", str(out), "--duration", "10", "--quiet"]) == 0
    rec = open_recording(out)
    assert 10.0 <= rec.duration_s <= 10.5, rec.duration_s  # main: the whole 60 s
    assert f"{rec.duration_s:.1f} s" in capsys.readouterr().out
    for bad in ("0", "-5", "nan"):
        assert main(["record", url, "--out", str(tmp_path / "x.cdrec"), "--duration", bad]) == 2
    assert not (tmp_path / "x.cdrec").exists()


def test_live_commands_use_the_profile_their_source_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """``record`` and ``monitor`` on a simulated training scenario without --profile run (and
    record) training and say so, so a later ``detect`` and the history read it back; an
    explicit --profile wins; a night scenario stays a night."""
    monkeypatch.setenv("CRAMPDETECT_HOME", str(tmp_path / "home"))
    hold = "sim://hold?speed=0&duration=20&seed=1"
    for url, given, used in (
        (hold, None, "training"),
        (hold, "night", "night"),
        ("sim://night-short?speed=0&duration=20&seed=1", None, "night"),
    ):
        chosen = ["--profile", given] if given else []
        for command in ("record", "monitor"):
            out = tmp_path / f"{command}-{used}-{given}.cdrec"
            if command == "record":
                argv = ["record", url, "--out", str(out), "--quiet", *chosen]
            else:
                argv = ["monitor", url, "--no-view", "--json-events", "--record", str(out)]
                argv += ["--history", *chosen]
            assert main(argv) == 0, argv
            printed = capsys.readouterr()
            said = f"crampdetect {command}: profile {used}, the one the source names"
            assert (said in printed.err) == (given is None), printed.err
            if command == "record":
                assert printed.out.rstrip().endswith(f"profile {used}"), printed.out
            rec = open_recording(out)
            assert (rec.meta["settings"]["profile"], rec.profile) == (used, used), argv
            assert main(["detect", str(out), "--json"]) == 0
            inp = json.loads(capsys.readouterr().out)["input"]
            assert (inp["profile"], inp["profile_from"]) == (used, "recording"), argv
    assert main(["history", "--export", str(tmp_path / "h.json")]) == 0
    sessions = json.loads((tmp_path / "h.json").read_text())["sessions"]
    assert [s["profile"] for s in sessions] == ["training", "night", "night"]


@pytest.mark.parametrize(
    "name",
    [
        "ta-sustained-tecchio2023/PL_0_01.csv",
        "gait-13muscles-santuz/ID0012_TW_01_raw_emg.csv",
        "uci-lower-limb-sanchez/5Nmar.txt",
        "biosppy-emg-examples/emg_1.txt",
    ],
)
def test_shipped_real_recordings_replay_in_training_without_cramps(name: str) -> None:
    path = Path(__file__).resolve().parent.parent / "recordings" / name
    if not path.exists():
        pytest.skip("recordings/ not present")
    rec = open_recording(path)
    result = replay(rec, profile="training")
    assert result["input"]["format"] == "real" and result["input"]["inferred"] == []
    assert result["input"]["duration_s"] == pytest.approx(rec.n_samples / rec.fs, abs=1e-3)
    assert [e for e in result["events"] if e["kind"] == "cramp"] == []  # voluntary, not cramps


def test_record_a_simulated_board_and_convert_on_close(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "sim.cdrec"
    url = "sim://cramp?speed=0&duration=120&seed=2"
    argv = ["record", url, "--out", str(out), "--duration", "120", "--quiet"]
    assert main([*argv, "--convert", str(tmp_path / "sim.edf")]) == 0
    printed = capsys.readouterr().out
    rec = open_recording(out)
    assert rec.problems == [] and rec.n_samples == 120_000
    assert rec.meta["settings"]["profile"] == "night" and rec.meta["device"]["url"] == url
    stored = [event_dict(e) for e in rec.events]  # the ids stored live too
    replayed = replay(rec, profile="night")["events"]
    assert stored == replayed  # what was alerted live is what a replay finds
    for ev in stored:
        assert f"[{ev['alert_s']:9.2f} s] cramp ALERT on {ev['channel']}" in printed
    edf = open_recording(tmp_path / "sim.edf")
    np.testing.assert_array_equal(edf.load()[1], rec.load()[1])
    core = ("channel", "kind", "onset_s", "alert_s", "end_s", "confidence")
    assert [{k: e.to_dict()[k] for k in core} for e in edf.events] == [
        {k: e[k] for k in core} for e in stored
    ]  # EDF+ annotations carry the event, not the detector's free-form detail
    assert main(["record", url, "--out", str(out)]) == 2  # never overwrites a recording
