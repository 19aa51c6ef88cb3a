"""Reviewing requests in the domain: accept, ask to improve, decline; who may, and when."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from badges.courses import awards
from badges.models import (
    Assertion,
    BadgeClass,
    BadgeRequest,
    Context,
    Evidence,
    Notification,
    Person,
    ScoreDelivery,
)
from badges.models.badge_request import ACCEPTED, CHANGES_REQUESTED, DECLINED, OPEN, WITHDRAWN
from badges.models.person import Membership
from badges.recognition import notifying
from badges.recognition.requests import (
    EvidenceGiven,
    request_badge,
    update_request,
    withdraw_request,
)
from badges.recognition.reviewing import (
    ReviewRefused,
    accept,
    ask_to_improve,
    decline,
    waiting,
    waiting_count,
)
from badges.storage.database import transaction
from badges.storage.runtime import Runtime
from tests.badges.course_world import CourseWorld, make_course

SAID = EvidenceGiven(narrative="J'ai animé l'émission du mardi.", links=["https://radio.example/1"])


@pytest.fixture
def world(runtime: Runtime) -> CourseWorld:
    """The course of :mod:`tests.badges.course_world`: a trainer, Nathan and Sylvie."""
    return make_course(runtime)


def _ask(world: CourseWorld, person: str | None = None, helper: str | None = None) -> str:
    with transaction(world.runtime.sessions) as session:
        return request_badge(
            session,
            session.get(BadgeClass, world.badge_id),
            session.get(Person, person or world.nathan_id),
            session.get(Context, world.context_id),
            SAID,
            accompanied_by=session.get(Person, helper) if helper else None,
        ).id


def _count(world: CourseWorld, model: type, *where) -> int:  # type: ignore[no-untyped-def]
    with transaction(world.runtime.sessions) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _told(world: CourseWorld, person_id: str) -> list[str]:
    with transaction(world.runtime.sessions) as session:
        return list(
            session.scalars(
                select(Notification.kind)
                .where(Notification.person_id == person_id)
                .order_by(Notification.id)
            )
        )


def test_accepting_awards_with_the_evidence_and_owes_the_grade(world: CourseWorld) -> None:
    request_id = _ask(world)

    with transaction(world.runtime.sessions) as session:
        done = accept(
            session,
            world.runtime,
            session.get(BadgeRequest, request_id),
            session.get(Person, world.trainer_id),
            "  A animé trois émissions.  ",
            context=session.get(Context, world.context_id),
        )

    assert done.created and len(done.pending_scores) == 1
    with transaction(world.runtime.sessions) as session:
        request = session.get(BadgeRequest, request_id)
        assert request.state == ACCEPTED and request.assertion_id == done.assertion_id
        assert [e.kind for e in request.events] == ["submitted", "accepted"]
        assert request.events[-1].comment == "A animé trois émissions."
        assertion = session.get(Assertion, done.assertion_id)
        assert assertion.narrative == "A animé trois émissions."
        assert assertion.recipient_person_id == world.nathan_id
        assert sorted(e.genre for e in assertion.evidence) == ["Link", "Narrative"]
        assert all(not e.public for e in assertion.evidence)
        nathan = session.get(Person, world.nathan_id)
        assert awards.held_by(session, session.get(BadgeClass, world.badge_id), nathan)
    assert _told(world, world.nathan_id) == [notifying.REQUEST_ACCEPTED]


def test_a_retried_accept_returns_the_same_award(world: CourseWorld) -> None:
    request_id = _ask(world)

    def once():  # type: ignore[no-untyped-def]
        with transaction(world.runtime.sessions) as session:
            return accept(
                session,
                world.runtime,
                session.get(BadgeRequest, request_id),
                session.get(Person, world.trainer_id),
            )

    first, second = once(), once()

    assert second.assertion_id == first.assertion_id and not second.created
    assert second.pending_scores == first.pending_scores
    assert _count(world, Assertion) == 1 and _count(world, ScoreDelivery) == 1
    assert _told(world, world.nathan_id) == [notifying.REQUEST_ACCEPTED]


def test_public_evidence_is_signed_into_the_credential(world: CourseWorld) -> None:
    request_id = _ask(world)
    with transaction(world.runtime.sessions) as session:
        for row in session.get(BadgeRequest, request_id).evidence:
            row.public = row.genre == "Link"

    with transaction(world.runtime.sessions) as session:
        done = accept(
            session,
            world.runtime,
            session.get(BadgeRequest, request_id),
            session.get(Person, world.trainer_id),
        )

    import jwt

    with transaction(world.runtime.sessions) as session:
        token = session.get(Assertion, done.assertion_id).ob3_jwt
    credential = jwt.decode(token, options={"verify_signature": False})
    credential = credential.get("vc", credential)
    shown = credential.get("evidence") or []
    assert len(shown) == 1 and "radio.example" in shown[0]["id"]


@pytest.mark.parametrize("who", ["nathan", "sylvie", "outsider", "other_trainer"])
def test_only_a_trainer_of_the_course_reviews(world: CourseWorld, who: str) -> None:
    request_id = _ask(world)
    with transaction(world.runtime.sessions) as session:
        if who == "other_trainer":  # a trainer, but of another course of the community
            context = session.get(Context, world.context_id)
            elsewhere = Context(deployment_id=context.deployment_id, context_id="c2", title="c2")
            session.add(elsewhere)
            session.flush()
            session.add(
                Membership(
                    person_id=world.outsider_id,
                    context_id=elsewhere.id,
                    role="trainer",
                    lti_roles=[],
                )
            )
        reviewer_id = {
            "nathan": world.nathan_id,
            "sylvie": world.sylvie_id,
            "outsider": world.outsider_id,
            "other_trainer": world.outsider_id,
        }[who]

    for act in (
        lambda s, r, p: accept(s, world.runtime, r, p),
        lambda s, r, p: ask_to_improve(s, r, p, "Ajoutez une photo."),
        lambda s, r, p: decline(s, r, p, "Pas ici."),
    ):
        with transaction(world.runtime.sessions) as session:
            with pytest.raises(ReviewRefused) as refused:
                act(
                    session, session.get(BadgeRequest, request_id), session.get(Person, reviewer_id)
                )
            assert refused.value.code == "not_a_reviewer"

    assert _count(world, Assertion) == 0
    with transaction(world.runtime.sessions) as session:
        request = session.get(BadgeRequest, request_id)
        assert request.state == OPEN and [e.kind for e in request.events] == ["submitted"]


def test_a_request_of_another_course_is_refused_in_this_one(world: CourseWorld) -> None:
    request_id = _ask(world)
    with transaction(world.runtime.sessions) as session:
        context = session.get(Context, world.context_id)
        elsewhere = Context(deployment_id=context.deployment_id, context_id="c2", title="c2")
        session.add(elsewhere)
        session.flush()
        with pytest.raises(ReviewRefused) as refused:
            decline(
                session,
                session.get(BadgeRequest, request_id),
                session.get(Person, world.trainer_id),
                "Non.",
                context=elsewhere,
            )
        assert refused.value.code == "other_course"


@pytest.mark.parametrize("text", ["", "   ", None, "x" * 2001])
def test_asking_to_improve_or_declining_needs_words(world: CourseWorld, text) -> None:
    request_id = _ask(world)
    for act in (ask_to_improve, decline):
        with transaction(world.runtime.sessions) as session:
            with pytest.raises(ReviewRefused) as refused:
                act(
                    session,
                    session.get(BadgeRequest, request_id),
                    session.get(Person, world.trainer_id),
                    text,
                )
            assert refused.value.code == (
                "too_long" if text and text.strip() else "comment_required"
            )
    with transaction(world.runtime.sessions) as session:
        assert session.get(BadgeRequest, request_id).state == OPEN
    assert _told(world, world.nathan_id) == []


def test_improve_then_update_then_accept_keeps_the_history(world: CourseWorld) -> None:
    request_id = _ask(world)
    with transaction(world.runtime.sessions) as session:
        ask_to_improve(
            session,
            session.get(BadgeRequest, request_id),
            session.get(Person, world.trainer_id),
            "Ajoutez une phrase sur ce que vous avez préparé.",
        )
    with transaction(world.runtime.sessions) as session:
        request = session.get(BadgeRequest, request_id)
        assert request.state == CHANGES_REQUESTED
        with pytest.raises(ReviewRefused) as refused:  # waiting for the learner
            accept(session, world.runtime, request, session.get(Person, world.trainer_id))
        assert refused.value.code == "wrong_state"
    with transaction(world.runtime.sessions) as session:
        update_request(
            session,
            session.get(BadgeRequest, request_id),
            session.get(Person, world.nathan_id),
            EvidenceGiven(narrative="J'ai préparé la playlist."),
        )
    with transaction(world.runtime.sessions) as session:
        accept(
            session,
            world.runtime,
            session.get(BadgeRequest, request_id),
            session.get(Person, world.trainer_id),
        )
    with transaction(world.runtime.sessions) as session:
        request = session.get(BadgeRequest, request_id)
        assert [e.kind for e in request.events] == [
            "submitted",
            "changes_requested",
            "updated",
            "accepted",
        ]
        assert request.events[1].comment.startswith("Ajoutez une phrase")
        assert len(session.get(Assertion, request.assertion_id).evidence) == 3
    assert _told(world, world.nathan_id) == [
        notifying.CHANGES_REQUESTED,
        notifying.REQUEST_ACCEPTED,
    ]


def test_declining_ends_the_request_with_its_reason(world: CourseWorld) -> None:
    request_id = _ask(world)
    with transaction(world.runtime.sessions) as session:
        decline(
            session,
            session.get(BadgeRequest, request_id),
            session.get(Person, world.trainer_id),
            "Ce badge demande d'avoir animé seul.",
        )
    with transaction(world.runtime.sessions) as session:
        request = session.get(BadgeRequest, request_id)
        assert request.state == DECLINED
        assert request.events[-1].comment == "Ce badge demande d'avoir animé seul."
        with pytest.raises(ReviewRefused) as refused:
            accept(session, world.runtime, request, session.get(Person, world.trainer_id))
        assert refused.value.code == "wrong_state"
        with pytest.raises(ReviewRefused):
            ask_to_improve(session, request, session.get(Person, world.trainer_id), "Encore ?")
    assert _count(world, Assertion) == 0
    assert _told(world, world.nathan_id) == [notifying.REQUEST_DECLINED]


@pytest.mark.parametrize("state", ["to_confirm", "withdrawn"])
def test_requests_not_waiting_for_a_trainer_cannot_be_reviewed(
    world: CourseWorld, state: str
) -> None:
    if state == "to_confirm":
        request_id = _ask(world, helper=world.trainer_id)
    else:
        request_id = _ask(world)
        with transaction(world.runtime.sessions) as session:
            withdraw_request(
                session, session.get(BadgeRequest, request_id), session.get(Person, world.nathan_id)
            )
    for act in (
        lambda s, r, p: accept(s, world.runtime, r, p),
        lambda s, r, p: ask_to_improve(s, r, p, "Ajoutez une photo."),
        lambda s, r, p: decline(s, r, p, "Non."),
    ):
        with transaction(world.runtime.sessions) as session:
            with pytest.raises(ReviewRefused) as refused:
                act(
                    session,
                    session.get(BadgeRequest, request_id),
                    session.get(Person, world.trainer_id),
                )
            assert refused.value.code == "wrong_state"
    assert _count(world, Assertion) == 0
    assert _count(world, Evidence, Evidence.assertion_id.is_not(None)) == 0
    with transaction(world.runtime.sessions) as session:
        assert session.get(BadgeRequest, request_id).state in ("to_confirm", WITHDRAWN)


def test_the_queue_lists_open_requests_oldest_first(world: CourseWorld) -> None:
    first = _ask(world)
    second = _ask(world, person=world.sylvie_id)
    with transaction(world.runtime.sessions) as session:
        context = session.get(Context, world.context_id)
        assert [r.id for r in waiting(session, context)] == [first, second]
        assert waiting_count(session, context.id) == 2
        ask_to_improve(
            session,
            session.get(BadgeRequest, first),
            session.get(Person, world.trainer_id),
            "Plus.",
        )
    with transaction(world.runtime.sessions) as session:
        context = session.get(Context, world.context_id)
        assert [r.id for r in waiting(session, context)] == [second]
        assert waiting_count(session, context.id) == 1


@pytest.mark.parametrize("change", ["archived", "left"])
def test_a_request_that_can_no_longer_be_awarded_is_refused(
    world: CourseWorld, change: str
) -> None:
    request_id = _ask(world)
    with transaction(world.runtime.sessions) as session:
        if change == "archived":
            session.get(BadgeClass, world.badge_id).status = "archived"
        else:
            session.delete(
                session.scalars(
                    select(Membership).where(Membership.person_id == world.nathan_id)
                ).one()
            )

    with transaction(world.runtime.sessions) as session:
        with pytest.raises(ReviewRefused) as refused:
            accept(
                session,
                world.runtime,
                session.get(BadgeRequest, request_id),
                session.get(Person, world.trainer_id),
            )
        assert refused.value.code == "not_awardable"

    assert _count(world, Assertion) == 0 and _count(world, ScoreDelivery) == 0
    with transaction(world.runtime.sessions) as session:
        assert session.get(BadgeRequest, request_id).state == OPEN
