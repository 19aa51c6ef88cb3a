"""Browser journeys: Playwright driving Debian's Chromium, axe-core in the same page.

The tool runs as a real HTTP server; its public origin (``CHEMINS_BASE_URL``) is the
server's own address so that every badge id it builds can be followed by the browser.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Frame, Page, sync_playwright

from badges.storage.instance import Instance
from badges.storage.migrate import upgrade
from badges.storage.runtime import Runtime
from demo_lms.course import create_course_app
from demo_lms.run import register_with_tool, tell_course_story
from tests.conftest import LOCAL_HOSTS
from tests.live_server import LiveServer, free_port

CHROMIUM = os.environ.get("CHEMINS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # Keep cross-site iframes in the page's renderer process. With out-of-process iframes,
    # Debian's newer Chromium and Playwright's driver race on frame attachment and the
    # driver aborts ("Assertion error" in frameAttached). Cookies stay partitioned by
    # site either way, so the third-party-cookie tests keep their meaning.
    "--disable-site-isolation-trials",
    "--disable-features=IsolateOrigins,site-per-process",
]
PHONE = {"width": 360, "height": 740}
HERE = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of this folder ``browser``, so that ``-m browser`` selects them.

    A ``pytestmark`` in a conftest reaches no module, and this hook sees every item of
    the session, so it marks those that live here; it runs before ``-m`` deselects.
    """
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test`, which installs it")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


#: The browser locale each language of the tool is checked with.
LOCALES = {"fr": "fr-FR", "en": "en-GB"}


def phone_context(browser: Browser, lang: str = "fr") -> BrowserContext:
    """A browser context the size of a small phone, preferring ``lang``."""
    return browser.new_context(viewport=PHONE, locale=LOCALES[lang])


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A page the size of a small phone (360 px wide), French first."""
    context = phone_context(browser)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def live_tool(tmp_path: Path) -> Iterator[LiveServer]:
    """The tool served over HTTP, with its base URL equal to its own address."""
    from lti_tool.app import create_app

    port = free_port()
    url = f"sqlite:///{tmp_path / 'chemins.db'}"
    upgrade(url)
    runtime = Runtime.open(
        Instance(tmp_path, url, "e2e-secret-" + "x" * 32, f"http://127.0.0.1:{port}")
    )
    server = LiveServer(
        create_app({"TESTING": True, "LTI_PRIVATE_PLATFORMS": LOCAL_HOSTS}, runtime=runtime),
        port=port,
    ).start()
    server.runtime = runtime  # type: ignore[attr-defined]
    yield server
    server.stop()
    runtime.engine.dispose()


@dataclass
class CourseWorld:
    """The tool and the demo course page, registered with each other, in this process.

    The tool is ``http://127.0.0.1:P1`` and the course ``http://localhost:P2``: two
    sites, as between a real LMS and the tool. Build it with :func:`course_world`,
    change the apps if a test needs to, then serve both with :func:`served`.
    """

    tool_url: str
    lms_url: str
    runtime: Runtime
    tool: Flask
    lms: Flask

    @property
    def tool_port(self) -> int:
        return int(self.tool_url.rsplit(":", 1)[1])

    @property
    def lms_port(self) -> int:
        return int(self.lms_url.rsplit(":", 1)[1])


def course_world(
    directory: Path, secret: str = "e2e-secret-" + "x" * 32, *, seeded: bool = False
) -> CourseWorld:
    """A fresh tool database under ``directory``, the demo course registered with it.

    ``seeded``: first the demo community, its badges and awards, as ``chemins demo``
    makes them before ``make run`` registers the course with it.
    """
    from badges.demo import seed_demo
    from lti_tool.app import create_app

    tool_url = f"http://127.0.0.1:{free_port()}"
    lms_url = f"http://localhost:{free_port()}"
    database = f"sqlite:///{directory / 'chemins.db'}"
    upgrade(database)
    runtime = Runtime.open(Instance(directory, database, secret, tool_url))
    if seeded:
        seed_demo(runtime)
    register_with_tool(lms_url, runtime)
    if seeded:
        tell_course_story(lms_url, runtime)
    tool = create_app({"TESTING": True, "LTI_PRIVATE_PLATFORMS": LOCAL_HOSTS}, runtime=runtime)
    return CourseWorld(tool_url, lms_url, runtime, tool, create_course_app(lms_url, tool_url))


@contextmanager
def served(world: CourseWorld, *more: LiveServer) -> Iterator[CourseWorld]:
    """Serve the tool, the course and ``more`` servers; stop them all afterwards."""
    servers = list(more)  # stopped (closed) even if they never started
    try:
        servers.append(LiveServer(world.tool, port=world.tool_port).start())
        servers.append(LiveServer(world.lms, port=world.lms_port).start())
        for server in more:
            server.start()
        yield world
    finally:
        for server in servers:
            server.stop()
        world.runtime.engine.dispose()


def assert_accessible(page: Page | Frame) -> None:
    """axe-core finds no violation on the page (or frame) as it is now."""
    results = Axe().run(page)  # type: ignore[arg-type]
    violations = results.response["violations"]
    assert not violations, results.generate_report()


def assert_fits_a_phone(page: Page) -> None:
    """Nothing makes the page scroll sideways on a 360 px screen."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} overflows a 360 px screen ({width}px)"
