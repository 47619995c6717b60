"""A monitor catching up a backlog (a host that stalled or slept): a vibration decided long
behind real time is not played, but still shown, logged and stored as not sent; the same
signal received in real time, or replayed faster than real time, still vibrates."""

from __future__ import annotations

import logging
from functools import cache

from crampdetect.alerts.journal import start_journal
from crampdetect.alerts.policy import AlertPolicy
from crampdetect.core import Block
from crampdetect.ingest.link import LinkStats
from crampdetect.ingest.sources import open_source
from crampdetect.pipeline.live import LiveMonitor
from crampdetect.storage.history import History
from crampdetect.storage.paths import HOME_ENV, history_path

URL = "sim://cramp?speed=0&duration=120&seed=2"  # one left cramp, alerted near 50 s


@cache
def _recorded() -> tuple[list[Block], object]:
    source = open_source(URL)
    blocks: list[Block] = []
    with source:
        while not source.ended:
            blocks += source.read(0.1)
        return blocks, source.info


class ScheduledSource:
    """Replays blocks in the given reads; each read sets the fake wall clock first."""

    accepts_commands = True
    profile = None

    def __init__(self, reads: list[tuple[float, list[Block]]], info=None) -> None:
        self._reads = list(reads)
        self.info = info if info is not None else _recorded()[1]
        self.stats = LinkStats()
        self.sent: list[str] = []
        self.wall_s = 0.0

    @property
    def ended(self) -> bool:
        return not self._reads

    def clock(self) -> float:
        return self.wall_s

    def read(self, timeout_s: float = 0.1) -> list[Block]:
        self.wall_s, blocks = self._reads.pop(0)
        return blocks

    def send(self, command: str, **fields: object) -> bool:
        self.sent.append(command)
        return True

    def take_button_presses(self) -> int:
        return 0

    def close(self) -> None:
        pass

    def __enter__(self) -> ScheduledSource:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def _reads(stall_from_s: float | None, fast: bool = False) -> list[tuple[float, list[Block]]]:
    """One read a second in real time; from ``stall_from_s`` on the host stalls and takes
    everything left in one read at the wall time of its last sample; ``fast``: all the
    signal in two reads at once (a replay faster than real time)."""
    blocks = _recorded()[0]
    if fast:
        return [(0.0, blocks[:10]), (0.1, blocks[10:])]
    if stall_from_s is None:
        return [(b.t_end, [b]) for b in blocks]
    before = [b for b in blocks if b.t_end <= stall_from_s]
    after = [b for b in blocks if b.t_end > stall_from_s]
    return [(b.t_end, [b]) for b in before] + [(after[-1].t_end, after)]


def _run(reads, policy=None, **kw):
    source = ScheduledSource(reads)
    monitor = LiveMonitor(source, "night", policy, clock=source.clock, **kw)
    with source:
        summary = monitor.run()
    return summary, source


def test_in_real_time_the_cramp_vibrates():
    summary, source = _run(_reads(None))
    assert [e.channel for e in summary.cramps] == ["calf_left"]
    assert "vibrate" in source.sent


def test_a_replay_faster_than_real_time_still_vibrates():
    summary, source = _run(_reads(None, fast=True))
    assert summary.cramps and "vibrate" in source.sent


def test_after_a_stall_a_prompt_minutes_old_is_not_played_but_shown_and_logged(caplog):
    shown: list[str] = []

    class View:
        def event(self, e):
            pass

        def message(self, text):
            shown.append(text)

        def update(self, *a):
            pass

        def close(self):
            pass

    with caplog.at_level(logging.WARNING, logger="crampdetect.pipeline.live"):
        summary, source = _run(_reads(20.0), view=View())
    assert [e.channel for e in summary.cramps] == ["calf_left"]  # still detected and reported
    assert "vibrate" not in source.sent
    assert not any(kind == "vibrate" for _, kind in summary.commands)
    assert any("not played" in t for t in shown)
    assert any("vibration not sent" in r.message for r in caplog.records)


def test_a_short_stall_within_the_bound_still_vibrates():
    # The stall ends 5 s after the alert (near 50 s): well within stale_prompt_s.
    blocks = _recorded()[0]
    reads = [(b.t_end, [b]) for b in blocks if b.t_end <= 40.0]
    mid = [b for b in blocks if 40.0 < b.t_end <= 55.0]
    reads += [(mid[-1].t_end, mid)] + [(b.t_end, [b]) for b in blocks if b.t_end > 55.0]
    _, source = _run(reads)
    assert "vibrate" in source.sent


def test_the_history_stores_the_stale_prompt_as_not_sent(tmp_path, monkeypatch):
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    summary, source = _run(
        _reads(20.0),
        AlertPolicy("night"),
        history=lambda b: start_journal("night", "sim://", b.channels, b.t0),
    )
    assert summary.cramps and "vibrate" not in source.sent
    with History(history_path()) as h:
        (session,) = h.sessions()
        alerts = [dict(r) for r in h.records("alerts", session["id"])]
    assert not any(a["kind"] == "vibrate" for a in alerts)
    skipped = [a for a in alerts if "not sent" in a["reason"]]
    assert skipped and skipped[0]["leg"] == "calf_left" and skipped[0]["pattern"]


@cache
def _long_cramp() -> tuple[list[Block], object]:
    """A 140 s irregular left-calf cramp (30-170 s) between rests, raw µV, 0.1 s blocks."""
    import dataclasses

    from crampdetect.core import Representation
    from tests.synth import add_burst, scene

    fs, channels = 1000.0, ("calf_left", "calf_right")
    t, x, rng = scene(fs, 200.0, 5.0, seed=1, n_channels=2)
    add_burst(x, t, fs, rng, 0, 30.0, 170.0, 250.0, ramp_s=1.0, irregular=0.5)
    info = dataclasses.replace(_recorded()[1], representation=Representation("raw", "uV"))
    blocks = [Block(x[:, a : a + 100], fs, a, a / fs, 0, channels) for a in range(0, t.size, 100)]
    return blocks, info


def _stalled_reads(stall_end_s: float):
    """The long cramp's blocks read live, but those from 20 s to ``stall_end_s`` all at once
    when the stall ends (the alert comes near 37 s, within the stall): ``(reads, info)``."""
    blocks, info = _long_cramp()
    before = [b for b in blocks if b.t_end <= 20.0]
    stalled = [b for b in blocks if 20.0 < b.t_end <= stall_end_s]
    after = [b for b in blocks if b.t_end > stall_end_s]
    reads = [(b.t_end, [b]) for b in before] + [(stall_end_s, stalled)]
    reads += [(b.t_end, [b]) for b in after]
    return reads, info


def test_a_cramp_still_going_after_the_stall_gets_its_prompt_once_caught_up():
    source = ScheduledSource(*_stalled_reads(100.0))
    monitor = LiveMonitor(source, "night", clock=source.clock)
    with source:
        summary = monitor.run()
    (cramp,) = summary.cramps
    assert cramp.alert_s < 60.0 and cramp.end_s > 150.0
    vibrations = [t for t, kind in summary.commands if kind == "vibrate"]
    assert len(vibrations) == 1  # played once, when caught up, not at the stale alert time
    assert vibrations[0] >= 100.0 - 30.0


class FieldSource(ScheduledSource):
    """Also keeps the fields of each command (the vibration's intensity)."""

    def __init__(self, reads, info=None) -> None:
        super().__init__(reads, info)
        self.intensities: list[int] = []

    def send(self, command: str, **fields: object) -> bool:
        if command == "vibrate":
            self.intensities.append(int(fields["intensity"]))  # type: ignore[call-overload]
        return super().send(command, **fields)


def test_prompts_not_played_behind_a_backlog_count_for_neither_cap_nor_escalation():
    """The guided policy decides prompts while the monitor catches up a stall; those are not
    played, so they must not use up the cap: once caught up, the wearer still gets the first,
    gentle prompt and then the escalation, as for a cramp alerted in real time."""
    from crampdetect.alerts.patterns import NIGHT_ESCALATION

    source = FieldSource(*_stalled_reads(130.0))
    monitor = LiveMonitor(source, "night", AlertPolicy("night"), clock=source.clock)
    with source:
        summary = monitor.run()
    (cramp,) = summary.cramps
    assert cramp.alert_s < 60.0 and cramp.end_s > 150.0
    played = [t for t, kind in summary.commands if kind == "vibrate"]
    gentle, medium = (round(p.intensity * 255) for p in NIGHT_ESCALATION[:2])
    assert len(played) >= 2 and played[0] >= 130.0 - 30.0, played
    assert source.intensities[:2] == [gentle, medium], source.intensities
