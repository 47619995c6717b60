"""Write one monitoring session into the night history, one transaction per record.

The monitor calls :class:`SessionRecorder` as things happen (events, quality intervals,
alert actions, acknowledgements); :func:`crampdetect.alerts.journal.import_detection` fills
a session from a finished ``crampdetect detect --json`` result.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Iterable, Mapping, Sequence

from crampdetect.core import Event, InputError, QualityInterval
from crampdetect.storage.history import ALIVE_EVERY_S, History, night_of

logger = logging.getLogger(__name__)

#: How often (s of stream time) a live session writes how long it has run so far into its
#: row (``sessions.duration_s``, ``ended_at`` still empty): a session that crashes or loses
#: power shows that long, not only up to its last record (a quiet night has none).
SEEN_EVERY_S = 60.0


class SessionRecorder:
    """Records one session as it happens.

    Parameters
    ----------
    history : History
        Open history database.
    profile : {"night", "training"}
        Session kind.
    channels : sequence of str
        Leg/channel names of the stream.
    source : str
        Where the samples came from (URL or file), for the listing.
    started_at : datetime or None
        Wall-clock start (aware); now if None.
    stream_t0_s : float
        Stream time in s that corresponds to ``started_at``: subtracted from every time.
    user : str or None
        Calibration profile in use, if any.
    recording : str or None
        The recording file the session is scored from (an import, a ``file://`` replay);
        None for a live board.
    provenance : mapping or None
        What produced the events (:func:`crampdetect.provenance.provenance`), stored as JSON.
    """

    def __init__(
        self,
        history: History,
        profile: str,
        channels: Sequence[str],
        source: str = "",
        started_at: dt.datetime | None = None,
        stream_t0_s: float = 0.0,
        user: str | None = None,
        recording: str | None = None,
        provenance: Mapping[str, object] | None = None,
    ) -> None:
        self.history = history
        self.stream_t0_s = float(stream_t0_s)
        start = started_at or dt.datetime.now()
        if start.tzinfo is None:  # naive means local time; aware keeps its own offset
            start = start.astimezone()
        started = start.isoformat(timespec="seconds")
        with history.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO sessions (started_at, night, profile, source, user, channels,"
                " recording, provenance, alive_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    started,
                    night_of(started, profile),
                    profile,
                    source,
                    user,
                    json.dumps(list(channels)),
                    recording,
                    None if provenance is None else json.dumps(dict(provenance)),
                    time.time(),  # the heartbeat: running (see :meth:`seen`)
                ),
            )
        self.session_id = int(cur.lastrowid or 0)
        self.started_at = start
        self._seen_s = 0.0  # session time last written by :meth:`seen`
        self._alive = time.monotonic()  # when the heartbeat was last written
        logger.info("history session %d started (%s, %s)", self.session_id, profile, source)

    def _t(self, t_s: float | None) -> float | None:
        return None if t_s is None else float(t_s) - self.stream_t0_s

    def record_event(
        self, event: Event, recurrence: bool = False, part_of: int | None = None
    ) -> None:
        """Store a raised event, or update it when it comes again with ``end_s`` set.

        ``recurrence`` (from the alert policy) or the detector's own ``detail["recurrence"]``
        labels a cramp as a recurrence. ``part_of`` (from the alert policy,
        :meth:`~crampdetect.alerts.policy.AlertPolicy.continues`): the event id of the cramp
        this one is a piece of; a piece takes the policy's label only (the detector's watch,
        started when the piece before ended, would call every piece a recurrence).
        """
        if part_of is None:
            recurrence = recurrence or event.detail.get("recurrence") is True
        sid, key = self.session_id, (event.channel, event.id)
        onset, alert, end = self._t(event.onset_s), self._t(event.alert_s), self._t(event.end_s)
        with self.history.transaction() as conn:
            if event.kind == "cramp":
                severity = event.detail.get("severity")
                conn.execute(
                    "INSERT INTO cramps (session_id, leg, event_id, onset_s, alert_s, end_s,"
                    " duration_s, severity, recurrence, confidence, part_of)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?)"
                    " ON CONFLICT(session_id, leg, event_id) DO UPDATE SET"
                    " end_s = excluded.end_s, duration_s = excluded.duration_s,"
                    " severity = COALESCE(excluded.severity, severity)",
                    (
                        sid,
                        *key,
                        onset,
                        alert,
                        end,
                        None if end is None else end - onset,
                        severity if isinstance(severity, int | float) else None,
                        int(recurrence),
                        event.confidence,
                        part_of,
                    ),
                )
            elif event.kind == "early_warning":
                conn.execute(
                    "INSERT INTO warnings (session_id, leg, event_id, onset_s, alert_s, end_s)"
                    " VALUES (?,?,?,?,?,?) ON CONFLICT(session_id, leg, event_id)"
                    " DO UPDATE SET end_s = excluded.end_s",
                    (sid, *key, onset, alert, end),
                )
            elif event.kind == "possible_cramp":
                # (gate) not a cramp: kept in the session's events file, not in the history
                logger.debug("possible cramp on %s at %.1f s not stored", event.channel, alert)
            else:
                raise InputError(f"Unknown event kind {event.kind!r}")

    def record_quality(self, interval: QualityInterval) -> None:
        """Store a quality problem as it opens, and close it when it comes again with an end."""
        start, end = self._t(interval.start_s), self._t(interval.end_s)
        with self.history.transaction() as conn:
            updated = 0
            if end is not None:
                updated = conn.execute(
                    "UPDATE quality SET end_s = ? WHERE session_id = ? AND leg = ? AND issue = ?"
                    " AND end_s IS NULL AND abs(start_s - ?) < 1e-6",
                    (end, self.session_id, interval.channel, interval.issue, start),
                ).rowcount
            if not updated:
                conn.execute(
                    "INSERT INTO quality (session_id, leg, issue, start_s, end_s)"
                    " VALUES (?,?,?,?,?)",
                    (self.session_id, interval.channel, interval.issue, start, end),
                )

    def record_action(self, action: object) -> None:
        """Store an alert-policy :class:`~crampdetect.alerts.policy.Action`."""
        pattern = getattr(action, "pattern", None)
        with self.history.transaction() as conn:
            conn.execute(
                "INSERT INTO alerts (session_id, t_s, kind, reason, leg, event_id, pattern, text)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (
                    self.session_id,
                    self._t(action.t_s),  # type: ignore[attr-defined]
                    action.kind,  # type: ignore[attr-defined]
                    action.reason,  # type: ignore[attr-defined]
                    action.channel,  # type: ignore[attr-defined]
                    action.event_id,  # type: ignore[attr-defined]
                    None if pattern is None else pattern.name,
                    action.text or None,  # type: ignore[attr-defined]
                ),
            )

    def record_ack(self, t_s: float, source: str = "button") -> None:
        """Store an acknowledgement (``button`` on the board or ``key`` in the monitor)."""
        with self.history.transaction() as conn:
            conn.execute(
                "INSERT INTO acks (session_id, t_s, source) VALUES (?,?,?)",
                (self.session_id, self._t(t_s), source),
            )

    def record_activity(self, segments: Iterable[tuple[str, float, float, str]]) -> None:
        """Store activity segments ``(leg, start_s, end_s, activity)`` (athlete view)."""
        self.history.add_activity(
            self.session_id, [(leg, self._t(a), self._t(b), what) for leg, a, b, what in segments]
        )

    def seen(self, t_s: float) -> None:
        """The stream reached ``t_s``: every :data:`SEEN_EVERY_S` of it, one UPDATE stores the
        length so far, which an interrupted session keeps (:meth:`History.session_end_s`);
        every ``ALIVE_EVERY_S`` of wall clock (the stream may stall: the session still runs),
        one stores the heartbeat that tells a running session from an interrupted one
        (:meth:`History.running`)."""
        elapsed = self._t(t_s) or 0.0
        if time.monotonic() - self._alive >= ALIVE_EVERY_S:
            self.alive()
        if elapsed - self._seen_s < SEEN_EVERY_S:
            return
        self._seen_s = elapsed
        with self.history.transaction() as conn:
            conn.execute(
                "UPDATE sessions SET duration_s = ? WHERE id = ? AND ended_at IS NULL",
                (elapsed, self.session_id),
            )

    def alive(self) -> None:
        """Write the heartbeat (wall clock, s since the epoch) into the session's row."""
        self._alive = time.monotonic()
        with self.history.transaction() as conn:
            conn.execute(
                "UPDATE sessions SET alive_at = ? WHERE id = ? AND ended_at IS NULL",
                (time.time(), self.session_id),
            )

    def close(self, end_s: float) -> None:
        """Mark the session finished at stream time ``end_s``."""
        duration = self._t(end_s)
        ended = self.started_at + dt.timedelta(seconds=duration or 0.0)
        with self.history.transaction() as conn:
            conn.execute(
                "UPDATE sessions SET ended_at = ?, duration_s = ? WHERE id = ?",
                (ended.isoformat(timespec="seconds"), duration, self.session_id),
            )
        logger.info("history session %d closed after %.0f s", self.session_id, duration)
