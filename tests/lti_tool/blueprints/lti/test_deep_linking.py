"""The Deep Linking picker end to end: a trainer's launch from the demo LMS, the choice,
the signed answer verified by the demo platform's return endpoint."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import jwt
import requests
from sqlalchemy import select

from badges.models import Community
from badges.recognition.badge_classes import (
    Level,
    create_badge_class,
    create_family,
    publish,
    publish_family,
)
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


def _community(session) -> Community:
    return session.scalars(
        select(Community).where(Community.name == "Centre social des Tilleuls")
    ).one()


def _family_and_lone_badges(world: LtiWorld) -> dict[str, str]:
    """A published family (whose level names sort 3, 2, 1), two lone badges and a draft."""
    with transaction(world.runtime.sessions) as session:
        community = _community(session)
        family = create_family(
            session,
            community,
            "ABC de la République",
            [
                Level("Je participe à un débat citoyen.", "Avoir assisté à deux débats."),
                Level("Je prépare une intervention.", "Avoir préparé une question."),
                Level("J'anime un débat.", "Avoir animé un débat."),
            ],
        )
        publish_family(family)
        lone = {}
        for name, description in [
            ("Animer une web radio", "Préparer et animer une émission."),
            ("Accueillir le public", "Accueillir les visiteurs du centre."),
            ("Brouillon caché", "Pas encore publié."),
        ]:
            badge = create_badge_class(
                session, community, name=name, description=description, criteria="Avoir fait."
            )
            if not name.startswith("Brouillon"):
                publish(badge)
            lone[name] = badge.id
        session.flush()
        return {**{b.name: b.id for b in family.badge_classes}, **lone}


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


NOTHING_CHOSEN = (
    "Choose at least one item, or press Cancel to go back without adding anything.",
    "Choisissez au moins un élément, ou appuyez sur «\u00a0Annuler\u00a0» pour revenir sans rien"
    " ajouter.",
)


def test_picker_shows_each_family_as_a_path_in_level_order_then_lone_badges(
    sqlite_lti_world: LtiWorld,
):
    world = sqlite_lti_world
    ids = _family_and_lone_badges(world)
    browser, outcome = _dl_launch(world, world.moodle.client_id)
    page = outcome.page
    assert page is not None and page.status_code == 200, outcome.launch.text

    shown = re.findall(r'data-badge="([^"]+)"', page.text)
    assert shown == [
        ids["ABC de la République – Je soutiens"],
        ids["ABC de la République – J'explore"],
        ids["ABC de la République – J'agis"],
        ids["Accueillir le public"],
        ids["Animer une web radio"],
    ]
    assert ids["Brouillon caché"] not in page.text
    assert re.findall(r'data-level="(\d)"', page.text) == ["1", "2", "3"]
    assert "ABC de la République" in page.text
    for description in ("Je participe à un débat citoyen.", "Préparer et animer une émission."):
        assert description in page.text
    # Every badge shows its image, and the image is really served.
    images = re.findall(r'<img src="([^"]+)" width="64" height="64" alt="">', page.text)
    assert len(images) == len(shown)
    for badge_id, src in zip(shown, images, strict=True):
        assert badge_id in src
    picture = browser.http.get(urljoin(page.url, images[0]), timeout=10)
    assert picture.status_code == 200
    assert picture.content.startswith(b"\x89PNG")
    # Each choice is described by its level and description.
    first = ids["ABC de la République – Je soutiens"]
    assert f'aria-describedby="about-{first}"' in page.text and f'id="about-{first}"' in page.text


def test_place_with_nothing_chosen_shows_the_picker_again_and_sends_nothing(
    sqlite_lti_world: LtiWorld,
):
    world = sqlite_lti_world
    badge_id = _badge(world)
    browser, outcome = _dl_launch(world, world.moodle.client_id)

    refused = _choose(browser, outcome.page, {"action": "place"})
    hostile = _choose(browser, outcome.page, {"action": "place", "place": ""})

    for answer in (refused, hostile):
        assert answer.status_code == 400
        assert any(message in answer.text for message in NOTHING_CHOSEN)
        assert re.search(r'<p id="choice-error" class="error-message" role="alert"', answer.text)
        assert 'aria-describedby="choice-error"' in answer.text
        assert "autofocus" in answer.text
        # Nothing signed, nothing to auto-post: the picker again, with its badge.
        assert "autosubmit.js" not in answer.text and 'name="JWT"' not in answer.text
        assert f'value="ask-badge:{badge_id}"' in answer.text
    assert world.demo.state.placed_items == []

    # The same form still works afterwards.
    answer = _choose(browser, refused, {"place": f"ask-badge:{badge_id}", "action": "place"})
    returned, _claims = _send_back(browser, answer)
    assert returned.status_code == 200, returned.text
    assert len(world.demo.state.placed_items) == 1


def test_a_draft_or_unknown_badge_cannot_be_placed(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    ids = _family_and_lone_badges(world)
    browser, outcome = _dl_launch(world, world.moodle.client_id)

    for wrong in (
        f"ask-badge:{ids['Brouillon caché']}",  # a draft: not offered, not placeable
        "ask-badge:00000000-0000-0000-0000-000000000000",
        "ask-badge:",
        "somewhere-else",
        "<script>alert(1)</script>",
    ):
        answer = _choose(browser, outcome.page, {"place": wrong, "action": "place"})
        assert answer.status_code == 400, wrong
        assert "autosubmit.js" not in answer.text and "<script>alert(1)" not in answer.text
    assert world.demo.state.placed_items == []


def test_badge_texts_are_shown_as_text_not_markup(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    with transaction(world.runtime.sessions) as session:
        badge = create_badge_class(
            session,
            _community(session),
            name="<b>Gras</b>",
            description='<img src=x onerror="alert(1)">',
            criteria="Avoir fait.",
        )
        publish(badge)
    _browser, outcome = _dl_launch(world, world.moodle.client_id)
    assert "<b>Gras</b>" not in outcome.page.text and "&lt;b&gt;Gras&lt;/b&gt;" in outcome.page.text
    assert "<img src=x" not in outcome.page.text


def test_cancel_says_nothing_was_added(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    _badge(world)
    browser, outcome = _dl_launch(world, world.moodle.client_id)
    assert 'value="cancel"' in outcome.page.text

    # Cancel wins over ticked boxes: the trainer asked to add nothing.
    answer = _choose(browser, outcome.page, {"action": "cancel", "place": "recognition-wall"})
    assert answer.status_code == 200
    assert (
        "Nothing will be added to your course." in answer.text
        or "Rien ne sera ajouté à votre cours." in answer.text
    )
    returned, claims = _send_back(browser, answer)
    assert returned.json()["placed"] == 0
    assert claims[DL + "content_items"] == []


def test_learners_cannot_open_the_picker(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    _browser, outcome = _dl_launch(world, world.moodle.client_id, roles=[LEARNER])
    assert outcome.page is not None
    assert outcome.page.status_code == 403
