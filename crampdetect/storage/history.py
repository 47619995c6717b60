"""Night history: a versioned SQLite file of sessions, cramps, warnings, alerts, acks, quality.

One file in the user data directory (:func:`crampdetect.storage.paths.history_path`), in
WAL mode with ``synchronous=FULL``: every record is its own transaction, so a crash between
writes loses nothing already written and never leaves half a record. The schema version is
``PRAGMA user_version``; older files are migrated in place on open, one step at a time, each
step in one transaction. Times inside a session are seconds from its start; ``started_at`` is
local ISO 8601 with its UTC offset, and ``night`` is the date a session is filed under: the
evening a night began (start - 12 h), a training session's own date. ``content_hash`` (SHA-256
of an imported file) recognises a recording imported twice; ``recording`` names the file a
session was scored from (imported or replayed), NULL for a live board.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from crampdetect.core import InputError
from crampdetect.storage.paths import history_path
from crampdetect.text import date_hint

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 8

_V1 = (
    """CREATE TABLE sessions (
        id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, ended_at TEXT,
        profile TEXT NOT NULL, source TEXT)""",
    """CREATE TABLE cramps (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        leg TEXT NOT NULL, onset_s REAL NOT NULL, alert_s REAL NOT NULL, end_s REAL)""",
    """CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        t_s REAL NOT NULL, kind TEXT NOT NULL, reason TEXT NOT NULL)""",
    """CREATE TABLE quality (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        leg TEXT NOT NULL, issue TEXT NOT NULL, start_s REAL NOT NULL, end_s REAL)""",
)

_V2 = (
    "ALTER TABLE sessions ADD COLUMN night TEXT",
    "ALTER TABLE sessions ADD COLUMN user TEXT",
    "ALTER TABLE sessions ADD COLUMN channels TEXT",
    "ALTER TABLE sessions ADD COLUMN duration_s REAL",
    "ALTER TABLE cramps ADD COLUMN event_id INTEGER",
    "ALTER TABLE cramps ADD COLUMN duration_s REAL",
    "ALTER TABLE cramps ADD COLUMN severity REAL",
    "ALTER TABLE cramps ADD COLUMN recurrence INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE cramps ADD COLUMN confidence REAL",
    "UPDATE cramps SET event_id = -id WHERE event_id IS NULL",
    "UPDATE cramps SET duration_s = end_s - onset_s WHERE end_s IS NOT NULL",
    "CREATE UNIQUE INDEX cramps_event ON cramps(session_id, leg, event_id)",
    "ALTER TABLE alerts ADD COLUMN leg TEXT",
    "ALTER TABLE alerts ADD COLUMN event_id INTEGER",
    "ALTER TABLE alerts ADD COLUMN pattern TEXT",
    "ALTER TABLE alerts ADD COLUMN text TEXT",
    """CREATE TABLE warnings (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        event_id INTEGER NOT NULL, leg TEXT NOT NULL, onset_s REAL NOT NULL,
        alert_s REAL NOT NULL, end_s REAL, UNIQUE(session_id, leg, event_id))""",
    """CREATE TABLE acks (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        t_s REAL NOT NULL, source TEXT NOT NULL)""",
    """CREATE TABLE activity (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        leg TEXT NOT NULL, start_s REAL NOT NULL, end_s REAL NOT NULL, activity TEXT NOT NULL)""",
    "CREATE INDEX sessions_night ON sessions(night)",
    "CREATE INDEX cramps_session ON cramps(session_id)",
    "CREATE INDEX quality_session ON quality(session_id)",
    "CREATE INDEX alerts_session ON alerts(session_id)",
)


_V3 = (
    "ALTER TABLE sessions ADD COLUMN content_hash TEXT",
    "CREATE INDEX sessions_content ON sessions(content_hash)",
)

#: ``cramps.part_of``: a cramp raised on a leg at most ``AlertSettings.rejoin_s`` after that
#: leg's cramp ended is a piece of it (the alert policy treats it so): the event id of the
#: cramp's first piece, NULL for a cramp of its own. Files from before keep every row a cramp.
_V4 = ("ALTER TABLE cramps ADD COLUMN part_of INTEGER",)

#: ``sessions.recording``: the recording file or session directory a session was scored from
#: (an imported ``detect --json`` result's ``input.path``, a ``monitor file://`` replay), as
#: an absolute path where it could be resolved; NULL for a live board and for older files.
_V5 = ("ALTER TABLE sessions ADD COLUMN recording TEXT",)


#: ``sessions.id`` AUTOINCREMENT: a deleted session's id is never given to a later one (an export
#: naming session 1 means one night for good). SQLite cannot add AUTOINCREMENT to a column, so
#: the table is rebuilt (foreign keys off meanwhile: dropping it must not cascade to the records;
#: they are checked before the step commits). Ids deleted before this step cannot be known.
_SESSION_COLUMNS = (
    "id, started_at, ended_at, profile, source, night, user, channels, duration_s, "
    "content_hash, recording"
)
_V6 = (
    """CREATE TABLE sessions_v6 (
        id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL, ended_at TEXT,
        profile TEXT NOT NULL, source TEXT, night TEXT, user TEXT, channels TEXT,
        duration_s REAL, content_hash TEXT, recording TEXT)""",
    f"INSERT INTO sessions_v6 ({_SESSION_COLUMNS}) SELECT {_SESSION_COLUMNS} FROM sessions",
    "DROP TABLE sessions",
    "ALTER TABLE sessions_v6 RENAME TO sessions",
    "CREATE INDEX sessions_night ON sessions(night)",
    "CREATE INDEX sessions_content ON sessions(content_hash)",
)


#: ``sessions.provenance``: what produced the session's events, the ``provenance`` block of
#: :mod:`crampdetect.provenance` as JSON (an imported result's own, a monitored session's
#: built at its start); NULL for older files and results without one.
_V7 = ("ALTER TABLE sessions ADD COLUMN provenance TEXT",)

#: ``sessions.alive_at``: the monitor's heartbeat, the wall-clock time (s since the epoch, UTC)
#: it last wrote into the row of a session it is still running (every ``ALIVE_EVERY_S``): a
#: session not closed whose heartbeat is fresh is running, one whose heartbeat went stale (or
#: never came: older files, a crash before this schema) was interrupted.
_V8 = ("ALTER TABLE sessions ADD COLUMN alive_at REAL",)

#: How often (s of wall clock) a running monitor writes its heartbeat into its session's row.
ALIVE_EVERY_S = 15.0
#: A session not closed whose heartbeat is older than this (s of wall clock) was interrupted.
ALIVE_STALE_S = 3 * ALIVE_EVERY_S


def _check_keys(conn: sqlite3.Connection) -> None:
    bad = conn.execute("PRAGMA foreign_key_check").fetchall()
    if bad:
        raise sqlite3.DatabaseError(f"{len(bad)} records point at no session after the rebuild")


def _fill_nights(conn: sqlite3.Connection) -> None:
    rows = conn.execute("SELECT id, started_at, profile FROM sessions").fetchall()
    for sid, started, profile in rows:
        night = night_of(started, profile)
        conn.execute("UPDATE sessions SET night = ? WHERE id = ?", (night, sid))


#: Step ``k`` upgrades a file from ``user_version == k`` to ``k + 1``.
MIGRATIONS: tuple[tuple[tuple[str, ...], Callable[[sqlite3.Connection], None] | None], ...] = (
    (_V1, None),
    (_V2, _fill_nights),
    (_V3, _fill_nights),  # training sessions move to their own date
    (_V4, None),
    (_V5, None),
    (_V6, _check_keys),
    (_V7, None),
    (_V8, None),
)
assert len(MIGRATIONS) == SCHEMA_VERSION

#: Tables that hang off a session, in the order the export writes them.
RECORD_TABLES = ("cramps", "warnings", "alerts", "acks", "quality", "activity")


@dataclass(frozen=True, slots=True)
class Cramp:
    """One cramp of the history: its first piece's row and all its pieces (rows, in order)."""

    first: sqlite3.Row
    pieces: list[sqlite3.Row]

    @property
    def leg(self) -> str:
        return str(self.first["leg"])

    @property
    def onset_s(self) -> float:
        return float(self.first["onset_s"])

    @property
    def end_s(self) -> float | None:
        """End of its last piece (s in the session), None if that one never ended."""
        end = self.pieces[-1]["end_s"]
        return None if end is None else float(end)

    @property
    def duration_s(self) -> float | None:
        """From the first piece's onset to the last one's end, s (gaps included)."""
        return None if self.end_s is None else self.end_s - self.onset_s

    @property
    def recurrence(self) -> bool:
        return bool(self.first["recurrence"])


def night_of(started_at: str, profile: str = "night") -> str:
    """The date (ISO) a session is filed under.

    A night belongs to the evening it began (start - 12 h: 23:30 and 02:00 both count for
    the evening before the morning); any other session to its own date.
    """
    try:
        start = dt.datetime.fromisoformat(started_at)
    except ValueError as exc:
        raise InputError(f"Invalid session start time {started_at!r}: not ISO 8601") from exc
    if profile != "night":
        return start.date().isoformat()
    return (start - dt.timedelta(hours=12)).date().isoformat()


def content_hash(path: str | Path) -> str:
    """SHA-256 of a file, or of a session directory's files (names and bytes, sorted)."""
    path = Path(path)
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(file.relative_to(path).as_posix().encode() + b"\0")
        with open(file, "rb") as fh:
            for chunk in iter(lambda fh=fh: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


class History:
    """The night-history database.

    Parameters
    ----------
    path : path-like
        SQLite file; created (and its schema built) if missing, migrated if older.

    Examples
    --------
    >>> import tempfile, os
    >>> with History(os.path.join(tempfile.mkdtemp(), "h.sqlite3")) as h:
    ...     h.schema_version == SCHEMA_VERSION
    True
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._depth = 0  # savepoints open inside the current transaction
        try:
            self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=10.0)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=FULL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA secure_delete=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise InputError(f"Cannot open history {self.path}: {exc}") from exc

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on error).

        Inside another transaction it is a savepoint of that one: nothing is committed
        before the outermost transaction ends, so a group of writes is all or nothing.
        """
        if self.conn.in_transaction:
            self._depth += 1
            name = f"sp{self._depth}"
            self.conn.execute(f"SAVEPOINT {name}")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute(f"ROLLBACK TO {name}")
                self.conn.execute(f"RELEASE {name}")
                raise
            finally:
                self._depth -= 1
            self.conn.execute(f"RELEASE {name}")
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def _migrate(self) -> None:
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise InputError(
                f"History {self.path} has schema {version}, newer than this crampdetect "
                f"({SCHEMA_VERSION}): upgrade crampdetect"
            )
        # A step may rebuild a table (schema 6): foreign keys off, or dropping the old
        # sessions table would delete every record (set outside a transaction only).
        self.conn.execute("PRAGMA foreign_keys=OFF")
        try:
            for step in range(version, SCHEMA_VERSION):
                statements, fill = MIGRATIONS[step]
                with self.transaction() as conn:
                    for sql in statements:
                        conn.execute(sql)
                    if fill is not None:
                        fill(conn)
                    conn.execute(f"PRAGMA user_version = {step + 1}")
                if step:
                    logger.info("history %s migrated to schema %d", self.path, step + 1)
        finally:
            self.conn.execute("PRAGMA foreign_keys=ON")

    # -- reading -------------------------------------------------------------------------

    def sessions(
        self,
        night_from: str | None = None,
        night_to: str | None = None,
        profile: str | None = None,
        user: str | None = None,
    ) -> list[sqlite3.Row]:
        """Sessions whose night is within [night_from, night_to] (ISO dates), oldest first;
        ``user``: only that wearer's (as ``monitor --user`` or ``history --import --user``
        stored them), None: everyone's."""
        sql = "SELECT * FROM sessions WHERE 1=1"
        params: list[object] = []
        if user is not None:
            sql += " AND user = ?"
            params.append(user)
        if night_from:
            sql += " AND night >= ?"
            params.append(_check_date(night_from))
        if night_to:
            sql += " AND night <= ?"
            params.append(_check_date(night_to))
        if profile:
            sql += " AND profile = ?"
            params.append(profile)
        rows = self.conn.execute(sql + " ORDER BY id", params).fetchall()
        # Start times carry their own UTC offsets: order by the instant, not the text.
        return sorted(rows, key=lambda r: (dt.datetime.fromisoformat(r["started_at"]), r["id"]))

    def users(self) -> list[str | None]:
        """The wearers sessions are stored for (None: sessions stored without a user)."""
        rows = self.conn.execute("SELECT DISTINCT user FROM sessions").fetchall()
        return sorted((r[0] for r in rows), key=lambda u: (u is not None, u or ""))

    def session(self, session_id: int) -> sqlite3.Row:
        row = self.conn.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise InputError(f"No session {session_id} in the history")
        return row

    def records(self, table: str, session_id: int) -> list[sqlite3.Row]:
        """All rows of ``table`` (one of :data:`RECORD_TABLES`) for one session, in time order."""
        if table not in RECORD_TABLES:
            raise InputError(f"Invalid table {table!r}: must be one of {RECORD_TABLES}")
        order = {"cramps": "onset_s", "warnings": "onset_s", "quality": "start_s"}.get(
            table, "start_s" if table == "activity" else "t_s"
        )
        sql = f"SELECT * FROM {table} WHERE session_id = ? ORDER BY {order}, id"
        return self.conn.execute(sql, (session_id,)).fetchall()

    def cramps(self, session_id: int) -> list[Cramp]:
        """The cramps of a session, each with its pieces (a cramp the detector saw end and come
        back on the same leg within ``rejoin_s`` is one cramp: see ``cramps.part_of``)."""
        out: list[Cramp] = []
        first: dict[tuple[str, int], Cramp] = {}
        for row in self.records("cramps", session_id):
            parent = first.get((row["leg"], row["part_of"]))
            if row["part_of"] is not None and parent is not None:
                parent.pieces.append(row)
                continue
            cramp = Cramp(row, [row])
            first[(row["leg"], row["event_id"])] = cramp
            out.append(cramp)
        return out

    def session_end_s(self, session_id: int) -> float:
        """Session length in s: recorded at its close, or for an interrupted session the last
        time seen (the length it wrote while running, or a later record)."""
        row = self.session(session_id)
        if row["duration_s"] is not None and row["ended_at"] is not None:
            return float(row["duration_s"])
        candidates = [0.0 if row["duration_s"] is None else float(row["duration_s"])]
        for table, cols in (
            ("cramps", "MAX(COALESCE(end_s, alert_s))"),
            ("warnings", "MAX(COALESCE(end_s, alert_s))"),
            ("quality", "MAX(COALESCE(end_s, start_s))"),
            ("alerts", "MAX(t_s)"),
            ("acks", "MAX(t_s)"),
            ("activity", "MAX(end_s)"),
        ):
            value = self.conn.execute(
                f"SELECT {cols} FROM {table} WHERE session_id = ?", (session_id,)
            ).fetchone()[0]
            if value is not None:
                candidates.append(float(value))
        return max(candidates)

    def running(self, row: sqlite3.Row, now: float | None = None) -> bool:
        """True for a session (a :meth:`sessions` row) a monitor is still running: not closed,
        and its heartbeat (``alive_at``) at most ``ALIVE_STALE_S`` from ``now`` (wall clock,
        s since the epoch; default: now). Not closed and not running: interrupted."""
        alive = row["alive_at"]
        if row["ended_at"] is not None or alive is None:
            return False
        now = time.time() if now is None else now
        return abs(now - float(alive)) <= ALIVE_STALE_S

    def session_with_content(self, digest: str) -> sqlite3.Row | None:
        """The session imported from content with this :func:`content_hash`, if any."""
        sql = "SELECT * FROM sessions WHERE content_hash = ? ORDER BY id LIMIT 1"
        return self.conn.execute(sql, (digest,)).fetchone()

    def provenance(self, session_id: int) -> dict | None:
        """The ``provenance`` block stored with a session, None if it has none."""
        import json

        text = self.session(session_id)["provenance"]
        if not text:
            return None
        try:
            block = json.loads(text)
        except ValueError:
            return None
        return block if isinstance(block, dict) else None

    def set_content_hash(self, session_id: int, digest: str) -> None:
        with self.transaction() as conn:
            sql = "UPDATE sessions SET content_hash = ? WHERE id = ?"
            conn.execute(sql, (digest, session_id))

    def add_activity(
        self, session_id: int, segments: Iterable[tuple[str, float, float, str]]
    ) -> None:
        """Store activity runs ``(leg, start_s, end_s, activity)``, times in s of the session."""
        rows = [(session_id, leg, a, b, what) for leg, a, b, what in segments]
        with self.transaction() as conn:
            conn.executemany(
                "INSERT INTO activity (session_id, leg, start_s, end_s, activity)"
                " VALUES (?,?,?,?,?)",
                rows,
            )

    # -- deleting ------------------------------------------------------------------------

    def delete_sessions(self, session_ids: list[int]) -> int:
        """Delete sessions and everything recorded in them; return how many were deleted."""
        with self.transaction() as conn:
            n = 0
            for sid in session_ids:
                n += conn.execute("DELETE FROM sessions WHERE id = ?", (sid,)).rowcount
        # Deleted health data should not linger in free pages or the WAL.
        self.conn.execute("VACUUM")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        logger.info("deleted %d sessions from %s", n, self.path)
        return n


def _check_date(value: str) -> str:
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise InputError(f"Invalid date {value!r}: {date_hint(exc)}") from exc


def open_history(path: str | Path | None = None) -> History:
    """Open the history at ``path``, or the user's default one."""
    if path is None:
        path = history_path()
    return History(path)
