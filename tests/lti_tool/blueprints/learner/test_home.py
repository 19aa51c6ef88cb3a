"""The learner's home over real HTTP: what the placed activity opens for a learner.

Launched for real from the demo platform (``/lti/links/<id>`` shows the home, and so
does ``/course/home``): what waits for confirmation first, the badges held with the
name switch, the requests in plain words, what can still be asked (families as a path
in level order, never a draft or an archived badge), the language form.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from badges.courses import awards
from badges.models import BadgeClass, Community, Context, Person
from badges.recognition.badge_classes import (
    Level,
    create_badge_class,
    create_family,
    publish_family,
)
from badges.storage.database import transaction
from tests.lti_launches import LtiWorld
from tests.lti_tool.blueprints.learner.learner_journey import (
    ask,
    launch,
    person_id,
    request_id_of,
)

FAMILY = "ABC de la République"


def _badges(world: LtiWorld) -> dict[str, str]:
    """A single badge of each status, and a published family of three levels."""
    made: dict[str, str] = {}
    with transaction(world.runtime.sessions) as session:
        community = session.scalars(
            select(Community).where(Community.name == "Centre social des Tilleuls")
        ).one()
        for name, status in [
            ("Animer une web radio", "published"),
            ("Accueillir le public", "published"),
            ("Cuisiner pour un groupe", "published"),
            ("Badge en brouillon", "draft"),
            ("Badge archivé", "archived"),
        ]:
            badge = create_badge_class(
                session, community, name=name, description=f"{name}.",
                criteria=f"Ce que demande {name}.",
            )  # fmt: skip
            badge.status = status
            made[name] = badge.id
        levels = [Level(f"Niveau {n}", f"Critère du niveau {n}") for n in (1, 2, 3)]
        family = publish_family(create_family(session, community, FAMILY, levels))
        for member in family.badge_classes:
            made[f"level-{member.level}"] = member.id
        session.flush()
    return made


def _award(world: LtiWorld, badge_id: str) -> str:
    with transaction(world.runtime.sessions) as session:
        context = session.scalars(select(Context).where(Context.context_id == "course-1")).one()
        return awards.award_in_course(
            session,
            world.runtime,
            session.get(BadgeClass, badge_id),
            context,
            awarder=session.get(Person, person_id(world, "trainer-1")),
            learner=session.get(Person, person_id(world, "learner-1")),
        ).assertion_id


def test_the_activity_opens_the_learners_home(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    nathan = launch(world, "nathan", locale="en")

    page = nathan.page.text
    assert "/lti/links/" in nathan.page.url
    assert 'data-role="learner"' in page and "<h1>My badges</h1>" in page
    assert "Hello Nathan Martin." in page and "Compétences du quotidien" in page
    assert "You do not hold a badge here yet." in page
    assert 'data-form="language"' in page
    assert "will ask" not in page and "demanderez" not in page  # no promise in the future
    nav = re.search(
        r'<nav aria-label="[^"]*" class="course-nav launch-nav">(.*?)</nav>', page, re.S
    )
    assert nav and 'aria-current="page">Home</a>' in nav.group(1)
    same = nathan.get("/course/home")
    assert same.status_code == 200 and 'data-role="learner"' in same.text


def test_what_a_learner_holds_asks_and_can_still_ask(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    made = _badges(world)
    nathan = launch(world, "nathan", locale="en")
    launch(world, "claire")
    held = _award(world, made["Accueillir le public"])
    held_level = _award(world, made["level-1"])
    request_id = request_id_of(ask(nathan, made["Animer une web radio"]))

    page = nathan.get("/course/home").text

    held_part = page[page.index('id="held-title"') : page.index('id="requests-title"')]
    assert f'data-assertion="{held}"' in held_part and f'data-assertion="{held_level}"' in held_part
    requests_part = page[page.index('id="requests-title"') : page.index('id="offers-title"')]
    assert f'data-request="{request_id}"' in requests_part
    assert 'data-state="open"' in requests_part and "Waiting for a trainer" in requests_part
    offers = page[page.index('id="offers-title"') :]
    asking = re.findall(r"/course/ask/([0-9a-f-]{36})", offers)
    assert made["Cuisiner pour un groupe"] in asking
    assert made["Accueillir le public"] not in asking  # held
    assert made["Animer une web radio"] not in asking  # asked
    assert made["Badge en brouillon"] not in page and made["Badge archivé"] not in page
    assert "Badge en brouillon" not in page and "Badge archivé" not in page
    # The family as a path, in level order; the held first level says so.
    family = offers[offers.index(FAMILY) :]
    positions = [family.index(f'data-badge="{made[f"level-{n}"]}"') for n in (1, 2, 3)]
    assert positions == sorted(positions)
    assert asking.count(made["level-1"]) == 0
    assert made["level-2"] in asking and made["level-3"] in asking
    assert "Critère du niveau 2" in family
    assert "/course/propose" in offers


def test_what_waits_for_confirmation_comes_first(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    made = _badges(world)
    nathan = launch(world, "nathan", locale="en")
    claire = launch(world, "claire")
    nathan_id = person_id(world, "learner-1")
    claire.post(
        f"/course/ask/{made['Animer une web radio']}",
        {"for": nathan_id, "narrative": "Rempli avec <b>Nathan</b>."},
        form_from=f"/course/ask/{made['Animer une web radio']}?for={nathan_id}",
    )

    page = nathan.get("/course/home").text

    assert page.index('id="confirm-title"') < page.index('id="held-title"')
    assert "Rempli avec &lt;b&gt;Nathan&lt;/b&gt;." in page
    assert "Filled with Claire Formatrice." in page
    assert 'data-state="to_confirm"' in page


def test_the_notification_count_shows_on_the_home(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    made = _badges(world)
    nathan = launch(world, "nathan", locale="en")
    claire = launch(world, "claire")
    assert 'data-notifications="0"' in nathan.get("/course/home").text
    nathan_id = person_id(world, "learner-1")
    claire.post(
        f"/course/ask/{made['Animer une web radio']}",
        {"for": nathan_id, "narrative": "Rempli ensemble."},
        form_from=f"/course/ask/{made['Animer une web radio']}?for={nathan_id}",
    )

    page = nathan.get("/course/home").text

    assert 'data-notifications="1"' in page and "1 new message" in page
    assert "Notifications (1)" in page


def test_a_trainer_lands_on_the_trainer_home(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    claire = launch(world, "claire", locale="en")

    assert 'data-role="trainer"' in claire.page.text
    assert 'data-form="language"' in claire.page.text
    assert "<h1>My badges</h1>" not in claire.page.text
