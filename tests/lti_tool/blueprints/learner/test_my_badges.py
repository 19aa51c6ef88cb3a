"""The recipient's name on the public page of their badge, over real HTTP: hidden by
default, shown or hidden again from the learner's home, by the recipient alone."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import select

from badges.models import Assertion, BadgeRequest, Community, Person
from badges.recognition.badge_classes import create_badge_class, publish
from badges.recognition.reviewing import accept
from badges.recognition.revoking import revoke
from badges.storage.database import transaction
from tests.lti_launches import LtiWorld
from tests.lti_tool.blueprints.learner.learner_journey import ask, launch, request_id_of

NAME = "Nathan Martin"


@pytest.fixture
def awarded(sqlite_lti_world: LtiWorld):  # type: ignore[no-untyped-def]
    """Nathan holds "Animer une web radio", accepted by Claire from his request."""
    world = sqlite_lti_world
    with transaction(world.runtime.sessions) as session:
        community = session.scalars(
            select(Community).where(Community.name == "Centre social des Tilleuls")
        ).one()
        badge_id = publish(
            create_badge_class(
                session, community, name="Animer une web radio", description="R.", criteria="R."
            )
        ).id
    nathan = launch(world, "nathan", locale="en")
    launch(world, "claire")
    request_id = request_id_of(ask(nathan, badge_id))
    with transaction(world.runtime.sessions) as session:
        trainer = session.scalars(select(Person).where(Person.sub == "trainer-1")).one()
        done = accept(session, world.runtime, session.get(BadgeRequest, request_id), trainer)
    return world, nathan, done.assertion_id


def _public_page(world: LtiWorld, assertion_id: str) -> str:
    return requests.get(
        f"{world.tool_url}/b/{assertion_id}",
        headers={"Accept": "text/html", "Accept-Language": "en"},
        timeout=10,
    ).text


def _shown(world: LtiWorld, assertion_id: str) -> bool:
    with transaction(world.runtime.sessions) as session:
        return session.get(Assertion, assertion_id).recipient_public


def test_the_recipient_shows_then_hides_their_name(awarded):  # type: ignore[no-untyped-def]
    world, nathan, assertion_id = awarded
    home = nathan.get("/course/home").text
    assert f'data-assertion="{assertion_id}"' in home
    assert f'href="/b/{assertion_id}" target="_blank"' in home
    assert "Show my name on the badge's public page" in home
    assert NAME not in _public_page(world, assertion_id)  # hidden by default

    shown = nathan.post(f"/course/badges/{assertion_id}/name", {"public": "yes"})
    assert shown.status_code == 303 and "done=name" in shown.headers["Location"]
    assert _shown(world, assertion_id)
    assert NAME in _public_page(world, assertion_id)

    nathan.post(f"/course/badges/{assertion_id}/name", {"public": "no"})
    assert not _shown(world, assertion_id)
    page = _public_page(world, assertion_id)
    assert NAME not in page and "Recipient hidden" in page


@pytest.mark.parametrize("value", ["", "oui", "True", "<b>yes</b>"])
def test_a_choice_other_than_yes_or_no_is_refused(awarded, value: str):  # type: ignore[no-untyped-def]
    world, nathan, assertion_id = awarded

    answer = nathan.post(f"/course/badges/{assertion_id}/name", {"public": value})

    assert answer.status_code == 400 and not _shown(world, assertion_id)


def test_only_the_recipient_chooses(awarded):  # type: ignore[no-untyped-def]
    world, _nathan, assertion_id = awarded
    for who in ("sylvie", "claire"):
        other = launch(world, who)
        answer = other.post(f"/course/badges/{assertion_id}/name", {"public": "yes"})
        assert answer.status_code == 404
    assert not _shown(world, assertion_id)


def test_a_revoked_badge_shows_no_name_switch_and_takes_no_choice(awarded):  # type: ignore[no-untyped-def]
    world, nathan, assertion_id = awarded
    with transaction(world.runtime.sessions) as session:
        revoke(session, session.get(Assertion, assertion_id), "Erreur")

    assert f'data-assertion="{assertion_id}"' not in nathan.get("/course/home").text
    answer = nathan.post(f"/course/badges/{assertion_id}/name", {"public": "yes"})
    assert answer.status_code == 404 and not _shown(world, assertion_id)
