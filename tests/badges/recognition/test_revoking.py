"""Revoking: recorded once with its reason, published in both revocation lists."""

from __future__ import annotations

import pytest

from badges.models import Assertion, BadgeClass, Community
from badges.publishing import ob2 as ob2_docs
from badges.publishing import ob3 as ob3_docs
from badges.publishing.public_urls import PublicUrls
from badges.recognition.awarding import Recipient, award
from badges.recognition.revoking import RevocationRefused, revoke
from badges.storage.database import transaction


def test_revocation_is_published_and_idempotent(issuing) -> None:
    urls = PublicUrls("https://chemins.test")
    with transaction(issuing.runtime.sessions) as session:
        badge = session.get(BadgeClass, issuing.badge_class_id)
        assertion = award(session, issuing.runtime, badge, Recipient(email="s@example.org"))
        assertion_id = assertion.id
    with transaction(issuing.runtime.sessions) as session:
        assertion = session.get(Assertion, assertion_id)
        revoke(session, assertion, "Badge attribué par erreur")
        first_date = assertion.revoked_at
    with transaction(issuing.runtime.sessions) as session:
        assertion = session.get(Assertion, assertion_id)
        revoke(session, assertion, "Autre raison")
        assert assertion.revoked_at == first_date
        assert assertion.revocation_reason == "Badge attribué par erreur"
        community = session.get(Community, issuing.community_id)
        listed = ob2_docs.revocation_list(session, urls, community)["revokedAssertions"]
        assert {
            "id": f"urn:uuid:{assertion_id}",
            "revocationReason": "Badge attribué par erreur",
        } in listed
        ob3_list = ob3_docs.revocation_list(session, urls, community)
        assert [e["id"] for e in ob3_list["revokedCredentials"]] == [
            urls.ob3_credential(assertion_id)
        ]


def test_a_revocation_needs_a_reason(issuing) -> None:
    with transaction(issuing.runtime.sessions) as session:
        badge = session.get(BadgeClass, issuing.badge_class_id)
        assertion = award(session, issuing.runtime, badge, Recipient(email="s@example.org"))
        with pytest.raises(RevocationRefused):
            revoke(session, assertion, "  ")
        assert not assertion.revoked


def test_the_holder_is_told_once(course_world) -> None:
    from sqlalchemy import select

    from badges.courses.awards import recipient_of
    from badges.models import Notification, Person
    from badges.recognition import notifying

    world = course_world
    with transaction(world.runtime.sessions) as session:
        badge = session.get(BadgeClass, world.badge_id)
        nathan = session.get(Person, world.nathan_id)
        assertion_id = award(session, world.runtime, badge, recipient_of(nathan)).id
    for reason in ("Attribué par erreur", "Encore"):  # the second is a retried form
        with transaction(world.runtime.sessions) as session:
            revoke(
                session,
                session.get(Assertion, assertion_id),
                reason,
                revoked_by=session.get(Person, world.trainer_id),
            )
    with transaction(world.runtime.sessions) as session:
        told = session.scalars(select(Notification)).all()
        assert [(n.person_id, n.kind, n.assertion_id) for n in told] == [
            (world.nathan_id, notifying.BADGE_REVOKED, assertion_id)
        ]
        assert session.get(Assertion, assertion_id).revocation_reason == "Attribué par erreur"


def test_an_award_to_no_known_person_tells_nobody_and_a_huge_reason_is_refused(issuing) -> None:
    from sqlalchemy import func, select

    from badges.models import Notification

    with transaction(issuing.runtime.sessions) as session:
        badge = session.get(BadgeClass, issuing.badge_class_id)
        assertion = award(session, issuing.runtime, badge, Recipient(email="s@example.org"))
        with pytest.raises(RevocationRefused):
            revoke(session, assertion, "x" * 1001)
        assert not assertion.revoked
        revoke(session, assertion, "Erreur")
        assert assertion.revoked
        assert session.scalar(select(func.count()).select_from(Notification)) == 0
