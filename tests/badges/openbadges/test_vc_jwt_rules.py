"""Every check of OB 3.0's "JSON Web Token Proof Format" section, each with wrong values.

The section (``ob_v3p0/integrity.md``, "Create the JOSE Header", "JWT Payload Format",
"Verify a Credential VC-JWT Signature") says:

- JOSE header: ``alg`` (RS256 at least; the 1EdTech validator takes RS256 and ES256),
  ``kid`` (a URI dereferencing to the public JWK) or ``jwk`` (never with ``d``), ``typ``
  "JWT" if present, and "Additional JOSE Headers are NOT allowed";
- claims: ``iss`` = ``issuer.id``, ``sub`` = ``credentialSubject.id``, ``nbf`` =
  ``validFrom`` (and not valid before it), ``jti`` = ``id``, ``exp`` sets ``validUntil``
  (and not valid after it); VCDM 1.1 credentials say ``issuanceDate``/``expirationDate``.

Each test starts from a token that verifies (:func:`test_the_starting_point_verifies`)
and changes one thing, verified end to end by :func:`verify_ob3` over a
:class:`DictLoader` that serves the issuer's JWK Set the way Chemins publishes it: at
``<issuer id>/jwks.json``, each JWK's ``kid`` the full header ``kid``, its ``iss`` the
issuer id. The wrong values ``test_verify_ob3.py`` already has (HS256 with a random
secret, ``alg: none`` unsigned, a bare thumbprint ``kid``, ``kid`` on localhost for a
127.0.0.1 issuer, an unknown thumbprint, an embedded EC ``jwk`` with ``d``, a published
JWK with ``d``, ``iss`` on another path, ``jti`` a ``urn:uuid``, expired, not yet valid)
are not repeated: these are the other wrong values of the same checks, and the checks
that had none.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from badges.openbadges import jwks, jws, keys, vc_jwt
from badges.openbadges.errors import UnusableInput
from badges.openbadges.report import VerificationReport
from badges.openbadges.verify_ob3 import verify_ob3

from . import ob3_samples as samples
from .conftest import DictLoader

ORIGIN = "https://tilleuls.example"
ISSUER_ID = f"{ORIGIN}/ob/v3/issuers/1"
JWKS_URL = f"{ISSUER_ID}/jwks.json"
PARTNER_ID = f"{ORIGIN}/ob/v3/issuers/partner"
NOW = samples.NOW
VALID_FROM = samples.ISSUED
VALID_UNTIL = NOW + timedelta(days=365)
SUBJECT = "did:example:nathan"

KEY = keys.generate_key("RS256")
EC_KEY = keys.generate_key("ES256")
PARTNER_KEY = keys.generate_key("ES256")


# -- building tokens ---------------------------------------------------------------------


def _b64(data: Any) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _kid(key: keys.PrivateKey, profile_id: str = ISSUER_ID) -> str:
    return f"{profile_id}/jwks.json#{keys.thumbprint_kid(key)}"


def _key_set(*entries: keys.PrivateKey, profile_id: str = ISSUER_ID) -> dict[str, Any]:
    """A JWK Set as Chemins publishes it: full ``kid`` URIs, ``iss`` = the profile."""
    return {
        "keys": [
            dict(jwks.public_jwk(key, kid=_kid(key, profile_id)), iss=profile_id) for key in entries
        ]
    }


def _serving(documents: dict[str, Any]) -> DictLoader:
    return DictLoader(
        {
            url: (200, "application/jwk-set+json", json.dumps(document).encode("utf-8"))
            for url, document in documents.items()
        }
    )


def _loader() -> DictLoader:
    return _serving(
        {
            JWKS_URL: _key_set(KEY, EC_KEY),
            f"{PARTNER_ID}/jwks.json": _key_set(PARTNER_KEY, profile_id=PARTNER_ID),
        }
    )


def _credential(**changes: Any) -> dict[str, Any]:
    """An OpenBadgeCredential with every field a claim stands for (subject id, validUntil)."""
    credential = samples.credential(ORIGIN, subject_id=SUBJECT, email=None, valid_until=VALID_UNTIL)
    credential.update(changes)
    return {key: value for key, value in credential.items() if value is not None}


def _payload(credential: dict[str, Any] | None = None, **claims: Any) -> dict[str, Any]:
    """``credential`` with its registered claims; ``claims`` override them (None drops)."""
    credential = credential if credential is not None else _credential()
    payload = {**credential, **vc_jwt.registered_claims(credential), **claims}
    return {key: value for key, value in payload.items() if value is not None}


def _sign(
    payload: dict[str, Any], key: keys.PrivateKey = KEY, header: dict[str, Any] | None = None
) -> str:
    """A compact JWS signed with the alg of ``key``; the header is ``kid`` + ``typ``
    unless ``header`` is given (``alg`` always follows the key)."""
    chosen = header if header is not None else {"kid": _kid(key), "typ": "JWT"}
    return jws.sign(payload, key, headers=chosen)


def _forge(header: dict[str, Any], payload: dict[str, Any], algorithm: str, key: Any) -> str:
    """A JWS whose header says whatever ``header`` says, signed by ``algorithm`` with
    ``key``: how a forger writes an ``alg`` that our signing helpers refuse to write."""
    signing_input = f"{_b64(header)}.{_b64(payload)}".encode("ascii")
    if algorithm == "HS256":
        # PyJWT (rightly) refuses a public key as an HMAC secret; a forger would not.
        signature = hmac.new(key, signing_input, hashlib.sha256).digest()
    else:
        signer = jwt.get_algorithm_by_name(algorithm)
        signature = signer.sign(signing_input, signer.prepare_key(key))
    return f"{signing_input.decode('ascii')}.{keys.b64url(signature)}"


def _verify(token: str, loader: DictLoader | None = None, **kwargs: Any) -> VerificationReport:
    kwargs.setdefault("now", NOW)
    return verify_ob3(token, loader or _loader(), VerificationReport(), **kwargs)


def _codes(report: VerificationReport) -> list[str]:
    return [finding.code for finding in report.errors]


# -- the starting point ------------------------------------------------------------------


@pytest.mark.parametrize("key", [KEY, EC_KEY], ids=["RS256", "ES256"])
def test_the_starting_point_verifies(key: keys.PrivateKey) -> None:
    loader = _loader()
    token = vc_jwt.sign_credential(_credential(), key, _kid(key))
    report = _verify(token, loader)
    assert report.errors == [] and report.warnings == []
    assert loader.requested == [JWKS_URL]
    payload = vc_jwt.parse(token).payload
    assert {claim for claim in vc_jwt.REGISTERED_CLAIMS if claim in payload} == {
        "iss",
        "sub",
        "jti",
        "nbf",
        "exp",
    }


# -- JOSE header: alg --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("algorithm", "key"),
    [
        ("RS384", KEY),
        ("RS512", KEY),
        ("PS256", KEY),
        ("ES384", ec.generate_private_key(ec.SECP384R1())),
        ("EdDSA", ed25519.Ed25519PrivateKey.generate()),
    ],
)
def test_a_properly_signed_alg_other_than_rs256_or_es256_is_refused(
    algorithm: str, key: Any
) -> None:
    token = _forge({"alg": algorithm, "kid": _kid(KEY), "typ": "JWT"}, _payload(), algorithm, key)
    assert _codes(_verify(token)) == ["ob3.jwt-alg"]


def test_hs256_keyed_with_the_issuers_own_public_key_is_refused() -> None:
    # The classic key-confusion forgery: anyone holding the public key can compute this.
    secret = keys.public_key_pem(KEY).encode("ascii")
    token = _forge({"alg": "HS256", "kid": _kid(KEY), "typ": "JWT"}, _payload(), "HS256", secret)
    assert _codes(_verify(token)) == ["ob3.jwt-alg"]


@pytest.mark.parametrize(
    "header",
    [
        {"alg": "none", "kid": _kid(KEY)},
        {"alg": "nOnE", "kid": _kid(KEY)},
        {"kid": _kid(KEY)},
        {"alg": ["RS256"], "kid": _kid(KEY)},
    ],
    ids=["none-with-a-signature", "mixed-case-none", "no-alg", "alg-not-a-string"],
)
def test_a_header_that_signs_nothing_is_unusable(header: dict[str, Any]) -> None:
    signature = _sign(_payload()).rsplit(".", 1)[1]
    with pytest.raises(UnusableInput):
        _verify(f"{_b64(header)}.{_b64(_payload())}.{signature}")


@pytest.mark.parametrize(
    ("said", "key", "signed_with"),
    [("ES256", KEY, "RS256"), ("RS256", EC_KEY, "ES256")],
    ids=["ES256-on-an-RSA-key", "RS256-on-an-EC-key"],
)
def test_an_alg_that_does_not_match_the_key_type(
    said: str, key: keys.PrivateKey, signed_with: str
) -> None:
    # The signature is a valid one by the key the kid names, over this very header: only
    # the rule "the algorithm follows from the key" can refuse it.
    token = _forge({"alg": said, "kid": _kid(key), "typ": "JWT"}, _payload(), signed_with, key)
    assert _codes(_verify(token)) == ["ob3.signature"]


# -- JOSE header: kid and jwk ------------------------------------------------------------


@pytest.mark.parametrize(
    "kid",
    [
        "urn:uuid:9f1c2a9e-0b7d-4f1c-8a9e-0b7d4f1c2a9e",
        "did:web:tilleuls.example#key-1",
        "/ob/v3/issuers/1/jwks.json#key-1",
        "ftp://tilleuls.example/ob/v3/issuers/1/jwks.json#key-1",
        "https:///ob/v3/issuers/1/jwks.json#key-1",
    ],
    ids=["urn", "did", "relative", "ftp", "no-host"],
)
def test_a_kid_that_is_not_an_http_url(kid: str) -> None:
    token = _sign(_payload(), header={"kid": kid, "typ": "JWT"})
    assert _codes(_verify(token)) == ["ob3.kid"]


@pytest.mark.parametrize(
    "jwks_url",
    [
        "https://evil.example/ob/v3/issuers/1/jwks.json",
        "http://tilleuls.example/ob/v3/issuers/1/jwks.json",
        "https://tilleuls.example:8443/ob/v3/issuers/1/jwks.json",
        "https://keys.tilleuls.example/ob/v3/issuers/1/jwks.json",
    ],
    ids=["other-host", "other-scheme", "other-port", "sub-domain"],
)
def test_a_kid_on_another_origin_than_the_issuer_id(jwks_url: str) -> None:
    # The forger serves a JWK Set naming our issuer, signed by their own key.
    forger = keys.generate_key("ES256")
    kid = f"{jwks_url}#{keys.thumbprint_kid(forger)}"
    entry = dict(jwks.public_jwk(forger, kid=kid), iss=ISSUER_ID)
    loader = _serving({jwks_url: {"keys": [entry]}, JWKS_URL: _key_set(KEY)})
    token = _sign(_payload(), forger, header={"kid": kid, "typ": "JWT"})
    assert _codes(_verify(token, loader)) == ["ob3.kid-origin"]
    assert loader.requested == []


@pytest.mark.parametrize(
    ("kid", "published"),
    [
        (JWKS_URL, _key_set(KEY, EC_KEY)),
        (f"{JWKS_URL}#{keys.thumbprint_kid(KEY).upper()}", _key_set(KEY)),
        (_kid(KEY), {"keys": []}),
        (_kid(KEY), samples.issuer_profile(ORIGIN)),
        (_kid(KEY), {"keys": [jwks.public_jwk(KEY, kid="key-1")]}),
    ],
    ids=["no-fragment", "fragment-case", "empty-set", "not-a-key-set", "other-kid-scheme"],
)
def test_a_kid_the_published_set_does_not_hold(kid: str, published: dict[str, Any]) -> None:
    token = _sign(_payload(), header={"kid": kid, "typ": "JWT"})
    assert _codes(_verify(token, _serving({JWKS_URL: published}))) == ["ob3.kid-unknown"]


def test_a_kid_dereferencing_to_one_jwk_rather_than_a_set() -> None:
    # "A URI that can be dereferenced to an object of type JWK": a lone key is allowed.
    kid = f"{ISSUER_ID}/keys/1"
    loader = _serving({kid: dict(jwks.public_jwk(KEY, kid=kid), iss=ISSUER_ID)})
    report = _verify(_sign(_payload(), header={"kid": kid, "typ": "JWT"}), loader)
    assert report.errors == [] and report.warnings == []


def test_a_kid_naming_another_key_of_the_set() -> None:
    token = _sign(_payload(), KEY, header={"kid": _kid(EC_KEY), "typ": "JWT"})
    assert _codes(_verify(token)) == ["ob3.signature"]


@pytest.mark.parametrize(
    "header",
    [
        {"alg": "RS256", "kid": ""},
        {"alg": "RS256", "kid": 42},
        {"alg": "RS256", "jwk": "eyJrdHkiOiJSU0EifQ"},
        {"alg": "RS256", "typ": "JWT"},
    ],
    ids=["empty-kid", "kid-not-a-string", "jwk-not-an-object", "neither"],
)
def test_a_header_naming_no_usable_key(header: dict[str, Any]) -> None:
    token = _forge(header, _payload(), "RS256", KEY)
    assert _codes(_verify(token)) == ["ob3.jwt-key"]


RSA_PRIVATE = KEY.private_numbers()
PRIVATE_MEMBERS = {
    "d": RSA_PRIVATE.d,
    "p": RSA_PRIVATE.p,
    "q": RSA_PRIVATE.q,
    "dp": RSA_PRIVATE.dmp1,
    "dq": RSA_PRIVATE.dmq1,
    "qi": RSA_PRIVATE.iqmp,
}


@pytest.mark.parametrize("member", [name for name in PRIVATE_MEMBERS if name != "d"])
def test_a_published_rsa_jwk_with_private_members(member: str) -> None:
    published = _key_set(KEY)
    published["keys"][0][member] = keys.int_to_b64url(PRIVATE_MEMBERS[member])
    report = _verify(_sign(_payload()), _serving({JWKS_URL: published}))
    assert _codes(report) == ["ob3.jwk-private"]


@pytest.mark.parametrize("member", list(PRIVATE_MEMBERS))
def test_an_embedded_rsa_jwk_with_private_members(member: str) -> None:
    embedded = dict(jwks.public_jwk(KEY), **{member: keys.int_to_b64url(PRIVATE_MEMBERS[member])})
    token = _sign(_payload(), header={"jwk": embedded, "typ": "JWT"})
    assert _codes(_verify(token)) == ["ob3.jwk-private"]


def test_an_embedded_jwk_that_did_not_sign() -> None:
    token = _sign(_payload(), EC_KEY, header={"jwk": jwks.public_jwk(PARTNER_KEY), "typ": "JWT"})
    report = _verify(token)
    assert _codes(report) == ["ob3.signature"]


def test_a_key_published_for_another_profile_of_the_same_origin() -> None:
    # Each profile has its key set; the partner's key, published with iss = the partner,
    # cannot sign a credential naming the community as issuer.
    token = _sign(_payload(), PARTNER_KEY, header={"kid": _kid(PARTNER_KEY, PARTNER_ID)})
    assert _codes(_verify(token)) == ["ob3.jwk-iss"]


# -- JOSE header: typ and nothing else ---------------------------------------------------


@pytest.mark.parametrize("typ", ["vc+jwt", "JWS", "vc+ld+json+jwt", "", 1])
def test_a_typ_other_than_jwt_is_reported(typ: Any) -> None:
    token = _forge({"alg": "RS256", "kid": _kid(KEY), "typ": typ}, _payload(), "RS256", KEY)
    report = _verify(token)
    assert report.valid
    assert [finding.code for finding in report.warnings] == ["ob3.jwt-typ"]


@pytest.mark.parametrize(
    "extra",
    [
        {"jku": f"{ORIGIN}/evil-keys.json"},
        {"x5u": f"{ORIGIN}/cert.pem"},
        {"x5c": ["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"]},
        {"x5t#S256": "a2V5"},
        {"cty": "vc"},
        {"nonce": "1"},
    ],
    ids=lambda extra: next(iter(extra)),
)
def test_another_header_parameter_is_refused(extra: dict[str, Any]) -> None:
    token = _sign(_payload(), header={"kid": _kid(KEY), "typ": "JWT", **extra})
    assert _codes(_verify(token)) == ["ob3.jwt-header"]


# -- claims ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "iss",
    [ISSUER_ID + "/", ISSUER_ID.replace("https:", "http:"), {"id": ISSUER_ID}, None],
    ids=["trailing-slash", "other-scheme", "the-profile-object", "missing"],
)
def test_iss_other_than_the_issuer_id(iss: Any) -> None:
    assert _codes(_verify(_sign(_payload(iss=iss)))) == ["ob3.jwt-iss"]


@pytest.mark.parametrize(
    "sub",
    ["did:example:someone-else", SUBJECT.upper(), None],
    ids=["another-subject", "other-case", "missing"],
)
def test_sub_other_than_the_credential_subject_id(sub: Any) -> None:
    assert _codes(_verify(_sign(_payload(sub=sub)))) == ["ob3.jwt-sub"]


def test_sub_when_the_credential_subject_has_no_id() -> None:
    credential = samples.credential(ORIGIN, valid_until=VALID_UNTIL)
    assert "id" not in credential["credentialSubject"]
    token = _sign(_payload(credential, sub=SUBJECT))
    assert _codes(_verify(token)) == ["ob3.jwt-sub"]


@pytest.mark.parametrize(
    "jti",
    [
        f"{ORIGIN}/ob/v3/credentials/2",
        f"{ORIGIN}/ob/v3/credentials/1.jwt",
        f"{ORIGIN}/ob/v3/credentials/1/",
        None,
    ],
    ids=["another-credential", "its-jwt-url", "trailing-slash", "missing"],
)
def test_jti_other_than_the_credential_id(jti: Any) -> None:
    assert _codes(_verify(_sign(_payload(jti=jti)))) == ["ob3.jwt-jti"]


EPOCH_FROM = int(VALID_FROM.timestamp())
EPOCH_UNTIL = int(VALID_UNTIL.timestamp())


@pytest.mark.parametrize(
    "nbf",
    [EPOCH_FROM + 1, EPOCH_FROM - 86400, str(EPOCH_FROM), "2026-01-15T09:30:00Z", True, None],
    ids=["one-second-later", "a-day-earlier", "numeric-string", "date-time", "boolean", "missing"],
)
def test_nbf_other_than_valid_from(nbf: Any) -> None:
    assert _codes(_verify(_sign(_payload(nbf=nbf)))) == ["ob3.jwt-nbf"]


@pytest.mark.parametrize(
    "exp",
    [EPOCH_UNTIL + 1, EPOCH_UNTIL - 86400, str(EPOCH_UNTIL), None],
    ids=["one-second-later", "a-day-earlier", "numeric-string", "missing"],
)
def test_exp_other_than_valid_until(exp: Any) -> None:
    assert _codes(_verify(_sign(_payload(exp=exp)))) == ["ob3.jwt-exp"]


@pytest.mark.parametrize(
    ("credential", "claims"),
    [
        (_credential(), {"nbf": EPOCH_FROM + 0.75}),
        (_credential(validFrom="2026-01-15T09:30:00.250Z"), {}),
        (_credential(), {"iat": EPOCH_FROM, "aud": "https://wallet.example"}),
    ],
    ids=["fractional-nbf", "fractional-valid-from", "other-registered-claims"],
)
def test_what_the_section_allows_verifies(credential: dict[str, Any], claims: dict) -> None:
    report = _verify(_sign(_payload(credential, **claims)))
    assert report.errors == [] and report.warnings == []


# -- the dates the claims carry ----------------------------------------------------------


def test_expired_by_exp_and_valid_until_one_second_ago() -> None:
    token = _sign(_payload())
    assert _verify(token, now=VALID_UNTIL - timedelta(seconds=1)).valid
    assert _codes(_verify(token, now=VALID_UNTIL + timedelta(seconds=1))) == ["ob3.expired"]


def test_not_valid_one_second_before_nbf_and_valid_from() -> None:
    token = _sign(_payload())
    assert _verify(token, now=VALID_FROM + timedelta(seconds=1)).valid
    report = _verify(token, now=VALID_FROM - timedelta(seconds=1))
    assert _codes(report) == ["ob3.not-yet-valid"]


def test_exp_without_valid_until_sets_valid_until() -> None:
    credential = _credential(validUntil=None)
    token = _sign(_payload(credential, exp=EPOCH_UNTIL))
    assert _verify(token).valid


def test_exp_without_valid_until_expires_the_credential() -> None:
    credential = _credential(validUntil=None)
    token = _sign(_payload(credential, exp=int((NOW - timedelta(days=1)).timestamp())))
    assert _codes(_verify(token)) == ["ob3.expired"]


# -- VCDM 1.1: issuanceDate and expirationDate -------------------------------------------


def _vcdm11(**claims: Any) -> str:
    credential = _credential(validFrom=None, validUntil=None)
    credential["@context"][0] = "https://www.w3.org/2018/credentials/v1"
    credential["issuanceDate"] = "2026-01-15T09:30:00Z"
    credential["expirationDate"] = VALID_UNTIL.isoformat().replace("+00:00", "Z")
    payload = {
        "vc": credential,
        "iss": ISSUER_ID,
        "jti": credential["id"],
        "sub": SUBJECT,
        "nbf": EPOCH_FROM,
        "exp": EPOCH_UNTIL,
        **claims,
    }
    return _sign({key: value for key, value in payload.items() if value is not None})


def test_a_vcdm_11_token_verifies() -> None:
    report = _verify(_vcdm11())
    assert report.errors == [] and report.warnings == []


@pytest.mark.parametrize(
    ("claims", "code"),
    [
        ({"nbf": EPOCH_FROM + 60}, "ob3.jwt-nbf"),
        ({"exp": EPOCH_UNTIL - 60}, "ob3.jwt-exp"),
        ({"iss": PARTNER_ID}, "ob3.jwt-iss"),
        ({"jti": f"{ORIGIN}/ob/v3/credentials/2"}, "ob3.jwt-jti"),
        ({"sub": "did:example:someone-else"}, "ob3.jwt-sub"),
    ],
    ids=["nbf-vs-issuanceDate", "exp-vs-expirationDate", "iss", "jti", "sub"],
)
def test_vcdm_11_claims_are_compared_with_their_fields(claims: dict, code: str) -> None:
    assert _codes(_verify(_vcdm11(**claims))) == [code]


def test_vcdm_11_not_yet_valid() -> None:
    report = _verify(_vcdm11(), now=VALID_FROM - timedelta(seconds=1))
    assert _codes(report) == ["ob3.not-yet-valid"]


# -- the same checks inside an embedded endorsement ---------------------------------------


@pytest.mark.parametrize(
    ("claim", "wrong"),
    [
        ("iss", ISSUER_ID),
        ("jti", f"{ORIGIN}/ob/v3/endorsements/2"),
        ("nbf", EPOCH_FROM + 1),
        ("sub", ISSUER_ID),
    ],
)
def test_an_endorsement_jwt_is_held_to_the_same_claims(claim: str, wrong: Any) -> None:
    endorsement = samples.endorsement(ORIGIN, f"{ORIGIN}/ob/v3/credentials/1")

    def endorsed(token: str) -> str:
        return _sign(_payload(_credential(endorsementJwt=[token])))

    good = _sign(_payload(endorsement), PARTNER_KEY, {"kid": _kid(PARTNER_KEY, PARTNER_ID)})
    assert _verify(endorsed(good)).valid
    bad = _sign(
        _payload(endorsement, **{claim: wrong}),
        PARTNER_KEY,
        {"kid": _kid(PARTNER_KEY, PARTNER_ID)},
    )
    report = _verify(endorsed(bad))
    assert [(f.code, f.path) for f in report.errors] == [
        (f"ob3.jwt-{claim}", f"endorsementJwt[0].payload.{claim}")
    ]
