"""`crampdetect monitor` on boards that speak the protocol only in part, behind a real pty:
sample frames without a status frame, commands never acknowledged."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from crampdetect.ingest.frames import FrameDecoder, SampleFrame, StatusFrame, encode_frame

pytestmark = pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")


class Imitation:
    """A board on a pty: sample frames every ``every_s`` (10 samples of one channel), a status
    frame once a second if ``status``; it reads what the host writes and never answers."""

    def __init__(self, every_s: float, status: bool) -> None:
        import tty

        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.path = os.ttyname(self.slave)
        self.every_s, self.status = every_s, status
        self.wire = bytearray()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        rng = np.random.default_rng(0)
        seq = 0
        next_status = 0.0
        t0 = time.monotonic()
        while not self._stop.is_set():
            now = time.monotonic() - t0
            if self.status and now >= next_status:
                frame = StatusFrame(seq, seq * 10_000, "imitation", 1000, 10, "raw", 255, 0, 1)
                os.write(self.master, encode_frame(frame))
                next_status += 1.0
            data = np.clip(512 + rng.normal(0, 3, (1, 10)), 0, 1023).astype(np.uint16)
            os.write(self.master, encode_frame(SampleFrame(seq, seq * 10_000, 1, data)))
            seq += 1
            while select.select([self.master], [], [], 0)[0]:
                self.wire += os.read(self.master, 4096)
            time.sleep(self.every_s)

    def __enter__(self) -> Imitation:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        while select.select([self.master], [], [], 0.2)[0]:  # what came after the last round
            self.wire += os.read(self.master, 4096)
        os.close(self.master)
        os.close(self.slave)

    def commands(self) -> list[str]:
        return [f.command for f in FrameDecoder().feed(bytes(self.wire))]


def monitor(path: str, seconds: float) -> subprocess.CompletedProcess:
    argv = ["monitor", f"serial://{path}", "--no-view", "--duration", str(seconds)]
    return subprocess.run(
        [sys.executable, "-m", "crampdetect", *argv],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_sample_frames_without_a_status_frame_are_named_and_nothing_monitored_fails():
    """Samples trickle in (fewer than the frames held for a status frame): the wearer is told
    that samples come but no status frame does, and the command does not end as a success."""
    with Imitation(every_s=0.5, status=False) as board:
        res = monitor(board.path, 7)
    said = res.stdout + res.stderr
    assert "no samples from the board" not in said
    assert "sample frames arrive" in said and "no status frame (protocol type 2)" in said
    assert "rate=" in said and "update the firmware" in said
    assert res.returncode == 2
    assert "nothing was monitored" in res.stderr
    assert "stop" in board.commands()


def test_a_board_streaming_without_status_frames_is_monitored_on_what_is_assumed():
    with Imitation(every_s=0.01, status=False) as board:
        res = monitor(board.path, 4)
    assert res.returncode == 0, res.stderr
    said = res.stdout + res.stderr
    assert "no status frame (protocol type 2) from the board" in said
    assert "1000 Hz, 10 bits, signal raw" in said


def test_pings_never_acknowledged_are_counted_and_warned_about_once():
    """A board that streams but acks nothing: the summary does not say "never acknowledged 0"
    alone, it counts the pings acknowledged, and the wearer is warned once."""
    with Imitation(every_s=0.01, status=True) as board:
        res = monitor(board.path, 8)
    assert res.returncode == 0, res.stderr
    said = res.stdout + res.stderr
    pings = board.commands().count("ping")
    assert pings >= 6
    assert f"pings acknowledged 0/{pings}" in said
    assert said.count("the board acknowledged none of the") == 1
    assert "a stop may not reach its motor" in said
