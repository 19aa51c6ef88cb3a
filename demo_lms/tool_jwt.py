"""Checking JWTs a tool signs (client assertions, Deep Linking responses), as a platform must.

lti1p3platform 0.1.8 checks only the signature and ``exp`` of these tokens, caches the
tool's keyset forever, and skips ``aud``, ``iss``/``sub`` and ``jti`` (reference §13.2).
A demo platform that accepts what Moodle would refuse would let the tool's bugs through
its tests, so this module does the full check: ``kid`` header selecting a key from the
tool's JWKS URL (fetched over HTTP, refetched once when the ``kid`` is unknown, so key
rotation works), RS256 only, required ``iss``/``sub``/``aud``/``exp``/``iat``, and the
caller's single-use ``jti`` or ``nonce`` memory.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

import jwt
import requests

TIMEOUT = 5
LEEWAY = 30


class ToolJwtRejected(Exception):
    """A tool's JWT failed a check; ``reason`` is the platform's short error text."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ToolKeysets:
    """Tool JWKS fetched over HTTP, cached per URL, refetched on an unknown ``kid``."""

    def __init__(self, http: requests.Session | None = None) -> None:
        self.http = http or requests.Session()
        self._cache: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def _fetch(self, url: str) -> dict[str, Any]:
        try:
            response = self.http.get(url, timeout=TIMEOUT)
            response.raise_for_status()
            keyset = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise ToolJwtRejected(f"tool keyset unavailable: {exc}") from exc
        if not isinstance(keyset, dict) or not isinstance(keyset.get("keys"), list):
            raise ToolJwtRejected("tool keyset is not a JWKS")
        with self._lock:
            self._cache[url] = keyset
        return keyset

    def key(self, url: str, kid: str) -> Any:
        """The public key with ``kid`` from the keyset at ``url``."""
        with self._lock:
            cached = self._cache.get(url)
        for keyset in (cached, None):
            if keyset is None:
                keyset = self._fetch(url)
            for jwk in keyset["keys"]:
                if isinstance(jwk, dict) and jwk.get("kid") == kid:
                    if jwk.get("kty") != "RSA":
                        raise ToolJwtRejected("tool key is not an RSA key")
                    return jwt.PyJWK(jwk, algorithm="RS256").key
            if cached is None:
                break
        raise ToolJwtRejected(f"no tool key with kid {kid!r}")


def unverified_claim(token: str, name: str) -> Any:
    """One claim read before verification, only to find which tool signed the token."""
    try:
        return jwt.decode(token, options={"verify_signature": False}).get(name)
    except jwt.PyJWTError as exc:
        raise ToolJwtRejected("not a JWT") from exc


def verify_tool_jwt(
    token: str,
    keysets: ToolKeysets,
    jwks_url: str,
    *,
    audience: str | Iterable[str],
    issuer: str,
    required: Iterable[str] = ("iss", "aud", "exp", "iat"),
) -> dict[str, Any]:
    """Verify signature (by ``kid``), ``alg``, ``iss``, ``aud``, ``exp``/``iat``."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise ToolJwtRejected("not a JWT") from exc
    if header.get("alg") != "RS256":
        raise ToolJwtRejected("only RS256 is accepted")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise ToolJwtRejected("JWT header has no kid")
    key = keysets.key(jwks_url, kid)
    audiences = [audience] if isinstance(audience, str) else list(audience)
    try:
        return jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            audience=audiences,
            issuer=issuer,
            leeway=LEEWAY,
            options={"require": list(required)},
        )
    except jwt.PyJWTError as exc:
        raise ToolJwtRejected(f"invalid JWT: {exc}") from exc
