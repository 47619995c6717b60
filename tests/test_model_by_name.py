"""`--model models/gate-v2` (or `gate-v2`) works from any directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from crampdetect.core import InputError
from crampdetect.detect.model import SHIPPED_MODEL, load_model


@pytest.mark.parametrize("name", ["models/gate-v2", "gate-v2"])
def test_shipped_model_by_name_from_another_directory(tmp_path, monkeypatch, name) -> None:
    monkeypatch.chdir(tmp_path)
    assert not Path(name).exists()
    assert load_model(name).header == load_model(SHIPPED_MODEL).header


def test_unknown_names_still_fail_clearly(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="no model here"):
        load_model("models/gate-v9")
