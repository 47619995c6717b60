"""Firmware in the loop: the real Uno ELF runs in simavr; its ADC is fed known millivolts, its
UART goes to a file or a pseudo-terminal, and its motor pin is watched in simulated time."""

from __future__ import annotations

import importlib.util
import itertools
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from crampdetect.ingest.frames import (
    AckFrame,
    CommandFrame,
    FrameDecoder,
    SampleFrame,
    StatusFrame,
    encode_frame,
)


def _load_helpers() -> object:
    """tests/conftest_firmware.py, loaded once by path (tests/ need not be a package)."""
    if "conftest_firmware" in sys.modules:
        return sys.modules["conftest_firmware"]
    spec = importlib.util.spec_from_file_location(
        "conftest_firmware", Path(__file__).with_name("conftest_firmware.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["conftest_firmware"] = module
    spec.loader.exec_module(module)
    return module


fw: Any = _load_helpers()

pytestmark = pytest.mark.firmware


@pytest.fixture(scope="session")
def build(tmp_path_factory: pytest.TempPathFactory) -> fw.Build:
    return fw.build_all(tmp_path_factory.mktemp("firmware"))


@pytest.fixture(scope="session")
def adc_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray]:
    """997 sample sets (prime, so no frame boundary lines up), 0-5300 mV (clips above 5000)."""
    rng = np.random.default_rng(7)
    mv = rng.integers(0, 5300, (997, 2))
    mv[:50, 0] = 2500  # MyoWare RAW rests at VCC/2
    path = tmp_path_factory.mktemp("adc") / "adc_mv.txt"
    path.write_text("".join(f"{a} {b}\n" for a, b in mv))
    return path, mv


def expected_counts(mv: np.ndarray, first_index: int, n: int) -> np.ndarray:
    rows = mv[(first_index + np.arange(n)) % len(mv)]
    return np.minimum(rows * 1023 // fw.VREF_MV, 1023).T


def script_file(path: Path, items: list[tuple[float, bytes]]) -> Path:
    """Host bytes for the harness: one line per write, at a simulated time in ms."""
    path.write_text("".join(f"{ms} {data.hex()}\n" for ms, data in items))
    return path


def vector_bytes(name: str) -> bytes:
    vectors = json.loads((fw.ROOT / "firmware_bridge/protocol/vectors.json").read_text())
    return bytes.fromhex(next(v["hex"] for v in vectors["invalid"] if v["name"] == name))


def check_samples(frames: list, mv: np.ndarray) -> int:
    """Assert sample frames are contiguous and equal the injected values; return sets seen."""
    samples = [f for f in frames if isinstance(f, SampleFrame)]
    assert samples, "no sample frames"
    seqs = np.array([f.seq for f in samples])
    assert np.all(np.diff(seqs) % 65536 == 1), "sample frame sequence gap"
    t_us = np.array([f.t_us for f in samples], dtype=np.int64)
    widths = np.array([f.samples.shape[1] for f in samples])
    assert np.array_equal(np.diff(t_us), widths[:-1] * 1000), "samples missing between frames"
    for frame in samples:
        assert frame.channel_mask == 0b11
        index = frame.t_us // 1000
        want = expected_counts(mv, index, frame.samples.shape[1])
        assert np.array_equal(frame.samples, want), f"frame {frame.seq} differs"
    return int(widths.sum())


def test_firmware_builds_and_fits_an_uno(build: fw.Build) -> None:
    assert build.elf.stat().st_size > 0 and build.harness.exists()
    assert 0 < build.flash_bytes <= 32256
    assert 0 < build.ram_bytes <= 1536  # leaves 512 B of the 2 KB for the stack


def test_sixty_simulated_seconds_match_the_adc_input_without_loss(
    build: fw.Build, adc_file: tuple[Path, np.ndarray], tmp_path: Path
) -> None:
    path, mv = adc_file
    out = tmp_path / "tx.bin"
    harness = fw.Harness.start(build, "-n", "-p", "0", "-t", "61", "-a", str(path), "-o", str(out))
    try:
        stats = harness.finish(timeout=180)
    finally:
        harness.kill()
    assert stats["sim_s"] >= 61 and stats["state"] != 1
    decoder = FrameDecoder()
    frames = decoder.feed(out.read_bytes())
    assert decoder.stats.crc_errors == decoder.stats.malformed == decoder.stats.oversized == 0
    n_sets = check_samples(frames, mv)
    assert n_sets >= 60 * 1000, n_sets  # 2 channels x 1 kHz for >= 60 s, none lost
    status = [f for f in frames if isinstance(f, StatusFrame)]
    assert len(status) >= 60
    assert status[-1].lost_samples == 0 and status[-1].sample_rate_hz == 1000
    assert status[-1].firmware.startswith("cd-uno") and status[-1].adc_bits == 10


def test_motor_pulse_ends_by_itself_and_heartbeat_loss_stops_a_pattern(
    build: fw.Build, tmp_path: Path
) -> None:
    sent = [
        (1000, CommandFrame(1, "ping")),
        (1000, CommandFrame(2, "vibrate", ((400, 0),), repeat=1, intensity=255)),
        (3000, CommandFrame(3, "vibrate", ((1000, 100),), repeat=255, intensity=255)),
        *[(3000 + 500 * k, CommandFrame(100 + k, "ping")) for k in range(1, 9)],  # last: 7000
    ]
    items = [(ms, encode_frame(frame)) for ms, frame in sent]
    items.insert(2, (2000, vector_bytes("cmd_vibrate_pulse_too_long")))  # seq 14, 3001 ms
    script = script_file(tmp_path / "host.txt", items)
    out = tmp_path / "tx.bin"
    harness = fw.Harness.start(
        build, "-n", "-p", "0", "-t", "12", "-i", str(script), "-o", str(out)
    )
    try:
        harness.finish(timeout=60)
    finally:
        harness.kill()
    motor = harness.events("MOTOR")
    assert motor[0][0] == 1 and 1.0 <= motor[0][1] < 1.01, motor
    assert motor[1][0] == 0 and motor[1][1] - motor[0][1] == pytest.approx(0.4, abs=0.003)
    # the 3001 ms pulse was refused: next start is the long pattern at 3 s
    assert motor[2][0] == 1 and 3.0 <= motor[2][1] < 3.01, motor
    # pattern 1000 on / 100 off keeps going while pings arrive, then stops 3 s after the last
    assert any(on == 1 and t > 6.0 for on, t in motor), "pattern stopped while host was alive"
    last_off = motor[-1]
    assert last_off[0] == 0 and last_off[1] == pytest.approx(7.0 + 3.0, abs=0.005), motor
    assert all(b[1] - a[1] <= 3.0 + 1e-3 for a, b in itertools.pairwise(motor) if a[0])
    acks = [f for f in FrameDecoder().feed(out.read_bytes()) if isinstance(f, AckFrame)]
    by_seq = {a.acked_seq: a.status for a in acks}
    assert by_seq.pop(14) == 3  # bad_argument: the 3001 ms pulse
    assert by_seq == {f.seq: 0 for _, f in sent}


def read_frames(port: object, decoder: FrameDecoder, seconds: float, min_sets: int = 0) -> list:
    """Frames read for ``seconds`` of wall time, longer (up to 30 s) until ``min_sets`` sample
    sets arrived: a loaded CI machine may run the simulation slower than real time."""
    frames: list = []
    start = time.monotonic()
    sets = 0
    while (elapsed := time.monotonic() - start) < seconds or (sets < min_sets and elapsed < 30):
        new = decoder.feed(port.read(port.in_waiting or 1))  # type: ignore[attr-defined]
        sets += sum(f.samples.shape[1] for f in new if isinstance(f, SampleFrame))
        frames += new
    return frames


@pytest.fixture
def uno_on_pty(build: fw.Build, adc_file: tuple[Path, np.ndarray]) -> Iterator[fw.Harness]:
    """The Uno firmware running in real time; ``.pty`` is the port, ``.events("MOTOR")`` the pin
    log (simulated time)."""
    harness = fw.Harness.start(build, "-p", "1", "-t", "60", "-T", "90", "-a", str(adc_file[0]))
    try:
        harness.pty = harness.wait_for("PTY ", 10).split()[1]
        yield harness
    finally:
        harness.kill()


def test_pyserial_on_the_pty_streams_frames_and_drives_the_motor(
    uno_on_pty: fw.Harness, adc_file: tuple[Path, np.ndarray]
) -> None:
    serial = pytest.importorskip("serial")
    harness, mv = uno_on_pty, adc_file[1]
    with serial.Serial(harness.pty, 500000, timeout=0.05) as port:
        decoder = FrameDecoder()
        frames = read_frames(port, decoder, 2.0, min_sets=1500)
        assert decoder.stats.crc_errors + decoder.stats.malformed <= 1  # partial first frame
        assert check_samples(frames, mv) >= 1500

        port.write(encode_frame(CommandFrame(40, "ping")))
        port.write(encode_frame(CommandFrame(41, "vibrate", ((300, 0),), intensity=255)))
        on = harness.wait_for("MOTOR 1", 5)
        off = harness.wait_for("MOTOR 0", 5)
        frames += read_frames(port, decoder, 0.3)
    host = [t for _, t in harness.events("HOST")]
    t_on, t_off = (float(x.split()[2].split("=")[1]) for x in (on, off))
    assert 0 <= t_on - host[-1] < 0.005  # motor starts within 5 ms of the command's arrival
    # millis() ticks by 1.024 ms and the loop polls the motor between blocking serial writes
    # (~1 ms per frame at 500000 baud), so the pulse edge lands within a few milliseconds.
    assert t_off - t_on == pytest.approx(0.3, abs=0.006)
    acks = {f.acked_seq: f.status for f in frames if isinstance(f, AckFrame)}
    assert acks == {40: 0, 41: 0}
    assert check_samples(frames, mv) > 0  # still contiguous after the commands


def test_set_rate_changes_the_sampling_clock_without_losing_samples(
    build: fw.Build, adc_file: tuple[Path, np.ndarray], tmp_path: Path
) -> None:
    path, mv = adc_file
    items = [
        (1000, encode_frame(CommandFrame(1, "set_rate", rate_hz=500))),
        (1500, encode_frame(CommandFrame(2, "set_rate", rate_hz=1234))),  # 250 kHz / 1234: no
    ]
    script = script_file(tmp_path / "host.txt", items)
    out = tmp_path / "tx.bin"
    args = ["-n", "-p", "0", "-t", "3", "-a", str(path), "-i", str(script), "-o", str(out)]
    harness = fw.Harness.start(build, *args)
    try:
        harness.finish(timeout=60)
    finally:
        harness.kill()
    frames = FrameDecoder().feed(out.read_bytes())
    acks = {f.acked_seq: f.status for f in frames if isinstance(f, AckFrame)}
    assert acks == {1: 0, 2: 4}  # ok, unsupported
    rates = [f.sample_rate_hz for f in frames if isinstance(f, StatusFrame)]
    assert rates[0] == 1000 and rates[-1] == 500 and rates.index(500) <= 2
    samples = [f for f in frames if isinstance(f, SampleFrame)]
    assert np.all(np.diff([f.seq for f in samples]) == 1)
    values = np.concatenate([f.samples for f in samples], axis=1)
    assert np.array_equal(values, expected_counts(mv, 0, values.shape[1]))  # nothing lost
    # sample period from device time: 1000 µs until the command (~1.0 s), 2000 µs after it
    t_us = np.array([f.t_us for f in samples])
    steps = np.diff(t_us) / [f.samples.shape[1] for f in samples[:-1]]
    switch = int(np.argmax(steps != 1000))
    assert 0.99 <= t_us[switch] / 1e6 <= 1.01
    assert set(steps[:switch]) == {1000} and set(steps[switch:]) == {2000}
    assert 1000 + 2 * 500 * 0.98 <= values.shape[1] <= 1000 + 2 * 500 * 1.02
