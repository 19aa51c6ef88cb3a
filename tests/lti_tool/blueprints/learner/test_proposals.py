"""A member proposes a badge from their course over HTTP, reads where it stands, revises
it when asked; nobody else reaches it; hostile uploads and text are neutralised."""

from __future__ import annotations

from sqlalchemy import func, select

from badges.images.badge_designer import Design, render
from badges.models import BadgeClass, BadgeClassCreator, Profile
from badges.storage.database import transaction
from tests.lti_tool.blueprints.trainer.test_badge_classes import (
    DESIGNED,
    SCRIPT,
    SKILL,
    SVG,
    launch,
    other_deployment,
    propose,
    status_of,
    text_of,
)


def _count(world, model) -> int:  # type: ignore[no-untyped-def]
    with transaction(world.runtime.sessions) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_sylvie_proposes_revises_and_sees_it_published_with_her_name(sqlite_lti_world):
    world = sqlite_lti_world
    trainer = launch(world)
    sylvie = launch(world, role="learner", user_id="sylvie")
    form = sylvie.get("/course/propose")
    assert form.status_code == 200
    assert "Propose a badge for something you know how to do" in form.text
    assert 'accept="image/*"' in form.text and 'enctype="multipart/form-data"' in form.text
    assert 'name="show_name" value="yes">' in form.text  # offered, not ticked
    assert "data:image/png;base64," in form.text  # the preview, drawn into the page

    sent = sylvie.post(
        "/course/propose",
        [*DESIGNED.items(), ("skill", SKILL), ("show_name", "yes"), ("action", "save")],
    )
    assert sent.status_code == 303
    page = sylvie.browser.http.get(sylvie.url(sent.headers["Location"]), timeout=30)
    assert "Your proposal was sent to the trainers" in page.text
    with transaction(world.runtime.sessions) as session:
        badge = session.scalars(select(BadgeClass)).one()
        assert badge.image_png == render(Design("shield", "green", "microphone", "Radio"))
        badge_id = badge.id
    assert sylvie.get(f"/course/proposals/{badge_id}").text.count('name="description"') == 0

    trainer.post(
        f"/trainer/proposals/{badge_id}/decide",
        {"decision": "changes", "comment": "Dites combien de jeunes."},
    )
    asked = sylvie.get(f"/course/proposals/{badge_id}")
    assert "A trainer asks you to change something" in asked.text
    assert "Dites combien de jeunes." in asked.text and 'name="description"' in asked.text
    assert (
        'value="keep" checked' in asked.text
        and 'name="show_name" value="yes" checked' in asked.text
    )
    revised = sylvie.post(
        f"/course/proposals/{badge_id}",
        {
            **DESIGNED,
            "image_source": "keep",
            "criteria": "Avoir animé avec cinq jeunes.",
            "show_name": "yes",
            "action": "save",
        },
    )
    assert revised.status_code == 303
    assert status_of(world, badge_id)[0] == "proposed"

    trainer.post(f"/trainer/proposals/{badge_id}/decide", {"decision": "publish", "confirm": "yes"})
    published = sylvie.get(f"/course/proposals/{badge_id}")
    assert "Your badge is published!" in published.text
    assert "You are named as its author." in published.text
    with transaction(world.runtime.sessions) as session:
        author = session.scalars(select(Profile).where(Profile.kind == "person")).one()
        assert author.name == "Sylvie Martin" and author.person_id == sylvie.person_id


def test_unticked_her_name_is_not_kept_as_author(sqlite_lti_world):
    world = sqlite_lti_world
    badge_id = propose(world, show_name="")
    assert status_of(world, badge_id)[0] == "proposed"
    assert _count(world, BadgeClassCreator) == 0
    assert _count(world, Profile) == 1  # only the community's issuer profile


def test_no_one_but_the_author_reaches_the_proposal(sqlite_lti_world):
    world = sqlite_lti_world
    badge_id = propose(world)
    trainer = launch(world)
    nathan = launch(world, role="learner", user_id="nathan")
    elsewhere = launch(world, role="learner", user_id="sylvie", client_id=other_deployment(world))
    for person in (nathan, trainer, elsewhere):
        assert person.get(f"/course/proposals/{badge_id}").status_code == 404
        assert (
            person.post(f"/course/proposals/{badge_id}", {**DESIGNED, "action": "save"}).status_code
            == 404
        )
    assert status_of(world, badge_id) == ("proposed", None)


def test_revising_while_not_asked_is_refused(sqlite_lti_world):
    world = sqlite_lti_world
    badge_id = propose(world)
    sylvie = launch(world, role="learner", user_id="sylvie")
    refused = sylvie.post(
        f"/course/proposals/{badge_id}", {**DESIGNED, "name": "Autre", "action": "save"}
    )
    assert refused.status_code == 409
    with transaction(world.runtime.sessions) as session:
        assert session.get(BadgeClass, badge_id).name == DESIGNED["name"]


def test_an_svg_with_a_script_and_html_in_text_are_neutralised(sqlite_lti_world):
    world = sqlite_lti_world
    sylvie = launch(world, role="learner", user_id="sylvie")
    refused = sylvie.post(
        "/course/propose",
        {**DESIGNED, "image_source": "upload", "name": SCRIPT, "action": "save"},
        files={"image": ("badge.svg", SVG, "image/svg+xml")},
    )
    assert refused.status_code == 400
    assert "SVG pictures are not accepted. Use the designer" in refused.text
    assert SCRIPT not in refused.text and "&lt;script&gt;" in refused.text
    assert _count(world, BadgeClass) == 0

    sent = sylvie.post(
        "/course/propose", {**DESIGNED, "name": SCRIPT, "criteria": SCRIPT, "action": "save"}
    )
    assert sent.status_code == 303
    page = sylvie.browser.http.get(sylvie.url(sent.headers["Location"]), timeout=30)
    assert SCRIPT not in page.text and SCRIPT in text_of(page)


def test_empty_words_are_said_and_nothing_is_saved(sqlite_lti_world):
    world = sqlite_lti_world
    sylvie = launch(world, role="learner", user_id="sylvie")
    page = sylvie.post("/course/propose", {**DESIGNED, "criteria": " ", "action": "save"})
    assert page.status_code == 400
    assert "Please fill in what someone must do to get it." in page.text
    assert _count(world, BadgeClass) == 0
