"""Notifications in the domain: written by the workflows, counted, listed and read by
their person only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from badges.models import BadgeClass, Context, Notification, Person
from badges.recognition import notifying
from badges.recognition.requests import EvidenceGiven, request_badge
from badges.storage.database import transaction
from tests.badges.course_world import CourseWorld


def _ask(world: CourseWorld, person_id: str) -> str:
    with transaction(world.runtime.sessions) as session:
        return request_badge(
            session,
            session.get(BadgeClass, world.badge_id),
            session.get(Person, person_id),
            session.get(Context, world.context_id),
            EvidenceGiven(narrative="Secret: chez Léa."),
        ).id


def _notify(world: CourseWorld, person_id: str, kind: str, **about: str) -> int:
    with transaction(world.runtime.sessions) as session:
        row = notifying.notify(session, person_id, kind, **about)
        session.flush()
        return row.id


def test_an_unknown_kind_is_refused_and_nothing_written(course_world: CourseWorld) -> None:
    with pytest.raises(ValueError, match="unknown notification kind"):
        _notify(course_world, course_world.nathan_id, "<script>")
    with transaction(course_world.runtime.sessions) as session:
        assert session.scalars(select(Notification)).all() == []


def test_the_trainer_hears_who_asks_for_what(course_world: CourseWorld) -> None:
    world = course_world
    _ask(world, world.nathan_id)
    _ask(world, world.sylvie_id)

    with transaction(world.runtime.sessions) as session:
        assert notifying.unread_count(session, world.trainer_id) == 2
        assert notifying.unread_count(session, world.nathan_id) == 0
        notices = notifying.recent(session, world.trainer_id)

    assert [(n.kind, n.about_name, n.badge_name) for n in notices] == [
        (notifying.REQUEST_SUBMITTED, "Sylvie", "Animer une web radio"),
        (notifying.REQUEST_SUBMITTED, "Nathan", "Animer une web radio"),
    ]
    assert all(n.for_reviewers and not n.read for n in notices)
    assert notices[0].community_id == world.community_id


def test_the_badge_is_found_through_the_request_or_the_award(course_world: CourseWorld) -> None:
    world = course_world
    request_id = _ask(world, world.nathan_id)
    _notify(world, world.nathan_id, notifying.CHANGES_REQUESTED, request_id=request_id)

    with transaction(world.runtime.sessions) as session:
        (notice,) = notifying.recent(session, world.nathan_id)

    assert (notice.badge_class_id, notice.badge_name) == (world.badge_id, "Animer une web radio")
    assert notice.about_name is None and not notice.for_reviewers


def test_recent_is_newest_first_and_limited(course_world: CourseWorld) -> None:
    world = course_world
    ids = [_notify(world, world.nathan_id, notifying.BADGE_AWARDED) for _ in range(4)]

    with transaction(world.runtime.sessions) as session:
        listed = notifying.recent(session, world.nathan_id, limit=3)

    assert [n.id for n in listed] == ids[::-1][:3]


def test_a_person_marks_only_their_own_read(course_world: CourseWorld) -> None:
    world = course_world
    nathans = [_notify(world, world.nathan_id, notifying.BADGE_AWARDED) for _ in range(2)]
    sylvies = _notify(world, world.sylvie_id, notifying.BADGE_AWARDED)

    with transaction(world.runtime.sessions) as session:
        assert notifying.mark_read(session, world.nathan_id, [sylvies]) == 0
        assert notifying.mark_read(session, world.nathan_id, [nathans[0], 99999]) == 1
    with transaction(world.runtime.sessions) as session:
        assert notifying.unread_count(session, world.nathan_id) == 1
        assert notifying.unread_count(session, world.sylvie_id) == 1
        assert notifying.mark_read(session, world.nathan_id) == 1
        assert notifying.mark_read(session, world.nathan_id) == 0
    with transaction(world.runtime.sessions) as session:
        assert notifying.unread_count(session, world.nathan_id) == 0
        assert notifying.unread_count(session, world.sylvie_id) == 1
        assert [n.read for n in notifying.recent(session, world.nathan_id)] == [True, True]


def test_marking_nothing_changes_nothing(course_world: CourseWorld) -> None:
    _notify(course_world, course_world.nathan_id, notifying.BADGE_AWARDED)
    with transaction(course_world.runtime.sessions) as session:
        assert notifying.mark_read(session, course_world.nathan_id, []) == 0
        assert notifying.unread_count(session, course_world.nathan_id) == 1
