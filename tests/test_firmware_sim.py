"""Firmware in the loop: the real Uno ELF runs in simavr; its ADC is fed known millivolts, its
UART goes to a file or a pseudo-terminal, and its motor pin is watched in simulated time."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import conftest_firmware as fw
import numpy as np
import pytest

from crampdetect.ingest.frames import (
    AckFrame,
    ButtonFrame,
    CommandFrame,
    FrameDecoder,
    SampleFrame,
    StatusFrame,
    encode_frame,
)

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


@pytest.mark.slow  # real-time device/stream test; run by .ci/run's slow pass
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
    assert stats["sim_s"] >= 61 and stats["state"] != 1 and stats["resets"] == 0
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


def test_a_command_cut_in_half_by_a_killed_host_does_not_swallow_the_next_hosts_first(
    uno_on_pty: fw.Harness,
) -> None:
    """A host killed in the middle of a write leaves half a frame in the board's receiver; the
    next host's first command must not be glued to it and dropped (it was, and a ``stop`` or a
    prompt then waited 0.5 s for its resend)."""
    serial = pytest.importorskip("serial")
    from crampdetect.ingest.serial import SerialTransport
    from crampdetect.ingest.sources import BoardSource

    harness = uno_on_pty
    cut = encode_frame(CommandFrame(7, "vibrate", ((3000, 0),), repeat=1, intensity=255))
    with serial.Serial(harness.pty, 500000, timeout=0.05) as port:
        port.write(cut[: len(cut) // 2])  # the first host dies here
        port.flush()
    time.sleep(0.2)
    with BoardSource(SerialTransport(harness.pty)) as source:
        assert source.send("vibrate", pulses=((300, 0),), repeat=1, intensity=255)
        end = time.monotonic() + 1.5
        while time.monotonic() < end and not source.acks:
            source.read(0.05)
        acks = [(a.acked_seq, a.status) for a in source.acks]
        resends = source.commands.resends
        source.send("stop")
    assert acks == [(0, 0)] and resends == 0, (acks, resends)
    assert harness.wait_for("MOTOR 1", 5)


KILLED_HOST = """
import os, signal, sys, time
from crampdetect.ingest.serial import SerialTransport
from crampdetect.ingest.sources import BoardSource
source = BoardSource(SerialTransport(sys.argv[1]))
source.__enter__()
source.send("vibrate", pulses=((1000, 100),), repeat=255, intensity=255)
start = last = time.monotonic()
source.send("ping")
while time.monotonic() - start < 2.5:
    source.read(0.05)
    if time.monotonic() - last >= 1.0:
        source.send("ping")
        last = time.monotonic()
os.kill(os.getpid(), signal.SIGKILL)  # mid-pattern: no stop, no close
"""


def test_a_host_killed_mid_pattern_leaves_the_motor_on_3_s_at_most(uno_on_pty: fw.Harness) -> None:
    """The monitor's process dies (SIGKILL: no stop command, the port not even closed cleanly)
    while a long pattern plays: the firmware's heartbeat timeout ends it 3 s after the last byte
    the host sent, and nothing starts it again."""
    pytest.importorskip("serial")
    harness = uno_on_pty
    child = subprocess.run(
        [sys.executable, "-c", KILLED_HOST, harness.pty],
        env={**os.environ, "PYTHONPATH": str(fw.ROOT)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=30,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    while True:  # the host is gone: read the harness's log until 4 s after its last byte
        t = float(harness.wait_for("SIM ", 10).split("=")[1])
        hosts = harness.events("HOST")
        if hosts and t >= hosts[-1][1] + 4:
            break
    last_host = hosts[-1][1]
    motor = harness.events("MOTOR")
    assert any(v == 1 and t <= last_host for v, t in motor) and motor[-1][0] == 0, motor
    assert last_host + 2.0 < motor[-1][1] <= last_host + 3.0 + 0.01, (last_host, motor[-3:])


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


# --- motor safety under a misbehaving host (PROTOCOL.md "Motor safety") -------------------------

MAX_RUN_S = 3.0
MIN_REST_S = 0.1
DUTY_WINDOW_S, DUTY_MAX_ON_S = 60.0, 30.0
# The firmware times the motor on millis(), which ticks by 1.024 ms, and polls it between serial
# writes (~0.7 ms per sample frame): edges land within 2 ms of the ideal; the harness itself cannot
# see pauses under 3 ms (PWM deglitch), so 3 ms is its resolution.
EDGE_S = 0.003


def motor_runs(harness: Any, end_s: float) -> list[tuple[float, float]]:
    """(on, off) simulated times of every motor run; a run still going at the end ends at end_s."""
    runs: list[tuple[float, float]] = []
    on_at = None
    for value, t in harness.events("MOTOR"):
        if value == 1:
            on_at = t
        elif on_at is not None:
            runs.append((on_at, t))
            on_at = None
    if on_at is not None:
        runs.append((on_at, end_s))
    return runs


def worst_window_on_s(runs: list[tuple[float, float]], width: float = DUTY_WINDOW_S) -> float:
    """Most on-time in any ``width`` s window (the worst window starts at some run's start)."""
    return max(
        (sum(max(0.0, min(b, s + width) - max(a, s)) for a, b in runs) for s, _ in runs),
        default=0.0,
    )


def run_flood(
    build: Any, tmp_path: Path, items: list[tuple[float, bytes]], seconds: float
) -> tuple[list[tuple[float, float]], list[AckFrame]]:
    script = script_file(tmp_path / "host.txt", items)
    out = tmp_path / "tx.bin"
    harness = fw.Harness.start(
        build, "-n", "-p", "0", "-t", str(seconds), "-i", str(script), "-o", str(out)
    )
    try:
        stats = harness.finish(timeout=30 + 6 * seconds)
    finally:
        harness.kill()
    assert stats["sim_s"] >= seconds and stats["state"] != 1, stats
    assert stats["resets"] == 0, stats  # the watchdog never fires under a flood
    acks = [f for f in FrameDecoder().feed(out.read_bytes()) if isinstance(f, AckFrame)]
    return motor_runs(harness, seconds), acks


def assert_motor_safe(runs: list[tuple[float, float]], label: str) -> dict[str, float]:
    """Run cap, rest after every run, duty cap; returns the measured figures."""
    assert runs, f"{label}: the motor never ran"
    lengths = [b - a for a, b in runs]
    pauses = [(c - b, b - a) for (a, b), (c, _) in itertools.pairwise(runs)]
    figures = {
        "longest_run_s": max(lengths),
        "shortest_pause_s": min((p for p, _ in pauses), default=float("inf")),
        "worst_60s_on_s": worst_window_on_s(runs),
        "on_s": sum(lengths),
        "runs": len(runs),
    }
    print(label, {k: round(v, 4) for k, v in figures.items()})
    assert figures["longest_run_s"] <= MAX_RUN_S + EDGE_S, (label, figures)
    for pause, run in pauses:  # rest >= max(100 ms, run / 3)
        assert pause >= max(MIN_REST_S, min(run, MAX_RUN_S) / 3) - EDGE_S, (label, pause, run)
    # the window check allows the edge error of every run in it (<= 15 runs of 3 s)
    assert figures["worst_60s_on_s"] <= DUTY_MAX_ON_S + 15 * EDGE_S, (label, figures)
    return figures


def flood_items(every_ms: int, seconds: float, pulses: tuple[tuple[int, int], ...]) -> list:
    """A vibrate command every ``every_ms`` from 0.1 s on (each one is also a heartbeat)."""
    times = np.arange(100.0, seconds * 1000 - 100, every_ms)
    return [
        (ms, encode_frame(CommandFrame(k % 65536, "vibrate", pulses, repeat=255)))
        for k, ms in enumerate(times)
    ]


LONG_PULSE = ((3000, 0),)
ONE_MS_PAUSES = ((3000, 1),) * 8


def test_a_vibrate_flood_never_runs_the_motor_over_3_s_and_rests_after_every_run(
    build: fw.Build, tmp_path: Path
) -> None:
    """Each flood period for 6 simulated s in one run: run cap and rest (duty: the slow test)."""
    items: list = []
    phase_s = 6.0
    for i, every in enumerate((10, 17, 20, 50, 333)):
        items += [
            (ms + i * phase_s * 1000, data)
            for ms, data in flood_items(every, phase_s, LONG_PULSE if i % 2 else ONE_MS_PAUSES)
        ]
    seconds = 5 * phase_s
    runs, acks = run_flood(build, tmp_path, items, seconds)
    figures = assert_motor_safe(runs, "floods 10/17/20/50/333 ms")
    assert len(acks) == len(items) and all(a.status == 0 for a in acks)  # every command taken
    # before the fix a 20 ms flood held the motor on for 18 s; now 3 s runs with >= 1 s rests
    assert figures["longest_run_s"] >= MAX_RUN_S - EDGE_S
    assert figures["shortest_pause_s"] >= 1.0 - EDGE_S
    # every run is followed by a rest of a third of it: at most 3/4 on, bar the last run's rest
    assert figures["on_s"] <= 0.75 * seconds + MAX_RUN_S / 4 + figures["runs"] * EDGE_S


@pytest.mark.slow
@pytest.mark.parametrize("every_ms", [10, 17, 20, 50, 333])
def test_a_vibrate_flood_keeps_the_motor_under_half_duty_over_60_s(
    build: fw.Build, tmp_path: Path, every_ms: int
) -> None:
    seconds = 75.0
    items = flood_items(every_ms, seconds, LONG_PULSE)
    runs, acks = run_flood(build, tmp_path, items, seconds)
    figures = assert_motor_safe(runs, f"flood every {every_ms} ms")
    assert all(a.status == 0 for a in acks)
    # the cap is reached (30 s of on-time), then the 5 min cool-down: no run starts in the rest
    # of the 75 s though the flood goes on (before, the motor resumed once the window drained)
    assert figures["worst_60s_on_s"] >= DUTY_MAX_ON_S - MAX_RUN_S
    assert figures["on_s"] <= DUTY_MAX_ON_S + 15 * EDGE_S
    assert runs[-1][1] < 45.0, runs[-3:]


@pytest.mark.slow
def test_a_pattern_with_1_ms_pauses_and_pings_is_held_to_the_limits(
    build: fw.Build, tmp_path: Path
) -> None:
    """8 x (3000 ms on, 1 ms off) x 255 with a ping every second: formerly 62 s on non-stop."""
    seconds = 75.0
    items = [(100.0, encode_frame(CommandFrame(1, "vibrate", ONE_MS_PAUSES, repeat=255)))]
    items += [
        (ms, encode_frame(CommandFrame(2 + k, "ping")))
        for k, ms in enumerate(np.arange(1000.0, seconds * 1000, 1000))
    ]
    runs, acks = run_flood(build, tmp_path, items, seconds)
    figures = assert_motor_safe(runs, "8 x (3000 on / 1 off) x 255 + pings")
    assert {a.status for a in acks} == {0} and len(acks) == len(items)
    # a 1 ms pause is no rest: either the run cap ends the pattern (the pause fell between two
    # millis() ticks) or the rests stretch it until the duty cap ends it, after <= 30 s on
    assert MAX_RUN_S - EDGE_S <= figures["on_s"] <= DUTY_MAX_ON_S + 15 * EDGE_S
    assert runs[-1][1] < 45.0


def exit_address(elf: Path) -> str:
    """Byte address (hex) of avr-libc's ``_exit``: ``cli`` then ``rjmp .``, a dead loop."""
    out = subprocess.run(["avr-nm", str(elf)], capture_output=True, text=True, check=True)
    return next(line.split()[0] for line in out.stdout.splitlines() if line.endswith(" _exit"))


def test_a_hung_firmware_is_reset_by_the_watchdog_and_the_motor_goes_off(
    build: fw.Build, tmp_path: Path
) -> None:
    """The motor is on when the CPU jumps into a dead loop with interrupts off (a wild jump, a
    smashed return address): nothing in the firmware can act any more, yet the watchdog resets the
    MCU within 250 ms, the pins fall back to inputs (motor off), and the board streams again.
    Without the watchdog the motor stayed on until the end of the run."""
    sent = [
        (1000, CommandFrame(1, "ping")),
        (1000, CommandFrame(2, "vibrate", ((2500, 500),), repeat=5, intensity=255)),
        *[(1000 + 500 * k, CommandFrame(2 + k, "ping")) for k in range(1, 14)],  # to 7.5 s
    ]
    script = script_file(tmp_path / "host.txt", [(ms, encode_frame(f)) for ms, f in sent])
    out = tmp_path / "tx.bin"
    hang_s = 2.0
    harness = fw.Harness.start(
        build, "-n", "-p", "0", "-t", "8", "-i", str(script), "-o", str(out),
        "-H", f"{hang_s * 1000:.0f}:{exit_address(build.elf)}",
    )  # fmt: skip
    try:
        stats = harness.finish(timeout=60)
    finally:
        harness.kill()
    assert stats["resets"] == 1, stats
    motor = harness.events("MOTOR")
    assert motor[0] == (1, pytest.approx(1.0, abs=0.01)), motor
    assert motor[1][0] == 0 and hang_s < motor[1][1] <= hang_s + 0.25 + 0.02, motor
    assert len(motor) == 2, motor  # the pattern died with the reset: the pings do not revive it
    frames = FrameDecoder().feed(out.read_bytes())
    status = [f for f in frames if isinstance(f, StatusFrame)]
    restarted = [i for i, f in enumerate(status) if f.seq == 0]
    assert len(restarted) == 2, [f.seq for f in status]  # power-up, then the watchdog reset
    assert len(status) - restarted[1] >= 5  # streaming (and answering pings) again
    acked = {f.acked_seq for f in frames if isinstance(f, AckFrame)}
    assert {f.seq for ms, f in sent if ms > 3000} <= acked


def test_the_acknowledge_button_is_debounced_stops_the_motor_and_reaches_the_host(
    build: fw.Build, tmp_path: Path
) -> None:
    """D2 pulled low: a bouncy press counts once, a 10 ms spike never, each press is a button
    frame for the host decoder and stops a running pattern at once."""
    sent = [
        (500, CommandFrame(1, "ping")),
        (500, CommandFrame(2, "vibrate", ((2000, 500),), repeat=3)),
        *[(ms, CommandFrame(3 + k, "ping")) for k, ms in enumerate(range(1000, 4000, 500))],
    ]
    script = script_file(tmp_path / "host.txt", [(ms, encode_frame(f)) for ms, f in sent])
    out = tmp_path / "tx.bin"
    bouncy_press = "1000:0,1001:1,1002:0,1004:1,1005:0,1300:1"  # settles pressed at 1.005 s
    spike, second = "2000:0,2010:1", "3000:0,3200:1"
    harness = fw.Harness.start(
        build, "-n", "-p", "0", "-t", "4", "-i", str(script), "-o", str(out),
        "-b", f"{bouncy_press},{spike},{second}",
    )  # fmt: skip
    try:
        harness.finish(timeout=60)
    finally:
        harness.kill()
    frames = FrameDecoder().feed(out.read_bytes())
    presses = [f for f in frames if isinstance(f, ButtonFrame)]
    assert [p.seq for p in presses] == [0, 1] and {p.button for p in presses} == {0}
    debounce_s = 0.030
    sampling_start_s = harness.events("ADC")[0][1]  # device time 0 of the sample clock
    for press, settled_s in zip(presses, (1.005, 3.0), strict=True):
        t_s = sampling_start_s + press.t_us / 1e6  # on the sample clock: whole ms
        assert settled_s + debounce_s - 0.001 <= t_s <= settled_s + debounce_s + 0.005
    motor = harness.events("MOTOR")
    assert motor[0] == (1, pytest.approx(0.5, abs=0.01))
    assert motor[1][0] == 0 and 1.005 + debounce_s <= motor[1][1] <= 1.005 + debounce_s + 0.005
    assert len(motor) == 2  # the pattern was dropped: no second pulse at 2.5 s
