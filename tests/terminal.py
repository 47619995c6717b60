"""Test helpers: run the CLI on a real pseudo-terminal and read what it drew there."""

from __future__ import annotations

import os
import subprocess
import sys
import tty
from collections.abc import Callable


def read_terminal(fd: int, on_data: Callable[[bytes], None] | None = None) -> bytes:
    """Everything written to the pseudo-terminal ``fd`` until the child closes it;
    ``on_data(seen)`` is called with all bytes so far after each read (to answer a prompt)."""
    seen = b""
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        seen += data
        if on_data is not None:
            on_data(seen)
    return seen


def demo_on_a_terminal(columns: int) -> str:
    """What ``crampdetect demo --speed 200`` draws on a real pseudo-terminal ``columns`` wide."""
    master, slave = os.openpty()
    tty.setraw(slave)
    proc = subprocess.Popen(
        [sys.executable, "-m", "crampdetect", "demo", "--speed", "200"],
        stdout=slave,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "COLUMNS": str(columns), "TERM": "xterm"},
    )
    os.close(slave)
    out = read_terminal(master)
    os.close(master)
    assert proc.stderr is not None
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 0, err
    return out.decode("utf-8", "replace")
