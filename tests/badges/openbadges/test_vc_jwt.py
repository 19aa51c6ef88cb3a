"""VC-JWT: the header and claims OB 3.0 prescribes, and each check catching its forgery."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import jwt
import pytest

from badges.openbadges import keys, vc_jwt
from badges.openbadges.errors import UnusableInput
from badges.openbadges.report import VerificationReport

from . import ob3_samples as samples

ORIGIN = "https://chemins.test"
KID = f"{ORIGIN}/.well-known/jwks.json#abc"


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _segments(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header, payload, _ = token.split(".")
    return json.loads(keys.b64url_decode(header)), json.loads(keys.b64url_decode(payload))


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
def test_signed_credential_has_the_prescribed_header_and_claims(algorithm: str) -> None:
    key = keys.generate_key(algorithm)
    credential = samples.credential(
        ORIGIN, subject_id="did:example:nathan", email=None, valid_until=samples.NOW
    )
    token = vc_jwt.sign_credential(credential, key, KID)
    header, payload = _segments(token)
    assert header == {"alg": algorithm, "kid": KID, "typ": "JWT"}
    assert payload["iss"] == f"{ORIGIN}/ob/v3/issuers/1"
    assert payload["jti"] == credential["id"]
    assert payload["nbf"] == int(samples.ISSUED.timestamp())
    assert payload["sub"] == "did:example:nathan"
    assert payload["exp"] == int(samples.NOW.timestamp())
    assert {k: v for k, v in payload.items() if k not in ("iss", "jti", "nbf", "sub", "exp")} == (
        credential
    )
    parsed = vc_jwt.parse(token)
    assert parsed.credential == credential
    assert vc_jwt.verify_signature(parsed, key.public_key())
    report = VerificationReport()
    assert vc_jwt.check_header(parsed, report)
    vc_jwt.check_claims(parsed, report)
    assert report.errors == [] and report.warnings == []


def test_sub_and_exp_only_when_the_credential_has_them() -> None:
    token = vc_jwt.sign_credential(samples.credential(ORIGIN), keys.generate_key("ES256"), KID)
    _, payload = _segments(token)
    assert "sub" not in payload
    assert "exp" not in payload


def test_a_subject_with_an_id_and_hashed_identifiers_gets_sub() -> None:
    learner = "urn:uuid:0b9c3c1e-5d7a-8f2e-9a41-3c5e7d9f1b2a"
    credential = samples.credential(ORIGIN, subject_id=learner)
    assert credential["credentialSubject"]["identifier"][0]["hashed"] is True
    token = vc_jwt.sign_credential(credential, keys.generate_key("ES256"), KID)
    parsed = vc_jwt.parse(token)
    assert parsed.payload["sub"] == learner == parsed.credential["credentialSubject"]["id"]
    report = VerificationReport()
    vc_jwt.check_claims(parsed, report)
    assert report.errors == []


def test_another_key_does_not_verify() -> None:
    token = vc_jwt.sign_credential(samples.credential(ORIGIN), keys.generate_key("RS256"), KID)
    assert not vc_jwt.verify_signature(vc_jwt.parse(token), keys.generate_key("RS256").public_key())


def test_a_tampered_payload_does_not_verify() -> None:
    key = keys.generate_key("RS256")
    token = vc_jwt.sign_credential(samples.credential(ORIGIN), key, KID)
    header, payload, signature = token.split(".")
    claims = json.loads(keys.b64url_decode(payload))
    claims["credentialSubject"]["achievement"]["name"] = "Expert-comptable"
    forged = f"{header}.{_b64(claims)}.{signature}"
    assert not vc_jwt.verify_signature(vc_jwt.parse(forged), key.public_key())


def test_the_header_alg_must_match_the_key_type() -> None:
    key = keys.generate_key("RS256")
    token = vc_jwt.sign_credential(samples.credential(ORIGIN), key, KID)
    _, payload, signature = token.split(".")
    relabelled = f"{_b64({'alg': 'ES256', 'kid': KID})}.{payload}.{signature}"
    assert not vc_jwt.verify_signature(vc_jwt.parse(relabelled), key.public_key())


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_unsigned_tokens_are_unusable(alg: str) -> None:
    token = f"{_b64({'alg': alg})}.{_b64(samples.credential(ORIGIN))}."
    with pytest.raises(UnusableInput):
        vc_jwt.parse(token)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "a.b",
        "!!.!!.!!",
        f"{_b64({'alg': 'RS256'})}.bm90IGpzb24.c2ln",
        f"{_b64({'kid': KID})}.{_b64({'id': 'x'})}.c2ln",
    ],
)
def test_what_is_not_a_jwt_is_unusable(text: str) -> None:
    with pytest.raises(UnusableInput):
        vc_jwt.parse(text)


def test_other_algorithms_and_header_parameters_are_reported() -> None:
    secret = "s" * 32
    token = jwt.encode(
        samples.credential(ORIGIN), secret, algorithm="HS256", headers={"kid": KID, "x5u": "x"}
    )
    report = VerificationReport()
    assert not vc_jwt.check_header(vc_jwt.parse(token), report)
    assert report.has("ob3.jwt-alg")
    assert report.has("ob3.jwt-header")


def test_a_header_without_key_is_reported() -> None:
    token = jwt.encode({"a": 1}, keys.generate_key("ES256"), algorithm="ES256")
    report = VerificationReport()
    assert not vc_jwt.check_header(vc_jwt.parse(token), report)
    assert report.has("ob3.jwt-key")


def _signed_with(claims: dict[str, Any]) -> vc_jwt.VcJwt:
    credential = samples.credential(
        ORIGIN, subject_id="did:example:nathan", email=None, valid_until=samples.NOW
    )
    payload = {**credential, **vc_jwt.registered_claims(credential), **claims}
    payload = {k: v for k, v in payload.items() if v is not None}
    token = jwt.encode(payload, keys.generate_key("ES256"), algorithm="ES256", headers={"kid": KID})
    return vc_jwt.parse(token)


@pytest.mark.parametrize(
    ("claims", "code"),
    [
        ({"iss": "https://evil.example/issuer"}, "ob3.jwt-iss"),
        ({"iss": None}, "ob3.jwt-iss"),
        ({"jti": f"{ORIGIN}/ob/v3/credentials/999"}, "ob3.jwt-jti"),
        ({"jti": None}, "ob3.jwt-jti"),
        ({"nbf": int((samples.ISSUED - timedelta(days=1)).timestamp())}, "ob3.jwt-nbf"),
        ({"nbf": None}, "ob3.jwt-nbf"),
        ({"sub": "did:example:someone-else"}, "ob3.jwt-sub"),
        ({"sub": None}, "ob3.jwt-sub"),
        ({"exp": int((samples.NOW + timedelta(days=365)).timestamp())}, "ob3.jwt-exp"),
        ({"exp": None}, "ob3.jwt-exp"),
    ],
)
def test_each_claim_is_compared_with_its_credential_field(
    claims: dict[str, Any], code: str
) -> None:
    report = VerificationReport()
    vc_jwt.check_claims(_signed_with(claims), report)
    assert [f.code for f in report.errors] == [code]


def test_vcdm_11_vc_claim_is_read_and_its_fields_restored() -> None:
    credential = samples.credential(ORIGIN, subject_id="did:example:nathan", email=None)
    credential["@context"][0] = "https://www.w3.org/2018/credentials/v1"
    credential.pop("validFrom")
    body = {k: v for k, v in credential.items() if k not in ("id", "issuer")}
    body["issuer"] = credential["issuer"]
    nbf = int(samples.ISSUED.timestamp())
    payload = {
        "vc": body,
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "nbf": nbf,
        "sub": "did:example:nathan",
    }
    key = keys.generate_key("RS256")
    parsed = vc_jwt.parse(jwt.encode(payload, key, algorithm="RS256", headers={"kid": KID}))
    assert parsed.vcdm11
    assert parsed.credential["id"] == credential["id"]
    assert parsed.credential["issuanceDate"] == "2026-01-15T09:30:00Z"
    report = VerificationReport()
    vc_jwt.check_claims(parsed, report)
    assert report.errors == []


def test_registered_claims_need_the_fields_they_come_from() -> None:
    credential = samples.credential(ORIGIN)
    credential.pop("validFrom")
    with pytest.raises(ValueError):
        vc_jwt.registered_claims(credential)
