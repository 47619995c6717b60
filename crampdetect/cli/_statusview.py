"""Live terminal status of a monitoring session: per-channel level, detector state, quality,
link health, and alerts as they happen.

On a terminal the view is a rich live table redrawn a few times a second; without one
(a pipe, a CI log) it prints a plain status line every few seconds, and alerts always as
their own lines.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from typing import Any, TextIO

from crampdetect.core import Event
from crampdetect.reports.clock import clock, is_unix_time, utc_clock

#: Seconds between plain status lines when there is no terminal.
PLAIN_EVERY_S = 2.0
#: What the status says of a source that ended while its signal is still being gone through.
BACKLOG_WORDS = "source done, processing backlog"
#: Rich styles of the live table's last lines: an alert (a cramp, an early warning raised)
#: stands out; a message (an alert over, a prompt acknowledged, a sensor back) does not.
ALERT_STYLE = "bold red"
MESSAGE_STYLE = "cyan"
#: What the detector states mean, shown under the table.
STATES_HELP = (
    "idle: no cramp activity | suspect: activity rising, watching | cramp: sustained "
    "involuntary contraction, prompting | recovery: cramp over, this leg watched more "
    "closely for 60 min"
)


def status_line(t_s: float, status: Mapping[str, Any], stats: Any, backlog_s: float = 0.0) -> str:
    """One line: stream time, each channel's level/state/quality, link health; ``backlog_s``:
    signal received and not yet gone through the detector (a source that ended may have
    delivered minutes of it in its last read)."""
    channels = "  ".join(
        f"{name} {st.level_uv:7.0f} µV {st.state:<8} {','.join(st.quality) or 'ok'}"
        for name, st in status.items()
    )
    channels = channels or "waiting for samples"
    backlog = BACKLOG_WORDS.upper() + " "
    link = (
        f"{_link_word(stats, '', 'LINK DOWN ', 'STREAM ENDED ', backlog_s, backlog)}"
        f"{stats.frames_per_s:4.0f} fr/s "
        f"lost {stats.lost_frames} crc {stats.crc_errors} dup {stats.duplicates} "
        f"reconn {stats.reconnects}"
    )
    return f"{clock(t_s, decimals=1)}  {channels}  | {link}"


def _link_word(
    stats: Any, up: str, down: str, ended: str, backlog_s: float = 0.0, backlog: str = BACKLOG_WORDS
) -> str:
    """How the link stands: up, down (a cut: it may come back), the stream's end, or ``backlog``
    when it ended with ``backlog_s`` > 0 of signal still to go through (not ended for the
    wearer yet: alerts may still come)."""
    if getattr(stats, "ended", False):
        return backlog if backlog_s > 0 else ended
    return up if stats.connected else down


def alert_line(event: Event) -> str:
    """One line per event: a cramp alert, an early warning, or either's end."""
    if event.end_s is None and event.kind == "early_warning":
        return (
            f"WARNING on {event.channel}: resting level rising since "
            f"{clock(event.onset_s, decimals=1)} (noticed {clock(event.alert_s, decimals=1)}); "
            "a cramp may follow"
        )
    if event.end_s is None and event.kind == "possible_cramp":
        return (
            f"possible cramp on {event.channel}: onset {clock(event.onset_s, decimals=1)}, "
            f"confidence {event.confidence:.2f}, below the alert level (no alert)"
        )
    if event.end_s is None:
        return (
            f"ALERT {event.kind} on {event.channel}: onset {clock(event.onset_s, decimals=1)}, "
            f"alerted {clock(event.alert_s, decimals=1)} (confidence {event.confidence:.2f})"
        )
    what = event.kind.replace("_", " ")  # an early warning, a cramp: words, not identifiers
    return f"{what} on {event.channel} over at {clock(event.end_s, decimals=1)}"


class StatusView:
    """Shows the session on ``file``; a rich live table when ``file`` is a terminal.

    Parameters
    ----------
    file : text stream
        Where to draw (stdout, or stderr when stdout carries JSON).
    title : str
        Heading, e.g. the source URL.
    """

    def __init__(self, file: TextIO | None = None, title: str = "crampdetect monitor") -> None:
        self.file = file or sys.stdout
        self.title = title
        self._live: Any = None
        self._last_plain = -float("inf")
        self._had_samples = False
        self._last_note = ""
        self._last_link = "up"
        self._alerts: list[tuple[str, str]] = []  # (line, rich style), newest last
        if self.file.isatty():
            from rich.console import Console
            from rich.live import Live

            self._console = Console(file=self.file)
            self._live = Live(console=self._console, refresh_per_second=4, transient=False)
            self._live.start()

    def update(
        self,
        t_s: float,
        status: Mapping[str, Any],
        stats: Any,
        note: str = "",
        backlog_s: float = 0.0,
    ) -> None:
        """Redraw (terminal) or print a status line every PLAIN_EVERY_S (plain); ``backlog_s``:
        signal received and not yet detected on (see :func:`status_line`)."""
        if self._live is not None:
            self._live.update(self._table(t_s, status, stats, note, backlog_s))
            return
        now = time.monotonic()
        first_samples = bool(status) and not self._had_samples
        self._had_samples = self._had_samples or bool(status)
        if first_samples:
            print(STATES_HELP, file=self.file, flush=True)
        link = _link_word(stats, "up", "down", "ended", backlog_s, "backlog")  # shown at once
        changed = note != self._last_note or link != self._last_link
        if first_samples or now - self._last_plain >= PLAIN_EVERY_S or changed:
            self._last_plain = now
            line = status_line(t_s, status, stats, backlog_s) + (f"  | {note}" if note else "")
            print(line, file=self.file, flush=True)
        self._last_note = note
        self._last_link = link

    def _table(
        self, t_s: float, status: Mapping[str, Any], stats: Any, note: str, backlog_s: float
    ) -> Any:
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        table = Table(title=f"{self.title}  {clock(t_s, decimals=1)}", expand=False)
        for col in ("channel", "level µV", "detector", "quality"):
            table.add_column(col)
        for name, st in status.items():
            state = Text(st.state, style="bold red" if st.state == "cramp" else "")
            quality = ", ".join(st.quality) or "ok"
            table.add_row(name, f"{st.level_uv:.0f}", state, quality)
        link = Text(
            f"link: {_link_word(stats, 'up', 'DOWN', 'stream ended', backlog_s)}  "
            f"{stats.frames_per_s:.0f} frames/s  "
            f"lost {stats.lost_frames}  CRC errors {stats.crc_errors}  duplicates "
            f"{stats.duplicates}  reconnects {stats.reconnects}"
        )
        parts: list[Any] = [table, link, Text(STATES_HELP, style="dim")]
        if note:
            parts.append(Text(note, style="bold yellow"))
        parts += [Text(line, style=style) for line, style in self._alerts[-5:]]
        return Group(*parts)

    def event(self, event: Event) -> None:
        """Show an alert as it happens (its end, or a possible cramp, as a message)."""
        line = alert_line(event)
        alert = event.end_s is None and event.kind != "possible_cramp"
        if self._live is not None:
            self._alerts.append((line, ALERT_STYLE if alert else MESSAGE_STYLE))
        else:
            print(line, file=self.file, flush=True)

    def message(self, text: str) -> None:
        if self._live is not None:
            self._alerts.append((text, MESSAGE_STYLE))
        else:
            print(text, file=self.file, flush=True)

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None


def stream_stamp(t_s: float) -> str:
    """Time ``t_s`` (s) of a replayed stream as a ``--no-view`` line's stamp: ``h:mm:ss.s``
    into it, as the view and the alert lines show stream times; the UTC clock of a stream
    timed in Unix time.

    >>> stream_stamp(3725.04), stream_stamp(1764950415.97)
    ('1:02:05.0', '16:00:16.0 UTC')
    """
    return f"{utc_clock(t_s, decimals=1)} UTC" if is_unix_time(t_s) else clock(t_s, decimals=1)


class MessageLines:
    """The stand-in for :class:`StatusView` under ``--no-view``: no status display, but what
    the wearer is told (a cramp prompt, the hold timer, a loose sensor...) still printed on
    ``file``, one line each, after the local clock time it was said (``[02:14:07] Cramp in the
    left calf. ...``): a log read later by a carer tells when. ``now`` gives the stamp: a file
    replayed as fast as it is read is stamped with its own time (:func:`stream_stamp`), not
    with when it ran."""

    def __init__(
        self, file: TextIO | None = None, now: Any = lambda: time.strftime("%H:%M:%S")
    ) -> None:
        self.file = file or sys.stdout
        self._now = now

    def update(self, *args: Any, **kwargs: Any) -> None:
        """No status display (takes :meth:`StatusView.update`'s arguments)."""

    def event(self, event: Event) -> None:
        """Alerts are in the summary (and ``--json-events``); what the wearer is told is not."""

    def message(self, text: str) -> None:
        print(f"[{self._now()}] {text}", file=self.file, flush=True)

    def close(self) -> None:
        """Nothing to close."""
