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
