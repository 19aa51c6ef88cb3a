"""The three Deep Linking destinations as launched people use them: the badge page and its
award form, the recognition wall, the endorsement board; who may award, and what each
launch may see (its course, its deployment's community, nothing else)."""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin

from sqlalchemy import func, select

from badges.courses import awards
from badges.models import (
    Assertion,
    BadgeClass,
    Community,
    Context,
    LaunchSession,
    Membership,
    Person,
    ScoreDelivery,
)
from badges.platforms.registering import PlatformFields, register_platform
from badges.recognition.badge_classes import AlignmentTarget, Level, create_family, publish_family
from badges.storage.database import transaction
from demo_lms.platform import MOODLE
from lti_tool.launch_handle import csrf_token_for
from tests.lti_launches import INSTRUCTOR, LEARNER, Browser, LtiWorld, Outcome
from tests.lti_tool.course_journey import (
    award_choice,
    award_page,
    award_to,
    launch_placed,
    learner_values,
    place_graded_badge,
    publish_badge,
    trainer_spec_values,
)

OTHER_COMMUNITY = "Maison des jeunes du Port"
SYLVIE = "sylvie@example.org"


def _launch(world: LtiWorld, target: str, client_id: str | None = None, **values) -> Outcome:
    custom = {"target": target, **values.pop("custom", {})}
    link = {"id": f"link-{target}", "title": target}
    spec = world.spec(**{"resource_link": link, "custom": custom, **values})
    outcome = Browser().launch(world.demo, client_id or world.moodle.client_id, spec)
    assert outcome.page is not None, outcome.launch.text
    return outcome


def _count(world: LtiWorld, model) -> int:  # type: ignore[no-untyped-def]
    with transaction(world.runtime.sessions) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _award_in_db(world: LtiWorld, badge_id: str, learner_sub: str) -> str:
    """An award by the trainer in course-1, through the same workflow the page calls."""
    with transaction(world.runtime.sessions) as session:
        context = session.scalars(select(Context).where(Context.context_id == "course-1")).first()
        trainer = session.scalars(select(Person).where(Person.sub == "trainer-1")).one()
        learner = session.scalars(select(Person).where(Person.sub == learner_sub)).one()
        done = awards.award_in_course(
            session,
            world.runtime,
            session.get(BadgeClass, badge_id),
            context,
            awarder=trainer,
            learner=learner,
        )
        return done.assertion_id


def _other_deployment(world: LtiWorld) -> str:
    """A second deployment on the same platform, owned by another community."""
    link = world.demo.add_tool(tool_origin=world.tool_url, style=MOODLE, deployment_id="7")
    with transaction(world.runtime.sessions) as session:
        register_platform(
            session,
            PlatformFields(
                issuer=world.demo_url,
                client_id=link.client_id,
                deployment_ids=("7",),
                auth_login_url=f"{world.demo_url}/lti/auth",
                auth_token_url=f"{world.demo_url}/services/token",
                jwks_url=f"{world.demo_url}/lti/certs",
                community=OTHER_COMMUNITY,
            ),
            world.runtime.instance.origin,
        )
    return link.client_id


def test_learners_see_the_badge_but_cannot_award_it(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    placed = place_graded_badge(world, publish_badge(world))
    browser, learner = launch_placed(world, placed, **learner_values())
    page = learner.page
    assert page.status_code == 200
    assert "Je soutiens" in page.text and "Avoir aidé quelqu'un" in html.unescape(page.text)
    assert "/trainer/award/" not in page.text
    with transaction(world.runtime.sessions) as session:
        nathan = session.scalars(select(Person).where(Person.sub == "learner-1")).one().id
        launched = session.scalars(select(LaunchSession.id)).all()[-1]
    with world.tool_app.app_context():
        csrf = csrf_token_for(launched)  # a well-formed form: only the role is wrong
    form = {"lh": learner.handle, "csrf_token": csrf, "learner": f"person:{nathan}"}

    refused = browser.http.post(
        urljoin(world.tool_url, f"/trainer/award/{placed.badge_id}"), data=form
    )

    assert refused.status_code == 403
    assert _count(world, Assertion) == 0
    assert _count(world, ScoreDelivery) == 0


def test_a_trainer_awards_a_roster_learner_who_never_opened_chemins(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    world.demo.state.add_context(
        "course-1",
        "Compétences du quotidien",
        [
            {"user_id": "ines", "roles": [LEARNER], "name": "Inès Haddad"},
            {"user_id": "trainer-1", "roles": [INSTRUCTOR], "name": "Camille Roux"},
        ],
    )
    placed = place_graded_badge(world, publish_badge(world))
    browser, trainer = launch_placed(world, placed, **trainer_spec_values(nrps=True))
    choose = award_page(world, browser, trainer.handle, placed.badge_id)
    assert award_choice(choose, "Inès Haddad") == "roster:ines"

    page = award_to(
        world, browser, trainer.handle, placed.badge_id, ["Inès Haddad"],
        narrative="A accueilli trois personnes.",
    )  # fmt: skip

    assert 'data-grade="sent"' in page.text, page.text
    (score,) = world.demo.state.scores
    assert score.user_id == "ines"
    with transaction(world.runtime.sessions) as session:
        ines = session.scalars(select(Person).where(Person.sub == "ines")).one()
        assert ines.name == "Inès Haddad"
        assert session.scalars(select(Membership).where(Membership.person_id == ines.id)).one()
        assertion = session.scalars(select(Assertion)).one()
        assert assertion.recipient_lti_sub == "ines"
        assert assertion.narrative == "A accueilli trois personnes."


def test_a_forged_learner_is_refused(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    placed = place_graded_badge(world, publish_badge(world))
    launch_placed(world, placed, **learner_values())
    browser, trainer = launch_placed(world, placed, **trainer_spec_values())
    with transaction(world.runtime.sessions) as session:
        launched = session.scalars(select(LaunchSession.id)).all()[-1]
    with world.tool_app.app_context():
        csrf = csrf_token_for(launched)
    url = urljoin(world.tool_url, f"/trainer/award/{placed.badge_id}")

    forged, outsider = (
        browser.http.post(url, data={"lh": trainer.handle, "csrf_token": csrf, "learner": value})
        for value in ("roster:someone-else", "person:not-a-member")
    )

    assert forged.status_code == outsider.status_code == 400
    assert _count(world, Assertion) == 0


def test_wall_and_board_show_the_course_badges_newest_first(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    first, second = publish_badge(world, "Je soutiens"), publish_badge(world, "J'explore")
    _launch(world, "recognition-wall", **trainer_spec_values(roles=[INSTRUCTOR]))
    _launch(world, "recognition-wall", **learner_values())
    _launch(
        world, "recognition-wall", **learner_values(user_id="sylvie", name="Sylvie", email=SYLVIE)
    )
    older = _award_in_db(world, first, "learner-1")
    newer = _award_in_db(world, second, "sylvie")

    wall = _launch(
        world, "recognition-wall", **learner_values(user_id="sylvie", name="Sylvie", email=SYLVIE)
    )
    board = _launch(
        world, "endorsement-board", **learner_values(user_id="sylvie", name="Sylvie", email=SYLVIE)
    )

    assert wall.page.status_code == 200
    shown = re.findall(r'data-assertion="([^"]+)"', wall.page.text)
    assert shown == [newer, older]
    assert f'href="/b/{newer}"' in wall.page.text and f'href="/b/{older}"' in wall.page.text
    assert "Nathan" not in wall.page.text  # names only when recipients made them public
    assert re.findall(r'data-assertion="([^"]+)"', board.page.text) == [older]
    assert 'data-endorsements="0"' in board.page.text


def test_another_deployment_sees_none_of_this_courses_data(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    badge_id = publish_badge(world)
    _launch(world, "recognition-wall", **trainer_spec_values(roles=[INSTRUCTOR]))
    _launch(world, "recognition-wall", **learner_values())
    _award_in_db(world, badge_id, "learner-1")
    other_client = _other_deployment(world)

    # Same platform, same learner sub, same course id: another deployment, another community.
    ask = _launch(world, "ask-badge", other_client, custom={"badge": badge_id}, **learner_values())
    wall = _launch(world, "recognition-wall", other_client, **learner_values())
    board = _launch(world, "endorsement-board", other_client, **learner_values())
    trainer = _launch(
        world, "ask-badge", other_client, custom={"badge": badge_id}, **trainer_spec_values()
    )

    assert ask.page.status_code == 404
    assert trainer.page.status_code == 404
    assert wall.page.status_code == board.page.status_code == 200
    assert "data-assertion" not in wall.page.text and 'data-empty="none"' in wall.page.text
    assert "data-assertion" not in board.page.text
    # The first deployment still sees its award.
    home = _launch(world, "recognition-wall", **learner_values())
    assert len(re.findall(r'data-assertion="', home.page.text)) == 1


def test_another_course_of_the_same_community_sees_none_of_it(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    badge_id = publish_badge(world)
    _launch(world, "recognition-wall", **trainer_spec_values(roles=[INSTRUCTOR]))
    _launch(world, "recognition-wall", **learner_values())
    _award_in_db(world, badge_id, "learner-1")
    elsewhere = {"id": "course-2", "title": "Autre cours"}

    wall = _launch(
        world, "recognition-wall", **learner_values(user_id="ines", email=None, context=elsewhere)
    )

    assert 'data-empty="none"' in wall.page.text


def test_the_badge_page_shows_family_level_skills_and_held_levels(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    skill = AlignmentTarget(
        "Travailler en équipe", "https://esco.example/T2", target_framework="ESCO"
    )
    with transaction(world.runtime.sessions) as session:
        community = session.scalars(select(Community)).first()
        levels = [Level(f"Niveau {n}", f"Critère {n}", alignments=[skill]) for n in (1, 2, 3)]
        family = publish_family(create_family(session, community, "Place aux jeunes", levels))
        first, second = (b.id for b in family.badge_classes[:2])
    _launch(world, "recognition-wall", **trainer_spec_values())
    _launch(world, "recognition-wall", **learner_values())
    _award_in_db(world, first, "learner-1")

    page = _launch(world, "ask-badge", custom={"badge": second}, **learner_values(locale="en"))

    text = html.unescape(page.page.text)
    assert page.page.status_code == 200
    assert "Place aux jeunes – J'explore" in text and "2 of 3" in text
    assert "Travailler en équipe" in text and "Critère 2" in text
    assert 'data-held="no"' in text
    assert re.search(r"Place aux jeunes – Je soutiens\s*<small class=\"status-valid\">", text)
    assert 'aria-current="true">Place aux jeunes – J\'explore' in text
