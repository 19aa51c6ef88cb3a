"""Awarding in a course: who may award to whom, the score owed with the award, and the
outbox claim that keeps two senders from taking the same score."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from badges.courses import awards, grades, people
from badges.models import BadgeClass, Context, Membership, Person, ResourceLink
from badges.models.columns import utcnow
from badges.platforms.registering import PlatformFields, register_platform
from badges.recognition.awarding import AwardRefused
from badges.recognition.badge_classes import create_badge_class, publish
from badges.recognition.communities import create_community
from badges.storage.database import transaction
from badges.storage.runtime import Runtime

ISSUER = "https://moodle.example.org"
SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


@dataclass
class Course:
    context_id: str
    trainer_id: str
    learner_id: str
    badge_id: str
    foreign_badge_id: str


def _person(session, platform_id: str, sub: str, context: Context, role: str) -> Person:  # type: ignore[no-untyped-def]
    person = Person(platform_id=platform_id, sub=sub, name=sub.title(), email=None)
    session.add(person)
    session.flush()
    session.add(Membership(person_id=person.id, context_id=context.id, role=role, lti_roles=[]))
    return person


@pytest.fixture
def course(runtime: Runtime) -> Course:
    """A course of one deployment, a trainer, a learner, a graded link for the badge."""
    with transaction(runtime.sessions) as session:
        registration = register_platform(
            session,
            PlatformFields(
                ISSUER, "client", ("1",), f"{ISSUER}/auth", f"{ISSUER}/token", f"{ISSUER}/certs",
                community="Les Tilleuls",
            ),
            runtime.instance.origin,
        )  # fmt: skip
        deployment = registration.deployments[0]
        context = Context(deployment_id=deployment.id, context_id="course-1", title="Cours")
        session.add(context)
        session.flush()
        trainer = _person(session, registration.platform_id, "trainer", context, "trainer")
        learner = _person(session, registration.platform_id, "learner", context, "learner")
        badge = create_badge_class(
            session, deployment.community, name="Je soutiens", description="d", criteria="c"
        )
        publish(badge)
        other = create_community(
            session, name="Ailleurs", slug="ailleurs", url="https://a.example", email="a@a.example"
        )
        foreign = create_badge_class(session, other, name="X", description="d", criteria="c")
        publish(foreign)
        link = ResourceLink(
            deployment_id=deployment.id,
            context_id=context.id,
            resource_link_id="graded",
            custom_target="ask-badge",
            custom_badge=badge.id,
            lineitem_url=f"{ISSUER}/lineitem?type_id=3",
            ags_scopes=[SCORE],
            may_score=True,
        )
        session.add(link)
        session.flush()
        return Course(context.id, trainer.id, learner.id, badge.id, foreign.id)


def _award(runtime: Runtime, course: Course, awarder: str, learner: str, badge: str | None = None):  # type: ignore[no-untyped-def]
    with transaction(runtime.sessions) as session:
        return awards.award_in_course(
            session,
            runtime,
            session.get(BadgeClass, badge or course.badge_id),
            session.get(Context, course.context_id),
            awarder=session.get(Person, awarder),
            learner=session.get(Person, learner),
        )


def test_a_trainer_award_owes_one_score_even_when_retried(runtime: Runtime, course: Course):
    first = _award(runtime, course, course.trainer_id, course.learner_id)
    again = _award(runtime, course, course.trainer_id, course.learner_id)

    assert first.created and not again.created
    assert first.assertion_id == again.assertion_id
    assert len(first.pending_scores) == 1 and again.pending_scores == first.pending_scores


@pytest.mark.parametrize(
    "who",
    ["learner awards", "outsider receives", "foreign badge"],
)
def test_refused_awards_write_nothing(runtime: Runtime, course: Course, who: str):
    with transaction(runtime.sessions) as session:
        stranger = Person(platform_id=session.get(Person, course.learner_id).platform_id, sub="x")
        session.add(stranger)
        session.flush()
        stranger_id = stranger.id
    awarder, learner, badge = {
        "learner awards": (course.learner_id, course.learner_id, None),
        "outsider receives": (course.trainer_id, stranger_id, None),
        "foreign badge": (course.trainer_id, course.learner_id, course.foreign_badge_id),
    }[who]

    with pytest.raises(AwardRefused):
        _award(runtime, course, awarder, learner, badge)

    with transaction(runtime.sessions) as session:
        learner_row = session.get(Person, course.learner_id)
        assert (
            awards.held_by(session, session.get(BadgeClass, course.badge_id), learner_row) is None
        )


def test_a_claimed_score_is_not_claimed_twice(runtime: Runtime, course: Course):
    (owed,) = _award(runtime, course, course.trainer_id, course.learner_id).pending_scores

    with transaction(runtime.sessions) as session:
        mine = grades.claim(session, utcnow())
    with transaction(runtime.sessions) as session:
        theirs = grades.claim(session, utcnow())

    assert mine == [owed] and theirs == []


def test_a_roster_member_is_enrolled_once(runtime: Runtime, course: Course):
    entry = people.RosterEntry(sub="ines", role="learner", name="Inès")
    with transaction(runtime.sessions) as session:
        context = session.get(Context, course.context_id)
        platform_id = session.get(Person, course.learner_id).platform_id
        first = people.enrol(session, context, platform_id, entry).person_id
        again = people.enrol(session, context, platform_id, entry).person_id
        assert first == again
        assert [m.person.sub for m in people.members(session, context, "learner")] == [
            "ines",
            "learner",
        ]
        assert session.scalars(select(Person).where(Person.sub == "ines")).one().name == "Inès"


OTHER_ISSUER = "https://lms.openedx.example.org"
SHARED_EMAIL = "Nathan@Example.org"


@dataclass
class TwoPlatforms:
    """Course-1 on Moodle and a course on Open edX, one community, one e-mail asserted twice."""

    course: Course
    other_context_id: str
    other_trainer_id: str
    other_learner_id: str


def _second_platform_course(runtime: Runtime, course: Course) -> TwoPlatforms:
    """Open edX joins the Moodle course's community; both platforms assert the same e-mail."""
    with transaction(runtime.sessions) as session:
        session.get(Person, course.learner_id).email = SHARED_EMAIL
        registration = register_platform(
            session,
            PlatformFields(
                OTHER_ISSUER, "edx-client", ("1",), f"{OTHER_ISSUER}/auth",
                f"{OTHER_ISSUER}/token", f"{OTHER_ISSUER}/certs", community="Les Tilleuls",
            ),
            runtime.instance.origin,
        )  # fmt: skip
        deployment = registration.deployments[0]
        assert deployment.community_id == session.get(BadgeClass, course.badge_id).community_id
        context = Context(deployment_id=deployment.id, context_id="edx-course", title="Cours")
        session.add(context)
        session.flush()
        trainer = _person(session, registration.platform_id, "edx-trainer", context, "trainer")
        learner = _person(session, registration.platform_id, "edx-learner", context, "learner")
        learner.email = SHARED_EMAIL.lower()
        return TwoPlatforms(course, context.id, trainer.id, learner.id)


def _sees(runtime: Runtime, person_id: str, badge_id: str) -> str | None:
    """The award of ``badge_id`` that ``person_id`` holds, as every course page reads it."""
    with transaction(runtime.sessions) as session:
        person = session.get(Person, person_id)
        badge = session.get(BadgeClass, badge_id)
        held = awards.held_by(session, badge, person)
        listed = awards.holdings(session, person, badge.community_id).get(badge_id)
        assert (held and held.id) == (listed and listed.id)
        return held.id if held else None


def _wall(runtime: Runtime, context_id: str) -> list[str]:
    from badges.courses.held_badges import course_badges

    with transaction(runtime.sessions) as session:
        return [
            row.assertion_id for row in course_badges(session, session.get(Context, context_id))
        ]


def _trust(runtime: Runtime, *issuers: str, trusted: bool = True) -> None:
    from badges.platforms.email_trust import set_email_trust

    with transaction(runtime.sessions) as session:
        for issuer in issuers:
            set_email_trust(session, issuer, trusted)


def test_an_email_asserted_by_another_platform_names_nobody_until_both_are_trusted(
    runtime: Runtime, course: Course
):
    world = _second_platform_course(runtime, course)
    awarded = _award(runtime, course, course.trainer_id, course.learner_id).assertion_id
    assert _sees(runtime, course.learner_id, course.badge_id) == awarded

    assert _sees(runtime, world.other_learner_id, course.badge_id) is None
    assert _wall(runtime, world.other_context_id) == []
    _trust(runtime, OTHER_ISSUER)  # one side only: still two people
    assert _sees(runtime, world.other_learner_id, course.badge_id) is None
    assert _wall(runtime, world.other_context_id) == []

    _trust(runtime, ISSUER)
    assert _sees(runtime, world.other_learner_id, course.badge_id) == awarded
    assert _wall(runtime, world.other_context_id) == [awarded]

    _trust(runtime, ISSUER, trusted=False)
    assert _sees(runtime, world.other_learner_id, course.badge_id) is None


def test_the_other_platforms_person_gets_an_award_of_their_own(runtime: Runtime, course: Course):
    world = _second_platform_course(runtime, course)
    first = _award(runtime, course, course.trainer_id, course.learner_id)
    with transaction(runtime.sessions) as session:
        second = awards.award_in_course(
            session,
            runtime,
            session.get(BadgeClass, course.badge_id),
            session.get(Context, world.other_context_id),
            awarder=session.get(Person, world.other_trainer_id),
            learner=session.get(Person, world.other_learner_id),
        )

    assert second.created and second.assertion_id != first.assertion_id
    assert _sees(runtime, course.learner_id, course.badge_id) == first.assertion_id
    assert _sees(runtime, world.other_learner_id, course.badge_id) == second.assertion_id


def test_an_award_without_platform_counts_only_where_one_platform_serves_the_community(
    runtime: Runtime, course: Course
):
    """Seeded by ``chemins demo`` (or given before Chemins recorded the platform): by
    e-mail alone, it is the person's while their platform is the community's only one,
    or when every platform of the community is trusted."""
    from badges.recognition.awarding import Recipient, award

    with transaction(runtime.sessions) as session:
        session.get(Person, course.learner_id).email = SHARED_EMAIL
        badge = session.get(BadgeClass, course.badge_id)
        seeded = award(session, runtime, badge, Recipient(email=SHARED_EMAIL)).id
    assert _sees(runtime, course.learner_id, course.badge_id) == seeded

    world = _second_platform_course(runtime, course)
    assert _sees(runtime, course.learner_id, course.badge_id) is None
    assert _sees(runtime, world.other_learner_id, course.badge_id) is None
    _trust(runtime, OTHER_ISSUER)
    assert _sees(runtime, world.other_learner_id, course.badge_id) is None

    _trust(runtime, ISSUER)
    assert _sees(runtime, course.learner_id, course.badge_id) == seeded
    assert _sees(runtime, world.other_learner_id, course.badge_id) == seeded


def test_an_award_in_a_course_is_found_by_its_person_not_by_strings(
    runtime: Runtime, course: Course
):
    """The award points at the learner; what it says of their account is for the badge."""
    from badges.courses.held_badges import course_badges
    from badges.models import Assertion

    awarded = _award(runtime, course, course.trainer_id, course.learner_id).assertion_id
    with transaction(runtime.sessions) as session:
        assertion = session.get(Assertion, awarded)
        assert assertion.recipient_person_id == course.learner_id
        assertion.recipient_lti_sub = "renamed-by-the-platform"
    assert _sees(runtime, course.learner_id, course.badge_id) == awarded
    assert _sees(runtime, course.trainer_id, course.badge_id) is None
    assert _wall(runtime, course.context_id) == [awarded]
    with transaction(runtime.sessions) as session:
        context = session.get(Context, course.context_id)
        (row,) = course_badges(session, context, viewer=session.get(Person, course.learner_id))
        assert row.mine
        (row,) = course_badges(session, context, viewer=session.get(Person, course.trainer_id))
        assert not row.mine
