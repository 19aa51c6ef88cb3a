"""Evidence photos over real HTTP: who gets the bytes, with which headers, and the owner
alone making a piece public (then private again) from the request page."""

from __future__ import annotations

import io

import pytest
import requests
from PIL import ExifTags, Image
from sqlalchemy import select

from badges.models import BadgeRequest, Community, Evidence
from badges.recognition.badge_classes import create_badge_class, publish
from badges.storage.database import transaction
from tests.lti_launches import LtiWorld
from tests.lti_tool.blueprints.learner.learner_journey import (
    ask,
    launch,
    other_deployment,
    phone_jpeg,
    request_id_of,
)


def _badge(world: LtiWorld) -> str:
    with transaction(world.runtime.sessions) as session:
        community = session.scalars(
            select(Community).where(Community.name == "Centre social des Tilleuls")
        ).one()
        return publish(
            create_badge_class(session, community, name="Radio", description="R.", criteria="R.")
        ).id


def _evidence(world: LtiWorld, request_id: str) -> list[Evidence]:
    with transaction(world.runtime.sessions) as session:
        return list(session.get(BadgeRequest, request_id).evidence)


@pytest.fixture
def asked(lti_world: LtiWorld):  # type: ignore[no-untyped-def]
    """Nathan asked with a sentence and a phone photo; Claire trains the course (both
    databases: the photo's bytes go through SQLite's BLOB and PostgreSQL's bytea)."""
    world = lti_world
    nathan = launch(world, "nathan", locale="en")
    claire = launch(world, "claire", locale="en")
    request_id = request_id_of(
        ask(nathan, _badge(world), photos=[("IMG.jpg", phone_jpeg((640, 480)), "image/jpeg")])
    )
    sentence, photo = _evidence(world, request_id)
    return world, nathan, claire, request_id, sentence.id, photo.id


def test_the_owner_and_the_course_trainer_get_the_photo_privately(asked):  # type: ignore[no-untyped-def]
    _world, nathan, claire, _request_id, _sentence, photo = asked

    for person in (nathan, claire):
        answer = person.get(f"/course/evidence/{photo}")
        assert answer.status_code == 200
        assert answer.headers["Content-Type"] == "image/jpeg"
        assert answer.headers["Cache-Control"] == "private, no-store"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Content-Disposition"] == "inline"
        picture = Image.open(io.BytesIO(answer.content))
        assert picture.size == (640, 480)
        assert picture.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}


def test_nobody_else_gets_the_photo(asked):  # type: ignore[no-untyped-def]
    world, nathan, _claire, _request_id, sentence, photo = asked
    sylvie = launch(world, "sylvie")
    stranger = launch(world, "claire", client_id=other_deployment(world), user_id="claire-7")

    assert sylvie.get(f"/course/evidence/{photo}").status_code == 404
    assert stranger.get(f"/course/evidence/{photo}").status_code == 404
    assert requests.get(nathan.url(f"/course/evidence/{photo}"), timeout=10).status_code == 401
    assert nathan.get(f"/course/evidence/{sentence}").status_code == 404  # not a photo
    assert nathan.get("/course/evidence/999999").status_code == 404


def test_the_owner_makes_a_piece_public_then_private(asked):  # type: ignore[no-untyped-def]
    world, nathan, _claire, request_id, _sentence, photo = asked
    page = nathan.get(f"/course/requests/{request_id}").text
    assert f'data-evidence="{photo}" data-public="no"' in page
    assert "Make public" in page and "once you have the badge" in page

    made = nathan.post(f"/course/evidence/{photo}/visibility", {"public": "yes"})
    assert made.status_code == 303 and "done=visibility" in made.headers["Location"]
    assert [e.public for e in _evidence(world, request_id)] == [False, True]
    page = nathan.get(f"/course/requests/{request_id}").text
    assert f'data-evidence="{photo}" data-public="yes"' in page

    nathan.post(f"/course/evidence/{photo}/visibility", {"public": "no"})
    assert [e.public for e in _evidence(world, request_id)] == [False, False]


@pytest.mark.parametrize("value", ["", "true", "1", "YES", "<script>"])
def test_a_visibility_other_than_yes_or_no_is_refused(asked, value: str):  # type: ignore[no-untyped-def]
    world, nathan, _claire, request_id, _sentence, photo = asked

    answer = nathan.post(f"/course/evidence/{photo}/visibility", {"public": value})

    assert answer.status_code == 400
    assert [e.public for e in _evidence(world, request_id)] == [False, False]


def test_a_trainer_cannot_publish_a_learners_evidence(asked):  # type: ignore[no-untyped-def]
    world, _nathan, claire, request_id, sentence, photo = asked

    for piece in (sentence, photo):
        assert (
            claire.post(f"/course/evidence/{piece}/visibility", {"public": "yes"}).status_code
            == 404
        )

    assert [e.public for e in _evidence(world, request_id)] == [False, False]
