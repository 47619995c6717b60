"""Which recordings a list of paths and folders stands for: one owner for the commands that
score several recordings (``detect``, ``replay``, ``report``, ``convert``, ``evaluate``) and for
:func:`crampdetect.many.detect_many`.

A folder stands for the recordings in it (``recursive``: and in its sub-folders); a session
directory is one recording; sidecars (``.labels.json``, ``.session.json``) belong to the
recording beside them. Nothing heavy is imported here: the readers load on first use.
"""

from __future__ import annotations

import re
from pathlib import Path

from crampdetect.core import InputError


def is_folder(path: Path) -> bool:
    """A folder of recordings (a session directory is one recording, not a folder)."""
    # lazy: the session reader loads when a path is looked at, not on import
    from crampdetect.storage.session_reader import is_session

    return path.is_dir() and not is_session(path)


#: Files that belong to a recording beside them, not recordings of their own: never "skipped".
SIDECAR_SUFFIXES = (".labels.json", ".session.json")
#: Suffixes of recordings: a folder's file with one of them that cannot be read is an error.
RECORDING_SUFFIXES = (".csv", ".edf", ".bdf", ".wav")


def expand_folders(
    paths: list[str],
    recursive: bool = False,
    unreadable: list[tuple[str, str]] | None = None,
    tables: list[tuple[str, str]] | None = None,
    emg_tables: list[tuple[str, str]] | None = None,
) -> tuple[list[str], list[str]]:
    """The paths to score, folders expanded to their recordings; and the entries of those
    folders skipped as not recordings (notes, unreadable files, sub-folders), sidecars aside. A
    file whose suffix names a recording format (``RECORDING_SUFFIXES``) but that cannot be read
    (an empty EDF, random bytes named .bdf) is among the paths to score, so that it fails as it
    does when named: an error line naming it, and exit status 2.

    ``recursive``: sub-folders are searched too, at any depth (a session directory is one
    recording either way). Every entry is named as error lines name a file: the folder as the
    user gave it joined with the entry's path below it (two folders' ``notes.txt`` differ).
    ``unreadable``: if given, the files that look like recordings but cannot be read are put
    there as (path, reason) instead of among the skipped (``evaluate`` counts them as failed).

    A CSV that is a table of something else than samples (see :func:`not_a_recording`: gait
    cycles or event times beside a recording) is skipped, not an error, when a folder is
    expanded: named directly it is still an error. ``tables``: if given, such files are put
    there as (path, why) for a note of their own, else among the skipped as ``path (why)``.

    ``emg_tables``: if given, the text tables of numbers like the real recordings in
    recordings/ that no reader takes for want of their ``recordings.json`` entry are put there
    as (path, kind) (:func:`~crampdetect.storage.reader.emg_table`), to be named apart from the
    notes with what reads them; else they are among the skipped.
    """
    out, skipped = [], []
    found: list[tuple[str, str]] = [] if tables is None else tables
    for name in paths:
        path = Path(name)
        if not is_folder(path):
            out.append(name)  # a named file that cannot be read is that file's error line
            continue
        _expand(path, recursive, out, skipped, unreadable, found, emg_tables)
    if tables is None:
        skipped += [f"{name} ({why})" for name, why in found]
    return out, skipped


def _expand(
    folder: Path,
    recursive: bool,
    out: list[str],
    skipped: list[str],
    unreadable: list[tuple[str, str]] | None,
    tables: list[tuple[str, str]],
    emg_tables: list[tuple[str, str]] | None = None,
) -> None:
    # lazy: the readers of every format load when a folder is looked into
    from crampdetect.storage.reader import emg_table, sniff

    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or entry.name.endswith(SIDECAR_SUFFIXES):
            continue
        shown = str(entry)  # as errors name a file: the path the user gave, and below it
        if recursive and is_folder(entry) and not entry.is_symlink():
            _expand(entry, recursive, out, skipped, unreadable, tables, emg_tables)
            continue
        try:
            sniff(entry)
        except (InputError, OSError) as exc:
            why = None if entry.is_dir() else not_a_recording(entry)
            if entry.is_dir():
                skipped.append(shown + "/")
            elif why is not None:
                tables.append((shown, why))
            elif entry.suffix.lower() in RECORDING_SUFFIXES:
                if unreadable is not None:
                    why = str(exc).replace(f"{entry}: ", "").replace(f"{entry.name}: ", "")
                    unreadable.append((str(entry), why))
                else:  # scored as named: its error line, and exit status 2
                    out.append(str(entry))
            elif emg_tables is not None and (kind := emg_table(entry)) is not None:
                emg_tables.append((shown, kind))
            else:
                skipped.append(shown)
            continue
        out.append(str(entry))


#: Last word of a column name that makes it a time or a duration, not a signal: ``onset_s``,
#: ``touchdown_s``, ``duration_ms``, ``peak_env_50ms`` (a unit of time, after a number or not).
_TIME_WORD = re.compile(r"^\d*(?:s|ms|us|µs|min|h)$")


def _names_time(name: str) -> bool:
    words = [w for w in re.split(r"[^0-9a-zµ]+", name.lower()) if w]
    return bool(words) and _TIME_WORD.match(words[-1]) is not None


def _says_emg(name: str) -> bool:
    """The name says EMG (``emg_s``, ``sEMG_left``): a signal, whatever unit it ends with."""
    return any(w.startswith(("emg", "semg")) for w in re.split(r"[^0-9a-z]+", name.lower()))


def not_a_recording(path: Path) -> str | None:
    """Why the file at ``path``, which no reader takes, is a table of something else than
    samples (a helper file beside a recording), as a short note; None when it may be a
    recording that cannot be read (its error line then says why).

    Either the ``recordings.json`` beside it lists it under ``not_recordings`` (with what it
    is), or it is a CSV under a line of column names none of which is a signal: each names a
    time or a duration (``touchdown_s``, ``onset_s``, ``duration_s``, ``peak_env_50ms``) or
    is not EMG by its name (``force``, ``angle``, see
    :func:`~crampdetect.ingest.columns.is_emg_name`). One column that may be a signal
    (``t,left``, a near-miss of the ``time_s,<channels>`` layout) keeps it an error.
    """
    # lazy: looked at only for a folder's file no reader takes, as the readers load
    import csv

    # lazy: as above (the column names and the JSON limits of the readers)
    from crampdetect.ingest.columns import is_emg_name
    from crampdetect.storage import limits
    from crampdetect.storage.reader import MANIFEST

    manifest = path.parent / MANIFEST
    try:
        if manifest.is_file():
            doc = limits.read_json(manifest, "manifest")  # within the limits of any JSON read
            listed = doc.get("not_recordings") if isinstance(doc, dict) else None
            if isinstance(listed, dict) and path.name in listed:
                what = listed[path.name]
                what = what if isinstance(what, str) and what else "listed as such"
                return f"not a recording: {what} ({MANIFEST})"
        if path.suffix.lower() != ".csv" or not path.is_file():
            return None
        with open(path, "rb") as fh:
            first = fh.readline(4096).decode("utf-8-sig")
    except (InputError, OSError, UnicodeDecodeError, ValueError):
        return None
    names = [n.strip() for n in next(csv.reader([first.strip()]), [])]
    if len(names) < 2 or not all(names):
        return None
    for n in names:
        try:
            float(n)
            return None  # a line of numbers, not of names
        except ValueError:
            pass
    if any(_says_emg(n) or (is_emg_name(n) and not _names_time(n)) for n in names):
        return None
    return f"not a recording: its columns {', '.join(names)} are times or other values, not signals"


def nothing_to_score(paths: list[str], recursive: bool = False) -> InputError:
    """The error for ``paths`` (folders) that hold no recording: which, and how to reach the
    recordings of their sub-folders when ``recursive`` is off and they have some."""
    what = "is a directory" if len(paths) == 1 else "are directories"
    nested = [
        entry
        for name in paths
        if Path(name).is_dir()
        for entry in sorted(Path(name).iterdir())
        if entry.is_dir() and not entry.name.startswith(".")
    ]
    every = f"{Path(paths[0]) / '*'}/"
    hint = (
        f" (sub-folders are not searched: use --recursive, or name them, e.g. {nested[0]}, "
        f"or {every})"
        if nested and not recursive
        else ""
    )
    return InputError(f"nothing to score: {', '.join(paths)} {what} without recordings{hint}")
