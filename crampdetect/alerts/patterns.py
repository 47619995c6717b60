"""Vibration patterns and per-profile alert settings.

A pattern is what one ``vibrate`` command asks of the board's motor: (on, off) pulses in
ms, repeated, at an intensity (fraction of full drive, 0-1). Night patterns start gentle
and escalate (hardware.md §8.3: continuous modulation, short bursts, escalate only while
the cramp persists); training patterns are firm from the first prompt. No pulse is ever
longer than :data:`MAX_PULSE_MS` (the firmware enforces the same limit).
"""

from __future__ import annotations

from dataclasses import dataclass

from crampdetect.core import PROFILES, InputError

#: Longest single motor on-time in ms (hardware.md §8.4; the firmware also cuts off).
MAX_PULSE_MS = 3000


@dataclass(frozen=True, slots=True)
class VibrationPattern:
    """One vibrate command.

    Parameters
    ----------
    pulses : tuple of (on_ms, off_ms)
        Motor on and off times in ms; each ``on_ms`` is 1..3000.
    repeat : int
        How many times the whole pulse sequence is played (1-5).
    intensity : float
        Drive strength as a fraction of full scale, 0-1.
    name : str
        Short label used in logs and the history.

    Examples
    --------
    >>> VibrationPattern(((200, 300), (400, 0)), intensity=0.3).on_ms
    600
    """

    pulses: tuple[tuple[int, int], ...]
    repeat: int = 1
    intensity: float = 0.5
    name: str = ""

    def __post_init__(self) -> None:
        if not self.pulses:
            raise InputError("Invalid value for 'pulses': at least one (on_ms, off_ms) pulse")
        for on_ms, off_ms in self.pulses:
            if not 1 <= on_ms <= MAX_PULSE_MS:
                raise InputError(
                    f"Invalid pulse on-time: must be 1..{MAX_PULSE_MS} ms, got {on_ms}"
                )
            if not 0 <= off_ms <= 10_000:
                raise InputError(f"Invalid pulse off-time: must be 0..10000 ms, got {off_ms}")
        if not 1 <= self.repeat <= 5:
            raise InputError(f"Invalid value for 'repeat': must be 1..5, got {self.repeat}")
        if not 0.0 < self.intensity <= 1.0:
            raise InputError(
                f"Invalid value for 'intensity': must be in (0, 1], got {self.intensity}"
            )

    @property
    def on_ms(self) -> int:
        """Total motor on-time in ms over all repeats."""
        return self.repeat * sum(on for on, _ in self.pulses)

    @property
    def duration_ms(self) -> int:
        """Total length of the pattern in ms (on and off) over all repeats."""
        return self.repeat * sum(on + off for on, off in self.pulses)


@dataclass(frozen=True, slots=True)
class AlertSettings:
    """How the alert policy behaves for one profile.

    Parameters
    ----------
    escalation : tuple of VibrationPattern
        Pattern for the 1st, 2nd, ... prompt of one cramp; the last one is reused.
    hold_tick : VibrationPattern
        Short pulse played every ``hold_tick_s`` of a guided stretch.
    repeat_every_s : float
        Interval in s between prompts while a cramp continues unacknowledged.
    max_prompts : int
        Cap on prompts per cramp.
    refractory_s : float
        Minimum time in s between any two prompts (so a cramp the detector splits in two,
        or one on both legs, does not produce a burst).
    hold_tick_s, hold_max_s : float
        Hold timer: one tick every ``hold_tick_s`` s, until ``hold_max_s`` s.
    recurrence_window_s : float
        After a cramp ends, the channel is watched for a recurrence this long (domain §1.9: 60 min).
    rejoin_s : float
        A cramp raised on a leg at most this many s after that leg's previous cramp ended is the
        same episode: it takes over that cramp's prompt count, cap and acknowledgement, so a
        detector that splits a cramp or flaps on and off cannot restart the escalation (and the
        buzzing) at every piece. 0 turns it off.
    warn_prompt : bool
        Whether an ``early_warning`` event gets a gentle vibration (always a message).
    stale_prompt_s : float
        A vibration the policy decides more than this many s (of stream time) behind both the
        newest sample received and the wall clock is not played: the live monitor is catching
        up a backlog (a host that stalled or slept), and a prompt to stretch for a cramp alerted
        that long ago would come too late. It is still shown, logged and stored, as not sent;
        if its cramp is still going once the monitor has caught up, it is played then, once.
    flap_limit : int
        New cramps (not pieces within ``rejoin_s``) whose prompt was played on one leg within
        ``flap_window_s`` before a further cramp on that leg backs off: a cramp raised when
        that many were prompted in the window and less than ``flap_quiet_s`` after the leg's
        last cramp ended gets its message but no vibration (a detector flapping on and off with
        gaps just over ``rejoin_s`` would otherwise prompt once per piece, about 50 an hour at
        65 s gaps). 0 turns it off.
    flap_window_s : float
        Window in s over which prompted cramps on a leg are counted for ``flap_limit``.
    flap_quiet_s : float
        A cramp raised at least this many s after the leg's last cramp ended is prompted
        whatever the count: a true recurrence after a calm spell always vibrates.
    sensor_back_s : float
        A loose sensor (``lead_off`` on a channel) is told to the wearer once per episode, as a
        message (never a vibration); the episode ends, with a message that the sensor is back,
        once no lead-off has been flagged on that channel for this many s (a sensor that
        flickers on and off within it stays one episode: one message, not one per flicker).
    """

    escalation: tuple[VibrationPattern, ...]
    hold_tick: VibrationPattern
    repeat_every_s: float = 30.0
    max_prompts: int = 4
    refractory_s: float = 20.0
    hold_tick_s: float = 10.0
    hold_max_s: float = 30.0
    recurrence_window_s: float = 3600.0
    rejoin_s: float = 60.0
    warn_prompt: bool = False
    stale_prompt_s: float = 30.0
    flap_limit: int = 3
    flap_window_s: float = 3600.0
    flap_quiet_s: float = 600.0
    sensor_back_s: float = 10.0

    def __post_init__(self) -> None:
        if not self.escalation:
            raise InputError("Invalid value for 'escalation': at least one pattern")
        if self.max_prompts < 1:
            raise InputError(
                f"Invalid value for 'max_prompts': must be >= 1, got {self.max_prompts}"
            )
        if not 0 <= self.refractory_s <= self.repeat_every_s:
            raise InputError(
                "Invalid value for 'refractory_s': must be 0..repeat_every_s "
                f"({self.repeat_every_s}), got {self.refractory_s}"
            )
        if self.hold_tick_s <= 0 or self.hold_max_s < self.hold_tick_s:
            raise InputError("Invalid hold timer: need 0 < hold_tick_s <= hold_max_s")
        if not 0 <= self.rejoin_s <= self.recurrence_window_s:
            raise InputError(
                "Invalid value for 'rejoin_s': must be 0..recurrence_window_s "
                f"({self.recurrence_window_s}), got {self.rejoin_s}"
            )
        if not self.sensor_back_s >= 0:
            raise InputError(
                f"Invalid value for 'sensor_back_s': must be >= 0 s, got {self.sensor_back_s}"
            )
        if not self.stale_prompt_s > 0:
            raise InputError(
                f"Invalid value for 'stale_prompt_s': must be > 0, got {self.stale_prompt_s}"
            )
        if self.flap_limit < 0:
            raise InputError(f"Invalid value for 'flap_limit': must be >= 0, got {self.flap_limit}")
        if not self.flap_window_s > 0:
            raise InputError(
                f"Invalid value for 'flap_window_s': must be > 0, got {self.flap_window_s}"
            )
        if not self.rejoin_s <= self.flap_quiet_s <= self.flap_window_s:
            raise InputError(
                "Invalid value for 'flap_quiet_s': must be rejoin_s..flap_window_s "
                f"({self.rejoin_s}..{self.flap_window_s}), got {self.flap_quiet_s}"
            )


NIGHT_ESCALATION = (
    # Ramp-like start: short, soft, lengthening bursts (hardware.md §8.3).
    VibrationPattern(((150, 350), (300, 350), (500, 0)), intensity=0.3, name="night-gentle"),
    VibrationPattern(((500, 400), (700, 400), (900, 0)), intensity=0.5, name="night-medium"),
    VibrationPattern(((1000, 500), (1000, 500), (1000, 0)), intensity=0.75, name="night-strong"),
)
TRAINING_ESCALATION = (
    VibrationPattern(((700, 250), (700, 250), (700, 0)), intensity=0.9, name="training-firm"),
)


def settings_for(profile: str) -> AlertSettings:
    """Default :class:`AlertSettings` for ``profile`` ("night" or "training")."""
    if profile == "night":
        return AlertSettings(
            escalation=NIGHT_ESCALATION,
            hold_tick=VibrationPattern(((120, 0),), intensity=0.3, name="hold-tick"),
            repeat_every_s=30.0,
            max_prompts=4,
            refractory_s=20.0,
            rejoin_s=60.0,
            stale_prompt_s=30.0,
            flap_limit=3,
            flap_window_s=3600.0,
            flap_quiet_s=600.0,
        )
    if profile == "training":
        return AlertSettings(
            escalation=TRAINING_ESCALATION,
            hold_tick=VibrationPattern(((150, 0),), intensity=0.6, name="hold-tick"),
            repeat_every_s=15.0,
            max_prompts=3,
            refractory_s=10.0,
            rejoin_s=30.0,
            stale_prompt_s=30.0,
            flap_limit=3,
            flap_window_s=3600.0,
            flap_quiet_s=300.0,
        )
    raise InputError(f"Invalid value for 'profile': must be one of {PROFILES}, got {profile!r}")
