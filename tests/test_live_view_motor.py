"""The live view says when the motor is vibrating and explains the detector states."""

from __future__ import annotations

import io

from crampdetect.alerts.haptic import HapticSink
from crampdetect.alerts.patterns import VibrationPattern
from crampdetect.alerts.policy import Action
from crampdetect.cli._statusview import STATES_HELP, StatusView, alert_line
from crampdetect.core import Event
from crampdetect.ingest.sources import LinkStats
from crampdetect.pipeline import ChannelStatus


def test_vibrating_lasts_as_long_as_the_pattern_and_stops_on_stop() -> None:
    now = [100.0]
    sink = HapticSink(lambda *a, **k: True, clock=lambda: now[0])
    pattern = VibrationPattern(((400, 600), (400, 0)), repeat=2)  # 2 x 1.4 s
    sink.apply([Action("vibrate", 5.0, "cramp", "calf", 1, pattern, "")])
    assert sink.vibrating
    now[0] += 2.7
    assert sink.vibrating
    now[0] += 0.2
    assert not sink.vibrating
    sink.apply([Action("vibrate", 9.0, "cramp", "calf", 1, pattern, "")])
    sink.apply([Action("stop", 9.5, "ended", "calf", 1, None, "")])
    assert not sink.vibrating
    failing = HapticSink(lambda *a, **k: False, clock=lambda: now[0])  # link down: not sent
    failing.apply([Action("vibrate", 5.0, "cramp", "calf", 1, pattern, "")])
    assert not failing.vibrating


def test_plain_view_explains_states_and_shows_the_motor() -> None:
    out = io.StringIO()
    view = StatusView(out)
    status = {"calf": ChannelStatus(850.0, "cramp", ())}
    view.update(61.0, status, LinkStats(connected=True), "motor: VIBRATING (stretch prompt)")
    view.update(61.1, status, LinkStats(connected=True), "")  # motor stopped: said at once
    lines = out.getvalue().splitlines()
    assert lines[0] == STATES_HELP and "recovery" in lines[0]
    assert lines[1].endswith("motor: VIBRATING (stretch prompt)") and "cramp" in lines[1]
    assert len(lines) == 3 and "VIBRATING" not in lines[2]


def test_an_early_warning_reads_as_a_warning_not_a_cramp_alert() -> None:
    warning = alert_line(Event("calf_left", "early_warning", 73.0, 84.0, confidence=0.57))
    cramp = alert_line(Event("calf_left", "cramp", 107.2, 111.9, confidence=0.99))
    assert warning.startswith("WARNING on calf_left") and "ALERT" not in warning
    assert "0:01:13.0" in warning and "0:01:24.0" in warning
    assert cramp.startswith("ALERT cramp on calf_left")
