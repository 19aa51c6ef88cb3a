"""Launches whose browser keeps no cookie in the platform's iframe (issue 10 §1).

The tool is served over HTTPS with a throwaway certificate (the demo platform stays on
HTTP), so its cookies are ``SameSite=None; Secure; Partitioned``. A ``requests``
session plays each browser: a *fresh* session posting the launch is a browser that
kept nothing in the frame; the new window is that same person at top level, where
the tool's cookies are first-party again.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests

from badges.storage.runtime import Runtime
from demo_lms.app import create_demo_app, platform_of
from demo_lms.platform import MOODLE, OPENEDX, LaunchSpec, PendingLaunch
from lti_tool.app import create_app
from lti_tool.new_window import moodle_activity_url
from tests.conftest import LOCAL_HOSTS
from tests.live_server import LiveServer, free_port, throwaway_certificate
from tests.lti_launches import (
    LEARNER,
    Browser,
    LtiWorld,
    parse_form,
    reason_code,
    register,
)


@dataclasses.dataclass
class SecureWorld:
    world: LtiWorld
    certificate: str

    def browser(self) -> Browser:
        browser = Browser()
        browser.http = self.session()
        return browser

    def session(self) -> requests.Session:
        """A browser that kept no cookie at all (as in a frame that refuses them)."""
        http = requests.Session()
        http.trust_env = False  # no CA bundle from the environment over this one
        http.verify = self.certificate
        return http


@pytest.fixture
def secure(runtime: Runtime, tmp_path: Path) -> Iterator[SecureWorld]:
    tool_port, demo_port = free_port(), free_port()
    tool_url, demo_url = f"https://127.0.0.1:{tool_port}", f"http://127.0.0.1:{demo_port}"
    tls = throwaway_certificate(tmp_path, ("127.0.0.1",))
    tool_runtime = Runtime.open(dataclasses.replace(runtime.instance, base_url=tool_url))
    tool_app = create_app(
        {"TESTING": True, "LTI_PRIVATE_PLATFORMS": LOCAL_HOSTS}, runtime=tool_runtime
    )
    demo_app = create_demo_app(demo_url)
    demo = platform_of(demo_app)
    moodle = demo.add_tool(tool_origin=tool_url, style=MOODLE, deployment_id="2")
    openedx = demo.add_tool(tool_origin=tool_url, style=OPENEDX)
    register(tool_runtime, demo_url, moodle.client_id, ("2",))
    register(tool_runtime, demo_url, openedx.client_id, ("1",))
    servers = [
        LiveServer(tool_app, port=tool_port, ssl_context=tls).start(),
        LiveServer(demo_app, port=demo_port).start(),
    ]
    try:
        world = LtiWorld(
            tool_runtime, tool_app, tool_url, demo_app, demo_url, moodle, openedx, servers
        )
        yield SecureWorld(world, str(tmp_path / "tls-cert.pem"))
    finally:
        for server in servers:
            server.stop()
        tool_runtime.engine.dispose()


def _spec(**values: object) -> LaunchSpec:
    base: dict[str, object] = {
        "user_id": "learner-1",
        "roles": [LEARNER],
        "name": "Nathan Martin",
        "context": {"id": "course-1", "title": "Compétences du quotidien", "label": "CDQ"},
        "resource_link": {"id": "link-1", "title": "Mes badges"},
    }
    base.update(values)
    return LaunchSpec(**base)  # type: ignore[arg-type]


def _set_cookies(response: requests.Response) -> list[str]:
    return response.raw.headers.getlist("Set-Cookie")


def _new_window_link(page: requests.Response) -> str:
    found = re.search(r'<a class="button" href="([^"]+)"[^>]*data-new-window', page.text)
    assert found, page.text[:1500]
    return html.unescape(found.group(1))


def _framed_launch(secure: SecureWorld, client_id: str) -> tuple[Browser, requests.Response]:
    """Login and authorization in the frame, then the launch posted without any cookie."""
    browser = secure.browser()
    form = browser.authorize(browser.login(secure.world.demo, client_id, _spec()))
    return browser, browser.post_launch(form, via=secure.session())


def _finish(http: requests.Session, answer: requests.Response) -> requests.Response:
    """Follow a login answer to the platform and post its id_token form to the tool."""
    assert answer.status_code == 302, answer.text[:500]
    page = http.get(answer.headers["Location"], allow_redirects=False, timeout=10)
    assert page.status_code == 200, page.text[:500]
    form = parse_form(page.text)
    assert form.action
    return http.post(form.action, data=form.fields, allow_redirects=False, timeout=10)


def test_over_https_the_state_and_launch_cookies_are_partitioned(secure: SecureWorld) -> None:
    browser = secure.browser()
    login = browser.login(secure.world.demo, secure.world.moodle.client_id, _spec())
    [state_cookie] = _set_cookies(login)
    assert state_cookie.startswith("chemins_lti_state_")
    for attribute in ("Secure", "HttpOnly", "SameSite=None", "Partitioned"):
        assert attribute in state_cookie.split("; "), state_cookie
    answer = browser.post_launch(browser.authorize(login))
    assert answer.status_code == 303, answer.text[:500]
    launch_cookie = next(c for c in _set_cookies(answer) if c.startswith("chemins_launch="))
    for attribute in ("Secure", "SameSite=None", "Partitioned"):
        assert attribute in launch_cookie.split("; "), launch_cookie
    removal = next(c for c in _set_cookies(answer) if c.startswith("chemins_lti_state_"))
    assert "Partitioned" in removal.split("; "), "the removal must name the partitioned cookie"


def test_without_any_state_cookie_moodle_is_asked_to_launch_the_activity_again(
    secure: SecureWorld,
) -> None:
    world = secure.world
    before = world.counts()
    _browser, refused = _framed_launch(secure, world.moodle.client_id)
    assert refused.status_code == 401
    assert reason_code(refused) == "B17"
    assert "nouvelle fenêtre" in refused.text or "new window" in refused.text
    assert world.counts() == before
    link = _new_window_link(refused)
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}" == world.demo_url
    assert parts.path == "/mod/lti/launch.php"

    # The new window, at top level: Moodle starts a fresh launch of the same activity.
    window = secure.session()
    start = window.get(link, timeout=10)
    assert start.status_code == 200, start.text[:500]
    login_form = parse_form(start.text)
    assert login_form.action == world.tool_url + "/lti/login"
    login = window.post(login_form.action, data=login_form.fields, allow_redirects=False)
    landed = _finish(window, login)
    assert landed.status_code == 303, landed.text[:500]
    page = window.get(urljoin(landed.url, landed.headers["Location"]), timeout=10)
    assert page.status_code == 200
    assert "Mes badges" in page.text
    assert world.counts()["launch_session"] == before["launch_session"] + 1


def test_without_any_state_cookie_the_same_login_starts_again_in_a_new_window(
    secure: SecureWorld,
) -> None:
    world = secure.world
    _browser, refused = _framed_launch(secure, world.openedx.client_id)
    assert reason_code(refused) == "B17"
    link = urljoin(world.tool_url, _new_window_link(refused))
    assert urlsplit(link).path == "/lti/login/again"

    window = secure.session()
    again = window.get(link, allow_redirects=False, timeout=10)
    assert again.status_code == 302, again.text[:500]
    sent = {k: v[0] for k, v in parse_qs(urlsplit(again.headers["Location"]).query).items()}
    assert sent["login_hint"] == "learner-1"
    assert sent["client_id"] == world.openedx.client_id
    hint = sent["lti_message_hint"]
    assert any(c.startswith("chemins_lti_state_") for c in [k.name for k in window.cookies])
    # Open edX keeps its launch data under the hint for a while: the demo forgets it
    # after one use, so give it back as the platform would still have it.
    world.demo.pending[hint] = PendingLaunch(world.openedx.client_id, _spec())
    landed = _finish(window, again)
    assert landed.status_code == 303, landed.text[:500]
    assert "lh=" in landed.headers["Location"]


def test_a_different_state_cookie_stays_a_refusal(secure: SecureWorld) -> None:
    world = secure.world
    victim = secure.browser()
    victim.login(world.demo, world.openedx.client_id, _spec(user_id="learner-2"))
    assert any(c.startswith("chemins_lti_state_") for c in [k.name for k in victim.http.cookies])
    attacker = secure.browser()
    form = attacker.authorize(attacker.login(world.demo, world.openedx.client_id, _spec()))
    before = world.counts()
    refused = attacker.post_launch(form, via=victim.http)
    assert refused.status_code == 401
    assert reason_code(refused) == "B17"
    assert "data-new-window" not in refused.text
    assert world.counts() == before


def test_an_altered_new_window_link_is_refused(secure: SecureWorld) -> None:
    world = secure.world
    _browser, refused = _framed_launch(secure, world.openedx.client_id)
    link = urljoin(world.tool_url, _new_window_link(refused))
    states = world.states()
    altered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    answer = secure.session().get(altered, allow_redirects=False, timeout=10)
    assert answer.status_code == 400
    assert reason_code(answer) == "B28"
    assert "Location" not in answer.headers
    assert world.states() == states


def test_over_plain_http_the_page_says_https_is_needed(sqlite_lti_world: LtiWorld) -> None:
    browser = Browser()
    form = browser.authorize(
        browser.login(sqlite_lti_world.demo, sqlite_lti_world.moodle.client_id, _spec())
    )
    refused = browser.post_launch(form, via=requests.Session())
    assert refused.status_code == 401
    assert reason_code(refused) == "B17"
    assert "HTTPS" in refused.text
    assert "data-new-window" not in refused.text


def test_a_state_past_its_lifetime_gets_no_new_window(secure: SecureWorld) -> None:
    secure.world.tool_app.config["LTI_STATE_TTL"] = 0
    _browser, refused = _framed_launch(secure, secure.world.openedx.client_id)
    assert refused.status_code == 401
    assert reason_code(refused) == "B17"
    assert "data-new-window" not in refused.text


MOODLE_HINT = '{"cmid": 42, "launchid": "ltilaunch42_123"}'


@pytest.mark.parametrize(
    ("issuer", "hint", "expected"),
    [
        ("https://moodle.example/", MOODLE_HINT, "https://moodle.example/mod/lti/launch.php?id=42"),
        ("https://moodle.example", '{"cmid": "42", "launchid": "ltilaunch42_1"}', None),
        ("https://moodle.example", '{"cmid": 0, "launchid": "ltilaunch0_1"}', None),
        ("https://moodle.example", '{"cmid": true, "launchid": "ltilaunch1_1"}', None),
        ("https://moodle.example", '{"cmid": 42, "launchid": "cache-key"}', None),
        ("https://moodle.example", "[42]", None),
        ("https://moodle.example", "not json", None),
        ("https://moodle.example?x=", MOODLE_HINT, None),
        ("javascript:alert(1)", MOODLE_HINT, None),
    ],
)
def test_only_a_moodle_hint_leads_to_moodles_own_launch_page(
    issuer: str, hint: str, expected: str | None
) -> None:
    params = {"iss": issuer, "lti_message_hint": hint, "login_hint": "2"}
    assert moodle_activity_url(params) == expected
