"""The placed badge's page over real HTTP: the next step of each person with the badge.

A learner is offered "Ask for this badge", then follows their request, then holds it; a
trainer finds the award flow and the review queue instead of a form on the page.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from badges.models import BadgeRequest, Person
from badges.recognition.reviewing import accept
from badges.storage.database import transaction
from tests.lti_launches import LtiWorld
from tests.lti_tool.blueprints.learner.learner_journey import Person as Launched
from tests.lti_tool.blueprints.learner.learner_journey import ask, request_id_of
from tests.lti_tool.course_journey import (
    launch_placed,
    learner_values,
    place_graded_badge,
    publish_badge,
    trainer_spec_values,
)


def _next_step(page: str) -> str:
    found = re.search(
        r'<section aria-labelledby="[a-z-]+" class="next-step">(.*?)</section>', page, re.S
    )
    assert found, page
    return found.group(1)


def test_a_learner_asks_follows_then_holds_the_badge(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    placed = place_graded_badge(world, publish_badge(world, "Animer une web radio"))
    browser, outcome = launch_placed(world, placed, **learner_values(locale="en"))
    step = _next_step(outcome.page.text)
    assert 'data-held="no"' in step and f"/course/ask/{placed.badge_id}" in step

    nathan = Launched(world, browser, outcome.handle or "", outcome.page)
    request_id = request_id_of(ask(nathan, placed.badge_id))
    step = _next_step(browser.http.get(outcome.page.url, timeout=10).text)
    assert 'data-asked="open"' in step and f"/course/requests/{request_id}" in step
    assert "/course/ask/" not in step

    with transaction(world.runtime.sessions) as session:
        trainer = session.scalars(select(Person).where(Person.sub == "trainer-1")).one()
        accept(session, world.runtime, session.get(BadgeRequest, request_id), trainer)
    step = _next_step(browser.http.get(outcome.page.url, timeout=10).text)
    assert 'data-held="yes"' in step and "/course/ask/" not in step


def test_a_trainer_finds_the_award_flow_and_the_review_queue(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    placed = place_graded_badge(world, publish_badge(world, "Animer une web radio"))
    browser, outcome = launch_placed(world, placed, **trainer_spec_values(locale="en"))
    step = _next_step(outcome.page.text)

    assert f'data-award="{placed.badge_id}"' in step
    assert f"/trainer/award/{placed.badge_id}?" in step and "/trainer/requests?" in step
    assert "<form" not in outcome.page.text.split('id="badge-name"')[1].split("</article>")[0]
    for url in re.findall(r'href="(/trainer/[^"]+)"', step):
        followed = browser.http.get(world.tool_url + url.replace("&amp;", "&"), timeout=10)
        assert followed.status_code == 200, url
