"""``/course/notifications`` over HTTP: each person sees and marks only their own, in
plain words, with a link to where they act; the unread count for the homes."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from sqlalchemy import select

from badges.models import BadgeClass, Context, Notification, Person
from badges.recognition import notifying
from badges.recognition.requests import EvidenceGiven, request_badge
from badges.storage.database import transaction
from lti_tool.blueprints.learner.notifications import notification_count
from lti_tool.launch_handle import enter_launch, load_launch
from tests.lti_launches import Browser, LtiWorld, parse_form
from tests.lti_tool.course_journey import learner_values, publish_badge, trainer_spec_values

RADIO = "Animer une web radio"


class Launched:
    """A person launched from the course: their browser and launch handle."""

    def __init__(self, world: LtiWorld, **values: object) -> None:
        self.world = world
        self.browser = Browser()
        outcome = self.browser.launch(world.demo, world.moodle.client_id, world.spec(**values))
        assert outcome.handle, outcome.launch.text[:300]
        self.handle = outcome.handle

    def get(self, path: str, **params: str):  # type: ignore[no-untyped-def]
        return self.browser.http.get(
            f"{self.world.tool_url}{path}", params={"lh": self.handle, **params}, timeout=10
        )


def _person(world: LtiWorld, sub: str) -> str:
    with transaction(world.runtime.sessions) as session:
        return session.scalars(select(Person.id).where(Person.sub == sub)).one()


def _ask(world: LtiWorld, badge_id: str, sub: str) -> str:
    with transaction(world.runtime.sessions) as session:
        context = session.scalars(select(Context).where(Context.context_id == "course-1")).one()
        person = session.scalars(select(Person).where(Person.sub == sub)).one()
        return request_badge(
            session,
            session.get(BadgeClass, badge_id),
            person,
            context,
            EvidenceGiven(narrative="Chez Léa, le mardi."),
        ).id


def _notify(world: LtiWorld, sub: str, kind: str, **about: str) -> int:
    with transaction(world.runtime.sessions) as session:
        row = notifying.notify(session, _person(world, sub), kind, **about)
        session.flush()
        return row.id


@pytest.fixture
def course(sqlite_lti_world: LtiWorld):  # type: ignore[no-untyped-def]
    """Nathan, Sylvie and their trainer launched; Nathan asked for the web radio badge
    (the trainer is told), then heard it was accepted; Sylvie's badge was withdrawn."""
    world = sqlite_lti_world
    people = {
        "trainer": Launched(world, **trainer_spec_values()),
        "nathan": Launched(world, **learner_values()),
        "sylvie": Launched(
            world, **learner_values(user_id="learner-2", name="Sylvie", email="s@example.org")
        ),
    }
    badge_id = publish_badge(world, RADIO)
    request_id = _ask(world, badge_id, "learner-1")
    _notify(world, "learner-1", notifying.REQUEST_ACCEPTED, request_id=request_id)
    _notify(world, "learner-2", notifying.BADGE_REVOKED, badge_class_id=badge_id)
    return world, people, badge_id, request_id


def test_a_learner_reads_their_news_in_plain_words(course) -> None:  # type: ignore[no-untyped-def]
    world, people, _badge_id, request_id = course

    page = people["nathan"].get("/course/notifications", lang="en")

    assert page.status_code == 200
    assert "<h1>Notifications</h1>" in page.text
    assert f"Your request for the badge “{RADIO}” was accepted: the badge is yours." in page.text
    assert "1 new notification." in page.text
    assert "withdrawn" not in page.text  # Sylvie's news
    assert "asks for" not in page.text  # the trainer's
    if "learner.request" in world.tool_app.view_functions:
        assert f"/course/requests/{request_id}?lh=" in page.text
    assert "Back to my home page" in page.text


def test_each_person_sees_only_their_own(course) -> None:  # type: ignore[no-untyped-def]
    world, people, _badge_id, request_id = course

    trainer = people["trainer"].get("/course/notifications", lang="en")
    sylvie = people["sylvie"].get("/course/notifications", lang="en")

    assert f"Nathan Martin asks for the badge “{RADIO}”." in trainer.text
    assert "Chez Léa" not in trainer.text  # the evidence is the request page's
    assert "accepted" not in trainer.text
    if "trainer.review" in world.tool_app.view_functions:
        assert f"/trainer/requests/{request_id}?lh=" in trainer.text
    assert f"The badge “{RADIO}” was withdrawn from you." in sylvie.text
    assert "Nathan" not in sylvie.text


def test_the_page_speaks_french_by_default(course) -> None:  # type: ignore[no-untyped-def]
    _world, people, _badge_id, _request_id = course

    page = people["nathan"].get("/course/notifications")

    assert page.status_code == 200
    assert '<html lang="fr">' in page.text
    assert f"« {RADIO} »" in page.text or f"“{RADIO}”" in page.text


def test_mark_all_as_read_touches_only_the_persons_own(course) -> None:  # type: ignore[no-untyped-def]
    world, people, _badge_id, _request_id = course
    nathan = people["nathan"]
    form = parse_form(nathan.get("/course/notifications", lang="en").text)
    assert form.method == "post" and form.action

    answer = nathan.browser.http.post(
        urljoin(world.tool_url, form.action), data=form.fields, allow_redirects=False, timeout=10
    )

    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/course/notifications?lh={nathan.handle}")
    after = nathan.get("/course/notifications", lang="en")
    assert "new notification" not in after.text and "Mark all as read" not in after.text
    assert f"“{RADIO}” was accepted" in after.text  # still listed, read
    with transaction(world.runtime.sessions) as session:
        unread = {
            sub: notifying.unread_count(session, _person(world, sub))
            for sub in ("learner-1", "learner-2", "trainer-1")
        }
    assert unread == {"learner-1": 0, "learner-2": 1, "trainer-1": 1}


def test_marking_read_needs_the_forms_token(course) -> None:  # type: ignore[no-untyped-def]
    world, people, _badge_id, _request_id = course
    nathan, sylvie = people["nathan"], people["sylvie"]
    url = f"{world.tool_url}/course/notifications/read"
    theirs = parse_form(sylvie.get("/course/notifications", lang="en").text).fields

    missing = nathan.browser.http.post(url, data={"lh": nathan.handle}, timeout=10)
    wrong = nathan.browser.http.post(
        url, data={**theirs, "lh": nathan.handle}, allow_redirects=False, timeout=10
    )

    assert missing.status_code == 400
    assert wrong.status_code == 400
    with transaction(world.runtime.sessions) as session:
        assert (
            session.scalars(select(Notification).where(Notification.read_at.isnot(None))).all()
            == []
        )


def test_names_and_badges_are_shown_as_text(course) -> None:  # type: ignore[no-untyped-def]
    world, people, badge_id, _request_id = course
    with transaction(world.runtime.sessions) as session:
        session.get(BadgeClass, badge_id).name = '<script>alert("x")</script>'

    page = people["nathan"].get("/course/notifications", lang="en")

    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text


def test_without_news_the_page_says_so_and_leads_home(sqlite_lti_world: LtiWorld) -> None:
    outsider = Launched(sqlite_lti_world, **learner_values(user_id="learner-9"))

    page = outsider.get("/course/notifications", lang="en")

    assert page.status_code == 200
    assert 'data-empty="none"' in page.text and "<form" not in page.text.split("<main")[1]
    assert "Back to my home page" in page.text


def test_the_count_for_the_homes_is_the_launched_persons_unread(course) -> None:  # type: ignore[no-untyped-def]
    world, people, _badge_id, _request_id = course
    app = world.tool_app
    with app.test_request_context("/"):
        assert notification_count() == 0  # outside a launch
    counts = {}
    for name, person in people.items():
        with app.test_request_context("/"):
            enter_launch(load_launch(person.handle))
            counts[name] = notification_count()
    assert counts == {"trainer": 1, "nathan": 1, "sylvie": 1}
    _notify(world, "learner-1", notifying.BADGE_AWARDED)
    with app.test_request_context("/"):
        enter_launch(load_launch(people["nathan"].handle))
        assert notification_count() == 2
    assert app.jinja_env.globals["notification_count"] is notification_count
