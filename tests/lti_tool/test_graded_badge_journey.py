"""Grades end to end: a badge placed as graded, awarded by the trainer through the award
pages (choose, confirm, the batch), becomes one Completed/FullyGraded score in the demo
platform's gradebook; when the platform is down the score waits in the outbox until
``chemins worker`` sends it. In Open edX's programmatic mode the tool makes the link's
column itself, once."""

from __future__ import annotations

import uuid
from datetime import timedelta
from urllib.parse import urljoin

import jwt
from click.testing import CliRunner
from sqlalchemy import func, select

from badges.models import Assertion, Community, ScoreDelivery
from badges.models.columns import utcnow
from badges.models.score_delivery import PENDING, SENT
from badges.storage.database import transaction
from lti_tool.cli import main
from tests.conftest import LOCAL_HOSTS
from tests.live_server import LiveServer
from tests.lti_launches import LEARNER, Browser, LtiWorld, parse_form
from tests.lti_tool.course_journey import (
    AGS_CLAIM,
    DL,
    Placed,
    award_choice,
    award_page,
    award_to,
    confirm_award,
    confirmed_award,
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
    return _cli(world, "worker", "--once")


def _cli(world: LtiWorld, *args: str):  # type: ignore[no-untyped-def]
    instance = world.runtime.instance
    env = {
        "CHEMINS_INSTANCE_DIR": str(instance.directory),
        "CHEMINS_DATABASE_URL": instance.database_url,
        "CHEMINS_SECRET_KEY": instance.secret_key,
        "CHEMINS_BASE_URL": instance.base_url,
        # The demo platform listens on the loopback: the worker's allowlist must say so.
        "CHEMINS_PRIVATE_HOSTS": " ".join(LOCAL_HOSTS),
    }
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_awarding_a_graded_badge_posts_one_completed_score(lti_world: LtiWorld):
    world = lti_world
    placed = _graded_course(world)
    browser, trainer = launch_placed(world, placed, **trainer_spec_values())
    choose = award_page(world, browser, trainer.handle, placed.badge_id)
    assert "checked" not in choose.text  # nobody chosen in advance
    confirmation = confirm_award(browser, choose, [award_choice(choose, "Nathan Martin")])
    assert 'data-grade="owed"' in confirmation.text and "Nathan Martin" in confirmation.text
    assert world.demo.state.scores == []  # nothing signed or sent before the confirmation

    page = confirmed_award(browser, confirmation)

    assert page.status_code == 200, page.text
    assert 'data-finished="yes"' in page.text and 'data-grade="sent"' in page.text
    # The demo's score endpoint answers 404 without Moodle's ?type_id=3: the query was kept.
    (score,) = world.demo.state.scores
    assert score.lineitem_id == placed.line.id
    assert score.user_id == "learner-1"
    assert score.body["activityProgress"] == "Completed"
    assert score.body["gradingProgress"] == "FullyGraded"
    assert score.body["scoreGiven"] == score.body["scoreMaximum"] == 100.0
    (delivery,) = _deliveries(world)
    assert delivery.status == SENT and delivery.attempts == 1

    again = confirmed_award(browser, confirmation)  # a double click, a retried request

    assert again.status_code == 200 and 'data-grade="sent"' in again.text
    assert len(world.demo.state.scores) == 1
    with transaction(world.runtime.sessions) as session:
        assert session.scalar(select(func.count()).select_from(Assertion)) == 1
    _browser, learner = launch_placed(world, placed, **learner_values())
    assert 'data-held="yes"' in learner.page.text


def test_a_platform_down_at_award_time_gets_the_score_from_the_worker(lti_world: LtiWorld):
    world = lti_world
    placed = _graded_course(world)
    browser, trainer = launch_placed(world, placed, **trainer_spec_values())
    choose = award_page(world, browser, trainer.handle, placed.badge_id)
    confirmation = confirm_award(browser, choose, [award_choice(choose, "Nathan Martin")])
    demo_port = world.servers[1].port
    world.servers[1].stop()

    page = confirmed_award(browser, confirmation)

    assert page.status_code == 200, page.text
    assert 'data-grade="pending"' in page.text
    (delivery,) = _deliveries(world)
    assert delivery.status == PENDING and delivery.attempts == 1
    assert delivery.last_error and delivery.next_attempt_at > utcnow()
    assert _worker_once(world).stdout.strip() == "Scores attempted: 0."

    world.servers[1] = LiveServer(world.demo_app, port=demo_port).start()
    with transaction(world.runtime.sessions) as session:
        row = session.get(ScoreDelivery, delivery.id)
        row.next_attempt_at = utcnow() - timedelta(seconds=1)  # the retry's time has come

    first = _worker_once(world)
    second = _worker_once(world)

    assert first.exit_code == 0 and first.stdout.strip() == "Scores attempted: 1.", first.output
    assert second.stdout.strip() == "Scores attempted: 0."
    (score,) = world.demo.state.scores
    assert score.user_id == "learner-1" and score.body["gradingProgress"] == "FullyGraded"
    (sent,) = _deliveries(world)
    assert sent.status == SENT and sent.last_error is None and sent.attempts == 2


# -- Open edX: programmatic grades, and who counts as a trainer ----------------------------

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
TA = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"


def _openedx_place_graded(world: LtiWorld, badge_id: str, graded: bool = True) -> dict:
    """Studio's Deep Linking, as lti-consumer-xblock sends it: GET login, UUID client id,
    deployment "1", one-hour token, four types, ``auto_create`` and no ``accept_lineitem``."""
    spec = world.spec(
        **trainer_spec_values(), resource_link=None, message_type="LtiDeepLinkingRequest"
    )
    login = world.demo.start(world.openedx.client_id, spec)
    assert login.method == "GET"
    assert str(uuid.UUID(world.openedx.client_id)) == world.openedx.client_id
    browser = Browser()
    outcome = browser.launch(world.demo, world.openedx.client_id, spec)
    assert outcome.page is not None and outcome.page.status_code == 200, outcome.launch.text
    claims = jwt.decode(world.demo.last_id_token or "", options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 3600
    assert claims[LTI + "deployment_id"] == "1"
    settings = claims[DL + "deep_linking_settings"]
    assert settings["auto_create"] is True and "accept_lineitem" not in settings
    assert f'name="graded:{badge_id}"' in outcome.page.text  # offered: no key = no assumption

    picker = parse_form(outcome.page.text)
    fields = {k: v for k, v in picker.fields.items() if k in ("lh", "csrf_token")}
    choice = {"place": f"ask-badge:{badge_id}", f"type:{badge_id}": "ltiResourceLink"}
    if graded:
        choice[f"graded:{badge_id}"] = "1"
    answer = browser.http.post(
        urljoin(outcome.page.url, picker.action), data={**fields, **choice}, timeout=10
    )
    back = parse_form(answer.text)
    returned = browser.http.post(back.action, data=back.fields, timeout=10)
    assert returned.status_code == 200, returned.text
    assert world.demo.state.lineitems == {}  # Open edX makes no column from a lineItem
    (item,) = world.demo.state.placed_items
    return item


def _openedx_launch(world: LtiWorld, item: dict, **values: object):  # type: ignore[no-untyped-def]
    spec = world.spec(
        resource_link={"id": "placed-0", "title": item["title"]},
        custom=dict(item["custom"]),
        ags=True,
        **values,
    )
    browser = Browser()
    outcome = browser.launch(world.demo, world.openedx.client_id, spec)
    assert outcome.page is not None, outcome.launch.text
    claim = jwt.decode(world.demo.last_id_token or "", options={"verify_signature": False})[
        AGS_CLAIM
    ]
    assert "lineitem" not in claim and claim["lineitems"]  # programmatic mode
    return browser, outcome


def test_open_edx_programmatic_mode_gets_its_grade(lti_world: LtiWorld):
    world = lti_world
    item = _openedx_place_graded(world, publish_badge(world))
    for who in (
        learner_values(),
        learner_values(user_id="learner-2", name="Sylvie Petit", email="sylvie@example.org"),
    ):
        _openedx_launch(world, item, **who)
    browser, trainer = _openedx_launch(world, item, **trainer_spec_values())
    badge_id = item["custom"]["badge"]

    page = award_to(world, browser, trainer.handle, badge_id, ["Nathan Martin"])
    assert 'data-grade="sent"' in page.text, page.text
    page = award_to(world, browser, trainer.handle, badge_id, ["Sylvie Petit"])
    assert 'data-grade="sent"' in page.text, page.text

    (column,) = world.demo.state.lineitems.values()  # one column for the link
    assert column.resource_link_id == "placed-0" and column.score_maximum == 100.0
    assert sorted(s.user_id for s in world.demo.state.scores) == ["learner-1", "learner-2"]
    assert all(s.body["gradingProgress"] == "FullyGraded" for s in world.demo.state.scores)


def test_a_badge_placed_without_a_grade_never_gets_a_column(lti_world: LtiWorld):
    """The trainer declined the grade: even where the tool could create a column, none."""
    world = lti_world
    item = _openedx_place_graded(world, publish_badge(world), graded=False)
    assert item["custom"].get("grade") == "none"
    _openedx_launch(world, item, **learner_values())
    browser, trainer = _openedx_launch(world, item, **trainer_spec_values())
    choose = award_page(world, browser, trainer.handle, item["custom"]["badge"])
    confirmation = confirm_award(browser, choose, [award_choice(choose, "Nathan Martin")])
    assert 'data-grade="none"' in confirmation.text

    page = confirmed_award(browser, confirmation)

    assert 'data-result="awarded"' in page.text and "data-grade=" not in page.text
    assert world.demo.state.lineitems == {} and world.demo.state.scores == []
    assert _deliveries(world) == []


def test_the_trainer_is_told_when_no_grade_can_be_sent(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    item = _openedx_place_graded(world, publish_badge(world))
    client = world.demo.state.clients[world.openedx.client_id]
    client_scopes = client.allowed_scopes
    spec = world.spec(
        **trainer_spec_values(),
        resource_link={"id": "placed-0", "title": item["title"]},
        custom=dict(item["custom"]),
    )  # grades "disabled" on the component: no AGS claim at all

    _openedx_launch(world, item, **learner_values())
    browser = Browser()
    outcome = browser.launch(world.demo, world.openedx.client_id, spec)
    choose = award_page(world, browser, outcome.handle, item["custom"]["badge"])
    confirmation = confirm_award(browser, choose, [award_choice(choose, "Nathan Martin")])

    assert 'data-grade="none"' in confirmation.text
    assert client.allowed_scopes == client_scopes


def test_a_community_ta_awards_only_if_the_community_says_so(lti_world: LtiWorld):
    world = lti_world
    item = _openedx_place_graded(world, publish_badge(world))
    _openedx_launch(world, item, **learner_values())
    ta = learner_values(
        user_id="ta-1", name="Inès Diallo", email="ines@example.org", roles=[LEARNER, TA]
    )

    browser, before = _openedx_launch(world, item, **ta)
    assert before.page.status_code == 200
    assert "/award" not in before.page.text and 'data-held="no"' in before.page.text
    badge_id = item["custom"]["badge"]
    assert award_page(world, browser, before.handle, badge_id).status_code == 403

    with transaction(world.runtime.sessions) as session:
        (community,) = session.scalars(select(Community))
        community_id = community.id
    allowed = _cli(world, "platform", "teaching-assistants", community_id, "--award")
    assert allowed.exit_code == 0, allowed.output

    browser, after = _openedx_launch(world, item, **ta)
    page = award_to(world, browser, after.handle, badge_id, ["Nathan Martin"])
    assert 'data-result="awarded"' in page.text

    denied = _cli(world, "platform", "teaching-assistants", community_id, "--no-award")
    assert denied.exit_code == 0
    browser, again = _openedx_launch(world, item, **ta)
    assert "/award" not in again.page.text
    assert award_page(world, browser, again.handle, badge_id).status_code == 403
