"""Morning summary of a night (or a training session) from the local history, with a trend."""

from __future__ import annotations

import argparse
import datetime as dt

from crampdetect.core import InputError
from crampdetect.text import date_hint


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--night", metavar="DATE", help="night to summarise (default: the latest)")
    parser.add_argument("--session", type=int, metavar="ID", help="show one session instead")
    parser.add_argument(
        "--training",
        action="store_true",
        help="show the training session stored last (monitored or imported)",
    )
    parser.add_argument(
        "--user",
        metavar="NAME",
        help="only this wearer's sessions (as `monitor --user` or `history --import --user` "
        "stored them; default: everyone's)",
    )
    parser.add_argument("--weeks", type=int, default=8, help="weeks in the trend (default 8)")
    parser.add_argument(
        "--plot", metavar="FILE.png", help="also draw the night and the week to a PNG file"
    )


def run(args: argparse.Namespace) -> int:
    from crampdetect.reports import summary as S
    from crampdetect.storage.history import open_history

    if args.plot and not args.plot.lower().endswith(".png"):
        raise InputError(f"--plot needs a .png file name, got {args.plot!r}")
    if not 1 <= args.weeks <= 104:
        raise InputError(f"--weeks must be 1..104, got {args.weeks}")
    if args.plot:  # a missing extra stops the command before the summary, not after it
        from crampdetect.cli import require

        require("matplotlib")
    with open_history() as history:
        if args.session is not None or args.training:
            return _session(history, args)
        who = f" for user {args.user!r}" if args.user is not None else ""
        users = history.users()
        if args.user is None and len(users) > 1:
            names = ", ".join(u if u is not None else "(no user)" for u in users)
            print(f"Sessions of every wearer together ({names}): --user NAME shows one.\n")
        night = args.night
        if night is None:
            rows = history.sessions(profile="night", user=args.user)
            if not rows:
                print(f"No nights recorded yet{who}.")
                return 0
            night = max(r["night"] for r in rows)
        else:
            night = _date(night)
        summary = S.summarise_night(history, night, user=args.user)
        print(S.format_night(summary))
        timed = [i for i in summary.session_ids if history.records("activity", i)]
        if timed:  # a night recorded with monitor --history --record, or imported --recording
            shown = ", ".join(f"crampdetect summary --session {i}" for i in timed)
            print(f"Activity timeline: {shown}")
        print()
        print(S.format_trend(S.weekly_trend(history, night, args.weeks, user=args.user)))
        note = S.doctor_note(history, night, user=args.user)
        if note:
            print()
            print(note)
        if args.plot and summary.session_ids:
            from crampdetect.reports.night_plot import plot_night

            print(f"\nPlot written to {plot_night(history, night, args.plot)}")
    return 0


def _session(history: object, args: argparse.Namespace) -> int:
    from crampdetect.reports.session_view import format_session

    sid = args.session
    if sid is None:
        rows = history.sessions(profile="training", user=args.user)  # type: ignore[attr-defined]
        if not rows:
            print("No training sessions recorded yet.")
            return 0
        sid = max(int(r["id"]) for r in rows)  # the last stored: an import of an older file too
    print(format_session(history, sid))  # type: ignore[arg-type]
    if args.plot:
        from crampdetect.reports.night_plot import plot_sessions

        print(f"\nPlot written to {plot_sessions(history, [sid], args.plot)}")  # type: ignore[arg-type]
    return 0


def _date(value: str) -> str:
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise InputError(f"Invalid --night {value!r}: {date_hint(exc)}") from exc
