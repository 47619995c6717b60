"""Command channel: numbering, acknowledgement matching, resending, giving up."""

from __future__ import annotations

import pytest

from crampdetect.ingest import commands
from crampdetect.ingest.commands import CommandChannel
from crampdetect.ingest.frames import AckFrame, FrameDecoder


class Wire:
    def __init__(self) -> None:
        self.now = 0.0
        self.data = b""
        self.up = True

    def write(self, data: bytes) -> bool:
        if self.up:
            self.data += data
        return self.up

    def frames(self):
        return [(f.seq, f.command) for f in FrameDecoder().feed(self.data)]


def test_unacknowledged_prompts_are_resent_then_given_up_but_pings_are_not():
    wire = Wire()
    channel = CommandChannel(wire.write, lambda: wire.now)
    channel.send("ping")
    channel.send("vibrate", pulses=((500, 0),))
    for k in range(1, 8):
        wire.now = k * commands.ACK_TIMEOUT_S
        channel.check()
    assert wire.frames() == [(0, "ping")] + [(1, "vibrate")] * (1 + commands.MAX_RESENDS)
    assert channel.resends == commands.MAX_RESENDS and channel.unacked == 1


def test_an_acknowledgement_stops_the_resending_and_refusals_are_counted():
    wire = Wire()
    channel = CommandChannel(wire.write, lambda: wire.now)
    channel.send("vibrate", pulses=((500, 0),))
    channel.send("stop")
    channel.acked(AckFrame(0, 0, 0))
    channel.acked(AckFrame(1, 1, 3))  # bad_argument
    wire.now = 10.0
    channel.check()
    assert wire.frames() == [(0, "vibrate"), (1, "stop")]
    assert (channel.acks, channel.rejected, channel.resends, channel.unacked) == (2, 1, 0, 0)


def test_sequence_numbers_wrap_and_a_down_link_is_reported():
    wire = Wire()
    channel = CommandChannel(wire.write, lambda: wire.now)
    channel._seq = 0xFFFF
    assert channel.send("ping") and channel.send("ping")
    wire.up = False
    assert not channel.send("stop")
    assert wire.frames() == [(0xFFFF, "ping"), (0, "ping")]
    assert channel.sent == 2


def test_invalid_commands_are_refused_before_the_wire():
    channel = CommandChannel(Wire().write, lambda: 0.0)
    with pytest.raises(ValueError, match="on_ms"):
        channel.send("vibrate", pulses=((5000, 0),))


def test_the_first_write_and_the_first_after_a_reconnect_start_with_a_delimiter():
    """Half a frame left in the board's receiver (a killed host, a pulled cable) must not swallow
    the next command: it is preceded by 0x00, which ends the garbage as a frame of its own."""
    wire = Wire()
    channel = CommandChannel(wire.write, lambda: wire.now)
    channel.send("ping")
    channel.send("stop")
    first = len(wire.data)
    wire.up = False
    channel.send("ping")  # not written: the resync waits for a write that goes through
    channel.resync()
    wire.up = True
    channel.send("vibrate", pulses=((500, 0),))
    channel.send("ping")
    assert wire.data.startswith(b"\x00") and wire.data.count(b"\x00\x00") == 1
    assert wire.data[first:].startswith(b"\x00")
    assert wire.frames() == [(0, "ping"), (1, "stop"), (3, "vibrate"), (4, "ping")]
    garbage = b"\x07\x01\x03\x05"  # half a frame, then the channel's bytes
    decoder = FrameDecoder()
    assert [f.seq for f in decoder.feed(garbage + wire.data)] == [0, 1, 3, 4]


def test_a_vibrate_whose_ack_was_lost_is_never_resent_after_the_stop_that_followed_it():
    """vibrate (its ack lost, e.g. a BLE notification), then stop (acked): resending the vibrate
    0.5 s later would start the motor again after the stop. Only the newest motor command is
    resent."""
    wire = Wire()
    channel = CommandChannel(wire.write, lambda: wire.now)
    channel.send("vibrate", pulses=((500, 0),))  # seq 0: acted on, its ack lost
    wire.now = 0.2
    channel.send("stop")  # seq 1
    channel.acked(AckFrame(0, 1, 0))
    for k in range(1, 6):
        wire.now = 0.2 + k * commands.ACK_TIMEOUT_S
        channel.check()
    assert wire.frames() == [(0, "vibrate"), (1, "stop")]
    assert channel.resends == 0 and channel.unacked == 0
    # a stop whose ack is lost is resent, and a newer vibrate replaces it in turn
    channel.send("stop")  # seq 2, never acked
    wire.now += commands.ACK_TIMEOUT_S
    channel.check()
    channel.send("vibrate", pulses=((300, 0),))  # seq 3
    channel.acked(AckFrame(1, 3, 0))
    wire.now += 5.0
    channel.check()
    assert wire.frames()[2:] == [(2, "stop"), (2, "stop"), (3, "vibrate")]
    assert channel.resends == 1
