"""OB 2.0 verification end to end: documents served by a real HTTP server on 127.0.0.1 and
fetched through HttpLoader, plus the recorded Moodle 4.3 and Badgr responses.

Each forgery or fault has its own test asserting the finding that catches it, so
removing any one check makes exactly that test fail.
"""

from __future__ import annotations

import base64
import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from badges.openbadges import jws, ob2
from badges.openbadges.errors import UnusableInput
from badges.openbadges.loader import HttpLoader, Loader
from badges.openbadges.report import VerificationReport
from badges.openbadges.verify_ob2 import verify_ob2
from badges.outbound.client import OutboundClient
from tests.conftest import LOCAL_HOSTS

from .conftest import (
    BADGR,
    LEARNER,
    MOODLE,
    MOODLE_ASSERTION_URL,
    MOODLE_DOCUMENTS,
    MOODLE_ORIGIN,
    NOW,
    BadgeServer,
    DictLoader,
    Ob2Issuer,
)


def _verify(data: Any, loader: Loader | None = None, **kwargs: Any) -> VerificationReport:
    kwargs.setdefault("now", NOW)
    return verify_ob2(
        data,
        loader or HttpLoader(OutboundClient(LOCAL_HOSTS), timeout=5),
        VerificationReport(),
        **kwargs,
    )


def _errors(report: VerificationReport) -> list[str]:
    return [f.code for f in report.errors]


def _warnings(report: VerificationReport) -> list[str]:
    return [f.code for f in report.warnings]


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


# -- valid badges ----------------------------------------------------------------------


def test_a_signed_badge_verifies(ob2_issuer: Ob2Issuer, badge_server: BadgeServer) -> None:
    document, token = ob2_issuer.signed()
    report = _verify(token, recipient=LEARNER)
    assert report.valid, report.as_dict()
    assert report.warnings == []
    assert (report.version, report.form) == ("2.0", "signed")
    assert report.subject == {
        "id": document["id"],
        "type": "Assertion",
        "badgeId": badge_server.url("/badges/1"),
        "badgeName": "Je soutiens",
        "issuerId": badge_server.url("/issuer"),
        "issuerName": "Centre social des Chemins",
        "issuedOn": "2026-11-28T20:00:00Z",
        "recipientType": "email",
    }
    assert badge_server.requested == ["/badges/1", "/issuer", "/keys/1", "/revocations"]


def test_an_es256_signed_badge_verifies(ob2_issuer: Ob2Issuer) -> None:
    from badges.openbadges.keys import generate_key, public_key_pem

    ob2_issuer.key = generate_key("ES256")
    ob2_issuer.key_document["publicKeyPem"] = public_key_pem(ob2_issuer.key)
    ob2_issuer.publish()
    report = _verify(ob2_issuer.signed()[1])
    assert report.valid, report.as_dict()


def test_a_hosted_badge_verifies_from_its_url(ob2_issuer: Ob2Issuer) -> None:
    document = ob2_issuer.hosted()
    report = _verify(document["id"], recipient=LEARNER)
    assert report.valid, report.as_dict()
    assert report.form == "hosted"


def test_a_hosted_badge_given_as_json_is_fetched_at_its_id(
    ob2_issuer: Ob2Issuer, badge_server: BadgeServer
) -> None:
    document = ob2_issuer.hosted()
    report = _verify(document)
    assert report.valid, report.as_dict()
    assert "/assertions/1" in badge_server.requested


def test_a_redirect_to_the_declared_id_is_followed(
    ob2_issuer: Ob2Issuer, badge_server: BadgeServer
) -> None:
    document = ob2_issuer.hosted("/assertions/1")
    badge_server.redirect("/short/1", document["id"])
    report = _verify(badge_server.url("/short/1"))
    assert report.valid, report.as_dict()


def test_aliases_single_values_and_embedded_objects(
    ob2_issuer: Ob2Issuer, badge_server: BadgeServer
) -> None:
    """`verify`/`hosted`, one-element values as scalars or arrays, BadgeClass and Issuer
    embedded, an Image object with a data URI: all the spellings OB 2.0 allows."""
    badge = dict(
        ob2_issuer.badge, issuer=ob2_issuer.profile, image={"id": "data:image/svg+xml,<svg/>"}
    )
    document = ob2_issuer.hosted(badge=badge, type=["Assertion"])
    del document["verification"]
    document["verify"] = {"type": "hosted", "url": document["id"]}
    document["evidence"] = "https://chemins.test/evidence/1"
    badge_server.serve_json("/assertions/1", document)
    report = _verify(document["id"])
    assert report.valid, report.as_dict()
    assert report.warnings == []
    assert report.subject["issuerName"] == "Centre social des Chemins"


def test_signed_type_alias(ob2_issuer: Ob2Issuer) -> None:
    _, token = ob2_issuer.signed(
        verification={"type": "signed", "creator": ob2_issuer.key_document["id"]}
    )
    assert _verify(token).valid


# -- signatures and keys ---------------------------------------------------------------


def test_bad_signature(ob2_issuer: Ob2Issuer, other_rsa_key: Any) -> None:
    """Signed by another key while naming the issuer's key as creator."""
    document, _ = ob2_issuer.signed()
    forged = jws.sign(document, other_rsa_key)
    report = _verify(forged)
    assert _errors(report) == ["ob2.signature"]


def test_tampered_payload(ob2_issuer: Ob2Issuer) -> None:
    document, token = ob2_issuer.signed()
    header, _, signature = token.split(".")
    document["recipient"] = ob2.recipient_identity(identity="mallory@example.org")
    report = _verify(f"{header}.{_b64(document)}.{signature}", recipient="mallory@example.org")
    assert _errors(report) == ["ob2.signature"]


def test_signed_json_without_its_jws_is_not_valid(ob2_issuer: Ob2Issuer) -> None:
    document, _ = ob2_issuer.signed()
    assert _errors(_verify(document)) == ["ob2.signature"]


def _serve_forger_key(ob2_issuer: Ob2Issuer, forger_key: Any) -> str:
    """A forger's key document, naming the issuer's Profile as its owner; its URL."""
    from badges.openbadges.keys import public_key_pem

    server = ob2_issuer.server
    server.serve_json(
        "/forger/key",
        ob2.cryptographic_key(
            id=server.url("/forger/key"),
            owner=ob2_issuer.profile["id"],
            public_key_pem=public_key_pem(forger_key),
        ),
    )
    return server.url("/forger/key")


def test_creator_not_listed_by_the_issuer(ob2_issuer: Ob2Issuer, other_rsa_key: Any) -> None:
    """A forger publishes their own key document naming the issuer as owner."""
    forger_key = _serve_forger_key(ob2_issuer, other_rsa_key)
    document, _ = ob2_issuer.signed(verification=ob2.signed_verification(creator=forger_key))
    report = _verify(jws.sign(document, other_rsa_key))
    assert _errors(report) == ["ob2.key-unknown"]


def test_key_owned_by_someone_else(ob2_issuer: Ob2Issuer) -> None:
    ob2_issuer.key_document["owner"] = ob2_issuer.server.url("/someone-else")
    ob2_issuer.publish()
    report = _verify(ob2_issuer.signed()[1])
    assert _errors(report) == ["ob2.key-unknown"]


def test_forged_embedded_issuer_is_not_trusted(ob2_issuer: Ob2Issuer, other_rsa_key: Any) -> None:
    """An embedded Profile listing the forger's key: the hosted Profile is what counts."""
    forger_key = _serve_forger_key(ob2_issuer, other_rsa_key)
    fake_profile = dict(ob2_issuer.profile, publicKey=[forger_key])
    document, _ = ob2_issuer.signed(
        badge=dict(ob2_issuer.badge, issuer=fake_profile),
        verification=ob2.signed_verification(creator=forger_key),
    )
    report = _verify(jws.sign(document, other_rsa_key))
    assert _errors(report) == ["ob2.key-unknown"]


def test_without_creator_the_issuers_listed_keys_are_tried(ob2_issuer: Ob2Issuer) -> None:
    _, token = ob2_issuer.signed(verification={"type": "SignedBadge"})
    assert _verify(token).valid


def test_alg_none_is_unusable(ob2_issuer: Ob2Issuer) -> None:
    document, _ = ob2_issuer.signed()
    with pytest.raises(UnusableInput, match="unsigned"):
        _verify(f"{_b64({'alg': 'none'})}.{_b64(document)}.")


# -- recipient -------------------------------------------------------------------------


def test_wrong_recipient(ob2_issuer: Ob2Issuer) -> None:
    report = _verify(ob2_issuer.signed()[1], recipient="learner2@example.com")
    assert _errors(report) == ["ob2.recipient"]


def test_malformed_recipient_hash(ob2_issuer: Ob2Issuer) -> None:
    recipient = {"type": "email", "hashed": True, "identity": "sha1$abc", "salt": "x"}
    report = _verify(ob2_issuer.signed(recipient=recipient)[1], recipient=LEARNER)
    assert _errors(report) == ["ob2.value"]


# -- revocation ------------------------------------------------------------------------


@pytest.mark.parametrize("body", [None, {"revoked": True, "revocationReason": "mistake"}])
def test_hosted_410_gone_is_revoked(
    ob2_issuer: Ob2Issuer, badge_server: BadgeServer, body: dict[str, Any] | None
) -> None:
    document = ob2_issuer.hosted()
    if body is None:
        badge_server.serve("/assertions/1", b"", "text/plain", status=410)
    else:
        badge_server.serve_json("/assertions/1", {"id": document["id"], **body}, status=410)
    for data in (document["id"], document):
        report = _verify(data)
        assert _errors(report) == ["ob2.revoked"]
        assert report.subject["revoked"] is True


def test_hosted_revoked_true(ob2_issuer: Ob2Issuer) -> None:
    document = ob2_issuer.hosted(revoked=True, revocationReason="mistake")
    report = _verify(document["id"])
    assert _errors(report) == ["ob2.revoked"]
    assert "mistake" in report.errors[0].message


@pytest.mark.parametrize(
    "entries",
    [
        pytest.param(lambda a: [a["id"]], id="one-string"),
        pytest.param(lambda a: [{"id": a["id"], "revocationReason": "x"}], id="one-object"),
        pytest.param(lambda a: [{"uid": a["uid"]}], id="one-legacy-uid"),
        pytest.param(lambda a: a["id"], id="scalar-string"),
        pytest.param(lambda a: {"id": a["id"]}, id="scalar-object"),
        pytest.param(lambda a: ["urn:uuid:other", {"id": a["id"]}, "urn:x"], id="among-others"),
    ],
)
def test_revocation_list_revokes(ob2_issuer: Ob2Issuer, entries: Any) -> None:
    document, token = ob2_issuer.signed(uid="legacy-42")
    ob2_issuer.revocations["revokedAssertions"] = entries(document)
    ob2_issuer.publish()
    report = _verify(token)
    assert _errors(report) == ["ob2.revoked"]


def test_others_revoked_but_not_this_one(ob2_issuer: Ob2Issuer) -> None:
    ob2_issuer.revocations["revokedAssertions"] = ["urn:uuid:other", {"uid": "other"}]
    ob2_issuer.publish()
    assert _verify(ob2_issuer.signed()[1]).valid


def test_revocation_list_that_cannot_be_fetched_warns(
    ob2_issuer: Ob2Issuer, badge_server: BadgeServer
) -> None:
    del badge_server.routes["/revocations"]
    report = _verify(ob2_issuer.signed()[1])
    assert report.valid
    assert _warnings(report) == ["ob2.fetch"]


# -- dates -----------------------------------------------------------------------------


def test_expired(ob2_issuer: Ob2Issuer) -> None:
    _, token = ob2_issuer.signed(expires="2026-11-29T11:59:59Z")
    assert _errors(_verify(token)) == ["ob2.expired"]
    later = datetime(2026, 11, 29, 11, 0, tzinfo=UTC)
    assert _verify(token, now=later).valid


@pytest.mark.parametrize("field", ["issuedOn", "expires"])
@pytest.mark.parametrize("value", ["2026-11-28T20:00:00", "1795898218", "2026-11-28"])
def test_datetimes_without_timezone_are_errors(
    ob2_issuer: Ob2Issuer, field: str, value: str
) -> None:
    _, token = ob2_issuer.signed(**{field: value})
    assert _errors(_verify(token)) == ["ob2.datetime"]


def test_issued_in_the_future_warns(ob2_issuer: Ob2Issuer) -> None:
    report = _verify(ob2_issuer.signed(issuedOn="2027-01-01T00:00:00Z")[1])
    assert report.valid and _warnings(report) == ["ob2.future"]


# -- hosting origin and ids ------------------------------------------------------------


def _elsewhere(server: BadgeServer, path: str) -> str:
    """The same server under another origin (localhost instead of 127.0.0.1)."""
    return server.url(path).replace("127.0.0.1", "localhost")


def test_hosted_assertion_on_another_origin(
    ob2_issuer: Ob2Issuer, badge_server: BadgeServer
) -> None:
    document = ob2_issuer.hosted("/assertions/1")
    document["id"] = _elsewhere(badge_server, "/assertions/1")
    badge_server.serve_json("/assertions/1", document)
    report = _verify(document["id"])
    assert _errors(report) == ["ob2.origin"]
    assert report.errors[0].path == "id"


def test_hosted_badge_class_on_another_origin(
    ob2_issuer: Ob2Issuer, badge_server: BadgeServer
) -> None:
    badge = dict(ob2_issuer.badge, id=_elsewhere(badge_server, "/badges/2"))
    badge_server.serve_json("/badges/2", badge)
    document = ob2_issuer.hosted(badge=badge["id"])
    report = _verify(document["id"])
    assert _errors(report) == ["ob2.origin"]
    assert report.errors[0].path == "badge.id"


@pytest.mark.parametrize(
    ("policy", "valid"),
    [
        (lambda s: ob2.issuer_verification(allowed_origins=["localhost"]), True),
        (lambda s: ob2.issuer_verification(starts_with=[_elsewhere(s, "/assertions/")]), True),
        (lambda s: ob2.issuer_verification(allowed_origins=["other.example"]), False),
        (lambda s: ob2.issuer_verification(starts_with=[s.url("/elsewhere/")]), False),
    ],
)
def test_issuer_verification_policy(
    ob2_issuer: Ob2Issuer, badge_server: BadgeServer, policy: Any, valid: bool
) -> None:
    ob2_issuer.profile["verification"] = policy(badge_server)
    ob2_issuer.publish()
    document = ob2_issuer.hosted("/assertions/1")
    document["id"] = _elsewhere(badge_server, "/assertions/1")
    document["badge"] = dict(ob2_issuer.badge, id=_elsewhere(badge_server, "/assertions/b"))
    badge_server.serve_json("/assertions/1", document)
    report = _verify(document["id"])
    assert report.valid is valid, report.as_dict()


def test_starts_with_narrows_the_issuers_own_origin(
    ob2_issuer: Ob2Issuer, badge_server: BadgeServer
) -> None:
    ob2_issuer.profile["verification"] = ob2.issuer_verification(
        starts_with=[badge_server.url("/ob/v2/")]
    )
    ob2_issuer.publish()
    report = _verify(ob2_issuer.hosted("/assertions/1")["id"])
    assert set(_errors(report)) == {"ob2.origin"}


def test_document_fetched_from_x_declaring_id_y(
    ob2_issuer: Ob2Issuer, badge_server: BadgeServer
) -> None:
    document = ob2_issuer.hosted("/assertions/1")
    badge_server.serve_json("/assertions/1", dict(document, id=badge_server.url("/assertions/2")))
    report = _verify(document["id"])
    assert "ob2.id-mismatch" in _errors(report)


def test_badge_class_declaring_another_id(ob2_issuer: Ob2Issuer, badge_server: BadgeServer) -> None:
    badge_server.serve_json("/badges/1", dict(ob2_issuer.badge, id=badge_server.url("/badges/9")))
    report = _verify(ob2_issuer.signed()[1])
    assert _errors(report) == ["ob2.id-mismatch"]
    assert report.errors[0].path == "badge"


def test_hosted_copy_differing_from_the_hosted_assertion(ob2_issuer: Ob2Issuer) -> None:
    """A baked copy promising a later expiry loses to what the issuer hosts now."""
    hosted = ob2_issuer.hosted(expires="2026-11-29T00:00:00Z")
    copy_ = dict(hosted, expires="2030-01-01T00:00:00Z")
    report = _verify(copy_)
    assert _errors(report) == ["ob2.expired"]
    assert _warnings(report) == ["ob2.hosted-differs"]


def test_hosted_assertion_that_cannot_be_fetched(
    ob2_issuer: Ob2Issuer, badge_server: BadgeServer
) -> None:
    document = ob2_issuer.hosted("/assertions/1")
    del badge_server.routes["/assertions/1"]
    assert _errors(_verify(document["id"])) == ["ob2.fetch"]
    assert "ob2.fetch" in _errors(_verify(document))


# -- required fields -------------------------------------------------------------------


@pytest.mark.parametrize("field", ["id", "type", "recipient", "badge", "verification", "issuedOn"])
def test_assertion_without_a_required_field(ob2_issuer: Ob2Issuer, field: str) -> None:
    document, _ = ob2_issuer.signed()
    del document[field]
    report = _verify(jws.sign(document, ob2_issuer.key))
    assert "ob2.required" in _errors(report)
    assert any(f.path == field for f in report.errors)


@pytest.mark.parametrize(
    "field", ["id", "type", "name", "description", "image", "criteria", "issuer"]
)
def test_badge_class_without_a_required_field(ob2_issuer: Ob2Issuer, field: str) -> None:
    badge = dict(ob2_issuer.badge)
    del badge[field]
    report = _verify(ob2_issuer.signed(badge=badge)[1])
    assert "ob2.required" in _errors(report)
    assert any(f.path == f"badge.{field}" for f in report.errors)


@pytest.mark.parametrize("field", ["type", "name", "url"])
def test_issuer_without_a_required_field(ob2_issuer: Ob2Issuer, field: str) -> None:
    del ob2_issuer.profile[field]
    ob2_issuer.publish()
    report = _verify(ob2_issuer.signed()[1])
    assert _errors(report) == ["ob2.required"]
    assert report.errors[0].path == f"badge.issuer.{field}"


@pytest.mark.parametrize("email", [None, ""])
def test_issuer_without_email_only_warns(ob2_issuer: Ob2Issuer, email: str | None) -> None:
    if email is None:
        del ob2_issuer.profile["email"]
    else:
        ob2_issuer.profile["email"] = email
    ob2_issuer.publish()
    report = _verify(ob2_issuer.signed()[1])
    assert report.valid
    assert _warnings(report) == ["ob2.issuer-email"]


@pytest.mark.parametrize(
    ("recipient", "path"),
    [
        ({"type": "email", "hashed": True}, "recipient.identity"),
        ({"identity": LEARNER, "hashed": False}, "recipient.type"),
        ({"identity": LEARNER, "type": "email"}, "recipient.hashed"),
    ],
)
def test_identity_object_without_a_required_field(
    ob2_issuer: Ob2Issuer, recipient: dict[str, Any], path: str
) -> None:
    report = _verify(ob2_issuer.signed(recipient=recipient)[1])
    assert [(f.code, f.path) for f in report.errors] == [("ob2.required", path)]


def test_alignment_without_target_url(ob2_issuer: Ob2Issuer) -> None:
    badge = dict(ob2_issuer.badge, alignment={"targetName": "Mentoring"})
    report = _verify(ob2_issuer.signed(badge=badge)[1])
    assert [(f.code, f.path) for f in report.errors] == [
        ("ob2.required", "badge.alignment[0].targetUrl")
    ]


def test_image_that_is_neither_png_nor_svg_warns(ob2_issuer: Ob2Issuer) -> None:
    badge = dict(ob2_issuer.badge, image="data:image/jpeg;base64,/9j/4AAQ")
    report = _verify(ob2_issuer.signed(badge=badge)[1])
    assert report.valid and _warnings(report) == ["ob2.image"]


def test_not_an_ob2_document(ob2_issuer: Ob2Issuer) -> None:
    document, _ = ob2_issuer.signed()
    del document["@context"]
    assert _errors(_verify(jws.sign(document, ob2_issuer.key))) == ["ob2.context"]


# -- endorsements ----------------------------------------------------------------------


def _endorse(issuer: Ob2Issuer, **claim: Any) -> dict[str, Any]:
    server = issuer.server
    partner = ob2.issuer_profile(
        id=server.url("/partners/1"), name="Mairie", url=server.url("/"), email="m@x.example"
    )
    endorsement = ob2.endorsement(
        id=server.url("/endorsements/1"),
        claim_id=issuer.badge["id"],
        endorsement_comment="We host these learners",
        issuer=partner["id"],
        issued_on=datetime(2026, 11, 1, tzinfo=UTC),
    )
    endorsement["claim"] = {**endorsement["claim"], **claim}
    server.serve_json("/partners/1", partner)
    server.serve_json("/endorsements/1", endorsement)
    issuer.badge["endorsement"] = endorsement["id"]
    issuer.publish()
    return endorsement


def test_endorsement_is_fetched_and_summarised(ob2_issuer: Ob2Issuer) -> None:
    _endorse(ob2_issuer)
    report = _verify(ob2_issuer.signed()[1])
    assert report.valid and report.warnings == []
    assert report.subject["endorsements"] == [
        {
            "id": ob2_issuer.server.url("/endorsements/1"),
            "endorserName": "Mairie",
            "comment": "We host these learners",
        }
    ]


def test_endorsement_claim_with_only_an_id_warns(ob2_issuer: Ob2Issuer) -> None:
    endorsement = _endorse(ob2_issuer)
    del endorsement["claim"]["endorsementComment"]
    ob2_issuer.server.serve_json("/endorsements/1", endorsement)
    report = _verify(ob2_issuer.signed()[1])
    assert report.valid
    assert _warnings(report) == ["ob2.endorsement-claim"]


def test_endorsement_about_something_else_warns(ob2_issuer: Ob2Issuer) -> None:
    _endorse(ob2_issuer, id="https://elsewhere.example/badge")
    report = _verify(ob2_issuer.signed()[1])
    assert report.valid and _warnings(report) == ["ob2.endorsement-subject"]


def test_broken_endorsement_does_not_invalidate_the_badge(
    ob2_issuer: Ob2Issuer, badge_server: BadgeServer
) -> None:
    endorsement = _endorse(ob2_issuer)
    del endorsement["issuedOn"]
    badge_server.serve_json("/endorsements/1", endorsement)
    del badge_server.routes["/partners/1"]
    report = _verify(ob2_issuer.signed()[1])
    assert report.valid
    assert sorted(_warnings(report)) == ["ob2.fetch", "ob2.required"]


def test_endorsement_hosted_off_the_endorsers_origin_warns(
    ob2_issuer: Ob2Issuer, badge_server: BadgeServer
) -> None:
    endorsement = _endorse(ob2_issuer)
    endorsement["issuer"] = {
        "id": "https://partner.example/profile",
        "type": "Profile",
        "name": "Partner",
        "url": "https://partner.example",
        "email": "p@partner.example",
    }
    badge_server.serve_json("/endorsements/1", endorsement)
    report = _verify(ob2_issuer.signed()[1])
    assert report.valid and _warnings(report) == ["ob2.endorsement-origin"]


def test_withdrawn_endorsement_warns(ob2_issuer: Ob2Issuer, badge_server: BadgeServer) -> None:
    _endorse(ob2_issuer)
    withdrawn = ob2.revoked_endorsement(
        id=badge_server.url("/endorsements/1"), issuer=badge_server.url("/partners/1")
    )
    badge_server.serve_json("/endorsements/1", withdrawn)
    report = _verify(ob2_issuer.signed()[1])
    assert report.valid and _warnings(report) == ["ob2.endorsement-revoked"]


# -- recorded Moodle 4.3 and Badgr documents -------------------------------------------


def test_moodle_assertion_verifies_with_warnings(moodle_loader: DictLoader) -> None:
    """Moodle 4.3 as recorded: valid; warnings for its quirks, each for a stated reason."""
    report = _verify(MOODLE_ASSERTION_URL, moodle_loader, recipient=LEARNER)
    assert report.valid, report.as_dict()
    assert [(f.code, f.path) for f in report.warnings] == [
        ("ob2.unmapped", "badge.alignments"),  # plural: not in the OB 2.0 context
        ("ob2.issuer-email", "badge.issuer.email"),  # Moodle publishes ""
        ("ob2.required", "badge.endorsement[0].issuer.type"),  # endorser Profile has no type
        # claim.id is the admin-typed https://partner.example.org/claims/1, not the badge
        ("ob2.endorsement-subject", "badge.endorsement[0].claim.id"),
    ]
    assert report.subject["badgeName"] == "Peer Mentor"
    assert report.subject["issuerName"] == "Connector Test Moodle"
    assert report.subject["issuedOn"] == "2026-11-28T20:36:58+00:00"
    assert report.subject["endorsements"][0]["comment"] == "We endorse this badge"
    # Everything came from Moodle's origin; no JSON-LD context was fetched.
    assert all(url.startswith(MOODLE_ORIGIN) for url in moodle_loader.requested)


def test_moodle_endorsement_without_comment_warns(moodle_loader: DictLoader) -> None:
    url = f"{MOODLE_ORIGIN}/badges/endorsement_json.php?id=1"
    endorsement = json.loads(moodle_loader.documents[url][2])
    del endorsement["claim"]["endorsementComment"]
    moodle_loader.documents[url] = (200, "application/json", json.dumps(endorsement).encode())
    report = _verify(MOODLE_ASSERTION_URL, moodle_loader)
    assert report.valid
    assert "ob2.endorsement-claim" in _warnings(report)


def test_moodle_assertion_through_http(badge_server: BadgeServer) -> None:
    """The same recorded bodies served over real HTTP (origin rewritten to the server)."""
    for url, name in MOODLE_DOCUMENTS.items():
        body = (MOODLE / name).read_text(encoding="utf-8")
        body = body.replace(
            MOODLE_ORIGIN.replace("/", "\\/"), badge_server.base_url.replace("/", "\\/")
        )
        badge_server.serve(url.removeprefix(MOODLE_ORIGIN), body.encode(), "application/json")
    report = _verify(badge_server.url(MOODLE_ASSERTION_URL.removeprefix(MOODLE_ORIGIN)))
    assert report.valid, report.as_dict()
    assert len(report.warnings) == 4


def test_moodle_assertion_for_someone_else(moodle_loader: DictLoader) -> None:
    report = _verify(MOODLE_ASSERTION_URL, moodle_loader, recipient="learner2@example.com")
    assert _errors(report) == ["ob2.recipient"]


def test_moodle_revoked_by_410(moodle_loader: DictLoader) -> None:
    moodle_loader.documents[MOODLE_ASSERTION_URL] = (410, "text/html", b"<p>revoked</p>")
    assert _errors(_verify(MOODLE_ASSERTION_URL, moodle_loader)) == ["ob2.revoked"]


def test_moodle_ob1_assertion_is_recognised(moodle_loader: DictLoader) -> None:
    document = json.loads((MOODLE / "assertion_obv1.json").read_bytes())
    report = _verify(document, moodle_loader)
    assert _errors(report) == ["ob2.version"]


def test_badgr_api_assertion_is_not_an_open_badge() -> None:
    """Badgr's ``POST /v2/.../assertions`` answer (``result[0]``) is its API shape, not an
    OB 2.0 Assertion: no ``@context``, no ``type``, ``openBadgeId`` instead of ``id``,
    ``badgeclass``/``issuer`` entity ids instead of ``badge``, no ``verification``. It
    fails for exactly those reasons. What *is* verifiable in it is the recipient: the
    ``sha256$`` identity with its per-assertion salt names learner1, so no recipient
    error; the hosted Assertion at ``openBadgeId`` was not recorded, so it is not
    fetched here (an empty loader proves nothing else was tried).
    """
    result = json.loads((BADGR / "assertions.json").read_bytes())["result"][0]
    loader = DictLoader({})
    report = _verify(result, loader, recipient=LEARNER)
    assert [(f.code, f.path) for f in report.errors] == [
        ("ob2.context", "@context"),
        ("ob2.required", "type"),
        ("ob2.required", "id"),
        ("ob2.required", "badge"),
        ("ob2.required", "verification"),
    ]
    assert "recipient.plaintextIdentity" in [f.path for f in report.warnings]
    assert loader.requested == []
    assert _errors(_verify(result, loader, recipient="learner2@example.com"))[-1] == "ob2.recipient"


def test_badgr_backpack_import_points_at_the_verifiable_moodle_assertion(
    moodle_loader: DictLoader,
) -> None:
    """Badgr's import keeps Moodle's URL as ``openBadgeId``; that URL verifies, while the
    recipient Badgr re-hashed with its own salt is Badgr's copy, not part of the badge."""
    result = json.loads((BADGR / "backpack_import.json").read_bytes())["result"][0]
    report = _verify(result["openBadgeId"], moodle_loader, recipient=LEARNER)
    assert report.valid
    assert report.subject["id"] == result["openBadgeId"]


def test_moodle_documents_are_untouched_by_verification(moodle_loader: DictLoader) -> None:
    before = copy.deepcopy(moodle_loader.documents)
    _verify(MOODLE_ASSERTION_URL, moodle_loader)
    assert moodle_loader.documents == before


@pytest.mark.parametrize("data", ["hello", "ftp://example.org/a", "a.b"])
def test_what_is_no_assertion_is_unusable(data: str) -> None:
    with pytest.raises(UnusableInput):
        _verify(data, DictLoader({}))


@pytest.mark.parametrize("value", [None, 1, [], [[]], {}, {"id": []}, [{"id": {}}], "x"], ids=repr)
def test_hostile_issuer_documents_give_findings_not_crashes(
    ob2_issuer: Ob2Issuer, value: Any
) -> None:
    """Each property of the issuer's Profile, key and RevocationList replaced by an odd
    JSON value: findings for every required one, and never an exception."""
    _, token = ob2_issuer.signed()
    for document in (ob2_issuer.profile, ob2_issuer.key_document, ob2_issuer.revocations):
        for key in list(document):
            saved = document[key]
            document[key] = value
            ob2_issuer.publish()
            report = _verify(token)
            document[key] = saved
            legitimate = (
                key in ("description", "revocationList", "issuer")  # optional
                or (key in ("name", "email") and value == "x")
                or (key == "revokedAssertions" and value in ([], "x"))  # none, or one other id
            )
            if not legitimate:
                assert report.errors or report.warnings, (key, value)
    ob2_issuer.publish()
    assert _verify(token).valid
