"""What a recording's column names say: EMG or not, and the unit a name ends with.

Research CSVs often hold force, torque, joint angle, accelerometer or trigger columns beside the
EMG ones (``time_s,emg_ta_V,torque_Nm,ankle_angle_deg``). :func:`is_emg_name` tells the columns
to score from those to leave out; :func:`unit_from_name` reads a unit suffix (``emg_ta_V``,
``EMG (mV)``, ``left[uV]``, ``calf_counts``) so that a name that states its unit is read in it.
Both look at the name only; inference by magnitude (:mod:`crampdetect.ingest.inference`) may
call :func:`unit_from_name` too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from crampdetect.core import InputError
from crampdetect.text import word

if TYPE_CHECKING:  # types only: ingest does not need storage to choose columns
    from crampdetect.storage.recording import Recording

#: Words of a column name that say it is not EMG (the start of a token: ``force``,
#: ``forceN``, ``accX``, ``angle2``...), unless the name also says EMG.
NOT_EMG_WORDS = (
    "force", "torque", "moment", "angle", "gonio", "position", "pos", "velocity", "vel",
    "speed", "acc", "accel", "gyro", "mag", "imu", "marker", "trigger", "trig", "sync", "stim",
    "temp", "temperature", "load", "pressure", "ecg", "eeg", "eog", "resp", "hr", "footswitch",
    "switch", "button", "event", "battery", "sample", "index", "counter", "timestamp", "time",
)  # fmt: skip
#: What may follow such a word in the same token: an axis, a unit, a number (``accX``,
#: ``forceN``, ``torqueNm``, ``angleDeg``, ``force2``).
_TAIL = r"(?:s|[xyz]|n|nm|kg|deg|rad|ms|hz)?\d*"
_NOT_EMG = re.compile(rf"^(?:{'|'.join(NOT_EMG_WORDS)}){_TAIL}$")
_EMG = re.compile(r"^s?emg")
#: Unit suffixes of a name -> the unit they mean (the detector's names: uV, mV, V, counts).
_UNITS = {"uv": "uV", "µv": "uV", "μv": "uV", "mv": "mV", "v": "V", "microvolts": "uV",
          "millivolts": "mV", "volts": "V", "counts": "counts"}  # fmt: skip
_UNIT_RE = re.compile(rf"(?:^|[\s_\-./:(\[])({'|'.join(_UNITS)})[)\]]?\s*$", re.IGNORECASE)
#: ``Recording.meta`` key of the unit a CSV's channel names state (``emg_ta_V``: V).
COLUMN_UNITS = "column_units"
#: Microvolts per unit, to read columns that name different voltage units in one of them.
UV_PER_UNIT = {"uV": 1.0, "mV": 1e3, "V": 1e6}


def _tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[^0-9a-zµμ]+", name.lower()) if t]


def is_emg_name(name: str) -> bool:
    """False when the name says the column is something else than EMG (force, torque, angle,
    acceleration, a trigger, another clock...) and does not also say EMG; True otherwise (a
    name that says nothing, ``left``, ``ch1``, is taken for EMG)."""
    tokens = _tokens(name)
    if any(_EMG.match(t) for t in tokens):
        return True
    return not any(_NOT_EMG.match(t) for t in tokens)


def unit_from_name(name: str) -> str | None:
    """The unit a column name ends with (``emg_ta_V`` -> ``V``, ``EMG (mV)`` -> ``mV``,
    ``left[µV]`` -> ``uV``, ``calf_counts`` -> ``counts``), None if it names none."""
    m = _UNIT_RE.search(name.strip())
    return _UNITS[m.group(1).lower()] if m else None


def choose_columns(
    names: Sequence[str], wanted: Sequence[str] | None = None, where: str = "file"
) -> tuple[list[int], list[str]]:
    """Indices of the columns to score among ``names``, and the names left out.

    ``wanted``: exactly these columns, in this order (a name not there is refused, naming
    the columns there are); else every column :func:`is_emg_name` takes for EMG. Raises
    InputError when none is left.
    """
    if wanted:
        missing = [w for w in wanted if w not in names]
        if missing:
            raise InputError(
                f"{where}: no column {', '.join(missing)} (columns: {', '.join(names)})"
            )
        if len(set(wanted)) != len(wanted):
            raise InputError(f"{where}: a column is chosen twice in {', '.join(wanted)}")
        keep = [list(names).index(w) for w in wanted]
    else:
        keep = [i for i, n in enumerate(names) if is_emg_name(n)]
    left_out = [n for i, n in enumerate(names) if i not in keep]
    if not keep:
        raise InputError(
            f"{where}: no EMG column: {', '.join(names)} {'is' if len(names) == 1 else 'are'}"
            f" not EMG by {_by_name(len(names))}; choose the columns with --channels"
        )
    return keep, left_out


def _by_name(n: int) -> str:
    """How a column or columns are judged: "its name" for one, "their names" for several."""
    return "its name" if n == 1 else "their names"


def left_out_note(where: str, left_out: Sequence[str], what: str = "column") -> str:
    """The warning for the channels :func:`choose_columns` left out by their names."""
    return (
        f"{where}: {word(len(left_out), what)} {', '.join(left_out)} not read "
        f"(not EMG by {_by_name(len(left_out))}; "
        "choose the columns with --channels)"
    )


def select_channels(rec: Recording, wanted: Sequence[str] | None) -> Recording:
    """``rec`` with only the channels ``wanted``, in that order (``--channels`` of ``detect``,
    ``replay``, ``report`` and ``convert`` on any format). Without ``wanted``, the channels
    :func:`choose_columns` takes for EMG by their names, as a CSV's columns (a ``torque_Nm``
    or ``Trigger`` signal of an EDF is left out with a note in ``problems``); ``rec`` itself
    when all are. A name it does not have is refused, naming the channels it has; the events
    and quality intervals of the channels left out go with them. Samples stay lazy: each
    segment loads as before and keeps the chosen rows.
    """
    import dataclasses

    where = str(rec.path.name if rec.path else "recording")
    keep, left_out = choose_columns(rec.channels, wanted, where)
    if keep == list(range(len(rec.channels))):
        return rec
    problems = list(rec.problems)
    if not wanted:
        problems.append(left_out_note(where, left_out, "channel"))
    rows = list(keep)
    chosen = tuple(rec.channels[i] for i in rows)
    segments = [
        dataclasses.replace(seg, load=lambda load=seg.load: load()[rows]) for seg in rec.segments
    ]
    return dataclasses.replace(
        rec,
        channels=chosen,
        segments=segments,
        events=[e for e in rec.events if e.channel in chosen],
        quality=[q for q in rec.quality if q.channel in chosen],
        meta=dict(rec.meta),
        problems=problems,
    )
