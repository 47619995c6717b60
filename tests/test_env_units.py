"""An envelope (MyoWare ENV) in physical units: its magnitude is checked against the unit it is
read in (named by its columns, or µV assumed), as raw EMG's is, and warned about when it does not
fit; the unit itself is not changed, nor the detector.

A real CSV in a temp folder through ``detect`` as a user runs it, and the inference itself
(any block cut gives the same warning).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from crampdetect.cli import main
from crampdetect.ingest.inference import ENV_REST_MAX_UV, ENV_REST_MIN_UV, RepresentationInference

FS = 1000.0


def _envelope(seconds: float = 60.0, seed: int = 4) -> np.ndarray:
    """Two channels of an ENV output in µV as the detector reads ADC counts: at rest about
    160 µV, never negative, one channel contracting to ~5 mV from 20 to 35 s."""
    from scipy.signal import butter, sosfiltfilt

    rng = np.random.default_rng(seed)
    n = int(seconds * FS)
    sos = butter(2, 3.6, fs=FS, output="sos")
    x = 160.0 + 40.0 * np.abs(sosfiltfilt(sos, rng.normal(0, 1, (2, n)), axis=1)) * 10
    t = np.arange(n) / FS
    on = (t > 20) & (t < 35)
    x[0, on] += 5000.0 * np.minimum(1.0, np.minimum(t[on] - 20, 35 - t[on]))
    return np.maximum(x, 1.0)


def _infer(x: np.ndarray, step: int, **given) -> RepresentationInference:
    inf = RepresentationInference(FS, **given)
    for i in range(0, x.shape[1], step):
        inf.feed(x[:, i : i + step])
    inf.finish()
    return inf


def test_the_band_spans_one_unit_step():
    assert ENV_REST_MAX_UV / ENV_REST_MIN_UV == pytest.approx(1000.0)


@pytest.mark.parametrize(
    ("scale", "named", "advice"),
    [
        (1.0, None, None),  # µV as assumed: fits
        (1e-3, "mV", None),  # named mV, in mV: fits
        (1e-6, "V", None),
        (1e-6, None, "--units V"),  # volts read as µV
        (1e-3, None, "--units mV"),
        (200e-3, "mV", "--units uV"),  # the ENV pin's mV under an mV name: 200x the skin's
    ],
)
def test_an_envelope_that_does_not_fit_its_unit_is_warned_about(scale, named, advice):
    x = _envelope() * scale
    inf = _infer(x, 4096, named_units=named)
    rep = inf.finish()
    assert rep.signal == "env" and rep.units == (named or "uV")  # the unit is not changed
    if advice is None:
        assert inf.warnings == []
    else:
        (line,) = inf.warnings
        assert advice in line and "ENV output at rest" in line, line
        assert inf.info()["warnings"] == [line]
    for step in (37, 1000, 29_999):  # any block cut: the same warning
        assert _infer(x, step, named_units=named).warnings == inf.warnings


def test_given_units_are_not_second_guessed():
    assert _infer(_envelope() * 1e-6, 5000, units="uV").warnings == []


def test_detect_warns_about_an_envelope_in_volts_and_takes_the_advice(tmp_path, capsys):
    x = _envelope() * 1e-6
    t = np.arange(x.shape[1]) / FS
    path = tmp_path / "env.csv"
    with open(path, "w") as fh:
        fh.write("time_s,env_left,env_right\n")
        np.savetxt(fh, np.column_stack([t, *x]), delimiter=",", fmt="%.9g")
    capsys.readouterr()
    assert main(["detect", str(path), "--json", "-q"]) == 0
    out, err = capsys.readouterr()
    (line,) = [w for w in err.splitlines() if "warning" in w]
    assert "env.csv: an envelope's unit is not inferred: read as µV" in line
    assert "--units V" in line
    doc = json.loads(out)
    assert doc["input"]["signal"] == "env" and doc["input"]["units"] == "uV"
    assert main(["detect", str(path), "--units", "V", "--json", "-q"]) == 0
    out, err = capsys.readouterr()
    assert "warning" not in err and json.loads(out)["input"]["units"] == "V"
