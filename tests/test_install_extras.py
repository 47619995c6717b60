"""After a plain ``pip install -e .``, a command that needs an extra names the line to run."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO

from crampdetect.cli import main

#: What a plain install lacks (the extras of pyproject.toml).
OPTIONAL = ("edfio", "soundfile", "matplotlib", "dask", "distributed", "skops", "mne", "pylsl")


def _plain_install(*argv: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a fresh interpreter where the optional packages cannot be imported."""
    code = (
        "import sys\n"
        f"for name in {OPTIONAL!r}:\n"
        "    sys.modules[name] = None  # import raises ModuleNotFoundError, as if not installed\n"
        "from crampdetect.cli import main\n"
        f"sys.exit(main({list(argv)!r}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )


@pytest.fixture(scope="module")
def csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plain") / "rest.csv"
    t = np.arange(5000) / 1000
    x = np.random.default_rng(0).normal(0, 20, (1, t.size))
    path.write_text(
        "time_s,calf\n" + "".join(f"{a:.3f},{b:.3f}\n" for a, b in zip(t, x[0], strict=True))
    )
    return path


@pytest.mark.parametrize(
    ("command", "extra"),
    [
        (["report", "{csv}", "--out", "{tmp}/r.png"], "report"),
        (["convert", "{csv}", "{tmp}/x.edf"], "formats"),
        (["convert", "{csv}", "{tmp}/x.wav"], "formats"),
        (["replay", "{edf}"], "formats"),
    ],
    ids=["report", "convert-edf", "convert-wav", "replay-edf"],
)
def test_missing_extra_exits_2_with_the_install_line(
    csv: Path, tmp_path: Path, command: list[str], extra: str
) -> None:
    edf = tmp_path / "made-with-extras.edf"
    assert main(["convert", str(csv), str(edf)]) == 0  # this process has every extra
    argv = [a.format(csv=csv, tmp=tmp_path, edf=edf) for a in command]
    done = _plain_install(*argv)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "internal error" not in lines[0]
    # run from this source checkout (PYTHONPATH, or pip install -e): the line for a checkout
    assert lines[0].endswith(f"pip install -e {shlex.quote(f'{REPO}[{extra}]')}"), lines[0]
    assert not (tmp_path / "r.png").exists() and not (tmp_path / "x.wav").exists()


def test_base_install_still_detects_and_converts_csv(csv: Path, tmp_path: Path) -> None:
    done = _plain_install("detect", str(csv), "--json")
    assert done.returncode == 0, done.stderr
    assert _plain_install("convert", str(csv), str(tmp_path / "copy.csv")).returncode == 0
    assert (tmp_path / "copy.csv").read_text().startswith("time_s,calf\n")


def test_every_extra_named_exists_in_pyproject() -> None:
    from crampdetect.cli import EXTRAS

    text = (REPO / "pyproject.toml").read_text()
    for extra in set(EXTRAS.values()):
        assert f"\n{extra} = [" in text, extra


def test_install_line_names_pypi_or_the_source_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wheel from PyPI installs an extra by name; a source checkout (``pip install -e .``)
    needs pip pointed at the checkout, else pip fetches a second crampdetect from PyPI."""
    import crampdetect.core as core

    assert core.source_checkout() == REPO  # these tests run from the checkout
    assert core.install_command("formats") == f"pip install -e {shlex.quote(f'{REPO}[formats]')}"
    monkeypatch.setattr(core, "source_checkout", lambda: None)  # an installed wheel
    assert core.install_command("formats") == "pip install 'crampdetect[formats]'"
    from crampdetect.cli import missing_extra

    advice = missing_extra(ModuleNotFoundError("No module named 'edfio'", name="edfio"))
    assert advice == "this needs the optional package edfio: pip install 'crampdetect[formats]'"


def test_a_checkout_is_recognised_by_its_pyproject(tmp_path: Path) -> None:
    import crampdetect.core as core

    (tmp_path / "crampdetect").mkdir()
    assert core.source_checkout(tmp_path / "crampdetect") is None  # site-packages: no pyproject
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\n')
    assert core.source_checkout(tmp_path / "crampdetect") is None  # another project's
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "crampdetect"\n')
    assert core.source_checkout(tmp_path / "crampdetect") == tmp_path


def test_to_mne_without_mne_names_the_install_line(
    csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crampdetect.core import InputError, install_command
    from crampdetect.storage.formats import to_mne
    from crampdetect.storage.reader import open_recording

    monkeypatch.setitem(sys.modules, "mne", None)  # import raises, as if not installed
    with pytest.raises(InputError) as caught:
        to_mne(open_recording(csv))
    assert str(caught.value).endswith(install_command("mne"))
    assert "-e" in install_command("mne")  # from this checkout
