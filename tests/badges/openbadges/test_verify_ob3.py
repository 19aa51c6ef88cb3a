"""OB 3.0 verification end to end: real keys, real signatures, keys and revocation lists
served by a real HTTP server on 127.0.0.1 and fetched through HttpLoader.

Each forgery has its own test asserting the finding that catches it, so removing any one
check makes exactly that test fail.
"""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import jwt
import pytest

from badges.openbadges import jwks, keys
from badges.openbadges.errors import UnusableInput
from badges.openbadges.loader import HttpLoader
from badges.openbadges.report import VerificationReport
from badges.openbadges.verify_ob3 import verify_ob3
from badges.outbound.client import OutboundClient
from tests.conftest import LOCAL_HOSTS

from . import ob3_samples as samples
from .conftest import BadgeServer

NOW = samples.NOW


def _verify(data: str | dict[str, Any], **kwargs: Any) -> VerificationReport:
    kwargs.setdefault("now", NOW)
    return verify_ob3(
        data, HttpLoader(OutboundClient(LOCAL_HOSTS), timeout=5), VerificationReport(), **kwargs
    )


def _codes(report: VerificationReport) -> list[str]:
    return [f.code for f in report.errors]


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.fixture
def ob3_issuer(badge_server: BadgeServer) -> samples.Issuer:
    return samples.make_issuer(badge_server)


# -- the valid case --------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
def test_a_valid_credential_verifies(badge_server: BadgeServer, algorithm: str) -> None:
    issuer = samples.make_issuer(badge_server, algorithm)
    status = issuer.revocation_list("/ob/v3/revocations/1", [])
    token = issuer.sign(samples.credential(issuer.origin, status_url=status))
    report = _verify(token, recipient=samples.EMAIL)
    assert report.errors == [] and report.warnings == []
    assert report.valid
    assert (report.version, report.form) == ("3.0", "vc-jwt")
    assert report.subject == {
        "id": f"{issuer.origin}/ob/v3/credentials/1",
        "type": "OpenBadgeCredential",
        "name": "Je soutiens : accueil",
        "issuerId": f"{issuer.origin}/ob/v3/issuers/1",
        "issuerName": "Centre social des Tilleuls",
        "validFrom": "2026-01-15T09:30:00Z",
        "achievementName": "Je soutiens : accueil",
        "identifierTypes": ["emailAddress"],
    }
    assert "/.well-known/jwks.json" in badge_server.requested
    assert "/ob/v3/revocations/1" in badge_server.requested


def test_a_key_among_several_in_the_jwks_is_found(badge_server: BadgeServer) -> None:
    issuer = samples.make_issuer(badge_server)
    issuer.publish(keys.generate_key("ES256"), keys.generate_key("RS256"))
    assert _verify(issuer.sign(samples.credential(issuer.origin))).valid


# -- proof -----------------------------------------------------------------------------


def test_bad_signature(ob3_issuer: samples.Issuer) -> None:
    impostor = keys.generate_key("RS256")
    token = jwt.encode(
        {**samples.credential(ob3_issuer.origin), **_claims(ob3_issuer)},
        impostor,
        algorithm="RS256",
        headers={"kid": ob3_issuer.kid, "typ": "JWT"},
    )
    report = _verify(token)
    assert _codes(report) == ["ob3.signature"]


def test_tampered_payload(ob3_issuer: samples.Issuer) -> None:
    header, payload, signature = ob3_issuer.sign(samples.credential(ob3_issuer.origin)).split(".")
    claims = json.loads(keys.b64url_decode(payload))
    claims["credentialSubject"]["achievement"]["name"] = "Brevet de pilote"
    report = _verify(f"{header}.{_b64(claims)}.{signature}")
    assert _codes(report) == ["ob3.signature"]


def test_unknown_kid(ob3_issuer: samples.Issuer) -> None:
    other = keys.generate_key("RS256")
    kid = jwks.kid_uri(jwks.well_known_jwks_url(ob3_issuer.origin), other)
    token = jwt.encode(
        {**samples.credential(ob3_issuer.origin), **_claims(ob3_issuer)},
        other,
        algorithm="RS256",
        headers={"kid": kid},
    )
    assert _codes(_verify(token)) == ["ob3.kid-unknown"]


def test_kid_on_another_origin_than_the_issuer(
    ob3_issuer: samples.Issuer, badge_server: BadgeServer
) -> None:
    # The attacker publishes their own JWKS on their own origin and names our ob3_issuer.
    attacker_key = keys.generate_key("RS256")
    attacker_kid = jwks.kid_uri(
        badge_server.base_url.replace("127.0.0.1", "localhost") + "/.well-known/jwks.json",
        attacker_key,
    )
    badge_server.serve_json(
        "/.well-known/jwks.json", jwks.jwks_document([ob3_issuer.key, attacker_key])
    )
    token = jwt.encode(
        {**samples.credential(ob3_issuer.origin), **_claims(ob3_issuer)},
        attacker_key,
        algorithm="RS256",
        headers={"kid": attacker_kid},
    )
    assert _codes(_verify(token)) == ["ob3.kid-origin"]


def test_iss_other_than_the_issuer_id(ob3_issuer: samples.Issuer) -> None:
    token = jwt.encode(
        {
            **samples.credential(ob3_issuer.origin),
            **_claims(ob3_issuer),
            "iss": f"{ob3_issuer.origin}/other",
        },
        ob3_issuer.key,
        algorithm="RS256",
        headers={"kid": ob3_issuer.kid},
    )
    assert _codes(_verify(token)) == ["ob3.jwt-iss"]


def test_jti_other_than_the_credential_id(ob3_issuer: samples.Issuer) -> None:
    token = jwt.encode(
        {**samples.credential(ob3_issuer.origin), **_claims(ob3_issuer), "jti": "urn:uuid:1234"},
        ob3_issuer.key,
        algorithm="RS256",
        headers={"kid": ob3_issuer.kid},
    )
    assert _codes(_verify(token)) == ["ob3.jwt-jti"]


def test_jwks_that_cannot_be_fetched(ob3_issuer: samples.Issuer, badge_server: BadgeServer) -> None:
    token = ob3_issuer.sign(samples.credential(ob3_issuer.origin))
    del badge_server.routes["/.well-known/jwks.json"]
    assert _codes(_verify(token)) == ["ob3.key-unavailable"]


def test_jwks_leaking_a_private_key(ob3_issuer: samples.Issuer, badge_server: BadgeServer) -> None:
    token = ob3_issuer.sign(samples.credential(ob3_issuer.origin))
    leaked = dict(jwks.public_jwk(ob3_issuer.key), d="c2VjcmV0")
    badge_server.serve_json("/.well-known/jwks.json", {"keys": [leaked]})
    assert _codes(_verify(token)) == ["ob3.jwk-private"]


def test_stripped_signature(ob3_issuer: samples.Issuer) -> None:
    header, payload, _ = ob3_issuer.sign(samples.credential(ob3_issuer.origin)).split(".")
    assert _codes(_verify(f"{header}.{payload}.")) == ["ob3.signature"]


def test_published_jwk_naming_another_issuer(
    ob3_issuer: samples.Issuer, badge_server: BadgeServer
) -> None:
    token = ob3_issuer.sign(samples.credential(ob3_issuer.origin))
    entry = dict(jwks.public_jwk(ob3_issuer.key), iss=f"{ob3_issuer.origin}/ob/v3/issuers/2")
    badge_server.serve_json("/.well-known/jwks.json", {"keys": [entry]})
    assert _codes(_verify(token)) == ["ob3.jwk-iss"]


def test_kid_that_is_not_a_url(ob3_issuer: samples.Issuer) -> None:
    token = jwt.encode(
        {**samples.credential(ob3_issuer.origin), **_claims(ob3_issuer)},
        ob3_issuer.key,
        algorithm="RS256",
        headers={"kid": keys.thumbprint_kid(ob3_issuer.key)},
    )
    assert _codes(_verify(token)) == ["ob3.kid"]


def test_algorithm_other_than_rs256_or_es256(ob3_issuer: samples.Issuer) -> None:
    token = jwt.encode(
        {**samples.credential(ob3_issuer.origin), **_claims(ob3_issuer)},
        "s" * 32,
        algorithm="HS256",
        headers={"kid": ob3_issuer.kid},
    )
    assert _codes(_verify(token)) == ["ob3.jwt-alg"]


def test_alg_none_is_unusable_input(ob3_issuer: samples.Issuer) -> None:
    header = _b64({"alg": "none", "kid": ob3_issuer.kid})
    token = f"{header}.{_b64(samples.credential(ob3_issuer.origin))}."
    with pytest.raises(UnusableInput):
        _verify(token)


def test_embedded_public_jwk_verifies_with_a_warning(ob3_issuer: samples.Issuer) -> None:
    key = keys.generate_key("ES256")
    token = jwt.encode(
        {**samples.credential(ob3_issuer.origin), **_claims(ob3_issuer)},
        key,
        algorithm="ES256",
        headers={"jwk": jwks.public_jwk(key), "typ": "JWT"},
    )
    report = _verify(token)
    assert report.valid
    assert [f.code for f in report.warnings] == ["ob3.key-unbound"]


def test_embedded_private_jwk_is_refused(ob3_issuer: samples.Issuer) -> None:
    key = keys.generate_key("ES256")
    private_jwk = dict(
        jwks.public_jwk(key), d=keys.int_to_b64url(key.private_numbers().private_value, 32)
    )
    token = jwt.encode(
        {**samples.credential(ob3_issuer.origin), **_claims(ob3_issuer)},
        key,
        algorithm="ES256",
        headers={"jwk": private_jwk},
    )
    assert _codes(_verify(token)) == ["ob3.jwk-private"]


def test_a_credential_without_proof(ob3_issuer: samples.Issuer) -> None:
    report = _verify(samples.credential(ob3_issuer.origin))
    assert _codes(report) == ["ob3.no-proof"]
    assert report.form == "json"


def test_an_embedded_proof_is_not_taken_on_trust(ob3_issuer: samples.Issuer) -> None:
    credential = dict(samples.credential(ob3_issuer.origin), proof={"type": "DataIntegrityProof"})
    assert _codes(_verify(json.dumps(credential))) == ["ob3.proof-unsupported"]


@pytest.mark.parametrize("data", ["{not json", "[1, 2]"])
def test_what_is_no_credential_is_unusable(data: str) -> None:
    with pytest.raises(UnusableInput):
        _verify(data)


# -- shape -----------------------------------------------------------------------------


def test_missing_required_fields(ob3_issuer: samples.Issuer) -> None:
    credential = samples.credential(ob3_issuer.origin)
    del credential["credentialSubject"]["achievement"]["name"]
    del credential["validFrom"]
    token = jwt.encode(
        {**credential, **_claims(ob3_issuer)},
        ob3_issuer.key,
        algorithm="RS256",
        headers={"kid": ob3_issuer.kid},
    )
    report = _verify(token)
    assert not report.valid
    paths = {(f.code, f.path) for f in report.errors}
    assert ("ob3.required", "credentialSubject.achievement.name") in paths
    assert ("ob3.required", "validFrom") in paths


def test_unknown_context(ob3_issuer: samples.Issuer) -> None:
    credential = samples.credential(ob3_issuer.origin)
    credential["@context"].append("https://example.org/terms.json")
    assert _codes(_verify(ob3_issuer.sign(credential))) == ["ob3.context-unknown"]


# -- status ----------------------------------------------------------------------------


def test_revoked_by_a_list_with_exactly_one_entry(ob3_issuer: samples.Issuer) -> None:
    credential_id = f"{ob3_issuer.origin}/ob/v3/credentials/1"
    status = ob3_issuer.revocation_list("/ob/v3/revocations/1", [credential_id])
    report = _verify(ob3_issuer.sign(samples.credential(ob3_issuer.origin, status_url=status)))
    assert _codes(report) == ["ob3.revoked"]


def test_revoked_among_others(ob3_issuer: samples.Issuer) -> None:
    ids = [f"{ob3_issuer.origin}/ob/v3/credentials/{n}" for n in (5, 1, 9)]
    status = ob3_issuer.revocation_list("/ob/v3/revocations/1", ids)
    report = _verify(ob3_issuer.sign(samples.credential(ob3_issuer.origin, status_url=status)))
    assert _codes(report) == ["ob3.revoked"]


def test_others_revoked_but_not_this_one(ob3_issuer: samples.Issuer) -> None:
    status = ob3_issuer.revocation_list(
        "/ob/v3/revocations/1", [f"{ob3_issuer.origin}/ob/v3/credentials/2"]
    )
    assert _verify(ob3_issuer.sign(samples.credential(ob3_issuer.origin, status_url=status))).valid


def test_revocation_list_with_the_validator_spelling(
    ob3_issuer: samples.Issuer, badge_server: BadgeServer
) -> None:
    credential_id = f"{ob3_issuer.origin}/ob/v3/credentials/1"
    badge_server.serve_json("/rl", {"revokedCredential": [{"id": credential_id}]})
    status = badge_server.url("/rl")
    report = _verify(ob3_issuer.sign(samples.credential(ob3_issuer.origin, status_url=status)))
    assert _codes(report) == ["ob3.revoked"]


def test_revocation_list_that_cannot_be_fetched_only_warns(ob3_issuer: samples.Issuer) -> None:
    status = f"{ob3_issuer.origin}/ob/v3/revocations/404"
    report = _verify(ob3_issuer.sign(samples.credential(ob3_issuer.origin, status_url=status)))
    assert report.valid
    assert [f.code for f in report.warnings] == ["ob3.status-unavailable"]


def test_expired(ob3_issuer: samples.Issuer) -> None:
    credential = samples.credential(ob3_issuer.origin, valid_until=NOW - timedelta(seconds=1))
    assert _codes(_verify(ob3_issuer.sign(credential))) == ["ob3.expired"]
    assert _verify(ob3_issuer.sign(credential), now=NOW - timedelta(seconds=2)).valid


def test_not_yet_valid(ob3_issuer: samples.Issuer) -> None:
    token = ob3_issuer.sign(samples.credential(ob3_issuer.origin))
    report = _verify(token, now=samples.ISSUED - timedelta(minutes=1))
    assert _codes(report) == ["ob3.not-yet-valid"]


# -- recipient -------------------------------------------------------------------------


def test_wrong_recipient(ob3_issuer: samples.Issuer) -> None:
    token = ob3_issuer.sign(samples.credential(ob3_issuer.origin))
    assert _codes(_verify(token, recipient="someone@example.org")) == ["ob3.recipient"]


def test_recipient_email_is_matched_through_hash_and_salt(ob3_issuer: samples.Issuer) -> None:
    token = ob3_issuer.sign(samples.credential(ob3_issuer.origin))
    assert _verify(token, recipient="Nathan@Example.org").valid


def test_recipient_by_lti_user_id(ob3_issuer: samples.Issuer) -> None:
    token = ob3_issuer.sign(samples.credential(ob3_issuer.origin, email=None))
    assert _verify(token, recipient="sub-123").valid
    assert _codes(_verify(token, recipient="sub-1234")) == ["ob3.recipient"]


def test_recipient_by_subject_id(ob3_issuer: samples.Issuer) -> None:
    token = ob3_issuer.sign(
        samples.credential(ob3_issuer.origin, email=None, subject_id="did:example:n")
    )
    assert _verify(token, recipient="did:example:n").valid
    assert _codes(_verify(token, recipient="did:example:m")) == ["ob3.recipient"]


# -- endorsements ----------------------------------------------------------------------


def _endorsed(issuer: samples.Issuer, endorsement_token: str) -> str:
    credential = samples.credential(issuer.origin, endorsement_jwt=(endorsement_token,))
    return issuer.sign(credential)


def test_embedded_endorsement_jwt_is_verified(ob3_issuer: samples.Issuer) -> None:
    subject = f"{ob3_issuer.origin}/ob/v3/credentials/1"
    report = _verify(
        _endorsed(ob3_issuer, ob3_issuer.sign(samples.endorsement(ob3_issuer.origin, subject)))
    )
    assert report.errors == [] and report.warnings == []


def test_tampered_embedded_endorsement(ob3_issuer: samples.Issuer) -> None:
    subject = f"{ob3_issuer.origin}/ob/v3/credentials/1"
    header, payload, signature = ob3_issuer.sign(
        samples.endorsement(ob3_issuer.origin, subject)
    ).split(".")
    claims = json.loads(keys.b64url_decode(payload))
    claims["credentialSubject"]["endorsementComment"] = "Best badge ever."
    report = _verify(_endorsed(ob3_issuer, f"{header}.{_b64(claims)}.{signature}"))
    assert [(f.code, f.path) for f in report.errors] == [
        ("ob3.signature", "endorsementJwt[0].signature")
    ]


def test_revoked_embedded_endorsement(ob3_issuer: samples.Issuer) -> None:
    subject = f"{ob3_issuer.origin}/ob/v3/credentials/1"
    status = ob3_issuer.revocation_list("/rl/e", [f"{ob3_issuer.origin}/ob/v3/endorsements/1"])
    token = ob3_issuer.sign(samples.endorsement(ob3_issuer.origin, subject, status_url=status))
    report = _verify(_endorsed(ob3_issuer, token))
    assert [(f.code, f.path) for f in report.errors] == [
        ("ob3.revoked", "endorsementJwt[0].credentialStatus")
    ]


def test_unsigned_endorsement_inside_an_achievement(ob3_issuer: samples.Issuer) -> None:
    credential = samples.credential(ob3_issuer.origin)
    achievement = credential["credentialSubject"]["achievement"]
    achievement["endorsement"] = [samples.endorsement(ob3_issuer.origin, achievement["id"])]
    report = _verify(ob3_issuer.sign(credential))
    assert [(f.code, f.path) for f in report.errors] == [
        ("ob3.no-proof", "credentialSubject.achievement.endorsement[0].proof")
    ]


def test_endorsements_beyond_the_limit_are_not_followed(ob3_issuer: samples.Issuer) -> None:
    subject = f"{ob3_issuer.origin}/ob/v3/credentials/1"
    token = ob3_issuer.sign(samples.endorsement(ob3_issuer.origin, subject))
    credential = samples.credential(ob3_issuer.origin, endorsement_jwt=(token,) * 25)
    report = _verify(ob3_issuer.sign(credential))
    assert report.valid
    assert [(f.code, f.path) for f in report.warnings] == [
        ("ob3.endorsements-skipped", "endorsementJwt[20]")
    ]


def test_a_standalone_endorsement_verifies(ob3_issuer: samples.Issuer) -> None:
    endorsement = samples.endorsement(
        ob3_issuer.origin, f"{ob3_issuer.origin}/ob/v3/achievements/7"
    )
    report = _verify(ob3_issuer.sign(endorsement))
    assert report.errors == [] and report.warnings == []
    assert report.subject["type"] == "EndorsementCredential"
    assert report.subject["endorsementComment"].startswith("We host")


def test_an_expired_standalone_endorsement(ob3_issuer: samples.Issuer) -> None:
    endorsement = samples.endorsement(
        ob3_issuer.origin,
        f"{ob3_issuer.origin}/ob/v3/achievements/7",
        valid_until=NOW - timedelta(days=1),
    )
    assert _codes(_verify(ob3_issuer.sign(endorsement))) == ["ob3.expired"]


def test_a_standalone_endorsement_needs_a_name(ob3_issuer: samples.Issuer) -> None:
    endorsement = samples.endorsement(
        ob3_issuer.origin, f"{ob3_issuer.origin}/ob/v3/achievements/7"
    )
    del endorsement["name"]
    assert _codes(_verify(ob3_issuer.sign(endorsement))) == ["ob3.required"]


# -- VCDM 1.1 ---------------------------------------------------------------------------


def test_a_vcdm_11_credential_verifies(ob3_issuer: samples.Issuer) -> None:
    credential = samples.credential(ob3_issuer.origin)
    credential["@context"][0] = "https://www.w3.org/2018/credentials/v1"
    credential["issuanceDate"] = credential.pop("validFrom")
    credential["expirationDate"] = (NOW - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    payload = {
        "vc": credential,
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "nbf": int(samples.ISSUED.timestamp()),
        "exp": int((NOW - timedelta(days=1)).timestamp()),
    }
    token = jwt.encode(payload, ob3_issuer.key, algorithm="RS256", headers={"kid": ob3_issuer.kid})
    assert _verify(token, now=NOW - timedelta(days=2)).valid
    assert _codes(_verify(token)) == ["ob3.expired"]


def _claims(issuer: samples.Issuer) -> dict[str, Any]:
    return {
        "iss": f"{issuer.origin}/ob/v3/issuers/1",
        "jti": f"{issuer.origin}/ob/v3/credentials/1",
        "nbf": int(samples.ISSUED.timestamp()),
    }
