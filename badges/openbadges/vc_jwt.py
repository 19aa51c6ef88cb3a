"""VC-JWT, the OB 3.0 external proof: a credential as the payload of a compact JWS.

Why this proof and not Data Integrity: RS256/ES256 VC-JWTs need nothing beyond PyJWT and
``cryptography`` (no RDF canonicalization), every OB 3.0 verifier must accept RS256, and
the same keys already serve the tool's LTI messages.

The rules enforced here (OB 3.0, "JSON Web Token Proof Format"):

- header: ``alg`` RS256 or ES256 (the only ones the official validator accepts), either
  ``kid`` (a URI dereferencing to the public JWK) or ``jwk`` (public only), optional
  ``typ: "JWT"``, and no other parameter;
- payload: the credential itself, plus ``iss`` = issuer id, ``jti`` = credential id,
  ``nbf`` = ``validFrom``, ``sub`` = ``credentialSubject.id`` and ``exp`` = ``validUntil``
  when those exist. A verifier compares each claim with its credential field, so a
  payload whose claims and body disagree (a cut-and-paste forgery) is refused.

VCDM 1.1 VC-JWTs (credential under the ``vc`` claim, ``issuanceDate`` and
``expirationDate``) are read for verification only; we never write them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
from jwt.exceptions import InvalidSignatureError, InvalidTokenError

from badges.openbadges.errors import UnusableInput
from badges.openbadges.keys import ALGORITHMS, PrivateKey, PublicKey, algorithm_for, b64url_decode
from badges.openbadges.ob3_values import parse_date_time
from badges.openbadges.report import VerificationReport

ALLOWED_HEADER_PARAMETERS = frozenset({"alg", "kid", "jwk", "typ"})
REGISTERED_CLAIMS = ("iss", "jti", "nbf", "sub", "exp", "iat", "aud")


@dataclass(frozen=True)
class VcJwt:
    """A compact VC-JWT taken apart, its signature not yet checked."""

    token: str
    header: dict[str, Any]
    payload: dict[str, Any]
    credential: dict[str, Any]
    vcdm11: bool  # the credential came from a VCDM 1.1 ``vc`` claim


def issuer_id(credential: Mapping[str, Any]) -> str | None:
    """The issuer's id, whether ``issuer`` is a URI or a Profile object."""
    issuer = credential.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def subject_id(credential: Mapping[str, Any]) -> str | None:
    """``credentialSubject.id`` if the subject has one."""
    subject = credential.get("credentialSubject")
    if isinstance(subject, list) and subject:
        subject = subject[0]
    value = subject.get("id") if isinstance(subject, Mapping) else None
    return value if isinstance(value, str) else None


def _epoch(value: Any) -> int | None:
    moment = parse_date_time(value)
    return None if moment is None else math.floor(moment.timestamp())


def _same_second(claim: Any, expected: int | None) -> bool:
    """A NumericDate claim (a number, never a boolean) naming the second ``expected`` names."""
    return (
        isinstance(claim, int | float)
        and not isinstance(claim, bool)
        and expected is not None
        and math.floor(claim) == expected
    )


def registered_claims(credential: Mapping[str, Any]) -> dict[str, Any]:
    """The JWT claims a VC-JWT of ``credential`` must carry, derived from its fields."""
    iss = issuer_id(credential)
    jti = credential.get("id")
    nbf = _epoch(credential.get("validFrom"))
    if iss is None or not isinstance(jti, str) or nbf is None:
        raise ValueError("a credential needs issuer.id, id and a valid validFrom to be signed")
    claims: dict[str, Any] = {"iss": iss, "jti": jti, "nbf": nbf}
    sub = subject_id(credential)
    if sub is not None:
        claims["sub"] = sub
    if "validUntil" in credential:
        exp = _epoch(credential["validUntil"])
        if exp is None:
            raise ValueError("validUntil is not a valid date-time")
        claims["exp"] = exp
    return claims


def sign_credential(credential: Mapping[str, Any], private_key: PrivateKey, kid: str) -> str:
    """The compact VC-JWT of ``credential`` signed by ``private_key``.

    ``kid`` must be a URI a verifier can dereference to the public key, e.g. from
    :func:`badges.openbadges.jwks.kid_uri`. The algorithm follows from the key.
    """
    payload = {**credential, **registered_claims(credential)}
    return jwt.encode(
        payload,
        private_key,
        algorithm=algorithm_for(private_key),
        headers={"kid": kid, "typ": "JWT"},
    )


def _segment_json(segment: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(b64url_decode(segment))
    except (ValueError, UnicodeDecodeError) as exc:
        raise UnusableInput(f"the JWT {what} is not base64url-encoded JSON") from exc
    if not isinstance(value, dict):
        raise UnusableInput(f"the JWT {what} is not a JSON object")
    return value


def parse(token: str) -> VcJwt:
    """Take a compact VC-JWT apart without checking its signature.

    Raises :class:`UnusableInput` for anything that is not a JWT, and for ``alg: none``:
    an unsigned token claims nothing, so there is nothing to verify. A signed token whose
    signature was stripped is still a forged badge and fails at the signature check.
    """
    parts = token.strip().split(".")
    if len(parts) != 3 or not all(parts[:2]):
        raise UnusableInput("not a compact JWS: expected three dot-separated parts")
    header = _segment_json(parts[0], "header")
    payload = _segment_json(parts[1], "payload")
    alg = header.get("alg")
    if not isinstance(alg, str) or alg.lower() == "none":
        raise UnusableInput("the JWT is not signed (its alg is none or missing)")
    vc = payload.get("vc")
    if isinstance(vc, Mapping):
        credential = _credential_from_vc_claim(vc, payload)
        return VcJwt(token.strip(), header, payload, credential, True)
    credential = {key: value for key, value in payload.items() if key not in REGISTERED_CLAIMS}
    if "validUntil" not in credential and _iso(payload.get("exp")):
        # "exp MUST set validUntil": a credential that leaves it out expires at exp.
        credential["validUntil"] = _iso(payload["exp"])
    return VcJwt(token.strip(), header, payload, credential, False)


def _iso(epoch: Any) -> str | None:
    if not isinstance(epoch, int | float) or isinstance(epoch, bool):
        return None
    moment = datetime.fromtimestamp(epoch, UTC).replace(microsecond=0)
    return moment.isoformat().replace("+00:00", "Z")


def _credential_from_vc_claim(vc: Mapping[str, Any], payload: Mapping[str, Any]) -> dict[str, Any]:
    """A VCDM 1.1 credential, its omitted fields restored from the JWT claims.

    VC-JWT 1.1 lets an issuer move ``id``, ``issuer``, ``issuanceDate``, ``expirationDate``
    and the subject id into ``jti``, ``iss``, ``nbf``, ``exp`` and ``sub``; when both are
    present they are compared later like any VCDM 2.0 claim.
    """
    credential = dict(vc)
    if "id" not in credential and isinstance(payload.get("jti"), str):
        credential["id"] = payload["jti"]
    if "issuer" not in credential and isinstance(payload.get("iss"), str):
        credential["issuer"] = payload["iss"]
    if "issuanceDate" not in credential and _iso(payload.get("nbf")):
        credential["issuanceDate"] = _iso(payload["nbf"])
    if "expirationDate" not in credential and _iso(payload.get("exp")):
        credential["expirationDate"] = _iso(payload["exp"])
    subject = credential.get("credentialSubject")
    if isinstance(subject, Mapping) and "id" not in subject and isinstance(payload.get("sub"), str):
        credential["credentialSubject"] = {**subject, "id": payload["sub"]}
    return credential


def check_header(vc: VcJwt, report: VerificationReport, prefix: str = "") -> bool:
    """Report header violations; False if the signature cannot even be checked."""
    where = f"{prefix}header" if prefix else "header"
    alg = vc.header.get("alg")
    usable = True
    if alg not in ALGORITHMS:
        report.error(
            "ob3.jwt-alg", f"JWT alg {str(alg)[:20]} is not accepted (RS256 or ES256)", where
        )
        usable = False
    extra = sorted(set(vc.header) - ALLOWED_HEADER_PARAMETERS)
    if extra:
        report.error(
            "ob3.jwt-header", f"JWT header has parameters OB 3.0 forbids: {', '.join(extra)}", where
        )
    if "typ" in vc.header and vc.header["typ"] != "JWT":
        report.warn("ob3.jwt-typ", f'JWT typ is {str(vc.header["typ"])[:30]}, not "JWT"', where)
    has_kid = isinstance(vc.header.get("kid"), str) and bool(vc.header.get("kid"))
    has_jwk = isinstance(vc.header.get("jwk"), Mapping)
    if not has_kid and not has_jwk:
        report.error("ob3.jwt-key", "JWT header names no key (kid or jwk)", where)
        usable = False
    return usable


def verify_signature(vc: VcJwt, public_key: PublicKey) -> bool:
    """True if ``public_key`` signed ``vc`` with the header's algorithm.

    The algorithm must also match the key type, so a header cannot make an RSA key
    verify as something else.
    """
    alg = vc.header.get("alg")
    if alg not in ALGORITHMS or algorithm_for(public_key) != alg:
        return False
    try:
        jwt.PyJWS().decode(vc.token, public_key, algorithms=[alg])
    except (InvalidSignatureError, InvalidTokenError, ValueError):
        return False
    return True


def check_claims(vc: VcJwt, report: VerificationReport, prefix: str = "") -> None:
    """Compare each registered claim with the credential field it stands for."""
    credential, payload = vc.credential, vc.payload
    start, end = ("issuanceDate", "expirationDate") if vc.vcdm11 else ("validFrom", "validUntil")

    def mismatch(claim: str, field: str) -> None:
        report.error(
            f"ob3.jwt-{claim}",
            f"JWT claim {claim} does not match the credential's {field}",
            f"{prefix}payload.{claim}",
        )

    if payload.get("iss") != issuer_id(credential) or "iss" not in payload:
        mismatch("iss", "issuer id")
    if payload.get("jti") != credential.get("id") or "jti" not in payload:
        mismatch("jti", "id")
    if not _same_second(payload.get("nbf"), _epoch(credential.get(start))):
        mismatch("nbf", start)
    if payload.get("sub") != subject_id(credential):
        mismatch("sub", "credentialSubject.id")
    exp = payload.get("exp")
    exp_applies = start in credential and (end in credential or exp is not None)
    if exp_applies and not _same_second(exp, _epoch(credential.get(end))):
        mismatch("exp", end)
