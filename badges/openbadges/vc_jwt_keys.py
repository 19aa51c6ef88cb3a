"""Finding the public key of a VC-JWT, and refusing keys that prove nothing.

OB 3.0 lets the header name the key in two ways. ``kid`` is a URI that dereferences to a
JWK: we fetch the JWK Set (the part before ``#``) and take the key whose ``kid`` is the
header's ``kid`` exactly, as the spec asks issuers to publish it; sets in the wild that
list the key under the fragment alone (``…/jwks.json#<thumbprint>`` with ``kid:
<thumbprint>``) are still read, by the fragment, when no entry has the full ``kid``.

Because whoever controls a key can sign any credential naming any issuer, two bindings
tie the key to the credential's issuer. The ``kid`` URL must be on the origin of the
issuer id (otherwise a forger could host a key on their own site), and a key entry that
carries the implementation guide's ``iss`` member speaks for that issuer alone: one host
may publish the keys of many issuers in one set (Chemins' ``/.well-known/jwks.json``
lists every community's keys next to its LTI key), and a key of one of them never
verifies a credential of another.

``jwk`` embeds the public key itself: the signature then proves only that the token was
not altered, so the key is accepted with a warning that nothing ties
it to the issuer, and refused outright if it carries private members.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from badges.openbadges import jwks
from badges.openbadges.keys import PublicKey
from badges.openbadges.loader import LoaderError
from badges.openbadges.report import VerificationReport
from badges.openbadges.vc_jwt import VcJwt

JWKS_ACCEPT = "application/jwk-set+json, application/json"


def origin(url: str) -> tuple[str, str] | None:
    """``(scheme, host[:port])`` of an http(s) URL, None for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return parts.scheme, parts.netloc.lower()


def resolve_key(
    token: VcJwt,
    issuer: str | None,
    fetch_json: Callable[[str, str], Any],
    report: VerificationReport,
    where: str = "header",
) -> PublicKey | None:
    """The public key the header names, or None after reporting why there is none.

    ``fetch_json(url, accept)`` returns the parsed document or raises
    :class:`~badges.openbadges.loader.LoaderError`; ``where`` is the path findings get.
    """
    kid = token.header.get("kid")
    if not isinstance(kid, str) or not kid:
        return _embedded_key(token.header.get("jwk"), report, where)
    kid_origin = origin(kid)
    if kid_origin is None:
        report.error("ob3.kid", "the JWT kid is not an http(s) URL we can dereference", where)
        return None
    if issuer is None or origin(issuer) != kid_origin:
        report.error(
            "ob3.kid-origin",
            "the signing key is not published on the issuer id's origin",
            where,
        )
        return None
    url, _, fragment = kid.partition("#")
    try:
        document = fetch_json(url, JWKS_ACCEPT)
    except LoaderError as exc:
        report.error("ob3.key-unavailable", f"cannot fetch the signing key: {exc}", where)
        return None
    entry = jwks.find_jwk(document, kid)
    if entry is None and fragment:
        entry = jwks.find_jwk(document, fragment)
    if entry is None:
        report.error("ob3.kid-unknown", "no key with this kid in the issuer's JWKS", where)
        return None
    if jwks.has_private_members(entry):
        report.error("ob3.jwk-private", "the published JWK contains private key material", where)
        return None
    if "iss" in entry and entry["iss"] != issuer:
        report.error("ob3.jwk-iss", "the JWK's iss is not the credential's issuer", where)
        return None
    try:
        return jwks.key_from_jwk(entry)
    except jwks.JwkError as exc:
        report.error("ob3.jwk", f"unusable JWK: {exc}", where)
        return None


def _embedded_key(jwk: Any, report: VerificationReport, where: str) -> PublicKey | None:
    if not isinstance(jwk, Mapping):
        report.error("ob3.jwt-key", "JWT header names no key (kid or jwk)", where)
        return None
    if jwks.has_private_members(jwk):
        report.error("ob3.jwk-private", "the JWT header jwk contains private key material", where)
        return None
    try:
        key = jwks.key_from_jwk(jwk)
    except jwks.JwkError as exc:
        report.error("ob3.jwk", f"unusable JWK: {exc}", where)
        return None
    report.warn(
        "ob3.key-unbound",
        "the key is embedded in the JWT: nothing ties it to the named issuer",
        where,
    )
    return key
