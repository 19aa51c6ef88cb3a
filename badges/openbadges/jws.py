"""Compact JWS over JSON payloads: how OB 2.0 signed badges travel.

A signed Assertion is the Assertion JSON as the payload of a JWS in compact
serialization (``header.payload.signature``); the spec recommends RS256 and Chemins also
signs with ES256, the two kinds of key a community holds (see
:mod:`badges.openbadges.keys`). OB 3.0 VC-JWTs share the wire format, which is why
:func:`parse` exists: the entry point peeks at header and payload, *without* trusting
them, to decide which verifier runs.

Only asymmetric algorithms are accepted. ``alg: none`` asks the verifier to trust an
unsigned document, so it is refused as unusable input before anything else happens;
HMAC (``HS*``) would need a secret shared with every verifier and therefore proves
nothing about the issuer, so it never verifies.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt import api_jws

from badges.openbadges.errors import UnusableInput
from badges.openbadges.keys import PrivateKey, PublicKey, algorithm_for, load_private_key

RSA_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")
EC_ALGORITHMS = ("ES256", "ES384", "ES512")
VERIFIABLE_ALGORITHMS = RSA_ALGORITHMS + EC_ALGORITHMS

_COMPACT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


class JwsError(Exception):
    """A JWS was examined and does not verify (bad signature, wrong key, refused alg)."""


@dataclass(frozen=True)
class ParsedJws:
    """Header and payload of a compact JWS, read without checking the signature."""

    token: str
    header: dict[str, Any]
    payload: dict[str, Any]

    @property
    def algorithm(self) -> str:
        return str(self.header.get("alg", ""))


def is_compact_jws(text: str) -> bool:
    """True if ``text`` has the shape of a compact JWS (three base64url segments)."""
    return bool(_COMPACT.match(text.strip()))


def _segment_json(segment: str, what: str) -> Any:
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        return json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise UnusableInput(f"the JWS {what} is not base64url-encoded JSON") from exc


def parse(token: str) -> ParsedJws:
    """Read header and payload without verifying, for dispatch and for error messages.

    Raises :class:`UnusableInput` when the text is not a compact JWS with a JSON object
    header and payload, or when the header declares ``alg: none``.
    """
    token = token.strip()
    if not is_compact_jws(token):
        raise UnusableInput("not a compact JWS (expected three base64url parts)")
    header_part, payload_part, signature = token.split(".")
    header = _segment_json(header_part, "header")
    if not isinstance(header, dict):
        raise UnusableInput("the JWS header is not a JSON object")
    if str(header.get("alg", "")).lower() == "none" or not signature:
        raise UnusableInput('the JWS is unsigned (alg "none"): there is nothing to verify')
    payload = _segment_json(payload_part, "payload")
    if not isinstance(payload, dict):
        raise UnusableInput("the JWS payload is not a JSON object")
    return ParsedJws(token, header, payload)


def sign(
    payload: Mapping[str, Any],
    private_key: PrivateKey | str | bytes,
    *,
    headers: Mapping[str, Any] | None = None,
) -> str:
    """Sign a JSON payload as a compact JWS; the key decides the alg (RS256 or ES256).

    The payload is serialised compactly with UTF-8 kept as is, so the signed bytes are
    the ones a consumer will decode. ``headers`` adds e.g. ``kid``; ``alg`` cannot be
    overridden because a mismatch with the key would only produce unverifiable badges.
    The header is ``{"alg": …}`` alone by default, as in the spec's examples.
    """
    key = load_private_key(private_key) if isinstance(private_key, str | bytes) else private_key
    algorithm = algorithm_for(key)
    body = json.dumps(dict(payload), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    extra: dict[str, Any] = {k: v for k, v in (headers or {}).items() if k != "alg"}
    # PyJWT adds "typ": "JWT" unless told otherwise; an OB 2.0 JWS is not a JWT.
    extra.setdefault("typ", None)
    return api_jws.encode(body, key, algorithm=algorithm, headers=extra)


def _load_public_key(key: PublicKey | str | bytes) -> PublicKey:
    if not isinstance(key, str | bytes):
        return key
    data = key.encode("ascii", "replace") if isinstance(key, str) else key
    try:
        loaded = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise JwsError("the public key is not a readable PEM public key") from exc
    if not isinstance(loaded, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise JwsError(f"unsupported public key type: {type(loaded).__name__}")
    return loaded


def verify(token: str, public_key: PublicKey | str | bytes) -> dict[str, Any]:
    """Check the signature of ``token`` with ``public_key`` and return the payload.

    The algorithm must be asymmetric and match the key's family (an RSA key never
    verifies an ES256 header and vice versa), which closes algorithm-confusion attacks.
    """
    parsed = parse(token)
    algorithm = parsed.algorithm
    if algorithm.upper().startswith("HS"):
        raise JwsError(f"{algorithm} is a shared-secret algorithm and cannot prove an issuer")
    key = _load_public_key(public_key)
    allowed = RSA_ALGORITHMS if isinstance(key, rsa.RSAPublicKey) else EC_ALGORITHMS
    if algorithm not in allowed:
        raise JwsError(f"algorithm {algorithm!r} does not fit a {type(key).__name__} key")
    try:
        api_jws.decode(parsed.token, key, algorithms=[algorithm])
    except jwt.InvalidSignatureError as exc:
        raise JwsError("the signature does not match the payload and key") from exc
    except jwt.PyJWTError as exc:
        raise JwsError(f"the JWS does not verify: {exc}") from exc
    return parsed.payload
