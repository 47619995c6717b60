"""``file://`` sources: a recording (any format ``crampdetect.storage`` reads) replayed as blocks,
or a raw capture of the wire (``.bin``, as ``monitor --capture`` writes) replayed as bytes.

:class:`RecordingSource` is a :class:`~crampdetect.ingest.link.Source`, so ``monitor`` and
``record`` treat a recording like a board that sends no acknowledgements: commands go nowhere
and ``send`` returns False.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from crampdetect.core import Block, InputError
from crampdetect.ingest.blocks import StreamInfo
from crampdetect.ingest.inference import resolve_inference
from crampdetect.ingest.link import LinkStats
from crampdetect.ingest.transport import LINK_END, LINK_UP, Transport
from crampdetect.storage.reader import open_recording

logger = logging.getLogger(__name__)

BLOCK_S = 0.1
#: Bytes per chunk when replaying a wire capture.
CAPTURE_CHUNK = 4096
#: Seconds of signal used to infer the representation when the recording does not say.


class Pacer:
    """Hands blocks on when a live board would have: at their end time, ``speed`` x real time.

    The clock starts at construction (or :meth:`restart`) and at the first block's start.

    >>> from crampdetect.core import Block
    >>> import numpy as np
    >>> Pacer(speed=0).due_in(Block(np.zeros((1, 100)), fs=1000.0))  # unpaced: never waits
    0.0
    """

    def __init__(self, speed: float = 0.0) -> None:
        self.speed = speed
        self.restart()

    def restart(self) -> None:
        self._wall0 = time.monotonic()
        self._t_first: float | None = None

    def due_in(self, block: Block) -> float:
        """Seconds until ``block`` is due (<= 0: due now); 0 when not pacing."""
        if not self.speed or self.speed <= 0:
            return 0.0
        self._t_first = block.t0 if self._t_first is None else self._t_first
        return self._wall0 + (block.t_end - self._t_first) / self.speed - time.monotonic()

    def wait(self, block: Block, limit_s: float = float("inf")) -> None:
        """Sleep until ``block`` is due, at most ``limit_s`` s."""
        delay = self.due_in(block)
        if delay > 0:
            time.sleep(min(delay, limit_s))

    def paced(self, blocks: Iterable[Block]) -> Iterator[Block]:
        """``blocks``, each yielded when it is due."""
        for block in blocks:
            self.wait(block)
            yield block


class RecordingSource:
    """Blocks of a recording, paced at ``speed`` x real time (0: as fast as they are read).

    Parameters
    ----------
    recording : crampdetect.storage.recording.Recording
        What to replay.
    info : StreamInfo
        Its rate and representation.
    speed : float
        Playback speed; 0 for no pacing.
    """

    #: There is no board to send commands (vibrate, ping) to.
    accepts_commands = False

    def __init__(self, recording: object, info: StreamInfo, speed: float = 0.0) -> None:
        self.recording = recording
        self.info = info
        self.speed = speed
        self.ended = False
        self.connected = True
        self.acks: list[object] = []
        self._blocks: Iterator[Block] | None = None
        self._frames = 0
        self._gaps = 0
        self._gap_samples = 0
        self._pacer = Pacer(speed)

    @property
    def profile(self) -> str | None:
        """The detector profile the recording names for itself (``Recording.profile``)."""
        return self.recording.profile  # type: ignore[attr-defined]

    def __enter__(self) -> RecordingSource:
        block_samples = max(1, round(BLOCK_S * self.info.fs))
        self._blocks = iter(self.recording.iter_blocks(block_samples))  # type: ignore[attr-defined]
        self._pacer.restart()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.connected = False

    def read(self, timeout_s: float = 0.1) -> list[Block]:
        """The next blocks due by now (paced), at most ``timeout_s`` of waiting."""
        if self.ended or self._blocks is None:
            return []
        out: list[Block] = []
        deadline = time.monotonic() + timeout_s
        while True:
            block = next(self._blocks, None)
            if block is None:
                self.ended = True
                self.connected = False
                return out
            out.append(block)
            self._frames += 1
            if block.gap:
                self._gaps += 1
                self._gap_samples += block.gap
            if self.speed > 0:
                self._pacer.wait(block, max(deadline - time.monotonic(), 0.0))
                if time.monotonic() >= deadline:
                    return out
            elif len(out) >= 50:
                return out

    def send(self, command: str, **fields: object) -> bool:
        """A recording has no motor: the command is dropped."""
        return False

    def take_button_presses(self) -> int:
        """A recording has no button."""
        return 0

    @property
    def stats(self) -> LinkStats:
        return LinkStats(
            frames=self._frames,
            gaps=self._gaps,
            gap_samples=self._gap_samples,
            connected=self.connected,
        )


class CaptureTransport(Transport):
    """The bytes of a wire capture, as if a board sent them as fast as they are read.

    A reader thread feeds a bounded queue, so a capture of a whole night is streamed, not
    loaded. Commands are accepted and dropped: nothing is listening.
    """

    name = "capture"
    timebase = "device"

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.queue = queue.Queue(maxsize=256)
        self._file: BinaryIO | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        try:
            self._file = open(self.path, "rb")  # closed by the reader thread
        except OSError as exc:
            raise InputError(f"cannot read capture {self.path}: {exc.strerror}") from None
        self._thread = threading.Thread(target=self._read, name="capture", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self._file is not None
        with self._file as f:
            self.put_link(LINK_UP, self.path)
            while not self.stopping.is_set():
                data = f.read(CAPTURE_CHUNK)
                if not data:
                    break
                self.put_bytes(data)
        self.put_link(LINK_END, "end of capture")

    def write(self, data: bytes) -> bool:
        return True

    def close(self) -> None:
        self.stopping.set()
        while self._thread is not None and self._thread.is_alive():
            try:  # unblock a reader waiting on a full queue
                self.queue.get_nowait()
            except queue.Empty:
                self._thread.join(timeout=0.05)


def open_recording_source(
    path: str, speed: float = 0.0, units: str | None = None
) -> RecordingSource:
    """Open ``path`` with the recordings reader; InputError if it cannot be read.

    ``units`` overrides the sample units (as ``detect --units`` does); None: the recording's,
    or inferred from its names and magnitude.
    """
    recording = open_recording(path)
    name = Path(path).name
    for problem in recording.problems:  # most readers name the file already: once is enough
        named = problem.startswith((f"{name}:", f"{path}:"))
        logger.warning("%s", problem if named else f"{path}: {problem}")
    if not recording.segments:
        raise InputError(f"{path}: the recording holds no samples")
    representation, inferred, inference = resolve_inference(recording, units=units)
    if inferred:
        logger.info("inferred %s: %s", ", ".join(inferred), representation.to_dict())
    for line in (inference or {}).get("warnings") or []:  # the units may be wrong
        logger.warning("%s: %s", path, line)
    info = StreamInfo(
        fs=recording.fs, representation=representation, firmware="file", confirmed=True
    )
    return RecordingSource(recording, info, speed)
