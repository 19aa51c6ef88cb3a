"""Web origins (``scheme://host[:port]``), to tell whether a URL belongs to a site.

A platform's launch names the URLs of its services (roster, gradebook). They are only
called on the origins the platform's registration already knows. Origins are spelt
by :func:`badges.models.platform.origin_of` (lowercase, default port dropped, nothing
but a plain http(s) host), the one spelling the rest of the tool uses too.
"""

from __future__ import annotations

from collections.abc import Iterable

from badges.models.platform import origin_of, origins_of
from badges.outbound.errors import NotAWebAddress


def origin(url: str) -> str:
    """``https://lms.example.org`` for any URL on that site; ``NotAWebAddress`` otherwise."""
    found = origin_of(url)
    if found is None:
        raise NotAWebAddress(f"{url[:80]!r} is not a web address")
    return found


def origins(urls: Iterable[str | None]) -> frozenset[str]:
    """The origins of ``urls``; empty values and non-web URLs are skipped."""
    return frozenset(origins_of(url for url in urls if url))


def on_origins(url: str, allowed: Iterable[str]) -> bool:
    """Whether ``url`` is on one of the ``allowed`` origins."""
    found = origin_of(url)
    return found is not None and found in origins(allowed)
