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
