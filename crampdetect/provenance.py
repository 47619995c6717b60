"""What produced a result: the ``provenance`` block of every result crampdetect writes.

One owner for ``detect --json`` (and ``replay --json``), ``evaluate --json``, the Python API
(:meth:`crampdetect.api.Detection.to_dict`), the HTML report and the history (an imported
result's session keeps the block it came with), so a result file alone says which code,
profile, detector settings, learned gate, confidence model, calibration user, input file and
block size made it, and whether two results are comparable:

- ``code``: the package version and, for a development install at a git checkout, its
  ``commit`` and ``dirty`` (the package's files differ from that commit); found with a local
  ``git`` once per process, left out where there is no checkout or no git;
- ``settings``: the settings that differ from the profile's defaults (short, for reading);
  ``settings_sha256``: a hash of every field of the effective settings and the calibration
  (two results with the same hash decided with the same numbers);
- ``input``: the recording's path, reader, size and SHA-256 of its bytes (a session folder:
  of its files' names and bytes), and the sample rate read; ``block_s``: the block size the
  stream was cut into (None: the reader's own chunks). ``evaluate`` gives the folder it
  scored (:func:`folder_input`) or the generated sets (:func:`generated_input`).

Each input is read once: the readers of CSV, EDF+/BDF+, WAV and the shipped real
recordings hash the bytes as they read them (:class:`ReadHash`, the reader's file object);
only the few header bytes that name the format (``sniff``, 4 KiB) are read again. What a
reader left unread (a last line cut short) is read and hashed at the end, so the hash is
always that of the whole file, as ``sha256sum`` gives it. A session folder, OpenBCI and
BrainFlow files are still hashed by a second read in a thread (:class:`InputHash`): the
session's samples are memory-mapped file by file and the third-party files are handed to
numpy by path.

``schema`` is the version of this block: 1 was the short form of session 21 (version,
profile, settings, model, user), 2 adds the rest.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

#: Version of the block's layout (see the module docstring).
SCHEMA = 2
#: Bytes read at a time when hashing a recording.
HASH_CHUNK = 1 << 20
#: A git call that takes longer than this (s) is given up: the commit is left out.
GIT_TIMEOUT_S = 5.0


def provenance(
    profile: str | None,
    signal: str | None = "raw",
    overrides: Mapping[str, object] | None = None,
    model: Any = None,
    user: str | None = None,
    *,
    settings: Any = None,
    calibration: Mapping[str, Any] | None = None,
    source: Mapping[str, Any] | None = None,
    block_s: float | None = None,
) -> dict[str, Any]:
    """The ``provenance`` block of a result.

    Parameters
    ----------
    profile : str or None
        Profile the recording was scored with; None when each recording's own decides
        (``evaluate`` without ``--profile``): then ``settings`` holds one such dict per
        profile and ``settings_sha256`` one hash per ``profile/signal``.
    signal : {"raw", "env"} or None
        Signal type (the envelope's defaults differ); None: each recording's own (a setting
        is listed if it differs from the default of either).
    overrides : mapping
        Settings given with ``--set`` (name -> value): ``settings`` lists those that change
        the profile's default (name -> value used).
    model : CrampModel, path or None
        The learned gate in use: its kind and checksum, None for rules only.
    user : str or None
        Calibration user, if any.
    settings : DetectorSettings, optional
        The settings the detector ran with; default the profile's for ``signal`` with
        ``overrides`` (what every caller runs with).
    calibration : mapping, optional
        The calibration in use (channel -> (rest_rms_uv, max_rms_uv)): part of the hash.
    source : mapping, optional
        What was read (:func:`input_id`; ``evaluate``: :func:`folder_input` or
        :func:`generated_input`); None if not said.
    block_s : float, optional
        Block size in s the stream was cut into; None for the reader's own chunks.
    """
    # lazy: the CLI imports this module at start; the settings load only for a result
    from crampdetect import __version__
    from crampdetect.core import PROFILES, SIGNALS, InputError
    from crampdetect.detect.settings import profile_settings

    def changed(name: str) -> dict[str, object]:
        defaults = [profile_settings(name, s) for s in ([signal] if signal else SIGNALS)]
        return {
            key: value
            for key, value in sorted((overrides or {}).items())
            if any(getattr(d, key) != value for d in defaults)
        }

    def effective(name: str, sig: str) -> str | None:
        try:
            return settings_sha256(
                profile_settings(name, sig).replace(**(overrides or {})), calibration
            )
        except (InputError, TypeError, ValueError):  # a --set this one refuses: no such run
            return None

    if settings is not None:
        digest: str | dict[str, str | None] | None = settings_sha256(settings, calibration)
    elif profile and signal:
        digest = effective(profile, signal)
    else:
        digest = {
            f"{p}/{s}": effective(p, s)
            for p in ([profile] if profile else PROFILES)
            for s in ([signal] if signal else SIGNALS)
        }
    return {
        "schema": SCHEMA,
        "crampdetect": __version__,
        "code": code_id(),
        "profile": profile or "per recording (its labels)",
        "settings": changed(profile) if profile else {p: changed(p) for p in PROFILES},
        "settings_sha256": digest,
        "model": model_id(model),
        "confidence_sha256": confidence_sha256(),
        "user": user,
        "input": None if source is None else dict(source),
        "block_s": None if block_s is None else float(block_s),
    }


def model_id(model: Any) -> dict[str, str] | None:
    """A learned gate as ``{"kind", "sha256"}`` (the checksum its header signs: its
    parameters, thresholds, calibration and payload file), None if none."""
    if model is None:
        return None
    if isinstance(model, str | Path):
        from crampdetect.detect.model import load_model  # lazy: only for a model path

        model = load_model(model)
    header = getattr(model, "header", {}) or {}
    return {"kind": str(model.kind), "sha256": str(header.get("payload_sha256", ""))}


def settings_sha256(settings: Any, calibration: Mapping[str, Any] | None = None) -> str:
    """SHA-256 of every field of ``settings`` (a ``DetectorSettings``) and of the calibration
    values (channel -> numbers), as canonical JSON (sorted keys, exact float repr)."""
    fields = settings.to_dict() if hasattr(settings, "to_dict") else dict(settings)
    cal = None
    if calibration:
        cal = {str(k): [float(x) for x in v] for k, v in sorted(calibration.items())}
    doc = {"settings": fields, "calibration": cal}
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@functools.cache
def confidence_sha256() -> str:
    """SHA-256 of the confidence model the detector ships (``detect/confidence.json``)."""
    from crampdetect.detect.confidence import DATA  # lazy: numpy, only for a result

    try:
        return hashlib.sha256(DATA.read_bytes()).hexdigest()
    except OSError:
        return ""


def input_id(path: str | Path, reader: str, sample_rate_hz: float | None = None) -> dict[str, Any]:
    """What was read: ``{"path", "reader", "size_bytes", "sha256", "sample_rate_hz"}``.

    The SHA-256 is of the file's bytes, read in 1 MiB chunks (a session folder: of its
    files' relative names and bytes, in sorted order, as ``history --import`` hashes it);
    ``size_bytes`` the file's size (a folder's: its files' total). ``size_bytes`` and
    ``sha256`` are None for something that is not a file (an array given to the API).
    """
    p = Path(path)
    size: int | None = None
    digest: str | None = None
    if p.is_file() or p.is_dir():
        files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
        size = sum(f.stat().st_size for f in files)
        digest = file_sha256(p)
    rate = None if sample_rate_hz is None else float(sample_rate_hz)
    if rate is not None and rate == int(rate):
        rate = int(rate)
    return {
        "path": str(path),
        "reader": reader,
        "size_bytes": size,
        "sha256": digest,
        "sample_rate_hz": rate,
    }


class ReadHash:
    """The SHA-256 of a file computed from the reads of the reader that reads it, so the file
    is read once: :meth:`open` gives the reader a file object that hashes every byte it
    reads, :meth:`read_bytes` the whole file at once, :meth:`seen` takes bytes the reader
    got otherwise (a memory map).

    Bytes are hashed in file order: a read past the bytes hashed so far (a seek forward)
    first reads the skipped ones, a read of bytes already hashed (a header read again) is
    not hashed twice, and :meth:`finish` reads what the reader left unread (a last line cut
    short, a reader that stopped), so the result is always ``sha256sum`` of the whole file.
    Thread-safe (the CSV reader reads on its own thread).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._digest = hashlib.sha256()
        self._hashed = 0  # bytes [0, _hashed) are in the digest
        self._lock = threading.Lock()
        self._result: tuple[int, str] | None = None

    def open(self) -> io.BufferedReader:
        """The file, read-only, hashing what is read through it (a buffered binary file)."""
        return io.BufferedReader(_HashingRaw(open(self.path, "rb", buffering=0), self))

    def read_bytes(self) -> bytes:
        """The whole file, hashed as it is read."""
        with self.open() as fh:
            return fh.read()

    def seen(self, offset: int, data: Any) -> None:
        """The reader read ``data`` (bytes-like) at byte ``offset`` of the file."""
        view = memoryview(data).cast("B")
        with self._lock:
            if self._result is not None:
                return
            end = offset + len(view)
            if end <= self._hashed:
                return
            if offset > self._hashed:
                self._fill(offset)
            self._digest.update(view[self._hashed - offset :])
            self._hashed = end

    def _fill(self, upto: int | None) -> None:
        """Hash the bytes from the end of the hashed ones to ``upto`` (None: end of file)."""
        buf = bytearray(HASH_CHUNK)
        view = memoryview(buf)
        with open(self.path, "rb", buffering=0) as fh:
            fh.seek(self._hashed)
            while upto is None or self._hashed < upto:
                want = HASH_CHUNK if upto is None else min(HASH_CHUNK, upto - self._hashed)
                n = fh.readinto(view[:want])
                if not n:
                    break
                self._digest.update(view[:n])
                self._hashed += n

    def finish(self) -> tuple[int, str]:
        """(size in bytes, SHA-256 hex digest) of the whole file; the reader is done."""
        with self._lock:
            if self._result is None:
                self._fill(None)
                self._result = (self._hashed, self._digest.hexdigest())
            return self._result

    def input_id(self, reader: str, sample_rate_hz: float | None = None) -> dict[str, Any]:
        """:func:`input_id` of the file, from what was read."""
        size, digest = self.finish()
        return {
            "path": str(self.path),
            "reader": reader,
            "size_bytes": size,
            "sha256": digest,
            "sample_rate_hz": _rate(sample_rate_hz),
        }


class _HashingRaw(io.RawIOBase):
    """A raw binary file that hands every byte read to a :class:`ReadHash`."""

    def __init__(self, raw: Any, hashed: ReadHash) -> None:
        self._raw, self._hashed = raw, hashed

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int | None:
        at = self._raw.tell()
        n = self._raw.readinto(b)
        if n:
            self._hashed.seen(at, memoryview(b).cast("B")[:n])
        return n

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def fileno(self) -> int:
        return self._raw.fileno()

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


def _rate(sample_rate_hz: float | None) -> float | int | None:
    rate = None if sample_rate_hz is None else float(sample_rate_hz)
    if rate is not None and rate == int(rate):
        return int(rate)
    return rate


class InputHash:
    """:func:`input_id` of ``path`` for the ``provenance`` block of a result.

    With ``hashed`` (the :class:`ReadHash` the reader filled: :attr:`Recording.read_hash
    <crampdetect.storage.recording.Recording.read_hash>`), the hash is what the reader read:
    the file is read once. Without (a session folder, an OpenBCI or BrainFlow file), it is
    computed in a thread while the recording is scored: a second read (from the page cache,
    just read); hashlib and the reads release the GIL, so it costs CPU but next to no wall
    time where a core is free.

    ``id(sample_rate_hz)`` waits for it and returns the dictionary (an error of the hash, e.g.
    the file deleted meanwhile, is raised there).
    """

    def __init__(self, path: str | Path, reader: str, hashed: ReadHash | None = None) -> None:
        self.path, self.reader = path, reader
        self._hashed = hashed if hashed is not None and _same(hashed.path, path) else None
        self._out: dict[str, Any] | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if self._hashed is None:
            self._thread = threading.Thread(target=self._run, name="crampdetect-hash", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        try:
            self._out = input_id(self.path, self.reader)
        except BaseException as exc:  # handed to the caller in id()
            self._error = exc

    def id(self, sample_rate_hz: float | None = None) -> dict[str, Any]:
        if self._hashed is not None:
            return {**self._hashed.input_id(self.reader), "path": str(self.path),
                    "sample_rate_hz": _rate(sample_rate_hz)}  # fmt: skip
        assert self._thread is not None
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._out is not None
        return {**self._out, "sample_rate_hz": _rate(sample_rate_hz)}


def _same(a: str | Path, b: str | Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def recording_files(path: str | Path) -> list[Path]:
    """The files one recording consists of: the file and the sidecars beside it that exist
    (``<name>.session.json``, ``<stem>.labels.json``, the labels ``evaluate`` reads), or
    every file of a session folder."""
    p = Path(path)
    if p.is_dir():
        return sorted(f for f in p.rglob("*") if f.is_file())
    beside = (
        p.with_name(p.name + ".session.json"),
        p.with_name(p.stem + ".labels.json"),
        p.with_name(p.name.removesuffix(".csv") + ".labels.json"),
    )
    return [p, *sorted({f for f in beside if f.is_file()})]


def folder_input(root: str | Path, recordings: Iterable[str | Path]) -> dict[str, Any]:
    """``input`` of ``evaluate FOLDER``: a hash over the recordings it scored and their
    sidecars (:func:`recording_files`), so two evaluations of the same folder can be told
    identical, whatever order the files were listed or scored in.

    ``{"path": root, "reader": "folder", "files": n, "size_bytes": total, "sha256": ...}``:
    ``sha256`` is the SHA-256 of the lines ``<file's SHA-256>  <path relative to root>``
    (``/`` separated, each line ending with ``\n``) sorted by path (byte order), as
    ``cd ROOT && sha256sum FILE... | LC_ALL=C sort -k2`` prints them. A file given instead of
    a folder is hashed relative to its own folder.
    """
    base = Path(root)
    top = base.parent if base.is_file() else base
    files = {f for r in recordings for f in recording_files(r)}
    lines = []
    size = 0
    for f in files:
        lines.append((f.relative_to(top).as_posix(), file_sha256(f)))
        size += f.stat().st_size
    lines.sort(key=lambda line: line[0].encode())
    text = "".join(f"{digest}  {name}\n" for name, digest in lines)
    return {
        "path": str(root),
        "reader": "folder",
        "files": len(lines),
        "size_bytes": size,
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
    }


def generated_input(folders: Mapping[str, str | Path]) -> dict[str, Any]:
    """``input`` of ``evaluate --seeds``: the generated sets by ``<set>/<seed>``, each named
    by its cache folder, whose last part is a fingerprint of what the generator writes (its
    plan, labels and first samples; for the independent set, its generator's source), and
    ``sha256``, of the lines ``<set>/<seed> <folder name>\n`` sorted. The files themselves are
    not read again: a set whose name is the same was generated the same (unless the cache was
    edited by hand; ``evaluate CACHE_FOLDER`` hashes its files).
    """
    names = {str(k): Path(v).name for k, v in folders.items()}
    text = "".join(f"{k} {v}\n" for k, v in sorted(names.items()))
    return {
        "path": None,
        "reader": "generated sets",
        "sets": dict(sorted(names.items())),
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
    }


class Background:
    """``fn(*args)`` in a thread (hashing a folder while it is scored); :meth:`result` waits
    for it and returns its value or raises its error."""

    def __init__(self, fn: Any, *args: Any) -> None:
        self._out: Any = None
        self._error: BaseException | None = None

        def run() -> None:
            try:
                self._out = fn(*args)
            except BaseException as exc:  # handed to the caller in result()
                self._error = exc

        self._thread = threading.Thread(target=run, name="crampdetect-hash", daemon=True)
        self._thread.start()

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._out


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file, or of a folder's files (relative names and bytes, sorted)."""
    path = Path(path)
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    buf = bytearray(HASH_CHUNK)
    view = memoryview(buf)
    for file in files:
        if path.is_dir():
            digest.update(file.relative_to(path).as_posix().encode() + b"\0")
        with open(file, "rb", buffering=0) as fh:
            while n := fh.readinto(buf):
                digest.update(view[:n])
    return digest.hexdigest()


class SampleHash:
    """:func:`input_id` of samples that are not a file (an array given to the API), hashed
    while they stream: the SHA-256 of their float64 values in time order (sample by sample,
    each sample's channels in order), so any block cut gives the same hash.

    ``blocks(it)`` passes the blocks of ``it`` on, hashing each; :meth:`id` after the last.
    """

    def __init__(self, fs: float) -> None:
        self.fs = float(fs)
        self._digest = hashlib.sha256()
        self._bytes = 0

    def blocks(self, blocks: Iterable[Any]) -> Iterator[Any]:
        import numpy as np  # lazy: the CLI imports this module at start

        for block in blocks:
            x = np.ascontiguousarray(np.asarray(block.data, dtype=np.float64).T)
            self._digest.update(memoryview(x).cast("B"))
            self._bytes += x.nbytes
            yield block

    def id(self) -> dict[str, Any]:
        rate: float = self.fs
        return {
            "path": None,
            "reader": "array",
            "size_bytes": self._bytes,
            "sha256": self._digest.hexdigest(),
            "sample_rate_hz": int(rate) if rate == int(rate) else rate,
        }


@functools.cache
def code_id() -> dict[str, Any]:
    """``{"version"}`` and, at a git checkout of the package, ``"commit"`` (HEAD) and
    ``"dirty"`` (the package's files, ``crampdetect/`` and ``pyproject.toml``, differ from it,
    untracked files in the package included). Asked of a local ``git`` once per process,
    without network; no checkout, no git, or git failing leaves both out."""
    from crampdetect import __version__  # lazy: as in provenance(), only once a result is made

    out: dict[str, Any] = {"version": __version__}
    state = _git_state(Path(__file__).resolve().parent)
    if state is not None:
        out["commit"], out["dirty"] = state
    return out


def _git_state(package: Path) -> tuple[str, bool] | None:
    """(HEAD commit, dirty) of the checkout ``package`` sits at the top of, None if none.

    Only a checkout whose top holds the package counts: an installed copy inside some other
    repository (a virtual environment in a project) is not that repository's code.
    """
    root = package.parent
    if not (root / ".git").exists() or not (root / "pyproject.toml").is_file():
        return None
    git = shutil.which("git")
    if git is None:
        return None
    # no optional locks: reading the state never writes the index another git holds
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}

    def run(*cmd: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [git, "-C", str(root), *cmd],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_S,
            env=env,
            check=False,
        )

    try:
        top = run("rev-parse", "--show-toplevel")
        if top.returncode or Path(top.stdout.strip()).resolve() != root.resolve():
            return None
        head = run("rev-parse", "--verify", "HEAD")
        if head.returncode:
            return None
        status = run("status", "--porcelain", "--untracked-files=normal", "--",
                     package.name, "pyproject.toml")  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    commit = head.stdout.strip()
    if len(commit) < 40:
        return None
    return commit, bool(status.returncode or status.stdout.strip())
