"""Endorsing: a partner or a peer vouches for a badge class, an award or a profile, once,
with a comment; nobody vouches for their own badge."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from badges.courses.awards import recipient_of
from badges.models import BadgeClass, Community, Endorsement, Person, Platform, Profile
from badges.openbadges import vc_jwt
from badges.openbadges.verify import verify
from badges.publishing import ob2 as ob2_docs
from badges.publishing import ob3 as ob3_docs
from badges.publishing.hosted import OwnDocuments, lookup
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


def _payload(token: str | None) -> dict:
    return vc_jwt.parse(token or "").payload


def test_an_endorsement_is_signed_when_made_and_the_credentials_that_list_it_again(
    issuing,
) -> None:
    """Decision 0023: a signed EndorsementCredential, listed by what it endorses."""
    runtime = issuing.runtime
    with transaction(runtime.sessions) as session:
        badge = session.get(BadgeClass, issuing.badge_class_id)
        partner = session.get(Profile, issuing.partner_id)
        earlier = award(session, runtime, badge, Recipient(email="n@example.org"))
        before = earlier.ob3_jwt
        on_badge = endorse_badge_class(session, badge, partner, "Utile.", runtime=runtime)
        header = vc_jwt_header(on_badge.ob3_jwt)
        assert header["kid"].startswith(URLS.ob3_profile_jwks(partner.id) + "#")
        endorsed = _payload(on_badge.ob3_jwt)
        assert endorsed["issuer"]["id"] == URLS.ob3_profile(partner.id)
        assert endorsed["credentialSubject"]["id"] == URLS.ob3_achievement(badge.id)
        # The award made before lists it now: its credential was signed again.
        assert earlier.ob3_jwt != before
        listed = _payload(earlier.ob3_jwt)["credentialSubject"]["achievement"]
        assert listed["endorsementJwt"] == [on_badge.ob3_jwt]
        on_award = endorse_assertion(session, earlier, partner, "Bon accueil.", runtime=runtime)
        assert _payload(earlier.ob3_jwt)["endorsementJwt"] == [on_award.ob3_jwt]
        # The hosted JSON is the signed payload, for the endorsement and for the award.
        loader = OwnDocuments(session, URLS)
        hosted = json.loads(loader(URLS.ob3_endorsement(on_award.id)).body)
        assert hosted == _payload(on_award.ob3_jwt)
        assert json.loads(loader(URLS.ob3_credential(earlier.id)).body) == _payload(earlier.ob3_jwt)
        achievement = json.loads(loader(URLS.ob3_achievement(badge.id)).body)
        assert achievement["endorsementJwt"] == [on_badge.ob3_jwt]
        # The VC-JWT by its own URL and by content negotiation; both verify.
        jwt_url = URLS.ob3_endorsement_jwt(on_award.id)
        assert loader(jwt_url).body.decode() == on_award.ob3_jwt
        asked = loader(URLS.ob3_endorsement(on_award.id), "application/vc+jwt")
        assert asked.content_type == "application/vc+jwt"
        assert asked.body.decode() == on_award.ob3_jwt
        for url in (URLS.ob3_endorsement(on_award.id), jwt_url):
            report = verify(url, loader)
            assert report.valid and report.form == "vc-jwt", report.as_dict()
        assert lookup(session, URLS, "ob3_endorsement_jwt", on_badge.id) is not None


def test_an_endorsement_made_without_the_instance_is_signed_when_first_served(
    issuing,
) -> None:
    runtime = issuing.runtime
    with transaction(runtime.sessions) as session:
        badge = session.get(BadgeClass, issuing.badge_class_id)
        partner = session.get(Profile, issuing.partner_id)
        endorsement = endorse_badge_class(session, badge, partner, "Utile.")
        assert endorsement.ob3_jwt is None
        # No key at hand: the bare credential, and no VC-JWT yet.
        assert lookup(session, URLS, "ob3_endorsement_jwt", endorsement.id) is None
        bare = json.loads(lookup(session, URLS, "ob3_endorsement", endorsement.id).body)
        assert "iss" not in bare
        served = lookup(session, URLS, "ob3_endorsement_jwt", endorsement.id, sealer=runtime.sealer)
        assert served is not None and served.body.decode() == endorsement.ob3_jwt
        # Signed once: the same bytes ever after, sealer or not.
        assert lookup(session, URLS, "ob3_endorsement_jwt", endorsement.id).body == served.body
        endorsement.revoked_at = endorsement.issued_on
        session.flush()
        assert lookup(session, URLS, "ob3_endorsement_jwt", endorsement.id) is None
        assert lookup(session, URLS, "ob3_endorsement", endorsement.id) is None


def vc_jwt_header(token: str | None) -> dict:
    return vc_jwt.parse(token or "").header
