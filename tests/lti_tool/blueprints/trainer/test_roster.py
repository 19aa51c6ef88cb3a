"""The trainer's roster page reads the course over NRPS from the live demo platform."""

from __future__ import annotations

from urllib.parse import urljoin

from tests.lti_launches import INSTRUCTOR, LEARNER, Browser, LtiWorld

NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


def _members(count: int) -> list[dict]:
    people = [
        {
            "user_id": f"l{i}",
            "roles": [LEARNER],
            "name": f"Apprenant·e {i}",
            "email": f"l{i}@example.org",
        }
        for i in range(count)
    ]
    people.append(
        {
            "user_id": "trainer-1",
            "roles": [INSTRUCTOR],
            "given_name": "Awa",
            "family_name": "Diallo",
            "status": "Active",
        }
    )
    people.append({"user_id": "gone", "roles": [LEARNER], "status": "Inactive"})
    return people


def _roster(world: LtiWorld, **spec_values):
    spec = world.spec(user_id="trainer-1", roles=[INSTRUCTOR], nrps=True, **spec_values)
    browser = Browser()
    outcome = browser.launch(world.demo, world.moodle.client_id, spec)
    assert outcome.handle, outcome.launch.text
    return browser.http.get(
        urljoin(world.tool_url, f"/trainer/roster?lh={outcome.handle}&lang=en"), timeout=10
    )


def test_the_whole_course_across_pages(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    world.demo.state.add_context("course-1", "Compétences du quotidien", _members(12))

    page = _roster(world)

    assert page.status_code == 200, page.text
    assert "People in this course: 14" in page.text
    assert "Apprenant·e 11" in page.text
    assert "l3@example.org" in page.text
    assert "Awa Diallo" in page.text
    assert "(inactive)" in page.text


def test_no_nrps_claim_is_explained(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    spec = world.spec(user_id="trainer-1", roles=[INSTRUCTOR])
    browser = Browser()
    outcome = browser.launch(world.demo, world.moodle.client_id, spec)

    page = browser.http.get(
        urljoin(world.tool_url, f"/trainer/roster?lh={outcome.handle}&lang=en"), timeout=10
    )

    assert page.status_code == 200
    assert 'role="alert"' in page.text
    assert "does not share" in page.text


def test_scope_refused_by_the_platform_is_explained(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    world.demo.state.add_context("course-1", "Cours", _members(1))
    client = world.demo.state.clients[world.moodle.client_id]
    client.allowed_scopes = client.allowed_scopes - {NRPS}

    page = _roster(world)

    assert "does not share" in page.text


def test_learners_do_not_see_the_roster(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    browser = Browser()
    outcome = browser.launch(world.demo, world.moodle.client_id, world.spec(nrps=True))

    page = browser.http.get(
        urljoin(world.tool_url, f"/trainer/roster?lh={outcome.handle}"), timeout=10
    )

    assert page.status_code == 403


TA = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"


def test_a_learning_teaching_assistant_is_listed_by_the_communitys_rule(
    sqlite_lti_world: LtiWorld,
):
    """The roster says what the launch would make them: learner, or trainer if allowed."""
    import re

    from sqlalchemy import select

    from badges.models import Community
    from badges.storage.database import transaction

    world = sqlite_lti_world
    assistant = {"user_id": "ta-1", "roles": [LEARNER, TA], "name": "Inès Diallo"}
    world.demo.state.add_context("course-1", "Compétences du quotidien", [assistant])

    def role_shown() -> str:
        row = re.search(r"Inès Diallo</td>.*?<td>([a-z]+)</td>", _roster(world).text, re.S)
        assert row, "the assistant is not listed"
        return row.group(1)

    assert role_shown() == "learner"
    with transaction(world.runtime.sessions) as session:
        for community in session.scalars(select(Community)):
            community.teaching_assistants_award = True
    assert role_shown() == "trainer"
