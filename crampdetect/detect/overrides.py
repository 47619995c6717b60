"""Detector settings changed by name: ``--set NAME=VALUE`` and ``detect(settings={...})``.

One owner for both, so the command line and the Python API accept the same names and values
and refuse the others with the same messages: an unknown name, a value out of the range in
:data:`~crampdetect.detect.settings.LIMITS` (``DetectorSettings`` checks both), a value that is
not a number, a switch (``early_warning``) that is not true or false.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from crampdetect.core import InputError
from crampdetect.detect.settings import DetectorSettings

#: Words a switch takes on the command line (and as a string in the API).
TRUE_WORDS = ("true", "1", "on", "yes")
FALSE_WORDS = ("false", "0", "off", "no")


def _switches() -> set[str]:
    return {f.name for f in dataclasses.fields(DetectorSettings) if f.type in (bool, "bool")}


def check_overrides(
    changes: Mapping[str, object], what: str = "settings"
) -> dict[str, float | bool]:
    """``changes`` (setting name -> value) as the detector takes them, or :class:`InputError`.

    A number (or its text) for a numeric setting, a bool (or ``true``/``false``/``1``/``0``/
    ``on``/``off``/``yes``/``no``, any case) for a switch; each is checked against the
    settings' names and ranges.
    ``what`` names the option in the messages (``--set`` on the command line).

    >>> check_overrides({"slow_s": 9, "early_warning": "off"})
    {'slow_s': 9.0, 'early_warning': False}
    >>> check_overrides({"early_warning": "Yes"})
    {'early_warning': True}
    >>> check_overrides({"slow_s": 0})
    Traceback (most recent call last):
    crampdetect.core.InputError: Detector setting slow_s=0.0 out of range 0.1..600 s
    """
    switches = _switches()
    out: dict[str, float | bool] = {}
    for raw_name, value in changes.items():
        name = str(raw_name).strip()
        if name in switches:  # e.g. --set early_warning=true
            if isinstance(value, bool):
                out[name] = value
                continue
            word = str(value).strip().lower()
            if word not in TRUE_WORDS + FALSE_WORDS:
                raise InputError(f"{what} {name}: {value!r} is not true or false")
            out[name] = word in TRUE_WORDS
            continue
        try:
            if isinstance(value, bool):  # True is not a number of seconds
                raise TypeError
            out[name] = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise InputError(f"{what} {name}: {value!r} is not a number") from None
    DetectorSettings().replace(**out)  # unknown names, out of range -> InputError
    return out


def parse_overrides(items: Iterable[str]) -> dict[str, float | bool]:
    """``--set NAME=VALUE`` options (repeatable) as :func:`check_overrides` gives them.

    >>> parse_overrides(["slow_s=9", "early_warning=true"])
    {'slow_s': 9.0, 'early_warning': True}
    """
    changes: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise InputError(f"--set takes NAME=VALUE, got {item!r}")
        changes[name.strip()] = value
    return check_overrides(changes, "--set")
