"""The value formats OB 3.0 properties use: URIs, date-times, ``type`` lists, compact JWS.

Shared by the shape rules, the VC-JWT claims and the verifier so that "a date-time" means
the same thing everywhere: RFC 3339 with seconds and an explicit zone, which is what the
1EdTech schemas' ``date-time`` format demands. A badge dated without a zone would be read
a day apart in Nouméa and in Paris.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_COMPACT_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$")


def is_uri(value: Any) -> bool:
    """An absolute URI (``https:``, ``urn:uuid:``, ``did:``, ``data:``...)."""
    return isinstance(value, str) and bool(_URI.match(value))


def parse_date_time(value: Any) -> datetime | None:
    """An RFC 3339 date-time with seconds and a zone, as an aware datetime; else None."""
    if not isinstance(value, str) or not _DATE_TIME.match(value):
        return None
    text = value.upper()
    text = text[:-1] + "+00:00" if text.endswith("Z") else text
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def type_names(value: Any) -> list[str]:
    """The names in a ``type`` value, which JSON-LD lets be one string or an array."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def is_compact_jws(value: Any) -> bool:
    """Three base64url segments separated by dots (the payload may be empty)."""
    return isinstance(value, str) and bool(_COMPACT_JWS.match(value))
