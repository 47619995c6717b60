"""Export the night history to a file the wearer controls: JSON (nested) or CSV (flat)."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path

from crampdetect.core import InputError
from crampdetect.storage.history import RECORD_TABLES, History
from crampdetect.storage.limits import refuse_overwrite

#: Columns of the CSV export; a record fills the ones that apply to it. ``event_id`` is the
#: detector's id of a cramp or warning; ``part_of`` the ``event_id`` of the cramp a cramp row is
#: a piece of (raised on its leg within ``rejoin_s`` of that cramp's end: one cramp), empty
#: for a cramp of its own (as ``cramps.part_of`` in the history, schema 4). ``confidence``: the
#: detector's confidence (0-1) of a cramp row, as in the JSON export (empty when not stored).
CSV_COLUMNS = (
    "session_id",
    "night",
    "session_started_at",
    "profile",
    "record",
    "leg",
    "start_s",
    "end_s",
    "duration_s",
    "kind",
    "recurrence",
    "detail",
    "event_id",
    "part_of",
    "confidence",
)


def export_history(
    history: History, session_ids: Sequence[int], path: str | Path, *, force: bool = False
) -> int:
    """Write the given sessions to ``path`` (``.json`` or ``.csv``); return the record count.

    An existing ``path`` is only replaced with ``force``.
    """
    path = refuse_overwrite(path, force)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".csv"):
        raise InputError(f"Cannot export to {path.name!r}: use a .csv or .json file name")
    sessions = [_session_dict(history, sid) for sid in session_ids]
    n_records = sum(len(s[t]) for s in sessions for t in RECORD_TABLES)
    if suffix == ".json":
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps({"sessions": sessions}, indent=1), encoding="utf-8")
        tmp.replace(path)
        return n_records
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, CSV_COLUMNS)
        writer.writeheader()
        for s in sessions:
            head = {
                "session_id": s["id"],
                "night": s["night"],
                "session_started_at": s["started_at"],
                "profile": s["profile"],
            }
            writer.writerow(
                {**head, "record": "session", "start_s": 0.0, "duration_s": s["duration_s"]}
            )
            for table in RECORD_TABLES:
                for r in s[table]:
                    row = {**head, **_csv_row(table, r)}
                    writer.writerow({k: _cell(v) for k, v in row.items()})
    return n_records


def _cell(value: object) -> object:
    """Keep text that a spreadsheet would run as a formula (``=``, ``+``, ``@``...) as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


#: Decimals kept for times and durations (s) and other measured numbers in exports.
DECIMALS = 3


def _clean(row: dict[str, object]) -> dict[str, object]:
    """Rounded numbers, stored JSON (``channels``, ``provenance``) as data, flags as booleans."""
    out: dict[str, object] = {}
    for key, value in row.items():
        if isinstance(value, float):
            value = round(value, DECIMALS)
        elif key in ("channels", "provenance") and isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                pass
        elif key == "recurrence" and value in (0, 1):
            value = bool(value)
        out[key] = value
    return out


def _session_dict(history: History, session_id: int) -> dict[str, object]:
    out: dict[str, object] = _clean(dict(history.session(session_id)))
    out["duration_s"] = round(history.session_end_s(session_id), DECIMALS)
    out.pop("content_hash", None)
    out.pop("alive_at", None)  # the running monitor's heartbeat: no part of the record
    for table in RECORD_TABLES:
        rows = [_clean(dict(r)) for r in history.records(table, session_id)]
        for r in rows:
            r.pop("session_id", None)
        out[table] = rows
    return out


def _csv_row(table: str, r: dict[str, object]) -> dict[str, object]:
    record = table.rstrip("s") if table != "activity" else "activity"
    row: dict[str, object] = {"record": record, "leg": r.get("leg")}
    if table in ("cramps", "warnings"):
        row |= {"start_s": r["onset_s"], "end_s": r["end_s"], "detail": f"alert_s={r['alert_s']}"}
        row["event_id"] = r.get("event_id")
        if table == "cramps":
            row |= {"duration_s": r["duration_s"], "recurrence": r["recurrence"]}
            row["part_of"] = r.get("part_of")
            row["confidence"] = r.get("confidence")
            if r.get("severity") is not None:
                row["detail"] = f"{row['detail']};severity={r['severity']}"
    elif table in ("quality", "activity"):
        kind = r["issue"] if table == "quality" else r["activity"]
        row |= {"start_s": r["start_s"], "end_s": r["end_s"], "kind": kind}
    elif table == "alerts":
        row |= {"start_s": r["t_s"], "kind": r["kind"], "detail": r["reason"]}
        row["event_id"] = r.get("event_id")
    else:  # acks
        row |= {"start_s": r["t_s"], "kind": r["source"]}
    return row
