"""Platform public keys, fetched from each registration's JWKS URL and cached.

A platform rotates its keys by publishing a new one under a new ``kid``; the tool learns
about it when an id_token names a ``kid`` it has not seen. So the cache is refreshed
once on an unknown ``kid`` (SF §6.3) and otherwise lives as long as the JWKS response's
``Cache-Control: max-age`` says (bounded, so a misconfigured platform cannot pin a key
for a year). Refetches are also spaced out: a stream of forged tokens with random
``kid`` values must not turn the tool into a flood of requests against the platform.

Only RSA signing keys are kept (LTI uses RS256 alone). Moduli and exponents are read as
base64url with or without ``=`` padding, because both appear in the wild. A key shorter
than 2,048 bits is kept in the cache (its ``kid`` is known, so tokens naming it cause no
refetch) but never used: a signature it verifies proves little (RFC 7518 §3.3 requires
2,048 bits for RS256; Moodle and Open edX generate 2,048-bit keys).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from badges.openbadges.jwks import JwkError, has_private_members, read_public_jwk
from badges.outbound.client import OutboundClient
from badges.outbound.errors import OutboundError
from badges.outbound.summary import summarise
from lti_tool.lti1p3.exceptions import PlatformKeysUnavailable, UnknownKeyId, WeakPlatformKey

TIMEOUT = 5
#: A JWKS holds a few keys: a few kilobytes. More is not a keyset.
MAX_BYTES = 256 * 1024
DEFAULT_TTL = 300
MAX_TTL = 24 * 3600
#: Seconds between two refetches of the same JWKS caused by unknown ``kid`` values.
MIN_REFETCH_INTERVAL = 10
#: The shortest RSA modulus a launch may be signed with (RFC 7518 §3.3).
MIN_RSA_BITS = 2048
_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)\"?", re.IGNORECASE)


def jwk_to_public_key(jwk: dict[str, Any]) -> rsa.RSAPublicKey:
    """An RSA public key from a JWK (``n``, ``e`` padded or not), of any size.

    Read by Chemins' one JWK reader (:func:`badges.openbadges.jwks.read_public_jwk`);
    the size is checked when the key is used (:meth:`PlatformKeys.key`).
    """
    key = read_public_jwk(jwk)
    if not isinstance(key, rsa.RSAPublicKey):
        raise JwkError("not an RSA key")
    return key


def parse_jwks(document: Any) -> dict[str, rsa.RSAPublicKey]:
    """The usable signing keys of a JWKS, by ``kid``; other keys are skipped.

    A set that publishes private key material is refused whole: whoever holds it can
    sign launches, so no key of that set proves anything.
    """
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise PlatformKeysUnavailable("JWKS is not an object with a 'keys' array")
    keys: dict[str, rsa.RSAPublicKey] = {}
    for jwk in document["keys"]:
        if isinstance(jwk, dict) and has_private_members(jwk):
            raise PlatformKeysUnavailable("the JWKS contains private key material")
        if not isinstance(jwk, dict) or jwk.get("kty") != "RSA" or not jwk.get("kid"):
            continue
        if jwk.get("use", "sig") != "sig" or jwk.get("alg", "RS256") != "RS256":
            continue
        try:
            keys[str(jwk["kid"])] = jwk_to_public_key(jwk)
        except JwkError:
            continue
    return keys


def max_age(cache_control: str | None) -> int:
    """Seconds the JWKS may be reused, from ``Cache-Control`` (bounded to a day)."""
    if not cache_control:
        return DEFAULT_TTL
    lowered = cache_control.lower()
    if "no-store" in lowered or "no-cache" in lowered:
        return 0
    found = _MAX_AGE.search(cache_control)
    if not found:
        return DEFAULT_TTL
    return min(int(found.group(1)), MAX_TTL)


@dataclass
class _Entry:
    keys: dict[str, rsa.RSAPublicKey]
    expires_at: float
    #: When an unknown ``kid`` last caused a refetch (None: never since the cache filled).
    refetched_at: float | None = None


@dataclass
class PlatformKeys:
    """A process-wide cache of platform JWKS, safe to share between web threads.

    ``http`` is the guarded client (:mod:`badges.outbound`); the web app passes its own,
    which knows the instance's allowlist. JWKS URLs are fetched without following
    redirects: a keyset that moved is a registration to update, not a hop to trust.
    """

    http: OutboundClient = field(default_factory=OutboundClient)
    clock: Callable[[], float] = time.monotonic
    min_refetch_interval: float = MIN_REFETCH_INTERVAL
    _entries: dict[str, _Entry] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _fetch(self, url: str, refetched_at: float | None) -> _Entry:
        try:
            response = self.http.get(
                url, timeout=TIMEOUT, max_bytes=MAX_BYTES, headers={"Accept": "application/json"}
            )
            if response.status_code != 200:  # a redirect too: it is not followed
                raise PlatformKeysUnavailable(
                    f"cannot fetch JWKS from {url}: {summarise(response)}"
                )
            keys = parse_jwks(response.json())
        except (OutboundError, ValueError) as exc:
            raise PlatformKeysUnavailable(f"cannot fetch JWKS from {url}: {exc}") from exc
        ttl = max_age(response.headers.get("Cache-Control"))
        entry = _Entry(keys, self.clock() + ttl, refetched_at)
        self._entries[url] = entry
        return entry

    def key(self, jwks_url: str, kid: str) -> rsa.RSAPublicKey:
        """The key named ``kid`` at ``jwks_url``, refetching the JWKS at most once.

        A JWKS fetched for this very call is not fetched again; a cached one is, unless
        an unknown ``kid`` already caused a refetch less than ``min_refetch_interval``
        seconds ago. Raises :class:`WeakPlatformKey` for a key shorter than
        :data:`MIN_RSA_BITS`.
        """
        key = self._find(jwks_url, kid)
        if key.key_size < MIN_RSA_BITS:
            raise WeakPlatformKey(
                f"key {kid!r} in {jwks_url} has {key.key_size} bits ({MIN_RSA_BITS} at least)"
            )
        return key

    def _find(self, jwks_url: str, kid: str) -> rsa.RSAPublicKey:
        with self._lock:
            now = self.clock()
            entry = self._entries.get(jwks_url)
            if entry is None or entry.expires_at <= now:
                entry = self._fetch(jwks_url, entry.refetched_at if entry else None)
                if kid in entry.keys:
                    return entry.keys[kid]
                raise UnknownKeyId(f"no key {kid!r} in {jwks_url}")
            if kid in entry.keys:
                return entry.keys[kid]
            recent = entry.refetched_at is not None and (
                now - entry.refetched_at < self.min_refetch_interval
            )
            if not recent:
                entry = self._fetch(jwks_url, now)
                if kid in entry.keys:
                    return entry.keys[kid]
        raise UnknownKeyId(f"no key {kid!r} in {jwks_url}")

    def forget(self, jwks_url: str | None = None) -> None:
        """Drop cached keys (one URL or all), e.g. after an admin edits a registration."""
        with self._lock:
            if jwks_url is None:
                self._entries.clear()
            else:
                self._entries.pop(jwks_url, None)
