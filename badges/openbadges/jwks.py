"""Public keys as JWK and JWK Sets (RFC 7517): how verifiers find a VC-JWT's key.

OB 3.0 says a VC-JWT header ``kid`` is a URI that dereferences to the issuer's public
JWK, and that an issuer "must set it to an existing key in its set". So the ``kid`` of a
badge key in a set we publish is the full URI the headers carry
(``<set URL>#<RFC 7638 thumbprint>``): a standard JWKS lookup (jose, joserfc, authlib)
finds the key by the header's ``kid`` as is. Each entry also carries the implementation
guide's ``iss`` member, the issuer profile whose credentials the key may verify, so a
verifier can refuse a key that speaks for someone else (:func:`issuer_jwk`).

Reading is deliberately forgiving where the wild is sloppy (base64url with ``=``
padding) and strict where it matters: a JWK carrying private members is refused, because
a "public" key that leaks its private part is a sign of a broken issuer, and OB 3.0
forbids it in an embedded ``jwk`` header.

:func:`read_public_jwk` is the one JWK reader of Chemins: badge verification reads
issuers' keys through it (:func:`key_from_jwk`, :func:`parse_jwks`, which add the OB 3.0
key rules) and the LTI launch reads platforms' keys through it
(``lti_tool.lti1p3.platform_keys``). The members are decoded by PyJWT's own JWK reader.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

import jwt

from badges.openbadges.keys import (
    ES256,
    RS256,
    PrivateKey,
    PublicKey,
    algorithm_for,
    public_key_of,
    required_jwk_members,
    thumbprint_kid,
)

# Members that only a private JWK has (RFC 7518 §6.2.2, §6.3.2, and "k" of octet keys).
PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})

JWKS_MEDIA_TYPE = "application/jwk-set+json"


class JwkError(ValueError):
    """A JWK or JWK Set is malformed, private, or of a kind we do not verify with."""


def public_jwk(
    key: PrivateKey | PublicKey, kid: str | None = None, iss: str | None = None
) -> dict[str, str]:
    """The public JWK of ``key``: ``kty``, key members, ``kid``, ``alg`` and ``use: sig``.

    Given a private key, only its public half is written; ``kid`` defaults to the
    thumbprint (what LTI platforms look the tool's key up by). ``iss``, when given, names
    the one issuer whose credentials the key verifies.
    """
    public = public_key_of(key)
    jwk: dict[str, str] = dict(required_jwk_members(public))
    jwk["kid"] = kid if kid is not None else thumbprint_kid(public)
    if iss is not None:
        jwk["iss"] = iss
    jwk["alg"] = algorithm_for(public)
    jwk["use"] = "sig"
    return jwk


def issuer_jwk(key: PrivateKey | PublicKey, jwks_url: str, iss: str) -> dict[str, str]:
    """The entry of a badge key in the set at ``jwks_url``, speaking for issuer ``iss``.

    Its ``kid`` is :func:`kid_uri`, exactly the string a VC-JWT signed with this key and
    pointing at this set carries in its header.
    """
    return public_jwk(key, kid=kid_uri(jwks_url, key), iss=iss)


def jwks_document(keys: Iterable[PrivateKey | PublicKey]) -> dict[str, list[dict[str, str]]]:
    """A JWK Set of the public halves of ``keys``, in the given order.

    During a rotation both the new and the old key belong here, so that badges signed
    with the old key keep verifying.
    """
    return {"keys": [public_jwk(key) for key in keys]}


def has_private_members(jwk: Mapping[str, Any]) -> bool:
    """True if the JWK carries any private key material."""
    return any(name in jwk for name in PRIVATE_MEMBERS)


def read_public_jwk(jwk: Mapping[str, Any]) -> PublicKey:
    """The public key a JWK describes, RSA (of any size) or EC P-256; JwkError otherwise.

    ``n``/``e`` and ``x``/``y`` may be base64url with or without ``=`` padding (both are
    published). The size of an RSA key is the caller's rule: an LTI platform's short
    key must still be known by its ``kid`` to be refused when a launch names it.
    """
    if not isinstance(jwk, Mapping):
        raise JwkError("a JWK must be a JSON object")
    if has_private_members(jwk):
        raise JwkError("the JWK contains private key material")
    kty = jwk.get("kty")
    if kty == "RSA":
        algorithm = RS256
    elif kty == "EC":
        if jwk.get("crv") != "P-256":
            raise JwkError(f"unsupported EC curve: {jwk.get('crv')!r} (only P-256)")
        algorithm = ES256
    else:
        raise JwkError(f"unsupported key type: {kty!r} (RSA or EC)")
    try:
        # The algorithm follows from the key type, whatever the JWK's own "alg" says.
        key = jwt.PyJWK(dict(jwk), algorithm).key
    except jwt.PyJWTError as exc:
        raise JwkError(f"invalid {kty} public key: {exc}") from exc
    return cast(PublicKey, key)


def key_from_jwk(jwk: Mapping[str, Any]) -> PublicKey:
    """The public key described by ``jwk`` (RSA ≥ 2048 bits or EC P-256).

    Refuses private JWKs instead of silently dropping the private part.
    """
    key = read_public_jwk(jwk)
    try:
        algorithm_for(key)
    except ValueError as exc:
        raise JwkError(str(exc)) from exc
    return key


def parse_jwks(document: Any) -> dict[str, PublicKey]:
    """The signing keys of a JWK Set, by ``kid``; keys without a ``kid`` get their thumbprint.

    Entries we cannot use (other key types, ``use: enc``, malformed) are skipped rather
    than failing the whole set, since a JWKS may legitimately hold keys for other
    purposes; a private entry fails the whole set because it means the publisher is
    leaking secrets.
    """
    if not isinstance(document, Mapping) or not isinstance(document.get("keys"), list):
        raise JwkError('a JWK Set must be an object with a "keys" array')
    found: dict[str, PublicKey] = {}
    for entry in document["keys"]:
        if not isinstance(entry, Mapping):
            continue
        if has_private_members(entry):
            raise JwkError("the JWK Set contains private key material")
        if entry.get("use") not in (None, "sig"):
            continue
        try:
            key = key_from_jwk(entry)
        except JwkError:
            continue
        kid = entry.get("kid")
        found[kid if isinstance(kid, str) and kid else thumbprint_kid(key)] = key
    return found


def find_jwk(document: Any, kid: str) -> Mapping[str, Any] | None:
    """The entry of a JWK Set whose ``kid`` is ``kid``, or a lone JWK that has it.

    A ``kid`` URI may dereference to a JWK Set (then its fragment names the key) or
    straight to one JWK; both shapes are accepted.
    """
    if not isinstance(document, Mapping):
        return None
    if "kty" in document:
        return document if document.get("kid") in (None, kid) else None
    entries = document.get("keys")
    if not isinstance(entries, list):
        return None
    for entry in entries:
        if isinstance(entry, Mapping) and entry.get("kid") == kid:
            return entry
    return None


def well_known_jwks_url(origin: str) -> str:
    """Where OB 3.0 expects an issuer's keys: ``<origin>/.well-known/jwks.json``."""
    return origin.rstrip("/") + "/.well-known/jwks.json"


def kid_uri(jwks_url: str, key: PrivateKey | PublicKey) -> str:
    """The JWT header ``kid`` for ``key``: the JWKS URL with the thumbprint as fragment."""
    return f"{jwks_url}#{thumbprint_kid(key)}"
