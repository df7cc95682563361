"""Small pieces of the service's pages: escaping, and sizes, lengths and times in words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape


def attr(value: str) -> str:
    """``value`` escaped for an attribute in double quotes."""
    return escape(value, quote=True)


def text(value: str) -> str:
    """``value`` escaped for element content."""
    return escape(value, quote=False)


def human_bytes(n: int) -> str:
    """Decimal units, as file managers show them: 1.2 MB."""
    value = float(n)
    for unit in ("bytes", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{n} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def human_duration(seconds: float) -> str:
    """'6 minutes 54 seconds'."""
    total = round(seconds)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    parts = [f"{h} hour{'s' * (h != 1)}"] if h else []
    if m:
        parts.append(f"{m} minute{'s' * (m != 1)}")
    if s or not parts:
        parts.append(f"{s} second{'s' * (s != 1)}")
    return " ".join(parts)


def iso_duration(seconds: float) -> str:
    """'PT6M54S', for a <time> element's datetime."""
    total = round(seconds)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"PT{h}H{m}M{s}S" if h else f"PT{m}M{s}S"


def human_time(stamp: str) -> str:
    """'2025-03-03T14:05:00Z' -> '3 March 2025 at 14:05 UTC' (the stamp itself if unparsable)."""
    try:
        t = dt.datetime.fromisoformat(stamp).astimezone(dt.UTC)
    except ValueError:
        return stamp
    return f"{t.day} {t:%B %Y} at {t:%H:%M} UTC"


def join_words(words: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
