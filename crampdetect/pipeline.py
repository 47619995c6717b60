"""Wiring of one stream: blocks -> filters -> features -> quality + detector -> events.

This is the one code path shared by ``detect`` (files), ``replay`` and ``monitor`` (live):
the same samples cut into any blocks give the same events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from crampdetect.core import Block, Event, QualityInterval, Representation


@dataclass(slots=True)
class Output:
    """What one :meth:`Pipeline.push` produced.

    ``events`` holds new events (``end_s`` None) and updates of ended ones (same ``id``);
    ``quality`` holds quality intervals as they open (``end_s`` None) and as they close.
    """

    events: list[Event] = field(default_factory=list)
    quality: list[QualityInterval] = field(default_factory=list)

    def extend(self, other: Output) -> None:
        self.events.extend(other.events)
        self.quality.extend(other.quality)


@dataclass(frozen=True, slots=True)
class ChannelStatus:
    """Live view of one channel: envelope level (µV at the skin), detector state, quality."""

    level_uv: float
    state: str
    quality: tuple[str, ...]


class Pipeline:
    """Streaming detection for one multi-channel stream.

    Parameters
    ----------
    fs : float
        Sample rate in Hz (100-2000).
    channels : sequence of str
        Channel names, one per row of each block.
    representation : Representation
        How the samples are expressed (raw/env, units, ADC bits).
    profile : {"night", "training"}
        Detector profile.
    """

    def __init__(
        self,
        fs: float,
        channels: Sequence[str],
        representation: Representation,
        profile: str = "night",
    ) -> None:
        self.fs = float(fs)
        self.channels = tuple(channels)
        self.representation = representation
        self.profile = profile

    def push(self, block: Block) -> Output:
        """Process one block (any size, including empty); return what it produced."""
        return Output()

    def finish(self) -> Output:
        """End of stream: close open events and quality intervals at the last sample."""
        return Output()

    @property
    def status(self) -> dict[str, ChannelStatus]:
        return {ch: ChannelStatus(0.0, "idle", ()) for ch in self.channels}
