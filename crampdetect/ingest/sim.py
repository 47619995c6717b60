"""A simulated board that speaks the wire protocol, and the ``sim://`` transport around it.

:class:`BoardEmulator` turns ADC samples into encoded frames exactly as the firmware does
(sample frames with sequence numbers and device time, a status frame every second) and
answers command frames with acks, keeping a log of what it was asked to do with the motor.
The ``sim://`` transport and ``crampdetect demo`` (through a pseudo-terminal) both use it,
so the real decoder and reassembler are exercised.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from crampdetect.ingest.frames import (
    AckFrame,
    CommandFrame,
    FrameDecoder,
    SampleFrame,
    StatusFrame,
    encode_frame,
)
from crampdetect.ingest.transport import LINK_END, LINK_UP, Transport

logger = logging.getLogger(__name__)

#: Chunks of (time_s, data): data shaped (n_channels, n_samples) in ADC counts.
ChunkIter = Iterable[tuple[np.ndarray, np.ndarray]]


@dataclass(slots=True)
class MotorLog:
    """What the emulated board was told: (device time s, command) pairs and heartbeats."""

    commands: list[tuple[float, CommandFrame]] = field(default_factory=list)
    pings: int = 0

    def of_kind(self, command: str) -> list[tuple[float, CommandFrame]]:
        return [(t, c) for t, c in self.commands if c.command == command]


class BoardEmulator:
    """Firmware behaviour on the host: samples -> frame bytes, command bytes -> ack bytes.

    Parameters
    ----------
    fs : int
        Sample rate in Hz.
    n_channels : int
        Channels (1 or 2), sent with mask bits 0..n-1.
    adc_bits : int
        ADC resolution (10 Uno, 12 ESP32).
    signal : {"raw", "env"}
        Which MyoWare output is sampled.
    samples_per_frame : int
        Samples per channel in each sample frame.
    """

    def __init__(
        self,
        fs: int = 1000,
        n_channels: int = 2,
        adc_bits: int = 10,
        signal: str = "raw",
        samples_per_frame: int = 10,
    ) -> None:
        self.fs = fs
        self.n_channels = n_channels
        self.adc_bits = adc_bits
        self.signal = signal
        self.samples_per_frame = samples_per_frame
        self.firmware = "sim-1.0"
        self.reset()

    def reset(self) -> None:
        """Power-on state: sequence numbers and the device clock start at 0."""
        self.motor = MotorLog()
        self._seq = 0
        self._index = 0  # samples taken since power-on (sent or lost)
        self._pending = np.zeros((self.n_channels, 0), np.uint16)
        self._next_status_index = 0
        self._next_frame_index = 0  # device sample index of the first pending sample
        self.lost_samples = 0
        self._decoder = FrameDecoder()
        self._ack_seq = 0

    @property
    def n_taken(self) -> int:
        """Samples taken since power-on, sent or lost."""
        return self._index

    @property
    def device_s(self) -> float:
        """Device time in s of the next sample."""
        return self._index / self.fs

    def _t_us(self, index: int) -> int:
        return (index * 1_000_000 // self.fs) % (1 << 32)

    def status_frame(self) -> StatusFrame:
        mask = (1 << self.n_channels) - 1
        return StatusFrame(
            self._seq, self._t_us(self._index), self.firmware, self.fs, self.adc_bits,
            self.signal, 255, self.lost_samples % (1 << 32), mask,
        )  # fmt: skip

    def frames_for(self, counts: np.ndarray) -> bytes:
        """Encode samples (n_channels, n) in ADC counts; leftovers wait for the next call."""
        full = (1 << self.adc_bits) - 1
        counts = np.clip(np.rint(np.nan_to_num(counts, nan=full / 2)), 0, full).astype(np.uint16)
        pending = np.concatenate([self._pending, counts.reshape(self.n_channels, -1)], axis=1)
        n = self.samples_per_frame
        n_frames = pending.shape[1] // n
        self._pending = pending[:, n_frames * n :]
        out = self._encode([pending[:, k * n : (k + 1) * n] for k in range(n_frames)])
        self._index += counts.shape[-1]
        return out

    def flush(self) -> bytes:
        """The end of the stream: the samples still waiting for a full frame (fewer than
        ``samples_per_frame``) go out in one last, shorter frame, so every sample taken
        reaches the host. Empty bytes if none wait."""
        if not self._pending.shape[1]:
            return b""
        last, self._pending = self._pending, self._pending[:, :0]
        return self._encode([last])

    def _encode(self, frames: list[np.ndarray]) -> bytes:
        """Sample frames of ``frames`` (each (n_channels, n) counts, in order, from the next
        frame index on), with a status frame before the first one of every second."""
        out = bytearray()
        mask = (1 << self.n_channels) - 1
        index = self._next_frame_index
        for samples in frames:
            if index >= self._next_status_index:
                out += encode_frame(self.status_frame())
                self._next_status_index = index + self.fs
            out += encode_frame(SampleFrame(self._seq, self._t_us(index), mask, samples))
            self._seq = (self._seq + 1) & 0xFFFF
            index += samples.shape[1]
        self._next_frame_index = index
        return bytes(out)

    def skip(self, n_samples: int) -> None:
        """Samples the board never got (its ADC path stalled): they and the unfinished frame
        are dropped and counted in the status frame's lost-sample counter; sequence numbers
        carry on and the device time of the next frame shows the jump."""
        self.lost_samples += self._pending.shape[1] + n_samples
        self._pending = self._pending[:, :0]
        self._index += n_samples
        self._next_frame_index = self._index

    def receive(self, data: bytes) -> bytes:
        """Bytes from the host; returns the encoded acks to send back."""
        out = bytearray()
        for frame in self._decoder.feed(data):
            if not isinstance(frame, CommandFrame):
                continue
            if frame.command == "ping":
                self.motor.pings += 1
            else:
                self.motor.commands.append((self.device_s, frame))
                logger.info("board: %s at %.2f s", frame.command, self.device_s)
            out += encode_frame(AckFrame(self._ack_seq, frame.seq, 0))
            self._ack_seq = (self._ack_seq + 1) & 0xFFFF
        return bytes(out)


def paced(
    chunks: ChunkIter, speed: float, stop: threading.Event
) -> Iterator[tuple[float, np.ndarray]]:
    """Yield (time_s of chunk start, data) no faster than ``speed`` x real time (0: no pacing)."""
    wall0 = time.monotonic()
    t_first: float | None = None
    for time_s, data in chunks:
        if stop.is_set():
            return
        if speed > 0 and len(time_s):
            t_first = float(time_s[0]) if t_first is None else t_first
            due = wall0 + (float(time_s[-1]) - t_first) / speed
            if stop.wait(max(due - time.monotonic(), 0.0)):
                return
        yield (float(time_s[0]) if len(time_s) else 0.0), data


class SimTransport(Transport):
    """``sim://``: a :class:`BoardEmulator` fed by simulated chunks, bytes into the queue.

    Parameters
    ----------
    chunks : callable
        Returns an iterable of ``(time_s, counts)`` chunks (counts shaped (n_channels, n)).
    board : BoardEmulator
        Encodes the chunks and answers commands.
    speed : float
        Playback speed (x real time); 0 plays as fast as possible.
    """

    name = "sim"
    timebase = "device"

    def __init__(self, chunks: Callable[[], ChunkIter], board: BoardEmulator, speed: float) -> None:
        super().__init__()
        self.chunks = chunks
        self.board = board
        self.speed = speed
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._played = threading.Event()  # the board ended its stream (LINK_END is queued)

    def wait_played(self, timeout_s: float | None = None) -> bool:
        """Wait until the board has played its stream and ended it (its samples, the last
        partial frame and the end of the stream are in :attr:`queue`; or it was stopped by
        :meth:`close`, or its simulator failed): True then, False if ``timeout_s`` (s; None:
        no limit) passed first. A board at ``speed=0`` ends long before the host has read
        its stream. The board keeps answering commands after it."""
        return self._played.wait(timeout_s)

    def start(self) -> None:
        # The first chunk is made here, on the caller's thread: it sets the simulator up, and
        # that imports scipy.signal. Imported on the board thread, it would race the caller's
        # own lazy imports of scipy (a monitor created right after: two threads importing one
        # package fail, ``KeyError: 'scipy'``).
        chunks: Iterator[tuple[np.ndarray, np.ndarray]] | Exception
        try:
            it = iter(self.chunks())
            first = next(it, None)
            chunks = itertools.chain([] if first is None else [first], it)
        except Exception as exc:  # reported by the board thread, as any simulator failure
            chunks = exc
        self._thread = threading.Thread(
            target=self._play, args=(chunks,), name="sim-board", daemon=True
        )
        self._thread.start()

    def _play(
        self, chunks: Iterator[tuple[np.ndarray, np.ndarray]] | Exception | None = None
    ) -> None:
        """Play the chunks (``start``'s, already begun; None: a new series, on this thread)."""
        self.put_link(LINK_UP, "simulated board")
        try:
            if isinstance(chunks, Exception):
                raise chunks
            if chunks is None:
                chunks = iter(self.chunks())
            for time_s, data in paced(chunks, self.speed, self.stopping):
                index = round(time_s * self.board.fs)
                with self._lock:
                    if index > self.board.n_taken:  # a gap in the simulated recording
                        self.board.skip(index - self.board.n_taken)
                    payload = self.board.frames_for(data)
                self.put_bytes(payload)
            if not self.stopping.is_set():  # played to the end: the last partial frame too
                with self._lock:
                    payload = self.board.flush()
                self.put_bytes(payload)
        except Exception as exc:  # the simulator failing must end the stream, not hang it
            logger.exception("simulated board failed")
            self.put_link(LINK_END, f"simulator failed: {exc}")
            self._played.set()
            return
        self.put_link(LINK_END, "simulation finished")
        self._played.set()

    def write(self, data: bytes) -> bool:
        with self._lock:
            acks = self.board.receive(data)
        self.put_bytes(acks)
        return True

    def close(self) -> None:
        self.stopping.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5.0)
