"""Filling a request with a learner: the choice of a learner and a badge opens the
learner's ask form "for" them; a wrong choice is refused in words."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from badges.models import Community
from badges.recognition.badge_classes import create_badge_class
from badges.storage.database import transaction
from tests.lti_launches import LtiWorld
from tests.lti_tool.blueprints.trainer.trainer_course import TrainerCourse, make_course


@pytest.fixture
def course(sqlite_lti_world: LtiWorld) -> TrainerCourse:
    return make_course(sqlite_lti_world)


def test_the_choice_opens_the_ask_form_for_the_learner(course: TrainerCourse) -> None:
    page = course.get("/trainer/accompany")
    nathan = course.person_id("learner-1")

    chosen = course.browser.http.get(
        course.url("/trainer/accompany"),
        params={"lh": course.handle, "learner": nathan, "badge": course.badge_id},
        timeout=10,
        allow_redirects=False,
    )

    assert page.status_code == 200 and "Nathan Martin" in page.text and "Sylvie Petit" in page.text
    assert f'value="{course.badge_id}"' in page.text
    assert "Camille Roux" not in page.text.split("<main", 1)[1]  # trainers are not listed
    assert chosen.status_code == 303
    target = urlsplit(chosen.headers["Location"])
    assert target.path == f"/course/ask/{course.badge_id}"
    assert parse_qs(target.query)["for"] == [nathan]
    form = course.browser.http.get(course.url(chosen.headers["Location"]), timeout=10)
    assert form.status_code == 200


@pytest.mark.parametrize("case", ["trainer", "unknown_learner", "draft", "unknown_badge"])
def test_a_wrong_choice_is_refused(course: TrainerCourse, case: str) -> None:
    nathan = course.person_id("learner-1")
    badge = course.badge_id
    learner = nathan
    if case == "trainer":
        learner = course.person_id("trainer-1")
    elif case == "unknown_learner":
        learner = "00000000-0000-4000-8000-000000000000"
    elif case == "draft":
        with transaction(course.world.runtime.sessions) as session:
            community = session.scalars(select(Community)).first()
            badge = create_badge_class(
                session, community, name="Brouillon", description="d", criteria="c"
            ).id
    else:
        badge = "00000000-0000-4000-8000-000000000000"

    answer = course.get("/trainer/accompany", learner=learner, badge=badge)

    assert answer.status_code == 400 and 'role="alert"' in answer.text
    assert "Choose a learner of this course" in answer.text


def test_the_trainer_home_leads_everywhere(course: TrainerCourse) -> None:
    home = course.get("/trainer/")

    assert home.status_code == 200
    for path in ("/trainer/requests", "/trainer/accompany", "/trainer/roster", "/trainer/badges"):
        assert f'href="{path}?lh=' in home.text
    assert f'href="/trainer/award/{course.badge_id}?lh=' in home.text
    assert 'data-waiting="0"' in home.text and "0 requests to review" in home.text
    assert 'data-proposals="0"' in home.text
    assert 'data-form="language"' in home.text
