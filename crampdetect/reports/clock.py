"""Stream times printed for people: the one clock format helper of the CLI and the reports."""

from __future__ import annotations


def clock(t_s: float, style: str = "hms", decimals: int = 0, pad_hours: bool = False) -> str:
    """Time ``t_s`` (s) as ``h:mm:ss`` ("hms"), ``h:mm`` ("hm"), total minutes ``m:ss`` ("ms"),
    or "hms" from an hour on and "ms" below ("auto"); ``decimals`` digits of a second.

    >>> clock(3725.04), clock(239.99, decimals=1), clock(63.675, decimals=3, pad_hours=True)
    ('1:02:05', '0:04:00.0', '00:01:03.675')
    >>> clock(3725, "hm"), clock(185, "ms"), clock(185, "auto"), clock(-65, "ms")
    ('1:02', '3:05', '3:05', '-1:05')
    """
    sign, t_s = ("-" if t_s < 0 else ""), abs(t_s)
    scale = 10**decimals
    whole, frac = divmod(round(t_s * scale), scale)
    h, rem = divmod(whole, 3600)
    m, s = divmod(rem, 60)
    sec = f"{s:02d}" + (f".{frac:0{decimals}d}" if decimals else "")
    hours = f"{h:02d}" if pad_hours else f"{h}"
    if style == "auto":
        style = "hms" if h else "ms"
    if style == "hm":
        return f"{sign}{hours}:{m:02d}"
    if style == "ms":
        return f"{sign}{h * 60 + m}:{sec}"
    return f"{sign}{hours}:{m:02d}:{sec}"


#: Time stamps in this range (s) are read as Unix times (UTC, 2001-2286), not stream seconds.
UNIX_TIME_S = (1e9, 1e10)


def is_unix_time(t_s: float) -> bool:
    """Whether ``t_s`` (s) is a plausible Unix time rather than seconds into a stream.

    >>> is_unix_time(1764950415.9), is_unix_time(3600.0)
    (True, False)
    """
    return UNIX_TIME_S[0] < t_s < UNIX_TIME_S[1]


def utc_clock(t_s: float, decimals: int = 0) -> str:
    """Unix time ``t_s`` (s) as the UTC clock time ``hh:mm:ss`` with ``decimals`` digits.

    >>> utc_clock(1764950415.975, decimals=3)
    '16:00:15.975'
    """
    return clock(t_s % 86400, decimals=decimals, pad_hours=True)
