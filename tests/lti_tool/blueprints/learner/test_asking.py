"""Asking for a badge over real HTTP: a phone photo, no cookie, hostile input, helpers.

Launched for real from the demo platform; every form is posted as a page in an LMS
iframe without third-party cookies posts it (handle and token in the multipart form).
"""

from __future__ import annotations

import html
import io
import os
import re
import zlib
from urllib.parse import urljoin

import pytest
import requests
from PIL import ExifTags, Image
from sqlalchemy import select

from badges.models import BadgeRequest, Community
from badges.models.badge_request import OPEN, TO_CONFIRM
from badges.recognition.badge_classes import create_badge_class
from badges.storage.database import transaction
from tests.lti_launches import Browser, LtiWorld, parse_form
from tests.lti_tool.blueprints.learner.learner_journey import (
    OTHER_COMMUNITY,
    ask,
    launch,
    other_deployment,
    person_id,
    phone_jpeg,
    request_id_of,
    rows,
)
from tests.lti_tool.course_journey import (
    launch_placed,
    learner_values,
    place_graded_badge,
    publish_badge,
)

RADIO = "Animer une web radio"
SCRIPT = "<script>alert('chemins')</script>"


def _badge(world: LtiWorld, name: str = RADIO, status: str = "published", **kw: str) -> str:
    with transaction(world.runtime.sessions) as session:
        community = session.scalars(
            select(Community).where(
                Community.name == kw.get("community", "Centre social des Tilleuls")
            )
        ).one()
        badge = create_badge_class(
            session,
            community,
            name=name,
            description=f"{name}.",
            criteria="Avoir animé une émission.",
        )
        badge.status = status
        session.flush()
        return badge.id


def _request(world: LtiWorld, request_id: str) -> BadgeRequest:
    with transaction(world.runtime.sessions) as session:
        found = session.get(BadgeRequest, request_id)
        assert found is not None
        for item in found.evidence:
            _ = item.content  # loaded while the session is open
        _ = found.events
        return found


def test_a_learner_asks_with_a_phone_photo_without_any_cookie(lti_world: LtiWorld):
    world = lti_world
    badge_id = _badge(world)
    nathan = launch(world, "nathan")

    page = nathan.get(f"/course/ask/{badge_id}")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    assert 'accept="image/*" capture="environment"' in page.text
    assert 'name="lh"' in page.text and 'name="csrf_token"' in page.text
    sent = ask(nathan, badge_id, photos=[("DSC0001.jpg", phone_jpeg(), "image/jpeg")],
               caption="Au micro", link="https://radio.example/mardi")  # fmt: skip

    request_id = request_id_of(sent)
    assert "sent=1" in sent.headers["Location"]
    shown = requests.get(urljoin(world.tool_url, sent.headers["Location"]), timeout=10)
    assert shown.status_code == 200 and 'data-sent="yes"' in shown.text
    found = _request(world, request_id)
    assert found.state == OPEN
    sentence, link, photo = found.evidence
    assert sentence.narrative.startswith("J'ai animé") and link.url == "https://radio.example/mardi"
    assert not any(item.public for item in found.evidence)  # private by default
    assert photo.media_type == "image/jpeg" and photo.name == "Au micro"
    stored = Image.open(io.BytesIO(photo.content))
    assert stored.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert b"PhoneMaker" not in photo.content
    assert f"/course/evidence/{photo.id}" in shown.text


@pytest.mark.parametrize(
    ("name", "data", "media_type", "message"),
    [
        ("photo.jpg", b"Ceci n'est pas une photo.\n" * 20, "image/jpeg", "not a photo we can open"),
        (
            "dessin.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/svg+xml",
            "not a photo we can open",
        ),
        (
            "heic.jpg",
            b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64,
            "image/jpeg",
            "format is not accepted",
        ),
        ("enorme.jpg", os.urandom(16 * 1024 * 1024), "image/jpeg", "This photo is too big"),
    ],
    ids=["text-named-jpg", "svg-with-script", "heic", "over-15-mb"],
)
def test_a_refused_file_says_what_to_do_and_writes_nothing(
    sqlite_lti_world: LtiWorld, name: str, data: bytes, media_type: str, message: str
):
    world = sqlite_lti_world
    badge_id = _badge(world)
    nathan = launch(world, "nathan", locale="en")
    before = rows(world)

    answer = ask(
        nathan, badge_id, narrative="Ce que j'ai tapé reste là.", photos=[(name, data, media_type)]
    )

    assert answer.status_code == 400
    assert 'role="alert"' in answer.text and message in html.unescape(answer.text)
    assert "Ce que j&#39;ai tapé reste là." in answer.text  # what was typed is kept
    assert "<script>alert(1)" not in answer.text
    assert rows(world) == before


def _bomb() -> bytes:
    """A 40-something KB PNG that declares 30000×30000 pixels (a decompression bomb)."""
    width = height = 30000
    raw = zlib.compress(b"\x00" * (width // 8 + 1) * 64, 9)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (len(body).to_bytes(4, "big") + kind + body
                + zlib.crc32(kind + body).to_bytes(4, "big"))  # fmt: skip

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def test_a_decompression_bomb_is_refused_before_decoding(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    badge_id = _badge(world)
    nathan = launch(world, "nathan", locale="en")
    before = rows(world)

    answer = ask(nathan, badge_id, photos=[("bombe.png", _bomb(), "image/png")])

    assert answer.status_code == 400
    assert "too big to open" in answer.text
    assert rows(world) == before


def test_an_upload_over_the_limit_is_a_translated_413_page(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    badge_id = _badge(world)
    nathan = launch(world, "nathan")
    fields = nathan.fields(f"/course/ask/{badge_id}")
    before = rows(world)
    too_much = [
        ("photos", (f"p{n}.jpg", os.urandom(14 * 1024 * 1024), "image/jpeg")) for n in range(3)
    ]

    try:
        answer = requests.post(
            nathan.url(f"/course/ask/{badge_id}"),
            data={**fields, "narrative": "Trois grosses photos."},
            files=too_much,
            headers={"Accept-Language": "fr"},
            timeout=60,
        )
    except requests.ConnectionError:  # pragma: no cover - a server may close while we send
        pytest.fail("the server closed the connection instead of answering 413")

    assert answer.status_code == 413
    # In French (the launch's language), saying what to do about the photos.
    assert '<html lang="fr">' in answer.text
    assert "trop volumineux" in answer.text and "photos" in answer.text
    assert rows(world) == before


def test_script_in_every_field_is_shown_as_text(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    badge_id = _badge(world, name=f"Radio {SCRIPT}")
    nathan = launch(world, "nathan")

    sent = ask(nathan, badge_id, narrative=SCRIPT, caption=SCRIPT,
               link=f"https://radio.example/?q={SCRIPT}",
               photos=[("p.jpg", phone_jpeg((64, 48)), "image/jpeg")])  # fmt: skip

    request_id = request_id_of(sent)
    for path in (f"/course/requests/{request_id}", "/course/home", f"/course/ask/{badge_id}"):
        page = nathan.get(path)
        assert page.status_code in (200, 303), path
        if page.status_code == 200:
            assert "<script>alert" not in page.text, path
            assert "&lt;script&gt;" in page.text, path


@pytest.mark.parametrize("which", ["archived", "draft", "proposed", "other-community", "unknown"])
def test_only_a_published_badge_of_this_community_can_be_asked(
    sqlite_lti_world: LtiWorld, which: str
):
    world = sqlite_lti_world
    if which == "other-community":
        other_deployment(world)
        badge_id = _badge(world, community=OTHER_COMMUNITY)
    elif which == "unknown":
        badge_id = "00000000-0000-0000-0000-000000000000"
    else:
        badge_id = _badge(world, status=which)
    nathan = launch(world, "nathan")
    fields = nathan.fields("/course/home")
    before = rows(world)

    assert nathan.get(f"/course/ask/{badge_id}").status_code == 404
    posted = requests.post(
        nathan.url(f"/course/ask/{badge_id}"),
        data={**fields, "narrative": "Je demande quand même."},
        files=[("photos", ("p.jpg", phone_jpeg((32, 32)), "image/jpeg"))],
        timeout=20,
    )
    assert posted.status_code == 404
    assert rows(world) == before


def test_asking_needs_a_course(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    badge_id = _badge(world)
    spec = world.spec(user_id="learner-9", context=None, locale="en")
    outcome = Browser().launch(world.demo, world.moodle.client_id, spec)
    assert outcome.handle, outcome.launch.text[:500]

    answer = requests.get(
        urljoin(world.tool_url, f"/course/ask/{badge_id}"),
        params={"lh": outcome.handle},
        timeout=10,
    )

    assert answer.status_code == 400
    assert 'role="alert"' in answer.text and "from your course" in answer.text


def test_asking_twice_leads_to_the_same_request_and_a_held_badge_is_said(
    sqlite_lti_world: LtiWorld,
):
    world = sqlite_lti_world
    badge_id = _badge(world)
    nathan = launch(world, "nathan", locale="en")
    first = request_id_of(ask(nathan, badge_id))

    again = nathan.get(f"/course/ask/{badge_id}")
    assert again.history and again.history[0].status_code == 303
    assert f"/course/requests/{first}" in again.url
    before = rows(world)
    assert request_id_of(ask(nathan, badge_id)) == first
    assert rows(world) == before


def test_three_screens_from_the_placed_badge_to_a_sent_request(sqlite_lti_world: LtiWorld):
    world = sqlite_lti_world
    placed = place_graded_badge(world, publish_badge(world, RADIO))
    _browser, outcome = launch_placed(world, placed, **learner_values())
    badge_page = outcome.page  # screen 1: the activity of the course
    assert badge_page is not None and badge_page.status_code == 200
    found = re.search(r'<a class="button" href="([^"]*/course/ask/[^"]+)">', badge_page.text)
    assert found, badge_page.text
    cookieless = requests.Session()
    form_page = cookieless.get(urljoin(world.tool_url, html.unescape(found.group(1))), timeout=10)
    assert form_page.status_code == 200  # screen 2: the form
    form = parse_form(form_page.text)
    sent = cookieless.post(
        urljoin(world.tool_url, html.unescape(form.action or "")),
        data={**form.fields, "narrative": "J'ai animé l'émission."},
        files=[("camera", ("IMG.jpg", phone_jpeg((800, 600)), "image/jpeg"))],
        timeout=20,
    )
    assert sent.status_code == 200  # screen 3: sent
    assert 'data-sent="yes"' in sent.text
    assert not cookieless.cookies


# -- accompanied mode ------------------------------------------------------------------


def test_a_trainer_fills_a_request_with_nathan_who_confirms_it(lti_world: LtiWorld):
    world = lti_world
    badge_id = _badge(world)
    nathan = launch(world, "nathan", locale="en")
    claire = launch(world, "claire", locale="en")
    nathan_id = person_id(world, "learner-1")

    form = claire.get(f"/course/ask/{badge_id}", **{"for": nathan_id})
    assert form.status_code == 200
    assert "with and for Nathan Martin" in form.text
    assert f'name="for" value="{nathan_id}"' in form.text
    fields = claire.fields(f"/course/ask/{badge_id}", **{"for": nathan_id})
    sent = requests.post(
        claire.url(f"/course/ask/{badge_id}"),
        data={**fields, "for": nathan_id, "narrative": "Nathan a animé l'émission."},
        allow_redirects=False,
        timeout=20,
    )
    assert sent.status_code == 303 and "/trainer/" in sent.headers["Location"]
    with transaction(world.runtime.sessions) as session:
        made = session.scalars(select(BadgeRequest)).one()
        assert made.state == TO_CONFIRM and made.person_id == nathan_id
        assert made.accompanied_by_id == person_id(world, "trainer-1")
        request_id = made.id

    # Asked again for the same person: the trainer is sent to that request's review.
    again = requests.get(
        claire.url(f"/course/ask/{badge_id}"),
        params={"lh": claire.handle, "for": nathan_id},
        allow_redirects=False,
        timeout=10,
    )
    assert again.status_code == 303
    assert f"/trainer/requests/{request_id}" in again.headers["Location"]

    home = nathan.get("/course/home")
    assert 'aria-labelledby="confirm-title"' in home.text
    assert "Nathan a animé l&#39;émission." in home.text
    confirmed = nathan.post(f"/course/requests/{request_id}/confirm")
    assert confirmed.status_code == 303 and "done=confirmed" in confirmed.headers["Location"]
    assert _request(world, request_id).state == OPEN
    assert "confirm-title" not in nathan.get("/course/home").text


@pytest.mark.parametrize("case", ["learner-for-peer", "person-outside-course", "unknown", "self"])
def test_only_a_trainer_fills_for_a_member_of_the_course(sqlite_lti_world: LtiWorld, case: str):
    world = sqlite_lti_world
    badge_id = _badge(world)
    nathan = launch(world, "nathan")
    launch(world, "sylvie", course="course-2")  # a person of another course
    claire = launch(world, "claire")
    target = {
        "learner-for-peer": person_id(world, "trainer-1"),
        "person-outside-course": person_id(world, "learner-2"),
        "unknown": "nobody",
        "self": person_id(world, "trainer-1"),
    }[case]
    actor = nathan if case == "learner-for-peer" else claire
    before = rows(world)

    assert actor.get(f"/course/ask/{badge_id}", **{"for": target}).status_code == 404
    fields = actor.fields("/course/home")
    posted = requests.post(
        actor.url(f"/course/ask/{badge_id}"),
        data={**fields, "for": target, "narrative": "Rempli pour quelqu'un."},
        timeout=20,
    )
    assert posted.status_code == 404
    assert rows(world) == before
