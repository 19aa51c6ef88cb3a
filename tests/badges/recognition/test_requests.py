"""Asking for a badge, in the domain: who may ask for what, and nothing half-written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from badges.courses import awards
from badges.models import (
    BadgeClass,
    BadgeRequest,
    Context,
    Evidence,
    Notification,
    Person,
    RequestEvent,
)
from badges.models.badge_request import CHANGES_REQUESTED, OPEN, TO_CONFIRM, WITHDRAWN
from badges.recognition import notifying
from badges.recognition.requests import (
    EvidenceGiven,
    RequestRefused,
    confirm_request,
    request_badge,
    update_request,
    withdraw_request,
)
from badges.storage.database import transaction
from tests.badges.course_world import CourseWorld

SAID = EvidenceGiven(narrative="J'ai animé l'émission du mardi avec Léa.")


def _ask(world: CourseWorld, given: EvidenceGiven = SAID, *, badge: str | None = None,
         person: str | None = None, helper: str | None = None) -> str:  # fmt: skip
    with transaction(world.runtime.sessions) as session:
        request = request_badge(
            session,
            session.get(BadgeClass, badge or world.badge_id),
            session.get(Person, person or world.nathan_id),
            session.get(Context, world.context_id),
            given,
            accompanied_by=session.get(Person, helper) if helper else None,
        )
        return request.id


def _count(world: CourseWorld, model: type) -> int:
    with transaction(world.runtime.sessions) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_learner_asks_and_the_trainers_are_told(course_world: CourseWorld) -> None:
    request_id = _ask(
        course_world, EvidenceGiven(narrative=" Un texte. ", links=["https://radio.example/show"])
    )

    with transaction(course_world.runtime.sessions) as session:
        request = session.get(BadgeRequest, request_id)
        assert request.state == OPEN
        assert [(e.genre, e.public) for e in request.evidence] == [
            ("Narrative", False),
            ("Link", False),
        ]
        assert request.evidence[0].narrative == "Un texte."
        assert [e.kind for e in request.events] == ["submitted"]
        told = session.scalars(select(Notification)).all()
        assert [(n.person_id, n.kind) for n in told] == [
            (course_world.trainer_id, notifying.REQUEST_SUBMITTED)
        ]


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("draft", "not_published"),
        ("archived", "not_published"),
        ("foreign", "other_community"),
        ("outsider", "not_a_member"),
        ("empty", "no_evidence"),
        ("javascript link", "bad_link"),
        ("relative link", "bad_link"),
        ("too long", "too_long"),
        ("learner as facilitator", "not_a_facilitator"),
        ("facilitator for themselves", "not_a_facilitator"),
    ],
)
def test_refused_requests_write_nothing(course_world: CourseWorld, case: str, code: str) -> None:
    w = course_world
    args: dict = {}
    given = SAID
    if case == "draft":
        args["badge"] = w.draft_id
    elif case == "archived":
        args["badge"] = w.archived_id
    elif case == "foreign":
        args["badge"] = w.foreign_id
    elif case == "outsider":
        args["person"] = w.outsider_id
    elif case == "empty":
        given = EvidenceGiven(narrative="   ", links=["  "])
    elif case == "javascript link":
        given = EvidenceGiven(links=["javascript:alert(1)"])
    elif case == "relative link":
        given = EvidenceGiven(links=["/etc/passwd"])
    elif case == "too long":
        given = EvidenceGiven(narrative="x" * 4001)
    elif case == "learner as facilitator":
        args["helper"] = w.sylvie_id
    elif case == "facilitator for themselves":
        args["person"] = w.trainer_id
        args["helper"] = w.trainer_id
    with pytest.raises(RequestRefused) as refused:
        _ask(w, given, **args)
    assert refused.value.code == code
    for model in (BadgeRequest, Evidence, RequestEvent, Notification):
        assert _count(w, model) == 0


def test_asking_twice_lands_on_the_same_request(course_world: CourseWorld) -> None:
    first = _ask(course_world)
    with pytest.raises(RequestRefused) as again:
        _ask(course_world, EvidenceGiven(narrative="Encore"))
    assert again.value.code == "already_asked"
    assert again.value.request_id == first
    assert _count(course_world, BadgeRequest) == 1


def test_a_held_badge_is_not_asked_for(course_world: CourseWorld) -> None:
    w = course_world
    with transaction(w.runtime.sessions) as session:
        awards.award_in_course(
            session, w.runtime, session.get(BadgeClass, w.badge_id),
            session.get(Context, w.context_id), awarder=session.get(Person, w.trainer_id),
            learner=session.get(Person, w.nathan_id),
        )  # fmt: skip
    with pytest.raises(RequestRefused) as refused:
        _ask(w)
    assert refused.value.code == "already_held"


def test_an_accompanied_request_waits_for_the_learner(course_world: CourseWorld) -> None:
    w = course_world
    request_id = _ask(w, helper=w.trainer_id)
    with transaction(w.runtime.sessions) as session:
        request = session.get(BadgeRequest, request_id)
        assert request.state == TO_CONFIRM and request.accompanied_by_id == w.trainer_id
        assert request.evidence[0].added_by_id == w.trainer_id
        told = [(n.person_id, n.kind) for n in session.scalars(select(Notification))]
        assert told == [(w.nathan_id, notifying.REQUEST_TO_CONFIRM)]
        with pytest.raises(RequestRefused) as refused:
            confirm_request(session, request, session.get(Person, w.sylvie_id))
        assert refused.value.code == "not_yours"
    for _ in range(2):  # a retried confirmation changes nothing more
        with transaction(w.runtime.sessions) as session:
            confirm_request(
                session, session.get(BadgeRequest, request_id), session.get(Person, w.nathan_id)
            )
    with transaction(w.runtime.sessions) as session:
        request = session.get(BadgeRequest, request_id)
        assert request.state == OPEN
        assert [e.kind for e in request.events] == ["submitted", "confirmed"]
        kinds = [
            n.kind
            for n in session.scalars(
                select(Notification).where(Notification.person_id == w.trainer_id)
            )
        ]
        assert kinds == [notifying.REQUEST_SUBMITTED]


def test_an_update_is_only_for_a_request_asked_to_improve(course_world: CourseWorld) -> None:
    w = course_world
    request_id = _ask(w)
    with transaction(w.runtime.sessions) as session:
        request = session.get(BadgeRequest, request_id)
        with pytest.raises(RequestRefused) as refused:
            update_request(session, request, session.get(Person, w.nathan_id), SAID)
        assert refused.value.code == "wrong_state"
        request.state = CHANGES_REQUESTED
    with transaction(w.runtime.sessions) as session:
        request = session.get(BadgeRequest, request_id)
        with pytest.raises(RequestRefused) as refused:
            update_request(session, request, session.get(Person, w.sylvie_id), SAID)
        assert refused.value.code == "not_yours"
        update_request(
            session,
            request,
            session.get(Person, w.nathan_id),
            EvidenceGiven(narrative="Et j'ai monté le son."),
        )
    with transaction(w.runtime.sessions) as session:
        request = session.get(BadgeRequest, request_id)
        assert request.state == OPEN
        assert [e.narrative for e in request.evidence] == [SAID.narrative, "Et j'ai monté le son."]
        assert [e.kind for e in request.events] == ["submitted", "updated"]


def test_a_withdrawn_request_frees_the_badge_to_ask_again(course_world: CourseWorld) -> None:
    w = course_world
    first = _ask(w)
    with transaction(w.runtime.sessions) as session:
        withdraw_request(
            session, session.get(BadgeRequest, first), session.get(Person, w.nathan_id)
        )
    second = _ask(w)
    assert second != first
    with transaction(w.runtime.sessions) as session:
        assert session.get(BadgeRequest, first).state == WITHDRAWN
