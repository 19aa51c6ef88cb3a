"""Endorsing: a partner or a peer vouches for a badge class, an award or a profile, once,
with a comment; nobody vouches for their own badge."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from badges.courses.awards import recipient_of
from badges.models import BadgeClass, Community, Endorsement, Person, Platform, Profile
from badges.publishing import ob2 as ob2_docs
from badges.publishing import ob3 as ob3_docs
from badges.publishing.public_urls import PublicUrls
from badges.recognition.awarding import Recipient, award
from badges.recognition.communities import add_person_profile, create_community
from badges.recognition.endorsing import (
    EndorsementRefused,
    endorse_assertion,
    endorse_badge_class,
    endorse_profile,
    endorsements_shown_with,
)
from badges.storage.database import transaction

URLS = PublicUrls("https://chemins.test")


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


def _learners(session, community: Community) -> tuple[Profile, Profile]:  # type: ignore[no-untyped-def]
    """Nathan and Léa, two people of one platform, each with the profile they endorse with."""
    platform = Platform(issuer="https://moodle.example.org")
    session.add(platform)
    session.flush()
    profiles = []
    for sub, name in (("nathan", "Nathan"), ("lea", "Léa")):
        person = Person(platform_id=platform.id, sub=sub, name=name, email=f"{sub}@example.org")
        session.add(person)
        session.flush()
        url = f"https://chemins.test/p/{sub}"
        profiles.append(add_person_profile(session, community, person, name=name, url=url))
    return profiles[0], profiles[1]


def test_no_one_endorses_their_own_badge(issuing) -> None:
    with transaction(issuing.runtime.sessions) as session:
        badge = session.get(BadgeClass, issuing.badge_class_id)
        nathan, lea = _learners(session, session.get(Community, issuing.community_id))
        assertion = award(session, issuing.runtime, badge, recipient_of(nathan.person))
        assert assertion.recipient_person_id == nathan.person_id

        with pytest.raises(EndorsementRefused, match="own badge"):
            endorse_assertion(session, assertion, nathan, "Je le mérite.")
        assert session.scalar(select(func.count()).select_from(Endorsement)) == 0

        by_peer = endorse_assertion(session, assertion, lea, "Il a accueilli tout le monde.")
        assert (by_peer.assertion_id, by_peer.badge_class_id, by_peer.profile_id) == (
            assertion.id,
            None,
            None,
        )
        assert by_peer.subject_kind == "assertion"
        assert ob2_docs.endorsement(URLS, by_peer)["claim"]["id"] == URLS.ob2_assertion(
            assertion.id
        )
        credential = ob3_docs.endorsement_credential(URLS, by_peer)
        assert credential["credentialSubject"]["id"] == URLS.ob3_credential(assertion.id)


def test_a_person_profile_is_made_once_per_person(issuing) -> None:
    with transaction(issuing.runtime.sessions) as session:
        community = session.get(Community, issuing.community_id)
        nathan, _lea = _learners(session, community)
        again = add_person_profile(
            session, community, nathan.person, name="Nathan", url="https://chemins.test/p/n"
        )
        assert again.id == nathan.id and nathan.kind == "person"
        assert nathan.email == community.issuer.email  # never the platform's e-mail


def test_a_profile_is_endorsed_by_others_only(issuing) -> None:
    with transaction(issuing.runtime.sessions) as session:
        partner = session.get(Profile, issuing.partner_id)
        nathan, lea = _learners(session, session.get(Community, issuing.community_id))
        for endorser, endorsed in ((nathan, nathan), (partner, partner)):
            with pytest.raises(EndorsementRefused, match="own profile"):
                endorse_profile(session, endorsed, endorser, "Bravo")

        by_partner = endorse_profile(session, nathan, partner, "Un bénévole fiable.")
        by_peer = endorse_profile(session, nathan, lea, "Toujours là pour aider.")
        assert by_partner.profile_id == by_peer.profile_id == nathan.id
        assert by_partner.subject_kind == "profile"
        assert ob2_docs.issuer_profile(session, URLS, nathan)["endorsement"] == [
            URLS.ob2_endorsement(by_partner.id),
            URLS.ob2_endorsement(by_peer.id),
        ]
        assert ob3_docs.endorsement_credential(URLS, by_peer)["credentialSubject"][
            "id"
        ] == URLS.ob3_profile(nathan.id)
