"""A badge placed as a graded activity: the award owes a score, the sender delivers it to
the live demo platform, and a platform that fails keeps the score owed, not lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from badges import grade_passback
from badges.awarding import Recipient, award
from badges.badge_classes import create_badge_class, publish
from badges.models import BadgeClass, Community, Person, Registration
from badges.models.columns import utcnow
from badges.models.score_delivery import FAILED, PENDING, SENT, ScoreDelivery
from badges.storage import transaction
from lti_tool.score_sender import deliver, deliver_due
from lti_tool.tool_identity import service_tokens
from tests.internal_listener import internal_listener
from tests.lti_launches import Browser, LtiWorld

SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


def _graded_badge_launched(world: LtiWorld) -> str:
    with transaction(world.runtime.sessions) as session:
        community = session.scalars(
            select(Community).where(Community.name == "Centre social des Tilleuls")
        ).one()
        badge = create_badge_class(
            session, community, name="Je soutiens", description="Aider", criteria="Aider"
        )
        publish(badge)
        badge_id = badge.id
    world.demo.state.add_lineitem("course-1", "Je soutiens", 100, type_id="3")
    spec = world.spec(
        resource_link={"id": "graded-link", "title": "Je soutiens"},
        custom={"target": "ask-badge", "badge": badge_id},
        ags=True,
    )
    outcome = Browser().launch(world.demo, world.moodle.client_id, spec)
    assert outcome.launch.status_code == 303, outcome.launch.text
    return badge_id


def _award(world: LtiWorld, badge_id: str) -> list[str]:
    with transaction(world.runtime.sessions) as session:
        person = session.scalars(select(Person).where(Person.sub == "learner-1")).one()
        badge = session.get(BadgeClass, badge_id)
        assertion = award(
            session, world.runtime, badge, Recipient(email="nathan@example.org", name="Nathan")
        )
        first = grade_passback.queue_completion_scores(session, assertion, person)
        again = grade_passback.queue_completion_scores(session, assertion, person)
        assert [d.id for d in first] == [d.id for d in again]
        return [d.id for d in first]


def _delivery(world: LtiWorld, delivery_id: str) -> ScoreDelivery:
    with transaction(world.runtime.sessions) as session:
        row = session.get(ScoreDelivery, delivery_id)
        session.expunge(row)
        return row


def test_award_of_a_graded_badge_reaches_the_gradebook(lti_world: LtiWorld):
    world = lti_world
    badge_id = _graded_badge_launched(world)
    (delivery_id,) = _award(world, badge_id)

    status = deliver(world.runtime, service_tokens(world.tool_app), delivery_id)

    assert status == SENT
    (received,) = world.demo.state.scores
    assert received.user_id == "learner-1"
    assert received.body["activityProgress"] == "Completed"
    assert received.body["gradingProgress"] == "FullyGraded"
    assert received.body["scoreGiven"] == received.body["scoreMaximum"] == 100.0
    assert _delivery(world, delivery_id).sent_at is not None


def test_a_failing_platform_keeps_the_score_owed_then_delivers_it(lti_world: LtiWorld):
    world = lti_world
    badge_id = _graded_badge_launched(world)
    (delivery_id,) = _award(world, badge_id)
    item = world.demo.state.lineitems.pop("1")
    tokens = service_tokens(world.tool_app)

    assert deliver(world.runtime, tokens, delivery_id) == PENDING
    owed = _delivery(world, delivery_id)
    assert owed.attempts == 1
    assert "404" in owed.last_error
    assert owed.next_attempt_at > utcnow()
    assert deliver_due(world.runtime, tokens) == 0

    world.demo.state.lineitems["1"] = item
    with transaction(world.runtime.sessions) as session:
        session.get(ScoreDelivery, delivery_id).next_attempt_at = utcnow() - timedelta(seconds=1)
    assert deliver_due(world.runtime, tokens) == 1

    assert _delivery(world, delivery_id).status == SENT
    assert len(world.demo.state.scores) == 1


def test_a_platform_that_withdrew_the_score_scope_fails_for_good(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    badge_id = _graded_badge_launched(world)
    (delivery_id,) = _award(world, badge_id)
    client = world.demo.state.clients[world.moodle.client_id]
    client.allowed_scopes = client.allowed_scopes - {SCORE}

    status = deliver(world.runtime, service_tokens(world.tool_app), delivery_id)

    assert status == FAILED
    assert "grant" in _delivery(world, delivery_id).last_error
    assert world.demo.state.scores == []


def test_badges_without_a_graded_link_owe_nothing(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    _graded_badge_launched(world)
    with transaction(world.runtime.sessions) as session:
        community = session.scalars(select(Community)).first()
        other = create_badge_class(
            session, community, name="J'explore", description="x", criteria="x"
        )
        publish(other)
        person = session.scalars(select(Person).where(Person.sub == "learner-1")).one()
        assertion = award(session, world.runtime, other, Recipient(email="nathan@example.org"))
        assert grade_passback.queue_completion_scores(session, assertion, person) == []


# -- a launch cannot aim the score (and the platform's token) into the tool's network ----

AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"


def _launched_with_lineitem(world: LtiWorld, lineitem: str) -> str:
    """A graded launch whose signed AGS claim names ``lineitem`` (a platform gone bad)."""
    with transaction(world.runtime.sessions) as session:
        community = session.scalars(
            select(Community).where(Community.name == "Centre social des Tilleuls")
        ).one()
        badge = create_badge_class(
            session, community, name="Je soutiens", description="Aider", criteria="Aider"
        )
        publish(badge)
        badge_id = badge.id
    claim = {"scope": [SCORE], "lineitem": lineitem, "lineitems": lineitem.rsplit("/", 1)[0]}
    spec = world.spec(
        resource_link={"id": "graded-link", "title": "Je soutiens"},
        custom={"target": "ask-badge", "badge": badge_id},
        ags=True,
        extra_claims={AGS: claim},
    )
    outcome = Browser().launch(world.demo, world.moodle.client_id, spec)
    assert outcome.launch.status_code == 303, outcome.launch.text
    return badge_id


def test_a_lineitem_off_the_registration_is_never_called(
    sqlite_lti_world: LtiWorld, caplog: pytest.LogCaptureFixture
):
    """The reproduced chain: lineitem=http://127.0.0.2:… in a signed launch."""
    world = sqlite_lti_world
    with internal_listener() as inside:
        badge_id = _launched_with_lineitem(world, f"{inside.url}/lineitems/1/lineitem")
        (delivery_id,) = _award(world, badge_id)

        status = deliver(world.runtime, service_tokens(world.tool_app), delivery_id)

        assert inside.heard == []
    assert status == FAILED  # for good: retrying cannot make the address acceptable
    assert "outside its registration" in _delivery(world, delivery_id).last_error
    assert world.demo.state.token_requests == []  # no token was even asked for
    assert "127.0.0.2" in caplog.text and "refused" in caplog.text
    assert "Bearer" not in caplog.text


def test_an_added_service_origin_still_cannot_lead_to_a_private_address(
    sqlite_lti_world: LtiWorld,
):
    """An admin may add origins for services hosted elsewhere; the address guard stays."""
    world = sqlite_lti_world
    with internal_listener() as inside:
        with transaction(world.runtime.sessions) as session:
            for registration in session.scalars(select(Registration)):
                registration.service_origins = [inside.origin]
        badge_id = _launched_with_lineitem(world, f"{inside.url}/lineitems/1/lineitem")
        (delivery_id,) = _award(world, badge_id)

        status = deliver(world.runtime, service_tokens(world.tool_app), delivery_id)

        assert inside.heard == []
    assert status == PENDING  # an admin may still allow the host: tried again later
    assert "private network" in _delivery(world, delivery_id).last_error
