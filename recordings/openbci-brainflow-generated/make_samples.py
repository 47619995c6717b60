"""Write the generated OpenBCI GUI and BrainFlow sample files of this folder.

The layouts are those of the tools' own writers: the OpenBCI GUI's ``DataWriterODF``
(``%`` header, ``Sample Index, EXG Channel 0, ...`` columns, ``, ``-separated rows ending in a
formatted timestamp) and BrainFlow's ``DataFilter.write_file`` (``%lf`` values, tab-separated,
one row per sample, no header), for an OpenBCI Cyton (24 data rows: package number, 8 EXG
channels in µV, accelerometer, other, analog, timestamp, marker). The signal is simulated calf
EMG from crampdetect's simulator on EXG channels 0 and 1; the other EXG channels are flat.

Usage: python recordings/openbci-brainflow-generated/make_samples.py
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

CYTON_COLUMNS = [
    "Sample Index",
    *[f"EXG Channel {i}" for i in range(8)],
    *[f"Accel Channel {i}" for i in range(3)],
    "Not Used",
    *[f"Digital Channel {i} (D{d})" for i, d in enumerate((11, 12, 13, 17))],
    "Not Used",
    "Digital Channel 4 (D18)",
    *[f"Analog Channel {i}" for i in range(3)],
    "Timestamp",
    "Marker Channel",
]


def cyton_rows(exg_uv: np.ndarray, fs: float, t0_unix: float) -> np.ndarray:
    """BrainFlow's data array for a Cyton, transposed: one row per sample, 24 columns."""
    n = exg_uv.shape[1]
    rows = np.zeros((n, len(CYTON_COLUMNS)))
    rows[:, 0] = np.arange(n) % 256  # package number
    rows[:, 1 : 1 + exg_uv.shape[0]] = exg_uv.T
    rows[:, -2] = t0_unix + np.arange(n) / fs
    return rows


def write_brainflow(path: Path, exg_uv: np.ndarray, fs: float, t0_unix: float) -> None:
    """As ``DataFilter.write_file(data, path, "w")``: ``%lf``, tabs, one row per sample."""
    np.savetxt(path, cyton_rows(exg_uv, fs, t0_unix), fmt="%f", delimiter="\t")


def write_openbci_gui(path: Path, exg_uv: np.ndarray, fs: float, t0_unix: float) -> None:
    """As the OpenBCI GUI's ``DataWriterODF`` for a Cyton."""
    rows = cyton_rows(exg_uv, fs, t0_unix)
    stamps = [
        time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t)) + f".{int(t * 1000) % 1000:03d}"
        for t in rows[:, -2]
    ]
    values = np.char.add(rows.astype(str), ", ")
    body = ["".join(v) + s for v, s in zip(values, stamps, strict=True)]
    head = [
        "%OpenBCI Raw EXG Data",
        "%Number of channels = 8",
        f"%Sample Rate = {fs:g} Hz",
        "%Board = OpenBCI_GUI$BoardCytonSerial",
        ", ".join(CYTON_COLUMNS) + ", Timestamp (Formatted)",
    ]
    path.write_text("\n".join(head + body) + "\n")


def main() -> None:
    from scipy.signal import decimate

    from crampdetect.simulate import simulate

    here = Path(__file__).resolve().parent
    session = simulate("gait", seed=7, duration_s=10.0, fs=500.0)  # walking, no cramp
    _, emg = next(session.iter_chunks(1e9))
    exg = np.round(decimate(emg, 2, axis=1), 3)  # a Cyton over USB runs at 250 Hz
    t0 = 1764945000.0  # 2025-12-05 14:30:00 UTC
    write_openbci_gui(here / "OpenBCI-RAW-2025-12-05_15-30-00.txt", exg, 250.0, t0)
    write_brainflow(here / "BrainFlow-RAW_cyton_2025-12-05.csv", exg, 250.0, t0)


if __name__ == "__main__":
    main()
