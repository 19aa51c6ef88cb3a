"""Who made a badge, in the published documents: a member credited as author (OB 3.0
``Achievement.creator``, OB 2.0 ``Image.author``), the community otherwise, and partners
only on human pages (docs/decisions/0028). The documents stay valid: the 1EdTech OB 3.0
schema takes the Achievement, and awards of a member's badge verify in both standards."""

from __future__ import annotations

from badges.models import Assertion, BadgeClass, BadgeClassCreator, Community, Person, Profile
from badges.platforms.registering import PlatformFields, register_platform
from badges.publishing import ob2 as ob2_docs
from badges.publishing import ob3 as ob3_docs
from badges.publishing.public_urls import PublicUrls
from badges.publishing.verifying import verify_own
from badges.recognition.awarding import Recipient, award
from badges.recognition.badge_classes import BadgeFields, create_from_fields, publish
from badges.recognition.communities import add_partner, add_person_profile
from badges.storage.database import transaction
from tests.badges.conftest import Issuing
from tests.badges.publishing.test_interoperability import ACHIEVEMENT_SCHEMA, _validate

URLS = PublicUrls("https://chemins.test")


def _member_badge(issuing: Issuing, *, credited: bool) -> tuple[str, str | None]:
    """A published badge a member proposed, credited or not: (badge id, author profile id)."""
    with transaction(issuing.runtime.sessions) as session:
        community = session.get(Community, issuing.community_id)
        registration = register_platform(
            session,
            PlatformFields(
                "https://lms.example",
                "c",
                ("1",),
                "https://lms.example/a",
                "https://lms.example/t",
                "https://lms.example/k",
                community="Autre",
            ),
            URLS.origin,
        )
        person = Person(platform_id=registration.platform_id, sub="sylvie", name="Sylvie B.")
        session.add(person)
        session.flush()
        badge = create_from_fields(
            session,
            community,
            BadgeFields(
                "Papier mâché",
                "Transmettre le papier mâché.",
                "Un atelier animé.",
                partner_ids=[issuing.partner_id],
            ),
        )
        badge.author_person_id = person.id
        author_id = None
        if credited:
            profile = add_person_profile(
                session, community, person, name="Sylvie B.", url=community.issuer.url
            )
            badge.creators.insert(0, BadgeClassCreator(profile_id=profile.id, role="author"))
            author_id = profile.id
        publish(badge)
        return badge.id, author_id


def test_a_credited_member_is_the_creator_and_the_documents_stay_valid(issuing) -> None:
    badge_id, author_id = _member_badge(issuing, credited=True)
    with transaction(issuing.runtime.sessions) as session:
        badge = session.get(BadgeClass, badge_id)
        achievement = ob3_docs.achievement_document(session, URLS, badge)
        _validate(achievement, ACHIEVEMENT_SCHEMA)
        assert achievement["creator"]["id"] == URLS.ob3_profile(author_id)
        assert achievement["creator"]["name"] == "Sylvie B."
        badge_class = ob2_docs.badge_class(session, URLS, badge)
        assert badge_class["image"] == {
            "type": "schema:ImageObject",
            "id": URLS.badge_image(badge_id),
            "author": URLS.ob2_issuer(author_id),
        }
        # Partners are not creators in the documents (0028): the partner is nowhere.
        partner = session.get(Profile, issuing.partner_id)
        assert partner.name not in str(achievement) and partner.name not in str(badge_class)
        assertion = award(session, issuing.runtime, badge, Recipient(email="n@example.org"))
        session.flush()
        verdict = verify_own(session, URLS, session.get(Assertion, assertion.id))
        assert verdict.valid, [report for _, report in verdict.reports]


def test_an_uncredited_member_is_not_in_the_documents(issuing) -> None:
    badge_id, _ = _member_badge(issuing, credited=False)
    with transaction(issuing.runtime.sessions) as session:
        badge = session.get(BadgeClass, badge_id)
        community = session.get(Community, issuing.community_id)
        achievement = ob3_docs.achievement_document(session, URLS, badge)
        _validate(achievement, ACHIEVEMENT_SCHEMA)
        assert achievement["creator"]["id"] == URLS.ob3_profile(community.issuer.id)
        assert "Sylvie" not in str(achievement)
        assert ob2_docs.badge_class(session, URLS, badge)["image"] == URLS.badge_image(badge_id)


def test_a_partner_profile_of_the_community_is_what_a_creator_row_may_name(issuing) -> None:
    with transaction(issuing.runtime.sessions) as session:
        community = session.get(Community, issuing.community_id)
        second = add_partner(
            session, community, name="Employeur", url="https://e.example", email="e@e.example"
        )
        badge = create_from_fields(
            session,
            community,
            BadgeFields("B", "D", "C", partner_ids=[second.id, issuing.partner_id]),
        )
        assert [(c.role, c.position) for c in badge.creators] == [("partner", 0), ("partner", 1)]
        assert [c.profile.name for c in badge.creators] == ["Employeur", "Mairie"]
