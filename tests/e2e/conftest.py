"""Browser journeys: Playwright driving Debian's Chromium, axe-core in the same page.

The tool runs as a real HTTP server; its public origin (``CHEMINS_BASE_URL``) is the
server's own address so that every badge id it builds can be followed by the browser.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from badges.instance import Instance
from badges.migrate import upgrade
from badges.runtime import Runtime
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


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A page the size of a small phone (360 px wide), French first."""
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
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
    server = LiveServer(create_app({"TESTING": True}, runtime=runtime), port=port).start()
    server.runtime = runtime  # type: ignore[attr-defined]
    yield server
    server.stop()
    runtime.engine.dispose()


def assert_accessible(page: Page) -> None:
    """axe-core finds no violation on the page as it is now."""
    results = Axe().run(page)
    violations = results.response["violations"]
    assert not violations, results.generate_report()
