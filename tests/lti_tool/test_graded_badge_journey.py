"""Grades end to end: a badge placed as graded, awarded by the trainer from its page,
becomes one Completed/FullyGraded score in the demo platform's gradebook; when the
platform is down the score waits in the outbox until ``chemins worker`` sends it."""

from __future__ import annotations

from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import func, select

from badges.models import Assertion, ScoreDelivery
from badges.models.columns import utcnow
from badges.models.score_delivery import PENDING, SENT
from badges.storage import transaction
from lti_tool.cli import main
from tests.conftest import LOCAL_HOSTS
from tests.live_server import LiveServer
from tests.lti_launches import LtiWorld
from tests.lti_tool.course_journey import (
    Placed,
    award_choice,
    award_form,
    launch_placed,
    learner_values,
    place_graded_badge,
    publish_badge,
    trainer_spec_values,
)


def _graded_course(world: LtiWorld) -> Placed:
    """The badge placed with a grade, then opened once by Nathan (a learner)."""
    placed = place_graded_badge(world, publish_badge(world))
    assert placed.line.label == "Je soutiens" and placed.line.score_maximum == 100.0
    assert placed.item["custom"] == {"target": "ask-badge", "badge": placed.badge_id}
    _browser, learner = launch_placed(world, placed, **learner_values())
    assert learner.page.status_code == 200, learner.page.text
    assert 'data-held="no"' in learner.page.text
    return placed


def _deliveries(world: LtiWorld) -> list[ScoreDelivery]:
    with transaction(world.runtime.sessions) as session:
        rows = list(session.scalars(select(ScoreDelivery)))
        for row in rows:
            session.expunge(row)
        return rows


def _worker_once(world: LtiWorld):  # type: ignore[no-untyped-def]
    instance = world.runtime.instance
    env = {
        "CHEMINS_INSTANCE_DIR": str(instance.directory),
        "CHEMINS_DATABASE_URL": instance.database_url,
        "CHEMINS_SECRET_KEY": instance.secret_key,
        "CHEMINS_BASE_URL": instance.base_url,
        # The demo platform listens on the loopback: the worker's allowlist must say so.
        "CHEMINS_PRIVATE_HOSTS": " ".join(LOCAL_HOSTS),
    }
    return CliRunner().invoke(main, ["worker", "--once"], env=env, catch_exceptions=False)


def test_awarding_a_graded_badge_posts_one_completed_score(lti_world: LtiWorld):
    world = lti_world
    placed = _graded_course(world)
    browser, trainer = launch_placed(world, placed, **trainer_spec_values())
    assert trainer.page.status_code == 200, trainer.page.text
    choice = award_choice(trainer.page, "Nathan Martin")

    page = award_form(browser, trainer.page, choice)

    assert page.status_code == 200, page.text
    assert "data-awarded=" in page.text and 'data-grade="sent"' in page.text
    # The demo's score endpoint answers 404 without Moodle's ?type_id=3: the query was kept.
    (score,) = world.demo.state.scores
    assert score.lineitem_id == placed.line.id
    assert score.user_id == "learner-1"
    assert score.body["activityProgress"] == "Completed"
    assert score.body["gradingProgress"] == "FullyGraded"
    assert score.body["scoreGiven"] == score.body["scoreMaximum"] == 100.0
    (delivery,) = _deliveries(world)
    assert delivery.status == SENT and delivery.attempts == 1

    again = award_form(browser, trainer.page, choice)  # a double click, a retried request

    assert again.status_code == 200
    assert len(world.demo.state.scores) == 1
    with transaction(world.runtime.sessions) as session:
        assert session.scalar(select(func.count()).select_from(Assertion)) == 1
    _browser, learner = launch_placed(world, placed, **learner_values())
    assert 'data-held="yes"' in learner.page.text


def test_a_platform_down_at_award_time_gets_the_score_from_the_worker(lti_world: LtiWorld):
    world = lti_world
    placed = _graded_course(world)
    browser, trainer = launch_placed(world, placed, **trainer_spec_values())
    choice = award_choice(trainer.page, "Nathan Martin")
    demo_port = world.servers[1].port
    world.servers[1].stop()

    page = award_form(browser, trainer.page, choice)

    assert page.status_code == 200, page.text
    assert 'data-grade="pending"' in page.text
    (delivery,) = _deliveries(world)
    assert delivery.status == PENDING and delivery.attempts == 1
    assert delivery.last_error and delivery.next_attempt_at > utcnow()
    assert _worker_once(world).output.strip() == "Scores attempted: 0."

    world.servers[1] = LiveServer(world.demo_app, port=demo_port).start()
    with transaction(world.runtime.sessions) as session:
        row = session.get(ScoreDelivery, delivery.id)
        row.next_attempt_at = utcnow() - timedelta(seconds=1)  # the retry's time has come

    first = _worker_once(world)
    second = _worker_once(world)

    assert first.exit_code == 0 and first.output.strip() == "Scores attempted: 1.", first.output
    assert second.output.strip() == "Scores attempted: 0."
    (score,) = world.demo.state.scores
    assert score.user_id == "learner-1" and score.body["gradingProgress"] == "FullyGraded"
    (sent,) = _deliveries(world)
    assert sent.status == SENT and sent.last_error is None and sent.attempts == 2
