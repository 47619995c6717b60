"""Write one monitoring session into the night history, one transaction per record.

The monitor calls :class:`SessionRecorder` as things happen (events, quality intervals,
alert actions, acknowledgements); :func:`import_detection` fills a session from a finished
``crampdetect detect --json`` result, so a replayed or simulated night lands in the same place.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Mapping, Sequence

from crampdetect.core import Event, InputError, QualityInterval
from crampdetect.storage.history import History, night_of

logger = logging.getLogger(__name__)


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
    ) -> None:
        self.history = history
        self.stream_t0_s = float(stream_t0_s)
        start = started_at or dt.datetime.now()
        if start.tzinfo is None:  # naive means local time; aware keeps its own offset
            start = start.astimezone()
        started = start.isoformat(timespec="seconds")
        with history.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO sessions (started_at, night, profile, source, user, channels)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    started,
                    night_of(started, profile),
                    profile,
                    source,
                    user,
                    json.dumps(list(channels)),
                ),
            )
        self.session_id = int(cur.lastrowid or 0)
        self.started_at = start
        logger.info("history session %d started (%s, %s)", self.session_id, profile, source)

    def _t(self, t_s: float | None) -> float | None:
        return None if t_s is None else float(t_s) - self.stream_t0_s

    def record_event(self, event: Event, recurrence: bool = False) -> None:
        """Store a raised event, or update it when it comes again with ``end_s`` set.

        ``recurrence`` (from the alert policy) or the detector's own ``detail["recurrence"]``
        labels a cramp as a recurrence.
        """
        recurrence = recurrence or event.detail.get("recurrence") is True
        sid, key = self.session_id, (event.channel, event.id)
        onset, alert, end = self._t(event.onset_s), self._t(event.alert_s), self._t(event.end_s)
        with self.history.transaction() as conn:
            if event.kind == "cramp":
                severity = event.detail.get("severity")
                conn.execute(
                    "INSERT INTO cramps (session_id, leg, event_id, onset_s, alert_s, end_s,"
                    " duration_s, severity, recurrence, confidence) VALUES (?,?,?,?,?,?,?,?,?,?)"
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
                    ),
                )
            elif event.kind == "early_warning":
                conn.execute(
                    "INSERT INTO warnings (session_id, leg, event_id, onset_s, alert_s, end_s)"
                    " VALUES (?,?,?,?,?,?) ON CONFLICT(session_id, leg, event_id)"
                    " DO UPDATE SET end_s = excluded.end_s",
                    (sid, *key, onset, alert, end),
                )
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
        rows = [
            (self.session_id, leg, self._t(a), self._t(b), what) for leg, a, b, what in segments
        ]
        with self.history.transaction() as conn:
            conn.executemany(
                "INSERT INTO activity (session_id, leg, start_s, end_s, activity)"
                " VALUES (?,?,?,?,?)",
                rows,
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


def import_detection(
    history: History,
    result: Mapping[str, object],
    started_at: dt.datetime,
    profile: str | None = None,
    source: str = "",
    stream_t0_s: float = 0.0,
) -> SessionRecorder:
    """Store a finished detection result (``detect --json``) as one session.

    Parameters
    ----------
    result : mapping
        ``{"input": {...}, "events": [...], "quality": [...]}`` as ``detect --json`` prints
        it (items as written by ``Event.to_dict`` and ``QualityInterval.to_dict``); the
        ``channels``, ``profile`` and ``duration_s`` are read from ``input`` or the top level.
    started_at : datetime
        Wall-clock time of stream time ``stream_t0_s``.
    stream_t0_s : float
        Stream time in s of the start of the recording (subtracted from every time).

    Returns
    -------
    SessionRecorder
        The closed session's recorder (``session_id`` tells where it went).
    """
    with history.transaction():  # all or nothing
        return _import(history, result, started_at, profile, source, stream_t0_s)


def _import(
    history: History,
    result: Mapping[str, object],
    started_at: dt.datetime,
    profile: str | None,
    source: str,
    stream_t0_s: float,
) -> SessionRecorder:
    from crampdetect.alerts.policy import AlertPolicy

    events = [_event(d, i) for i, d in enumerate(_items(result, "events"), start=1)]
    quality = [_quality(d) for d in _items(result, "quality")]
    meta = result.get("input")
    meta = {**(meta if isinstance(meta, Mapping) else {}), **result}
    channels = meta.get("channels") or sorted({e.channel for e in events})
    prof = str(profile or meta.get("profile") or "night")
    recorder = SessionRecorder(
        history,
        prof,
        list(channels),  # type: ignore[call-overload]
        source=str(source or meta.get("source") or ""),
        started_at=started_at,
        stream_t0_s=stream_t0_s,
    )
    # Recurrence labels come from the same policy the monitor uses.
    policy = AlertPolicy(prof)
    cramps = sorted((e for e in events if e.kind == "cramp"), key=lambda e: e.alert_s)
    for event in cramps:
        raised = event.ended(None)  # type: ignore[arg-type]
        policy.update([raised], event.alert_s)
        recorder.record_event(event, recurrence=policy.is_recurrence(raised))
        if event.end_s is not None:
            policy.update([event], event.end_s)
    for event in events:
        if event.kind != "cramp":
            recorder.record_event(event)
    for interval in quality:
        recorder.record_quality(interval)
    ends = [stream_t0_s]
    ends += [e.end_s or e.alert_s for e in events] + [q.end_s or q.start_s for q in quality]
    duration = meta.get("duration_s")
    if isinstance(duration, int | float):
        recorder.close(stream_t0_s + float(duration))
    else:
        recorder.close(max(ends))
    return recorder


def _items(result: Mapping[str, object], key: str) -> list[Mapping[str, object]]:
    items = result.get(key, [])
    if not isinstance(items, list) or not all(isinstance(d, Mapping) for d in items):
        raise InputError(f"Detection result: {key!r} must be a list of objects")
    return items


def _event(d: Mapping[str, object], default_id: int) -> Event:
    try:
        return Event(
            channel=str(d["channel"]),
            kind=str(d.get("kind", "cramp")),
            onset_s=float(d["onset_s"]),  # type: ignore[arg-type]
            alert_s=float(d.get("alert_s", d["onset_s"])),  # type: ignore[arg-type]
            end_s=None if d.get("end_s") is None else float(d["end_s"]),  # type: ignore[arg-type]
            confidence=float(d.get("confidence", 1.0)),  # type: ignore[arg-type]
            id=int(d.get("id", default_id)),  # type: ignore[call-overload]
            detail=dict(d.get("detail") or {}),  # type: ignore[call-overload]
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"Detection result: bad event {dict(d)!r}: {exc}") from exc


def _quality(d: Mapping[str, object]) -> QualityInterval:
    try:
        return QualityInterval(
            channel=str(d["channel"]),
            issue=str(d["issue"]),
            start_s=float(d["start_s"]),  # type: ignore[arg-type]
            end_s=None if d.get("end_s") is None else float(d["end_s"]),  # type: ignore[arg-type]
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"Detection result: bad quality interval {dict(d)!r}: {exc}") from exc
