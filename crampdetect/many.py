"""Several recordings at once: :func:`detect_many` (``crampdetect.detect_many``), as
``crampdetect detect PATH... FOLDER``: one :class:`~crampdetect.api.Detection` per recording,
a :class:`DetectionFailure` for a file that cannot be scored.

With ``workers`` > 1 the recordings are scored in worker processes
(:func:`crampdetect.pipeline.bulk.imap_recordings`) and the results are yielded lazily, in
input order, as they are done: at most ``2 * workers`` recordings are in the pool or done
and waiting at any time, so the first result comes while the later files are still being
scored and a long list is never held whole.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crampdetect.api import Detection, detect
from crampdetect.core import CrampDetectError, InputError


@dataclass(frozen=True, slots=True)
class DetectionFailure:
    """What :func:`detect_many` gives for a recording it could not score (unreadable, empty,
    a calibration without its channels...): the path as found and the one-line reason, as the
    ``error`` of a ``crampdetect detect FOLDER --json`` line (the reason only: ``path`` names
    the file). The other recordings are scored anyway.
    """

    path: str
    error: str

    def to_dict(self) -> dict[str, Any]:
        """The line ``crampdetect detect FOLDER --json`` writes for it (no events)."""
        return {"path": self.path, "error": self.error, "events": [], "quality": []}


def detect_many(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    profile: str | None = None,
    *,
    recursive: bool = False,
    workers: int = 1,
    progress: bool = False,
    channels: Sequence[str] | None = None,
    units: str | None = None,
    signal: str | None = None,
    adc_bits: int | None = None,
    model: str | None = None,
    settings: Mapping[str, float | bool | str] | None = None,
    user: str | None = None,
) -> Iterator[Detection | DetectionFailure]:
    """Detect cramps in several recordings, as ``crampdetect detect PATH... FOLDER`` does.

    Yields, in order, one :class:`~crampdetect.api.Detection` (with its ``path``) per
    recording, or a :class:`DetectionFailure` for one that cannot be scored (an unreadable or
    empty file, a calibration without its channels): the others are scored all the same. The
    results come lazily, each as soon as it and those before it are scored (with ``workers``
    > 1, up to ``2 * workers`` recordings are scored ahead of the one taken).

    Parameters
    ----------
    paths : str or Path, or several
        Recordings and folders. A folder stands for the recordings in it, in name order (a
        session directory is one recording); sidecars belong to their recording; a file that
        is no recording (notes, a spreadsheet) is skipped with a ``UserWarning`` naming it,
        but one whose suffix names a recording format (.csv, .edf, .bdf, .wav) gives a
        :class:`DetectionFailure`. A folder without recordings is an
        :class:`~crampdetect.core.InputError`, as for the CLI.
    profile : {"night", "training"}, optional
        As for :func:`detect`: default the profile each recording names, else night.
    recursive : bool
        Folders also stand for the recordings in their sub-folders, at any depth
        (``--recursive``).
    workers : int
        Score in this many processes (``--workers``; default 1: in this process, one
        recording at a time as the results are taken). The processes import the script that
        calls ``detect_many``: in a script, call it under ``if __name__ == "__main__":``.
        A script they cannot import again (``python -``), or one that calls ``detect_many``
        without that guard, stops with a :class:`~crampdetect.core.CrampDetectError` saying
        so.
    progress : bool
        Show a progress bar (tqdm) on stderr, as the CLI does on a terminal.
    channels, units, signal, adc_bits, model, settings, user
        As for :func:`detect`, for every recording; ``settings`` and ``user`` are checked
        before any recording is read.

    Warnings of a recording (what its reader left out, a calibration that does not fit) come
    as ``UserWarning``, each naming its file.

    Examples
    --------
    >>> import pathlib, tempfile, numpy as np, crampdetect
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> rest = np.random.default_rng(0).normal(0, 5, 5000)  # 5 s of rest, µV
    >>> table = np.c_[np.arange(5000) / 1000, rest]
    >>> np.savetxt(folder / "rest.csv", table, delimiter=",", header="time_s,calf", comments="")
    >>> _ = (folder / "broken.edf").write_bytes(b"not an EDF")
    >>> for result in crampdetect.detect_many(folder, units="uV"):
    ...     print(type(result).__name__, pathlib.Path(result.path).name)
    DetectionFailure broken.edf
    Detection rest.csv
    """
    # lazy: scipy and the pipeline load on the first call, not on import
    from crampdetect.calibration import user_calibration
    from crampdetect.detect.overrides import check_overrides
    from crampdetect.storage.folders import expand_folders, nothing_to_score

    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    names = [os.fspath(p) for p in paths]
    if not names:
        raise InputError("detect_many needs one or more paths")
    if profile is not None and profile not in ("night", "training"):
        raise InputError(f"Unknown profile {profile!r}: choose night or training")
    if int(workers) < 1:
        raise InputError(f"workers must be at least 1, got {workers}")
    check_overrides(settings or {})  # a bad setting stops before any recording is read
    user_calibration(user)  # so does a user without a calibration
    found, skipped = expand_folders(names, recursive)
    if skipped:
        shown = ", ".join(skipped[:5]) + (f", +{len(skipped) - 5} more" if len(skipped) > 5 else "")
        warnings.warn(
            f"skipped {len(skipped)} non-recording file(s): {shown}", UserWarning, stacklevel=2
        )
    if not found:
        raise nothing_to_score(names, recursive)
    options = {
        "profile": profile,
        "channels": channels,
        "units": units,
        "signal": signal,
        "adc_bits": adc_bits,
        "model": model,
        "settings": dict(settings or {}),
        "user": user,
    }
    return _detect_each(found, options, int(workers), progress)


def _detect_each(
    paths: list[str], options: dict[str, Any], workers: int, progress: bool, one: Any = None
) -> Iterator[Detection | DetectionFailure]:
    """The results of :func:`detect_many`, lazily (``one``: what scores one path, for tests;
    default :func:`_detect_one`)."""
    import functools

    # lazy: the bulk runner (tqdm, process pools) loads when several recordings are scored
    from crampdetect.pipeline.bulk import Failure

    score = functools.partial(one or _detect_one, options=options)
    if workers == 1:  # one at a time, as the results are taken
        outcomes: Iterable[Any] = (_guarded(score, p) for p in _progress(paths, progress))
    else:
        _check_main_importable(workers)
        outcomes = _in_workers(score, paths, workers, progress)
    for path, outcome in zip(paths, outcomes, strict=True):
        if isinstance(outcome, Failure):  # a bug: said as the CLI says it
            yield DetectionFailure(path, f"internal error: {outcome.error} (please report it)")
            continue
        if isinstance(outcome, DetectionFailure):
            yield outcome
            continue
        result, problems = outcome
        for problem in problems:
            warnings.warn(_named(path, problem), UserWarning, stacklevel=3)
        yield result


def _in_workers(score: Any, paths: list[str], workers: int, progress: bool) -> Iterator[Any]:
    """The outcomes of ``score`` over ``paths`` in ``workers`` processes, yielded in order as
    they are done; processes lost at start (a script they cannot import) raise the
    :class:`~crampdetect.core.CrampDetectError` that says why."""
    from concurrent.futures.process import BrokenProcessPool

    # lazy: the bulk runner (tqdm, process pools) loads when several recordings are scored
    from crampdetect.pipeline.bulk import imap_recordings

    outcomes = imap_recordings(
        score, paths, n_workers=workers, progress=progress, errors="collect", desc="detect"
    )
    try:
        yield from outcomes
    except BrokenProcessPool:
        raise CrampDetectError(_WORKERS_HELP.format(workers=workers)) from None


#: Why worker processes die at start: they import the caller's script (``__mp_main__``).
_WORKERS_HELP = (
    "detect_many(workers={workers}) lost its worker processes: each one imports the script "
    'that calls detect_many, so call it under `if __name__ == "__main__":` in a script '
    "file (not from `python -`, whose script cannot be imported again), or use workers=1"
)


def _check_main_importable(workers: int) -> None:
    """Refuse, before any process starts, a main script the workers cannot import again
    (``python - < script.py``: its ``__file__`` is ``<stdin>``)."""
    import sys

    main = sys.modules.get("__main__")
    script = getattr(main, "__file__", None)  # None in a REPL or `python -c`: nothing to import
    if script is not None and not Path(script).is_file():
        raise CrampDetectError(_WORKERS_HELP.format(workers=workers))


def _guarded(score: Any, path: str) -> Any:
    """``score(path)``, or a bulk :class:`~crampdetect.pipeline.bulk.Failure` if it raised (as
    ``map_recordings(errors="collect")`` gives it from a worker)."""
    # lazy: the bulk runner loads when several recordings are scored
    from crampdetect.pipeline.bulk import Failure

    try:
        return score(path)
    except Exception as exc:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return Failure(path, f"{type(exc).__name__}: {text}")


def _progress(paths: list[str], show: bool) -> Iterator[str]:
    # lazy: tqdm loads when several recordings are scored
    from tqdm import tqdm

    with tqdm(total=len(paths), disable=not show, desc="detect", unit="rec", leave=False) as bar:
        for path in paths:
            yield path
            bar.update()


def _named(path: str, message: str) -> str:
    """``message`` naming the recording by the path found (readers give the bare name)."""
    name = Path(path).name
    if message.startswith(name + ":") and not message.startswith(path):
        return path + message[len(name) :]
    return message if path in message else f"{path}: {message}"


def _detect_one(
    path: str, options: dict[str, Any]
) -> DetectionFailure | tuple[Detection, list[str]]:
    """One recording of :func:`detect_many` (in a worker process when ``workers`` > 1): its
    result and its warnings, or the failure of an unusable recording (a bug still raises)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = detect(path, **options)
        except (InputError, CrampDetectError, OSError) as exc:
            text = str(exc)
            # without the file name readers put in front: ``path`` names it (the CLI's JSON)
            from crampdetect.cli._args import without_name  # lazy: one owner with the CLI

            line = without_name(path, text.splitlines()[0]) if text else type(exc).__name__
            return DetectionFailure(path, line)
    return result, [str(w.message) for w in caught]
