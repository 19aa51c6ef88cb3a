"""The tool inside a cross-site LMS iframe, with third-party cookies blocked (issue §3).

The demo course page is served as ``http://localhost:P1`` and the tool as
``http://127.0.0.1:P2``: two sites. Everything is plain HTTP, so none of the tool's
cookies can be ``SameSite=None`` (that needs ``Secure``), and the ``Lax`` ones it sets
are neither stored nor sent inside a cross-site frame. Chromium is also started with
``--test-third-party-cookie-phaseout``, the switch Chrome documents for testing sites
without third-party cookies. Debian's Chromium 156 withholds them in headless mode even
without the switch (tried: a same-site frame gets the cookie, a cross-site one does not,
with or without it), so the switch cannot be shown to be what blocks them. The tests
therefore check the block itself: each first plants a ``SameSite=None; Secure`` cookie
for the tool in a top-level visit (``127.0.0.1`` is a secure context, so the browser
keeps it), then asserts from the headers the tool really received (a WSGI middleware
records them) that no framed request carried any Cookie header: the launch and the
form work through LTI platform storage and the launch handle alone.

The same iframe over HTTPS, as Moodle 4.3 launches (no platform storage), with
partitioned cookies and the new-window path: ``test_iframe_launch_https.py``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask, request
from markupsafe import escape
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from badges.models import LaunchSession
from badges.storage.database import transaction
from badges.storage.runtime import Runtime
from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    assert_accessible,
    course_world,
    served,
)
from tests.live_server import LiveServer, free_port

PROBE_PATH = "/__probe/third-party-cookie"
PROBE_COOKIE = "probe_3p"


@dataclass
class Seen:
    """One request as the tool received it."""

    method: str
    path: str
    query: str
    cookie: str | None


@dataclass
class HeaderRecorder:
    """WSGI middleware: records what the browser sent the tool; plants the probe cookie."""

    app: Callable[..., Any]
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        with self.lock:
            self.seen.append(
                Seen(
                    environ["REQUEST_METHOD"],
                    environ.get("PATH_INFO", ""),
                    environ.get("QUERY_STRING", ""),
                    environ.get("HTTP_COOKIE"),
                )
            )
        if environ.get("PATH_INFO") == PROBE_PATH:
            start_response(
                "200 OK",
                [
                    ("Content-Type", "text/plain"),
                    ("Set-Cookie", f"{PROBE_COOKIE}=1; SameSite=None; Secure; Path=/"),
                ],
            )
            return [b"probe cookie set"]
        return self.app(environ, start_response)

    def requests(self, method: str, prefix: str) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.method == method and s.path.startswith(prefix)]


def _framing_page(src: str, name: str) -> str:
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Cadre</title>'
        f'</head><body><main><h1>Cadre</h1><iframe name="{escape(name)}" title="Chemins" '
        f'src="{escape(src)}"></iframe></main></body></html>'
    )


@dataclass
class Embedding:
    """The tool, the demo course (registered with it) and a third origin, all live."""

    tool_url: str
    lms_url: str
    other_url: str
    runtime: Runtime
    recorder: HeaderRecorder

    def launch_sessions(self) -> int:
        with transaction(self.runtime.sessions) as session:
            return session.scalar(select(func.count()).select_from(LaunchSession)) or 0


@pytest.fixture
def embedding(tmp_path: Path) -> Iterator[Embedding]:
    world = course_world(tmp_path, "iframe-secret-" + "x" * 32)
    other_url = f"http://localhost:{free_port()}"
    recorder = HeaderRecorder(world.tool.wsgi_app)
    world.tool.wsgi_app = recorder  # type: ignore[method-assign]
    lms = world.lms

    @lms.get("/essai/sans-stockage")
    def silent_course() -> str:
        """A course page of the platform that does not answer storage messages."""
        return _framing_page("/cours/lancer/nathan", "chemins")

    @lms.get("/essai/cadre")
    def lms_frame() -> str:
        return _framing_page(request.args["src"], "outil")

    other = Flask("third_origin")

    @other.get("/")
    def other_frame() -> str:
        return _framing_page(request.args["src"], "intrus")

    third = LiveServer(other, port=int(other_url.rsplit(":", 1)[1]))
    with served(world, third):
        yield Embedding(world.tool_url, world.lms_url, other_url, world.runtime, recorder)


@pytest.fixture(scope="module")
def blocking_browser(browser: Browser) -> Iterator[Browser]:
    """Chromium with Chrome's documented switch for testing without third-party cookies.

    Launched by the session's Playwright (one sync Playwright may run at a time).
    """
    launched = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[*CHROMIUM_ARGS, "--test-third-party-cookie-phaseout"],
    )
    yield launched
    launched.close()


@pytest.fixture
def page(blocking_browser: Browser, embedding: Embedding) -> Iterator[Page]:
    """A phone-sized page whose browser already holds a cross-site-capable tool cookie."""
    context = blocking_browser.new_context(viewport=PHONE, locale="fr-FR")
    probe = context.new_page()
    probe.goto(embedding.tool_url + PROBE_PATH)
    probe.close()
    assert PROBE_COOKIE in {c["name"] for c in context.cookies()}, "the probe cookie was not kept"
    embedding.recorder.seen.clear()
    yield context.new_page()
    context.close()


def _launch_nathan(page: Page, embedding: Embedding) -> None:
    page.goto(embedding.lms_url + "/")
    page.get_by_role("link", name="Ouvrir en tant que Nathan").click()
    tool = page.frame_locator("iframe[name=chemins]")
    expect(tool.locator("[data-role=learner]")).to_be_visible(timeout=15_000)
    expect(tool.locator("h1")).to_have_text("Mes badges")


def _launched_url(embedding: Embedding) -> str:
    """The tool page the launch landed on (with its launch handle), as requested."""
    landed = embedding.recorder.requests("GET", "/lti/links/")
    assert landed, "the launch never reached the learner page"
    return f"{embedding.tool_url}{landed[-1].path}?{landed[-1].query}"


def test_a_learner_launches_and_submits_a_form_in_a_cross_site_iframe_without_cookies(
    page: Page, embedding: Embedding
) -> None:
    _launch_nathan(page, embedding)
    tool = page.frame_locator("iframe[name=chemins]")
    expect(tool.locator("[data-role=learner]")).to_contain_text("Nathan")
    tool.get_by_label("English").check()
    tool.get_by_role("button", name="Enregistrer").click()
    expect(tool.get_by_role("status")).to_contain_text("Your choice is saved")
    expect(tool.locator("html")).to_have_attribute("lang", "en")

    posts = embedding.recorder.requests("POST", "/lti/links/")
    assert len(posts) == 1, "the form was not posted to the tool"
    assert posts[0].cookie is None, f"the framed form POST carried cookies: {posts[0].cookie}"
    framed = [s for s in embedding.recorder.seen if s.path != PROBE_PATH]
    assert framed and all(s.cookie is None for s in framed), [
        (s.method, s.path, s.cookie) for s in framed if s.cookie
    ]
    assert embedding.launch_sessions() == 1

    assert_accessible(page)
    frame = next(f for f in page.frames if f.url.startswith(embedding.tool_url + "/lti/links/"))
    assert_accessible(frame)  # type: ignore[arg-type]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the course page overflows a 360 px screen ({width}px)"


def test_the_login_keeps_its_state_in_platform_storage_of_the_parent_frame(
    page: Page, embedding: Embedding
) -> None:
    _launch_nathan(page, embedding)
    messages = page.evaluate("window.demoLmsStorageLog")
    assert [m["subject"] for m in messages] == ["lti.put_data", "lti.get_data"]
    assert {m["origin"] for m in messages} == {embedding.tool_url}
    keys = {m["key"] for m in messages}
    assert len(keys) == 1 and keys.pop().startswith("lti_state_")
    # The platform's id_token POST was answered by the page that reads the state back,
    # which then posted the launch again with the value: two POSTs, one session.
    assert len(embedding.recorder.requests("POST", "/lti/launch")) == 2
    assert len(embedding.recorder.requests("POST", "/lti/login")) == 1
    assert embedding.launch_sessions() == 1


def test_without_an_answer_from_platform_storage_the_launch_stops_and_says_what_to_do(
    page: Page, embedding: Embedding
) -> None:
    page.goto(embedding.lms_url + "/essai/sans-stockage")
    tool = page.frame_locator("iframe[name=chemins]")
    expect(tool.get_by_role("alert")).to_contain_text("nouvelle fenêtre", timeout=30_000)
    assert embedding.launch_sessions() == 0
    frame = page.frame(name="chemins")
    assert frame is not None
    assert_accessible(frame)
    assert len(embedding.recorder.requests("POST", "/lti/launch")) == 1


def test_frame_ancestors_lets_the_registered_platform_frame_the_tool_and_no_other_origin(
    page: Page, embedding: Embedding
) -> None:
    _launch_nathan(page, embedding)
    url = _launched_url(embedding)

    refusals: list[str] = []
    page.on("console", lambda message: refusals.append(message.text))
    page.goto(f"{embedding.other_url}/?src={url}")
    intruder = page.frame_locator("iframe[name=intrus]")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not any("frame-ancestors" in r for r in refusals):
        page.wait_for_timeout(100)
    assert any("frame-ancestors" in r for r in refusals), refusals
    assert intruder.locator("[data-role]").count() == 0

    page.goto(f"{embedding.lms_url}/essai/cadre?src={url}")
    framed = page.frame_locator("iframe[name=outil]")
    expect(framed.locator("[data-role=learner]")).to_be_visible(timeout=15_000)


def test_the_platform_origin_is_the_only_frame_ancestor_of_a_launched_page(
    embedding: Embedding, page: Page
) -> None:
    _launch_nathan(page, embedding)
    policy = requests.get(_launched_url(embedding), timeout=10).headers["Content-Security-Policy"]
    ancestors = next(p for p in policy.split(";") if "frame-ancestors" in p).split()[1:]
    assert ancestors == [embedding.lms_url]
