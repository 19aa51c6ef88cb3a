"""The LTI endpoints over real HTTP: accepted launches, what they write, the handle.

Refusals (B1–B28) live in test_launch_matrix.py; here are the launches the tool must
accept (reference §12 "Must accept", cert §6.1.2/§6.1.3, Moodle and Open edX styles),
the rows they upsert, the launched page, the cookie-less handle and the admin page.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import jwt
import pytest
import requests
from sqlalchemy import select

from badges.models import Context, LaunchSession, Membership, Person, ResourceLink
from badges.storage.database import transaction
from demo_lms.platform import IdToken
from tests.admin_sessions import open_admin_session
from tests.lti_launches import INSTRUCTOR, LEARNER, LIS, Browser, C, LtiWorld, parse_form

ADMIN_SYSTEM = LIS + "system/person#Administrator"


def role_of(page: requests.Response) -> str | None:
    found = re.search(r'data-role="(\w+)"', page.text)
    return found.group(1) if found else None


def resign(change: Callable[[dict[str, Any]], None]) -> Callable[[IdToken], str]:
    def tamper(token: IdToken) -> str:
        change(token.claims)
        return token.sign()

    return tamper


@pytest.fixture
def world(shared_lti_world: LtiWorld) -> Iterator[LtiWorld]:
    yield shared_lti_world
    shared_lti_world.demo.tamper = None


def _aud(order: str) -> Callable[[dict[str, Any]], None]:
    def change(claims: dict[str, Any]) -> None:
        client = claims["aud"]
        claims["aud"] = [client, "https://other.example"]
        if order == "last":
            claims["aud"].reverse()
        claims["azp"] = client

    return change


def _shift(iat: int, exp: int) -> Callable[[dict[str, Any]], None]:
    def change(claims: dict[str, Any]) -> None:
        now = int(time.time())
        claims["iat"], claims["exp"] = now + iat, now + exp

    return change


ACCEPT: dict[str, tuple[dict[str, Any], Callable[[dict[str, Any]], None] | None, str]] = {
    "plain-learner": ({}, None, "learner"),
    "plain-instructor": ({"roles": [INSTRUCTOR]}, None, "trainer"),
    "multiple-roles": ({"roles": [LEARNER, INSTRUCTOR]}, None, "trainer"),
    "short-instructor": ({"roles": ["Instructor"]}, None, "trainer"),
    "short-learner": ({"roles": ["Learner"]}, None, "learner"),
    "unknown-role": ({"roles": ["http://example.org/roles#Wizard"]}, None, "learner"),
    "no-role": ({"roles": []}, None, "learner"),
    "no-pii": ({"name": None, "email": None}, None, "learner"),
    "email-only": ({"name": None}, None, "learner"),
    "names-only": (
        {"name": None, "email": None},
        lambda c: c.update(given_name="Sylvie", family_name="Durand"),
        "learner",
    ),
    "no-context": ({"context": None}, None, "learner"),
    "email-without-context": ({"name": None, "context": None}, None, "learner"),
    "aud-array-tool-first": ({}, _aud("first"), "learner"),
    "aud-array-tool-last": ({}, _aud("last"), "learner"),
    "iat-55s-ahead": ({}, _shift(55, 115), "learner"),
    "expired-55s-ago": ({}, _shift(-115, -55), "learner"),
    "unknown-claims": (
        {},
        lambda c: c.update({"https://example.org/claim": {"x": 1}, C + "future": True}),
        "learner",
    ),
    "admin": ({"roles": [ADMIN_SYSTEM, INSTRUCTOR]}, None, "admin"),
}


@pytest.mark.parametrize("style", ["moodle", "openedx"])
@pytest.mark.parametrize("name", list(ACCEPT))
def test_valid_launch_is_accepted(world: LtiWorld, name: str, style: str) -> None:
    spec, change, role = ACCEPT[name]
    world.demo.tamper = resign(change) if change else None
    client = world.moodle if style == "moodle" else world.openedx
    outcome = Browser().launch(
        world.demo, client.client_id, world.spec(user_id=f"{name}-{style}", **spec)
    )
    assert outcome.launch.status_code == 303, outcome.launch.text[:800]
    assert outcome.page is not None and outcome.page.status_code == 200
    assert role_of(outcome.page) == role


def test_moodle_style_launch_records_everything(lti_world: LtiWorld) -> None:
    world = lti_world
    browser = Browser()
    start = world.demo.start(world.moodle.client_id, world.spec())
    assert start.method == "POST"
    spec = world.spec(ags=True, nrps=True, custom={"target": "portfolio", "badge": "b-7"})
    outcome = browser.launch(world.demo, world.moodle.client_id, spec)
    assert outcome.launch.status_code == 303
    token = jwt.decode(world.demo.last_id_token, options={"verify_signature": False})
    assert token["exp"] - token["iat"] == 60
    assert token["aud"] == world.moodle.client_id
    assert "Compétences du quotidien" in outcome.page.text
    with transaction(world.runtime.sessions) as session:
        person = session.scalars(select(Person)).one()
        assert (person.sub, person.name, person.email) == (
            "learner-1",
            "Nathan Martin",
            "nathan@example.org",
        )
        context = session.scalars(select(Context)).one()
        assert context.memberships_url == f"{world.demo_url}/services/course-1/memberships"
        link = session.scalars(select(ResourceLink)).one()
        assert link.lineitems_url.endswith("/lineitems?type_id=3")
        assert link.lineitem_url.endswith("?type_id=3")
        assert (link.custom_target, link.custom_badge) == ("portfolio", "b-7")
        assert link.ags_scopes
        membership = session.scalars(select(Membership)).one()
        assert (membership.role, membership.lti_roles) == ("learner", [LEARNER])
        launch = session.scalars(select(LaunchSession)).one()
        assert launch.deployment.deployment_id == "2"
        # The session keeps the custom parameters, not a copy of the person's name, e-mail
        # or every other claim of the id_token.
        assert launch.claims == {
            "https://purl.imsglobal.org/spec/lti/claim/custom": {
                "target": "portfolio",
                "badge": "b-7",
            }
        }


def test_openedx_style_launch(lti_world: LtiWorld) -> None:
    world = lti_world
    roles = [
        LIS + "system/person#None",
        LIS + "institution/person#None",
        LIS + "membership#Administrator",
        INSTRUCTOR,
    ]
    start = world.demo.start(world.openedx.client_id, world.spec())
    assert start.method == "GET"
    outcome = Browser().launch(world.demo, world.openedx.client_id, world.spec(roles=roles))
    assert outcome.launch.status_code == 303
    token = jwt.decode(world.demo.last_id_token, options={"verify_signature": False})
    assert token["exp"] - token["iat"] == 3600
    assert token[C + "deployment_id"] == "1"
    assert role_of(outcome.page) == "trainer"


def test_second_launch_updates_without_duplicates(lti_world: LtiWorld) -> None:
    world = lti_world
    first = Browser().launch(world.demo, world.moodle.client_id, world.spec())
    assert first.launch.status_code == 303
    changed = world.spec(
        name="Nathan M.",
        email=None,
        roles=[INSTRUCTOR],
        context={"id": "course-1", "title": "Nouveau titre"},
        resource_link={"id": "link-1", "title": "Badges du groupe"},
    )
    second = Browser().launch(world.demo, world.moodle.client_id, changed)
    assert second.launch.status_code == 303
    assert world.counts() == {
        "person": 1,
        "context": 1,
        "membership": 1,
        "resource_link": 1,
        "launch_session": 2,
    }
    with transaction(world.runtime.sessions) as session:
        person = session.scalars(select(Person)).one()
        assert (person.name, person.email) == ("Nathan M.", None)
        assert session.scalars(select(Context)).one().title == "Nouveau titre"
        assert session.scalars(select(Membership)).one().role == "trainer"
        assert session.scalars(select(ResourceLink)).one().title == "Badges du groupe"


def test_simultaneous_first_launches_of_one_person_all_succeed(lti_world: LtiWorld) -> None:
    """A double click on a new activity: launches race to create the same new rows.

    Every launch is accepted and the person, course, membership and link exist once; a
    launch that lost the race to insert a row finds it on a second pass instead of
    answering 500.
    """
    world = lti_world
    spec = world.spec(user_id="double-click")
    browsers = [Browser() for _ in range(6)]
    forms = [b.authorize(b.login(world.demo, world.moodle.client_id, spec)) for b in browsers]
    start = threading.Barrier(len(forms))

    def post(pair: tuple[Browser, dict[str, str]]) -> int:
        browser, form = pair
        start.wait()
        return browser.post_launch(form).status_code

    with ThreadPoolExecutor(len(forms)) as pool:
        statuses = list(pool.map(post, zip(browsers, forms, strict=True)))
    assert statuses == [303] * len(forms)
    counts = world.counts()
    assert (counts["person"], counts["context"], counts["membership"]) == (1, 1, 1)
    assert (counts["resource_link"], counts["launch_session"]) == (1, len(forms))


def test_same_sub_in_two_deployments_is_one_person_two_contexts(lti_world: LtiWorld) -> None:
    world = lti_world
    for client in (world.moodle, world.openedx):
        assert (
            Browser().launch(world.demo, client.client_id, world.spec()).launch.status_code == 303
        )
    counts = world.counts()
    assert (counts["person"], counts["context"], counts["resource_link"]) == (1, 2, 2)


# -- the launched page and its handle ------------------------------------------------


def _page_form(page: requests.Response) -> tuple[str, dict[str, str]]:
    form = parse_form(page.text)
    assert form.action
    return urlsplit(page.url)._replace(path="", query="").geturl() + form.action, form.fields


def test_form_post_with_handle_and_no_cookie(lti_world: LtiWorld) -> None:
    world = lti_world
    outcome = Browser().launch(world.demo, world.moodle.client_id, world.spec())
    action, fields = _page_form(outcome.page)
    assert '<html lang="fr">' in outcome.page.text
    cookieless = requests.Session()
    answer = cookieless.post(action, data={**fields, "lang": "en"}, timeout=10)
    assert answer.status_code == 200
    assert '<html lang="en">' in answer.text and "Your choice is saved" in answer.text
    assert role_of(answer) == "learner"
    # The choice lives in the launch session: the next page, without cookies, keeps it.
    again = cookieless.get(outcome.page.url, timeout=10)
    assert '<html lang="en">' in again.text and not cookieless.cookies
    without_csrf = {k: v for k, v in fields.items() if k != "csrf_token"}
    refused = cookieless.post(action, data={**without_csrf, "lang": "fr"}, timeout=10)
    assert refused.status_code == 400
    unknown = cookieless.post(action, data={**fields, "lang": "xx"}, timeout=10)
    assert unknown.status_code == 400


def test_cookie_alone_opens_the_page_when_kept(lti_world: LtiWorld) -> None:
    world = lti_world
    browser = Browser()
    outcome = browser.launch(world.demo, world.moodle.client_id, world.spec())
    bare = urlsplit(outcome.page.url)._replace(query="").geturl()
    assert browser.http.get(bare, timeout=10).status_code == 200
    assert requests.get(bare, timeout=10).status_code == 401


def test_tampered_handle_is_refused(lti_world: LtiWorld) -> None:
    world = lti_world
    outcome = Browser().launch(world.demo, world.moodle.client_id, world.spec())
    handle = outcome.handle
    assert handle
    bare = urlsplit(outcome.page.url)._replace(query="").geturl()
    forged = handle[:-3] + ("AAA" if not handle.endswith("AAA") else "BBB")
    assert requests.get(bare, params={"lh": forged}, timeout=10).status_code == 401
    assert requests.get(bare, params={"lh": handle}, timeout=10).status_code == 200


def test_handle_of_another_deployment_is_refused(lti_world: LtiWorld) -> None:
    world = lti_world
    moodle = Browser().launch(world.demo, world.moodle.client_id, world.spec())
    openedx = Browser().launch(world.demo, world.openedx.client_id, world.spec())
    moodle_link = urlsplit(moodle.page.url)._replace(query="").geturl()
    answer = requests.get(moodle_link, params={"lh": openedx.handle}, timeout=10)
    assert answer.status_code == 404
    _, fields = _page_form(openedx.page)
    posted = requests.post(moodle_link, data={**fields, "lang": "en"}, timeout=10)
    assert posted.status_code == 404


def test_learner_handle_cannot_open_admin_pages(lti_world: LtiWorld) -> None:
    world = lti_world
    outcome = Browser().launch(world.demo, world.moodle.client_id, world.spec())
    answer = requests.get(
        f"{world.tool_url}/admin/platforms/", params={"lh": outcome.handle}, timeout=10
    )
    assert answer.status_code == 401


def test_locale_and_frame_ancestors_follow_the_launch(world: LtiWorld) -> None:
    english = Browser().launch(
        world.demo, world.moodle.client_id, world.spec(user_id="en", locale="en-GB")
    )
    assert '<html lang="en">' in english.page.text
    french = Browser().launch(
        world.demo, world.moodle.client_id, world.spec(user_id="fr", locale="fr-FR")
    )
    assert '<html lang="fr">' in french.page.text
    csp = french.page.headers["Content-Security-Policy"]
    assert f"frame-ancestors {world.demo_url}" in csp


def test_deep_linking_request_is_accepted_without_resource_link(world: LtiWorld) -> None:
    spec = world.spec(
        user_id="dl-teacher",
        roles=[INSTRUCTOR],
        message_type="LtiDeepLinkingRequest",
        resource_link=None,
    )
    outcome = Browser().launch(world.demo, world.moodle.client_id, spec)
    assert outcome.launch.status_code == 303
    assert "/lti/links/" not in outcome.launch.headers["Location"]
    assert outcome.page is not None and outcome.page.status_code == 200


def test_signed_target_link_uri_is_where_the_launch_goes(world: LtiWorld) -> None:
    target = f"{world.tool_url}/lti/config"
    outcome = Browser().launch(
        world.demo,
        world.moodle.client_id,
        world.spec(user_id="target", target_link_uri=target),
    )
    assert outcome.launch.status_code == 303
    assert outcome.launch.headers["Location"].startswith(target + "?lh=")


def test_https_cookies_are_cross_site(world: LtiWorld) -> None:
    """Over HTTPS the state and launch cookies say SameSite=None; Secure (iframes)."""
    client = world.tool_app.test_client()
    https = world.tool_url.replace("http://", "https://")
    start = world.demo.start(world.moodle.client_id, world.spec(user_id="https"))
    login = client.post("/lti/login", data=start.params, base_url=https)
    assert login.status_code == 302
    cookie = login.headers["Set-Cookie"]
    assert "SameSite=None" in cookie and "Secure" in cookie
    form = parse_form(requests.get(login.headers["Location"], timeout=10).text)
    # The demo posts to the registered http URL; the browser would post over https.
    launch = client.post("/lti/launch", data=form.fields, base_url=https)
    assert launch.status_code == 303, launch.text[:500]
    launch_cookie = [c for c in launch.headers.getlist("Set-Cookie") if "chemins_launch" in c]
    assert launch_cookie and "SameSite=None" in launch_cookie[0] and "Secure" in launch_cookie[0]


def test_config_page_lists_the_values_to_paste(world: LtiWorld) -> None:
    page = requests.get(f"{world.tool_url}/lti/config", timeout=10)
    assert page.status_code == 200
    for path in ("/lti/login", "/lti/launch", "/.well-known/jwks.json"):
        assert f"{world.tool_url}{path}" in page.text
    # Dynamic Registration first (how most Moodle admins install it), then the manual values.
    register = page.text.index(f"{world.tool_url}/lti/register")
    assert register < page.text.index(f"{world.tool_url}/lti/login")
    assert page.text.index("chemins platform registration-link") < register
    assert "LTI Advantage" in page.text  # Moodle's button, named on the page
    # Copy buttons are added by a script of the tool's own origin (CSP script-src 'self').
    assert page.text.count("data-copy=") == 6
    assert '<script src="/static/copy-buttons.js" defer>' in page.text
    script = requests.get(f"{world.tool_url}/static/copy-buttons.js", timeout=10)
    assert script.status_code == 200 and "clipboard" in script.text


def test_launch_without_anything_is_a_clear_400(world: LtiWorld) -> None:
    answer = requests.post(f"{world.tool_url}/lti/launch", data={}, timeout=10)
    assert answer.status_code == 400
    assert 'data-reason="B18"' in answer.text


# -- the platform admin page ---------------------------------------------------------


def _admin_form(page: requests.Response, index: int) -> tuple[str, dict[str, str]]:
    forms = re.findall(r"<form .*?</form>", page.text, flags=re.S)
    parsed = parse_form(forms[index])
    return parsed.action or "", parsed.fields


def test_admin_page_needs_a_credential(world: LtiWorld) -> None:
    assert requests.get(f"{world.tool_url}/admin/platforms/", timeout=10).status_code == 401
    forged = {"at": "not-a-token"}
    answer = requests.get(f"{world.tool_url}/admin/platforms/", params=forged, timeout=10)
    assert answer.status_code == 401


def test_admin_token_lists_adds_and_removes(lti_world: LtiWorld) -> None:
    world = lti_world
    http = open_admin_session(world.runtime, world.tool_url)
    page = http.get(f"{world.tool_url}/admin/platforms/", timeout=10)
    assert page.status_code == 200
    assert world.moodle.client_id in page.text and world.openedx.client_id in page.text
    action, fields = _admin_form(page, -1)
    new = {
        "issuer": "https://moodle.example.org",
        "client_id": "abc123",
        "deployment_ids": "7 8",
        "auth_login_url": "https://moodle.example.org/mod/lti/auth.php",
        "auth_token_url": "https://moodle.example.org/mod/lti/token.php",
        "jwks_url": "https://moodle.example.org/mod/lti/certs.php",
    }
    no_csrf = {k: v for k, v in fields.items() if k != "csrf_token"}
    assert (
        http.post(world.tool_url + action, data={**no_csrf, **new}, timeout=10).status_code == 400
    )
    added = http.post(world.tool_url + action, data={**fields, **new}, timeout=10)
    assert added.status_code == 200 and "abc123" in added.text
    assert "7, 8" in added.text
    forms = re.findall(r"<form .*?</form>", added.text, flags=re.S)
    removal = next(f for f in forms if 'value="abc123"' in f)
    parsed = parse_form(removal)
    removed = http.post(world.tool_url + (parsed.action or ""), data=parsed.fields, timeout=10)
    assert removed.status_code == 200 and "abc123" not in removed.text


def test_admin_launch_manages_only_its_own_platform(lti_world: LtiWorld) -> None:
    world = lti_world
    outcome = Browser().launch(world.demo, world.moodle.client_id, world.spec(roles=[ADMIN_SYSTEM]))
    page = requests.get(
        f"{world.tool_url}/admin/platforms/", params={"lh": outcome.handle}, timeout=10
    )
    assert page.status_code == 200
    assert world.moodle.client_id in page.text
    action, fields = _admin_form(page, -1)
    other = {
        "issuer": "https://other-lms.example.org",
        "client_id": "x",
        "deployment_ids": "1",
        "auth_login_url": "https://other-lms.example.org/auth",
        "auth_token_url": "https://other-lms.example.org/token",
        "jwks_url": "https://other-lms.example.org/jwks",
    }
    answer = requests.post(world.tool_url + action, data={**fields, **other}, timeout=10)
    assert answer.status_code == 403
