"""End to end in simulated time: a simulated calf cramp enters the Uno's ADC in simavr, the real
firmware streams it over a pseudo-terminal, ``crampdetect monitor`` (a subprocess, pyserial)
detects the cramp and sends the vibrate command, and the motor pin answers in time."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from pathlib import Path

import conftest_firmware as fw
import numpy as np
import pytest

from crampdetect.core import Block, Representation
from crampdetect.ingest.frames import FrameDecoder, SampleFrame

pytestmark = [pytest.mark.firmware, pytest.mark.slow]

UNO = Representation("raw", "counts", 10)
FS_HZ = 1000
TRANSPORT_BUDGET_S = 0.150  # alert -> motor pin, on top of the detector's own latency


def first_cramp_alert(counts: np.ndarray, channels: tuple[str, ...]) -> tuple[float, float]:
    """(onset_s, alert_s) of the first cramp the detector raises on ``counts`` from sample 0."""
    from crampdetect.pipeline import Pipeline

    pipeline = Pipeline(float(FS_HZ), channels, UNO, "night")
    events = []
    for start in range(0, counts.shape[1], 100):
        block = Block(
            counts[:, start : start + 100], float(FS_HZ), start, start / FS_HZ, 0, channels
        )
        events += pipeline.push(block).events
    events += pipeline.finish().events
    cramps = [e for e in events if e.kind == "cramp"]
    return (cramps[0].onset_s, cramps[0].alert_s) if cramps else (np.nan, np.nan)


def cramp_session() -> tuple[np.ndarray, float]:
    """A 61 s single-cramp recording (Uno counts) and the detector's alert time on it (s)."""
    from crampdetect.simulate import simulate

    for seed in range(8):
        session = simulate("cramp", seed=seed, duration_s=61.0, fs=FS_HZ, representation=UNO)
        counts = np.concatenate([x for _, x in session.iter_chunks(10.0)], axis=1)
        counts = np.clip(np.rint(counts), 0, 1023).astype(np.int64)
        _, alert_s = first_cramp_alert(counts, session.channels)
        if alert_s < 50.0:
            return counts, alert_s
    pytest.fail("the detector raised no cramp on 8 simulated single-cramp recordings")


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> fw.Build:
    return fw.build_all(tmp_path_factory.mktemp("firmware"))


def test_monitor_detects_a_cramp_and_the_motor_answers_in_time(
    build: fw.Build, tmp_path: Path
) -> None:
    counts, alert_s = cramp_session()
    # millivolts at the ADC pin that simavr converts back to exactly these counts
    mv = -(-counts * fw.VREF_MV // 1023)
    adc = tmp_path / "adc_mv.txt"
    adc.write_text("".join(f"{a} {b}\n" for a, b in mv.T))
    tx = tmp_path / "tx.bin"
    # 4x real time, except real time from 2 s before the alert to 5 s after it: host latency
    # is only measured there, and the motor pattern (and its heartbeat) plays there
    pace = f"{alert_s - 2:.3f}:1,{alert_s + 5:.3f}:4"
    args = ["-W", "-p", "4", "-P", pace, "-t", "63", "-T", "150", "-a", str(adc), "-o", str(tx)]
    harness = fw.Harness.start(build, *args)
    monitor = None
    # The monitor's output goes to files: a pipe nobody reads for the minute of the run would
    # stop a chatty monitor (64 KiB of warnings on a loaded machine) in the middle of it.
    out_path, err_path = tmp_path / "monitor.out", tmp_path / "monitor.err"
    try:
        pty = harness.wait_for("PTY ", 10).split()[1]
        with open(out_path, "w") as out_file, open(err_path, "w") as err_file:
            monitor = subprocess.Popen(
                [sys.executable, "-m", "crampdetect", "monitor",
                 f"serial://{pty}?baud=500000&time=device", "--profile", "night", "--no-view"],
                stdin=subprocess.DEVNULL, stdout=out_file, stderr=err_file,
                start_new_session=True,  # no terminal or process group shared with pytest
            )  # fmt: skip
        t_adc0 = float(harness.wait_for("ADC ", 30).split("=")[1].split()[0])
        harness.wait_for("SIM t=62", 120)  # 61 s of signal sent, and a second to read it
        monitor.terminate()  # SIGTERM: clean shutdown, summary on stdout
        monitor.wait(timeout=30)
        out, err = out_path.read_text(), err_path.read_text()
        assert monitor.returncode == 0, err
        harness.kill()
        harness.finish(timeout=10)
    finally:
        if monitor is not None and monitor.poll() is None:
            monitor.kill()
            monitor.wait()
        harness.kill()

    # the firmware sent every sample, unchanged, from the first one
    decoder = FrameDecoder()
    frames = [f for f in decoder.feed(tx.read_bytes()) if isinstance(f, SampleFrame)]
    assert decoder.stats.crc_errors == decoder.stats.malformed == 0
    assert frames[0].t_us == 0
    assert all((b.seq - a.seq) % 65536 == 1 for a, b in itertools.pairwise(frames))
    sent = np.concatenate([f.samples for f in frames], axis=1)
    assert sent.shape[1] >= 61 * FS_HZ
    assert np.array_equal(sent[:, : counts.shape[1]], counts)

    # the monitor saw >= 60 s of stream: no frame lost, no corruption, one prompt
    link = re.search(r"link: (\d+) frames, lost (\d+), CRC errors (\d+)", out)
    assert link, out
    assert int(link.group(1)) >= 60 * 100  # 100 frames/s
    assert link.group(2) == "0" and link.group(3) == "0"
    cramp = re.search(r"cramp on \w+: onset [\d:.]+, alert (\d+):(\d+):([\d.]+)", out)
    assert cramp, out
    h, m, sec = cramp.groups()
    live_alert_s = int(h) * 3600 + int(m) * 60 + float(sec)  # device time: seconds of signal
    assert live_alert_s == pytest.approx(alert_s, abs=0.11)  # same decision as offline
    assert "board: 1 vibration prompt," in out, out

    # motor: on within the transport budget after the sample that raised the alert, off by itself
    motor = harness.events("MOTOR")
    assert motor and motor[0][0] == 1, f"motor never started: {harness.seen[-5:]}"
    t_alert = t_adc0 + alert_s  # sample clock: set k is taken k ms after set 0
    delay = motor[0][1] - t_alert
    print(f"alert at {alert_s:.3f} s of signal; motor on {delay * 1e3:.1f} ms later (sim time)")
    assert 0 < delay <= TRANSPORT_BUDGET_S
    assert motor[-1][0] == 0, "motor left running"
    assert all(b[1] - a[1] <= 3.0 for a, b in itertools.pairwise(motor) if a[0] == 1)
