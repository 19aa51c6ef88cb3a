"""Awarding to a selection, step by step: checked first, each person once, never twice."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from badges.courses.awards import recipient_of
from badges.models import (
    Assertion,
    AwardBatch,
    BadgeClass,
    Context,
    Membership,
    Notification,
    Person,
    ScoreDelivery,
)
from badges.recognition import award_batches, notifying
from badges.recognition.award_batches import REFUSED, BatchRefused, start, step
from badges.recognition.awarding import award
from badges.storage.database import transaction
from badges.storage.runtime import Runtime
from tests.badges.course_world import CourseWorld, make_course


@pytest.fixture
def world(runtime: Runtime) -> CourseWorld:
    """The course of :mod:`tests.badges.course_world`: a trainer, Nathan and Sylvie."""
    return make_course(runtime)


def _count(world: CourseWorld, model: type) -> int:
    with transaction(world.runtime.sessions) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _start(world: CourseWorld, people: list[str], *, badge: str | None = None,
           awarder: str | None = None, narrative: str | None = None) -> str:  # fmt: skip
    with transaction(world.runtime.sessions) as session:
        return start(
            session,
            session.get(BadgeClass, badge or world.badge_id),
            session.get(Context, world.context_id),
            session.get(Person, awarder or world.trainer_id),
            people,
            narrative,
        ).id


def _step(world: CourseWorld, batch_id: str, size: int = 5) -> list[str]:
    with transaction(world.runtime.sessions) as session:
        return step(session, world.runtime, session.get(AwardBatch, batch_id), size)


def test_a_batch_awards_step_by_step_and_finishes(world: CourseWorld) -> None:
    batch_id = _start(
        world, [world.nathan_id, world.sylvie_id, world.nathan_id], narrative=" Atelier. "
    )
    assert _count(world, Assertion) == 0  # nothing awarded before the first step

    first = _step(world, batch_id, size=1)
    with transaction(world.runtime.sessions) as session:
        batch = session.get(AwardBatch, batch_id)
        assert batch.recipients == [world.nathan_id, world.sylvie_id]  # chosen twice: once
        assert batch.position == 1 and not batch.finished
        assert list(batch.results) == [world.nathan_id]
    second = _step(world, batch_id, size=1)
    third = _step(world, batch_id, size=1)  # a repeated step after the end: harmless

    assert len(first) == len(second) == 1 and third == []
    with transaction(world.runtime.sessions) as session:
        batch = session.get(AwardBatch, batch_id)
        assert batch.finished and batch.position == 2
        assertions = {a.recipient_person_id: a for a in session.scalars(select(Assertion))}
        assert batch.results == {pid: assertions[pid].id for pid in batch.recipients}
        assert all(a.narrative == "Atelier." for a in assertions.values())
        told = session.scalars(select(Notification)).all()
        assert sorted((n.person_id, n.kind) for n in told) == sorted(
            [(world.nathan_id, notifying.BADGE_AWARDED), (world.sylvie_id, notifying.BADGE_AWARDED)]
        )
    assert _count(world, ScoreDelivery) == 2


def test_a_holder_keeps_their_award_and_is_not_told_again(world: CourseWorld) -> None:
    with transaction(world.runtime.sessions) as session:
        held = award(
            session,
            world.runtime,
            session.get(BadgeClass, world.badge_id),
            recipient_of(session.get(Person, world.nathan_id)),
        ).id
    batch_id = _start(world, [world.nathan_id])
    _step(world, batch_id)
    with transaction(world.runtime.sessions) as session:
        assert session.get(AwardBatch, batch_id).results == {world.nathan_id: held}
    assert _count(world, Assertion) == 1 and _count(world, Notification) == 0


def test_someone_who_left_the_course_is_refused_and_the_others_awarded(
    world: CourseWorld,
) -> None:
    batch_id = _start(world, [world.nathan_id, world.sylvie_id])
    with transaction(world.runtime.sessions) as session:
        gone = session.scalars(
            select(Membership).where(Membership.person_id == world.nathan_id)
        ).one()
        session.delete(gone)

    _step(world, batch_id)

    with transaction(world.runtime.sessions) as session:
        batch = session.get(AwardBatch, batch_id)
        assert batch.finished and batch.results[world.nathan_id] == REFUSED
        assert batch.results[world.sylvie_id] != REFUSED
    assert _count(world, Assertion) == 1


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("learner_awards", "not_an_awarder"),
        ("outsider_awards", "not_an_awarder"),
        ("draft", "not_published"),
        ("archived", "not_published"),
        ("foreign", "other_community"),
        ("empty", "empty"),
        ("blank_ids", "empty"),
        ("outsider_chosen", "not_a_member"),
        ("unknown_chosen", "not_a_member"),
        ("too_long", "too_long"),
    ],
)
def test_a_wrong_selection_is_refused_before_anything_is_written(
    world: CourseWorld, case: str, code: str
) -> None:
    people = [world.nathan_id]
    values: dict = {}
    if case == "learner_awards":
        values["awarder"] = world.sylvie_id
    elif case == "outsider_awards":
        values["awarder"] = world.outsider_id
    elif case in ("draft", "archived", "foreign"):
        values["badge"] = getattr(world, f"{case}_id")
    elif case == "empty":
        people = []
    elif case == "blank_ids":
        people = ["", ""]
    elif case == "outsider_chosen":
        people = [world.nathan_id, world.outsider_id]
    elif case == "unknown_chosen":
        people = ["00000000-0000-4000-8000-000000000000"]
    elif case == "too_long":
        values["narrative"] = "x" * (award_batches.NARRATIVE_LIMIT + 1)

    with pytest.raises(BatchRefused) as refused:
        _start(world, people, **values)

    assert refused.value.code == code
    assert _count(world, AwardBatch) == 0 and _count(world, Assertion) == 0


def test_too_many_people_are_refused(world: CourseWorld) -> None:
    with pytest.raises(BatchRefused) as refused:
        _start(world, [str(n) for n in range(award_batches.SELECTION_LIMIT + 1)])
    assert refused.value.code == "too_many"
