"""Where an issuer's hosted OB 2.0 badges may live (the issuer VerificationObject).

A hosted badge proves its issuer only because it is served from the issuer's own web
origin: anyone can publish JSON naming any issuer, but only the issuer controls its
site. So by default a hosted Assertion and its BadgeClass must share the origin (scheme,
host, port) of the issuer Profile's ``id``. The issuer can widen that with
``allowedOrigins`` (host names, e.g. a CDN) or pin exact URL prefixes with
``startsWith``; when ``startsWith`` is given, an id must begin with one of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from badges.openbadges.ob2_rules import as_list


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the scheme's default port made explicit."""
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


def same_origin(first: str, second: str) -> bool:
    return origin(first) == origin(second)


def hosting_policy(issuer: Mapping[str, Any]) -> tuple[list[str], set[str]]:
    """The issuer's ``startsWith`` prefixes and ``allowedOrigins`` host names."""
    policy = next((v for v in as_list(issuer.get("verification")) if isinstance(v, Mapping)), {})
    prefixes = [p for p in as_list(policy.get("startsWith")) if isinstance(p, str)]
    hosts = {h.lower() for h in as_list(policy.get("allowedOrigins")) if isinstance(h, str)}
    return prefixes, hosts


def hosted_by_issuer(url: str, issuer: Mapping[str, Any]) -> bool:
    """True if ``url`` is a place where ``issuer`` may host its badges."""
    issuer_id = issuer.get("id")
    if not isinstance(issuer_id, str):
        return False
    prefixes, hosts = hosting_policy(issuer)
    if prefixes:
        return any(url.startswith(prefix) for prefix in prefixes)
    return same_origin(url, issuer_id) or origin(url)[1] in hosts
