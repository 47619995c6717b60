"""What every byte transport (serial, BLE, simulated board) hands to a Source.

A transport runs its own reader (a thread, or an asyncio loop in a thread) and puts
:class:`Chunk` s of bytes and :class:`LinkEvent` s into one thread-safe queue, in order.
The consumer (:class:`~crampdetect.ingest.sources.Source`) decodes them; a transport never
parses frames.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass

#: Link event kinds.
LINK_UP, LINK_DOWN, LINK_END = "up", "down", "end"


@dataclass(frozen=True, slots=True)
class Chunk:
    """Bytes as received, with the host time in s at which they arrived."""

    host_s: float
    data: bytes


@dataclass(frozen=True, slots=True)
class LinkEvent:
    """The link went ``up`` (connected or reconnected), ``down``, or reached its ``end``."""

    host_s: float
    kind: str
    detail: str = ""


class Transport:
    """Base of the byte transports: a queue, a host clock, a stop flag and link counters.

    Subclasses implement :meth:`start`, :meth:`write` and :meth:`close`, and say which time
    axis suits them (``timebase``: ``host`` for real boards, ``device`` for a simulated one
    running faster than real time).
    """

    name = "transport"
    timebase = "host"

    def __init__(self) -> None:
        self.queue: queue.Queue[Chunk | LinkEvent] = queue.Queue()
        self.stopping = threading.Event()
        self.connects = 0
        self.write_errors = 0
        self._origin = time.monotonic()

    @property
    def reconnects(self) -> int:
        """Connections after the first one."""
        return max(self.connects - 1, 0)

    def clock(self) -> float:
        """Host time in s since the transport was created."""
        return time.monotonic() - self._origin

    def put_bytes(self, data: bytes) -> None:
        if data:
            self.queue.put(Chunk(self.clock(), bytes(data)))

    def put_link(self, kind: str, detail: str = "") -> None:
        if kind == LINK_UP:
            self.connects += 1
        self.queue.put(LinkEvent(self.clock(), kind, detail))

    def start(self) -> None:
        """Connect (raise InputError if the device cannot be reached) and start reading."""
        raise NotImplementedError

    def write(self, data: bytes) -> bool:
        """Send bytes to the device; False (and counted) when the link is down."""
        raise NotImplementedError

    def close(self) -> None:
        """Stop reading and release the device; idempotent."""
        raise NotImplementedError
