"""Limits on untrusted recordings and the checks that enforce them, for every reader.

A recording file may be damaged, hand-edited or hostile. Each reader calls these checks
*before* it allocates or trusts anything, so that bad input ends in one clear
:class:`~crampdetect.core.InputError` (CLI: exit status 2, one line) with the limit in the
message, in bounded memory and without hanging. The limits are documented in
``docs/recordings.md``; a faster parser must call the same functions.
"""

from __future__ import annotations

import json
import math
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from crampdetect.core import Event, InputError, QualityInterval, Representation

#: Sample rates accepted from any file, Hz (surface EMG is sampled at ~100-4000 Hz).
MIN_RATE_HZ = 1.0
MAX_RATE_HZ = 100_000.0
#: The lowest rate the detector reads any signal at, Hz (the ENV envelope's; raw EMG needs
#: 200 Hz; both in ``pipeline.chain.MIN_RATE_HZ``): a CSV below it most likely has ``time_s``
#: in ms.
MIN_EMG_RATE_HZ = 20.0
#: Channels (columns after ``time_s``) in one recording.
MAX_CHANNELS = 256
#: Characters in one channel name / header field.
MAX_NAME_CHARS = 64
#: Bytes in the CSV header line (and in any one data line).
MAX_LINE_BYTES = 64 * 1024
#: Longest gap accepted between two consecutive samples, s (a lost link for a whole day).
MAX_GAP_S = 86_400.0
#: Largest magnitude of a time stamp, s (about 317 years: Unix times pass, garbage does not).
MAX_TIME_S = 1e10
#: Largest magnitude of a sample value in any unit (1e9 µV is a kilovolt).
MAX_ABS_VALUE = 1e9
#: Bytes in a JSON file read beside a recording (meta.json, sidecars, labels, manifests).
MAX_JSON_BYTES = 64 * 1024 * 1024
#: Nesting depth of such a JSON document.
MAX_JSON_DEPTH = 32
#: Bytes in a session journal (it is read whole) and in one of its lines.
MAX_JOURNAL_BYTES = 256 * 1024 * 1024
MAX_JOURNAL_LINE_BYTES = 1024 * 1024
#: Largest damaged CSV that ``convert`` salvages (salvage reads it whole).
MAX_RECOVER_BYTES = 256 * 1024 * 1024


class LimitError(InputError):
    """The input breaks a stated limit or is not a file at all: refuse, never try to salvage."""


def check_regular_file(path: Path, what: str = "file") -> os.stat_result:
    """Refuse what is missing, a directory, a FIFO, a device or a socket (no hang, no flood)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(st.st_mode):
        raise LimitError(f"{path}: is a directory, not a {what}")
    if not stat.S_ISREG(st.st_mode):
        kind = "FIFO" if stat.S_ISFIFO(st.st_mode) else "device or socket"
        raise LimitError(f"{path}: is a {kind}, not a regular {what}")
    return st


def check_rate(value: object, where: str) -> float:
    """A sample rate: a finite number within [MIN_RATE_HZ, MAX_RATE_HZ] Hz."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InputError(f"{where}: sample rate {value!r} is not a number")
    try:
        fs = float(value)
    except ValueError:
        raise InputError(f"{where}: sample rate {value!r} is not a number") from None
    if not math.isfinite(fs) or not MIN_RATE_HZ <= fs <= MAX_RATE_HZ:
        raise InputError(
            f"{where}: sample rate {fs:g} Hz is outside "
            f"{MIN_RATE_HZ:g}-{MAX_RATE_HZ:g} Hz (finite and plausible)"
        )
    return fs


def check_channels(value: object, where: str) -> tuple[str, ...]:
    """Channel names: a non-empty list of distinct, non-empty, short strings."""
    if not isinstance(value, list | tuple) or not value:
        raise InputError(f"{where}: channels must be a non-empty list of names, got {value!r:.40}")
    if len(value) > MAX_CHANNELS:
        raise LimitError(f"{where}: {len(value)} channels (limit {MAX_CHANNELS})")
    for name in value:
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"{where}: channel name {name!r:.40} is not a non-empty string")
        if len(name) > MAX_NAME_CHARS:
            raise LimitError(
                f"{where}: channel name of {len(name)} characters (limit {MAX_NAME_CHARS})"
            )
    if len(set(value)) != len(value):
        raise InputError(f"{where}: channel names must be unique")
    return tuple(value)


def check_number(
    value: object, where: str, *, nonzero: bool = False, limit: float = MAX_ABS_VALUE
) -> float:
    """A finite JSON number (no string, bool or null) within ±``limit``; ``nonzero`` refuses 0."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{where}: {value!r:.40} is not a number")
    x = float(value)
    if not math.isfinite(x) or abs(x) > limit or (nonzero and x == 0.0):
        raise InputError(f"{where}: {x:g} is not a usable number")
    return x


def check_count(value: object, where: str) -> int:
    """A non-negative integer (sample index or count) that fits memory-sane bounds."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**53:
        raise InputError(f"{where}: {value!r:.40} is not a sample count")
    return value


def time_field(value: object, where: str) -> float:
    """A stored time stamp in s: a JSON number within ±MAX_TIME_S."""
    return check_number(value, where, limit=MAX_TIME_S)


def check_time(t: float, where: str) -> float:
    """A time stamp in s: finite and within ±MAX_TIME_S."""
    if not math.isfinite(t) or abs(t) > MAX_TIME_S:
        raise InputError(f"{where}: time {t:g} s is not finite or beyond {MAX_TIME_S:g} s")
    return t


def check_step(step_s: float, where: str) -> None:
    """A step between consecutive samples: forward and no longer than MAX_GAP_S."""
    if not step_s > 0:
        raise InputError(f"{where}: time goes backwards or stands still")
    if step_s > MAX_GAP_S:
        raise InputError(f"{where}: time jumps {step_s:g} s ahead (limit {MAX_GAP_S:g} s)")


def check_times(times: Iterable[tuple[float, float]], where: str) -> None:
    """(t0, t_end) of consecutive segments: finite, increasing, gaps within MAX_GAP_S."""
    prev_end: float | None = None
    for t0, t_end in times:
        check_time(t0, where)
        check_time(t_end, where)
        if prev_end is not None:
            if t0 < prev_end - 1e-9:
                raise InputError(f"{where}: time goes backwards at {t0:g} s")
            if t0 - prev_end > MAX_GAP_S:
                raise InputError(
                    f"{where}: time jumps {t0 - prev_end:g} s at {prev_end:g} s "
                    f"(limit {MAX_GAP_S:g} s)"
                )
        prev_end = t_end


def read_json(path: Path, what: str) -> object:
    """Parse a small JSON file with bounded size and nesting; InputError on anything else.

    Accepts a UTF-8 BOM. Limits: :data:`MAX_JSON_BYTES`, :data:`MAX_JSON_DEPTH`.
    """
    st = check_regular_file(path, what)
    if st.st_size > MAX_JSON_BYTES:
        raise LimitError(
            f"{path}: {what} of {st.st_size} bytes (limit {MAX_JSON_BYTES // 2**20} MiB)"
        )
    with open(path, "rb") as fh:
        raw = fh.read(MAX_JSON_BYTES + 1)
    return parse_json(raw, f"{path}: {what}")


def parse_json(raw: bytes | str, where: str) -> object:
    """``json.loads`` with bounded nesting, non-finite numbers refused, one-line errors."""
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
        doc = json.loads(text, parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        raise InputError(f"{where} is not UTF-8 text") from None
    except RecursionError:
        raise LimitError(f"{where} is nested too deeply (limit {MAX_JSON_DEPTH})") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{where} is not valid JSON ({exc.msg}, line {exc.lineno})") from None
    except ValueError as exc:  # _refuse_constant
        raise InputError(f"{where}: {exc}") from None
    if _depth(doc) > MAX_JSON_DEPTH:
        raise LimitError(f"{where} is nested too deeply (limit {MAX_JSON_DEPTH})")
    return doc


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def _depth(doc: object) -> int:
    """Nesting depth, iteratively (the parser already bounded it to the recursion limit)."""
    deepest, stack = 0, [(doc, 1)]
    while stack:
        node, d = stack.pop()
        if isinstance(node, dict):
            node = list(node.values())
        if isinstance(node, list):
            deepest = max(deepest, d)
            if d > MAX_JSON_DEPTH:
                return d
            stack.extend((child, d + 1) for child in node)
    return deepest


def refuse_overwrite(path: str | os.PathLike[str], force: bool = False) -> Path:
    """Refuse to replace an existing file unless ``force``; never replace a directory."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path} is a directory; give a file name")
    if path.exists() and not force:
        raise InputError(f"{path} already exists; refusing to overwrite it without --force")
    return path


def event_from_dict(doc: object, where: str) -> Event:
    """A detector event stored in a sidecar or journal, every field checked."""
    if not isinstance(doc, dict):
        raise InputError(f"{where}: an event must be an object, got {doc!r:.40}")
    try:
        channel, kind = doc["channel"], doc["kind"]
        if not isinstance(channel, str) or not isinstance(kind, str):
            raise InputError(f"{where}: event channel and kind must be strings")
        end = doc.get("end_s")
        detail = doc.get("detail") or {}
        if not isinstance(detail, dict):
            raise InputError(f"{where}: event detail must be an object")
        ident = doc.get("id", 0)
        if isinstance(ident, bool) or not isinstance(ident, int):
            raise InputError(f"{where}: event id {ident!r:.40} is not an integer")
        return Event(
            channel=channel,
            kind=kind,
            onset_s=time_field(doc["onset_s"], f"{where} onset_s"),
            alert_s=time_field(doc["alert_s"], f"{where} alert_s"),
            end_s=None if end is None else time_field(end, f"{where} end_s"),
            confidence=check_number(doc.get("confidence", 1.0), f"{where} confidence"),
            id=ident,
            detail=detail,
        )
    except KeyError as exc:
        raise InputError(f"{where}: event without {exc}") from None


def quality_from_dict(doc: object, where: str) -> QualityInterval:
    """A quality interval stored in a sidecar or journal, every field checked."""
    if not isinstance(doc, dict):
        raise InputError(f"{where}: a quality interval must be an object, got {doc!r:.40}")
    try:
        channel, issue, end = doc["channel"], doc["issue"], doc.get("end_s")
        if not isinstance(channel, str) or not isinstance(issue, str):
            raise InputError(f"{where}: quality channel and issue must be strings")
        return QualityInterval(
            channel=channel,
            issue=issue,
            start_s=time_field(doc["start_s"], f"{where} start_s"),
            end_s=None if end is None else time_field(end, f"{where} end_s"),
        )
    except KeyError as exc:
        raise InputError(f"{where}: quality interval without {exc}") from None


def representation_from_dict(doc: object, where: str) -> Representation:
    """A stored representation (signal, units, adc_bits, optional gain and vref_v)."""
    if not isinstance(doc, dict):
        raise InputError(f"{where}: representation must be an object, got {doc!r:.40}")
    bits = doc.get("adc_bits")
    if bits is not None and (isinstance(bits, bool) or not isinstance(bits, int)):
        raise InputError(f"{where}: adc_bits {bits!r:.40} is not an integer")
    gain, vref = doc.get("gain"), doc.get("vref_v")
    return Representation(
        signal=str(doc.get("signal", "raw")),
        units=str(doc.get("units", "uV")),
        adc_bits=bits,
        gain=200.0 if gain is None else check_number(gain, f"{where} gain", nonzero=True),
        vref_v=None if vref is None else check_number(vref, f"{where} vref_v", nonzero=True),
    )


def items(doc: dict, key: str, where: str) -> list:
    """``doc[key]`` as a list (missing or null: empty); anything else is an error."""
    value = doc.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"{where}: {key} must be a list, got {type(value).__name__}")
    return value


def refuse_nonempty_dir(path: str | os.PathLike[str], force: bool = False) -> Path:
    """Refuse to write into an existing non-empty directory (or onto a file) unless ``force``."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise InputError(f"{path} exists and is not a directory")
    if path.is_dir() and any(path.iterdir()) and not force:
        raise InputError(f"{path} is not empty; refusing to overwrite it without --force")
    return path
