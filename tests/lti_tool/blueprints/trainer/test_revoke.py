"""Revoking over HTTP: a confirmation with a required reason, then the badge shows as
withdrawn everywhere (hosted OB 2.0 410 and revocation list, OB 3.0 status list, the
public page) and its holder is told."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from badges.models import Assertion, Notification
from badges.recognition import notifying
from badges.storage.database import transaction
from tests.lti_launches import INSTRUCTOR, LEARNER, Browser, LtiWorld
from tests.lti_tool.blueprints.trainer.trainer_course import TrainerCourse, make_course
from tests.lti_tool.course_journey import award_to


@pytest.fixture
def course(lti_world: LtiWorld) -> TrainerCourse:
    return make_course(lti_world)


def _awarded(course: TrainerCourse) -> Assertion:
    award_to(course.world, course.browser, course.handle, course.badge_id, ["Nathan Martin"])
    with transaction(course.world.runtime.sessions) as session:
        assertion = session.scalars(select(Assertion)).one()
        session.expunge(assertion)
        return assertion


def test_revoking_asks_first_and_shows_everywhere(course: TrainerCourse) -> None:
    assertion = _awarded(course)
    path = f"/trainer/assertions/{assertion.id}/revoke"

    confirm = course.get(path)
    refused = course.post(path, {"reason": "   "})

    assert confirm.status_code == 200 and 'data-revoked="no"' in confirm.text
    assert "This cannot be undone." in confirm.text
    assert refused.status_code == 400 and 'role="alert"' in refused.text
    with transaction(course.world.runtime.sessions) as session:
        assert not session.get(Assertion, assertion.id).revoked

    done = course.post(path, {"reason": "Attribué par erreur <i>oups</i>"}, follow=False)

    assert done.status_code == 303
    page = course.get(path)
    assert 'data-revoked="yes"' in page.text and "&lt;i&gt;oups&lt;/i&gt;" in page.text
    http = course.browser.http
    hosted = http.get(course.url(f"/ob/v2/assertions/{assertion.id}"), timeout=10)
    assert hosted.status_code == 410 and hosted.json()["revoked"] is True
    assert hosted.json()["revocationReason"] == "Attribué par erreur <i>oups</i>"
    with transaction(course.world.runtime.sessions) as session:
        community_id = session.get(Assertion, assertion.id).badge_class.community_id
        told = session.scalars(
            select(Notification).where(Notification.kind == notifying.BADGE_REVOKED)
        ).all()
        assert [(n.person_id, n.assertion_id) for n in told] == [
            (assertion.recipient_person_id, assertion.id)
        ]
    ob2_list = http.get(course.url(f"/ob/v2/revocations/{community_id}"), timeout=10).json()
    assert f"urn:uuid:{assertion.id}" in {e["id"] for e in ob2_list["revokedAssertions"]}
    ob3_list = http.get(course.url(f"/ob/v3/revocations/{community_id}"), timeout=10).json()
    assert any(assertion.id in e["id"] for e in ob3_list["revokedCredentials"])
    credential = http.get(course.url(f"/ob/v3/credentials/{assertion.id}"), timeout=10).json()
    assert credential["credentialStatus"]["id"].endswith(f"/ob/v3/revocations/{community_id}")
    public = http.get(course.url(f"/b/{assertion.id}?lang=en"), timeout=10)
    assert 'data-status="revoked"' in public.text and "Revoked" in public.text
    assert "Attribué par erreur" in html.unescape(public.text)

    again = course.post(path, {"reason": "Autre raison"})  # a retried form: the first stays
    assert again.status_code == 200 and "Autre raison" not in again.text


def test_the_roster_and_the_award_page_lead_to_the_revocation(course: TrainerCourse) -> None:
    assertion = _awarded(course)
    world = course.world
    world.demo.state.add_context(
        "course-1",
        "Compétences du quotidien",
        [
            {"user_id": "learner-1", "roles": [LEARNER], "name": "Nathan Martin"},
            {"user_id": "learner-2", "roles": [LEARNER], "name": "Sylvie Petit"},
        ],
    )
    spec = world.spec(user_id="trainer-1", roles=[INSTRUCTOR], name="Camille Roux", nrps=True)
    browser = Browser()
    handle = browser.launch(world.demo, world.moodle.client_id, spec).handle

    roster = browser.http.get(course.url("/trainer/roster"), params={"lh": handle}, timeout=10)
    award_page = course.get(f"/trainer/award/{course.badge_id}")

    revoke_link = f"/trainer/assertions/{assertion.id}/revoke?lh="
    assert roster.status_code == 200
    assert html.unescape(roster.text).count(revoke_link) == 1
    assert f'data-assertion="{assertion.id}"' in roster.text
    assert revoke_link in html.unescape(award_page.text)
