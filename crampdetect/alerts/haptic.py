"""The vibration motor on the board as an alert sink, and the interface alert policies fill.

A *policy* decides what to do; the :class:`HapticSink` does it on the board. Any object with

    policy.update(events: list[Event], now_s: float, acks: int = 0) -> list[Action]

is a policy (:class:`PromptPolicy`): it is called on every pass of the monitor loop, with
the detector events that arrived since the last call (possibly none, so timers can fire), the
current stream time in s and, when there were any, the acknowledgements (presses of the board's
button) since the last call. An :class:`~crampdetect.alerts.policy.Action` of kind
``vibrate`` (with a :class:`~crampdetect.alerts.patterns.VibrationPattern`) becomes a vibrate
command frame, ``stop`` a stop frame; ``message`` actions are for the screen.
:class:`SimplePolicy` is the default: vibrate when a cramp is raised, stop when it ends (an
early warning gets its message only).
:class:`crampdetect.alerts.policy.AlertPolicy` (gentle escalation, hold timer) fits as well.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Protocol

from crampdetect.alerts.patterns import VibrationPattern, settings_for
from crampdetect.alerts.policy import WARNING_TEXT, Action, LegBackoff, cramp_text, place
from crampdetect.core import Event

logger = logging.getLogger(__name__)

#: Default prompt: three firm 800 ms pulses (each far below the firmware's 3 s cut-off).
CRAMP_PATTERN = VibrationPattern(((800, 400),), repeat=3, intensity=0.8, name="cramp")


class PromptPolicy(Protocol):
    """What the monitor needs from an alert policy."""

    def update(self, events: list[Event], now_s: float, acks: int = 0) -> list[Action]: ...


class SimplePolicy:
    """Vibrate once when a cramp is raised on any channel; stop when the last one ends.

    An early warning raised gets the guided policy's message (*your left calf is tensing up:
    a gentle stretch now may head off a cramp*), never a vibration.

    A cramp raised on a leg at most ``rejoin_s`` s after that leg's previous cramp ended is the
    same cramp coming back (or the detector splitting it): it gets its message but no new
    vibration, so a detector flapping on and off cannot buzz the wearer every few seconds.
    ``rejoin_s`` defaults to the profile's :attr:`AlertSettings.rejoin_s
    <crampdetect.alerts.patterns.AlertSettings>` (night 60 s, training 30 s). A detector
    flapping with longer gaps backs off as in the guided policy (``flap_limit`` cramps prompted
    on a leg within ``flap_window_s``; a cramp after ``flap_quiet_s`` of calm always vibrates).

    Examples
    --------
    >>> policy = SimplePolicy()
    >>> [a.kind for a in policy.update([Event("calf_left", "cramp", 10.0, 12.5, id=1)], 12.5)]
    ['message', 'vibrate']
    >>> ended = Event("calf_left", "cramp", 10.0, 12.5, end_s=40.0, id=1)
    >>> [a.kind for a in policy.update([ended], 40.0)]
    ['stop']
    """

    def __init__(
        self,
        pattern: VibrationPattern = CRAMP_PATTERN,
        profile: str = "night",
        rejoin_s: float | None = None,
    ) -> None:
        self.pattern = pattern
        self.settings = settings_for(profile)
        self.rejoin_s = self.settings.rejoin_s if rejoin_s is None else rejoin_s
        self.reset()

    def reset(self) -> None:
        self._active: set[tuple[str, int]] = set()
        self._acked: set[tuple[str, int]] = set()
        self._ended: dict[str, float] = {}  # per leg: when its last cramp ended, stream s
        self._backoff = LegBackoff(self.settings)

    def not_played(self, action: Action) -> None:
        """The monitor did not play this vibration (decided too far behind real time): it
        does not count as a cramp prompted (:class:`LegBackoff`)."""
        if action.channel is not None:
            self._backoff.unprompted(action.channel, action.t_s)

    def played_late(self, action: Action) -> None:
        """A vibration held back was played at ``action.t_s`` on catching up: it counts."""
        if action.channel is not None:
            self._backoff.prompted(action.channel, action.t_s)

    def update(self, events: list[Event], now_s: float, acks: int = 0) -> list[Action]:
        """Take new events and acknowledgements (button or key presses) at ``now_s``: an
        acknowledgement stops the motor (this policy never repeats a prompt)."""
        actions: list[Action] = []
        if acks and self._active - self._acked:
            self._acked |= self._active
            channel, id_ = max(self._active, key=lambda k: k[1])
            actions.append(Action("stop", now_s, "acknowledged: prompt silenced", channel, id_))
        for event in events:
            if event.kind == "early_warning" and event.end_s is None:
                text = WARNING_TEXT.format(place=place(event.channel))
                reason = "early warning raised"
                actions.append(Action("message", now_s, reason, event.channel, event.id, text=text))
            if event.kind != "cramp":
                continue
            key = (event.channel, event.id)
            if event.end_s is None and key not in self._active:
                self._active.add(key)
                reason = f"cramp on {event.channel}"
                gap_s = event.alert_s - self._ended.pop(event.channel, -math.inf)
                backoff = None
                if gap_s <= self.rejoin_s:
                    reason += f", back {gap_s:.0f} s after it ended: no new vibration"
                else:
                    backoff = self._backoff.backs_off(event.channel, event.alert_s, gap_s)
                    if backoff is not None:
                        reason += f"; {backoff}"
                # the leg and the cramp named, as the guided policy does: a log read later says
                # which leg it was
                text = cramp_text(event)
                actions.append(
                    Action("message", now_s, reason, event.channel, event.id, None, text)
                )
                if gap_s > self.rejoin_s and backoff is None:
                    self._backoff.prompted(event.channel, now_s)
                    actions.append(
                        Action("vibrate", now_s, reason, event.channel, event.id, self.pattern)
                    )
            elif event.end_s is not None and key in self._active:
                self._active.discard(key)
                self._acked.discard(key)
                self._ended[event.channel] = event.end_s
                if not self._active:
                    actions.append(Action("stop", now_s, "cramp ended", event.channel, event.id))
        return actions


class HapticSink:
    """Carries out ``vibrate`` and ``stop`` actions as command frames.

    Parameters
    ----------
    send : callable
        ``send(command, **fields) -> bool``, e.g. :meth:`crampdetect.ingest.sources.Source.send`.
    """

    def __init__(
        self, send: Callable[..., bool], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.send = send
        self.sent: list[tuple[float, str]] = []
        self.failed = 0
        self._clock = clock
        self._motor_until = -float("inf")  # clock time at which the last pattern ends

    @property
    def vibrating(self) -> bool:
        """True while the last vibrate pattern sent is still playing (and no stop since)."""
        return self._clock() < self._motor_until

    def apply(self, actions: list[Action]) -> None:
        """Send the board the commands for ``vibrate`` and ``stop`` actions (others ignored)."""
        for action in actions:
            if action.kind == "vibrate" and action.pattern is not None:
                p = action.pattern
                ok = self.send(
                    "vibrate",
                    pulses=tuple(p.pulses),
                    repeat=p.repeat,
                    intensity=max(1, min(255, round(p.intensity * 255))),
                )
            elif action.kind == "stop":
                ok = self.send("stop")
            else:
                continue
            if ok:
                self.sent.append((action.t_s, action.kind))
                if action.kind == "stop":
                    self._motor_until = -float("inf")
                else:
                    length_ms = sum(on + off for on, off in p.pulses) * p.repeat
                    self._motor_until = self._clock() + length_ms / 1000
            else:
                self.failed += 1
                logger.warning("could not send %s to the board (link down)", action.kind)
