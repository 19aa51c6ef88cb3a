"""Hosted documents: what each public URL answers, and the loader over our own database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from badges.models import Assertion, BadgeClass
from badges.openbadges import vc_jwt
from badges.openbadges.loader import LoaderError
from badges.openbadges.verify import verify
from badges.publishing.hosted import OwnDocuments, lookup, match
from badges.publishing.public_urls import PublicUrls
from badges.recognition.awarding import Recipient, award
from badges.recognition.revoking import revoke
from badges.storage.database import transaction

URLS = PublicUrls("https://chemins.test")


def _award(issuing) -> str:
    with transaction(issuing.runtime.sessions) as session:
        badge = session.get(BadgeClass, issuing.badge_class_id)
        return award(session, issuing.runtime, badge, Recipient(email="n@example.org")).id


def test_paths_map_back_to_their_route() -> None:
    assert match("/ob/v2/badges/abc-1/image.png") == ("ob2_badge_image", "abc-1")
    assert match("/ob/v2/badges/abc-1") == ("ob2_badge", "abc-1")
    assert match("/ob/v3/credentials/abc.jwt") == ("ob3_credential_jwt", "abc")
    assert match("/.well-known/jwks.json") == ("jwks", "")
    assert match("/ob/v2/badges/../secret") is None
    assert URLS.path_of("https://elsewhere.test/ob/v2/badges/x") is None


def test_a_hosted_assertion_verifies_then_answers_410_once_revoked(issuing) -> None:
    assertion_id = _award(issuing)
    url = URLS.ob2_assertion(assertion_id)
    with transaction(issuing.runtime.sessions) as session:
        report = verify(url, OwnDocuments(session, URLS), recipient="n@example.org")
        assert report.valid, report.as_dict()
        assert report.form == "hosted"
        revoke(session, session.get(Assertion, assertion_id), "Erreur")
    with transaction(issuing.runtime.sessions) as session:
        gone = lookup(session, URLS, "ob2_assertion", assertion_id)
        assert gone.status == 410
        assert json.loads(gone.body) == {
            "@context": "https://w3id.org/openbadges/v2",
            "id": url,
            "revoked": True,
            "revocationReason": "Erreur",
        }
        report = verify(url, OwnDocuments(session, URLS))
        assert not report.valid and report.has("ob2.revoked")


def test_unknown_ids_and_drafts_are_not_hosted(issuing) -> None:
    with transaction(issuing.runtime.sessions) as session:
        assert lookup(session, URLS, "ob2_assertion", "nope") is None
        session.get(BadgeClass, issuing.badge_class_id).status = "draft"
        session.flush()
        assert lookup(session, URLS, "ob2_badge", issuing.badge_class_id) is None
        fetched = OwnDocuments(session, URLS)(URLS.ob2_badge(issuing.badge_class_id))
        assert fetched.status == 404


def test_the_loader_never_leaves_the_instance(issuing) -> None:
    with transaction(issuing.runtime.sessions) as session:
        loader = OwnDocuments(session, URLS)
        try:
            loader("https://evil.example/ob/v2/keys/x")
        except LoaderError as exc:
            assert "not a document of this instance" in str(exc)
        else:
            raise AssertionError("a foreign URL was answered")


def test_the_hosted_credential_json_is_the_exact_vc_jwt_payload(issuing) -> None:
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(days=365)
    with transaction(issuing.runtime.sessions) as session:
        badge = session.get(BadgeClass, issuing.badge_class_id)
        assertion = award(
            session, issuing.runtime, badge, Recipient(email="n@example.org"), expires=expires
        )
        hosted = lookup(session, URLS, "ob3_credential", assertion.id)
        assert hosted.media_type == "application/vc+ld+json"
        payload = vc_jwt.parse(assertion.ob3_jwt).payload
        document = json.loads(hosted.body)
        assert document == payload
        assert document["iss"] == document["issuer"]["id"]
        assert document["jti"] == document["id"] == URLS.ob3_credential(assertion.id)
        assert document["sub"] == document["credentialSubject"]["id"]
        assert document["exp"] == int(expires.timestamp()) and isinstance(document["nbf"], int)
