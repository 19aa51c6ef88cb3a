"""A badge placed as a graded activity: the award owes a score, the sender delivers it to
the live demo platform, and a platform that fails keeps the score owed, not lost."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from badges.courses import grades
from badges.models import BadgeClass, Community, Person, Registration, ResourceLink
from badges.models.columns import utcnow
from badges.models.score_delivery import FAILED, PENDING, SENT, SUPERSEDED, ScoreDelivery
from badges.recognition.awarding import Recipient, award
from badges.recognition.badge_classes import create_badge_class, publish
from badges.storage.database import transaction
from lti_tool.score_sender import deliver, deliver_due
from lti_tool.tool_identity import service_tokens
from tests.internal_listener import internal_listener
from tests.lti_launches import Browser, LtiWorld

SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


def _published_badge(world: LtiWorld) -> str:
    """A published "Je soutiens" of the demo platform's community; its id."""
    with transaction(world.runtime.sessions) as session:
        community = session.scalars(
            select(Community).where(Community.name == "Centre social des Tilleuls")
        ).one()
        badge = create_badge_class(
            session, community, name="Je soutiens", description="Aider", criteria="Aider"
        )
        publish(badge)
        return badge.id


def _graded_badge_launched(world: LtiWorld) -> str:
    badge_id = _published_badge(world)
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
        first = grades.queue_completion_scores(session, assertion, person)
        again = grades.queue_completion_scores(session, assertion, person)
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
        assert grades.queue_completion_scores(session, assertion, person) == []


# -- a launch cannot aim the score (and the platform's token) into the tool's network ----

AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"


def _launched_with_lineitem(world: LtiWorld, lineitem: str) -> str:
    """A graded launch whose signed AGS claim names ``lineitem`` (a platform gone bad)."""
    badge_id = _published_badge(world)
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


# -- Open edX's programmatic mode: the column is made once per link, then scored ----------

LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"


def _programmatic_link_launched(world: LtiWorld, link_id: str = "block-v1:Tilleuls+b1") -> str:
    """An Open edX launch: ``lineitems`` and the line-item scope, no ``lineitem``."""
    badge_id = _published_badge(world)
    for user in ("learner-1", "learner-2"):
        spec = world.spec(
            user_id=user,
            email=f"{user}@example.org",
            resource_link={"id": link_id, "title": "Je soutiens"},
            custom={"target": "ask-badge", "badge": badge_id},
            ags=True,
        )
        outcome = Browser().launch(world.demo, world.openedx.client_id, spec)
        assert outcome.launch.status_code == 303, outcome.launch.text
    return badge_id


def _award_to(world: LtiWorld, badge_id: str, sub: str) -> str:
    with transaction(world.runtime.sessions) as session:
        person = session.scalars(select(Person).where(Person.sub == sub)).one()
        badge = session.get(BadgeClass, badge_id)
        assertion = award(session, world.runtime, badge, Recipient(email=f"{sub}@example.org"))
        (delivery,) = grades.queue_completion_scores(session, assertion, person)
        assert delivery.lineitem_url == grades.COLUMN_TO_CREATE
        return delivery.id


def _link(world: LtiWorld) -> ResourceLink:
    with transaction(world.runtime.sessions) as session:
        (link,) = session.scalars(select(ResourceLink))
        session.expunge(link)
        return link


def test_programmatic_mode_creates_one_column_then_scores_in_it(lti_world: LtiWorld):
    world = lti_world
    badge_id = _programmatic_link_launched(world)
    first = _award_to(world, badge_id, "learner-1")
    second = _award_to(world, badge_id, "learner-2")
    tokens = service_tokens(world.tool_app)

    assert deliver(world.runtime, tokens, first) == SENT
    assert deliver(world.runtime, tokens, second) == SENT

    (column,) = world.demo.state.lineitems.values()
    assert column.resource_link_id == "block-v1:Tilleuls+b1"
    assert column.label == "Je soutiens" and column.score_maximum == 100.0
    assert column.resource_id == f"badge:{badge_id}" and column.type_id is None
    assert sorted(s.user_id for s in world.demo.state.scores) == ["learner-1", "learner-2"]
    assert {s.lineitem_id for s in world.demo.state.scores} == {column.id}
    link = _link(world)
    assert link.tool_lineitem_url and link.tool_lineitem_url.endswith(f"/{column.id}/lineitem")
    assert link.lineitem_claimed_until is None
    assert _delivery(world, second).lineitem_url == link.tool_lineitem_url
    # A later launch (no lineitem in its claim) keeps the column the tool made.
    _programmatic_link_launched(world)
    assert _link(world).tool_lineitem_url == link.tool_lineitem_url


def test_two_senders_at_once_make_one_column(lti_world: LtiWorld):
    """Two awards sent at the same moment (the web request and a worker, or two
    workers): the line-item list answers slowly, so both would find no column."""
    world = lti_world
    badge_id = _programmatic_link_launched(world)
    ids = [_award_to(world, badge_id, "learner-1"), _award_to(world, badge_id, "learner-2")]
    world.demo.state.lineitems_delay = 0.5
    tokens = service_tokens(world.tool_app)

    with ThreadPoolExecutor(2) as pool:
        statuses = list(pool.map(lambda i: deliver(world.runtime, tokens, i), ids))

    assert len(world.demo.state.lineitems) == 1
    assert sorted(statuses) == [PENDING, SENT]  # the other waits for the column
    waiting = _delivery(world, ids[statuses.index(PENDING)])
    assert "adding this activity's grade column" in waiting.last_error
    world.demo.state.lineitems_delay = 0
    with transaction(world.runtime.sessions) as session:
        session.get(ScoreDelivery, waiting.id).next_attempt_at = utcnow() - timedelta(seconds=1)
    assert deliver_due(world.runtime, tokens) == 1
    assert len(world.demo.state.lineitems) == 1
    assert len(world.demo.state.scores) == 2


def test_a_retry_after_a_lost_answer_finds_the_column_made(sqlite_lti_world: LtiWorld):
    """The platform made the column but its answer was lost (the sender died, the claim
    lapsed): the next sender asks before creating."""
    world = sqlite_lti_world
    badge_id = _programmatic_link_launched(world)
    delivery_id = _award_to(world, badge_id, "learner-1")
    made = world.demo.state.add_lineitem(
        "course-1",
        "Je soutiens",
        100.0,
        resource_link_id="block-v1:Tilleuls+b1",
        tag="chemins-badge",
    )
    with transaction(world.runtime.sessions) as session:
        (link,) = session.scalars(select(ResourceLink))
        link.lineitem_claimed_until = utcnow() - timedelta(seconds=1)  # a lapsed claim

    assert deliver(world.runtime, service_tokens(world.tool_app), delivery_id) == SENT

    assert list(world.demo.state.lineitems) == [made.id]
    assert world.demo.state.scores[0].lineitem_id == made.id


def test_a_platform_that_does_not_let_the_tool_add_columns_fails_for_good(
    sqlite_lti_world: LtiWorld,
):
    world = sqlite_lti_world
    badge_id = _programmatic_link_launched(world)
    delivery_id = _award_to(world, badge_id, "learner-1")
    client = world.demo.state.clients[world.openedx.client_id]
    client.allowed_scopes = client.allowed_scopes - {LINEITEM}

    assert deliver(world.runtime, service_tokens(world.tool_app), delivery_id) == FAILED

    assert world.demo.state.lineitems == {} and world.demo.state.scores == []
    assert _link(world).lineitem_claimed_until is None  # the link is free again


def test_open_edx_answering_400_for_a_score_it_holds_is_delivered(sqlite_lti_world: LtiWorld):
    """The score reached the gradebook but the answer was lost: the retry's 400 naming
    the timestamp means "already there", not twenty more attempts."""
    world = sqlite_lti_world
    badge_id = _programmatic_link_launched(world)
    delivery_id = _award_to(world, badge_id, "learner-1")
    tokens = service_tokens(world.tool_app)
    assert deliver(world.runtime, tokens, delivery_id) == SENT
    with transaction(world.runtime.sessions) as session:
        row = session.get(ScoreDelivery, delivery_id)
        row.status, row.next_attempt_at = PENDING, utcnow() - timedelta(seconds=1)

    assert deliver(world.runtime, tokens, delivery_id) == SUPERSEDED

    assert len(world.demo.state.scores) == 1
    assert _delivery(world, delivery_id).last_error is None
