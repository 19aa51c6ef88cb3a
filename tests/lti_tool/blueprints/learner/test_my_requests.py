"""A learner's request over real HTTP: where it stands, the history, adding what a trainer
asked for, withdrawing after a confirmation; and who may open which of the learner
pages (a table: owner, peer, trainer, admin, trainer of another deployment, anonymous).
"""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
import requests
from markupsafe import escape
from sqlalchemy import select

from badges.models import BadgeRequest, Community, Evidence, Person
from badges.models.badge_request import CHANGES_REQUESTED, OPEN, UPDATED, WITHDRAWN
from badges.recognition.badge_classes import create_badge_class, publish
from badges.recognition.reviewing import accept, ask_to_improve, decline
from badges.storage.database import transaction
from tests.lti_launches import LtiWorld
from tests.lti_tool.blueprints.learner.learner_journey import (
    ask,
    launch,
    other_deployment,
    phone_jpeg,
    request_id_of,
    rows,
)

COMMENT = "Ajoute une phrase sur ce que tu as préparé avant l'émission."


def _badge(world: LtiWorld, name: str = "Animer une web radio") -> str:
    with transaction(world.runtime.sessions) as session:
        community = session.scalars(
            select(Community).where(Community.name == "Centre social des Tilleuls")
        ).one()
        return publish(
            create_badge_class(
                session, community, name=name, description="Radio.", criteria="Animer."
            )
        ).id


def _review(world: LtiWorld, request_id: str, step, *args) -> None:  # type: ignore[no-untyped-def]
    """A trainer's step on the request, through the reviewing workflow."""
    with transaction(world.runtime.sessions) as session:
        found = session.get(BadgeRequest, request_id)
        trainer = session.scalars(select(Person).where(Person.sub == "trainer-1")).one()
        if step is accept:
            accept(session, world.runtime, found, trainer)
        else:
            step(session, found, trainer, *args)


def _state(world: LtiWorld, request_id: str) -> str:
    with transaction(world.runtime.sessions) as session:
        return session.get(BadgeRequest, request_id).state


def test_the_trainer_asks_to_add_a_sentence_and_the_learner_does(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    badge_id = _badge(world)
    nathan = launch(world, "nathan", locale="en")
    launch(world, "claire")
    request_id = request_id_of(ask(nathan, badge_id))
    assert 'data-state="open"' in nathan.get(f"/course/requests/{request_id}").text

    _review(world, request_id, ask_to_improve, COMMENT)

    page = nathan.get(f"/course/requests/{request_id}")
    assert 'data-state="changes_requested"' in page.text
    assert 'class="trainer-comment"' in page.text and str(escape(COMMENT)) in page.text
    assert 'enctype="multipart/form-data"' in page.text
    home = nathan.get("/course/home")
    assert "The trainer asks you to add something" in home.text
    added = nathan.post(
        f"/course/requests/{request_id}",
        {"narrative": "Avant, j'ai préparé le conducteur avec Léa."},
        [("camera", ("IMG.jpg", phone_jpeg((300, 200)), "image/jpeg"))],
        form_from=f"/course/requests/{request_id}",
    )
    assert added.status_code == 303 and "done=updated" in added.headers["Location"]
    assert _state(world, request_id) == OPEN
    page = nathan.get(f"/course/requests/{request_id}")
    assert 'data-event="changes_requested"' in page.text and 'data-event="updated"' in page.text
    assert str(escape(COMMENT)) in page.text  # the history keeps the comment
    with transaction(world.runtime.sessions) as session:
        found = session.get(BadgeRequest, request_id)
        assert [e.kind for e in found.events][-1] == UPDATED
        assert len(found.evidence) == 3  # the first sentence, the new one, the photo

    # Once open again, the form is gone and a POST changes nothing.
    before = rows(world)
    again = nathan.post(
        f"/course/requests/{request_id}",
        {"narrative": "Encore."},
        form_from=f"/course/requests/{request_id}",
    )
    assert again.status_code == 409
    assert rows(world) == before


def test_a_refused_photo_in_an_update_keeps_the_request_as_it_was(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    badge_id = _badge(world)
    nathan = launch(world, "nathan", locale="en")
    launch(world, "claire")
    request_id = request_id_of(ask(nathan, badge_id))
    _review(world, request_id, ask_to_improve, COMMENT)
    before = rows(world)

    refused = nathan.post(
        f"/course/requests/{request_id}",
        {"narrative": "Mon ajout."},
        [("photos", ("photo.jpg", b"pas une image", "image/jpeg"))],
        form_from=f"/course/requests/{request_id}",
    )

    assert refused.status_code == 400 and 'role="alert"' in refused.text
    assert "Mon ajout." in refused.text
    assert rows(world) == before and _state(world, request_id) == CHANGES_REQUESTED


def test_withdrawing_asks_first(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    badge_id = _badge(world)
    nathan = launch(world, "nathan", locale="en")
    request_id = request_id_of(ask(nathan, badge_id))
    path = f"/course/requests/{request_id}/withdraw"

    question = nathan.post(path, form_from=f"/course/requests/{request_id}")
    assert question.status_code == 200
    assert 'name="confirm" value="yes"' in question.text
    assert _state(world, request_id) == OPEN

    done = nathan.post(path, {"confirm": "yes"}, form_from=f"/course/requests/{request_id}")
    assert done.status_code == 303 and "done=withdrawn" in done.headers["Location"]
    assert _state(world, request_id) == WITHDRAWN
    assert 'data-state="withdrawn"' in nathan.get("/course/home").text
    # The badge can be asked for again.
    assert "/course/ask/" + badge_id in nathan.get("/course/home").text


def test_declined_and_accepted_requests_in_plain_words(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    radio, accueil = _badge(world), _badge(world, "Accueillir le public")
    nathan = launch(world, "nathan", locale="en")
    launch(world, "claire")
    first = request_id_of(ask(nathan, radio))
    second = request_id_of(ask(nathan, accueil))

    _review(world, first, accept)
    _review(world, second, decline, "Il manque une photo de l'accueil.")

    home = nathan.get("/course/home").text
    assert 'data-state="accepted"' in home
    assert "Not accepted: Il manque une photo de l&#39;accueil." in home
    accepted = nathan.get(f"/course/requests/{first}").text
    assert "See my badge" in accepted


def test_a_trainer_is_sent_to_the_review_page(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    badge_id = _badge(world)
    nathan = launch(world, "nathan")
    claire = launch(world, "claire")
    request_id = request_id_of(ask(nathan, badge_id))

    answer = requests.get(
        claire.url(f"/course/requests/{request_id}"),
        params={"lh": claire.handle},
        allow_redirects=False,
        timeout=10,
    )

    assert answer.status_code == 303
    assert f"/trainer/requests/{request_id}" in answer.headers["Location"]


# -- who may open what ------------------------------------------------------------------

#: Route → what each launch gets. "own": the owner's answer; peers, trainers of another
#: deployment find nothing (404); anonymous is 401; a trainer of the course is sent to
#: review (request page) or sees the photo (evidence file) but cannot act as the owner.
WHO = ("owner", "peer", "trainer", "admin", "other", "anonymous")
#: Each row lists the answers in the order of WHO.
TABLE = {
    ("GET", "request"): (200, 404, 303, 303, 404, 401),
    ("POST", "confirm"): (409, 404, 404, 404, 404, 401),
    ("POST", "withdraw"): (200, 404, 404, 404, 404, 401),
    ("POST", "update"): (409, 404, 303, 303, 404, 401),
    ("GET", "evidence"): (200, 404, 200, 200, 404, 401),
    ("POST", "visibility"): (303, 404, 404, 404, 404, 401),
    ("POST", "name"): (303, 404, 404, 404, 404, 401),
    ("GET", "ask"): (303, 200, 200, 200, 404, 401),
    ("GET", "home"): (200, 200, 200, 200, 200, 401),
}


@pytest.fixture(scope="module")
def table_world(shared_lti_world: LtiWorld):  # type: ignore[no-untyped-def]
    """Nathan's request (with a photo) and award, and one launch per kind of visitor."""
    world = shared_lti_world
    badge_id, held_id = _badge(world), _badge(world, "Accueillir le public")
    people = {
        "owner": launch(world, "nathan"),
        "peer": launch(world, "sylvie"),
        "trainer": launch(world, "claire"),
        "admin": launch(world, "admin"),
        "other": launch(world, "claire", client_id=other_deployment(world), user_id="claire-7"),
    }
    request_id = request_id_of(
        ask(people["owner"], badge_id, photos=[("p.jpg", phone_jpeg((40, 30)), "image/jpeg")])
    )
    awarded = request_id_of(ask(people["owner"], held_id))
    _review(world, awarded, accept)
    with transaction(world.runtime.sessions) as session:
        photo = session.scalars(
            select(Evidence.id).where(
                Evidence.request_id == request_id, Evidence.media_type.is_not(None)
            )
        ).one()
        assertion_id = session.get(BadgeRequest, awarded).assertion_id
    paths = {
        "request": f"/course/requests/{request_id}",
        "confirm": f"/course/requests/{request_id}/confirm",
        "withdraw": f"/course/requests/{request_id}/withdraw",
        "update": f"/course/requests/{request_id}",
        "evidence": f"/course/evidence/{photo}",
        "visibility": f"/course/evidence/{photo}/visibility",
        "name": f"/course/badges/{assertion_id}/name",
        "ask": f"/course/ask/{badge_id}",
        "home": "/course/home",
    }
    return world, people, paths


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("route", list(TABLE), ids=[f"{m}-{r}" for m, r in TABLE])
def test_who_may_open_the_learner_pages(table_world, route: tuple[str, str], who: str):  # type: ignore[no-untyped-def]
    world, people, paths = table_world
    method, name = route
    path = paths[name]
    expected = TABLE[route][WHO.index(who)]
    before = rows(world)
    if who == "anonymous":
        answer = requests.request(
            method, urljoin(world.tool_url, path), allow_redirects=False, timeout=10
        )
    elif method == "GET":
        answer = requests.get(urljoin(world.tool_url, path), params={"lh": people[who].handle},
                              allow_redirects=False, timeout=10)  # fmt: skip
    else:
        # The visibility forms would change something: post the value already stored.
        data = {"public": "no"} if name in ("visibility", "name") else {"narrative": "Essai."}
        answer = people[who].post(path, data)
    assert answer.status_code == expected, answer.text[:300]
    assert rows(world) == before  # nobody changed a request here
