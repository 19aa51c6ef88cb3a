"""The demo course's story: what the trainer and the personas find when they open it."""

from __future__ import annotations

import jwt
from sqlalchemy import select

from badges.demo import seed_demo
from badges.demo_course import CoursePerson, seed_course_story
from badges.models import Assertion, BadgeClass, BadgeRequest, Evidence, Person
from badges.platforms.registering import PlatformFields, register_platform
from badges.publishing.public_urls import PublicUrls
from badges.storage.database import transaction

LMS = "http://localhost:5001"
PEOPLE = [
    CoursePerson("demo-formatrice", "Camille Roux", "camille.demo@example.org", "trainer"),
    CoursePerson("demo-nathan", "Nathan", "nathan.demo@example.org", "learner"),
    CoursePerson("demo-sylvie", "Sylvie", "sylvie.demo@example.org", "learner"),
    CoursePerson("demo-ines", "Inès Haddad", "ines.demo@example.org", "learner"),
]


def _tell(runtime) -> list[str]:  # type: ignore[no-untyped-def]
    return seed_course_story(
        runtime,
        issuer=LMS,
        deployment_id="1",
        course_id="course",
        course_title="Parcours",
        people=PEOPLE,
    )


def _register(runtime) -> None:  # type: ignore[no-untyped-def]
    with transaction(runtime.sessions) as session:
        register_platform(
            session,
            PlatformFields(
                LMS, "client", ("1",), f"{LMS}/auth", f"{LMS}/token", f"{LMS}/certs",
                community="Centre social Les Tilleuls",
            ),
            runtime.instance.origin,
        )  # fmt: skip


def test_the_story_has_requests_waiting_improving_accepted_and_a_member_badge(runtime) -> None:
    seed_demo(runtime)
    _register(runtime)
    told = _tell(runtime)
    assert len(told) == 4
    assert _tell(runtime) == []  # once
    with transaction(runtime.sessions) as session:
        states = {
            (r.person.name, r.badge_class.name): r.state
            for r in session.scalars(select(BadgeRequest))
        }
        assert states == {
            ("Nathan", "Organiser un événement"): "open",
            ("Inès Haddad", "Initier aux outils numériques"): "changes_requested",
            ("Sylvie", "Prendre la parole en public"): "accepted",
        }
        accepted = session.scalars(
            select(BadgeRequest).where(BadgeRequest.state == "accepted")
        ).one()
        photo = next(e for e in accepted.evidence if e.is_photo)
        assert photo.public and photo.assertion_id == accepted.assertion_id
        assert b"Exif" not in (photo.content or b"")[:4096]
        nathan = session.scalars(select(Person).where(Person.sub == "demo-nathan")).one()
        private = session.scalars(
            select(Evidence).join(BadgeRequest).where(BadgeRequest.person_id == nathan.id)
        ).all()
        assert private and not any(e.public for e in private)
        member_badge = session.scalars(
            select(BadgeClass).where(BadgeClass.name == "Transmettre le papier mâché")
        ).one()
        assert member_badge.status == "published"
        assert member_badge.author_person_id is not None
        assert [c.role for c in member_badge.creators] == ["author"]
        # Sylvie made her photo public before the award: the signed badge shows it.
        signed = session.get(Assertion, accepted.assertion_id).ob3_jwt
        payload = jwt.decode(signed, options={"verify_signature": False})
        evidence = payload.get("vc", payload).get("evidence", [])
        photo_url = PublicUrls(runtime.instance.origin).evidence_file(photo.id)
        assert photo_url in [e.get("id") for e in evidence]


def test_without_the_demo_community_there_is_no_story(runtime) -> None:
    _register(runtime)
    assert _tell(runtime) == []
