"""An alert policy that also writes the night history: what the live monitor plugs in.

:class:`JournalingPolicy` wraps :class:`~crampdetect.alerts.policy.AlertPolicy` and a
:class:`~crampdetect.storage.recorder.SessionRecorder`: every event it sees, every action it
decides and every acknowledgement is stored as it happens (one transaction each), and a cramp
that ends starts the detector's recurrence watch through ``on_watch``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Mapping

from crampdetect.alerts.policy import Action, AlertPolicy, label_cramps
from crampdetect.core import Event, InputError, QualityInterval
from crampdetect.storage.history import History, open_history
from crampdetect.storage.recorder import SessionRecorder

logger = logging.getLogger(__name__)


class JournalingPolicy:
    """Alert policy + history recorder, with the ``update(events, now_s)`` of a prompt policy.

    Parameters
    ----------
    policy : AlertPolicy
        Decides the prompts.
    recorder : SessionRecorder
        Receives events, actions and acknowledgements.
    on_watch : callable, optional
        ``on_watch(channel, until_s)`` when a channel enters its recurrence watch, e.g.
        :meth:`crampdetect.pipeline.Pipeline.watch_recurrence`.

    Attributes
    ----------
    vet : callable or None
        ``vet(action) -> action``, applied to every action before it is stored and returned:
        the live monitor turns a vibration decided too far behind real time into a message
        saying it was not sent, so the history records what the board actually did.
    """

    def __init__(
        self,
        policy: AlertPolicy,
        recorder: SessionRecorder,
        on_watch: Callable[[str, float], None] | None = None,
    ) -> None:
        self.policy = policy
        self.recorder = recorder
        self.on_watch = on_watch
        self.vet: Callable[[Action], Action] | None = None

    def update(
        self, events: list[Event], now_s: float, acks: int = 0, ack_source: str = "button"
    ) -> list[Action]:
        """Decide like the wrapped policy, and store everything before returning."""
        actions = self.policy.update(events, now_s, acks)
        self.recorder.seen(now_s)
        if self.vet is not None:
            actions = [self.vet(a) for a in actions]
        for event in events:
            self.recorder.record_event(
                event,
                recurrence=self.policy.is_recurrence(event),
                part_of=self.policy.continues(event),
            )
            until = self.policy.recurrence_until(event.channel)
            if event.kind == "cramp" and event.end_s is not None and until is not None:
                if self.on_watch is not None:
                    self.on_watch(event.channel, until)
                logger.info("recurrence watch on %s until t=%.0f s", event.channel, until)
        for action in actions:
            self.recorder.record_action(action)
        for _ in range(acks):
            self.recorder.record_ack(now_s, ack_source)
        return actions

    def not_played(self, action: Action) -> None:
        """The wrapped policy's :meth:`~AlertPolicy.not_played`."""
        self.policy.not_played(action)

    def played_late(self, action: Action) -> None:
        """The wrapped policy's :meth:`~AlertPolicy.played_late`."""
        self.policy.played_late(action)

    def record_quality(self, intervals: list[QualityInterval]) -> None:
        """Store quality intervals as they open and close."""
        for interval in intervals:
            self.recorder.record_quality(interval)

    def recurrence_watch(self, channel: str, now_s: float) -> bool:
        return self.policy.recurrence_watch(channel, now_s)

    def close(self, end_s: float) -> None:
        """Mark the session finished at stream time ``end_s`` and close the history file."""
        self.recorder.close(end_s)
        self.recorder.history.close()


def start_journal(
    profile: str,
    source: str,
    channels: tuple[str, ...],
    stream_t0_s: float,
    user: str | None = None,
    recording: str | None = None,
    provenance: Mapping[str, object] | None = None,
) -> JournalingPolicy:
    """Open the user's history and start a session: the monitor's one call, at its first block.

    Parameters
    ----------
    profile : {"night", "training"}
        Session kind; also picks the alert settings.
    source : str
        URL being monitored (shown in ``crampdetect history``).
    channels : tuple of str
        Channel names of the stream.
    stream_t0_s : float
        Stream time in s of the first block (``Block.t0``): session times count from it.
    user : str or None
        Calibration profile in use, if any.
    recording : str or None
        The recording file replayed (``file://``), shown in ``crampdetect history``.
    provenance : mapping or None
        What scores the session (:func:`crampdetect.provenance.provenance`), stored with it.
    """
    history = open_history()
    recorder = SessionRecorder(
        history,
        profile,
        channels,
        source,
        stream_t0_s=stream_t0_s,
        user=user,
        recording=recording,
        provenance=provenance,
    )
    return JournalingPolicy(AlertPolicy(profile), recorder)


def import_detection(
    history: History,
    result: Mapping[str, object],
    started_at: dt.datetime,
    profile: str | None = None,
    source: str = "",
    stream_t0_s: float = 0.0,
    recording: str | None = None,
    user: str | None = None,
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
    recording : str, optional
        The recording the result was scored from; default its ``input.path``.
    user : str, optional
        The wearer the session is stored for (``history --import --user``).

    Returns
    -------
    SessionRecorder
        The closed session's recorder (``session_id`` tells where it went).
    """
    with history.transaction():  # all or nothing
        return _import(history, result, started_at, profile, source, stream_t0_s, recording, user)


def _import(
    history: History,
    result: Mapping[str, object],
    started_at: dt.datetime,
    profile: str | None,
    source: str,
    stream_t0_s: float,
    recording: str | None,
    user: str | None = None,
) -> SessionRecorder:
    try:
        events = [Event.from_dict(d, i) for i, d in enumerate(_items(result, "events"), start=1)]
        # still going when the recording ended: stored as going on (no end), as a monitored
        # session that stopped during a cramp stores it, not as a cramp that short
        events = [
            dataclasses.replace(e, end_s=None) if e.detail.get("open_at_end") else e for e in events
        ]
        quality = [QualityInterval.from_dict(d) for d in _items(result, "quality")]
    except InputError as exc:
        raise InputError(f"Detection result: {exc}") from exc
    meta = result.get("input")
    meta = {**(meta if isinstance(meta, Mapping) else {}), **result}
    channels = meta.get("channels") or sorted({e.channel for e in events})
    prof = str(profile or meta.get("profile") or "night")
    if recording is None and isinstance(meta.get("path"), str):
        recording = str(meta["path"])
    recorder = SessionRecorder(
        history,
        prof,
        list(channels),  # type: ignore[call-overload]
        source=str(source or meta.get("source") or ""),
        started_at=started_at,
        stream_t0_s=stream_t0_s,
        user=user,
        recording=recording,
        provenance=made if isinstance(made := result.get("provenance"), Mapping) else None,
    )
    # Recurrence labels and pieces come from the same policy the monitor uses.
    for event, recurrence, part_of in label_cramps(events, prof):
        recorder.record_event(event, recurrence=recurrence, part_of=part_of)
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
