"""Alert policies to board commands: the simple default and the guided policy plug in alike."""

from __future__ import annotations

import pytest

from crampdetect.alerts.haptic import CRAMP_PATTERN, HapticSink, SimplePolicy
from crampdetect.alerts.policy import AlertPolicy
from crampdetect.core import Event
from crampdetect.ingest.frames import MAX_PULSE_MS, FrameDecoder, encode_frame


class Board:
    """Records what would go over the wire, encoded and decoded by the real codec."""

    def __init__(self, up: bool = True) -> None:
        self.up = up
        self.wire = b""
        self.seq = 0

    def send(self, command: str, **fields) -> bool:
        from crampdetect.ingest.frames import CommandFrame

        if not self.up:
            return False
        self.wire += encode_frame(CommandFrame(self.seq, command, **fields))
        self.seq += 1
        return True

    def commands(self):
        return FrameDecoder().feed(self.wire)


def cramp(channel: str, id_: int, end_s: float | None = None) -> Event:
    return Event(channel, "cramp", 100.0, 103.0, end_s=end_s, id=id_)


def test_simple_policy_vibrates_once_per_cramp_and_stops_when_all_ended():
    board = Board()
    sink, policy = HapticSink(board.send), SimplePolicy()
    sink.apply(policy.update([cramp("calf_left", 1)], 103.0))
    sink.apply(policy.update([cramp("calf_left", 1)], 104.0))  # repeated: no second prompt
    sink.apply(policy.update([cramp("calf_right", 2)], 110.0))
    sink.apply(policy.update([cramp("calf_left", 1, end_s=150.0)], 150.0))  # right still on
    sink.apply(policy.update([cramp("calf_right", 2, end_s=160.0)], 160.0))
    sent = board.commands()
    assert [c.command for c in sent] == ["vibrate", "vibrate", "stop"]
    assert sent[0].pulses == CRAMP_PATTERN.pulses and sent[0].repeat == CRAMP_PATTERN.repeat
    assert sent[0].intensity == round(CRAMP_PATTERN.intensity * 255)
    assert all(on <= MAX_PULSE_MS for c in sent for on, _ in c.pulses)


def test_early_warnings_and_quality_do_not_vibrate():
    board = Board()
    sink = HapticSink(board.send)
    warning = Event("calf_left", "early_warning", 10.0, 11.0, id=5)
    sink.apply(SimplePolicy().update([warning], 11.0))
    assert board.wire == b""


@pytest.mark.parametrize("profile", ["night", "training"])
def test_the_guided_policy_plugs_into_the_same_sink(profile):
    board = Board()
    sink, policy = HapticSink(board.send), AlertPolicy(profile)
    sink.apply(policy.update([cramp("calf_left", 1)], 103.0))
    sink.apply(policy.update([cramp("calf_left", 1, end_s=140.0)], 140.0))
    kinds = [c.command for c in board.commands()]
    assert kinds[0] == "vibrate" and "stop" in kinds


def test_a_failed_send_is_counted_not_raised():
    board = Board(up=False)
    sink = HapticSink(board.send)
    sink.apply(SimplePolicy().update([cramp("calf_left", 1)], 103.0))
    assert sink.failed == 1 and sink.sent == []


@pytest.mark.parametrize("profile", ["night", "training"])
def test_the_simple_policy_does_not_buzz_a_flapping_detector_all_night(profile):
    """Cramp pieces on one leg, 6 s apart, for an hour: one vibration, not one per piece (360 an
    hour before). A cramp well after the last piece ended is prompted again."""
    board = Board()
    policy = SimplePolicy() if profile == "night" else SimplePolicy(profile=profile)
    sink = HapticSink(board.send)
    for k, t in enumerate(range(10, 3600, 10), start=1):
        piece = Event("calf_left", "cramp", t - 1.0, float(t), id=k)
        sink.apply(policy.update([piece], float(t)))
        sink.apply(policy.update([piece.ended(t + 4.0)], t + 4.0))
    later = Event("calf_left", "cramp", 3700.0, 3701.0, id=999)
    sink.apply(policy.update([later], 3701.0))
    kinds = [c.command for c in board.commands()]
    assert kinds.count("vibrate") == 2 and kinds[0] == kinds[-1] == "vibrate", kinds
    assert policy.rejoin_s < 3701.0 - 3594.0  # the later cramp lies past the rejoin gap


@pytest.mark.parametrize("profile", ["night", "training"])
def test_the_simple_policy_backs_off_a_detector_flapping_past_the_rejoin_gap(profile):
    """Pieces 65 s apart (past the night's 60 s rejoin gap) for an hour: ``flap_limit``
    vibrations, not one per piece (about 50); after a calm spell a cramp vibrates again."""
    board = Board()
    policy = SimplePolicy(profile=profile)
    s = policy.settings
    sink = HapticSink(board.send)
    gap_s = s.rejoin_s + 5.0
    t, k = 10.0, 0
    while t < 3600.0:
        k += 1
        piece = Event("calf_left", "cramp", t - 1.0, t, id=k)
        sink.apply(policy.update([piece], t))
        sink.apply(policy.update([piece.ended(t + 10.0)], t + 10.0))
        t += 10.0 + gap_s
    assert [c.command for c in board.commands()].count("vibrate") == s.flap_limit
    later = t + s.flap_quiet_s
    sink.apply(policy.update([Event("calf_left", "cramp", later - 1, later, id=k + 1)], later))
    assert [c.command for c in board.commands()].count("vibrate") == s.flap_limit + 1
