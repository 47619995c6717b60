"""Real recordings as negatives: none is a cramp, so any cramp alert on them is a failure.

Every real recording shipped in ``recordings/`` and in the shared folder beside the
checkout (``../shared/data/real``) is run through ``detect`` under both profiles, from
its first sample and also cut to start a few seconds later (a recording may begin right
at a contraction). Each is also turned into what a MyoWare ENV output sampled by a board
at about 190 Hz would deliver (rectified, 3.6 Hz low-pass, 10-bit counts): the ENV path
must stay silent on real voluntary effort too.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from crampdetect.core import PROFILES, Representation

REPO = Path(__file__).resolve().parents[2]
#: Where the real recordings live: the shipped copies, then the shared folder.
REAL_ROOTS: tuple[Path, ...] = (REPO / "recordings", REPO.parent / "shared" / "data" / "real")
#: Datasets without a ``recordings.json``: folder -> (EMG columns of its CSVs, units).
#: Units from each PROVENANCE.md (presumed µV there; the gain is undocumented).
PLAIN_CSV: dict[str, tuple[tuple[str, ...], str]] = {
    "elderly-ta-gl-isometric-hermescb": (("emg_ta", "emg_gl"), "uV"),
    "ta-ballistic-dorsiflexion-emggo": (("ta_emg",), "uV"),
}
#: Each recording is also cut to start this long after its first sample, s.
START_OFFSETS_S: tuple[float, ...] = (0.0, 2.0, 4.0)
ENV_RATE_HZ = 190.0  #: sample rate of the derived ENV version, Hz
ENV_FULL_SCALE_SHARE = 0.7  #: the recording's strongest ENV (99.5th percentile) sits here


@dataclass(frozen=True)
class RealRecording:
    """One real recording read into memory (samples as stored, ``representation`` says how)."""

    name: str  # dataset/file
    fs: float
    channels: tuple[str, ...]
    representation: Representation
    data: np.ndarray  # (n_channels, n_samples)


def _digest(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


def find_real_recordings(
    roots: tuple[Path, ...] = REAL_ROOTS,
) -> tuple[list[RealRecording], list[str]]:
    """Read every real recording under ``roots``; returns them and the files left unread.

    A file met twice (the shipped copy and the shared original) is read once. Files that
    are not recordings (provenance notes, derived event tables, R data) are not listed.
    """
    from crampdetect.storage.reader import open_recording

    found: list[RealRecording] = []
    unread: list[str] = []
    seen: set[str] = set()
    for root in roots:
        if not root.is_dir():
            continue
        for folder in sorted(p for p in root.iterdir() if p.is_dir()):
            if folder.name.endswith("-generated"):
                continue  # simulated files in third-party layouts (OpenBCI), not real EMG
            manifest = folder / "recordings.json"
            if manifest.exists():
                import json

                names = sorted(json.loads(manifest.read_text())["files"])
                for name in names:
                    path = folder / name
                    digest = _digest(path)
                    if digest in seen:
                        continue
                    seen.add(digest)
                    rec = open_recording(path)
                    _, data = rec.load()
                    assert rec.representation is not None
                    found.append(RealRecording(f"{folder.name}/{name}", rec.fs, rec.channels,
                                               rec.representation, data))  # fmt: skip
                continue
            columns, units = PLAIN_CSV.get(folder.name, ((), ""))
            for path in sorted(folder.iterdir()):
                if path.suffix in (".md", ".RData") or path.is_dir():
                    continue
                digest = _digest(path)
                if digest in seen:
                    continue
                header = path.read_text(errors="replace").split("\n", 1)[0].split(",")
                if not columns or not set(columns) <= set(header) or header[0] != "time_s":
                    if not _is_label_table(path):
                        unread.append(f"{folder.name}/{path.name}")
                    continue
                seen.add(digest)
                table = np.genfromtxt(path, delimiter=",", names=True)
                t = table["time_s"]
                fs = float(round(1.0 / np.median(np.diff(t)), 3))
                data = np.vstack([table[c] for c in columns]).astype(np.float64)
                found.append(RealRecording(f"{folder.name}/{path.name}", fs, columns,
                                           Representation("raw", units), data))  # fmt: skip
    return found, unread


def _is_label_table(path: Path) -> bool:
    """Derived event tables and gait cycles shipped beside recordings (not EMG)."""
    return path.stem.endswith(("_cycles", "events_derived"))


def as_env(rec: RealRecording) -> RealRecording:
    """What a MyoWare ENV output sampled at ``ENV_RATE_HZ`` on a 10-bit board would give.

    The raw samples (µV at the skin) pass the MyoWare RAW band (20.8-498.4 Hz), are
    rectified and low-passed at 3.6 Hz (1st order), scaled so the recording's strongest
    envelope sits at 70 % of full scale, offset by 1 % of scale and rounded.
    """
    from scipy import signal

    from crampdetect.simulate.render import front_end_sos

    rep = rec.representation
    uv = (rec.data - np.median(rec.data, axis=1, keepdims=True)) * rep.uv_per_unit
    band = signal.sosfilt(front_end_sos(rec.fs), uv, axis=1)
    a = np.exp(-2 * np.pi * 3.6 / rec.fs)
    env = signal.lfilter([1 - a], [1, -a], np.abs(band), axis=1)
    top = float(np.percentile(env, 99.5)) or 1.0
    counts = np.round(10.0 + env / top * ENV_FULL_SCALE_SHARE * 1023.0)
    step = rec.fs / ENV_RATE_HZ
    idx = np.round(np.arange(0, env.shape[1] / step) * step).astype(int)
    idx = idx[idx < env.shape[1]]
    return RealRecording(
        rec.name + " [ENV 190 Hz, derived]",
        ENV_RATE_HZ,
        rec.channels,
        Representation("env", "counts", 10),
        np.clip(counts[:, idx], 0, 1023),
    )


def _write_csv(rec: RealRecording, start_s: float, path: Path) -> bool:
    first = round(start_s * rec.fs)
    data = rec.data[:, first:]
    if data.shape[1] < 2 * rec.fs:
        return False
    t = np.arange(data.shape[1]) / rec.fs
    with path.open("w") as fh:
        fh.write("time_s," + ",".join(rec.channels) + "\n")
        np.savetxt(fh, np.column_stack([t, data.T]), fmt="%.9g", delimiter=",")
    return True


def check_recording(
    rec: RealRecording,
    profiles: tuple[str, ...] = PROFILES,
    offsets: tuple[float, ...] = START_OFFSETS_S,
) -> list[dict[str, Any]]:
    """Run ``detect`` on ``rec`` per profile and start offset; one row per run.

    Each row has ``recording``, ``profile``, ``start_s``, ``duration_s`` and ``alerts``
    (cramp alerts: ``alert_s``/``onset_s`` on the original recording's time axis,
    ``channel``, ``confidence``).
    """
    from crampdetect.pipeline.offline import detect_file

    rows = []
    rep = rec.representation
    with tempfile.TemporaryDirectory() as tmp:
        for start in offsets:
            path = Path(tmp) / f"cut{start:g}.csv"
            if not _write_csv(rec, start, path):
                continue
            for profile in profiles:
                res = detect_file(path, profile=profile, signal=rep.signal, units=rep.units,
                                  adc_bits=rep.adc_bits, rate=rec.fs)  # fmt: skip
                alerts = [
                    {"channel": e["channel"], "alert_s": round(e["alert_s"] + start, 3),
                     "onset_s": round(e["onset_s"] + start, 3), "confidence": e["confidence"]}
                    for e in res["events"]
                    if e["kind"] == "cramp"
                ]  # fmt: skip
                rows.append(
                    {
                        "recording": rec.name,
                        "profile": profile,
                        "start_s": start,
                        "duration_s": res["input"]["duration_s"],
                        "alerts": alerts,
                    }
                )
    return rows


def failure_lines(rows: list[dict[str, Any]]) -> list[str]:
    """One line per cramp alert raised on a real recording."""
    out = []
    for r in rows:
        for a in r["alerts"]:
            out.append(
                f"FAIL {r['recording']} ({r['profile']}, from {r['start_s']:g} s): cramp alert "
                f"on {a['channel']} at {a['alert_s']:.2f} s (onset {a['onset_s']:.2f} s, "
                f"confidence {a['confidence']:.2f})"
            )
    return out


def check_all(roots: tuple[Path, ...] = REAL_ROOTS) -> dict[str, Any]:
    """Every real recording (as recorded and as derived ENV) under both profiles."""
    recs, unread = find_real_recordings(roots)
    rows = [row for rec in recs for r in (rec, as_env(rec)) for row in check_recording(r)]
    return {"recordings": len(recs), "runs": len(rows), "unread": unread, "rows": rows,
            "failures": failure_lines(rows)}  # fmt: skip
