"""The navigation of a launch: the person's home first, the course's pages, the roster
for a trainer, their messages last.

Launched for real from the demo platform; the links are read from the landing page and
followed, carrying the launch handle as a person's clicks would.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urljoin

from tests.lti_launches import INSTRUCTOR, LEARNER, LIS, Browser, LtiWorld

ADMIN = LIS + "institution/person#Administrator"


def _nav_links(html: str) -> dict[str, str]:
    """Label → URL of the links in the launch navigation of ``html``."""
    nav = re.search(
        r'<nav aria-label="[^"]*" class="course-nav launch-nav">(.*?)</nav>', html, re.S
    )
    if nav is None:
        return {}
    return {
        label: unescape(href)
        for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav.group(1))
    }


def _landing(world: LtiWorld, user_id: str, roles: list[str]) -> tuple[Browser, str]:
    world.demo.state.add_context(
        "course-1",
        "Compétences du quotidien",
        [
            {"user_id": "learner-1", "roles": [LEARNER]},
            {"user_id": "trainer-1", "roles": [INSTRUCTOR]},
        ],
    )
    browser = Browser()
    outcome = browser.launch(
        world.demo, world.moodle.client_id, world.spec(user_id=user_id, roles=roles, nrps=True)
    )
    assert outcome.page is not None and outcome.page.status_code == 200, outcome.launch.text
    english = browser.http.get(outcome.page.url + "&lang=en", timeout=10)
    return browser, english.text


def test_a_trainer_reaches_the_roster_from_the_activity(sqlite_lti_world: LtiWorld) -> None:
    world = sqlite_lti_world
    browser, html = _landing(world, "trainer-1", [INSTRUCTOR])
    links = _nav_links(html)
    assert list(links) == [
        "Home",
        "Recognition wall",
        "Endorsement board",
        "Participants",
        "Notifications (0)",
    ]
    assert links["Home"].startswith("/trainer/?")
    for url in links.values():
        assert "lh=" in url  # each link carries the launch, as in a frame without cookies
        page = browser.http.get(urljoin(world.tool_url, url), timeout=10)
        assert page.status_code == 200, (url, page.text[:300])
    roster = browser.http.get(urljoin(world.tool_url, links["Participants"]), timeout=10)
    assert "<h1>Participants</h1>" in roster.text
    assert 'aria-current="page">Participants' in roster.text


def test_a_learner_sees_no_trainer_link(sqlite_lti_world: LtiWorld) -> None:
    world = sqlite_lti_world
    _browser, html = _landing(world, "learner-1", [LEARNER])
    links = _nav_links(html)
    assert list(links) == ["Home", "Recognition wall", "Endorsement board", "Notifications (0)"]
    assert links["Home"].startswith("/course/home?")
    assert 'aria-current="page">Home</a>' in html  # the landing page is the home
    assert "/trainer/roster" not in html


def test_a_platform_admin_also_reaches_platform_administration(
    sqlite_lti_world: LtiWorld,
) -> None:
    world = sqlite_lti_world
    browser, html = _landing(world, "admin-1", [ADMIN])
    links = _nav_links(html)
    assert list(links)[-2:] == ["Platform administration", "Notifications (0)"]
    page = browser.http.get(urljoin(world.tool_url, links["Platform administration"]), timeout=10)
    assert page.status_code == 200
