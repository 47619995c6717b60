"""Reports label the MyoWare ENV output as an envelope, in its real unit (mV at the ENV pin)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from crampdetect.core import Representation
from crampdetect.simulate import simulate, write_session
from crampdetect.storage.reader import open_recording

pytest.importorskip("matplotlib")


@pytest.mark.parametrize(
    ("signal", "label", "top"), [("env", "ENV envelope (mV)", 5000.0), ("raw", "raw (µV)", None)]
)
def test_signal_row_label_and_unit(tmp_path: Path, signal: str, label: str, top) -> None:
    from crampdetect.reports.plots import signal_units
    from crampdetect.reports.report import collect

    rep = Representation(signal, "counts", 10)
    session = simulate("cramp", seed=1, fs=500.0, duration_s=90.0, representation=rep)
    csv, _ = write_session(session, tmp_path / f"{signal}.csv")
    data = collect(open_recording(csv))
    shown, _, factor = signal_units(data)
    assert shown == label
    if top is not None:  # the ENV pin swings 0-5 V: in µV "at the skin" it was ~20,000
        peak = float(np.nanmax(data.hi * factor))
        assert 500.0 < peak <= top
        assert float(np.nanmax(data.hi)) > 10_000  # what the old label claimed in µV
    else:
        assert factor == 1.0
