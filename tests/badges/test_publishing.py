"""Our rows as OB 2.0 / OB 3.0 documents: keys linked both ways, status lists, privacy."""

from __future__ import annotations

from badges import signing_keys
from badges.awarding import Recipient, award
from badges.models import BadgeClass, Community, Endorsement, Profile
from badges.public_urls import PublicUrls
from badges.publishing import ob2 as ob2_docs
from badges.publishing import ob3 as ob3_docs
from badges.storage import transaction

URLS = PublicUrls("https://chemins.test")


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
        credential = ob3_docs.credential(session, URLS, assertion)
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
            subject_kind="badge_class",
            subject_id=issuing.badge_class_id,
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
