"""ISO 8601 date-times as Open Badges 2.0 writes and reads them.

OB 2.0 requires a timezone on every DateTime (``Z`` or ``±hh:mm``); a naive value would be
read differently in Paris and in Montréal, and Unix timestamps belong to OB 1.0. So the
writer refuses naive datetimes instead of guessing, and the reader reports them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

# Date, "T", time with optional fraction, then a mandatory zone designator.
_ISO_WITH_ZONE = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$", re.IGNORECASE
)


class DateTimeError(ValueError):
    """A value is not an ISO 8601 date-time with a timezone."""


def format_datetime(value: datetime) -> str:
    """Serialise an aware datetime to ISO 8601 in UTC, seconds precision, with ``Z``.

    Issuers should never put a naive datetime into a badge, so this raises rather than
    assuming the server's local zone.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise DateTimeError("an Open Badges DateTime needs a timezone; got a naive datetime")
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_datetime(text: object) -> datetime:
    """Read an OB 2.0 DateTime, refusing values without a timezone and Unix timestamps."""
    if not isinstance(text, str) or not _ISO_WITH_ZONE.match(text.strip()):
        raise DateTimeError(f"not an ISO 8601 date-time with a timezone: {str(text)[:40]!r}")
    value = text.strip()
    if value[-1] in "zZ":
        value = value[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise DateTimeError(f"not a valid date-time: {text[:40]!r}") from exc
