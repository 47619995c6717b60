"""History files as older crampdetect versions left them, for the migration tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from crampdetect.storage.history import MIGRATIONS


def history_at_schema(path: Path | str, version: int) -> sqlite3.Connection:
    """A new SQLite file at ``path`` with the first ``version`` migrations applied, open for
    the caller's rows; the caller sets ``PRAGMA user_version``, commits and closes it."""
    conn = sqlite3.connect(path)
    for statements, fill in MIGRATIONS[:version]:
        for sql in statements:
            conn.execute(sql)
        if fill is not None:
            fill(conn)
    return conn
