"""Awarding over HTTP: nobody chosen in advance, a confirmation, then the batch's progress
and results; wrong choices refused with nothing written."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from badges.models import (
    Assertion,
    AwardBatch,
    Community,
    Context,
    Membership,
    Notification,
    Person,
)
from badges.recognition import notifying
from badges.recognition.badge_classes import create_badge_class
from badges.storage.database import transaction
from tests.lti_launches import INSTRUCTOR, Browser, LtiWorld
from tests.lti_tool.blueprints.trainer.trainer_course import TrainerCourse, make_course
from tests.lti_tool.course_journey import (
    COURSE,
    award_choice,
    award_page,
    award_to,
    confirm_award,
    confirmed_award,
)


@pytest.fixture
def course(sqlite_lti_world: LtiWorld) -> TrainerCourse:
    return make_course(sqlite_lti_world)


def _count(course: TrainerCourse, model: type) -> int:
    with transaction(course.world.runtime.sessions) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _choose(course: TrainerCourse):  # type: ignore[no-untyped-def]
    return award_page(course.world, course.browser, course.handle, course.badge_id)


def test_nobody_is_chosen_in_advance_and_everyone_on_request(course: TrainerCourse) -> None:
    page = _choose(course)

    assert page.status_code == 200
    assert 'data-candidates="2"' in page.text and " checked" not in page.text
    assert f"/trainer/award/{course.badge_id}?everyone=1&amp;lh=" in page.text
    everyone = course.get(f"/trainer/award/{course.badge_id}", everyone="1")
    assert everyone.status_code == 200 and everyone.text.count(" checked>") == 2
    assert _count(course, Assertion) == 0


def test_an_award_to_two_people_confirmed_then_done(course: TrainerCourse) -> None:
    page = _choose(course)
    choices = [award_choice(page, "Nathan Martin"), award_choice(page, "Sylvie Petit")]

    confirmation = confirm_award(course.browser, page, choices, "A co-animé l'atelier.")

    text = html.unescape(confirmation.text)
    assert confirmation.status_code == 200 and 'data-count="2"' in text
    assert "You are about to award Animer une web radio to these 2 people" in text
    assert 'data-grade="owed"' in text
    assert _count(course, Assertion) == 0 and _count(course, AwardBatch) == 0

    done = confirmed_award(course.browser, confirmation)

    assert done.status_code == 200 and 'data-finished="yes"' in done.text
    assert done.text.count('data-result="awarded"') == 2
    assert done.text.count('data-grade="sent"') == 2
    assert 'value="2" max="2"' in done.text
    with transaction(course.world.runtime.sessions) as session:
        assertions = session.scalars(select(Assertion)).all()
        assert {a.narrative for a in assertions} == {"A co-animé l'atelier."}
        for assertion in assertions:
            assert f'href="/b/{assertion.id}"' in done.text
        told = session.scalars(
            select(Notification.kind).where(Notification.kind == notifying.BADGE_AWARDED)
        )
        assert len(list(told)) == 2
    assert sorted(s.user_id for s in course.world.demo.state.scores) == ["learner-1", "learner-2"]
    again = _choose(course)  # both hold it now: listed apart, with a way to withdraw it
    assert "data-candidates=" not in again.text
    assert again.text.count("/revoke?lh=") == 2


def test_a_big_selection_goes_step_by_step(course: TrainerCourse) -> None:
    world = course.world
    with transaction(world.runtime.sessions) as session:
        context = session.scalars(select(Context).where(Context.context_id == COURSE)).first()
        platform_id = session.scalars(select(Person.platform_id)).first()
        for n in range(6):
            person = Person(platform_id=platform_id, sub=f"extra-{n}", name=f"Apprenant {n}")
            session.add(person)
            session.flush()
            session.add(
                Membership(person_id=person.id, context_id=context.id, role="learner", lti_roles=[])
            )
    page = _choose(course)
    labels = ["Nathan Martin", "Sylvie Petit", *(f"Apprenant {n}" for n in range(6))]
    confirmation = confirm_award(course.browser, page, [award_choice(page, x) for x in labels])
    form = re.findall(r'name="learner" value="([^"]+)"', confirmation.text)
    fields = [("learner", value) for value in form]

    first = course.post(f"/trainer/award/{course.badge_id}", fields)

    assert first.status_code == 200 and "/trainer/award/batches/" in first.url
    assert 'value="5" max="8"' in first.text and "data-autosubmit" in first.text
    assert "autosubmit.js" in first.text and "5 of 8 awarded" in first.text
    assert _count(course, Assertion) == 5
    batch_path = first.url.split("?", 1)[0].replace(world.tool_url, "")

    finished = course.post(batch_path)
    assert 'value="8" max="8"' in finished.text and "data-autosubmit" not in finished.text
    assert finished.text.count('data-result="awarded"') == 8
    repeated = course.post(batch_path)  # a step of a finished batch: nothing more
    assert repeated.status_code == 200 and _count(course, Assertion) == 8


@pytest.mark.parametrize(
    "choices",
    [[], ["person:not-a-member"], ["roster:someone-else"], ["nonsense"]],
    ids=["none", "forged-person", "forged-roster", "nonsense"],
)
def test_wrong_choices_are_refused_and_nothing_is_written(
    course: TrainerCourse, choices: list[str]
) -> None:
    data = [("learner", c) for c in choices]

    confirm = course.post(f"/trainer/award/{course.badge_id}/confirm", data)
    award = course.post(f"/trainer/award/{course.badge_id}", data)

    assert confirm.status_code == award.status_code == 400
    assert 'role="alert"' in confirm.text and 'role="alert"' in award.text
    assert _count(course, AwardBatch) == 0 and _count(course, Assertion) == 0


def test_a_holder_forged_into_the_confirmation_is_refused(course: TrainerCourse) -> None:
    award_to(course.world, course.browser, course.handle, course.badge_id, ["Nathan Martin"])
    nathan = course.person_id("learner-1")

    refused = course.post(
        f"/trainer/award/{course.badge_id}/confirm", {"learner": f"person:{nathan}"}
    )

    assert refused.status_code == 400 and _count(course, Assertion) == 1


def test_a_draft_or_unknown_badge_is_not_found(course: TrainerCourse) -> None:
    with transaction(course.world.runtime.sessions) as session:
        community = session.scalars(select(Community)).first()
        draft = create_badge_class(
            session, community, name="Brouillon", description="d", criteria="c"
        ).id
    for badge_id in (draft, "00000000-0000-4000-8000-000000000000"):
        assert course.get(f"/trainer/award/{badge_id}").status_code == 404
        refused = course.post(f"/trainer/award/{badge_id}", {"learner": "x"})
        assert refused.status_code == 404
    assert (
        course.get("/trainer/award/batches/00000000-0000-4000-8000-000000000000").status_code == 404
    )


def test_a_batch_is_shown_to_the_trainers_of_its_course_only(course: TrainerCourse) -> None:
    """A hidden recipient is named to the trainers of the course that awarded them, not to
    a colleague of another course who types the batch's address."""
    done = award_to(course.world, course.browser, course.handle, course.badge_id, ["Nathan Martin"])
    batch_path = done.url.split("?", 1)[0].replace(course.world.tool_url, "")
    with transaction(course.world.runtime.sessions) as session:
        assert session.scalars(select(Assertion)).one().recipient_public is False
    world = course.world
    spec = world.spec(
        user_id="trainer-2",
        roles=[INSTRUCTOR],
        name="Lou Autre",
        context={"id": "course-2", "title": "Autre cours"},
    )
    browser = Browser()
    handle = browser.launch(world.demo, world.moodle.client_id, spec).handle

    peek = browser.http.get(course.url(batch_path), params={"lh": handle}, timeout=10)

    assert "Nathan Martin" in done.text
    assert peek.status_code == 404 and "Nathan" not in peek.text
