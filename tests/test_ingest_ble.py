"""BLE transport behind the fake BLE radio of :mod:`crampdetect.testing.ble`: duplicates,
disconnects mid-stream, late notifications after stop, refused reconnects, failed writes,
commands; and a simulated board's session through the radio into detection. No radio exists
here: the fakes implement bleak's own backend interfaces (``BaseBleakClient``,
``BaseBleakScanner``) and are passed through ``BleakClient(..., backend=...)`` exactly as a
platform backend would be.
"""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest
from board_reads import check, counts, read_until

from crampdetect.core import InputError
from crampdetect.ingest import ble
from crampdetect.ingest.frames import FrameDecoder, SampleFrame
from crampdetect.ingest.sources import BoardSource
from crampdetect.testing.ble import (
    ADDRESS,
    NAME,
    FakeBoard,
    frame_notifications,
    packed_notifications,
)

FS = 1000


def notifications(data: np.ndarray, per_frame: int = 50) -> list[bytes]:
    """One whole encoded frame per notification, as the ESP32 sends them at MTU 247."""
    return frame_notifications(data, per_frame, fs=FS)


@pytest.fixture
def peripheral(monkeypatch):
    monkeypatch.setattr(ble, "BACKOFF_MIN_S", 0.01)
    return FakeBoard(notifications(counts(20_000)))


def open_ble(board: FakeBoard, **kwargs) -> BoardSource:
    return BoardSource(board.transport(scan_timeout_s=2.0), **kwargs)


def test_duplicated_notifications_are_dropped(peripheral):
    peripheral.duplicate_every = 3
    source = open_ble(peripheral)
    with source:
        blocks = read_until(source, 20_000)
    data = counts(20_000)
    check(blocks, data)
    assert blocks[-1].stop == 20_000 and all(b.gap == 0 for b in blocks)
    doubled = [FrameDecoder().feed(n)[0] for n in peripheral.notifications[::3]]
    assert source.stats.duplicates == sum(isinstance(f, SampleFrame) for f in doubled)
    assert source.info.representation.adc_bits == 12


def test_disconnect_mid_stream_reconnects_with_backoff_and_counts_the_gap(peripheral):
    peripheral.drop_at = 100
    peripheral.lost_while_down = 40  # status and sample frames sent while nobody listened
    peripheral.refuse_after_drop = 2  # the first two reconnection attempts fail
    source = open_ble(peripheral)
    with source:
        blocks = read_until(source, 20_000)
        stats = source.stats
    check(blocks, counts(20_000))
    assert blocks[-1].stop == 20_000
    assert stats.reconnects == 1 and peripheral.connects == 2
    assert stats.gaps == 1 and 35 * 50 <= stats.gap_samples <= 40 * 50
    assert sum(b.n_samples for b in blocks) + stats.gap_samples == 20_000


@pytest.mark.parametrize("lost", [0, 40])
def test_the_last_notification_repeated_after_a_reconnect_is_a_duplicate(peripheral, lost):
    """bleak hands the last (cached) notification to the callback again when notifications
    start on the new link: it is dropped as a duplicate, not taken for a board restart."""
    frames = [FrameDecoder().feed(n) for n in peripheral.notifications]
    drop = next(k for k in range(100, 200) if isinstance(frames[k][0], SampleFrame))
    peripheral.drop_at = drop
    peripheral.lost_while_down = lost
    peripheral.repeat_last_on_reconnect = True
    source = open_ble(peripheral)
    with source:
        blocks = read_until(source, 20_000)
        stats = source.stats
    check(blocks, counts(20_000))  # no sample twice, every sample in its place
    assert blocks[-1].stop == 20_000
    assert stats.reconnects == 1 and stats.duplicates == 1 and stats.restarts == 0
    lost_samples = sum(isinstance(f[0], SampleFrame) for f in frames[drop + 1 : drop + 1 + lost])
    assert stats.gap_samples == 50 * lost_samples and stats.gaps == (lost_samples > 0)


def test_a_board_that_rebooted_while_disconnected_starts_a_new_segment(peripheral):
    """After the reconnection the board counts from zero again (sequence numbers and device
    time): its frames are not taken for stale repeats, they start a new segment."""
    first, second = counts(5000), counts(8000)[::-1].copy()
    before = notifications(first)
    peripheral.notifications = before + notifications(second)
    peripheral.drop_at = len(before) - 1
    source = open_ble(peripheral)
    with source:
        blocks = read_until(source, 5000)
        deadline = time.monotonic() + 20
        while peripheral.pos < len(peripheral.notifications) and time.monotonic() < deadline:
            blocks += source.read(timeout_s=0.2)
        blocks += source.read(timeout_s=0.2)
    while not source.ended:  # closing flushes the unfinished window
        blocks += source.read(timeout_s=0.5)
    stats = source.stats
    assert stats.reconnects == 1 and stats.restarts == 1 and stats.duplicates == 0
    old = [b for b in blocks if b.stop <= 5000]
    new = [b for b in blocks if b.start >= 5000]
    assert len(old) + len(new) == len(blocks)
    check(old, first)
    assert new[0].gap > 0 and all(b.gap == 0 for b in new[1:])
    offset = new[0].start
    np.testing.assert_array_equal(np.concatenate([b.data for b in new], axis=1), second)
    assert new[-1].stop == offset + 8000


def test_late_notification_after_close_is_ignored(peripheral):
    from crampdetect.ingest.transport import Chunk

    source = open_ble(peripheral)
    with source:
        blocks = read_until(source, 20_000)
        while source.read(timeout_s=0.05):
            pass
    assert blocks[-1].stop == 20_000
    left = [source.transport.queue.get_nowait() for _ in range(source.transport.queue.qsize())]
    assert left and not any(isinstance(item, Chunk) for item in left)


def test_commands_are_written_and_fail_cleanly_when_disconnected(peripheral):
    source = open_ble(peripheral)
    with source:
        read_until(source, 100)
        assert source.send("vibrate", pulses=((300, 100),), repeat=2)
        source.transport._client = None  # what the disconnect callback leaves behind
        assert not source.send("stop")
    frames = FrameDecoder().feed(b"".join(peripheral.writes))
    assert [(f.command, f.pulses, f.repeat) for f in frames] == [("vibrate", ((300, 100),), 2)]
    assert source.stats.write_errors == 1


def test_a_reconnect_during_an_alert_starts_the_next_command_with_a_delimiter(peripheral):
    """The link drops while a prompt plays; the board's command receiver may keep half a
    write from before. The first command on the new link (here the stop at the cramp's end)
    starts with 0x00, which ends that garbage, so the stop itself is not dropped."""
    source = open_ble(peripheral)
    with source:
        read_until(source, 20_000)
        assert source.send("vibrate", pulses=((800, 400),), repeat=3)
        assert source.send("ping")
        peripheral.drop_link()
        deadline = time.monotonic() + 10
        while source.stats.reconnects < 1 and time.monotonic() < deadline:
            source.read(timeout_s=0.05)
        source.read(timeout_s=0.05)
        assert source.connected and source.stats.reconnects == 1
        assert source.send("stop")
    vibrate, ping, stop = peripheral.writes
    assert vibrate.startswith(b"\x00") and not ping.startswith(b"\x00")
    assert stop.startswith(b"\x00")
    garbage = vibrate[1:12]  # half of a write cut by the disconnect
    (frame,) = FrameDecoder().feed(garbage + stop)
    assert frame.command == "stop"


def test_a_lost_command_write_is_resent_until_acknowledged(peripheral, monkeypatch):
    from crampdetect.ingest import commands

    monkeypatch.setattr(commands, "ACK_TIMEOUT_S", 0.05)
    peripheral.drop_writes = 1
    source = open_ble(peripheral)
    with source:
        read_until(source, 100)
        assert source.send("vibrate", pulses=((300, 100),))  # written, but lost on the air
        deadline = time.monotonic() + 10
        while source.stats.acks < 1 and time.monotonic() < deadline:
            source.read(timeout_s=0.05)
        stats = source.stats
    frames = FrameDecoder().feed(b"".join(peripheral.writes))
    assert [(f.seq, f.command) for f in frames] == [(0, "vibrate")]  # the resent copy arrived
    assert stats.resends == 1 and stats.acks == 1 and stats.unacked == 0


def test_board_not_found_is_an_input_error(peripheral):
    transport = peripheral.transport("nosuchboard", scan_timeout_s=0.2)
    with pytest.raises(InputError, match="no BLE board 'nosuchboard' found"):
        BoardSource(transport).__enter__()
    peripheral.advertising = False  # switched off: its own name is not heard either
    with pytest.raises(InputError, match=f"no BLE board '{NAME}' found"):
        BoardSource(peripheral.transport(scan_timeout_s=0.2)).__enter__()
    assert peripheral.connects == 0


def test_scan_lists_advertising_boards(peripheral):
    found = asyncio.run(ble.scan_boards(0.05, backend=peripheral.scanner_backend))
    assert found == [(ADDRESS, NAME, -60)]


@pytest.mark.parametrize("mtu", [23, 185, 247])
def test_streams_at_the_negotiated_mtu_with_frames_packed_and_split(peripheral, mtu):
    data = counts(4000)
    peripheral.mtu = mtu
    peripheral.notifications = packed_notifications(data, mtu, fs=FS)
    source = open_ble(peripheral)
    with source:
        blocks = read_until(source, 4000)
        assert source.transport.mtu == mtu
        pulses = tuple((200 + k, 100) for k in range(8))  # the longest command: 44 bytes
        assert source.send("vibrate", pulses=pulses, repeat=3)
        stats = source.stats
    check(blocks, data)
    assert blocks[-1].stop == 4000 and stats.crc_errors == 0 and stats.gaps == 0
    assert source.info.representation.adc_bits == 12  # learned from status frames
    notes = peripheral.notifications
    assert any(n.count(0) > 1 for n in notes)  # several frames in one notification
    assert any(not n.endswith(b"\x00") for n in notes)  # a frame split across two
    (command,) = FrameDecoder().feed(b"".join(peripheral.writes))
    assert command.pulses == pulses and command.repeat == 3


def test_a_start_notify_failure_disconnects_before_retrying(peripheral):
    peripheral.fail_start_notify = 1
    with pytest.raises(InputError, match="cannot connect"):
        open_ble(peripheral).__enter__()
    assert peripheral.connects == 1 and peripheral.disconnects == 1
    assert not peripheral.clients[0].is_connected
    # After a drop, the same failure costs one attempt, then the link comes back.
    peripheral.drop_at = 50
    peripheral.fail_start_notify_after_drop = 1
    peripheral.not_found_after_drop = 1  # and BlueZ forgot the device once
    source = open_ble(peripheral)
    with source:
        blocks = read_until(source, 20_000)
        stats = source.stats
    check(blocks, counts(20_000))
    assert blocks[-1].stop == 20_000 and stats.reconnects == 1
    assert peripheral.connects == 4  # the failed first open, the first link, one bad, one good
    assert sum(c.is_connected for c in peripheral.clients) == 0


def test_backoff_is_capped_and_the_scan_times_out_while_the_board_is_away(peripheral, monkeypatch):
    """The board stops advertising after a drop: scans time out and are tried again, waits
    grow to BACKOFF_MAX_S and no further; once it advertises again the link is back within
    one wait."""
    assert ble.BACKOFF_MAX_S <= 3.0  # a few seconds at most (was 10 s)
    monkeypatch.setattr(ble, "BACKOFF_MIN_S", 0.05)
    monkeypatch.setattr(ble, "BACKOFF_MAX_S", 0.2)
    peripheral.drop_at = 50
    peripheral.advertise_after_drop = False  # gone: out of range
    source = BoardSource(peripheral.transport(scan_timeout_s=0.3))
    with source:
        blocks = read_until(source, 2000)
        deadline = time.monotonic() + 10
        while peripheral.drop_at is not None and time.monotonic() < deadline:
            blocks += source.read(timeout_s=0.05)
        scans = peripheral.scans
        while peripheral.scans - scans < 3 and time.monotonic() < deadline:
            blocks += source.read(timeout_s=0.05)  # each scan times out and starts again
        assert peripheral.scans - scans >= 3 and peripheral.connects == 1
        back = time.monotonic()
        peripheral.advertising = True
        blocks += read_until(source, 20_000)
        stats = source.stats
    reconnected = peripheral.attempts[-1]
    assert reconnected - back <= 0.2 + 0.3 + 0.5  # one wait, a scan, slack for a busy machine
    check(blocks, counts(20_000))
    assert stats.reconnects == 1 and blocks[-1].stop == 20_000


def test_refused_reconnects_wait_at_most_the_cap(peripheral, monkeypatch):
    monkeypatch.setattr(ble, "BACKOFF_MIN_S", 0.05)
    monkeypatch.setattr(ble, "BACKOFF_MAX_S", 0.2)
    peripheral.drop_at = 50
    peripheral.refuse_after_drop = 6
    source = open_ble(peripheral)
    with source:
        blocks = read_until(source, 20_000)
    check(blocks, counts(20_000))
    waits = np.diff(peripheral.attempts[1:])  # between the attempts after the drop
    assert len(waits) == 6
    assert waits[0] >= 0.05 and waits[-1] >= 0.2 and np.all(waits < 0.2 + 0.25)
    assert np.all(np.diff(waits[:3]) > 0)  # doubling until the cap


def test_an_unpaired_computer_is_told_to_pair(peripheral):
    """The ESP32 needs a bonded, encrypted link to subscribe (PROTOCOL.md, Security): BlueZ
    reports the refused subscription as an ATT error, which becomes a one-line hint."""

    peripheral.paired = False
    with pytest.raises(InputError, match=r"not paired with .*pair it once"):
        open_ble(peripheral).__enter__()
    assert peripheral.disconnects == 1


def test_a_failed_command_write_is_counted_and_resent(peripheral, monkeypatch):
    """The board's stack fails a write (an ATT error, not a lost packet): ``send`` says so,
    the error is counted, and the command goes again until the board acknowledges it."""
    from crampdetect.ingest import commands

    monkeypatch.setattr(commands, "ACK_TIMEOUT_S", 0.05)
    peripheral.fail_writes = 1
    source = open_ble(peripheral)
    with source:
        read_until(source, 100)
        assert not source.send("vibrate", pulses=((300, 100),))
        deadline = time.monotonic() + 10
        while source.stats.acks < 1 and time.monotonic() < deadline:
            source.read(timeout_s=0.05)
        stats = source.stats
    assert stats.write_errors == 1 and stats.resends == 1 and stats.acks == 1
    (frame,) = FrameDecoder().feed(b"".join(peripheral.writes))
    assert frame.command == "vibrate" and peripheral.writes[0].startswith(b"\x00")


def test_a_board_that_vanishes_is_found_again_when_it_comes_back(peripheral, monkeypatch):
    monkeypatch.setattr(ble, "BACKOFF_MAX_S", 0.1)
    source = BoardSource(peripheral.transport(scan_timeout_s=0.2))
    with source:
        blocks = read_until(source, 1000)
        peripheral.vanish()
        deadline = time.monotonic() + 10
        scans = peripheral.scans
        while peripheral.scans - scans < 2 and time.monotonic() < deadline:
            blocks += source.read(timeout_s=0.05)  # looked for, not heard
        assert not source.connected and peripheral.connects == 1
        peripheral.advertising = True
        while not peripheral.done.is_set() and time.monotonic() < deadline:
            blocks += source.read(timeout_s=0.05)
        blocks += source.read(timeout_s=0.05)
        stats = source.stats
    while not source.ended:  # closing flushes the unfinished window
        blocks += source.read(timeout_s=0.2)
    assert stats.reconnects == 1 and peripheral.connects == 2
    assert blocks[-1].stop == 20_000
    assert sum(b.n_samples for b in blocks) + source.stats.gap_samples == 20_000


@pytest.fixture(scope="module")
def cramp_board() -> FakeBoard:
    """A simulated night with a cramp on calf_right (60.6-133.6 s), as the ESP32 sends it."""
    return FakeBoard.simulated("cramp", seed=4, mtu=185)


def _detect_blocks(board: FakeBoard, blocks: list) -> tuple[list, list]:
    from crampdetect.core import Representation
    from crampdetect.detect.settings import profile_settings
    from crampdetect.pipeline import Pipeline
    from crampdetect.pipeline.offline import run_blocks

    rep = Representation("raw", "counts", 12)
    assert blocks[0].channels == board.session.channels
    profile = board.session.profile
    pipe = Pipeline(FS, blocks[0].channels, rep, profile, profile_settings(profile, "raw"))
    return run_blocks(pipe, blocks)


def test_a_simulated_board_over_the_fake_radio_into_detection(cramp_board, monkeypatch):
    """The session's frames through bleak, the BLE transport, the decoder and reassembler and
    the detector: the events of the same samples scored as an array; a link dropped during
    the cramp costs the frame it cut (a gap, flagged) and not the alert."""
    import crampdetect

    monkeypatch.setattr(ble, "BACKOFF_MIN_S", 0.01)
    data = np.concatenate([x for _, x in cramp_board.session.iter_chunks(60.0)], axis=1)
    names = cramp_board.session.channels
    expect = crampdetect.detect(data, fs=FS, channels=names, units="counts", adc_bits=12)
    (cramp,) = expect.cramps
    assert cramp.channel == "calf_right" and 60 < cramp.alert_s < 70
    cramp_board.duplicate_every = 5
    blocks = cramp_board.blocks()
    assert sum(b.n_samples for b in blocks) == data.shape[1]
    events, quality = _detect_blocks(cramp_board, blocks)
    # the live events carry no id (the monitor's journal numbers them)
    expected = [{k: v for k, v in e.items() if k != "id"} for e in expect.to_dict()["events"]]
    assert [e.to_dict() for e in events] == expected
    assert [q.to_dict() for q in quality] == expect.to_dict()["quality"]
    # the same board again, its link dropped at 100 s, during the cramp
    board = FakeBoard(cramp_board.notifications, mtu=185)
    board.session = cramp_board.session
    board.drop_at = round(len(board.notifications) * 100 / 180)
    blocks = board.blocks()
    assert board.connects == 2 and sum(b.gap for b in blocks) > 0
    events, quality = _detect_blocks(board, blocks)
    (found,) = [e for e in events if e.kind == "cramp"]
    assert (found.channel, found.onset_s, found.alert_s) == (
        cramp.channel,
        cramp.onset_s,
        cramp.alert_s,
    )
    assert {q.issue for q in quality} == {"gap"} and 99 < quality[0].start_s < 101


def test_the_porters_example_in_docs_devices_runs_as_written(capsys):
    import re
    import textwrap

    from conftest import REPO

    text = (REPO / "docs" / "devices.md").read_text()
    after = text[text.index("`crampdetect.testing.ble`") :]
    examples = re.findall(r"```python\n(.*?)```", after.split("\n- ", 1)[0], re.S)
    assert len(examples) == 2  # detection over the radio; a monitor that ends by itself
    for example in examples:
        code = textwrap.dedent(example)
        printed = re.search(r"\n# (.*)\n$", code).group(1)  # the comment under print(...)
        exec(compile(code, "docs/devices.md", "exec"), {})
        assert capsys.readouterr().out.strip() == printed


def _fresh(board: FakeBoard) -> FakeBoard:
    """The same simulated session on a board that has not streamed yet."""
    again = FakeBoard(board.notifications, mtu=board.mtu)
    again.session = board.session
    return again


@pytest.mark.parametrize("opened_by", ["caller", "monitor"])
def test_a_monitor_on_the_fake_ends_with_its_stream_and_alerts_the_cramp(cramp_board, opened_by):
    """``end_when_done``: the fake ends its stream after the last notification, as ``sim://``
    does, so ``LiveMonitor.run()`` returns by itself; a source not opened by the caller is
    opened (and closed) by ``run``."""
    import io
    import json
    import time as clock

    from crampdetect.pipeline.live import LiveMonitor

    board = _fresh(cramp_board)
    board.end_when_done = True
    out = io.StringIO()
    started = clock.monotonic()
    source = board.source()
    if opened_by == "caller":
        with source:
            summary = LiveMonitor(source, "night", json_out=out).run(duration_s=120)
    else:
        summary = LiveMonitor(source, "night", json_out=out).run(duration_s=120)
    assert source.ended and clock.monotonic() - started < 120  # the end, not the bound
    assert board.done.is_set() and board.connects == 1
    (cramp,) = summary.cramps
    assert cramp.channel == "calf_right" and 60 < cramp.alert_s < 70
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert any(x["kind"] == "cramp" and x["channel"] == "calf_right" for x in lines)
    assert summary.stream_s > 179  # every sample, the last window included
    assert not source.transport.running  # closed: by the caller, or by run


def test_a_silent_board_is_asked_about_by_its_transport() -> None:
    from types import SimpleNamespace

    from crampdetect.pipeline.live import silent_board_message

    def on(name: str) -> str:
        return silent_board_message(SimpleNamespace(transport=SimpleNamespace(name=name)))

    said = on(ble.BleTransport.name)
    assert "in range" in said and "baud" not in said  # BLE has no baud rate
    assert "baud rate" in on("serial")
    assert "baud" not in silent_board_message(SimpleNamespace())
