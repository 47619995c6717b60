"""Format round trips, each read back by the format's own library, and bad-input handling."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from crampdetect.core import Block, Event, InputError, QualityInterval, Representation
from crampdetect.storage.formats import export, sidecar_path, to_mne
from crampdetect.storage.reader import open_recording
from crampdetect.storage.session import SessionWriter

FS = 500.0
CH = ("calf_left", "calf_right")
EVENTS = [Event("calf_left", "cramp", 2.5, 4.0, end_s=6.75, confidence=0.9, id=3)]
QUALITY = [QualityInterval("calf_right", "lead_off", 1.0, 2.0)]
REPO = Path(__file__).resolve().parent.parent


def make_session(path: Path, rep: Representation, data: np.ndarray) -> Path:
    """A session with a 0.3 s gap after 4 s, one cramp and one lead-off."""
    with SessionWriter(path, fs=FS, channels=CH, representation=rep) as w:
        for i in range(0, data.shape[1], 50):
            start = i + (150 if i >= 2000 else 0)
            w.write(Block(data[:, i : i + 50], FS, start=start, t0=10.0 + start / FS, channels=CH))
        w.write_events(EVENTS)
        w.write_quality(QUALITY)
    return path


@pytest.fixture
def counts_session(tmp_path: Path) -> Path:
    data = np.random.default_rng(1).integers(0, 4096, (2, 4000)).astype(np.float64)
    return make_session(tmp_path / "c.cdrec", Representation("raw", "counts", 12), data)


@pytest.fixture
def uv_session(tmp_path: Path) -> Path:
    data = np.random.default_rng(2).normal(0, 80, (2, 4000)).astype(np.float32).astype(np.float64)
    return make_session(tmp_path / "u.cdrec", Representation("raw", "uV"), data)


def shift(events: list[Event], t: float) -> list[Event]:
    return [
        Event(e.channel, e.kind, e.onset_s + t, e.alert_s, e.end_s + t, e.confidence, e.id)
        for e in events
    ]


@pytest.mark.parametrize("fmt", ["edf", "bdf"])
def test_edf_bdf_round_trip_through_edfio(counts_session: Path, tmp_path: Path, fmt: str) -> None:
    import edfio

    src = open_recording(counts_session)
    src.events = shift(EVENTS, 10.0)
    src.quality = [QualityInterval("calf_right", "lead_off", 11.0, 12.0)]
    out = export(src, tmp_path / f"x.{fmt}")
    raw = edfio.read_bdf(out) if fmt == "bdf" else edfio.read_edf(out)
    assert [s.label for s in raw.signals] == [f"EMG {c}" for c in CH]
    assert raw.signals[0].sampling_frequency == FS
    assert {s.physical_dimension for s in raw.signals} == {"uV"}
    texts = [a.text for a in raw.annotations]
    assert any(t.startswith("cramp calf_left alert=4.0000") for t in texts)
    assert "quality lead_off calf_right" in texts and "gap n=150" in texts
    back = open_recording(out)
    t_src, d_src = src.load()
    t_back, d_back = back.load()
    assert back.channels == CH
    np.testing.assert_array_equal(d_back, d_src)  # counts are stored exactly
    np.testing.assert_allclose(t_back, t_src, atol=1e-9)
    assert back.n_gaps == 1 and back.representation == src.representation
    (ev,) = back.events
    assert (ev.onset_s, ev.alert_s, ev.end_s, ev.id) == pytest.approx((12.5, 4.0, 16.75, 3))
    (q,) = back.quality
    assert (q.issue, q.start_s, q.end_s) == ("lead_off", pytest.approx(11.0), pytest.approx(12.0))


def _mne_read(path: Path):
    mne = pytest.importorskip("mne")
    read = mne.io.read_raw_bdf if path.suffix == ".bdf" else mne.io.read_raw_edf
    return read(path, infer_types=True, preload=True, verbose="error")


@pytest.mark.parametrize("fmt", ["edf", "bdf"])
@pytest.mark.parametrize(
    ("rep", "low", "high", "unit_scale"),
    [
        (Representation("raw", "counts", 10), 0, 1024, 1e-6),  # Uno: µV at the skin
        (Representation("raw", "counts", 12), 0, 4096, 1e-6),  # ESP32
        (Representation("env", "counts", 10), 0, 700, 1e-3),  # MyoWare ENV: mV at its pin
        (Representation("raw", "uV"), -2500, 2500, 1e-6),
    ],
    ids=["uno-counts", "esp32-counts", "env-counts", "microvolts"],
)
def test_mne_reads_exports_in_physical_units_with_start_time(
    tmp_path: Path, fmt: str, rep: Representation, low: int, high: int, unit_scale: float
) -> None:
    rng = np.random.default_rng(high)
    data = rng.integers(low, high, (2, 4000)).astype(np.float64)
    if rep.units != "counts":
        data += rng.normal(0, 1, data.shape)
    src = open_recording(make_session(tmp_path / "s.cdrec", rep, data))
    truth_v = (src.load()[1] - rep.physical[2]) * rep.physical[1] * unit_scale
    out = export(src, tmp_path / f"x.{fmt}")
    raw = _mne_read(out)
    assert raw.get_channel_types() == ["emg", "emg"]
    assert raw.ch_names == list(CH)
    if rep.signal == "env":  # an envelope, said where EDF keeps it (transducer, prefilter)
        assert raw.info["lowpass"] == pytest.approx(3.6)
        import edfio

        edf = edfio.read_bdf(out) if fmt == "bdf" else edfio.read_edf(out)
        assert all("envelope" in s.transducer_type for s in edf.signals)
    got = raw.get_data()
    keep = np.ones(got.shape[1], dtype=bool)  # the gap is held by the last value in EDF
    keep[2000:2150] = False
    got = got[:, keep][:, : truth_v.shape[1]]
    span = np.ptp(truth_v, axis=1)
    assert np.ptp(got, axis=1) == pytest.approx(span, rel=0.01)
    assert np.all(np.max(np.abs(got - truth_v), axis=1) <= 0.01 * span)
    created = json.loads((tmp_path / "s.cdrec" / "meta.json").read_text())["created_utc"]
    local = datetime.fromisoformat(created.replace("Z", "+00:00")).astimezone()
    assert raw.info["meas_date"].replace(tzinfo=None) == local.replace(tzinfo=None)
    assert raw.info["meas_date"].year >= 2024


def test_anonymized_export_drops_the_start_date(counts_session: Path, tmp_path: Path) -> None:
    from crampdetect.cli import main

    assert main(["convert", str(counts_session), str(tmp_path / "a.edf"), "--anonymize"]) == 0
    assert main(["convert", str(counts_session), str(tmp_path / "k.edf")]) == 0
    assert "Startdate X" in (tmp_path / "a.edf").read_bytes()[88:168].decode()
    assert _mne_read(tmp_path / "a.edf").info["meas_date"].year == 1985
    assert "created_utc" not in open_recording(tmp_path / "a.edf").meta
    kept = open_recording(tmp_path / "k.edf").meta["created_utc"]
    assert kept == open_recording(counts_session).meta["created_utc"]


def test_edf_quantises_microvolts_within_one_step(uv_session: Path, tmp_path: Path) -> None:
    import edfio

    src = open_recording(uv_session)
    _, d = src.load()
    for fmt, bits in (("edf", 16), ("bdf", 24)):
        out = export(src, tmp_path / f"u.{fmt}")
        back = open_recording(out).load()[1]
        raw = edfio.read_bdf(out) if fmt == "bdf" else edfio.read_edf(out)
        for c, sig in enumerate(raw.signals):
            lo, hi = sig.physical_range
            assert lo <= d[c].min() and d[c].max() <= hi
            assert hi - lo <= 4 * (np.abs(d[c]).max())  # the range is not wasted
            step = (hi - lo) / (2**bits - 1)
            assert np.max(np.abs(back[c] - d[c])) <= 0.5 * step * 1.001  # half a step
            if bits == 16:
                assert np.max(np.abs(back[c] - d[c])) > 0  # 16 bits really quantise


def test_csv_round_trip_is_exact_and_readable_by_pyarrow(uv_session: Path, tmp_path: Path) -> None:
    import pyarrow.csv as pacsv

    src = open_recording(uv_session)
    out = export(src, tmp_path / "u.csv")
    table = pacsv.read_csv(out)
    assert table.column_names == ["time_s", *CH]
    t = table.column("time_s").to_numpy()
    assert np.sum(np.diff(t) > 1.5 / FS) == 1  # the gap is a jump in time_s
    back = open_recording(out)
    np.testing.assert_array_equal(back.load()[1], src.load()[1])
    assert back.events == src.events and back.quality == src.quality
    assert back.representation == src.representation
    assert [s.start for s in back.segments] == [0, 2150]


def test_wav_round_trip_through_soundfile(
    counts_session: Path, uv_session: Path, tmp_path: Path
) -> None:
    import soundfile as sf

    src = open_recording(counts_session)
    out = export(src, tmp_path / "c.wav")
    info = sf.info(out)
    assert (info.samplerate, info.channels, info.subtype) == (500, 2, "PCM_16")
    pcm = sf.read(out, dtype="int16")[0]
    np.testing.assert_array_equal(pcm.T + 2048, src.load()[1])
    back = open_recording(out)
    np.testing.assert_array_equal(back.load()[1], src.load()[1])
    assert back.n_gaps == 1 and back.events == src.events
    usrc = open_recording(uv_session)
    uback = open_recording(export(usrc, tmp_path / "u.wav"))
    assert sf.info(tmp_path / "u.wav").subtype == "FLOAT"
    np.testing.assert_allclose(uback.load()[1], usrc.load()[1], rtol=1e-6, atol=1e-4)


def test_wav_bad_samples_are_flagged_and_dropped_by_convert(
    uv_session: Path, tmp_path: Path, capsys
) -> None:
    """An infinite WAV sample is one bad sample (``bad_value``, no alert), not a lost file;
    ``convert`` drops it as it drops a CSV's bad rows (it never writes NaN)."""
    import soundfile as sf

    import crampdetect
    from crampdetect.cli import main

    src = open_recording(uv_session)
    wav = export(src, tmp_path / "u.wav")  # the sidecar keeps the scale and the gap
    frames, fs = sf.read(wav, dtype="float32")
    frames[40, 1] = np.inf
    sf.write(wav, frames, fs, subtype="FLOAT")
    rec = open_recording(wav)
    times, data = rec.load()
    assert np.isnan(data[1, 40]) and np.isfinite(np.delete(data, 40, axis=1)).all()
    (note,) = rec.problems
    assert "1 NaN, infinite or absurd" in note and f"first at sample 40 ({times[40]:.3f} s)" in note
    result = crampdetect.detect(rec)
    assert result.events == []
    bad = [q for q in result.quality if q.issue == "bad_value"]
    assert bad and {q.channel for q in bad} == {rec.channels[1]}
    assert any(q.start_s <= times[40] < q.end_s for q in bad)

    out = tmp_path / "copy.csv"
    assert main(["convert", str(wav), str(out)]) == 0
    assert "dropped their 1 sample" in capsys.readouterr().err
    copy = open_recording(out)
    assert copy.n_samples == rec.n_samples - 1 and copy.n_gaps == rec.n_gaps + 1
    np.testing.assert_allclose(copy.load()[1], np.delete(data, 40, axis=1), rtol=1e-6)


def test_mne_export_when_available(counts_session: Path) -> None:
    rec = open_recording(counts_session)
    try:
        import mne  # noqa: F401
    except ImportError:
        with pytest.raises(InputError, match=r"pip install -e .*\[mne\]"):
            to_mne(rec)
        return
    rec.events = shift(EVENTS, 10.0)  # on the recording's time axis (it starts at 10 s)
    raw = to_mne(rec)
    assert raw.ch_names == list(CH)
    assert "cramp/calf_left" in list(raw.annotations.description)
    # One uniform time axis: lost samples are kept as marked skips, so times still line up.
    assert raw.n_times == round((rec.t_end - rec.t_start) * rec.fs)
    skips = [a for a in raw.annotations if a["description"] == "BAD_ACQ_SKIP"]
    assert len(skips) == len(rec.gap_intervals())
    (cramp,) = [e for e in rec.events if e.kind == "cramp"]
    (ann,) = [a for a in raw.annotations if a["description"] == "cramp/calf_left"]
    assert abs(ann["onset"] - (cramp.onset_s - rec.t_start)) < 2.0 / rec.fs


def test_export_never_overwrites(counts_session: Path, tmp_path: Path) -> None:
    rec = open_recording(counts_session)
    (tmp_path / "exists.edf").write_bytes(b"keep me")
    with pytest.raises(InputError, match="refusing to overwrite"):
        export(rec, tmp_path / "exists.edf")
    assert (tmp_path / "exists.edf").read_bytes() == b"keep me"
    with pytest.raises(InputError, match="Unknown export format"):
        export(rec, tmp_path / "x.mat")
    with pytest.raises(InputError, match=r"no suffix to take the format from.*--format"):
        export(rec, tmp_path / "noext")
    assert export(rec, tmp_path / "noext", "csv").exists()


def test_bad_files_give_clear_input_errors(counts_session: Path, tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    (tmp_path / "fake.edf").write_bytes(b"0       " + b"x" * 300)
    cases = {"empty.csv": "empty", "photo.png": "not a recording", "fake.edf": "not a readable EDF"}
    for name, msg in cases.items():
        with pytest.raises(InputError, match=msg):
            open_recording(tmp_path / name)
    src = open_recording(counts_session)
    out = export(src, tmp_path / "c.csv")
    doc = json.loads(sidecar_path(out).read_text())
    doc["channels"] = ["calf_left", "calf_other"]
    sidecar_path(out).write_text(json.dumps(doc))
    with pytest.raises(InputError, match="names channels"):
        open_recording(out)
    sidecar_path(out).unlink()  # without a sidecar it is a plain detect CSV
    assert open_recording(out).representation is None


def test_truncated_edf_recovers_the_complete_records(counts_session: Path, tmp_path: Path) -> None:
    src = open_recording(counts_session)
    out = export(src, tmp_path / "c.edf")
    raw = out.read_bytes()
    (tmp_path / "cut.edf").write_bytes(raw[: len(raw) - 3000])
    back = open_recording(tmp_path / "cut.edf")
    assert any("truncated" in p for p in back.problems)
    n = back.n_samples
    assert 0 < n < src.n_samples
    np.testing.assert_array_equal(back.load()[1], src.load()[1][:, :n])
    assert out.read_bytes() == raw


@pytest.mark.parametrize(
    ("name", "n_samples", "fs", "n_channels"),
    [
        ("biosppy-emg-examples/emg_1.txt", 63880, 1000.0, 1),
        ("gait-13muscles-santuz/ID0012_TW_01_raw_emg.csv", 7618, 1000.0, 4),
        ("ta-sustained-tecchio2023/PL_0_01.csv", 34000, 2000.0, 1),
        ("uci-lower-limb-sanchez/5Nmar.txt", 6563, 1000.0, 4),
    ],
)
def test_shipped_real_recordings_open(
    name: str, n_samples: int, fs: float, n_channels: int
) -> None:
    path = REPO / "recordings" / name
    if not path.exists():
        pytest.skip("recordings/ not present")
    rec = open_recording(path)
    assert (rec.n_samples, rec.fs, len(rec.channels)) == (n_samples, fs, n_channels)
    assert rec.representation is not None and rec.n_gaps == 0
    _, data = rec.load()
    assert np.all(np.isfinite(data)) and np.std(data) > 0


def test_convert_recovers_the_readable_rows_of_a_damaged_csv(
    counts_session: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    from crampdetect.cli import main

    src = open_recording(counts_session)
    good = export(src, tmp_path / "good.csv")
    sidecar_path(good).unlink()
    lines = good.read_text().splitlines(keepends=True)
    lines[100] = lines[100].split(",")[0] + ",nan,7\n"  # a NaN row
    lines[200] = "garbage\n"  # a row with one field
    damaged = tmp_path / "damaged.csv"
    damaged.write_text("".join(lines)[:-5])  # and a half-written last line
    original = damaged.read_bytes()
    with pytest.raises(InputError):
        open_recording(damaged)  # strict, as detect
    assert main(["convert", str(damaged), str(tmp_path / "fixed.edf")]) == 0  # salvaged
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "warning" in err and "recovered" in err and "dropped 3" in err
    fixed = open_recording(tmp_path / "fixed.edf")
    times, data = src.load()
    keep = np.ones(times.size, bool)
    keep[[99, 199, times.size - 1]] = False  # data rows 99, 199 and the last
    np.testing.assert_array_equal(fixed.load()[1], data[:, keep])
    assert damaged.read_bytes() == original


def test_csv_with_quoted_header_reads_like_a_plain_one(tmp_path: Path) -> None:
    """A header written with quotes (pyarrow's and many spreadsheets' default) is still a CSV."""
    from crampdetect.storage.reader import open_recording

    t = np.arange(3000) / 1000.0
    x = np.random.default_rng(4).normal(0.0, 5.0, size=(3000, 2))
    body = "\n".join(
        f"{a:.3f},{b:.2f},{c:.2f}" for a, b, c in zip(t, x[:, 0], x[:, 1], strict=True)
    )
    plain, quoted = tmp_path / "plain.csv", tmp_path / "quoted.csv"
    plain.write_text("time_s,left,right\n" + body + "\n")
    quoted.write_text('"time_s","left","right"\n' + body + "\n")
    a, b = open_recording(plain), open_recording(quoted)
    assert a.channels == b.channels == ("left", "right")
    np.testing.assert_array_equal(
        np.concatenate([blk.data for blk in a.iter_blocks()], axis=1),
        np.concatenate([blk.data for blk in b.iter_blocks()], axis=1),
    )


def test_bare_csv_to_wav_keeps_what_detect_infers(tmp_path: Path, capsys) -> None:
    """A CSV of 10-bit counts without a sidecar: WAV holds the counts exactly (PCM_16), its
    sidecar says what they are, and detect finds the same events in CSV, WAV and back."""
    import soundfile as sf

    from crampdetect.cli import main

    src = tmp_path / "night.csv"
    args = ["simulate", "cramp", "--seed", "4", "--units", "counts", "--adc-bits", "10"]
    assert main([*args, "--out", str(src)]) == 0
    for side in tmp_path.glob("night.csv.*"):
        side.unlink()  # bare: the representation must be inferred
    wav, back = tmp_path / "night.wav", tmp_path / "back.csv"
    assert main(["convert", str(src), str(wav)]) == 0
    assert main(["convert", str(wav), str(back)]) == 0
    assert sf.info(wav).subtype == "PCM_16"
    doc = json.loads(sidecar_path(wav).read_text())
    assert doc["representation"] == {"signal": "raw", "units": "counts", "adc_bits": 10}
    a, b = np.loadtxt(src, delimiter=",", skiprows=1), np.loadtxt(back, delimiter=",", skiprows=1)
    np.testing.assert_array_equal(a[:, 1:], b[:, 1:])  # exact counts
    capsys.readouterr()
    events = []
    for path in (src, wav, back):
        assert main(["detect", str(path), "--json"]) == 0
        events.append(json.loads(capsys.readouterr().out)["events"])
    assert events[0] and events[1] == events[0] and events[2] == events[0]


@pytest.mark.parametrize("suffix", [".edf", ".bdf", ".csv", ".wav"])
def test_convert_keeps_the_profile_the_labels_name(tmp_path: Path, suffix: str) -> None:
    """A simulated training session (profile in its ``.labels.json``) converted to any format
    still names the training profile, so re-scoring the copy without --profile scores voluntary
    holds as training, as on the original, not as a night."""
    from crampdetect.cli import main

    src = tmp_path / "hold.csv"
    assert main(["simulate", "hold", "--seed", "2", "--duration", "30", "--out", str(src)]) == 0
    assert open_recording(src).profile == "training"
    out = tmp_path / "copy" / f"hold{suffix}"
    out.parent.mkdir()
    assert main(["convert", str(src), str(out)]) == 0
    assert open_recording(out).profile == "training"


def test_wav_without_its_sidecar_says_its_scale_is_unknown(
    uv_session: Path, tmp_path: Path
) -> None:
    """A float WAV holds µV scaled into ±1: read without its sidecar, the scale and units are
    unknown, and the reader says so rather than scoring the scaled samples silently."""
    out = export(open_recording(uv_session), tmp_path / "u.wav")
    assert not any("sidecar" in p for p in open_recording(out).problems)
    sidecar_path(out).unlink()
    problems = open_recording(out).problems
    assert any("u.wav.session.json" in p and "scale" in p for p in problems), problems


def test_mne_export_of_a_bare_counts_csv_matches_its_edf_copy(tmp_path: Path) -> None:
    """A CSV of 10-bit counts without a sidecar: to_mne scales the counts as detect and convert
    take them (ADC counts, not µV), so MNE sees the same volts from the CSV as from its EDF+."""
    pytest.importorskip("mne")
    from crampdetect.cli import main

    src = tmp_path / "night.csv"
    args = ["simulate", "cramp", "--seed", "4", "--units", "counts", "--adc-bits", "10"]
    assert main([*args, "--duration", "30", "--out", str(src)]) == 0
    edf = export(open_recording(src), tmp_path / "night.edf")
    direct = to_mne(open_recording(src)).get_data()
    via_edf = to_mne(open_recording(edf)).get_data()
    np.testing.assert_allclose(direct, via_edf, rtol=0, atol=1e-4 * np.abs(via_edf).max())


def test_an_output_that_cannot_be_written_names_the_output(
    counts_session: Path, tmp_path: Path
) -> None:
    """A missing or read-only output folder: one InputError naming the file asked for, not
    the hidden scratch folder convert writes into first."""
    out = tmp_path / "missing" / "night.edf"
    with pytest.raises(InputError, match="cannot write there") as err:
        export(open_recording(counts_session), out)
    assert str(out) in str(err.value) and ".crampdetect-" not in str(err.value)


def test_mne_export_of_the_env_output_matches_what_mne_reads_from_the_edf_copy(
    tmp_path: Path,
) -> None:
    """The MyoWare ENV output in ADC counts: to_mne gives the same volts as MNE's own EDF reader
    gives for the EDF+ copy (the envelope at the ENV pin, in V, channel type emg), not the
    µV-at-the-skin estimate the detector works with (its gain is a potentiometer setting)."""
    mne = pytest.importorskip("mne")
    from crampdetect.cli import main

    src = tmp_path / "env.csv"
    args = ["simulate", "cramp", "--seed", "4", "--signal", "env", "--adc-bits", "10"]
    assert main([*args, "--duration", "30", "--out", str(src)]) == 0
    rec = open_recording(src)
    edf = export(rec, tmp_path / "env.edf")
    raw = to_mne(rec)
    assert raw.get_channel_types() == ["emg", "emg"]
    from_edf = mne.io.read_raw_edf(edf, infer_types=True, preload=True, verbose=False)
    assert from_edf.get_channel_types() == ["emg", "emg"]
    got, want = raw.get_data(), from_edf.get_data()
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-3 * np.abs(want).max())
    # 10-bit counts of a 5 V ADC: the pin is at most 5 V, whatever the gain to the skin
    assert 0.1 < np.abs(got).max() <= 5.0


def _edf_record_bytes(raw: bytes) -> int:
    """Bytes of one data record of an EDF file (16-bit samples of every signal)."""
    ns = int(raw[252:256])
    at = 256 + ns * 216  # samples per record: the 8-byte fields after 216 bytes per signal
    return 2 * sum(int(raw[at + 8 * i : at + 8 * i + 8]) for i in range(ns))


@pytest.mark.parametrize("records", [1.5, 2.0], ids=["mid-record", "at-a-record-end"])
def test_truncated_edf_says_so_once(
    counts_session: Path, tmp_path: Path, records: float, capsys: pytest.CaptureFixture[str]
) -> None:
    """One clear warning for a truncated EDF, not edfio's two (one of them claiming to update
    a header it does not write) plus ours; the file itself stays as it is."""
    from crampdetect.cli import main

    out = export(open_recording(counts_session), tmp_path / "c.edf")
    raw = out.read_bytes()
    cut = int(records * _edf_record_bytes(raw))
    cut_path = tmp_path / "cut.edf"
    cut_path.write_bytes(raw[: len(raw) - cut])
    back = open_recording(cut_path)
    assert len(back.problems) == 1, back.problems
    (problem,) = back.problems
    assert "truncated" in problem and "Updating header" not in problem
    assert main(["detect", str(cut_path), "--json"]) == 0
    err = capsys.readouterr().err
    assert err.count("warning") == 1 and "truncated" in err, err
    assert cut_path.read_bytes() == raw[: len(raw) - cut]
