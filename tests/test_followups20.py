"""What a new user met in the session-20 tryout: a time column named ``time`` or with its unit,
..."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import run_cli

from crampdetect.alerts.policy import AlertPolicy
from crampdetect.core import Event, InputError
from crampdetect.storage.reader import open_recording
from crampdetect.storage.recover import recover_csv


def _csv(path, header, scale, fs=1000.0, n=2000):
    t = np.arange(n) / fs / scale
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1e-5, (2, n))
    lines = [header] + [f"{a:.9g},{b:.6g},{c:.6g}" for a, b, c in zip(t, *x, strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "name, scale",
    [("time", 1.0), ("time_ms", 1e-3), ("time (s)", 1.0), ("Time [ms]", 1e-3), ("time_us", 1e-6)],
)
def test_a_time_column_named_time_or_with_its_unit_is_read_in_seconds(tmp_path, name, scale):
    path = _csv(tmp_path / "rec.csv", f"{name},left_uV,right_uV", scale)
    rec = open_recording(path)
    assert rec.fs == pytest.approx(1000.0)
    assert rec.duration_s == pytest.approx(2.0, abs=0.01)
    assert recover_csv(path, "test").fs == pytest.approx(1000.0)


@pytest.mark.parametrize("name", ["timestamp", "t", "time_h", "sample"])
def test_another_first_column_is_refused_with_the_hint(tmp_path, name):
    path = _csv(tmp_path / "rec.csv", f"{name},left_uV,right_uV", 1.0)
    with pytest.raises(InputError) as exc:
        open_recording(path)
    assert "time_s" in str(exc.value)


def test_detect_reads_a_csv_whose_first_column_is_time(tmp_path):
    path = _csv(tmp_path / "rec.csv", "time,left_uV,right_uV", 1.0)
    res = run_cli("detect", path)
    assert res.returncode == 0, res.stderr
    assert "1000 Hz" in res.stdout


@pytest.mark.parametrize(
    "channel, where",
    [
        ("calf_left", "left calf"),
        ("Calf_Right_mV", "right calf"),
        ("gastroc_left", "left calf"),
        ("left", "left calf"),
        ("ta_left", "left leg (ta_left)"),
        ("ch1", "calf (ch1)"),
    ],
)
def test_prompts_name_the_leg_as_a_person_would(channel, where):
    policy = AlertPolicy("night")
    ev = Event(channel, "cramp", onset_s=8.5, alert_s=10.0, id=1)
    start = [a.text for a in policy.update([ev], 10.0) if a.kind == "message"]
    end = [a.text for a in policy.update([ev.ended(96.0)], 96.0) if a.kind == "message"]
    assert start[0].startswith(f"Cramp in the {where}. ")
    assert end[0].startswith(f"The cramp in the {where} eased after ")
