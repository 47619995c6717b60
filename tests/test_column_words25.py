"""One column left out of a recording is "not EMG by its name" (several: "by their names")."""

from __future__ import annotations

import pytest
from conftest import run_cli

from crampdetect.core import InputError


def test_one_column_left_out_is_not_emg_by_its_name():
    from crampdetect.ingest.columns import choose_columns, left_out_note

    assert "column force not read (not EMG by its name;" in left_out_note("f.csv", ["force"])
    two = left_out_note("f.csv", ["force", "angle"])
    assert "columns force, angle not read (not EMG by their names;" in two
    with pytest.raises(InputError, match="force is not EMG by its name;"):
        choose_columns(["force"], None, "f.csv")
    with pytest.raises(InputError, match="force, angle are not EMG by their names;"):
        choose_columns(["force", "angle"], None, "f.csv")


def test_detect_says_its_name_for_one_column(tmp_path):
    path = tmp_path / "legs.csv"
    rows = [f"{k / 1000:.3f},{512 + (k * 37) % 11 - 5},{(k % 7)}" for k in range(5000)]
    path.write_text("time_s,calf_left,force\n" + "\n".join(rows) + "\n", encoding="utf-8")
    res = run_cli("detect", path, "--json", home=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "column force not read (not EMG by its name;" in res.stderr, res.stderr
