"""The course roster is only read from the registration's origins, whatever a launch says.

The issue reproduced: a platform's signed launch named an internal address as its
roster service, and the internal listener received a GET with the platform's Bearer
token. Here the launch is real (the demo platform signs it), the listener is real, and
it hears nothing; the trainer reads in plain words why there is no list.
"""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from sqlalchemy import select

from badges.models import Registration
from badges.storage.database import transaction
from tests.internal_listener import InternalListener, internal_listener
from tests.lti_launches import INSTRUCTOR, LEARNER, Browser, LtiWorld

NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"


def _roster_page(world: LtiWorld, memberships_url: str, lang: str = "en"):  # type: ignore[no-untyped-def]
    spec = world.spec(
        user_id="trainer-1",
        roles=[INSTRUCTOR],
        nrps=True,
        extra_claims={
            NRPS: {"context_memberships_url": memberships_url, "service_versions": ["2.0"]}
        },
    )
    browser = Browser()
    outcome = browser.launch(world.demo, world.moodle.client_id, spec)
    assert outcome.handle, outcome.launch.text
    return browser.http.get(
        urljoin(world.tool_url, f"/trainer/roster?lh={outcome.handle}&lang={lang}"), timeout=10
    )


@pytest.fixture
def inside():  # type: ignore[no-untyped-def]
    with internal_listener() as listener:
        yield listener


def test_a_roster_url_off_the_registration_is_never_called(
    sqlite_lti_world: LtiWorld, inside: InternalListener, caplog: pytest.LogCaptureFixture
):
    world = sqlite_lti_world

    page = _roster_page(world, f"{inside.url}/latest/meta-data/")

    assert inside.heard == []
    assert world.demo.state.token_requests == []
    assert page.status_code == 502
    assert "not part of its registration" in page.text
    assert "refused" in caplog.text and "Bearer" not in caplog.text


def test_the_refusal_reads_in_french(sqlite_lti_world: LtiWorld, inside: InternalListener):
    page = _roster_page(sqlite_lti_world, f"{inside.url}/memberships", lang="fr")

    assert inside.heard == []
    assert "ne fait pas partie de son inscription" in page.text


def test_an_added_origin_still_cannot_reach_a_private_address(
    sqlite_lti_world: LtiWorld, inside: InternalListener
):
    world = sqlite_lti_world
    with transaction(world.runtime.sessions) as session:
        for registration in session.scalars(select(Registration)):
            registration.service_origins = [inside.origin]

    page = _roster_page(world, f"{inside.url}/memberships")

    assert inside.heard == []
    assert page.status_code == 502


def test_the_platform_s_own_roster_is_still_read(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    members = [{"user_id": "l1", "roles": [LEARNER], "name": "Nathan Martin"}]
    world.demo.state.add_context("course-1", "Compétences du quotidien", members)

    page = _roster_page(world, f"{world.demo_url}/services/course-1/memberships")

    assert page.status_code == 200, page.text
    assert "Nathan Martin" in page.text
