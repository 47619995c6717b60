"""A corpus of malformed (and legal but odd) recordings, generated on the fly.

:func:`build` writes every case under a directory and returns :class:`Case` s, each with the
outcome expected from ``detect``, ``replay`` and ``convert``:

- ``"E:<regex>"``: exit status 2 and exactly one stderr line matching ``<regex>``;
- ``"OK"``: exit status 0 and a sane result (finite, increasing times in what is written);
- ``"OK:<regex>"``: as OK, and a stderr warning matching ``<regex>`` (the stated flag).

Nothing binary is committed: each file is built from a small valid recording written by
crampdetect itself (session, EDF, BDF, WAV, CSV), then damaged byte by byte.
"""

from __future__ import annotations

import json
import os
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from crampdetect.core import Block, Event, QualityInterval, Representation
from crampdetect.storage.formats import export, sidecar_path
from crampdetect.storage.reader import open_recording
from crampdetect.storage.session import CHUNK_HEADER, SessionWriter

FS = 500.0
CH = ("calf_left", "calf_right")
N = 2000  # 4 s: four chunks of one second in a session


@dataclass
class Case:
    name: str
    path: Path
    detect: str
    replay: str
    convert: str
    args: list[str] = field(default_factory=list)


def _signal() -> np.ndarray:
    rng = np.random.default_rng(7)
    return np.round(rng.normal(0, 60, (2, N)), 2)


def _csv_text(t: np.ndarray, x: np.ndarray, header: str = "time_s,calf_left,calf_right") -> str:
    rows = "".join(f"{a:.6f},{b:.2f},{c:.2f}\n" for a, b, c in zip(t, x[0], x[1], strict=True))
    return header + "\n" + rows


def _session(path: Path, rep: Representation | None = None, data: np.ndarray | None = None):
    data = _signal() if data is None else data
    rep = rep or Representation("raw", "uV")
    with SessionWriter(path, fs=FS, channels=CH, representation=rep) as w:
        for i in range(0, N, 500):
            w.write(Block(data[:, i : i + 500], FS, start=i, t0=i / FS, channels=CH))
        w.write_events([Event("calf_left", "cramp", 1.0, 1.5, end_s=2.0, confidence=0.9, id=1)])
        w.write_quality([QualityInterval("calf_right", "pop", 0.5, 0.6)])
    return path


def _edit_json(path: Path, change: Callable[[dict], None]) -> None:
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))  # json.dumps writes NaN/Infinity as the hostile do


def _chunk(path: Path, index: int, **fields: object) -> None:
    """Rewrite fields of the index-th chunk header of a session's samples.bin."""
    raw = bytearray((path / "samples.bin").read_bytes())
    pos = 0
    names = ("magic", "code", "reserved", "n_ch", "n", "start", "t0", "crc")
    for _ in range(index):
        head = dict(zip(names, CHUNK_HEADER.unpack_from(raw, pos), strict=True))
        pos += CHUNK_HEADER.size + head["n"] * head["n_ch"] * 4
    head = dict(zip(names, CHUNK_HEADER.unpack_from(raw, pos), strict=True))
    head.update(fields)
    CHUNK_HEADER.pack_into(raw, pos, *(head[k] for k in names))
    (path / "samples.bin").write_bytes(bytes(raw))


def _edf_field(path: Path, offset: int, width: int, text: str) -> None:
    raw = bytearray(path.read_bytes())
    raw[offset : offset + width] = text.ljust(width).encode("latin-1")[:width]
    path.write_bytes(bytes(raw))


def build(root: Path) -> list[Case]:
    """Write the corpus under ``root`` (a fresh directory); return its cases."""
    root.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []
    x = _signal()
    t = np.arange(N) / FS

    def add(name: str, detect: str | None, replay: str, convert: str | None = None) -> Path:
        """A case; ``detect`` None: as ``replay`` (detect replays whatever is not a CSV)."""
        path = root / name
        detect = replay if detect is None else detect
        cases.append(Case(name, path, detect, replay, replay if convert is None else convert))
        return path

    def csv_case(name: str, text: str | bytes, expect: str) -> None:
        path = add(name, None, expect)
        path.write_bytes(text.encode() if isinstance(text, str) else text)

    good = _csv_text(t, x)
    head, body = good.split("\n", 1)
    lines = body.splitlines(keepends=True)

    # -- CSV: legal but odd --------------------------------------------------------------------
    csv_case("bom.csv", "\ufeff" + good, "OK")
    csv_case("crlf.csv", good.replace("\n", "\r\n"), "OK")
    csv_case("gap.csv", _csv_text(np.concatenate([t[:1000], t[1000:] + 10.0]), x), "OK")
    csv_case("spaces.csv", head.replace(",", " , ") + "\n" + body, "OK")
    csv_case("no_final_newline.csv", good.rstrip("\n"), "OK")
    csv_case("unix_time.csv", _csv_text(t + 1_764_900_000.0, x), "OK")
    csv_case("counts.csv", _csv_text(t, np.round(x + 512)), "OK")
    # -- CSV: malformed ------------------------------------------------------------------------
    csv_case("empty.csv", b"", "E:empty")
    csv_case("only_newlines.csv", b"\n\n\n", "E:empty|not a recording")
    csv_case("header_only.csv", head + "\n", "E:no data rows|no readable")
    csv_case("single_row.csv", head + "\n" + lines[0], "E:single sample")
    csv_case("bom_only.csv", b"\xef\xbb\xbf", "E:empty|not a recording")
    csv_case("no_time_column.csv", good.replace("time_s,", "t,", 1), "E:not a recording")
    csv_case("duplicate_names.csv", good.replace("calf_right", "calf_left", 1), "E:unique")
    csv_case("empty_name.csv", good.replace(",calf_right", ",", 1), "E:unique and non-empty")
    csv_case("only_time.csv", "time_s\n0\n0.002\n", "E:not a recording")
    csv_case("long_name.csv", good.replace("calf_right", "c" * 100, 1), "E:limit 64")
    csv_case(
        "field_131k.csv",
        good.replace("calf_right", "c" * 140_000, 1),
        "E:header line longer than 65536",
    )
    cols = ",".join(f"c{i}" for i in range(300))
    csv_case("300_columns.csv", f"time_s,{cols}\n0,{','.join(['1'] * 300)}\n", "E:limit 256")
    cols = ",".join("c" for _ in range(20_000))
    csv_case("20k_columns.csv", f"time_s,{cols}\n", "E:limit 256|header line longer")
    csv_case("header_no_newline_2mb.csv", b"time_s," + b"a" * 2_000_000, "E:header line longer")
    csv_case("zeros.csv", bytes(3_000_000), "E:header line longer|not a recording")
    csv_case(
        "long_data_line.csv",
        head + "\n" + lines[0] + "1" * 100_000 + "\n",
        "E:longer than 65536 bytes",
    )
    csv_case(
        "data_no_newline.csv",
        head + "\n" + lines[0] + lines[1] + "7" * 3_000_000,
        "E:longer than 65536 bytes",
    )
    # bad cells are bad samples, as in a live stream: flagged, the rest scored; convert never
    # writes NaN, so it drops their rows as damage (a warning: the salvaged file is written)
    SALVAGED = "OK:warning: .*; recovered 1999 rows, dropped 1"  # convert keeps the rest
    bad_cell = "OK:2 empty, NaN, infinite or absurd .* data row 6\\b.*bad_value"
    for name, cells in [
        ("nan.csv", ("nan", "NaN")),
        ("inf.csv", ("inf", "-Infinity")),
        ("value_1e300.csv", ("1e300", "-2e9")),
        ("value_1e400.csv", ("1e400", "nan")),
    ]:
        path = add(name, None, bad_cell, "OK:warning: .*NaN, infinite or absurd.*dropped 2")
        rows = [f"0.010000,{cells[0]},1\n", f"0.012000,2,{cells[1]}\n"]
        path.write_text(head + "\n" + "".join(lines[:5]) + "".join(rows) + "".join(lines[7:]))
    all_nan = np.full_like(x, np.nan)
    csv_case("all_nan.csv", _csv_text(t, all_nan), "OK:4000 empty, NaN.* data row 1\\b")
    cases[-1].convert = "E:no readable rows"
    csv_case("nan_time.csv", head + "\n" + "nan,1,1\n" + "".join(lines[1:]), "E:time_s NaN")
    cases[-1].convert = SALVAGED
    csv_case(
        "inf_time.csv",
        head + "\n" + "".join(lines[:5]) + "inf,1,1\n" + "".join(lines[6:]),
        "E:time_s NaN or infinite at data row 6",
    )
    cases[-1].convert = SALVAGED
    csv_case(
        "empty_cell.csv",
        head + "\n" + "".join(lines[:5]) + "0.01,,1\n" + "".join(lines[6:]),
        "OK:1 empty, NaN.* data row 6\\b.*bad_value",
    )
    cases[-1].convert = "OK:warning: .*empty, NaN.*dropped 1"
    csv_case(
        "text_cell.csv",
        head + "\n" + "".join(lines[:5]) + "0.01,abc,1\n" + "".join(lines[6:]),
        "E:non-numeric",
    )
    cases[-1].convert = SALVAGED
    csv_case(
        "hex_cell.csv",
        head + "\n" + "".join(lines[:5]) + "0.01,0x10,1\n" + "".join(lines[6:]),
        "E:non-numeric",
    )
    cases[-1].convert = SALVAGED
    csv_case(
        "extra_column.csv",
        head + "\n" + "".join(lines[:5]) + "0.01,1,1,1\n" + "".join(lines[6:]),
        "E:columns.* data row 6\\b",
    )
    cases[-1].convert = SALVAGED
    csv_case(
        "missing_column.csv",
        head + "\n" + "".join(lines[:5]) + "0.01,1\n" + "".join(lines[6:]),
        "E:columns.* data row 6\\b",
    )
    cases[-1].convert = SALVAGED
    csv_case("blank_line.csv", head + "\n" + "".join(lines[:5]) + "\n" + "".join(lines[5:]), "OK")
    # a recorder killed mid-write: the cut last line is left out, the rest read
    csv_case("half_written.csv", good + "4.0,12.", "OK:data row 2001 is cut short")
    csv_case(
        "time_backwards.csv",
        head + "\n" + "".join(lines[:10]) + lines[3] + "".join(lines[11:]),
        "E:does not increase",
    )
    cases[-1].convert = SALVAGED
    csv_case(
        "time_repeats.csv",
        head + "\n" + "".join(lines[:10]) + lines[9] + "".join(lines[11:]),
        "E:does not increase",
    )
    cases[-1].convert = SALVAGED
    csv_case(
        "time_jump_1e9.csv",
        _csv_text(np.concatenate([t[:1000], t[1000:] + 1e9]), x),
        "E:beyond 1e\\+09|jumps",
    )
    csv_case(
        "time_jump_2days.csv",
        _csv_text(np.concatenate([t[:1000], t[1000:] + 2 * 86400]), x),
        "E:jumps .*limit 86400",
    )
    csv_case("time_huge.csv", _csv_text(t + 1e15, x), "E:beyond")
    csv_case("rate_1mhz.csv", _csv_text(t * 1e-3, x), "E:outside 1-100000 Hz")
    csv_case("rate_0.1hz.csv", _csv_text(t * 5000, x), "E:outside 1-100000 Hz")
    csv_case(
        "latin1_header.csv",
        "time_s,mollet_gauche_\xe9,b\n".encode("latin-1") + body.encode(),
        "E:not a text CSV|not a recording",
    )
    csv_case(
        "binary.csv",
        b"time_s,a\n" + bytes(range(256)) * 10,
        "E:non-numeric|columns|row|empty|not a recording",
    )
    csv_case("semicolons.csv", good.replace(",", ";"), "E:not a recording")
    csv_case("tabs.csv", good.replace(",", "\t"), "E:not a recording")
    csv_case(
        "quoted_newline_header.csv",
        'time_s,"a\nb"\n0,1\n0.002,2\n',
        "E:columns|unique|non-numeric|row|header|recording",
    )
    csv_case("unclosed_quote.csv", 'time_s,"abc\n0,1\n0.002,2\n', "OK")
    csv_case("bad_rate_arg.csv", good, "E:--rate 900 Hz disagrees")
    cases[-1].args, cases[-1].convert = ["--rate", "900"], "OK"  # convert has no --rate
    csv_case("rate_arg_nan.csv", good, "E:--rate")
    cases[-1].args, cases[-1].convert = ["--rate", "nan"], "OK"

    # -- CSV + sidecar -------------------------------------------------------------------------
    session = _session(root / "_base.cdrec")
    base = open_recording(session)
    base_csv = export(base, root / "_base.csv")

    def sidecar_case(name: str, change: Callable[[dict], None] | bytes, expect: str, fmt="csv"):
        src = base_csv if fmt == "csv" else base_wav
        path = add(name, "OK" if fmt == "csv" else None, expect)  # detect: only its profile
        path.write_bytes(src.read_bytes())
        side = sidecar_path(path)
        side.write_bytes(sidecar_path(src).read_bytes())
        if isinstance(change, bytes):
            side.write_bytes(change)
        else:
            _edit_json(side, change)

    sidecar_case("side_ok.csv", lambda d: None, "OK")
    sidecar_case("side_not_json.csv", b"{not json", "E:not valid JSON")
    sidecar_case("side_nested.csv", b"[" * 100_000 + b"]" * 100_000, "E:nested too deeply")
    sidecar_case("side_list.csv", b"[1, 2]", "E:not a crampdetect sidecar")
    sidecar_case(
        "side_rate_nan.csv",
        lambda d: d.update(sample_rate_hz=float("nan")),
        "E:NaN is not a number",
    )
    sidecar_case("side_rate_str.csv", lambda d: d.update(sample_rate_hz="fast"), "E:not a number")
    sidecar_case("side_rate_neg.csv", lambda d: d.update(sample_rate_hz=-1000), "E:outside")
    sidecar_case("side_channels_str.csv", lambda d: d.update(channels="ab"), "E:list of names")
    sidecar_case(
        "side_channels_ints.csv", lambda d: d.update(channels=[1, 2]), "E:not a non-empty string"
    )
    sidecar_case(
        "side_channels_other.csv", lambda d: d.update(channels=["x", "y"]), "E:names channels"
    )
    sidecar_case("side_n_1e9.csv", lambda d: d.update(n_samples=10**9), "E:1000000000 samples")
    sidecar_case("side_n_neg.csv", lambda d: d.update(n_samples=-5), "E:not a sample count")
    sidecar_case(
        "side_events_str.csv", lambda d: d.update(events="cramp"), "E:events must be a list"
    )
    sidecar_case(
        "side_event_keys.csv",
        lambda d: d.update(events=[{"kind": "cramp"}]),
        "E:event without|channel and kind",
    )
    sidecar_case(
        "side_event_onset_str.csv",
        lambda d: d["events"][0].update(onset_s="soon"),
        "E:not a number",
    )
    sidecar_case(
        "side_event_nan.csv", lambda d: d["events"][0].update(alert_s=float("nan")), "E:NaN"
    )
    sidecar_case(
        "side_quality_bad.csv", lambda d: d.update(quality=[["pop", 1]]), "E:must be an object"
    )
    sidecar_case(
        "side_segments_bad.csv", lambda d: d.update(segments=[[0, "x", 5]]), "E:not a number"
    )
    sidecar_case(
        "side_segments_back.csv",
        lambda d: d.update(segments=[[0, 0.0, 1000], [500, 2.0, 1000]]),
        "E:overlap",
    )
    sidecar_case(
        "side_rep_bad.csv",
        lambda d: d.update(representation={"signal": "sound"}),
        "E:Invalid signal",
    )
    sidecar_case("side_meta_str.csv", lambda d: d.update(meta="x"), "E:meta must be an object")
    fifo_side = add("side_fifo.csv", "OK", "E:FIFO")
    fifo_side.write_bytes(base_csv.read_bytes())
    os.mkfifo(sidecar_path(fifo_side))
    big_side = add("side_huge.csv", "OK", "E:limit 64 MiB")
    big_side.write_bytes(base_csv.read_bytes())
    with open(sidecar_path(big_side), "wb") as fh:
        fh.truncate(65 * 2**20)  # sparse: costs nothing on disk

    # -- WAV + sidecar -------------------------------------------------------------------------
    base_wav = export(base, root / "_base.wav")
    sidecar_case(
        "wav_side_scale_str.wav", lambda d: d.update(wav_scale="big"), "E:wav_scale", fmt="wav"
    )
    sidecar_case(
        "wav_side_scale_zero.wav", lambda d: d.update(wav_scale=0), "E:wav_scale", fmt="wav"
    )
    sidecar_case(
        "wav_side_offset_nan.wav", lambda d: d.update(wav_offset=float("nan")), "E:NaN", fmt="wav"
    )
    sidecar_case(
        "wav_side_events_bad.wav",
        lambda d: d.update(events=[1, 2]),
        "E:must be an object",
        fmt="wav",
    )
    sidecar_case(
        "wav_side_n_1e9.wav", lambda d: d.update(n_samples=10**9), "E:1000000000 samples", fmt="wav"
    )
    sidecar_case(
        "wav_side_segments_1e9.wav",
        lambda d: d.update(segments=[[0, 0.0, 10**9]]),
        "E:segments hold",
        fmt="wav",
    )
    sidecar_case(
        "wav_side_scale_1e300.wav", lambda d: d.update(wav_scale=1e300), "E:wav_scale", fmt="wav"
    )
    sidecar_case(
        "wav_side_channels_3.wav",
        lambda d: d.update(channels=["a", "b", "c"]),
        "E:names 3 channels",
        fmt="wav",
    )
    wav_raw = base_wav.read_bytes()

    def wav_case(name: str, data: bytes, expect: str, side: bool = False) -> Path:
        path = add(name, None, expect)
        path.write_bytes(data)
        if side:
            sidecar_path(path).write_bytes(sidecar_path(base_wav).read_bytes())
        return path

    wav_case("wav_plain.wav", wav_raw, "OK")
    wav_case("wav_third.wav", wav_raw[: len(wav_raw) // 3], "OK:WAV cut short")
    wav_case(
        "wav_third_with_sidecar.wav",
        wav_raw[: len(wav_raw) // 3],
        "OK:WAV cut short",  # read as far as it goes, the sidecar clipped (session 22)
        side=True,
    )
    wav_case("wav_header_only.wav", wav_raw[:44], "E:no readable samples|not a readable WAV|WAV")
    wav_case("wav_garbage.wav", wav_raw[:12] + bytes(200), "E:not a readable WAV")
    rate0 = bytearray(wav_raw)
    struct.pack_into("<I", rate0, 24, 0)
    wav_case("wav_rate_0.wav", bytes(rate0), "E:not a readable WAV|outside")
    rate_hi = bytearray(wav_raw)
    struct.pack_into("<I", rate_hi, 24, 4_000_000)
    wav_case("wav_rate_4mhz.wav", bytes(rate_hi), "E:outside 1-100000 Hz|not a readable WAV")
    wav_case("wav_plain_side.wav", wav_raw, "OK", side=True)
    # bad samples are read as NaN and flagged, as in a CSV; convert drops them (one column)
    bad_sample = "OK:1 NaN, infinite or absurd .* first at sample 100 \\(0\\.200 s\\).*bad_value"
    BAD_SAMPLE_DROPPED = "OK:warning: .*NaN, infinite or absurd.*sample 100\\b.*dropped their 1 "
    for name, value in (("wav_nan_samples.wav", np.nan), ("wav_1e30_samples.wav", 1e30)):
        import soundfile as sf

        bad_wav = add(name, None, bad_sample, BAD_SAMPLE_DROPPED)
        samples = np.zeros((N, 2), dtype=np.float32)
        samples[100, 0] = value
        sf.write(bad_wav, samples, int(FS), subtype="FLOAT")
    wav_case("wav_riff_only.wav", b"RIFF\x00\x00\x00\x00WAVE", "E:not a readable WAV")

    # -- EDF / BDF -----------------------------------------------------------------------------
    base_edf = export(base, root / "_base.edf")
    base_bdf = export(base, root / "_base.bdf")

    def edf_case(name: str, edits: list[tuple[int, int, str]], expect: str, bdf=False, cut=None):
        src = (base_bdf if bdf else base_edf).read_bytes()
        path = add(name, None, expect)
        path.write_bytes(src if cut is None else src[:cut])
        for offset, width, text in edits:
            _edf_field(path, offset, width, text)
        return path

    ns = int(base_edf.read_bytes()[252:256])
    sig = 256  # signal header block; field offsets are 256 + ns * field_start + i * width
    edf_case("edf_ok.edf", [], "OK")
    edf_case("bdf_ok.bdf", [], "OK", bdf=True)
    edf_case("edf_duration_0.edf", [(244, 8, "0")], "E:record duration 0")
    edf_case("edf_duration_neg.edf", [(244, 8, "-1")], "E:record duration -1")
    edf_case("edf_duration_nan.edf", [(244, 8, "nan")], "E:record duration nan")
    edf_case("edf_duration_text.edf", [(244, 8, "one")], "E:not a number")
    edf_case("bdf_duration_0.bdf", [(244, 8, "0")], "E:record duration 0", bdf=True)
    edf_case("edf_ns_0.edf", [(252, 4, "0")], "E:0 signals")
    edf_case("edf_ns_9999.edf", [(252, 4, "9999")], "E:9999 signals")
    edf_case("edf_header_bytes.edf", [(184, 8, "999999")], "E:header size")
    edf_case("edf_records_0.edf", [(236, 8, "0")], "E:0 data records")
    edf_case("edf_records_huge.edf", [(236, 8, "99999999")], "OK:truncated|records")
    edf_case("edf_spr_0.edf", [(sig + ns * 216, 8, "0")], "E:0 samples per record")
    edf_case("edf_spr_huge.edf", [(sig + ns * 216, 8, "99999999")], "E:samples per record")
    edf_case("edf_rate_tiny.edf", [(244, 8, "3000")], "E:outside 1-100000 Hz")
    edf_case(
        "edf_phys_equal.edf",
        [(sig + ns * 104, 8, "5"), (sig + ns * 112, 8, "5")],
        "E:physical range",
    )
    edf_case("edf_phys_nan.edf", [(sig + ns * 104, 8, "nan")], "E:physical range")
    edf_case(
        "edf_phys_1e300.edf",
        [(sig + ns * 104, 8, "-1e300"), (sig + ns * 112, 8, "1e300")],
        "E:physical range",
    )
    edf_case(
        "edf_dig_swapped.edf",
        [(sig + ns * 120, 8, "32767"), (sig + ns * 128, 8, "-32768")],
        "E:digital range",
    )
    edf_case("edf_dig_out_of_range.edf", [(sig + ns * 128, 8, "99999")], "E:digital range")
    edf_case("edf_non_ascii.edf", [(sig, 16, "m\xe9ll\xe9t")], "E:not ASCII|not a readable EDF")
    edf_case("edf_cut_100.edf", [], "E:shorter than 256", cut=100)
    edf_case("edf_cut_signal_headers.edf", [], "E:cut short inside the signal headers", cut=300)
    edf_case("edf_cut_data.edf", [], "OK:truncated", cut=len(base_edf.read_bytes()) - 1500)
    edf_case(
        "bdf_cut_data.bdf", [], "OK:truncated", bdf=True, cut=len(base_bdf.read_bytes()) - 1500
    )

    # -- session directories -------------------------------------------------------------------
    def session_case(name: str, expect: str, damage: Callable[[Path], None]) -> Path:
        path = add(name, None, expect)
        _session(path)
        damage(path)
        return path

    def meta(change: Callable[[dict], None]) -> Callable[[Path], None]:
        def damage(p: Path) -> None:
            _edit_json(p / "meta.json", change)
            # the journal repeats the header: damage it alike, as a crafted file would
            lines = (p / "journal.jsonl").read_text().splitlines()
            first = json.loads(lines[0])
            change(first)
            (p / "journal.jsonl").write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n")

        return damage

    session_case("sess_ok.cdrec", "OK", lambda p: None)
    session_case(
        "sess_rate_nan.cdrec",
        "E:NaN is not a number",
        meta(lambda d: d.update(sample_rate_hz=float("nan"))),
    )
    session_case(
        "sess_rate_nan_meta_only.cdrec",
        "E:sample rate nan Hz is outside",
        lambda p: _edit_json(p / "meta.json", lambda d: d.update(sample_rate_hz="nan")),
    )
    session_case(
        "sess_rate_neg.cdrec",
        "E:sample rate -1000 Hz is outside",
        meta(lambda d: d.update(sample_rate_hz=-1000)),
    )
    session_case(
        "sess_rate_1e12.cdrec",
        "E:sample rate 1e\\+12 Hz is outside",
        meta(lambda d: d.update(sample_rate_hz=1e12)),
    )
    session_case(
        "sess_rate_0.cdrec",
        "E:sample rate 0 Hz is outside",
        meta(lambda d: d.update(sample_rate_hz=0)),
    )
    session_case(
        "sess_rate_str.cdrec", "E:not a number", meta(lambda d: d.update(sample_rate_hz="500 Hz"))
    )
    session_case("sess_rate_missing.cdrec", "E:incomplete", meta(lambda d: d.pop("sample_rate_hz")))
    session_case(
        "sess_channels_str.cdrec", "E:list of names", meta(lambda d: d.update(channels="ab"))
    )
    session_case(
        "sess_channels_empty.cdrec", "E:list of names", meta(lambda d: d.update(channels=[]))
    )
    session_case(
        "sess_channels_nested.cdrec",
        "E:not a non-empty string",
        meta(lambda d: d.update(channels=[["a"], ["b"]])),
    )
    session_case(
        "sess_channels_dup.cdrec", "E:unique", meta(lambda d: d.update(channels=["a", "a"]))
    )
    session_case(
        "sess_channels_3.cdrec",
        "E:no readable samples",
        meta(lambda d: d.update(channels=["a", "b", "c"])),
    )
    session_case(
        "sess_rep_bad.cdrec",
        "E:Invalid units",
        meta(lambda d: d["representation"].update(units="parsec")),
    )
    session_case(
        "sess_gain_str.cdrec", "E:gain", meta(lambda d: d["representation"].update(gain="x"))
    )
    session_case("sess_device_str.cdrec", "OK", meta(lambda d: d.update(device="ab")))
    session_case(
        "sess_meta_nested.cdrec",
        "E:nested too deeply",
        lambda p: (p / "meta.json").write_bytes(b"[" * 100_000 + b"]" * 100_000),
    )
    session_case(
        "sess_meta_huge.cdrec", "E:limit 64 MiB", lambda p: os.truncate(p / "meta.json", 65 * 2**20)
    )
    session_case(
        "sess_meta_fifo.cdrec",
        "E:FIFO",
        lambda p: ((p / "meta.json").unlink(), os.mkfifo(p / "meta.json")),
    )
    session_case(
        "sess_meta_torn.cdrec",
        "OK:meta.json unreadable",
        lambda p: (p / "meta.json").write_text('{"format": "crampdetect-sess'),
    )
    session_case(
        "sess_no_meta_no_journal.cdrec",
        "E:metadata missing",
        lambda p: ((p / "meta.json").unlink(), (p / "journal.jsonl").unlink()),
    )
    session_case(
        "sess_samples_fifo.cdrec",
        "E:FIFO",
        lambda p: ((p / "samples.bin").unlink(), os.mkfifo(p / "samples.bin")),
    )
    session_case(
        "sess_samples_dir.cdrec",
        "E:is a directory",
        lambda p: ((p / "samples.bin").unlink(), (p / "samples.bin").mkdir()),
    )
    session_case(
        "sess_journal_fifo.cdrec",
        "E:FIFO",
        lambda p: ((p / "journal.jsonl").unlink(), os.mkfifo(p / "journal.jsonl")),
    )
    session_case(
        "sess_samples_empty.cdrec",
        "E:no readable samples",
        lambda p: (p / "samples.bin").write_bytes(b""),
    )
    session_case(
        "sess_samples_garbage.cdrec",
        "E:no readable samples",
        lambda p: (p / "samples.bin").write_bytes(bytes(range(256)) * 40),
    )
    session_case(
        "sess_chunk_t0_nan.cdrec", "OK:impossible time", lambda p: _chunk(p, 0, t0=float("nan"))
    )
    session_case(
        "sess_all_t0_nan.cdrec",
        "E:no readable samples",
        lambda p: [_chunk(p, i, t0=float("nan")) for i in range(4)],
    )
    session_case(
        "sess_chunk_t0_inf.cdrec", "OK:impossible time", lambda p: _chunk(p, 2, t0=float("inf"))
    )
    session_case(
        "sess_chunk_start_neg.cdrec",
        "OK:impossible time or index",
        lambda p: _chunk(p, 1, start=-5),
    )
    session_case(
        "sess_time_jump_1e9.cdrec",
        "OK:time jumps .* timed by the sample clock",
        lambda p: _chunk(p, 2, start=1100, t0=1e9),
    )
    session_case(
        "sess_index_jump.cdrec",
        "OK:jumps .* ahead .* skipped",
        lambda p: _chunk(p, 3, start=10**12),
    )
    session_case(
        "sess_chunk_n_huge.cdrec", "OK:truncated last chunk", lambda p: _chunk(p, 3, n=2**31)
    )
    session_case("sess_chunk_overlap.cdrec", "OK:overlaps", lambda p: _chunk(p, 2, start=100))
    session_case("sess_crc_bad.cdrec", "OK:checksum", lambda p: _chunk(p, 1, crc=0))
    session_case(
        "sess_truncated.cdrec", "OK:truncated", lambda p: os.truncate(p / "samples.bin", 6000)
    )

    def nan_payload(p: Path) -> None:
        import zlib

        raw = bytearray((p / "samples.bin").read_bytes())
        payload = np.full(1000, np.nan, dtype="<f4").tobytes()
        raw[CHUNK_HEADER.size : CHUNK_HEADER.size + len(payload)] = payload
        (p / "samples.bin").write_bytes(bytes(raw))
        _chunk(p, 0, crc=zlib.crc32(payload))

    # a chunk of NaN samples: bad samples, flagged as in a CSV; convert drops them (a gap)
    session_case(
        "sess_nan_payload.cdrec",
        "OK:1000 NaN, infinite or absurd .* first at sample 0 \\(0\\.000 s\\) in the chunk "
        "at byte 0, .*bad_value",
        nan_payload,
    )
    cases[-1].convert = "OK:warning: .*NaN, infinite or absurd.*dropped their 500 sample"

    def journal(text: str) -> Callable[[Path], None]:
        def damage(p: Path) -> None:
            with open(p / "journal.jsonl", "a") as fh:
                fh.write(text)

        return damage

    session_case(
        "sess_journal_nested.cdrec", "OK:unreadable", journal("[" * 100_000 + "]" * 100_000 + "\n")
    )
    session_case(
        "sess_journal_nan_event.cdrec",
        "OK:unreadable",
        journal(
            '{"type":"event","channel":"calf_left","kind":"cramp","onset_s":NaN,"alert_s":1}\n'
        ),
    )
    session_case(
        "sess_journal_str_event.cdrec",
        "OK:malformed journal record",
        journal(
            '{"type":"event","channel":"calf_left","kind":"cramp","onset_s":"nan","alert_s":1}\n'
        ),
    )
    session_case(
        "sess_journal_bad_quality.cdrec",
        "OK:malformed journal record",
        journal('{"type":"quality","channel":3,"issue":"pop","start_s":1}\n'),
    )
    session_case(
        "sess_journal_long_line.cdrec",
        "OK:unreadable",
        journal('{"type":"note","text":"' + "x" * 1_100_000 + '"}\n'),
    )
    session_case("sess_journal_torn.cdrec", "OK:unreadable", journal('{"type":"eve'))
    session_case(
        "sess_close_count.cdrec",
        "OK:close record says",
        journal('{"type":"close","n_samples":999999}\n'),
    )

    def unclosed(p: Path) -> None:
        lines = (p / "journal.jsonl").read_text().splitlines()
        (p / "journal.jsonl").write_text("\n".join(x for x in lines if '"close"' not in x) + "\n")

    session_case("sess_unclosed.cdrec", "OK:not closed", unclosed)

    # -- third-party text formats -------------------------------------------------------------
    def openbci(name: str, rate: str, cell: str, expect: str) -> None:
        rows = [f"{i}, {x[0, i]:.2f}, {x[1, i]:.2f}, {1.7649e9 + i / FS:.3f}" for i in range(N)]
        rows[50] = f"50, {cell}, 1.0, {1.7649e9 + 0.1:.3f}"
        head = ["%OpenBCI Raw EXG Data", f"%Sample Rate = {rate} Hz"]
        text = "\n".join([*head, "Sample Index, EXG Channel 0, EXG Channel 1, Timestamp", *rows])
        add(name, None, expect).write_text(text + "\n")

    openbci("openbci_ok.txt", "500", "1.0", "OK")
    openbci("openbci_rate_0.txt", "0", "1.0", "E:sample rate 0 Hz is outside")
    openbci("openbci_rate_1e9.txt", "1000000000", "1.0", "E:outside 1-100000 Hz")
    bad_row = "OK:1 NaN, infinite or absurd .* first at sample 50 \\(0\\.100 s\\).*bad_value"
    openbci("openbci_nan.txt", "500", "nan", bad_row)
    openbci("openbci_1e300.txt", "500", "1e300", bad_row)
    for name in ("openbci_nan.txt", "openbci_1e300.txt"):
        next(
            c for c in cases if c.name == name
        ).convert = "OK:warning: .*NaN, infinite or absurd.*sample 50\\b.*dropped their 1 "

    # -- not files -----------------------------------------------------------------------------
    # replay takes a folder for its recordings, as detect (session 19, bulk)
    d = add("plain_dir", "E:is a directory", "E:is a directory", "E:not a recording session")
    d.mkdir()
    fifo = add("fifo.csv", "E:FIFO", "E:FIFO")
    os.mkfifo(fifo)
    sock = add("socket.csv", "E:device or socket", "E:device or socket")
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(sock))
    link = add("loop.csv", "E:cannot read|no such file", "E:cannot read|no such file")
    link.symlink_to(link)
    add("missing.csv", "E:no such file", "E:no such file")
    cases.append(
        Case(
            "dev_zero",
            Path("/dev/zero"),
            "E:device or socket",
            "E:device or socket",
            "E:device or socket",
        )
    )
    cases.append(
        Case(
            "dev_null",
            Path("/dev/null"),
            "E:device or socket",
            "E:device or socket",
            "E:device or socket",
        )
    )
    return cases
