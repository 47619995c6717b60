"""Alert policy: turns detector events into prompts for the wearer, separate from detection.

The policy decides *whether* and *how* to prompt; the detector only says what the muscle
does. Times are on the stream clock (the same seconds as :class:`~crampdetect.core.Event`).
Every decision, including a decision not to prompt, is logged with its reason.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from crampdetect.alerts.patterns import AlertSettings, VibrationPattern, settings_for
from crampdetect.core import Event
from crampdetect.text import plural

logger = logging.getLogger(__name__)

STRETCH_TEXT = "Pull your toes towards your shin and hold the stretch 10-30 s."
REST_TEXT = (
    "Rest the calf for 15-20 min: it stays prone to cramp for about an hour, "
    "so it is watched more closely until then."
)
WARNING_TEXT = "Your {place} is tensing up: a gentle stretch now may head off a cramp."


def cramp_text(event: Event, label: str = "Cramp") -> str:
    """The wearer's sentence for a cramp raised: a cramp the pipeline raised again after a long
    gap in the signal (a link lost for more than 10 s: ``detail["continues"]``) is said to be
    still going, not a new one."""
    where = place(event.channel)
    gap_s = event.detail.get("after_gap_s")
    if event.detail.get("continues") is not None and isinstance(gap_s, int | float):
        return (
            f"The cramp in the {where} is still going after {gap_s:.0f} s without signal. "
            f"{STRETCH_TEXT}"
        )
    return f"{label} in the {where}. {STRETCH_TEXT}"


def place(channel: str) -> str:
    """Where ``channel`` measures, as the wearer would say it: ``left calf`` for ``calf_left``,
    ``Calf_Left_mV``, ``gastroc_left`` or ``left`` (the leg words of
    :func:`~crampdetect.calibration.channel_words`); a channel that names its leg but another
    muscle is ``left leg (ta_left)``, one that names no leg ``calf`` (``calf``) or
    ``calf (ch1)``."""
    # lazy: calibration pulls numpy and the filters, needed only when prompting
    from crampdetect.calibration import channel_words

    leg, other = channel_words(channel)
    calf = other <= {"calf"}
    if leg:
        return f"{leg} calf" if calf else f"{leg} leg ({channel})"
    return "calf" if calf and other else f"calf ({channel})"


@dataclass(frozen=True, slots=True)
class Action:
    """One thing the monitor should do now.

    Parameters
    ----------
    kind : {"vibrate", "stop", "message"}
        Play ``pattern`` on the board, stop the motor, or show ``text``.
    t_s : float
        Stream time in s of the decision.
    reason : str
        Why, in a few words (also logged and stored in the history).
    channel : str or None
        Leg the action is about.
    event_id : int or None
        Detector event that caused it.
    pattern : VibrationPattern or None
        For ``vibrate``.
    text : str
        For ``message``: text for the screen.
    """

    kind: str
    t_s: float
    reason: str
    channel: str | None = None
    event_id: int | None = None
    pattern: VibrationPattern | None = None
    text: str = ""


@dataclass(slots=True)
class _Cramp:
    channel: str
    alert_s: float
    recurrence: bool
    first_id: int | None = None  # detector event id of the episode's first piece
    n_prompts: int = 0  # prompts played (what the cap and the escalation count)
    last_prompt_s: float = -math.inf  # last prompt decided, played or not (its timing)
    acked: bool = False
    capped: bool = False


class LegBackoff:
    """Per leg, the times new cramps were prompted (a prompt played), and whether a further
    cramp backs off: :attr:`AlertSettings.flap_limit <crampdetect.alerts.patterns.AlertSettings>`
    prompted within ``flap_window_s`` and less than ``flap_quiet_s`` after the leg's last
    cramp ended. Both policies use it, so a detector flapping on and off with gaps just over
    ``rejoin_s`` cannot prompt the wearer once per piece all night.
    """

    def __init__(self, settings: AlertSettings) -> None:
        self.limit = settings.flap_limit
        self.window_s = settings.flap_window_s
        self.quiet_s = settings.flap_quiet_s
        self._prompted: dict[str, list[float]] = {}

    def backs_off(self, channel: str, alert_s: float, gap_s: float) -> str | None:
        """Why a new cramp on ``channel`` raised at ``alert_s``, ``gap_s`` after that leg's
        last cramp ended, gets no vibration; None if it is prompted."""
        times = self._prompted.get(channel, [])
        times[:] = [t for t in times if t > alert_s - self.window_s]
        if not self.limit or len(times) < self.limit or gap_s >= self.quiet_s:
            return None
        return (
            f"no vibration: {plural(len(times), 'cramp')} on this leg prompted within "
            f"{self.window_s / 60:.0f} min and this one came {gap_s:.0f} s after the last ended "
            f"(a cramp after {self.quiet_s / 60:.0f} min of calm is prompted again)"
        )

    def prompted(self, channel: str, t_s: float) -> None:
        """A new cramp's first prompt on ``channel`` was played at ``t_s``."""
        self._prompted.setdefault(channel, []).append(t_s)

    def unprompted(self, channel: str, t_s: float) -> None:
        """The first prompt counted at ``t_s`` was not played after all."""
        times = self._prompted.get(channel, [])
        if t_s in times:
            times.remove(t_s)


class AlertPolicy:
    """Stateful prompt policy for one monitoring session.

    Parameters
    ----------
    profile : {"night", "training"}
        Chooses the default :class:`AlertSettings` (gentle, escalating at night; firm in training).
    settings : AlertSettings or None
        Overrides the profile defaults.

    Examples
    --------
    >>> from crampdetect.core import Event
    >>> policy = AlertPolicy("night")
    >>> [a.kind for a in policy.update([Event("left", "cramp", 10.0, 12.0, id=1)], now_s=12.0)]
    ['message', 'vibrate']
    """

    def __init__(self, profile: str = "night", settings: AlertSettings | None = None) -> None:
        self.profile = profile
        self.settings = settings if settings is not None else settings_for(profile)
        self.reset()

    def reset(self) -> None:
        """Forget every cramp, hold timer and recurrence watch."""
        self._cramps: dict[tuple[str, int], _Cramp] = {}
        self._last_prompt_s = -math.inf
        self._last_warning_s = -math.inf  # warnings never hold back a cramp prompt
        self._hold_start_s: float | None = None
        self._hold_ticks = 0
        self._watch_until: dict[str, float] = {}
        self._recurrence_ids: set[tuple[str, int]] = set()
        self._part_of: dict[tuple[str, int], int | None] = {}  # piece -> first piece's id
        self._ended: dict[str, tuple[float, _Cramp]] = {}  # per leg: last cramp's end, state
        self._vibrating = False
        self._backoff = LegBackoff(self.settings)
        # the cramp prompts decided in the last update, (t_s, event id) -> cramps they served
        self._decided: dict[tuple[float, int | None], list[_Cramp]] = {}

    # -- queries -------------------------------------------------------------------------

    def recurrence_watch(self, channel: str, now_s: float) -> bool:
        """True while ``channel`` is within the post-cramp recurrence window at ``now_s``."""
        return now_s < self._watch_until.get(channel, -math.inf)

    def recurrence_until(self, channel: str) -> float | None:
        """Stream time in s until which ``channel`` is watched, or None."""
        return self._watch_until.get(channel)

    def is_recurrence(self, event: Event) -> bool:
        """Whether the policy labelled this cramp event a recurrence."""
        return (event.channel, event.id) in self._recurrence_ids

    def continues(self, event: Event) -> int | None:
        """Event id of the cramp this cramp event continues (raised on the same leg at most
        ``rejoin_s`` after it ended: one cramp in pieces), or None for a cramp of its own.

        Always the episode's first piece, however many pieces came between.
        """
        return self._part_of.get((event.channel, event.id))

    @property
    def active(self) -> list[str]:
        """Channels with an ongoing cramp."""
        return sorted({c.channel for c in self._cramps.values()})

    # -- what the board did ----------------------------------------------------------------

    def not_played(self, action: Action) -> None:
        """The monitor did not play this ``vibrate`` action of the last :meth:`update` (it
        was decided too far behind real time): it counts for neither the cap nor the
        escalation, so the first prompt the wearer feels is still the first, gentle one. Its
        time still paces the next prompt (no burst of prompts while a backlog is caught up).
        """
        for cramp in self._decided.pop((action.t_s, action.event_id), []):
            cramp.n_prompts -= 1
            if cramp.n_prompts == 0:
                self._backoff.unprompted(cramp.channel, action.t_s)

    def played_late(self, action: Action) -> None:
        """A prompt held back (see :meth:`not_played`) was played at ``action.t_s`` after all,
        on catching up, for a cramp still going: it counts now, and paces the next."""
        cramp = self._cramps.get((action.channel or "", action.event_id or 0))
        if cramp is None:
            return
        cramp.n_prompts += 1
        cramp.last_prompt_s = self._last_prompt_s = action.t_s
        self._vibrating = True
        if cramp.n_prompts == 1:
            self._backoff.prompted(cramp.channel, action.t_s)

    # -- the decision step ---------------------------------------------------------------

    def update(self, events: list[Event], now_s: float, acks: int = 0) -> list[Action]:
        """Take new detector events and acknowledgements; return what to do at ``now_s``.

        Parameters
        ----------
        events : list of Event
            Events from the pipeline since the last call (raised and ended ones).
        now_s : float
            Current stream time in s.
        acks : int
            Acknowledgements (board button, monitor key) since the last call.
        """
        out: list[Action] = []
        self._decided = {}
        for event in events:
            if event.kind == "cramp":
                out += self._on_cramp(event, now_s)
            elif event.kind == "early_warning" and event.end_s is None:
                out += self._on_warning(event, now_s)
        if acks:
            out += self._on_ack(now_s)
        out += self._hold_timer(now_s)
        out += self._repeat(now_s)
        for action in out:
            logger.info(
                "t=%.1f s %s %s: %s",
                action.t_s,
                action.kind,
                action.channel or "-",
                action.reason,
            )
        return out

    def _on_cramp(self, event: Event, now_s: float) -> list[Action]:
        key = (event.channel, event.id)
        if event.end_s is None:
            if key in self._cramps:
                return []
            ended_s, before = self._ended.pop(event.channel, (-math.inf, None))
            rejoin = before is not None and event.alert_s - ended_s <= self.settings.rejoin_s
            # A piece of the cramp before is no recurrence of it: it keeps that cramp's label.
            if rejoin:
                recurrence = before.recurrence  # type: ignore[union-attr]
            else:
                recurrence = self.recurrence_watch(event.channel, event.alert_s)
            cramp = _Cramp(event.channel, event.alert_s, recurrence, event.id)
            backoff = None
            if not rejoin:
                backoff = self._backoff.backs_off(
                    event.channel, event.alert_s, event.alert_s - ended_s
                )
                cramp.capped = backoff is not None
            self._cramps[key] = cramp
            if recurrence:
                self._recurrence_ids.add(key)
            label = "Recurring cramp" if recurrence else "Cramp"
            text = cramp_text(event, label)
            reason = "cramp raised" + (
                " (recurrence within the watch window)" if recurrence and not rejoin else ""
            )
            if rejoin and before is not None:
                # The same episode: its prompts so far count (escalation, cap, acknowledgement).
                cramp.n_prompts, cramp.last_prompt_s = before.n_prompts, before.last_prompt_s
                cramp.acked, cramp.capped = before.acked, before.capped
                cramp.first_id = before.first_id
                self._part_of[key] = before.first_id
                n = before.n_prompts
                reason += (
                    f"; {event.alert_s - ended_s:.0f} s after the last one ended, it continues "
                    f"that cramp ({plural(n, 'prompt')} so far"
                    + (", acknowledged)" if before.acked else ")")
                )
            if backoff is not None:
                reason += f"; {backoff}"
            return [Action("message", now_s, reason, event.channel, event.id, text=text)]
        # The cramp ended.
        cramp = self._cramps.pop(key, None)
        if cramp is not None:
            self._ended[event.channel] = (event.end_s, cramp)
        until = event.end_s + self.settings.recurrence_window_s
        self._watch_until[event.channel] = max(until, self._watch_until.get(event.channel, until))
        out: list[Action] = []
        if self._vibrating and not self._cramps:
            self._vibrating = False
            out.append(Action("stop", now_s, "cramp ended", event.channel, event.id))
        duration = event.end_s - event.onset_s
        text = (
            f"The cramp in the {place(event.channel)} eased after {_fmt_duration(duration)}. "
            f"{REST_TEXT}"
        )
        reason = (
            f"cramp ended after {duration:.0f} s; recurrence watch "
            f"for {self.settings.recurrence_window_s / 60:.0f} min"
        )
        if cramp is None:
            reason += " (its start was not seen)"
        out.append(Action("message", now_s, reason, event.channel, event.id, text=text))
        return out

    def _on_warning(self, event: Event, now_s: float) -> list[Action]:
        text = WARNING_TEXT.format(place=place(event.channel))
        out = [Action("message", now_s, "early warning raised", event.channel, event.id, text=text)]
        if not self.settings.warn_prompt:
            logger.info("t=%.1f s no vibration for early warning: warn_prompt is off", now_s)
        elif self._cramps:
            logger.info("t=%.1f s no vibration for early warning: a cramp is being handled", now_s)
        elif now_s - max(self._last_prompt_s, self._last_warning_s) < self.settings.refractory_s:
            logger.info("t=%.1f s no vibration for early warning: refractory period", now_s)
        else:
            self._last_warning_s = now_s
            pattern = self.settings.escalation[0]
            out.append(
                Action(
                    "vibrate",
                    now_s,
                    "early warning: gentle prompt",
                    event.channel,
                    event.id,
                    pattern,
                )
            )
        return out

    def _on_ack(self, now_s: float) -> list[Action]:
        pending = [(k, c) for k, c in self._cramps.items() if not c.acked]
        if not pending:
            logger.info("t=%.1f s acknowledgement with no prompt pending: ignored", now_s)
            return []
        for _, cramp in pending:
            cramp.acked = True
        key, cramp = pending[-1]
        out: list[Action] = []
        if self._vibrating:
            self._vibrating = False
        out.append(Action("stop", now_s, "acknowledged: prompt silenced", cramp.channel, key[1]))
        self._hold_start_s = now_s
        self._hold_ticks = 0
        tick_s = self.settings.hold_tick_s
        text = f"Stretch now. {STRETCH_TEXT} A short pulse marks every {tick_s:.0f} s."
        out.append(Action("message", now_s, "hold timer started", cramp.channel, key[1], text=text))
        return out

    def _hold_timer(self, now_s: float) -> list[Action]:
        if self._hold_start_s is None:
            return []
        s = self.settings
        n_due = int((now_s - self._hold_start_s) // s.hold_tick_s)
        n_max = int(s.hold_max_s // s.hold_tick_s)
        if n_due <= self._hold_ticks:
            return []
        # Catch up with one tick only: late calls never produce a burst of pulses.
        self._hold_ticks = min(n_due, n_max)
        held_s = self._hold_ticks * s.hold_tick_s
        done = self._hold_ticks >= n_max
        text = f"{held_s:.0f} s held." + (" Release slowly." if done else " Keep holding.")
        if done:
            self._hold_start_s = None
        return [
            Action("vibrate", now_s, f"hold timer: {held_s:.0f} s", pattern=s.hold_tick),
            Action("message", now_s, "hold timer", text=text),
        ]

    def _repeat(self, now_s: float) -> list[Action]:
        s = self.settings
        due: list[tuple[float, tuple[str, int], _Cramp]] = []
        for key, cramp in self._cramps.items():
            if cramp.acked or cramp.capped:
                continue
            if cramp.n_prompts >= s.max_prompts:
                cramp.capped = True
                logger.info(
                    "t=%.1f s %s: cap of %d prompts reached, no more vibration for this cramp",
                    now_s,
                    cramp.channel,
                    s.max_prompts,
                )
                continue
            if now_s - cramp.last_prompt_s < s.repeat_every_s:  # -inf before the first
                continue
            due.append((cramp.last_prompt_s, key, cramp))
        if not due:
            return []
        if now_s - self._last_prompt_s < s.refractory_s:
            logger.info(
                "t=%.1f s prompt held back: refractory, last prompt %.1f s ago",
                now_s,
                now_s - self._last_prompt_s,
            )
            return []
        _, key, cramp = min(due, key=lambda d: d[0])
        # One prompt serves every cramp that is due (both legs at once is one prompt).
        for _, _, other in due:
            other.n_prompts += 1
            other.last_prompt_s = now_s
            if other.n_prompts == 1:
                self._backoff.prompted(other.channel, now_s)
        self._decided[(now_s, key[1])] = [other for _, _, other in due]
        self._last_prompt_s = now_s
        self._vibrating = True
        level = min(cramp.n_prompts, len(s.escalation)) - 1
        pattern = s.escalation[level]
        if cramp.n_prompts == 1:
            reason = "cramp: first prompt"
        else:
            reason = f"cramp continues unacknowledged: prompt {cramp.n_prompts}/{s.max_prompts}"
        return [
            Action("vibrate", now_s, f"{reason} ({pattern.name})", cramp.channel, key[1], pattern)
        ]


def label_cramps(events: list[Event], profile: str) -> list[tuple[Event, bool, int | None]]:
    """The cramp events of a finished recording in alert order, each with the labels the
    monitor's :class:`AlertPolicy` of ``profile`` gives it: whether it is a recurrence, and
    the event id of the cramp it is a piece of (raised on its leg at most ``rejoin_s`` after
    that leg's cramp ended; None for a cramp of its own). ``import`` stores these labels and
    ``report`` counts cramps with them, as the history and ``summary`` do.
    """
    policy = AlertPolicy(profile)
    out = []
    for event in sorted((e for e in events if e.kind == "cramp"), key=lambda e: e.alert_s):
        raised = event.ended(None)  # type: ignore[arg-type]
        policy.update([raised], event.alert_s)
        out.append((event, policy.is_recurrence(raised), policy.continues(raised)))
        if event.end_s is not None:
            policy.update([event], event.end_s)
    return out


def _fmt_duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.1f} min"


#: What the wearer is told when a sensor comes loose, and when it is back.
SENSOR_LOOSE_TEXT = (
    "The {place} sensor has come loose: cramps on that leg cannot be detected until it is "
    "pressed back on."
)
SENSOR_BACK_TEXT = "The {place} sensor is back on: that leg is watched again (it was off {lost})."


def same_sensor_episode(back_s: float, at_s: float, sensor_back_s: float) -> bool:
    """The one rule of a loose sensor's episodes: a lead-off heard at ``at_s`` on a channel
    whose last lead-off closed at ``back_s`` is the same episode while less than
    ``sensor_back_s`` (:attr:`AlertSettings.sensor_back_s`) has passed. :class:`SensorWatch`
    tells the wearer by it, live; :func:`sensor_loose_episodes` counts them by it after."""
    return at_s - back_s < sensor_back_s


def sensor_loose_episodes(intervals: list[tuple[float, float]], sensor_back_s: float) -> int:
    """How many loose-sensor episodes the lead-off ``(start, end)`` intervals of one channel
    are, as :class:`SensorWatch` tells them (:func:`same_sensor_episode`: a flapping
    electrode back within ``sensor_back_s`` is one episode, overlapping intervals one)."""
    n, back_s = 0, None
    for a, b in sorted(intervals):
        if back_s is None or (a > back_s and not same_sensor_episode(back_s, a, sensor_back_s)):
            n += 1
            back_s = b
        else:
            back_s = max(back_s, b)
    return n


def touches(span: tuple[float, float], others: list[tuple[float, float]]) -> bool:
    """Whether ``span`` overlaps one of ``others`` or shares an edge with it."""
    a, b = span
    return any(a <= ob and b >= oa for oa, ob in others)


def sensor_problem_episodes(
    spans: dict[str, list[tuple[float, float]]], sensor_back_s: float
) -> dict[str, int]:
    """The episodes of one channel's sensor problems, per issue (``spans``: its flagged
    ``(start, end)`` intervals per quality issue), as every count tells them: a loose sensor
    (``lead_off``) as :class:`SensorWatch` told it (:func:`sensor_loose_episodes`); a
    ``saturation`` that touches a lead-off (the clipped frames at its edges, as the electrode
    lifts off and is pressed back) is part of that loose-sensor episode, not a problem of its
    own, while one that stands alone is counted; another issue as separate stretches of
    flagged time. Issues with no episode left out. The one owner of these counts, for
    ``monitor``'s end summary, ``summary`` and ``report``."""
    loose = spans.get("lead_off", [])
    out: dict[str, int] = {}
    for issue, ivs in spans.items():
        if issue == "lead_off":
            n = sensor_loose_episodes(ivs, sensor_back_s)
        else:
            if issue == "saturation":
                ivs = [iv for iv in ivs if not touches(iv, loose)]
            n = sensor_loose_episodes(ivs, 0.0) if ivs else 0  # separate stretches
        if n:
            out[issue] = n
    return out


class SensorWatch:
    """Tells the wearer when a sensor comes loose and when it is back, through the alert path.

    Fed the quality intervals of the pipeline (``lead_off`` as it opens, ``end_s`` None, and
    as it closes); returns ``message`` actions: one when a channel's lead-off episode starts,
    one when it has been back for ``AlertSettings.sensor_back_s`` (a lead-off again within it
    is the same episode). Never a vibration: a loose sensor is no emergency, and at night a
    buzz would wake the wearer for something that can wait until morning.
    """

    def __init__(self, profile: str = "night", settings: AlertSettings | None = None) -> None:
        self.settings = settings if settings is not None else settings_for(profile)
        self._loose: dict[str, float] = {}  # channel -> start of its episode (stream s)
        self._open: dict[str, int] = {}  # channel -> lead-off intervals open now
        self._back_at: dict[str, float] = {}  # channel -> when its last lead-off closed

    def update(self, quality: list, now_s: float) -> list[Action]:
        out: list[Action] = []
        for q in quality:
            if q.issue != "lead_off":
                continue
            ch = q.channel
            if q.end_s is None:
                self._open[ch] = self._open.get(ch, 0) + 1
                self._back_at.pop(ch, None)
            else:
                self._open[ch] = max(self._open.get(ch, 0) - 1, 0)
            if ch not in self._loose:  # a new episode (opened, or opened and closed at once)
                self._loose[ch] = q.start_s
                logger.info("t=%.1f s %s: sensor loose (lead-off)", q.start_s, ch)
                text = SENSOR_LOOSE_TEXT.format(place=place(ch))
                out.append(Action("message", now_s, "sensor loose (lead-off)", ch, text=text))
            if q.end_s is not None and not self._open[ch]:
                self._back_at[ch] = q.end_s
        for ch, back_s in list(self._back_at.items()):
            if not same_sensor_episode(back_s, now_s, self.settings.sensor_back_s):
                lost = _fmt_duration(back_s - self._loose.pop(ch))
                del self._back_at[ch]
                logger.info("t=%.1f s %s: sensor back on after %s", now_s, ch, lost)
                text = SENSOR_BACK_TEXT.format(place=place(ch), lost=lost)
                out.append(Action("message", now_s, "sensor back on", ch, text=text))
        return out
