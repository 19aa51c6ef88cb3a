"""Nathan asks for a badge with a photo from his phone, and gets it (issue 13's story).

Launched from the demo course in the browser, in French, on a 360 px phone: the trainer
places "Animer une web radio" with a grade; Nathan opens it, asks for it with a photo
(taken with GPS in its EXIF) in three screens; the trainer asks him to add a sentence;
he adds it to the same request; the trainer accepts; the badge is on Nathan's home and
the grade in the course gradebook. axe-core checks every page on the way.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from PIL import Image
from playwright.sync_api import Browser, Frame, Page, expect
from sqlalchemy import select

from badges.models import BadgeRequest, Evidence
from badges.storage.database import transaction
from tests.e2e.conftest import (
    CourseWorld,
    assert_accessible,
    assert_fits_a_phone,
    course_world,
    phone_context,
    served,
)
from tests.e2e.course_page import (
    TIMEOUT,
    launch_in_course,
    open_placed,
    place_by_deep_linking,
    tool_frame,
)

BADGE = "Animer une web radio"
NATHAN = "Ouvrir en tant que Nathan"
TRAINER = "Ouvrir en tant que formatrice (Camille)"


def _phone_photo() -> bytes:
    """A JPEG as a phone takes it: GPS position and camera model in its EXIF."""
    image = Image.new("RGB", (1600, 1200), (40, 90, 160))
    exif = Image.Exif()
    exif[0x0110] = "Phone 12"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (44.0, 24.0, 30.0)  # GPSLatitudeRef, GPSLatitude
    gps[3], gps[4] = "E", (0.0, 42.0, 10.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    assert b"Phone 12" in buffer.getvalue()
    return buffer.getvalue()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CourseWorld]:
    built = course_world(tmp_path_factory.mktemp("asking"), seeded=True)
    with served(built):
        yield built


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = phone_context(browser, "fr")
    yield context.new_page()
    context.close()


def _checked(page: Page, frame: Frame) -> None:
    """The page in the course frame has no axe violation and fits the phone."""
    frame.wait_for_load_state()
    assert_accessible(frame)
    assert_fits_a_phone(page)


def test_nathan_asks_with_a_photo_improves_and_receives_the_badge(
    phone: Page, world: CourseWorld
) -> None:
    lms = world.lms_url
    place_by_deep_linking(phone, lms, [BADGE], graded=(BADGE,))

    # 1. Nathan opens the placed badge from the course page: it says how to ask.
    page = open_placed(phone, lms, BADGE, "Nathan")
    tool = tool_frame(phone)
    expect(tool.locator("h1")).to_have_text(BADGE)
    _checked(phone, page)
    # 2. The form: a few sentences and a photo from the phone.
    tool.get_by_role("link", name="Demander ce badge").click()
    expect(tool.get_by_label("Racontez ce que vous avez fait")).to_be_visible(timeout=TIMEOUT)
    _checked(phone, page)
    tool.get_by_label("Racontez ce que vous avez fait").fill(
        "J'ai animé l'émission du mardi sur la web radio du collectif."
    )
    tool.get_by_label("Choisir des photos").set_input_files(
        [{"name": "IMG_0042.jpg", "mimeType": "image/jpeg", "buffer": _phone_photo()}]
    )
    tool.get_by_role("button", name="Envoyer ma demande").click()
    # 3. Sent: the request page says so and shows the photo.
    expect(tool.locator("[data-sent=yes]")).to_be_visible(timeout=TIMEOUT)
    expect(tool.get_by_role("img", name=re.compile("photo", re.I)).first).to_be_visible()
    _checked(phone, page)

    with transaction(world.runtime.sessions) as session:
        request = session.scalars(select(BadgeRequest)).all()
        request = next(r for r in request if r.badge_class.name == BADGE)
        assert request.state == "open"
        photo = next(e for e in request.evidence if e.is_photo)
        assert (
            b"Phone 12" not in photo.content and not Image.open(io.BytesIO(photo.content)).getexif()
        )
        assert not photo.public

    # The trainer finds it on their home and asks for a sentence more.
    page = launch_in_course(phone, lms, TRAINER)
    expect(tool.locator("[data-waiting]")).to_be_visible(timeout=TIMEOUT)
    _checked(phone, page)
    tool.locator("[data-waiting] a").click()
    expect(tool.locator("h1")).to_have_text("Demandes", timeout=TIMEOUT)
    _checked(phone, page)
    tool.get_by_role("link", name=f"{BADGE}, demandé par Nathan").click()
    expect(tool.get_by_role("img", name=re.compile("photo", re.I)).first).to_be_visible(
        timeout=TIMEOUT
    )
    _checked(phone, page)
    tool.get_by_label("Que doit ajouter ou changer la personne ? (obligatoire)").fill(
        "Pouvez-vous dire avec qui vous avez préparé l'émission ?"
    )
    tool.get_by_role("button", name="Envoyer à la personne").click()
    # The history now holds the question, and the answers wait for Nathan.
    expect(tool.get_by_role("button", name="Envoyer à la personne")).to_have_count(
        0, timeout=TIMEOUT
    )
    expect(tool.get_by_text("Pouvez-vous dire avec qui", exact=False).first).to_be_visible()
    _checked(phone, page)

    # Nathan sees the question on his home, opens his request and adds a sentence.
    page = launch_in_course(phone, lms, NATHAN)
    asked = tool.locator("li", has=tool.locator("[data-state=changes_requested]"))
    expect(asked).to_contain_text(BADGE, timeout=TIMEOUT)
    _checked(phone, page)
    asked.get_by_role("link", name=re.compile(BADGE)).first.click()
    expect(tool.get_by_role("button", name="Envoyer ce que j'ai ajouté")).to_be_visible(
        timeout=TIMEOUT
    )
    expect(tool.get_by_text("Pouvez-vous dire avec qui", exact=False).first).to_be_visible()
    _checked(phone, page)
    tool.get_by_label("Racontez ce que vous avez fait").fill("Je l'ai préparée avec Léa et Karim.")
    tool.get_by_role("button", name="Envoyer ce que j'ai ajouté").click()
    expect(tool.get_by_role("status")).to_be_visible(timeout=TIMEOUT)
    _checked(phone, page)

    # The trainer accepts, after a confirmation, and the grade goes to the gradebook.
    page = launch_in_course(phone, lms, TRAINER)
    tool.locator("[data-waiting] a").click()
    tool.get_by_role("link", name=f"{BADGE}, demandé par Nathan").click()
    expect(tool.get_by_text("Je l'ai préparée avec Léa et Karim.").first).to_be_visible(
        timeout=TIMEOUT
    )
    tool.get_by_role("button", name="Accepter et décerner le badge").click()
    expect(tool.get_by_role("button", name="Oui, décerner le badge")).to_be_visible(timeout=TIMEOUT)
    _checked(phone, page)
    tool.get_by_role("button", name="Oui, décerner le badge").click()
    expect(tool.locator("[data-awarded]")).to_be_visible(timeout=TIMEOUT)
    _checked(phone, page)

    # Nathan's home shows the badge; the course gradebook shows his grade.
    page = launch_in_course(phone, lms, NATHAN)
    expect(tool.locator(".held-badges [data-assertion]", has_text=BADGE)).to_be_visible(
        timeout=TIMEOUT
    )
    _checked(phone, page)
    phone.goto(lms + "/")
    gradebook = phone.get_by_role("table", name=BADGE)
    nathan = gradebook.get_by_role("row", name="Nathan")
    expect(nathan.get_by_role("cell")).to_have_text("100\u00a0/\u00a0100 (terminé)")

    with transaction(world.runtime.sessions) as session:
        request = session.get(BadgeRequest, request.id)
        assert request.state == "accepted" and request.assertion_id
        kinds = [event.kind for event in request.events]
        assert kinds == ["submitted", "changes_requested", "updated", "accepted"]
        given = session.scalars(select(Evidence).where(Evidence.request_id == request.id)).all()
        assert {e.assertion_id for e in given} == {request.assertion_id}
