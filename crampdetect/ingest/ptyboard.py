"""A simulated board behind a real pseudo-terminal (POSIX), for the demo and the tests.

The board writes encoded frames into the pty master; a program opens the slave side with
pyserial (``serial://<path>``) exactly as it would open a USB board. Commands the program
writes come out of the master and are answered with acks. :meth:`PtyBoard.unplug` and
:meth:`PtyBoard.replug` imitate pulling the USB cable out and putting it back: the stable
path is a symlink re-pointed to a fresh pty, and the samples taken meanwhile are lost.
"""

from __future__ import annotations

import itertools
import logging
import os
import queue
import select
import threading
import tty
from pathlib import Path

from crampdetect.ingest.sim import BoardEmulator, ChunkIter, paced

logger = logging.getLogger(__name__)


class PtyBoard:
    """Play simulated ADC chunks through a :class:`BoardEmulator` into a pseudo-terminal.

    Parameters
    ----------
    chunks : iterable of (time_s, counts)
        The signal, in ADC counts, shaped (n_channels, n) per chunk.
    board : BoardEmulator
        Encodes samples, answers commands.
    link : str or Path
        Symlink path the program opens; it points at the current pty slave.
    speed : float
        Playback speed (x real time); 0 plays as fast as the reader takes it.
    """

    def __init__(
        self, chunks: ChunkIter, board: BoardEmulator, link: str | Path, speed: float = 1.0
    ) -> None:
        self.chunks = chunks
        self.board = board
        self.link = Path(link)
        self.speed = speed
        self.finished = threading.Event()
        self._stop = threading.Event()
        self._plugged = threading.Event()
        self._lock = threading.Lock()
        self._master = self._slave = -1
        self._thread: threading.Thread | None = None
        self._plug()

    @property
    def path(self) -> str:
        """Stable path to open (a symlink to the current pty slave)."""
        return str(self.link)

    @property
    def device(self) -> str:
        """The pseudo-terminal device currently behind :attr:`path`, e.g. ``/dev/pts/3``."""
        return os.readlink(self.link)

    def pending(self) -> bool:
        """True while bytes written to the pty wait for the reader."""
        with self._lock:
            fd = self._slave
            return fd >= 0 and bool(select.select([fd], [], [], 0)[0])

    def _plug(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo or line editing before the reader sets raw mode itself
        self._master, self._slave = master, slave
        tmp = self.link.with_name(self.link.name + ".new")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(os.ttyname(slave))
        tmp.replace(self.link)
        self._plugged.set()

    def unplug(self) -> None:
        """Cable out: the reader sees an I/O error; samples taken from now on are lost."""
        with self._lock:
            self._plugged.clear()
            self.link.unlink(missing_ok=True)
            for fd in (self._master, self._slave):
                os.close(fd)
            self._master = self._slave = -1

    def replug(self) -> None:
        """Cable back in: a new pty appears under the same path; the board kept running."""
        with self._lock:
            self._plug()

    def start(self) -> PtyBoard:
        # The first chunk is made on the caller's thread: it sets the simulator up (scipy's
        # import), which on the board thread would race the host's own lazy scipy imports.
        it = iter(self.chunks)
        first = next(it, None)
        self.chunks = itertools.chain([] if first is None else [first], it)
        self._thread = threading.Thread(target=self._play, name="pty-board", daemon=True)
        self._thread.start()
        return self

    def _play(self) -> None:
        try:
            for time_s, data in paced(self.chunks, self.speed, self._stop):
                index = round(time_s * self.board.fs)
                with self._lock:
                    if index > self.board.n_taken:
                        self.board.skip(index - self.board.n_taken)
                    if not self._plugged.is_set():
                        self.board.frames_for(data)  # sent into an unplugged cable
                        continue
                    payload = self.board.frames_for(data)
                self._write(payload)
                self._serve_commands()
            if not self._stop.is_set():  # played to the end: the last partial frame too
                with self._lock:
                    payload = self.board.flush()
                    plugged = self._plugged.is_set()
                if plugged:
                    self._write(payload)
        finally:
            self.finished.set()
        # Keep answering commands (stop, pings) until closed.
        while not self._stop.wait(0.02):
            self._serve_commands()

    def _write(self, payload: bytes) -> None:
        view = memoryview(payload)
        while view and not self._stop.is_set():
            with self._lock:
                fd = self._master
                if fd < 0:
                    return
                ready = select.select([], [fd], [], 0)[1]
                if ready:
                    try:
                        view = view[os.write(fd, view) :]
                        continue
                    except OSError:
                        return
            self._stop.wait(0.002)  # the reader is behind: the pty buffer is full

    def _serve_commands(self) -> None:
        with self._lock:
            fd = self._master
            if fd < 0 or not select.select([fd], [], [], 0)[0]:
                return
            try:
                data = os.read(fd, 4096)
            except OSError:
                return
            acks = self.board.receive(data)
        if acks:
            self._write(acks)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
        with self._lock:
            for fd in (self._master, self._slave):
                if fd >= 0:
                    os.close(fd)
            self._master = self._slave = -1
            self.link.unlink(missing_ok=True)


class StopWhenPlayed:
    """Sets ``stop`` once the board played everything and the reader drained it: checked on
    two calls in a row, so bytes in flight in the reader thread are not lost.

    Parameters
    ----------
    board : PtyBoard
        The playing board.
    pending : queue.Queue
        The reader's queue (:attr:`crampdetect.ingest.transport.Transport.queue`).
    stop : threading.Event
        Set when done.
    """

    def __init__(self, board: PtyBoard, pending: queue.Queue, stop: threading.Event) -> None:
        self.board, self.pending, self.stop = board, pending, stop
        self.quiet_calls = 0

    def __call__(self) -> None:
        done = self.board.finished.is_set() and not self.board.pending()
        quiet = done and self.pending.empty()
        self.quiet_calls = self.quiet_calls + 1 if quiet else 0
        if self.quiet_calls >= 2:
            self.stop.set()
