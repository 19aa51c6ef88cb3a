"""Every page a person can reach, on a 360 px phone, in French and in English.

One world for the module: the tool and the demo course (``course_world``), the demo
community seeded (``chemins demo``), then, through the course page in the browser, the
trainer places badges, the wall and the board by Deep Linking and awards a badge to
Nathan. The tool's launched pages carry their launch handle in the URL, so each is then
opened again on its own in a fresh phone-sized page, in each language, where axe-core
must find no violation and nothing may scroll sideways. Pages that answer a form (a
refused launch, an OIDC error, Dynamic Registration) are reached by posting that form.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from markupsafe import escape
from playwright.sync_api import Browser, Page, Request, expect
from sqlalchemy import select

from badges.models import Assertion, BadgeClass, BadgeRequest, Person
from badges.platforms.access_links import create_admin_link, create_registration_link
from badges.recognition.revoking import revoke
from badges.storage.database import transaction
from tests.e2e.conftest import (
    CourseWorld,
    assert_accessible,
    assert_fits_a_phone,
    course_world,
    phone_context,
    served,
)
from tests.e2e.course_page import (
    award_in_frame,
    launch_in_course,
    open_placed,
    place_by_deep_linking,
)

LANGS = ("fr", "en")
GRADED_BADGE = "Place aux jeunes – J'agis"
OTHER_BADGE = "Place aux jeunes – Je soutiens"
WALL = "Mur de la reconnaissance"
BOARD = "Tableau des recommandations"


@dataclass
class Sweep:
    """The served world and the URL of every page that a GET reaches again."""

    world: CourseWorld
    urls: dict[str, str] = field(default_factory=dict)
    #: The last launch form the browser posted, to post it again (a replay).
    launch_form: dict[str, str] = field(default_factory=dict)


def _launch_posts(page: Page, into: dict[str, str]) -> None:
    """Keep the fields of each launch form the page posts to the tool."""

    def record(request: Request) -> None:
        if request.method == "POST" and urlsplit(request.url).path == "/lti/launch":
            fields = parse_qs(request.post_data or "", keep_blank_values=True)
            into.clear()
            into.update({k: v[0] for k, v in fields.items()})

    page.on("request", record)


@pytest.fixture(scope="module")
def sweep(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sweep]:
    world = course_world(tmp_path_factory.mktemp("pages"), seeded=True)
    with served(world):
        found = Sweep(world)
        tool, lms = world.tool_url, world.lms_url
        found.urls.update(
            {
                "home": f"{tool}/",
                "not-found": f"{tool}/nulle-part",
                "config": f"{tool}/lti/config",
                "register-info": f"{tool}/lti/register",
            }
        )
        context = phone_context(browser)
        page = context.new_page()
        _launch_posts(page, found.launch_form)
        found.urls["deep-linking"] = place_by_deep_linking(
            page, lms, [GRADED_BADGE, OTHER_BADGE, WALL, BOARD], graded=(GRADED_BADGE,)
        )
        found.urls["learner-landing"] = launch_in_course(page, lms, "Ouvrir en tant que Nathan").url
        found.urls["trainer-landing"] = launch_in_course(
            page, lms, "Ouvrir en tant que formatrice (Camille)"
        ).url
        found.urls["roster"] = launch_in_course(
            page, lms, "Lire la liste des participants (NRPS)"
        ).url
        found.urls["ask-badge-learner"] = open_placed(page, lms, GRADED_BADGE, "Nathan").url
        open_placed(page, lms, GRADED_BADGE, "formatrice")
        found.urls["award-batch"] = award_in_frame(page, "Nathan").url
        found.urls["ask-badge-trainer"] = open_placed(page, lms, GRADED_BADGE, "formatrice").url
        found.urls["wall"] = open_placed(page, lms, WALL, "Nathan").url
        found.urls["board"] = open_placed(page, lms, BOARD, "formatrice").url
        context.close()
        with transaction(world.runtime.sessions) as session:
            held = session.scalars(
                select(Assertion).where(Assertion.recipient_email == "nathan.demo@example.org")
            ).all()
            endorsed = next(a for a in held if a.badge_class.name == "Place aux jeunes – J'explore")
            sylvie = session.scalars(
                select(Assertion)
                .join(BadgeClass)
                .where(
                    Assertion.recipient_email == "sylvie.demo@example.org",
                    BadgeClass.name == "Place aux jeunes – J'agis",
                )
            ).one()
            revoke(session, sylvie, "Attribué par erreur.")
            found.urls["badge-valid"] = f"{tool}/b/{endorsed.id}"
            found.urls["badge-revoked"] = f"{tool}/b/{sylvie.id}"
        found.urls.update(_recognition_pages(found))
        yield found


def _handle(url: str) -> str:
    return parse_qs(urlsplit(url).query)["lh"][0]


def _recognition_pages(found: Sweep) -> dict[str, str]:
    """The learner's and the trainer's recognition pages, opened with their launches'
    handles, on what the demo course's story holds (a request with a photo, a member's
    badge, a family) and what the sweep did (an award to Nathan)."""
    tool = found.world.tool_url
    learner, trainer = (
        _handle(found.urls["learner-landing"]),
        _handle(found.urls["trainer-landing"]),
    )
    with transaction(found.world.runtime.sessions) as session:
        waiting = session.scalars(
            select(BadgeRequest)
            .join(Person, Person.id == BadgeRequest.person_id)
            .where(Person.sub == "demo-nathan", BadgeRequest.state == "open")
        ).first()
        assert waiting is not None, "the demo course's story has Nathan's request waiting"
        by_name = {b.name: b for b in session.scalars(select(BadgeClass))}
        family = by_name[GRADED_BADGE].family_id
        awarded = session.scalars(
            select(Assertion)
            .join(Person, Person.id == Assertion.recipient_person_id)
            .where(
                Person.sub == "demo-nathan", Assertion.badge_class_id == by_name[GRADED_BADGE].id
            )
        ).one()
        radio, member_badge = (
            by_name["Animer une web radio"].id,
            by_name["Transmettre le papier mâché"].id,
        )
        request_id = waiting.id
        mine = session.scalars(
            select(BadgeRequest)
            .join(Person, Person.id == BadgeRequest.person_id)
            .where(Person.sub == "demo-nathan")
        ).first()
    as_learner = {
        "learner-home": "/course/home",
        "ask": f"/course/ask/{radio}",
        "request": f"/course/requests/{mine.id}",
        "notifications": "/course/notifications",
        "propose": "/course/propose",
    }
    as_trainer = {
        "trainer-home": "/trainer/",
        "requests": "/trainer/requests",
        "review": f"/trainer/requests/{request_id}",
        "accompany": "/trainer/accompany",
        "award-choose": f"/trainer/award/{radio}",
        "revoke": f"/trainer/assertions/{awarded.id}/revoke",
        "badges": "/trainer/badges",
        "new-badge": "/trainer/badges/new",
        "new-family": "/trainer/families/new",
        "family": f"/trainer/families/{family}",
        "proposal": f"/trainer/proposals/{member_badge}",
    }
    urls = {name: f"{tool}{path}?lh={learner}" for name, path in as_learner.items()}
    urls.update({name: f"{tool}{path}?lh={trainer}" for name, path in as_trainer.items()})
    return urls


@contextmanager
def phone_in(browser: Browser, lang: str) -> Iterator[Page]:
    context = phone_context(browser, lang)
    try:
        yield context.new_page()
    finally:
        context.close()


def _in(url: str, lang: str) -> str:
    return url + ("&" if "?" in url else "?") + urlencode({"lang": lang})


def _check(page: Page, lang: str) -> None:
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").count() == 1, "a page has one main heading"
    assert_accessible(page)
    assert_fits_a_phone(page)


#: Each page reached by a GET, and what shows it is that page in the state meant.
PAGES = {
    "home": "h1",
    "not-found": ".error-code",
    "config": ".copy-button",  # added by the page's script, under the CSP
    "register-info": "a[href^='/lti/config']",
    "deep-linking": "input[name^='graded:']",
    "learner-landing": "[data-role=learner]",
    "trainer-landing": "[data-role=trainer]",
    "roster": "tbody tr",
    "ask-badge-learner": "[data-held=yes]",
    "ask-badge-trainer": "[data-award]",
    "award-batch": "[data-finished=yes]",
    "wall": ".badge-list li",
    "board": "[data-endorsements]",
    "badge-valid": "[data-status=valid]",
    "badge-revoked": "[data-status=revoked]",
    # Issue 13: asking, reviewing, awarding, badge classes (each page's main heading and
    # what shows it is in the state meant).
    "learner-home": "[data-role=learner]",
    "ask": "input[type=file][capture]",
    "request": "[data-state]",
    "notifications": "h1",
    "propose": "form[enctype='multipart/form-data']",
    "trainer-home": "[data-waiting]",
    "requests": "a[href*='/trainer/requests/']",
    "review": "img[src*='/course/evidence/']",
    "accompany": "select, input[type=radio]",
    "award-choose": "input[type=checkbox]",
    "revoke": "textarea, input[name=reason]",
    "badges": "a[href*='/trainer/badges/new']",
    "new-badge": "input[name=shape]",
    "new-family": "form",
    "family": "h1",
    "proposal": "h1",
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", PAGES)
def test_the_page_is_accessible_on_a_phone(
    browser: Browser, sweep: Sweep, name: str, lang: str
) -> None:
    with phone_in(browser, lang) as page:
        answer = page.goto(_in(sweep.urls[name], lang))
        assert answer is not None
        expected = {"not-found": 404, "register-info": 400}.get(name, 200)
        assert answer.status == expected, name
        expect(page.locator(PAGES[name]).first).to_be_visible()
        _check(page, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_the_admin_link_and_the_admin_page_are_accessible(
    browser: Browser, sweep: Sweep, lang: str
) -> None:
    """An admin link works once, so each language opens its own, then presses its button."""
    world = sweep.world
    with transaction(world.runtime.sessions) as session:
        secret = create_admin_link(session).secret
    with phone_in(browser, lang) as page:
        answer = page.goto(_in(f"{world.tool_url}/admin/platforms/open?at={secret}", lang))
        assert answer is not None and answer.status == 200
        _check(page, lang)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        expect(page.locator(".registrations form").first).to_be_visible()
        _check(page, lang)


def _post_from_the_browser(page: Page, action: str, fields: dict[str, str]) -> None:
    """Post ``fields`` to ``action`` as a page of the browser would (top level)."""
    inputs = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in fields.items()
    )
    page.set_content(f'<form method="post" action="{escape(action)}">{inputs}</form>')
    with page.expect_navigation():
        page.evaluate("document.forms[0].submit()")


@pytest.mark.parametrize("lang", LANGS)
def test_a_replayed_launch_is_refused_on_an_accessible_page(
    browser: Browser, sweep: Sweep, lang: str
) -> None:
    assert sweep.launch_form, "no launch form was recorded"
    with phone_in(browser, lang) as page:
        _post_from_the_browser(page, sweep.world.tool_url + "/lti/launch", sweep.launch_form)
        expect(page.get_by_role("alert")).to_be_visible()
        assert page.locator("[data-reason]").get_attribute("data-reason") in ("B16", "B17")
        _check(page, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_an_oidc_error_from_the_platform_is_shown_on_an_accessible_page(
    browser: Browser, sweep: Sweep, lang: str
) -> None:
    fields = {
        "error": "login_required",
        "error_description": "the user is not logged in",
        "state": secrets.token_urlsafe(16),
    }
    with phone_in(browser, lang) as page:
        _post_from_the_browser(page, sweep.world.tool_url + "/lti/launch", fields)
        expect(page.get_by_role("alert")).to_be_visible()
        expect(page.get_by_text("login_required")).to_be_visible()
        _check(page, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_dynamic_registration_and_its_close_page_are_accessible(
    browser: Browser, sweep: Sweep, lang: str
) -> None:
    world = sweep.world
    with transaction(world.runtime.sessions) as session:
        secret = create_registration_link(session).secret
    start = f"{world.lms_url}/lti/dynamic-registration?" + urlencode(
        {"url": f"{world.tool_url}/lti/register?rl={secret}"}
    )
    with phone_in(browser, lang) as page:
        page.goto(start)
        expect(page.locator("#community_name")).to_be_visible()
        registration = page.url
        _check(page, lang)
        page.locator("#community_name").fill(f"Maison de quartier ({lang})")
        page.locator("form button[type=submit]").click()
        expect(page.get_by_role("status")).to_be_visible()
        assert page.url.startswith(world.tool_url + "/lti/register")
        _check(page, lang)

        again = page.goto(registration)  # the registration link is spent
        assert again is not None and again.status == 403
        expect(page.get_by_role("alert")).to_be_visible()
        _check(page, lang)


def test_the_demo_course_page_with_its_activities_and_grades_is_accessible(
    browser: Browser, sweep: Sweep
) -> None:
    with phone_in(browser, "fr") as page:
        page.goto(sweep.world.lms_url + "/")
        expect(page.get_by_role("heading", name="Carnet de notes")).to_be_visible()
        _check(page, "fr")


def test_the_award_form_works_with_the_keyboard(browser: Browser, sweep: Sweep) -> None:
    """Choose, check and award with Tab, Space and Enter only."""
    with phone_in(browser, "fr") as page:
        page.goto(sweep.urls["award-choose"])
        checkbox = page.locator("input[type=checkbox]").first
        for _press in range(60):
            page.keyboard.press("Tab")
            if checkbox.evaluate("e => e === document.activeElement"):
                break
        else:
            pytest.fail("Tab never reaches the first learner of the award form")
        page.keyboard.press("Space")
        expect(checkbox).to_be_checked()
        chosen = page.locator(f"label[for='{checkbox.get_attribute('id')}']").inner_text()
        submit = page.get_by_role("button", name="Suivant : vérifier avant de décerner")
        for _press in range(40):
            page.keyboard.press("Tab")
            if submit.evaluate("e => e === document.activeElement"):
                break
        else:
            pytest.fail("Tab never reaches the button of the award form")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Vérifier avant de décerner")
        expect(page.locator("main")).to_contain_text(chosen)
        confirm = page.get_by_role("button", name="Oui, décerner le badge")
        for _press in range(40):
            page.keyboard.press("Tab")
            if confirm.evaluate("e => e === document.activeElement"):
                break
        else:
            pytest.fail("Tab never reaches the confirmation button")
        page.keyboard.press("Enter")
        expect(page.locator("[data-finished=yes]")).to_contain_text(chosen)


def test_the_config_pages_copy_buttons_copy_each_value(browser: Browser, sweep: Sweep) -> None:
    """The buttons the page's script adds put the value on the clipboard, and say so."""
    context = phone_context(browser, "en")
    try:
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        page = context.new_page()
        page.goto(_in(sweep.urls["config"], "en"))
        value = page.locator("[data-copy=cfg-jwks]")
        button = page.locator("#cfg-jwks + dd .copy-button")
        button.click()
        expect(button).to_have_text("Copied")
        expect(page.get_by_role("status")).to_have_text("Copied")
        assert page.evaluate("navigator.clipboard.readText()") == value.inner_text().strip()
        expect(button).to_have_text("Copy", timeout=5000)  # ready for the next value
    finally:
        context.close()
