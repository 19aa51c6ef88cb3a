"""Our rows as OB 2.0 / OB 3.0 documents: keys linked both ways, status lists, privacy."""

from __future__ import annotations

import json

import pytest

from badges.models import BadgeClass, Community, Endorsement, Profile
from badges.openbadges import ob3, vc_jwt
from badges.openbadges.ob3_rules import check_credential
from badges.openbadges.report import VerificationReport
from badges.openbadges.verify_ob3 import verify_ob3
from badges.publishing import ob2 as ob2_docs
from badges.publishing import ob3 as ob3_docs
from badges.publishing.hosted import OwnDocuments
from badges.publishing.public_urls import PublicUrls
from badges.recognition import signing_keys
from badges.recognition.awarding import Recipient, award
from badges.recognition.revoking import revoke
from badges.storage.database import transaction

URLS = PublicUrls("https://chemins.test")
EMAIL = Recipient(email="Nathan@Example.org")
LTI = Recipient(lti_sub="42", lti_issuer="https://moodle.example.org")


def test_the_issuer_lists_every_key_and_each_key_names_the_issuer(issuing) -> None:
    runtime = issuing.runtime
    with transaction(runtime.sessions) as session:
        community = session.get(Community, issuing.community_id)
        old = signing_keys.ensure_badge_key(session, runtime.sealer, community)
        new = signing_keys.rotate(session, runtime.sealer, community)
        issuer = ob2_docs.issuer_profile(session, URLS, community.issuer)
        assert issuer["publicKey"] == [URLS.ob2_key(old.kid), URLS.ob2_key(new.kid)]
        assert issuer["revocationList"] == URLS.ob2_revocations(community.id)
        assert issuer["email"] == "contact@centre.example.org"
        for key in (old, new):
            document = ob2_docs.cryptographic_key(session, URLS, key)
            assert document["owner"] == issuer["id"] and "PUBLIC KEY" in document["publicKeyPem"]
        tool = signing_keys.ensure_tool_key(session, runtime.sealer)
        assert ob2_docs.cryptographic_key(session, URLS, tool) is None
        partner = ob2_docs.issuer_profile(session, URLS, session.get(Profile, issuing.partner_id))
        assert "publicKey" not in partner and "revocationList" not in partner


def test_the_credential_embeds_achievement_issuer_and_revocation_status(issuing) -> None:
    with transaction(issuing.runtime.sessions) as session:
        badge = session.get(BadgeClass, issuing.badge_class_id)
        assertion = award(session, issuing.runtime, badge, Recipient(email="n@example.org"))
        key = ob3.subject_key(issuing.runtime.instance.secret_key)
        credential = ob3_docs.credential(session, URLS, assertion, subject_key=key)
        assert credential["issuer"]["id"] == URLS.ob3_profile(badge.issuer_id)
        assert credential["credentialStatus"] == {
            "id": URLS.ob3_revocations(badge.community_id),
            "type": "1EdTechRevocationList",
        }
        subject = credential["credentialSubject"]
        assert subject["achievement"]["id"] == URLS.ob3_achievement(badge.id)
        assert subject["identifier"][0]["salt"] == assertion.recipient_salt
        assert "n@example.org" not in str(credential)
        hosted = ob2_docs.hosted_assertion(session, URLS, assertion)
        assert hosted["id"] == URLS.ob2_assertion(assertion.id)
        assert hosted["verification"] == {"type": "HostedBadge"}


def test_a_withdrawn_endorsement_names_only_its_endorser(issuing) -> None:
    with transaction(issuing.runtime.sessions) as session:
        endorsement = Endorsement(
            community_id=issuing.community_id,
            badge_class_id=issuing.badge_class_id,
            endorser_id=issuing.partner_id,
            comment="Bravo",
        )
        session.add(endorsement)
        session.flush()
        document = ob3_docs.endorsement_credential(URLS, endorsement)
        assert document["credentialSubject"]["id"] == URLS.ob3_achievement(issuing.badge_class_id)
        endorsement.revoked_at = endorsement.issued_on
        endorsement.revocation_reason = "Retiré"
        withdrawn = ob2_docs.endorsement(URLS, endorsement)
        assert withdrawn["revoked"] is True and "claim" not in withdrawn


@pytest.mark.parametrize(
    ("recipient", "candidate", "private"),
    [
        (EMAIL, "nathan@example.org", ["nathan"]),
        (LTI, "42", ['"42"', "moodle"]),
    ],
    ids=["email", "lti"],
)
def test_the_vc_jwt_sub_is_the_subject_id_and_no_identity_is_in_clear(
    issuing, recipient: Recipient, candidate: str, private: list[str]
) -> None:
    with transaction(issuing.runtime.sessions) as session:
        badge = session.get(BadgeClass, issuing.badge_class_id)
        assertion = award(session, issuing.runtime, badge, recipient)
        token = vc_jwt.parse(assertion.ob3_jwt)
        subject = token.credential["credentialSubject"]
        assert subject["id"].startswith("urn:uuid:")
        assert token.payload["sub"] == subject["id"]
        assert all(i["hashed"] is True for i in subject["identifier"])
        serialised = json.dumps(token.payload).lower()
        assert not [word for word in private if word in serialised]
        assert check_credential(token.credential, VerificationReport()).errors == []
        loader = OwnDocuments(session, URLS)
        report = verify_ob3(assertion.ob3_jwt, loader, VerificationReport(), recipient=candidate)
        assert report.valid, report.as_dict()
        wrong = verify_ob3(assertion.ob3_jwt, loader, VerificationReport(), recipient="43")
        assert wrong.has("ob3.recipient")


def test_the_subject_id_is_kept_across_awards_and_changes_with_the_issuer(issuing) -> None:
    runtime = issuing.runtime
    key = ob3.subject_key(runtime.instance.secret_key)
    with transaction(runtime.sessions) as session:
        badge = session.get(BadgeClass, issuing.badge_class_id)
        first = award(session, runtime, badge, LTI)
        revoke(session, first, "Erreur")
        second = award(session, runtime, badge, LTI)
        assert second.recipient_salt != first.recipient_salt
        subs = [vc_jwt.parse(a.ob3_jwt).payload["sub"] for a in (first, second)]
        assert subs[0] == subs[1]
        other = award(session, runtime, badge, Recipient(lti_sub="43", lti_issuer=LTI.lti_issuer))
        assert vc_jwt.parse(other.ob3_jwt).payload["sub"] != subs[0]
        badge.issuer_id = issuing.partner_id
        session.flush()
        session.expire(badge, ["issuer"])
        moved = ob3_docs.credential(session, URLS, second, subject_key=key)
        assert moved["credentialSubject"]["id"] != subs[0]
