"""List, import, export or delete the night history kept on this machine."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from crampdetect.cli._args import name_path
from crampdetect.core import CrampDetectError, InputError
from crampdetect.text import date_hint, plural


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from", dest="night_from", metavar="DATE", help="first night (YYYY-MM-DD)"
    )
    parser.add_argument("--to", dest="night_to", metavar="DATE", help="last night (YYYY-MM-DD)")
    parser.add_argument(
        "--profile",
        choices=("night", "training"),
        help="only this session kind (with --import: the kind of a file that names no "
        "profile; one that names another is refused)",
    )
    parser.add_argument(
        "--user",
        metavar="NAME",
        help="only this wearer's sessions (listing, --export, --delete); with --import: the "
        "wearer to file the session under (as `monitor --user` does)",
    )
    parser.add_argument("--export", metavar="FILE", help="write the selection to FILE.csv or .json")
    parser.add_argument("--force", action="store_true", help="let --export overwrite FILE")
    parser.add_argument("--delete", action="store_true", help="delete the selected sessions")
    parser.add_argument(
        "--yes",
        action="store_true",
        help="confirm --delete or --delete-session (without it a terminal asks; elsewhere "
        "nothing is deleted)",
    )
    parser.add_argument("--delete-session", type=int, metavar="ID", help="delete one session")
    parser.add_argument(
        "--where",
        action="store_true",
        help="print where the history and the calibration profiles are kept (an empty "
        "history says it too, and `crampdetect -v history` after the listing, on stderr)",
    )
    parser.add_argument(
        "--delete-calibration",
        metavar="NAME",
        help="delete the calibration profile of user NAME (`calibrate --user NAME`); the "
        "history's --delete leaves profiles alone",
    )
    parser.add_argument(
        "--import",
        dest="import_file",
        nargs="+",
        metavar="RESULT.json",
        help="store finished `detect --json` results, one session each (a file that cannot be "
        "imported is named and skipped; the others are stored)",
    )
    parser.add_argument(
        "--started",
        metavar="ISO",
        help="with --import of one file: wall-clock start of the recording, e.g. 2026-11-20T23:05 "
        "(default: the file's modification time minus its duration)",
    )
    parser.add_argument(
        "--recording",
        metavar="FILE",
        help="with --import of one file: the session's recording (any format detect reads), to "
        "add its activity timeline (night or training)",
    )


def run(args: argparse.Namespace) -> int:
    from crampdetect.storage.history import open_history

    if args.where:  # it only prints: an action given with it would silently not happen
        mixed = [
            flag
            for flag, given in (
                ("--export", args.export),
                ("--import", args.import_file),
                ("--delete", args.delete),
                ("--delete-session", args.delete_session is not None),
                ("--delete-calibration", args.delete_calibration is not None),
            )
            if given
        ]
        if mixed:
            raise InputError(f"--where only prints where the data is kept: give {mixed[0]} alone")
    if args.delete_calibration is not None:
        return _delete_calibration(args.delete_calibration, args.yes)
    if args.where:
        print(_where())
        return 0
    with open_history() as history:
        if args.import_file:
            return _import_all(history, args)
        if args.delete_session is not None:
            row = history.session(args.delete_session)  # a clear error if it does not exist
            start = row["started_at"][:16].replace("T", " ")
            what = f"session {args.delete_session} ({row['profile']}, {start})"
            if not _confirmed(what, args.yes):
                return 1
            history.delete_sessions([args.delete_session])
            print(f"Deleted session {args.delete_session}.")
            return 0
        rows = history.sessions(args.night_from, args.night_to, args.profile, args.user)
        if args.delete:
            if not _confirmed(plural(len(rows), "session"), args.yes):
                return 1
            n = history.delete_sessions([int(r["id"]) for r in rows])
            print(f"Deleted {plural(n, 'session')}.")
            from crampdetect.calibration import calibration_users

            if users := calibration_users():  # not history: --delete leaves them
                print(
                    f"Calibration profiles kept ({', '.join(users)}): "
                    "crampdetect history --delete-calibration NAME removes one."
                )
            return 0
        if args.export:
            from crampdetect.storage.export import export_history

            ids = [int(r["id"]) for r in rows]
            n = export_history(history, ids, args.export, force=args.force)
            print(
                f"Exported {plural(len(rows), 'session')} ({plural(n, 'record')}) to {args.export}"
            )
            return 0
        if not rows:
            print(
                "No sessions recorded"
                + (" in that range." if args.night_from or args.night_to else ".")
            )
            print(f"Data: {_where()}")  # first use: where the sessions will be kept
            return 0
        users = len(history.users()) > 1  # several wearers: say whose each session is
        print(
            f"{'id':>4}  {'night':10}  {'start':16}  {'kind':8}  {'length':>8}  cramps  "
            + ("user      " if users else "")
            + "source"
        )
        for r in rows:
            sid = int(r["id"])
            n = len(history.cramps(sid))  # a cramp in pieces counts once
            length = format_length(history.session_end_s(sid))
            mark = ""
            if not r["ended_at"]:  # a monitor still writes its heartbeat, or none does
                mark = " (running)" if history.running(r) else " (interrupted)"
            start = r["started_at"][:16].replace("T", " ")
            who = f"{r['user'] or '-':8}  " if users else ""
            print(
                f"{sid:>4}  {r['night']:10}  {start:16}  {r['profile']:8}  {length:>8}"
                f"  {n:>6}  {who}{r['source'] or '-'}{mark}"
            )
            if r["recording"] and r["recording"] != r["source"]:  # the file it was scored from
                print(f"{'':>6}recording: {r['recording']}")
        if getattr(args, "verbose", 0):  # on stderr: the listing stays one line per session
            print(f"Data: {_where()}", file=sys.stderr)
    return 0


def _where() -> str:
    """Where the wearer's data is: the history file and the calibration profiles beside it."""
    from crampdetect.calibration import calibration_users
    from crampdetect.storage.paths import data_dir, history_path

    users = calibration_users()
    profiles = f"calibration profiles: {', '.join(users)}" if users else "no calibration profiles"
    return f"{history_path()} ({profiles}, in {data_dir() / 'profiles'})"


def _delete_calibration(user: str, yes: bool) -> int:
    from crampdetect.calibration import calibration_users, delete_calibration
    from crampdetect.storage.paths import profile_path

    path = profile_path(user)  # checks the name
    if not path.exists():
        others = calibration_users()
        known = f" (profiles: {', '.join(others)})" if others else " (there are none)"
        raise InputError(f"No calibration profile for user {user!r}{known}")
    if not _confirmed(f"the calibration profile of {user!r} ({path})", yes):
        return 1
    delete_calibration(user)
    print(f"Deleted the calibration profile of {user!r} ({path}).")
    return 0


def _confirmed(what: str, yes: bool) -> bool:
    """Whether to delete ``what``: ``--yes``, or a "y" typed at a terminal; refused elsewhere."""
    if yes:
        return True
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise InputError(f"Refusing to delete {what} without --yes")
    try:
        answer = input(f"Delete {what}? This cannot be undone. [y/N] ")
    except EOFError:  # the terminal closed: no answer is no
        answer = ""
    if answer.strip().lower() in ("y", "yes"):
        return True
    print("Nothing deleted.")
    return False


def format_length(seconds: float) -> str:
    """A session length a person reads at a glance: ``30 s``, ``12 min``, ``7.4 h``."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _import_all(history: object, args: argparse.Namespace) -> int:
    """``--import`` of one or more results: each its own session and transaction; one that
    cannot be imported is named on stderr and the rest go on (exit 2 if any failed)."""
    files = args.import_file
    if len(files) > 1 and (args.started or args.recording):
        raise InputError("--started and --recording go with --import of one file")
    if len(files) == 1:
        return _import(history, args, files[0])
    failed = 0
    for path in files:
        try:
            _import(history, args, path)
        except (InputError, CrampDetectError, OSError) as exc:
            failed += 1
            print(f"crampdetect history: error: {name_path(path, str(exc))}", file=sys.stderr)
    if failed:
        print(f"{len(files) - failed} of {len(files)} files imported", file=sys.stderr)
    return 2 if failed else 0


def _import(history: object, args: argparse.Namespace, import_file: str) -> int:
    from crampdetect.alerts.journal import import_detection
    from crampdetect.storage.history import content_hash

    path = Path(import_file)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    digest = content_hash(path)
    known = history.session_with_content(digest)  # type: ignore[attr-defined]
    if known is not None:
        added = "nothing added"
        if args.recording and not history.records("activity", known["id"]):  # type: ignore[attr-defined]
            # Imported before without --recording: add the timeline now (else only
            # --delete-session and a new import would, and summary keeps asking for it).
            from crampdetect.reports.activity import store_activity

            _, t0, _ = _detection_result(path)
            store_activity(history, known["id"], args.recording, t0)
            added = "its activity timeline added"
        print(
            f"Already imported: session {known['id']} ({known['profile']}, "
            f"{known['started_at'][:16].replace('T', ' ')}) holds this recording; {added}."
        )
        return 0
    result, t0, created = _detection_result(path)
    live = _live_session(history, result.pop("history_session", None))
    if live is not None:
        added = ""
        if args.recording and not history.records("activity", live["id"]):  # type: ignore[attr-defined]
            from crampdetect.reports.activity import store_activity

            store_activity(history, live["id"], args.recording, t0)  # the session counts from t0
            added = "; its activity timeline added"
        print(
            f"Already in the history: session {live['id']} ({live['profile']}, "
            f"{live['started_at'][:16].replace('T', ' ')}) was written live while this was "
            f"recorded{added or '; nothing added'}."
        )
        return 0
    # Opened once: its start (when nothing else says) and its activity timeline.
    recorded = None
    if args.recording:
        from crampdetect.storage.reader import open_recording

        recorded = open_recording(args.recording)
    if args.started:
        try:
            started = dt.datetime.fromisoformat(args.started)
        except ValueError as exc:
            hint = date_hint(exc, "ISO 8601, e.g. 2026-11-20T23:05")
            raise InputError(f"Invalid --started {args.started!r}: {hint}") from exc
    elif created is not None:
        started = created
    elif recorded is not None and (began := _recording_start(recorded)) is not None:
        started = began + dt.timedelta(seconds=t0)  # the session counts from t0
    else:
        meta = result.get("input") if isinstance(result.get("input"), dict) else result
        duration = float(meta.get("duration_s") or 0.0)
        started = dt.datetime.fromtimestamp(path.stat().st_mtime) - dt.timedelta(seconds=duration)
    if started.tzinfo is None:
        started = started.astimezone()
    profile = _profile(result, args.profile, path)
    # One transaction: an invalid profile, event or recording leaves nothing behind.
    with history.transaction():  # type: ignore[attr-defined]
        recording = _recording_path(result, path)
        rec = import_detection(
            history,  # type: ignore[arg-type]
            result,
            started,
            profile,
            str(path),
            t0,
            recording,
            user=args.user,
        )
        history.set_content_hash(rec.session_id, digest)  # type: ignore[attr-defined]
        if recorded is not None:
            from crampdetect.reports.activity import store_activity

            store_activity(history, rec.session_id, recorded, t0)
    row = history.session(rec.session_id)  # type: ignore[attr-defined]
    n = len(history.cramps(rec.session_id))  # type: ignore[attr-defined]
    when = f"night of {row['night']}" if row["profile"] == "night" else row["started_at"][:16]
    print(f"Imported {row['profile']} session {rec.session_id} ({when}, {plural(n, 'cramp')}).")
    return 0


def _recording_path(result: dict, path: Path) -> str | None:
    """The recording an imported result was scored from, absolute where it can be found: its
    ``input.path`` (``detect --json``; a relative one from here, else beside the JSON file)."""
    said = result.get("input", {}).get("path") if isinstance(result.get("input"), dict) else None
    if not isinstance(said, str) or not said:
        return None
    for base in (Path.cwd(), path.parent):
        if (base / said).exists():
            return str((base / said).resolve())
    return said


def _detection_result(path: Path) -> tuple[dict, float, dt.datetime | None]:
    """A ``detect --json`` file, or a recording with stored events (``record`` sessions).

    Returns the result, the stream time of its start and its creation time if known.
    """
    if path.suffix.lower() in (".json", ".jsonl", ".ndjson"):
        from crampdetect.storage.limits import read_json

        try:
            result = read_json(path, "detection result")
        except InputError as exc:
            n = _json_lines(path)
            if n > 1:  # `detect DIR --json > all.jsonl`: one line per recording
                raise InputError(
                    f"{path} holds {n} detection results, one JSON line per recording "
                    "(`detect --json` of several files): import one recording at a time, "
                    "e.g. crampdetect detect NIGHT.csv --json > night.json"
                ) from None
            raise InputError(f"not a JSON detection result: {exc}") from None
        if not isinstance(result, dict):
            raise InputError(f"{path}: expected a JSON object with 'events'")
        return result, 0.0, None
    from crampdetect.storage.reader import open_recording

    rec = open_recording(path)
    if not rec.events and not rec.quality and rec.kind != "session":
        raise InputError(f"{path}: has no detector events; run `crampdetect detect --json` on it")
    result = {
        "input": {
            "path": str(path.resolve()),  # the recording itself
            "channels": list(rec.channels),
            "duration_s": rec.duration_s,
            "profile": rec.profile,
        },
        "events": [e.to_dict() | {"id": e.id} for e in rec.events],
        "quality": [q.to_dict() for q in rec.quality],
        "history_session": rec.meta.get("history_session"),
    }
    return result, rec.t_start, _created(rec)


def _created(rec) -> dt.datetime | None:
    """When a recording began (its ``meta["created_utc"]``), None if it does not say."""
    created = rec.meta.get("created_utc")
    if not isinstance(created, str):
        return None
    try:
        return dt.datetime.fromisoformat(created.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return None


def _recording_start(rec) -> dt.datetime | None:
    """The wall-clock time of stream time 0 of ``--recording`` (its own start: a session's,
    or a copy's sidecar ``created_utc``), None if it does not say."""
    created = _created(rec)
    return None if created is None else created - dt.timedelta(seconds=rec.t_start)


def _json_lines(path: Path, most: int = 100_000) -> int:
    """How many of the first ``most`` lines of ``path`` are JSON objects (0 if unreadable)."""
    import json

    n = 0
    try:
        with path.open(encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                if i >= most:
                    break
                try:
                    n += isinstance(json.loads(line), dict)
                except ValueError:
                    continue
    except (OSError, UnicodeDecodeError):
        return 0
    return n


def _profile(result: dict, given: str | None, path: Path) -> str | None:
    """The kind to store: the profile the file says its events were scored with, else ``given``
    (``None``: the default, night). A ``given`` that contradicts the file is an error: the
    events would be filed under a profile they were not scored with."""
    meta = result.get("input") if isinstance(result.get("input"), dict) else {}
    said = result.get("profile", meta.get("profile"))
    if not isinstance(said, str) or not said:
        return given
    if given and given != said:
        raise InputError(
            f"{path} was scored with the {said} profile, not {given}: import it without "
            f"--profile, or re-score it first (crampdetect detect FILE --profile {given} --json)"
        )
    return said


def _live_session(history: object, link: object) -> object | None:
    """The history session a ``monitor --history --record`` recording was written with, if
    this history holds it (same id, start and source: another history's id means nothing)."""
    if not isinstance(link, dict) or not isinstance(link.get("id"), int):
        return None
    try:
        row = history.session(link["id"])  # type: ignore[attr-defined]
    except InputError:
        return None
    same = (row["started_at"], row["source"]) == (link.get("started_at"), link.get("source"))
    return row if same else None
