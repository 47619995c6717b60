"""The CSV reader's fast path (pyarrow) reads exactly what its ``loadtxt`` path reads.

Every chunk is parsed by pyarrow unless it refuses or might read it differently; then numpy's
``loadtxt`` parses it and names the bad row. Both paths must give the same samples, bit for bit,
and the same error messages: checked on random values in several text formats and on odd or
malformed files (including every CSV of the hostile corpus).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from hostile_corpus import build
from hypothesis import given
from hypothesis import strategies as st

from crampdetect.core import InputError
from crampdetect.storage import csvfile


def _read(path: Path) -> tuple[str, np.ndarray | str]:
    """("ok", time and samples of every block) or ("error", the message)."""
    try:
        stream = csvfile.open_csv(path)
        parts = [np.vstack([b.t0 + np.arange(b.n_samples) / b.fs, b.data]) for b in stream.blocks()]
    except InputError as exc:
        return "error", str(exc)
    return "ok", np.hstack(parts)


def _both(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[tuple, tuple]:
    fast = _read(path)
    with monkeypatch.context() as m:
        m.setattr(csvfile, "_parse_fast", lambda chunk, n_cols: None)
        slow = _read(path)
    return fast, slow


def _same(fast: tuple, slow: tuple) -> None:
    assert fast[0] == slow[0]
    if fast[0] == "error":
        assert fast[1] == slow[1]
    else:
        assert fast[1].shape == slow[1].shape
        assert np.array_equal(fast[1].view(np.int64), slow[1].view(np.int64))


FORMATS = ["{!r}", "{:.17g}", "{:.2f}", "{:.3f}", "{:.6e}", "{:.0f}", "{:+.4f}", "{:.9g}"]


@given(
    values=st.lists(
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
        min_size=2,
        max_size=400,
    ),
    fmt=st.sampled_from(FORMATS),
    crlf=st.booleans(),
)
def test_fast_path_values_equal_loadtxt(values: list[float], fmt: str, crlf: bool) -> None:
    """pyarrow accepts plain numbers and rounds them exactly like ``loadtxt``."""
    end = "\r\n" if crlf else "\n"
    text = end.join(
        f"{i * 0.001:.3f},{fmt.format(v)},{fmt.format(-v)}" for i, v in enumerate(values)
    )
    chunk = (text + end).encode()
    fast = csvfile._parse_fast(chunk, 3)
    ref = np.loadtxt(io.BytesIO(chunk), delimiter=",", ndmin=2).T
    assert fast is not None, "the fast path refused plain numbers"
    assert fast.shape == ref.shape
    assert np.array_equal(fast.view(np.int64), ref.view(np.int64))


ODD_FIELDS = [
    "nan(123)",  # pyarrow reads NaN, loadtxt refuses
    "nan",
    "-inf",
    "1e400",
    "\x0b1.5",  # loadtxt strips it, pyarrow refuses
    " 1.5 ",
    "+1.5",
    ".5",
    "0x10",
    '"1.5"',
    "1.5 # comment",
    "",
    "1_0",
    "4.9e-324",
]


@pytest.mark.parametrize("field", ODD_FIELDS)
def test_odd_fields_read_as_loadtxt_reads_them(
    field: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [f"{i / 100:.2f},{i},{-i}" for i in range(50)]
    rows[17] = f"0.17,{field},-17"
    path = tmp_path / "odd.csv"
    path.write_text("time_s,left,right\n" + "\n".join(rows) + "\n")
    fast, slow = _both(path, monkeypatch)
    _same(fast, slow)


LAYOUTS = {
    "lone CR line ends": b"0,1,2\r0.01,1,2\r0.02,1,2\r",
    "empty line": b"0,1,2\n\n0.01,1,2\n0.02,1,2\n",
    "blank CRLF line": b"0,1,2\r\n\r\n0.01,1,2\r\n",
    "comment line": b"0,1,2\n#x\n0.01,1,2\n",
    "ragged row": b"0,1,2\n0.01,1\n0.02,1,2\n",
    "extra column": b"0,1,2\n0.01,1,2,3\n",
    "trailing comma": b"0,1,2,\n0.01,1,2,\n",
    "no final line end": b"0,1,2\n0.01,1,2",
    "whitespace line": b"0,1,2\n   \n0.01,1,2\n",
}


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_odd_layouts_read_as_loadtxt_reads_them(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(b"time_s,left,right\n" + LAYOUTS[name])
    fast, slow = _both(path, monkeypatch)
    _same(fast, slow)


def test_hostile_csvs_read_as_loadtxt_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = [c for c in build(tmp_path) if c.path.is_file() and c.path.suffix == ".csv"]
    assert len(cases) > 20
    for case in cases:
        try:
            fast, slow = _both(case.path, monkeypatch)
        except Exception as exc:  # e.g. a limit error from the header, the same for both
            pytest.fail(f"{case.name}: {exc!r}")
        _same(fast, slow)


def test_bad_row_named_after_a_fast_chunk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad value several chunks in is still named by its data row."""
    monkeypatch.setattr(csvfile, "CHUNK_BYTES", 4096)
    rows = [f"{i / 1000:.3f},{i % 7},{i % 5}" for i in range(5000)]
    rows[3210] = "3.210,abc,0"
    path = tmp_path / "late.csv"
    path.write_text("time_s,left,right\n" + "\n".join(rows) + "\n")
    with pytest.raises(InputError, match=r"non-numeric value 'abc' at data row 3211\b"):
        for _ in csvfile.open_csv(path).blocks():
            pass


def test_bad_values_are_read_as_bad_samples(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Empty, NaN, inf and absurd cells (|x| > 1e9) become NaN samples, counted from their row on.

    Everything else in the file reads unchanged; a chunk boundary falls between the bad rows.
    """
    monkeypatch.setattr(csvfile, "CHUNK_BYTES", 4096)
    rows = [f"{i / 1000:.3f},{i % 7},{i % 5}" for i in range(2000)]
    bad = {(1200, 1): "nan", (1201, 2): "-inf", (1500, 1): "1e300", (1999, 2): "-2e9"}
    bad |= {(1300, 2): "", (1700, 1): " "}  # empty cells: a bad sample too, not a bad file
    for (r, c), cell in bad.items():
        fields = rows[r].split(",")
        fields[c] = cell
        rows[r] = ",".join(fields)
    path = tmp_path / "dirty.csv"
    path.write_text("time_s,left,right\n" + "\n".join(rows) + "\n")
    stream = csvfile.open_csv(path)
    data = np.hstack([b.data for b in stream.blocks()])
    expected = np.vstack([np.arange(2000) % 7, np.arange(2000) % 5]).astype(float)
    for r, c in bad:
        expected[c - 1, r] = np.nan
    assert np.array_equal(data, expected, equal_nan=True)
    assert stream.bad_values == 6 and stream.gaps == 0
    (note,) = stream.problems
    assert "6 empty, NaN" in note and "data row 1201" in note and path.name in note


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("nan", "time_s NaN or infinite"),
        ("inf", "time_s NaN or infinite"),
        ("2e10", "time_s beyond 1e\\+10 s"),
        ("", "empty time_s"),
    ],
)
def test_bad_time_is_still_refused(cell: str, message: str, tmp_path: Path) -> None:
    """A time stamp cannot be held: a bad ``time_s`` refuses the file, naming the row."""
    rows = [f"{i / 1000:.3f},{i % 7}" for i in range(100)]
    rows[40] = f"{cell},1"
    path = tmp_path / "t.csv"
    path.write_text("time_s,left\n" + "\n".join(rows) + "\n")
    with pytest.raises(InputError, match=rf"{message} at data row 41\b"):
        for _ in csvfile.open_csv(path).blocks():
            pass


def test_clean_file_has_no_problems(tmp_path: Path) -> None:
    path = tmp_path / "clean.csv"
    path.write_text("time_s,left\n" + "".join(f"{i / 100:.2f},{i % 7}\n" for i in range(300)))
    stream = csvfile.open_csv(path)
    for _ in stream.blocks():
        pass
    assert stream.bad_values == 0 and stream.problems == []


@pytest.mark.parametrize("tail", ["0.300,4", "0.3", "0.300,"])
def test_a_last_line_cut_short_is_left_out_and_named(tail: str, tmp_path: Path) -> None:
    """A recorder killed mid-write: the last line, without its line end, lacks fields.

    It is left out with a note naming its data row; a complete last line without a line end
    is kept.
    """
    rows = "".join(f"{i / 1000:.3f},{i % 7},{i % 5}\n" for i in range(300))
    path = tmp_path / "cut.csv"
    path.write_text("time_s,left,right\n" + rows + tail)
    stream = csvfile.open_csv(path)
    data = np.hstack([b.data for b in stream.blocks()])
    if tail.count(",") == 2:  # all fields there: read (the empty cell as a bad sample)
        assert stream.n_samples == 301 and np.isnan(data[1, -1]) and not stream.dropped
        return
    assert stream.n_samples == 300 and np.array_equal(data[0], np.arange(300) % 7)
    (note,) = stream.problems
    assert "data row 301" in note and "cut short" in note and path.name in note


def _reader_threads() -> list:
    import threading

    return [t for t in threading.enumerate() if t.name.startswith("crampdetect-csv")]


def test_blocks_before_a_bad_row_arrive_and_an_abandoned_reader_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks are parsed ahead on a thread: the error still comes after the good blocks before
    it, and a caller that stops iterating leaves no reader thread behind."""
    monkeypatch.setattr(csvfile, "CHUNK_BYTES", 4096)
    rows = [f"{i / 1000:.3f},{i % 7},{i % 5}" for i in range(5000)]
    rows[3210] = "3.210,abc,0"
    path = tmp_path / "late.csv"
    path.write_text("time_s,left,right\n" + "\n".join(rows) + "\n")
    seen = 0
    with pytest.raises(InputError, match=r"data row 3211\b"):
        for block in csvfile.open_csv(path).blocks():
            seen += block.n_samples
    assert 2000 <= seen <= 3210  # every whole chunk before the bad one
    blocks = csvfile.open_csv(path).blocks()
    next(blocks)
    assert _reader_threads()
    blocks.close()
    assert not _reader_threads()
