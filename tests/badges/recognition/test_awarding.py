"""Awarding: signed in both standards at issue time, salted per assertion, idempotent."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from badges.models import Assertion, BadgeClass, Community
from badges.openbadges import jws, vc_jwt
from badges.openbadges.hashing import identity_matches, recipient_matches
from badges.openbadges.keys import load_public_key
from badges.recognition.awarding import AwardRefused, EvidenceItem, Recipient, award, award_many
from badges.recognition.badge_classes import create_badge_class
from badges.recognition.revoking import revoke
from badges.recognition.signing_keys import find_key
from badges.storage.database import transaction

NATHAN = Recipient(email="Nathan@Example.org", name="Nathan")


def _award(issuing, recipient=NATHAN, **details):
    with transaction(issuing.runtime.sessions) as session:
        badge = session.get(BadgeClass, issuing.badge_class_id)
        return award(session, issuing.runtime, badge, recipient, **details).id


def test_award_signs_both_forms_with_the_active_key(issuing) -> None:
    assertion_id = _award(
        issuing,
        narrative="A tenu la permanence.",
        evidence=[
            EvidenceItem(narrative="Compte rendu public", public=True),
            EvidenceItem(narrative="Photo privée"),
        ],
    )
    with transaction(issuing.runtime.sessions) as session:
        assertion = session.get(Assertion, assertion_id)
        key = find_key(session, assertion.signing_kid)
        public = load_public_key(key.public_key_pem)
        ob2 = jws.verify(assertion.ob2_jws, public)
        assert ob2["id"] == f"urn:uuid:{assertion.id}"
        assert ob2["verification"] == {
            "type": "SignedBadge",
            "creator": f"https://chemins.test/ob/v2/keys/{key.kid}",
        }
        assert ob2["badge"] == f"https://chemins.test/ob/v2/badges/{issuing.badge_class_id}"
        assert recipient_matches(ob2["recipient"], "nathan@example.org")
        assert [e["narrative"] for e in ob2["evidence"]] == ["Compte rendu public"]
        token = vc_jwt.parse(assertion.ob3_jwt)
        assert vc_jwt.verify_signature(token, public)
        issuer_keys = f"https://chemins.test/ob/v3/profiles/{assertion.badge_class.issuer_id}"
        assert token.header["kid"] == f"{issuer_keys}/jwks.json#{key.kid}"
        assert token.credential["id"] == f"https://chemins.test/ob/v3/credentials/{assertion.id}"
        published = json.dumps([ob2, token.credential]).lower()
        assert "nathan" not in published and "photo" not in published


def test_each_assertion_gets_its_own_salt(issuing) -> None:
    first = _award(issuing, Recipient(email="a@example.org"))
    second = _award(issuing, Recipient(email="b@example.org"))
    with transaction(issuing.runtime.sessions) as session:
        salts = {session.get(Assertion, i).recipient_salt for i in (first, second)}
        assert len(salts) == 2 and all(len(s) >= 32 for s in salts)


def test_without_email_the_recipient_is_the_lti_user(issuing) -> None:
    recipient = Recipient(lti_sub="user-42", lti_issuer="https://moodle.example.org")
    assertion_id = _award(issuing, recipient)
    with transaction(issuing.runtime.sessions) as session:
        assertion = session.get(Assertion, assertion_id)
        assert assertion.recipient_email is None and assertion.recipient_lti_sub == "user-42"
        identifiers = vc_jwt.parse(assertion.ob3_jwt).credential["credentialSubject"]["identifier"]
        assert {(i["identityType"], i["hashed"], i["salt"]) for i in identifiers} == {
            ("ltiUserId", True, assertion.recipient_salt),
            ("ltiPlatformId", True, assertion.recipient_salt),
        }
        user, platform = identifiers
        salt = assertion.recipient_salt
        assert identity_matches(user["identityHash"], "user-42", salt, identity_type="ltiUserId")
        assert identity_matches(
            platform["identityHash"], "https://moodle.example.org", salt, identity_type="x"
        )
        recipient_2 = jws.parse(assertion.ob2_jws).payload["recipient"]
        assert recipient_matches(recipient_2, "https://moodle.example.org#user-42")


def test_a_recipient_needs_an_identity() -> None:
    with pytest.raises(AwardRefused):
        Recipient(lti_sub="only-sub")


def test_awarding_twice_returns_the_same_award_until_revoked(issuing) -> None:
    first = _award(issuing)
    assert _award(issuing, Recipient(email="nathan@example.org")) == first
    with transaction(issuing.runtime.sessions) as session:
        revoke(session, session.get(Assertion, first), "Erreur de saisie")
    again = _award(issuing)
    assert again != first
    with transaction(issuing.runtime.sessions) as session:
        assert session.scalar(select(func.count()).select_from(Assertion)) == 2


def test_a_draft_badge_class_cannot_be_awarded(issuing) -> None:
    with transaction(issuing.runtime.sessions) as session:
        community = session.get(Community, issuing.community_id)
        draft = create_badge_class(
            session, community, name="Brouillon", description="d", criteria="c"
        )
        with pytest.raises(AwardRefused):
            award(session, issuing.runtime, draft, NATHAN)


def test_a_group_award_signs_each_and_a_retried_batch_creates_nothing(issuing) -> None:
    group = [Recipient(email=f"l{n}@example.org") for n in range(3)]
    group.append(Recipient(lti_sub="s-1", lti_issuer="https://moodle.example.org"))
    with transaction(issuing.runtime.sessions) as session:
        badge = session.get(BadgeClass, issuing.badge_class_id)
        first = [a.id for a in award_many(session, issuing.runtime, badge, group)]
    assert len(set(first)) == 4
    with transaction(issuing.runtime.sessions) as session:
        badge = session.get(BadgeClass, issuing.badge_class_id)
        again = award_many(session, issuing.runtime, badge, [*group, group[0]])
        assert [a.id for a in again] == [*first, first[0]]
        assert session.scalar(select(func.count()).select_from(Assertion)) == 4
        assert len({a.recipient_salt for a in again}) == 4


def test_an_award_points_at_the_person_of_its_lti_account_and_an_email_at_no_one(
    issuing,
) -> None:
    """The link is what finds a person's awards: written for every recipient Chemins knows
    (named by their account alone too), never guessed from an e-mail."""
    from badges.models import Person, Platform

    issuer = "https://moodle.example.org"
    with transaction(issuing.runtime.sessions) as session:
        platform = Platform(issuer=issuer)
        session.add(platform)
        session.flush()
        person = Person(platform_id=platform.id, sub="user-42", email="nathan@example.org")
        session.add(person)
        session.flush()
        person_id = person.id
    by_account = _award(issuing, Recipient(lti_sub="user-42", lti_issuer=issuer))
    by_email = _award(issuing, Recipient(email="nathan@example.org"))
    with transaction(issuing.runtime.sessions) as session:
        assert by_account != by_email
        assert session.get(Assertion, by_account).recipient_person_id == person_id
        assert session.get(Assertion, by_email).recipient_person_id is None
        badge = session.get(BadgeClass, issuing.badge_class_id)
        again = award_many(
            session,
            issuing.runtime,
            badge,
            [Recipient(lti_sub="user-42", lti_issuer=issuer, person_id=person_id)],
        )
        assert [a.id for a in again] == [by_account]
