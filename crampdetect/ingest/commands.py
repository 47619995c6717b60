"""Commands to the board: sequence numbers, acknowledgements, resending what was not acked.

Every valid command is acknowledged by the firmware (PROTOCOL.md, type 4). A ``vibrate`` or
``stop`` that gets no acknowledgement within :data:`ACK_TIMEOUT_S` (a BLE write lost, a
byte hit by noise) is sent again, up to :data:`MAX_RESENDS` times; heartbeats (``ping``) are
not resent, the next one follows within a second anyway. A ``vibrate`` resent replaces the
pattern that may already be playing, which is harmless. Only the newest motor command
(``vibrate`` or ``stop``) is ever resent: a ``vibrate`` whose acknowledgement was lost must not
be sent again after the ``stop`` that followed it and start the motor once more.

The first write, and the first after the link came back, starts with a ``0x00`` delimiter: the
board's receiver may still hold half a frame (a host killed in the middle of a write, a cable
pulled mid-frame), and the command would otherwise be glued to it and dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from crampdetect.ingest.frames import ACK_STATUS, AckFrame, CommandFrame, encode_frame

logger = logging.getLogger(__name__)

ACK_TIMEOUT_S = 0.5
MAX_RESENDS = 2
#: Recent pings whose acknowledgement is still counted (one a second: an hour of them). A host
#: behind its board (a fast simulation, a busy machine) reads the answers only after the
#: minutes of samples queued before them: they still count (sequence numbers wrap at 65536).
PING_MEMORY = 3600
#: Commands worth resending when unacknowledged.
RESENT = ("vibrate", "stop", "set_rate")
#: Commands that set what the motor does: a newer one supersedes every older one still unacked.
MOTOR = ("vibrate", "stop")


@dataclass(slots=True)
class _Pending:
    frame: CommandFrame
    data: bytes
    sent_s: float
    resends: int = 0


class CommandChannel:
    """Numbers, writes and tracks command frames.

    Parameters
    ----------
    write : callable
        ``write(bytes) -> bool`` of the transport (False when the link is down).
    clock : callable
        Current time in s.
    """

    def __init__(self, write: Callable[[bytes], bool], clock: Callable[[], float]) -> None:
        self.write = write
        self.clock = clock
        self.sent = self.acks = self.resends = self.unacked = self.rejected = 0
        self.pings = self.pings_acked = 0  # heartbeats written, and acknowledged
        self._ping_seqs: dict[int, None] = {}  # in the order sent, at most PING_MEMORY
        self._seq = 0
        self._pending: dict[int, _Pending] = {}
        self._resync = True  # the next write starts with a delimiter

    def resync(self) -> None:
        """The link was (re)established: start the next write with a ``0x00`` delimiter."""
        self._resync = True

    def _write(self, data: bytes) -> bool:
        ok = self.write(b"\x00" + data if self._resync else data)
        if ok:
            self._resync = False
        return ok

    def send(self, command: str, **fields: object) -> bool:
        """Send a command (``vibrate``, ``stop``, ``set_rate``, ``ping``); False if not written."""
        frame = CommandFrame(self._seq, command, **fields)  # type: ignore[arg-type]
        if command in MOTOR:  # it supersedes what the motor was told before
            for seq in [s for s, p in self._pending.items() if p.frame.command in MOTOR]:
                del self._pending[seq]
        data = encode_frame(frame)
        self._seq = (self._seq + 1) & 0xFFFF
        ok = self._write(data)
        self.sent += ok
        if ok and command == "ping":
            self.pings += 1
            self._ping_seqs.pop(frame.seq, None)
            self._ping_seqs[frame.seq] = None
            while len(self._ping_seqs) > PING_MEMORY:
                del self._ping_seqs[next(iter(self._ping_seqs))]
        if command in RESENT:
            self._pending[frame.seq] = _Pending(frame, data, self.clock())
        return ok

    def acked(self, ack: AckFrame) -> None:
        """Match an acknowledgement from the board with its command."""
        self.acks += 1
        if self._ping_seqs.pop(ack.acked_seq, 0) is None:
            self.pings_acked += 1
        pending = self._pending.pop(ack.acked_seq, None)
        if ack.status != 0:
            self.rejected += 1
            name = pending.frame.command if pending else f"command {ack.acked_seq}"
            logger.warning("board refused %s: %s", name, ACK_STATUS.get(ack.status, ack.status))

    def check(self) -> None:
        """Resend overdue commands; give up (and count) after MAX_RESENDS."""
        now = self.clock()
        for seq, p in list(self._pending.items()):
            if now - p.sent_s < ACK_TIMEOUT_S:
                continue
            if p.resends >= MAX_RESENDS:
                del self._pending[seq]
                self.unacked += 1
                logger.warning("board never acknowledged %s", p.frame.command)
                continue
            p.resends += 1
            p.sent_s = now
            self.resends += 1
            self._write(p.data)
