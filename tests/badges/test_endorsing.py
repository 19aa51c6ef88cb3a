"""Endorsing: a partner vouches for a badge class or an award, once, with a comment."""

from __future__ import annotations

import pytest

from badges.awarding import Recipient, award
from badges.communities import create_community
from badges.endorsing import (
    EndorsementRefused,
    endorse_assertion,
    endorse_badge_class,
    endorsements_shown_with,
)
from badges.models import BadgeClass, Profile
from badges.public_urls import PublicUrls
from badges.publishing import ob2 as ob2_docs
from badges.storage import transaction


def test_endorsements_are_linked_from_what_they_endorse(issuing) -> None:
    urls = PublicUrls("https://chemins.test")
    with transaction(issuing.runtime.sessions) as session:
        badge = session.get(BadgeClass, issuing.badge_class_id)
        partner = session.get(Profile, issuing.partner_id)
        on_badge = endorse_badge_class(session, badge, partner, "Un vrai savoir-faire.")
        assert endorse_badge_class(session, badge, partner, "Deuxième clic").id == on_badge.id
        assertion = award(session, issuing.runtime, badge, Recipient(email="n@example.org"))
        on_award = endorse_assertion(session, assertion, partner, "Très bon accueil.")
        assert [e.id for e in endorsements_shown_with(session, assertion)] == [
            on_badge.id,
            on_award.id,
        ]
        document = ob2_docs.badge_class(session, urls, badge)
        assert document["endorsement"] == [urls.ob2_endorsement(on_badge.id)]
        hosted = ob2_docs.hosted_assertion(session, urls, assertion)
        assert hosted["endorsement"] == [urls.ob2_endorsement(on_award.id)]
        endorsement = ob2_docs.endorsement(urls, on_badge)
        assert endorsement["claim"] == {
            "id": urls.ob2_badge(badge.id),
            "endorsementComment": "Un vrai savoir-faire.",
        }
        assert endorsement["issuer"] == urls.ob2_issuer(partner.id)


def test_an_endorsement_needs_a_comment_and_the_same_community(issuing) -> None:
    with transaction(issuing.runtime.sessions) as session:
        badge = session.get(BadgeClass, issuing.badge_class_id)
        partner = session.get(Profile, issuing.partner_id)
        with pytest.raises(EndorsementRefused):
            endorse_badge_class(session, badge, partner, "   ")
        other = create_community(
            session, name="Autre", slug="autre", url="https://a.example", email="a@a.example"
        )
        with pytest.raises(EndorsementRefused):
            endorse_badge_class(session, badge, other.issuer, "Bravo")
