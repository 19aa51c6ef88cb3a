"""What proves OB 3.0 interoperability: a second JOSE implementation and the 1EdTech schemas.

Our own verifier agreeing with our own signer proves little: both could share a
misreading of the spec. So every kind of credential Chemins issues is read here the way
an outside wallet or displayer would:

- the VC-JWT is decoded by ``joserfc`` (not PyJWT, which signs), with the key found from
  the JOSE header alone: the ``kid`` URL before ``#`` is fetched from the public routes,
  imported as a JWK Set, and ``joserfc`` picks the key whose ``kid`` is the header's. No
  code of ours chooses the key, so a ``kid`` that a standard library cannot match fails;
- the payload (OB 3.0 over VCDM 2.0: the credential itself, claims alongside) and the
  hosted documents (the issuer Profile, the Achievement, the credential JSON, the
  EndorsementCredentials) are validated against the 1EdTech OB 3.0 JSON Schemas shipped
  in ``fixtures/ob3_schemas`` (see its README), resolved from a local registry only.

Documents are fetched through :class:`badges.publishing.hosted.OwnDocuments`, which
answers each public URL with what the web route serves (the same ``lookup``), so no
test leaves the process.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from joserfc import jws
from joserfc import jwt as jose_jwt
from joserfc.errors import BadSignatureError, InvalidKeyIdError
from joserfc.jwk import KeySet
from jsonschema import Draft201909Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from sqlalchemy.orm import Session

from badges.models import Assertion, BadgeClass, Community, Endorsement, Profile
from badges.publishing.hosted import OwnDocuments
from badges.publishing.public_urls import PublicUrls
from badges.recognition.awarding import EvidenceItem, Recipient, award
from badges.recognition.endorsing import endorse_assertion, endorse_badge_class, endorse_profile
from badges.recognition.revoking import revoke
from badges.storage.database import transaction
from badges.storage.runtime import Runtime

SCHEMAS = Path(__file__).resolve().parent / "fixtures" / "ob3_schemas"
SCHEMA_IDS = {
    name: f"https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_{name}-jsonschema1.json"
    for name in ("achievementcredential", "endorsementcredential", "profile")
}
ACHIEVEMENT_SCHEMA = SCHEMA_IDS["achievementcredential"] + "#/$defs/Achievement"
# The algorithms OB 3.0 verifiers accept (RS256 required; ES256 taken by the 1EdTech
# validator); everything else, HS* and "none" included, must not decode.
ALGORITHMS = ["RS256", "ES256"]
HEADER_PARAMETERS = {"alg", "kid", "jwk", "typ"}
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


# -- the schemas, offline --------------------------------------------------------------


def _registry() -> Registry:
    """The three schemas by their ``$id``; nothing is ever fetched (no retriever)."""
    resources = []
    for name, schema_id in SCHEMA_IDS.items():
        contents = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
        assert contents["$id"] == schema_id
        resources.append((schema_id, Resource.from_contents(contents)))
    return Registry().with_resources(resources)


REGISTRY = _registry()
# jsonschema checks "date-time" only with an optional package; a check that silently
# passes would prove nothing, so RFC 3339 date-times are checked here explicitly.
FORMATS = FormatChecker(formats=("date",))


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str) or not RFC3339.match(value):
        return False
    datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    return True


def _validate(document: Any, schema_uri: str) -> None:
    """Raise ValidationError with every violation if ``document`` breaks the schema."""
    validator = Draft201909Validator(
        {"$ref": schema_uri}, registry=REGISTRY, format_checker=FORMATS
    )
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        raise ValidationError(
            "; ".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)
        )


# -- the public routes -----------------------------------------------------------------


@dataclass
class PublicWeb:
    """GET on the instance's public URLs, as an outside verifier would do."""

    loader: OwnDocuments

    def get(self, url: str, accept: str = "application/json") -> tuple[str, bytes]:
        fetched = self.loader(url, accept)
        assert fetched.status == 200, f"{url} answered HTTP {fetched.status}"
        return fetched.content_type, fetched.body

    def json(self, url: str) -> Any:
        return json.loads(self.get(url)[1])

    def text(self, url: str) -> str:
        return self.get(url, "application/vc+jwt, text/plain")[1].decode("ascii").strip()


def _web(session: Session, runtime: Runtime, urls: PublicUrls) -> PublicWeb:
    """What the public routes answer: the same lookup, with the sealer the web passes."""
    return PublicWeb(OwnDocuments(session, urls, sealer=runtime.sealer))


def _decode_from_header_alone(token: str, web: PublicWeb) -> tuple[dict[str, Any], dict]:
    """Header and claims of ``token`` verified by joserfc, the key found from the header.

    The compact JWS is opened by joserfc without verification to read ``kid``, the URL
    before ``#`` is fetched and imported as a JWK Set, and joserfc picks the key by the
    header's ``kid``: a JWK Set whose entries do not carry that exact ``kid`` fails here.
    """
    header = jws.extract_compact(token.encode("ascii")).headers()
    kid = header["kid"]
    assert isinstance(kid, str) and "#" in kid, f"kid {kid!r} is no URL with a fragment"
    content_type, body = web.get(kid.split("#", 1)[0], "application/jwk-set+json")
    assert content_type.split(";")[0] in ("application/jwk-set+json", "application/json")
    key_set = KeySet.import_key_set(json.loads(body))
    decoded = jose_jwt.decode(token, key_set, algorithms=ALGORITHMS)
    return dict(decoded.header), dict(decoded.claims)


def _epoch(value: str) -> int:
    """A credential date-time as a NumericDate, parsed without our own code."""
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


def _check_vc_jwt_rules(header: dict[str, Any], claims: dict[str, Any]) -> dict[str, Any]:
    """The JOSE header and claims OB 3.0 prescribes; returns the credential (the payload).

    Checked with joserfc's claims registry, independent of :mod:`badges.openbadges`.
    """
    assert set(header) <= HEADER_PARAMETERS, header
    assert header["alg"] in ALGORITHMS
    assert header.get("typ", "JWT") == "JWT"
    assert "vc" not in claims, "OB 3.0 over VCDM 2.0: the payload is the credential itself"
    credential = claims
    issuer = credential["issuer"]
    issuer_id = issuer["id"] if isinstance(issuer, dict) else issuer
    # Every credential Chemins issues has a subject id (the spec requires ``sub``).
    expected: dict[str, Any] = {
        "iss": {"essential": True, "value": issuer_id},
        "sub": {"essential": True, "value": credential["credentialSubject"]["id"]},
        "jti": {"essential": True, "value": credential["id"]},
        "nbf": {"essential": True, "value": _epoch(credential["validFrom"])},
    }
    if "validUntil" in credential:
        expected["exp"] = {"essential": True, "value": _epoch(credential["validUntil"])}
    jose_jwt.JWTClaimsRegistry(**expected).validate(claims)
    kid = header["kid"]
    assert urlsplit(kid)[:2] == urlsplit(issuer_id)[:2], "the key lives on the issuer's origin"
    return credential


def _check_published_jwk(header: dict[str, Any], issuer_id: str, web: PublicWeb) -> None:
    """The key is published under the issuer's profile and names that issuer."""
    kid = header["kid"]
    jwks_url = kid.split("#", 1)[0]
    assert jwks_url == f"{issuer_id}/jwks.json"
    entries = [e for e in web.json(jwks_url)["keys"] if e.get("kid") == kid]
    assert len(entries) == 1
    assert entries[0]["iss"] == issuer_id
    assert not {"d", "p", "q", "dp", "dq", "qi", "oth", "k"} & set(entries[0])


def _endorsement_jwts(node: Any) -> Iterator[str]:
    """Every ``endorsementJwt`` entry anywhere in ``node`` ($..endorsementJwt)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "endorsementJwt":
                yield from value
            else:
                yield from _endorsement_jwts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _endorsement_jwts(item)


# -- what Chemins issues ---------------------------------------------------------------


def _lti(session, runtime, badge) -> Assertion:  # type: ignore[no-untyped-def]
    return award(
        session, runtime, badge, Recipient(lti_sub="42", lti_issuer="https://moodle.example.org")
    )


def _email(session, runtime, badge) -> Assertion:  # type: ignore[no-untyped-def]
    return award(session, runtime, badge, Recipient(email="Nathan@Example.org"))


def _with_evidence(session, runtime, badge) -> Assertion:  # type: ignore[no-untyped-def]
    evidence = [
        EvidenceItem(
            narrative="A accueilli trois personnes à la permanence du mardi.",
            url="https://photos.example.org/permanence.jpg",
            name="Photo de la permanence",
            genre="Photo",
            public=True,
        ),
        EvidenceItem(narrative="Témoignage d'une personne accueillie."),
    ]
    return award(
        session,
        runtime,
        badge,
        Recipient(email="sylvie@example.org"),
        evidence=evidence,
        narrative="Sylvie a tenu l'accueil pendant un mois.",
    )


def _expiring(session, runtime, badge) -> Assertion:  # type: ignore[no-untyped-def]
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(days=365)
    return award(session, runtime, badge, Recipient(email="kim@example.org"), expires=expires)


def _revoked(session, runtime, badge) -> Assertion:  # type: ignore[no-untyped-def]
    return revoke(session, _email(session, runtime, badge), "Attribué par erreur")


AWARDS: dict[str, Callable[..., Assertion]] = {
    "lti-recipient": _lti,
    "email-recipient": _email,
    "with-evidence": _with_evidence,
    "with-valid-until": _expiring,
    "revoked": _revoked,
}


@pytest.mark.parametrize("kind", list(AWARDS))
def test_every_award_decodes_with_joserfc_from_its_header_and_fits_the_schema(
    issuing, kind: str
) -> None:
    runtime = issuing.runtime
    urls = PublicUrls(runtime.instance.origin)
    with transaction(runtime.sessions) as session:
        badge = session.get(BadgeClass, issuing.badge_class_id)
        assertion = AWARDS[kind](session, runtime, badge)
        web = _web(session, runtime, urls)
        token = web.text(urls.ob3_credential_jwt(assertion.id))
        assert token == assertion.ob3_jwt
        header, claims = _decode_from_header_alone(token, web)
        credential = _check_vc_jwt_rules(header, claims)
        _validate(claims, SCHEMA_IDS["achievementcredential"])
        assert credential["id"] == urls.ob3_credential(assertion.id)
        _check_published_jwk(header, credential["issuer"]["id"], web)
        # The JSON served at the credential's id is the same credential, and fits too.
        hosted = web.json(credential["id"])
        assert hosted == claims
        _validate(hosted, SCHEMA_IDS["achievementcredential"])
        if kind == "with-evidence":
            assert len(credential["evidence"]) >= 1
        if kind == "with-valid-until":
            assert claims["exp"] == _epoch(credential["validUntil"])
        if kind == "revoked":
            status = credential["credentialStatus"]
            assert status["type"] == "1EdTechRevocationList"
            listed = web.json(status["id"])
            assert credential["id"] in json.dumps(listed)


def test_the_issuer_profile_and_the_achievement_fit_their_schemas(issuing) -> None:
    runtime = issuing.runtime
    urls = PublicUrls(runtime.instance.origin)
    with transaction(runtime.sessions) as session:
        badge = session.get(BadgeClass, issuing.badge_class_id)
        credential = _decode_payload(_email(session, runtime, badge).ob3_jwt or "")
        web = _web(session, runtime, urls)
        issuer = web.json(credential["issuer"]["id"])
        assert issuer["id"] == credential["issuer"]["id"]
        _validate(issuer, SCHEMA_IDS["profile"])
        achievement = web.json(credential["credentialSubject"]["achievement"]["id"])
        assert achievement["id"] == credential["credentialSubject"]["achievement"]["id"]
        _validate(achievement, ACHIEVEMENT_SCHEMA)
        # The copy embedded in the credential fits the same definition.
        _validate(credential["credentialSubject"]["achievement"], ACHIEVEMENT_SCHEMA)
        partner = session.get(Profile, issuing.partner_id)
        _validate(web.json(urls.ob3_profile(partner.id)), SCHEMA_IDS["profile"])


def _decode_payload(token: str) -> dict[str, Any]:
    """The payload of a compact JWS, unverified (joserfc's reader, not ours)."""
    return json.loads(jws.extract_compact(token.encode("ascii")).payload)


# -- endorsements ----------------------------------------------------------------------


def _endorse_badge_class(session, runtime, issuing, signer=None) -> Endorsement:  # type: ignore[no-untyped-def]
    badge = session.get(BadgeClass, issuing.badge_class_id)
    partner = session.get(Profile, issuing.partner_id)
    return endorse_badge_class(
        session,
        badge,
        partner,
        "Nous accueillons ces jeunes en stage et **reconnaissons** ce badge.",
        runtime=signer,
    )


def _endorse_award(session, runtime, issuing, signer=None) -> Endorsement:  # type: ignore[no-untyped-def]
    badge = session.get(BadgeClass, issuing.badge_class_id)
    partner = session.get(Profile, issuing.partner_id)
    return endorse_assertion(
        session,
        _email(session, runtime, badge),
        partner,
        "Nathan a tenu l'accueil avec nous.",
        runtime=signer,
    )


def _endorse_issuer(session, runtime, issuing, signer=None) -> Endorsement:  # type: ignore[no-untyped-def]
    community = session.get(Community, issuing.community_id)
    partner = session.get(Profile, issuing.partner_id)
    return endorse_profile(
        session,
        community.issuer,
        partner,
        "Un centre social qui accompagne vraiment les jeunes.",
        runtime=signer,
    )


ENDORSEMENTS: dict[str, Callable[..., Endorsement]] = {
    "of-a-badge-class": _endorse_badge_class,
    "of-an-award": _endorse_award,
    "of-the-issuer": _endorse_issuer,
}


def _endorsed_url(urls: PublicUrls, endorsement: Endorsement) -> str:
    """The OB 3.0 id of what ``endorsement`` vouches for, from its row."""
    if endorsement.assertion_id is not None:
        return urls.ob3_credential(endorsement.assertion_id)
    if endorsement.badge_class_id is not None:
        return urls.ob3_achievement(endorsement.badge_class_id)
    return urls.ob3_profile(endorsement.profile_id or "")


@pytest.mark.parametrize("signed", ["when-made", "when-first-served"])
@pytest.mark.parametrize("kind", list(ENDORSEMENTS))
def test_every_endorsement_decodes_with_joserfc_from_its_header_and_fits_the_schema(
    issuing, kind: str, signed: str
) -> None:
    runtime = issuing.runtime
    urls = PublicUrls(runtime.instance.origin)
    with transaction(runtime.sessions) as session:
        # The workflow signs at once when given the runtime; otherwise the public route
        # signs the endorsement the first time someone asks for it.
        signer = runtime if signed == "when-made" else None
        endorsement = ENDORSEMENTS[kind](session, runtime, issuing, signer)
        web = _web(session, runtime, urls)
        hosted = web.json(urls.ob3_endorsement(endorsement.id))
        _validate(hosted, SCHEMA_IDS["endorsementcredential"])
        token = web.text(urls.ob3_endorsement(endorsement.id) + ".jwt")
        header, claims = _decode_from_header_alone(token, web)
        credential = _check_vc_jwt_rules(header, claims)
        assert "EndorsementCredential" in credential["type"]
        assert credential["id"] == urls.ob3_endorsement(endorsement.id)
        assert credential["credentialSubject"]["id"] == _endorsed_url(urls, endorsement)
        _validate(claims, SCHEMA_IDS["endorsementcredential"])
        _check_published_jwk(header, credential["issuer"]["id"], web)
        _validate(web.json(credential["issuer"]["id"]), SCHEMA_IDS["profile"])


def test_endorsement_jwts_embedded_in_the_achievement_decode_and_fit_the_schema(
    issuing,
) -> None:
    runtime = issuing.runtime
    urls = PublicUrls(runtime.instance.origin)
    with transaction(runtime.sessions) as session:
        _endorse_badge_class(session, runtime, issuing)
        badge = session.get(BadgeClass, issuing.badge_class_id)
        assertion = _lti(session, runtime, badge)
        web = _web(session, runtime, urls)
        achievement = web.json(urls.ob3_achievement(badge.id))
        awarded = _decode_payload(assertion.ob3_jwt or "")
        tokens = [*_endorsement_jwts(achievement), *_endorsement_jwts(awarded)]
        assert len(tokens) >= 2, "the endorsement is in the Achievement and in the award"
        for token in tokens:
            header, claims = _decode_from_header_alone(token, web)
            credential = _check_vc_jwt_rules(header, claims)
            _validate(claims, SCHEMA_IDS["endorsementcredential"])
            assert credential["credentialSubject"]["id"] == urls.ob3_achievement(badge.id)


def test_an_endorsement_of_an_award_is_embedded_in_its_signed_again_credential(
    issuing,
) -> None:
    runtime = issuing.runtime
    urls = PublicUrls(runtime.instance.origin)
    with transaction(runtime.sessions) as session:
        endorsement = _endorse_award(session, runtime, issuing, runtime)
        web = _web(session, runtime, urls)
        token = web.text(urls.ob3_credential_jwt(endorsement.assertion_id or ""))
        header, claims = _decode_from_header_alone(token, web)
        _check_vc_jwt_rules(header, claims)
        _validate(claims, SCHEMA_IDS["achievementcredential"])
        embedded = list(_endorsement_jwts(claims))
        assert len(embedded) == 1
        header, claims = _decode_from_header_alone(embedded[0], web)
        credential = _check_vc_jwt_rules(header, claims)
        _validate(claims, SCHEMA_IDS["endorsementcredential"])
        assert credential["id"] == urls.ob3_endorsement(endorsement.id)
        assert credential["credentialSubject"]["id"] == urls.ob3_credential(
            endorsement.assertion_id or ""
        )


# -- the checks above can fail -----------------------------------------------------------


def test_the_schemas_refuse_what_the_spec_refuses(issuing) -> None:
    runtime = issuing.runtime
    with transaction(runtime.sessions) as session:
        badge = session.get(BadgeClass, issuing.badge_class_id)
        credential = _decode_payload(_lti(session, runtime, badge).ob3_jwt or "")
    _validate(credential, SCHEMA_IDS["achievementcredential"])
    for broken in (
        {k: v for k, v in credential.items() if k != "validFrom"},
        {**credential, "validFrom": "15/01/2026"},
        {**credential, "type": ["VerifiableCredential"]},
        {**credential, "@context": ["https://www.w3.org/2018/credentials/v1"]},
    ):
        with pytest.raises(ValidationError):
            _validate(broken, SCHEMA_IDS["achievementcredential"])
    achievement = dict(credential["credentialSubject"]["achievement"])
    del achievement["criteria"]
    with pytest.raises(ValidationError):
        _validate(achievement, ACHIEVEMENT_SCHEMA)
    with pytest.raises(ValidationError):
        _validate({"id": credential["issuer"]["id"], "type": "Issuer"}, SCHEMA_IDS["profile"])


def test_joserfc_refuses_a_key_the_header_does_not_name_and_a_tampered_payload(
    issuing,
) -> None:
    runtime = issuing.runtime
    urls = PublicUrls(runtime.instance.origin)
    with transaction(runtime.sessions) as session:
        badge = session.get(BadgeClass, issuing.badge_class_id)
        token = _lti(session, runtime, badge).ob3_jwt or ""
        web = _web(session, runtime, urls)
        header, payload, signature = token.split(".")
        named = jws.extract_compact(token.encode("ascii")).headers()
        renamed = {**named, "kid": named["kid"] + "-other"}
        with pytest.raises(InvalidKeyIdError):
            _decode_from_header_alone(f"{_b64(renamed)}.{payload}.{signature}", web)
        claims = _decode_payload(token)
        claims["credentialSubject"]["achievement"]["name"] = "Brevet de pilote"
        with pytest.raises(BadSignatureError):
            _decode_from_header_alone(f"{header}.{_b64(claims)}.{signature}", web)


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
