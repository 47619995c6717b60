"""What every source of sample blocks offers: the :class:`Source` protocol and its link health.

:func:`crampdetect.ingest.sources.open_source` returns a :class:`Source` for any URL: a
board (:class:`~crampdetect.ingest.sources.BoardSource`) or a recording replayed as if it
were one (:class:`~crampdetect.ingest.replay.RecordingSource`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:  # types only: blocks.py is not needed to describe the protocol
    from crampdetect.core import Block
    from crampdetect.ingest.blocks import StreamInfo


@dataclass(frozen=True, slots=True)
class LinkStats:
    """Link health: frame rate, losses, corruption (CRC errors, malformed frames, frames that
    passed the CRC but not the plausibility checks), duplicates, reconnects, board restarts,
    and commands (sent, acknowledged, resent for want of an acknowledgement, never acked;
    heartbeat pings written and acknowledged)."""

    frames_per_s: float = 0.0
    frames: int = 0
    lost_frames: int = 0
    gaps: int = 0
    gap_samples: int = 0
    crc_errors: int = 0
    malformed: int = 0
    duplicates: int = 0
    implausible: int = 0
    reconnects: int = 0
    restarts: int = 0
    connected: bool = False
    ended: bool = False  # the source said its stream ended (a scenario, a file)
    commands_sent: int = 0
    acks: int = 0
    resends: int = 0
    unacked: int = 0
    write_errors: int = 0
    pings: int = 0  # heartbeats written
    pings_acked: int = 0  # of them, acknowledged by the board


@runtime_checkable
class Source(Protocol):
    """Blocks in, commands out; synchronous, used as a context manager (starts and stops I/O).

    ``accepts_commands`` is False when there is no board to act on a command (a recording).
    ``profile`` is the detector profile the source names for itself (a simulated board's
    scenario, a replayed recording's), None for a real board.
    """

    accepts_commands: bool
    profile: str | None
    ended: bool

    @property
    def info(self) -> StreamInfo:
        """Rate and representation of the stream (as last reported by the board)."""
        ...

    @property
    def stats(self) -> LinkStats:
        """Link health so far."""
        ...

    def read(self, timeout_s: float = 0.1) -> list[Block]:
        """Blocks completed since the last call; waits up to ``timeout_s`` s for data."""
        ...

    def send(self, command: str, **fields: object) -> bool:
        """Send a command (``vibrate``, ``stop``, ``ping``...); False if it went nowhere."""
        ...

    def take_button_presses(self) -> int:
        """Presses of the board's acknowledge button since the previous call (0 without one)."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Source: ...

    def __exit__(self, *exc: object) -> None: ...
