"""``--scale UV_PER_UNIT`` (detect, convert, replay): the scale of a WAV without a sidecar,
given on the command line; the WAV is written by soundfile with a known scale and read back."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from conftest import run_cli

SCALE = 0.25  # µV per PCM count


@pytest.fixture(scope="module")
def wav(tmp_path_factory) -> tuple[Path, Path, np.ndarray]:
    """A simulated cramp as a µV CSV and as a PCM_16 WAV of SCALE µV per count, no sidecar."""
    folder = tmp_path_factory.mktemp("wav")
    csv = folder / "c.csv"
    made = run_cli("simulate", "cramp", "--seed", "1", "-q", "--out", csv)
    assert made.returncode == 0, made.stderr
    table = np.genfromtxt(csv, delimiter=",", names=True)
    uv = np.vstack([table[n] for n in table.dtype.names[1:]])
    counts = np.round(uv / SCALE)
    assert np.abs(counts).max() < 2**15 and np.abs(uv).max() > 1000 * SCALE
    path = folder / "c.wav"
    sf.write(path, counts.astype(np.int16).T, 1000, subtype="PCM_16")
    return csv, path, counts * SCALE


def test_convert_reads_a_wav_in_the_scale_given(wav, tmp_path):
    _, path, uv = wav
    out = tmp_path / "back.csv"
    res = run_cli("convert", path, out, "--scale", SCALE)
    assert res.returncode == 0, res.stderr
    assert "raw EMG in µV" in res.stdout and "scale and units are unknown" not in res.stderr
    back = np.genfromtxt(out, delimiter=",", names=True)
    data = np.vstack([back[n] for n in back.dtype.names[1:]])
    assert data.shape == uv.shape
    assert np.allclose(data, uv, atol=1e-3 * np.abs(uv).max())


def test_detect_on_a_scaled_wav_finds_what_it_finds_on_the_uv_csv(wav):
    csv, path, _ = wav
    runs = [run_cli("detect", *args, "--json") for args in ([csv], [path, "--scale", SCALE])]
    assert all(r.returncode == 0 for r in runs), [r.stderr for r in runs]
    plain, scaled = (json.loads(r.stdout) for r in runs)
    assert scaled["input"]["units"] == "uV" and "scale and units" not in runs[1].stderr
    assert [e["kind"] for e in scaled["events"]].count("cramp") == 1
    assert [(e["kind"], e["alert_s"]) for e in scaled["events"]] == [
        (e["kind"], e["alert_s"]) for e in plain["events"]
    ]
    replayed = run_cli("replay", path, "--scale", SCALE, "--json")  # the same reader
    assert replayed.returncode == 0, replayed.stderr
    assert json.loads(replayed.stdout)["events"] == scaled["events"]
    unscaled = run_cli("detect", path, "--json")  # read as stored: not the same night
    assert "scale and units are unknown" in unscaled.stderr and "--scale" in unscaled.stderr


def test_scale_is_refused_where_it_cannot_apply(wav, tmp_path):
    csv, path, _ = wav
    for args, said in [
        (["detect", csv, "--scale", "2"], "--scale is for WAV input"),
        (["convert", csv, tmp_path / "x.csv", "--scale", "2"], "--scale is for WAV input"),
        (["detect", path, "--scale", "2", "--units", "mV"], "leave out --units mV"),
        (["detect", path, "--scale", "0"], "is not a positive number"),
        (["convert", path, tmp_path / "y.csv", "--scale", "nan"], "is not a positive number"),
    ]:
        res = run_cli(*args)
        assert res.returncode == 2 and said in res.stderr, (args, res.stderr)
    copy = tmp_path / "s.wav"  # a WAV whose sidecar gives its scale
    assert run_cli("convert", csv, copy).returncode == 0
    assert json.loads((tmp_path / "s.wav.session.json").read_text()).get("wav_scale")
    res = run_cli("detect", copy, "--scale", "2")
    assert res.returncode == 2 and "gives the scale (wav_scale" in res.stderr, res.stderr


def test_a_sidecar_offset_applies_with_the_scale_given(tmp_path):
    """A hand-written sidecar that gives only an offset (no wav_scale): --scale and the offset
    both apply (the WAV written by the stdlib ``wave`` module, PCM 16-bit)."""
    import wave

    from crampdetect.storage.formats import read_wav
    from crampdetect.storage.reader import open_recording

    counts = np.array([[0, 100, -200, 300, 32000, -32000]] * 2, dtype=np.int16)
    counts[1] //= 2
    path = tmp_path / "o.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(1000)
        out.writeframes(counts.T.astype("<i2").tobytes())
    offset = 40.0  # µV
    side = {"format": "crampdetect-sidecar", "channels": ["left", "right"], "wav_offset": offset}
    (tmp_path / "o.wav.session.json").write_text(json.dumps(side))
    want = counts.astype(np.float64) * SCALE + offset
    for rec in (read_wav(path, scale=SCALE), open_recording(path, wav_scale=SCALE)):
        assert rec.channels == ("left", "right")
        assert np.array_equal(np.hstack([s.load() for s in rec.segments]), want)
