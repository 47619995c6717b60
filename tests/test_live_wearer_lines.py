"""What the live monitor tells the wearer, whatever the policy and with or without the view:
the early warning's sentence under the default policy too."""

from __future__ import annotations

import logging
import re
import subprocess
import sys

from crampdetect.alerts.haptic import SimplePolicy
from crampdetect.alerts.policy import STRETCH_TEXT, WARNING_TEXT
from crampdetect.core import Event


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crampdetect", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _unstamped(line: str) -> str:
    """A ``--no-view`` line without its leading ``[...]`` time stamp."""
    return re.sub(r"^\[[^\]]*\] ", "", line)


def test_the_default_policy_says_an_early_warning_and_never_vibrates_for_it():
    policy = SimplePolicy()
    warning = Event("calf_left", "early_warning", 70.0, 73.0, id=4)
    (said,) = policy.update([warning], 73.0)
    assert said.kind == "message" and said.text == WARNING_TEXT.format(place="left calf")
    ended = Event("calf_left", "early_warning", 70.0, 73.0, end_s=90.0, id=4)
    assert policy.update([ended], 90.0) == []  # its end is no news to the wearer
    cramp = Event("calf_left", "cramp", 100.0, 104.0, id=5)
    assert [a.kind for a in policy.update([cramp], 104.0)] == ["message", "vibrate"]


def test_no_view_prints_the_early_warning_with_the_default_policy():
    """Night seed 3 warns on the left calf before its cramp: the wearer's sentence is a line
    under ``--no-view`` as it is with ``--policy guided``, said before the cramp's."""
    res = cli("monitor", "sim://night-short?speed=0&seed=3", "--no-view")
    assert res.returncode == 0, res.stderr
    lines = [_unstamped(ln) for ln in res.stdout.splitlines()]
    warned = WARNING_TEXT.format(place="left calf")
    assert lines.count(warned) == 1
    assert lines.index(warned) < lines.index(f"Cramp in the left calf. {STRETCH_TEXT}")


# -- the link to the board lost and back, over a real pseudo-terminal ---------------------------


def _unplugged_night(tmp_path, unplug_s: tuple[float, float]):
    """Night seed 3 (its cramp runs 106.6-192.8 s, alerted near 112 s) on a real pty, as fast
    as the reader takes it, the cable out from ``unplug_s[0]`` to ``unplug_s[1]`` s of signal:
    the lines said under ``--no-view`` and the end summary."""
    import io
    import threading

    from crampdetect.cli._statusview import MessageLines
    from crampdetect.cli.monitor import print_summary
    from crampdetect.core import Representation
    from crampdetect.ingest.ptyboard import PtyBoard, StopWhenPlayed
    from crampdetect.ingest.serial import SerialTransport
    from crampdetect.ingest.sim import BoardEmulator
    from crampdetect.ingest.sources import BoardSource
    from crampdetect.pipeline.live import LiveMonitor
    from crampdetect.simulate import simulate

    session = simulate("night-short", seed=3, representation=Representation("raw", "counts", 10))
    board_ref: list[PtyBoard] = []

    def chunks():
        for time_s, data in session.iter_chunks(0.05):
            if len(time_s) and abs(time_s[0] - unplug_s[0]) < 0.025:
                board_ref[0].unplug()
            elif len(time_s) and abs(time_s[0] - unplug_s[1]) < 0.025:
                board_ref[0].replug()
            yield time_s, data

    board = PtyBoard(chunks(), BoardEmulator(1000, 2, 10, "raw"), tmp_path / "ttyACM", 0)
    board_ref.append(board)
    said, out = io.StringIO(), io.StringIO()
    source = BoardSource(SerialTransport(board.path), timebase="device")
    monitor = LiveMonitor(source, "night", view=MessageLines(said))
    stop = threading.Event()
    with source:
        board.start()
        summary = monitor.run(180, stop, StopWhenPlayed(board, source.transport.queue, stop))
    board.close()
    print_summary(summary, out, "night")
    return [_unstamped(ln) for ln in said.getvalue().splitlines()], out.getvalue(), summary


def test_a_lost_link_is_told_in_our_words_when_it_happens_and_a_split_cramp_continues(
    tmp_path, caplog
):
    """The cable out for 15 s during the cramp: the wearer is told the link is lost (with the
    signal time), then that it is back; the cramp raised again after the gap is said to be still
    going, not a new cramp, and the end summary marks it as the continuation of the first."""
    lines, printed, summary = _unplugged_night(tmp_path, (130.0, 145.0))
    lost = [ln for ln in lines if ln.startswith("link to the board lost at ")]
    back = [ln for ln in lines if ln.startswith("link to the board back")]
    assert len(lost) == 1 and len(back) == 1, lines
    assert lines.index(lost[0]) < lines.index(back[0])
    h, m, sec = re.match(
        r"link to the board lost at (\d+):(\d\d):(\d\d\.\d) of signal", lost[0]
    ).groups()
    # where the signal stopped (what was still in the pty when the cable went is lost with it)
    assert 125.0 <= int(h) * 3600 + int(m) * 60 + float(sec) <= 130.0
    assert not any("device reports readiness" in ln for ln in lines)  # not pyserial's words
    warned = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not [r for r in warned if r.name == "crampdetect.ingest.serial"]  # only in the log
    first, second = summary.cramps
    assert second.detail["continues"] == first.id
    said_again = [ln for ln in lines if "calf" in ln and ln.startswith(("Cramp", "The cramp"))]
    assert said_again[0] == f"Cramp in the left calf. {STRETCH_TEXT}"
    assert said_again[1].startswith("The cramp in the left calf is still going after ")
    rows = [ln for ln in printed.splitlines() if ln.startswith("cramp on calf_left")]
    assert len(rows) == 2 and "continues the cramp before on this leg" in rows[1]
    assert "continues" not in rows[0]
