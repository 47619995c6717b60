"""Where the wearer's own files live: calibration profiles and the night history.

Everything stays on this machine, in the platform's user data directory (platformdirs),
or in ``$CRAMPDETECT_HOME`` when that is set (tests, portable installs).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from crampdetect.core import InputError

#: Environment variable that overrides the data directory.
HOME_ENV = "CRAMPDETECT_HOME"


def data_dir(create: bool = True) -> Path:
    """Directory for crampdetect's user data (created with mode 0700 if ``create``)."""
    override = os.environ.get(HOME_ENV)
    if override:
        path = Path(override).expanduser()
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir("crampdetect", appauthor=False))
    if create:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def history_path() -> Path:
    """The SQLite night-history file."""
    return data_dir() / "history.sqlite3"


def profile_path(user: str) -> Path:
    """The calibration profile (JSON) of ``user``."""
    return data_dir() / "profiles" / f"{check_user(user)}.json"


def check_user(user: str) -> str:
    """Validate a user name used in a file name: letters, digits, ``-``, ``_``, ``.``."""
    if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}", user or ""):
        raise InputError(f"Invalid user name {user!r}: use 1-64 letters, digits, '-', '_' or '.'")
    return user
