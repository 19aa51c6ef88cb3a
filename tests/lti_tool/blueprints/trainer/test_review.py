"""The review queue and a request's page over HTTP: accept (after a confirmation, with the
grade sent), ask to improve, decline; refusals in words, nothing half-written."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from badges.models import (
    Assertion,
    BadgeClass,
    BadgeRequest,
    Evidence,
    Notification,
    ScoreDelivery,
)
from badges.recognition import notifying
from badges.storage.database import transaction
from tests.lti_launches import INSTRUCTOR, Browser, LtiWorld
from tests.lti_tool.blueprints.trainer.trainer_course import (
    TrainerCourse,
    ask,
    csrf_of,
    make_course,
)


@pytest.fixture
def course(sqlite_lti_world: LtiWorld) -> TrainerCourse:
    return make_course(sqlite_lti_world)


def _state(course: TrainerCourse, request_id: str) -> str:
    with transaction(course.world.runtime.sessions) as session:
        return session.get(BadgeRequest, request_id).state


def _count(course: TrainerCourse, model: type) -> int:
    with transaction(course.world.runtime.sessions) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_the_home_counts_and_the_queue_lists_the_waiting_request(course: TrainerCourse) -> None:
    request_id = ask(course)

    home = course.get("/trainer/")
    queue = course.get("/trainer/requests")

    assert home.status_code == 200 and 'data-waiting="1"' in home.text
    assert "1 request to review" in home.text
    assert f"/trainer/award/{course.badge_id}?lh=" in html.unescape(home.text)
    assert queue.status_code == 200
    waiting = queue.text.split('data-queue="open"', 1)[1].split("</section>", 1)[0]
    assert f'data-request="{request_id}"' in waiting and 'data-count="1"' in queue.text
    assert "Animer une web radio, asked by Nathan Martin" in html.unescape(queue.text)


def test_the_review_page_shows_the_evidence_and_the_three_answers(course: TrainerCourse) -> None:
    request_id = ask(course)

    page = course.get(f"/trainer/requests/{request_id}")

    text = html.unescape(page.text)
    assert page.status_code == 200
    assert "J'ai animé l'émission du mardi." in text and "https://radio.example/mardi" in text
    with transaction(course.world.runtime.sessions) as session:
        photo = session.scalars(select(Evidence).where(Evidence.media_type.is_not(None))).one()
    src = re.search(rf'src="(/course/evidence/{photo.id}\?lh=[^"]+)"', text)
    assert src, text
    image = course.browser.http.get(course.url(src.group(1)), timeout=10)
    assert image.status_code == 200 and image.headers["Content-Type"] == "image/jpeg"
    for action in ("accept", "improve", "decline"):
        assert f"/trainer/requests/{request_id}/{action}?lh=" in text
    assert 'data-event="submitted"' in text


def test_accepting_asks_first_then_awards_and_sends_the_grade(course: TrainerCourse) -> None:
    request_id = ask(course)

    confirmation = course.post(
        f"/trainer/requests/{request_id}/accept", {"narrative": "A animé <b>trois</b> émissions."}
    )

    text = html.unescape(confirmation.text)
    assert confirmation.status_code == 200 and 'data-confirm="accept"' in text
    assert "Award Animer une web radio to Nathan Martin?" in text
    assert "full marks sent to the course gradebook" in text
    assert "<b>trois</b>" not in confirmation.text  # shown as text, never as markup
    assert _count(course, Assertion) == 0 and _state(course, request_id) == "open"

    done = course.post(
        f"/trainer/requests/{request_id}/accept",
        {"narrative": "A animé <b>trois</b> émissions.", "confirmed": "yes"},
        follow=False,
    )
    assert done.status_code == 303
    page = course.get(f"/trainer/requests/{request_id}")
    again = course.post(  # a retried form: the same award, no second grade
        f"/trainer/requests/{request_id}/accept", {"confirmed": "yes"}
    )

    assert 'data-state="accepted"' in page.text and 'data-grade="sent"' in page.text
    assert again.status_code == 200 and 'data-grade="sent"' in again.text
    (score,) = course.world.demo.state.scores
    assert score.user_id == "learner-1" and score.body["gradingProgress"] == "FullyGraded"
    with transaction(course.world.runtime.sessions) as session:
        assertion = session.scalars(select(Assertion)).one()
        assert assertion.narrative == "A animé <b>trois</b> émissions."
        assert f'data-awarded="{assertion.id}"' in page.text
        assert len(assertion.evidence) == 3
        kinds = session.scalars(
            select(Notification.kind).where(Notification.person_id == assertion.recipient_person_id)
        )
        assert list(kinds) == [notifying.REQUEST_ACCEPTED]
    assert _count(course, ScoreDelivery) == 1


@pytest.mark.parametrize(("action", "field"), [("improve", "comment"), ("decline", "reason")])
@pytest.mark.parametrize("value", ["", "   \n  ", "x" * 2001])
def test_an_answer_without_words_is_refused_in_words(
    course: TrainerCourse, action: str, field: str, value: str
) -> None:
    request_id = ask(course)

    refused = course.post(f"/trainer/requests/{request_id}/{action}", {field: value})

    assert refused.status_code == 400
    assert 'role="alert"' in refused.text
    expected = "too long" if value.strip() else "Write a few words for the learner"
    assert expected in refused.text
    assert _state(course, request_id) == "open"
    assert _count(course, Notification) == 1  # the trainer's "request submitted", no more


def test_asking_to_improve_sends_the_comment_back(course: TrainerCourse) -> None:
    request_id = ask(course)
    comment = "Ajoutez une phrase <script>alert(1)</script> sur la préparation."

    done = course.post(
        f"/trainer/requests/{request_id}/improve", {"comment": comment}, follow=False
    )

    assert done.status_code == 303
    page = course.get(f"/trainer/requests/{request_id}")
    assert 'data-state="changes_requested"' in page.text
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "/accept?lh=" not in page.text  # waiting for the learner: no accept form
    assert _state(course, request_id) == "changes_requested"
    queue = course.get("/trainer/requests")
    assert 'data-queue="changes_requested"' in queue.text and 'data-count="0"' in queue.text
    refused = course.post(f"/trainer/requests/{request_id}/accept", {"confirmed": "yes"})
    assert refused.status_code == 409 and "no longer waiting for your answer" in refused.text
    assert _count(course, Assertion) == 0


def test_declining_ends_the_request_with_its_reason(course: TrainerCourse) -> None:
    request_id = ask(course)

    reason = {"reason": "Il faut avoir animé seul."}
    asked = course.post(f"/trainer/requests/{request_id}/decline", reason)
    assert asked.status_code == 200 and 'data-confirm="decline"' in asked.text
    assert "Decline the request of Nathan Martin?" in asked.text
    assert _state(course, request_id) == "open"  # nothing decided before the confirmation

    done = course.post(f"/trainer/requests/{request_id}/decline", {**reason, "confirmed": "yes"})

    assert done.status_code == 200 and 'data-state="declined"' in done.text
    assert "Il faut avoir animé seul." in html.unescape(done.text)
    assert _state(course, request_id) == "declined" and _count(course, Assertion) == 0
    queue = course.get("/trainer/requests")
    assert f'data-request="{request_id}"' in queue.text.split('data-queue="decided"', 1)[1]


def test_a_trainer_of_another_course_finds_nothing(course: TrainerCourse) -> None:
    """Same platform, same deployment and community, another course: 404 on the request."""
    request_id = ask(course)
    world = course.world
    spec = world.spec(
        user_id="trainer-2",
        roles=[INSTRUCTOR],
        name="Lou Autre",
        context={"id": "course-2", "title": "Autre cours"},
    )
    browser = Browser()
    handle = browser.launch(world.demo, world.moodle.client_id, spec).handle
    token = csrf_of(browser.http.get(course.url("/trainer/"), params={"lh": handle}, timeout=10))

    page = browser.http.get(course.url(f"/trainer/requests/{request_id}"), params={"lh": handle})
    queue = browser.http.get(course.url("/trainer/requests"), params={"lh": handle}, timeout=10)
    answers = [
        browser.http.post(
            course.url(f"/trainer/requests/{request_id}/{action}"),
            data={
                "lh": handle,
                "csrf_token": token,
                "confirmed": "yes",
                "comment": "x",
                "reason": "x",
            },
            timeout=10,
        )
        for action in ("accept", "improve", "decline")
    ]

    assert page.status_code == 404 and "Nathan" not in page.text
    assert queue.status_code == 200 and request_id not in queue.text
    assert [a.status_code for a in answers] == [404, 404, 404]
    assert _state(course, request_id) == "open" and _count(course, Assertion) == 0


def test_a_badge_archived_meanwhile_is_explained_not_awarded(course: TrainerCourse) -> None:
    request_id = ask(course)
    with transaction(course.world.runtime.sessions) as session:
        session.get(BadgeClass, course.badge_id).status = "archived"

    refused = course.post(f"/trainer/requests/{request_id}/accept", {"confirmed": "yes"})

    assert refused.status_code == 400 and "cannot be awarded any more" in refused.text
    assert _state(course, request_id) == "open" and _count(course, Assertion) == 0
    assert course.world.demo.state.scores == []
