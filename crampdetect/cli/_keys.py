"""Single key presses from the terminal, for acknowledging a prompt in the live view."""

from __future__ import annotations

import logging
import os
import select
import threading
from collections.abc import Callable

logger = logging.getLogger(__name__)

#: Keys that acknowledge the current prompt.
ACK_KEYS = ("a", "A", " ")


class KeyReader:
    """Calls ``on_key(key)`` for each of ``keys`` typed on the terminal ``fd``, on a thread.

    The terminal is put in cbreak mode (a key counts without Enter, nothing is echoed;
    Ctrl-C still interrupts) and restored on exit. Without a terminal (a pipe, a file)
    it does nothing.

    Examples
    --------
    >>> import os
    >>> r, w = os.pipe()
    >>> with KeyReader(r, print) as keys:  # not a terminal: inactive
    ...     keys.active
    False
    """

    def __init__(
        self, fd: int, on_key: Callable[[str], None], keys: tuple[str, ...] = ACK_KEYS
    ) -> None:
        self.fd = fd
        self.on_key = on_key
        self.keys = keys
        self.active = False
        self._saved: list | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> KeyReader:
        if os.name != "posix" or not os.isatty(self.fd):
            return self
        import termios
        import tty

        try:
            self._saved = termios.tcgetattr(self.fd)
            tty.setcbreak(self.fd, termios.TCSANOW)
        except termios.error as exc:
            logger.info("no key input: %s", exc)
            return self
        self.active = True
        self._thread = threading.Thread(target=self._read, name="keys", daemon=True)
        self._thread.start()
        return self

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                ready = select.select([self.fd], [], [], 0.1)[0]
                data = os.read(self.fd, 64) if ready else b""
            except OSError:
                return  # the terminal went away
            for key in data.decode("utf-8", errors="ignore"):
                if key in self.keys:
                    self.on_key(key)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1.0)
        if self._saved is not None:
            import termios

            try:
                termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
            except termios.error:
                pass
        self.active = False
