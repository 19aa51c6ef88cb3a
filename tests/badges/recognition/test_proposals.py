"""Member-created badges, in the domain: who proposes, who decides, and who is credited."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from badges.images.badge_designer import Design
from badges.models import (
    BadgeClass,
    BadgeClassCreator,
    Community,
    Context,
    Membership,
    Notification,
    Person,
    Profile,
)
from badges.platforms.registering import PlatformFields, register_platform
from badges.publishing import ob2 as ob2_docs
from badges.publishing import ob3 as ob3_docs
from badges.publishing.public_urls import PublicUrls
from badges.recognition import notifying
from badges.recognition.badge_classes import BadgeClassRefused, credited_author
from badges.recognition.proposals import (
    ProposalFields,
    ProposalRefused,
    decide,
    proposals_of,
    proposals_waiting,
    propose,
    revise,
)
from badges.storage.database import transaction
from badges.storage.runtime import Runtime
from tests.badges.course_world import CourseWorld, make_course

URLS = PublicUrls("https://chemins.test")


@pytest.fixture
def world(runtime: Runtime) -> CourseWorld:
    return make_course(runtime)


PAPIER = ProposalFields(
    name="Transmettre le papier mâché",
    description="Montrer à d'autres comment faire du papier mâché.",
    criteria="Avoir animé un atelier de papier mâché avec des jeunes.",
    design=Design("circle", "orange", "palette", "Papier"),
    show_name=True,
)


def _propose(world: CourseWorld, fields: ProposalFields = PAPIER, person: str | None = None) -> str:
    with transaction(world.runtime.sessions) as session:
        badge = propose(
            session,
            session.get(Community, world.community_id),
            session.get(Person, person or world.sylvie_id),
            session.get(Context, world.context_id),
            fields,
        )
        return badge.id


def _decide(
    world: CourseWorld,
    badge_id: str,
    decision: str,
    comment: str | None = None,
    reviewer: str | None = None,
) -> BadgeClass:
    with transaction(world.runtime.sessions) as session:
        badge = session.get(BadgeClass, badge_id)
        decide(session, badge, session.get(Person, reviewer or world.trainer_id), decision, comment)
        return badge


def _notices(world: CourseWorld, person_id: str) -> list[str]:
    with transaction(world.runtime.sessions) as session:
        return list(
            session.scalars(
                select(Notification.kind)
                .where(Notification.person_id == person_id)
                .order_by(Notification.created_at)
            )
        )


def _count(world: CourseWorld, model: type) -> int:
    with transaction(world.runtime.sessions) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _trainer_elsewhere(world: CourseWorld) -> str:
    """A trainer of a course of another community's deployment, on another platform."""
    with transaction(world.runtime.sessions) as session:
        issuer = "https://autre.example.org"
        registration = register_platform(
            session,
            PlatformFields(
                issuer,
                "c2",
                ("9",),
                f"{issuer}/auth",
                f"{issuer}/token",
                f"{issuer}/certs",
                community="Autre centre",
            ),
            world.runtime.instance.origin,
        )
        context = Context(deployment_id=registration.deployments[0].id, context_id="autre")
        person = Person(platform_id=registration.platform_id, sub="t2", name="Autre Formateur")
        session.add_all([context, person])
        session.flush()
        session.add(Membership(person_id=person.id, context_id=context.id, role="trainer"))
        return person.id


def test_a_member_proposes_and_the_communitys_trainers_are_told(world: CourseWorld) -> None:
    badge_id = _propose(world)

    with transaction(world.runtime.sessions) as session:
        badge = session.get(BadgeClass, badge_id)
        assert badge.status == "proposed" and badge.author_person_id == world.sylvie_id
        author = credited_author(badge)
        assert author.person_id == world.sylvie_id and author.name == "Sylvie"
        assert author.kind == "person" and author.email != "sylvie@example.org"
        assert [b.id for b in proposals_waiting(session, world.community_id)] == [badge_id]
        sylvie = session.get(Person, world.sylvie_id)
        assert [b.id for b in proposals_of(session, sylvie, world.community_id)] == [badge_id]
    assert _notices(world, world.trainer_id) == [notifying.PROPOSAL_SUBMITTED]
    assert _notices(world, world.nathan_id) == []


def test_published_the_member_is_the_creator_in_both_standards(world: CourseWorld) -> None:
    badge_id = _propose(world)
    _decide(world, badge_id, "publish")

    with transaction(world.runtime.sessions) as session:
        badge = session.get(BadgeClass, badge_id)
        assert badge.status == "published" and badge.review_comment is None
        author = credited_author(badge)
        achievement = ob3_docs.achievement(session, URLS, badge)
        assert achievement["creator"] == {
            "id": URLS.ob3_profile(author.id),
            "type": ["Profile"],
            "name": "Sylvie",
            "url": author.url,
            "email": author.email,
        }
        image = ob2_docs.badge_class(session, URLS, badge)["image"]
        assert image["author"] == URLS.ob2_issuer(author.id)
        assert image["id"] == URLS.badge_image(badge_id)
    assert _notices(world, world.sylvie_id) == [notifying.PROPOSAL_PUBLISHED]


def test_without_consent_the_member_is_not_named(world: CourseWorld) -> None:

    badge_id = _propose(world, replace(PAPIER, show_name=False))
    _decide(world, badge_id, "publish")

    with transaction(world.runtime.sessions) as session:
        badge = session.get(BadgeClass, badge_id)
        community = session.get(Community, world.community_id)
        assert credited_author(badge) is None and badge.author_person_id == world.sylvie_id
        creator = ob3_docs.achievement(session, URLS, badge)["creator"]
        assert creator["id"] == URLS.ob3_profile(community.issuer.id)
        assert ob2_docs.badge_class(session, URLS, badge)["image"] == URLS.badge_image(badge_id)
        assert "Sylvie" not in str(ob3_docs.achievement(session, URLS, badge))
    assert _count(world, Profile) == 2  # the two issuers: no profile made for her


def test_changes_asked_then_revised_by_the_author(world: CourseWorld) -> None:

    badge_id = _propose(world)
    badge = _decide(world, badge_id, "changes", "  Dites combien de jeunes.  ")
    assert badge.status == "changes_requested"
    assert badge.review_comment == "Dites combien de jeunes."

    with transaction(world.runtime.sessions) as session:
        badge = session.get(BadgeClass, badge_id)
        image = badge.image_png
        revise(
            session,
            badge,
            session.get(Person, world.sylvie_id),
            replace(
                PAPIER,
                criteria="Avoir animé un atelier avec cinq jeunes.",
                design=None,
                show_name=False,
            ),
        )
        assert badge.status == "proposed" and badge.image_png == image
        assert badge.criteria_narrative == "Avoir animé un atelier avec cinq jeunes."
        assert credited_author(badge) is None  # she changed her mind
    assert _count(world, BadgeClassCreator) == 0
    assert _notices(world, world.sylvie_id) == [notifying.PROPOSAL_CHANGES_REQUESTED]
    assert _notices(world, world.trainer_id) == [notifying.PROPOSAL_SUBMITTED] * 2


def test_declined_with_a_reason(world: CourseWorld) -> None:
    badge_id = _propose(world)
    badge = _decide(world, badge_id, "decline", "Un badge existe déjà pour cela.")
    assert badge.status == "declined"
    assert _notices(world, world.sylvie_id) == [notifying.PROPOSAL_DECLINED]
    with pytest.raises(ProposalRefused, match="wrong_state"):
        _decide(world, badge_id, "publish")


@pytest.mark.parametrize(
    ("decision", "comment", "who", "code"),
    [
        ("changes", "", "trainer", "comment_needed"),
        ("decline", "   ", "trainer", "comment_needed"),
        ("changes", "x" * 2001, "trainer", "too_long"),
        ("publish!", None, "trainer", "unknown_decision"),
        ("publish", None, "nathan", "not_a_reviewer"),  # a learner of the course
        ("publish", None, "sylvie", "not_a_reviewer"),  # the author herself
        ("publish", None, "outsider", "not_a_reviewer"),
        ("publish", None, "elsewhere", "not_a_reviewer"),  # another community's trainer
    ],
)
def test_wrong_decisions_change_nothing(world: CourseWorld, decision, comment, who, code) -> None:
    badge_id = _propose(world)
    people = {
        "trainer": world.trainer_id,
        "nathan": world.nathan_id,
        "sylvie": world.sylvie_id,
        "outsider": world.outsider_id,
    }
    reviewer = people.get(who) or _trainer_elsewhere(world)
    with pytest.raises(ProposalRefused) as refused:
        _decide(world, badge_id, decision, comment, reviewer)
    assert refused.value.code == code
    with transaction(world.runtime.sessions) as session:
        badge = session.get(BadgeClass, badge_id)
        assert badge.status == "proposed" and badge.review_comment is None
    assert _notices(world, world.sylvie_id) == []


def test_a_trainers_own_badge_is_not_a_proposal(world: CourseWorld) -> None:
    with pytest.raises(ProposalRefused, match="not_a_proposal"):
        _decide(world, world.draft_id, "publish")


def test_only_the_author_revises_and_only_when_asked(world: CourseWorld) -> None:
    badge_id = _propose(world)
    with transaction(world.runtime.sessions) as session:
        badge = session.get(BadgeClass, badge_id)
        with pytest.raises(ProposalRefused, match="wrong_state"):  # not asked yet
            revise(session, badge, session.get(Person, world.sylvie_id), PAPIER)
    _decide(world, badge_id, "changes", "Précisez.")
    with transaction(world.runtime.sessions) as session:
        badge = session.get(BadgeClass, badge_id)
        for other in (world.nathan_id, world.trainer_id):
            with pytest.raises(ProposalRefused, match="not_the_author"):
                revise(session, badge, session.get(Person, other), PAPIER)
        with pytest.raises(BadgeClassRefused, match="unknown_skill"):
            revise(
                session,
                badge,
                session.get(Person, world.sylvie_id),
                ProposalFields("N", "D", "C", skill_ids=["1"]),
            )
        assert badge.status == "changes_requested" and badge.name == PAPIER.name


@pytest.mark.parametrize(
    ("fields", "who", "code"),
    [
        (ProposalFields("", "D", "C"), "sylvie", "empty"),
        (ProposalFields("N", "D", "C", skill_ids=["x"]), "sylvie", "unknown_skill"),
        (ProposalFields("N", "D", "C", language="xx"), "sylvie", "bad_language"),
        (ProposalFields("N", "D", "C"), "outsider", "not_a_member"),
    ],
)
def test_a_wrong_proposal_writes_nothing(world: CourseWorld, fields, who, code) -> None:
    before = _count(world, BadgeClass), _count(world, Notification)
    person = world.outsider_id if who == "outsider" else world.sylvie_id
    with pytest.raises(BadgeClassRefused) as refused:  # ProposalRefused is one
        _propose(world, fields, person)
    assert refused.value.code == code
    assert (_count(world, BadgeClass), _count(world, Notification)) == before


def test_a_course_of_another_community_is_refused(world: CourseWorld) -> None:
    _trainer_elsewhere(world)
    with transaction(world.runtime.sessions) as session:
        elsewhere = session.scalars(select(Context).where(Context.context_id == "autre")).one()
        with pytest.raises(ProposalRefused, match="other_community"):
            propose(
                session,
                session.get(Community, world.community_id),
                session.get(Person, world.sylvie_id),
                elsewhere,
                PAPIER,
            )


def test_script_in_a_proposal_stays_text(world: CourseWorld) -> None:

    script = "<script>alert(1)</script>"
    badge_id = _propose(world, replace(PAPIER, name=script, criteria=f"<img src=x>{script}"))
    with transaction(world.runtime.sessions) as session:
        badge = session.get(BadgeClass, badge_id)
        assert badge.name == script and badge.criteria_narrative == f"<img src=x>{script}"
