"""Words for people: a count with its noun in the right number (``1 cramp``, ``2 cramps``)."""

from __future__ import annotations


def plural(n: int, noun: str, many: str | None = None) -> str:
    """``n`` and ``noun``, the noun in the plural unless ``n`` is 1 (``many``: irregular plural).

    >>> plural(1, "cramp"), plural(0, "cramp"), plural(3, "quality interval")
    ('1 cramp', '0 cramps', '3 quality intervals')
    >>> plural(2, "night", "nights")
    '2 nights'
    """
    return f"{n} {word(n, noun, many)}"


def word(n: int, noun: str, many: str | None = None) -> str:
    """``noun`` in the number that goes with ``n``, for a count printed apart from its noun.

    >>> word(1, "value"), word(4, "value")
    ('value', 'values')
    """
    if n == 1:
        return noun
    return many if many is not None else noun + "s"


def date_hint(exc: ValueError, form: str = "YYYY-MM-DD") -> str:
    """Why a date typed by the user was refused: a day or hour that does not exist (in the
    right form), else the form to use.

    >>> import datetime as dt
    >>> try:
    ...     dt.date.fromisoformat("2026-11-31")
    ... except ValueError as exc:
    ...     date_hint(exc)
    'no such date (day is out of range for month)'
    >>> try:
    ...     dt.date.fromisoformat("11/20/2026")
    ... except ValueError as exc:
    ...     date_hint(exc)
    'use YYYY-MM-DD'
    """
    reason = str(exc)
    if "out of range" in reason or "must be in" in reason:
        return f"no such date ({reason})"
    return f"use {form}"
