"""The tool in a Moodle 4.3 iframe over HTTPS, with third-party cookies blocked (issue 10 §1).

The demo course plays Moodle 4.3 (POST login, no platform storage, 60 s tokens) at
``https://localhost:P1`` and the tool is ``https://127.0.0.1:P2``: two sites, each with
a throwaway certificate the browser context is told to accept. Chromium runs with
``--test-third-party-cookie-phaseout`` (Chrome's switch for testing without
third-party cookies; Debian's build blocks them in headless mode anyway).

- The launch works through partitioned cookies (CHIPS): the state cookie set by the
  login inside the frame comes back with the launch, which no platform storage helps.
- With *every* cookie refused in the frame (the tool's ``Partitioned`` attribute
  removed on the way, as a browser without CHIPS would treat it), the launch offers a
  new window; its button opens Moodle's launch page of the activity at top level and
  the launch completes there, on the same page.

The tool fetches the platform's keys from a plain-HTTP twin of the course server (same
app, another port): its outbound client trusts the system's certificates only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from badges.demo import COMMUNITY
from badges.platforms.registering import PlatformFields, register_platform
from badges.storage.database import transaction
from badges.storage.instance import Instance
from badges.storage.migrate import upgrade
from badges.storage.runtime import Runtime
from demo_lms.course import CLIENT_ID, DEPLOYMENT_ID, create_course_app
from lti_tool.app import create_app
from tests.conftest import LOCAL_HOSTS
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, assert_accessible
from tests.live_server import LiveServer, free_port, throwaway_certificate

FRAME = "iframe[name=chemins]"


@dataclass
class Seen:
    method: str
    path: str
    cookie: str | None


@dataclass
class CookieGate:
    """WSGI middleware: records what the tool received; can drop ``Partitioned``."""

    app: Callable[..., Any]
    unpartitioned: bool = False
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        with self.lock:
            self.seen.append(
                Seen(environ["REQUEST_METHOD"], environ["PATH_INFO"], environ.get("HTTP_COOKIE"))
            )

        def start(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            if self.unpartitioned:
                headers = [
                    (name, value.replace("; Partitioned", "") if name == "Set-Cookie" else value)
                    for name, value in headers
                ]
            return start_response(status, headers, *rest)

        return self.app(environ, start)

    def cookies_of(self, method: str, path: str) -> list[str | None]:
        with self.lock:
            return [s.cookie for s in self.seen if s.method == method and s.path == path]


@dataclass
class SecureCourse:
    tool_url: str
    lms_url: str
    gate: CookieGate


@pytest.fixture
def course(tmp_path: Path) -> Iterator[SecureCourse]:
    tool_port, lms_port, keys_port = free_port(), free_port(), free_port("localhost")
    tool_url, lms_url = f"https://127.0.0.1:{tool_port}", f"https://localhost:{lms_port}"
    database = f"sqlite:///{tmp_path / 'chemins.db'}"
    upgrade(database)
    runtime = Runtime.open(Instance(tmp_path, database, "https-secret-" + "x" * 32, tool_url))
    with transaction(runtime.sessions) as session:
        register_platform(
            session,
            PlatformFields(
                issuer=lms_url,
                client_id=CLIENT_ID,
                deployment_ids=(DEPLOYMENT_ID,),
                community=COMMUNITY,
                auth_login_url=f"{lms_url}/lti/auth",
                auth_token_url=f"{lms_url}/services/token",
                jwks_url=f"http://localhost:{keys_port}/lti/certs",
            ),
            runtime.instance.origin,
        )
    tool = create_app({"TESTING": True, "LTI_PRIVATE_PLATFORMS": LOCAL_HOSTS}, runtime=runtime)
    gate = CookieGate(tool.wsgi_app)
    tool.wsgi_app = gate  # type: ignore[method-assign]
    lms = create_course_app(lms_url, tool_url, moodle_4_3=True)
    tls = throwaway_certificate(tmp_path, ("127.0.0.1", "localhost"))
    servers = [
        LiveServer(tool, port=tool_port, ssl_context=tls),
        LiveServer(lms, host="localhost", port=lms_port, ssl_context=tls),
        LiveServer(lms, host="localhost", port=keys_port),
    ]
    try:
        for server in servers:
            server.start()
        yield SecureCourse(tool_url, lms_url, gate)
    finally:
        for server in servers:
            server.stop()
        runtime.engine.dispose()


@pytest.fixture(scope="module")
def blocking_browser(browser: Browser) -> Iterator[Browser]:
    launched = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[*CHROMIUM_ARGS, "--test-third-party-cookie-phaseout"],
    )
    yield launched
    launched.close()


@pytest.fixture
def page(blocking_browser: Browser) -> Iterator[Page]:
    context = blocking_browser.new_context(viewport=PHONE, locale="fr-FR", ignore_https_errors=True)
    yield context.new_page()
    context.close()


def test_a_moodle_iframe_launch_works_through_partitioned_cookies(
    page: Page, course: SecureCourse
) -> None:
    page.goto(course.lms_url + "/")
    page.get_by_role("link", name="Ouvrir en tant que Nathan").click()
    tool = page.frame_locator(FRAME)
    expect(tool.locator("[data-role=learner]")).to_be_visible(timeout=15_000)

    [login_cookies] = course.gate.cookies_of("POST", "/lti/login")
    assert login_cookies is None  # the tool's first request of this browser
    launches = course.gate.cookies_of("POST", "/lti/launch")
    assert len(launches) == 1, "no platform storage page: one launch POST"
    assert launches[0] and "chemins_lti_state_" in launches[0], launches
    landed = [c for s, c in ((s.path, s.cookie) for s in course.gate.seen) if "/lti/links/" in s]
    assert landed and "chemins_launch=" in (landed[-1] or "")


def test_with_every_cookie_refused_in_the_frame_a_new_window_completes_the_launch(
    page: Page, course: SecureCourse
) -> None:
    course.gate.unpartitioned = True
    page.goto(course.lms_url + "/")
    page.get_by_role("link", name="Ouvrir en tant que Nathan").click()
    tool = page.frame_locator(FRAME)
    button = tool.get_by_role("link", name="Ouvrir dans une nouvelle fenêtre")
    expect(button).to_be_visible(timeout=15_000)
    assert course.gate.cookies_of("POST", "/lti/launch") == [None]
    frame = page.frame(name="chemins")
    assert frame is not None
    assert_accessible(frame)

    with page.context.expect_page() as opened:
        button.click()
    window = opened.value
    expect(window.locator("[data-role=learner]")).to_be_visible(timeout=15_000)
    expect(window.locator("h1")).to_have_text("Mes badges")
    assert window.url.startswith(course.tool_url + "/lti/links/")
    top_level = course.gate.cookies_of("POST", "/lti/launch")
    assert len(top_level) == 2 and "chemins_lti_state_" in (top_level[1] or "")
