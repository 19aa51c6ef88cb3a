"""The Deep Linking picker end to end: a trainer's launch from the demo LMS, the choice,
the signed answer verified by the demo platform's return endpoint."""

from __future__ import annotations

from urllib.parse import urljoin

import jwt
import requests
from sqlalchemy import select

from badges.models import Community
from badges.recognition.badge_classes import create_badge_class, publish
from badges.storage.database import transaction
from tests.lti_launches import INSTRUCTOR, LEARNER, Browser, LtiWorld, parse_form

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
SETTINGS = DL + "deep_linking_settings"


def _badge(world: LtiWorld) -> str:
    with transaction(world.runtime.sessions) as session:
        community = session.scalars(
            select(Community).where(Community.name == "Centre social des Tilleuls")
        ).one()
        badge = create_badge_class(
            session,
            community,
            name="Je soutiens",
            description="Aider un pair",
            criteria="Avoir aidé quelqu'un",
        )
        publish(badge)
        return badge.id


def _dl_launch(world: LtiWorld, client_id: str, settings: dict | None = None, roles=None):
    extra = {}
    if settings is not None:
        extra[SETTINGS] = {
            "deep_link_return_url": f"{world.demo_url}/deep-linking/return",
            "accept_presentation_document_targets": ["iframe", "window"],
            **settings,
        }
    spec = world.spec(
        user_id="trainer-1",
        roles=roles or [INSTRUCTOR],
        resource_link=None,
        message_type="LtiDeepLinkingRequest",
        extra_claims=extra,
    )
    browser = Browser()
    outcome = browser.launch(world.demo, client_id, spec)
    return browser, outcome


def _choose(browser: Browser, page: requests.Response, choices: dict) -> requests.Response:
    form = parse_form(page.text)
    fields = {k: v for k, v in form.fields.items() if k in ("lh", "csrf_token")}
    return browser.http.post(urljoin(page.url, form.action), data={**fields, **choices}, timeout=10)


def _send_back(browser: Browser, answer: requests.Response) -> tuple[requests.Response, dict]:
    form = parse_form(answer.text)
    claims = jwt.decode(form.fields["JWT"], options={"verify_signature": False})
    return browser.http.post(form.action, data=form.fields, timeout=10), claims


def test_moodle_trainer_places_a_badge_as_a_resource_link(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    badge_id = _badge(world)
    browser, outcome = _dl_launch(world, world.moodle.client_id)
    assert outcome.page is not None and outcome.page.status_code == 200, outcome.launch.text
    assert "Je soutiens" in outcome.page.text
    assert "Shown as" not in outcome.page.text and "Affiché comme" not in outcome.page.text

    answer = _choose(browser, outcome.page, {"place": f"ask-badge:{badge_id}", "action": "place"})
    assert answer.status_code == 200
    assert "autosubmit.js" in answer.text
    returned, claims = _send_back(browser, answer)

    assert returned.status_code == 200, returned.text
    (item,) = world.demo.state.placed_items
    assert item["type"] == "ltiResourceLink"
    # Placed without the offered grade: the link says so, and no column is ever made.
    assert item["custom"] == {"target": "ask-badge", "badge": badge_id, "grade": "none"}
    assert "lineItem" not in item
    assert DL + "data" not in claims
    assert claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] == "2"


def test_graded_badge_with_line_item_and_data_echoed(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    badge_id = _badge(world)
    settings = {
        "accept_types": ["ltiResourceLink"],
        "accept_multiple": True,
        "accept_lineitem": True,
        "data": "moodle-opaque-42",
    }
    browser, outcome = _dl_launch(world, world.moodle.client_id, settings)

    answer = _choose(
        browser,
        outcome.page,
        {
            "place": [f"ask-badge:{badge_id}", "recognition-wall"],
            f"graded:{badge_id}": "1",
            "action": "place",
        },
    )
    returned, claims = _send_back(browser, answer)

    assert returned.json() == {"placed": 2, "data": "moodle-opaque-42"}
    assert claims[DL + "data"] == "moodle-opaque-42"
    badge_item, wall = world.demo.state.placed_items
    assert badge_item["lineItem"] == {
        "scoreMaximum": 100.0,
        "label": "Je soutiens",
        "resourceId": f"badge:{badge_id}",
    }
    assert wall["custom"] == {"target": "recognition-wall"}


MOODLE_43_SETTINGS = {
    "accept_types": ["ltiResourceLink"],
    "accept_multiple": True,
    "auto_create": False,
}


def test_moodle_43_without_accept_lineitem_gets_a_graded_placement(sqlite_lti_world: LtiWorld):
    """Moodle 4.3 sends no ``accept_lineitem`` key and does create the grade item."""
    world = sqlite_lti_world
    badge_id = _badge(world)
    browser, outcome = _dl_launch(world, world.moodle.client_id, MOODLE_43_SETTINGS)
    assert f'name="graded:{badge_id}"' in outcome.page.text

    answer = _choose(
        browser, outcome.page, {"place": f"ask-badge:{badge_id}", f"graded:{badge_id}": "1"}
    )
    returned, _claims = _send_back(browser, answer)

    assert returned.status_code == 200, returned.text
    (item,) = world.demo.state.placed_items
    assert item["lineItem"]["scoreMaximum"] == 100.0
    assert item["lineItem"]["resourceId"] == f"badge:{badge_id}"


def test_no_grade_offered_when_the_platform_refuses_line_items(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    badge_id = _badge(world)
    settings = {**MOODLE_43_SETTINGS, "accept_lineitem": False}
    browser, outcome = _dl_launch(world, world.moodle.client_id, settings)
    assert f'name="graded:{badge_id}"' not in outcome.page.text

    forced = _choose(
        browser, outcome.page, {"place": f"ask-badge:{badge_id}", f"graded:{badge_id}": "1"}
    )
    returned, _claims = _send_back(browser, forced)

    assert returned.status_code == 200, returned.text
    (item,) = world.demo.state.placed_items
    assert "lineItem" not in item


def test_open_edx_gets_html_but_never_file(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    badge_id = _badge(world)
    world.demo.state.deep_linking_accept_types = frozenset(
        {"ltiResourceLink", "link", "html", "image"}
    )
    settings = {
        "accept_types": ["ltiResourceLink", "link", "html", "image", "file"],
        "accept_multiple": False,
    }
    browser, outcome = _dl_launch(world, world.openedx.client_id, settings)
    assert 'value="file"' not in outcome.page.text
    assert 'type="radio"' in outcome.page.text

    forced_file = _choose(
        browser,
        outcome.page,
        {"place": f"ask-badge:{badge_id}", f"type:{badge_id}": "file", "action": "place"},
    )
    answer = _choose(
        browser,
        outcome.page,
        {"place": f"ask-badge:{badge_id}", f"type:{badge_id}": "html", "action": "place"},
    )
    returned, _claims = _send_back(browser, answer)

    assert forced_file.status_code == 400
    assert returned.status_code == 200, returned.text
    (item,) = world.demo.state.placed_items
    assert item["type"] == "html"
    assert "Je soutiens" in item["html"]


def test_cancel_sends_an_empty_answer(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    browser, outcome = _dl_launch(world, world.moodle.client_id)

    answer = _choose(browser, outcome.page, {"action": "cancel"})
    returned, claims = _send_back(browser, answer)

    assert returned.json()["placed"] == 0
    assert claims[DL + "content_items"] == []


def test_learners_cannot_open_the_picker(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    _browser, outcome = _dl_launch(world, world.moodle.client_id, roles=[LEARNER])
    assert outcome.page is not None
    assert outcome.page.status_code == 403
