"""A course over real HTTP for the trainer's pages: a graded badge, Nathan, Sylvie, a trainer.

The badge is placed as a graded activity by Deep Linking (the demo platform keeps its
gradebook column); Nathan and Sylvie launch it (they become people of the course); the
trainer launches it too and keeps their browser and launch handle. Requests are made
through the domain workflow (the learner's pages are tested with the learner audience);
everything the trainer does here goes through HTTP.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from urllib.parse import urljoin

import requests
from PIL import Image
from sqlalchemy import select

from badges.images.photos import process_photo
from badges.models import BadgeClass, Context, Person
from badges.recognition.requests import EvidenceGiven, request_badge
from badges.storage.database import transaction
from tests.lti_launches import Browser, LtiWorld, parse_form
from tests.lti_tool.course_journey import (
    COURSE,
    launch_placed,
    learner_values,
    place_graded_badge,
    publish_badge,
    trainer_spec_values,
)

SYLVIE = {"user_id": "learner-2", "name": "Sylvie Petit", "email": "sylvie@example.org"}


@dataclass
class TrainerCourse:
    world: LtiWorld
    badge_id: str
    browser: Browser
    handle: str
    nathan_handle: str
    nathan_browser: Browser

    def url(self, path: str) -> str:
        return urljoin(self.world.tool_url, path)

    def get(self, path: str, handle: str | None = None, **params: str) -> requests.Response:
        query = {"lh": handle or self.handle, "lang": "en", **params}
        return self.browser.http.get(self.url(path), params=query, timeout=10)

    def post(
        self,
        path: str,
        data: dict[str, str] | list[tuple[str, str]] | None = None,
        *,
        follow: bool = True,
    ) -> requests.Response:
        """A form of the trainer's launch (handle and CSRF token of their own session)."""
        fields = [("lh", self.handle), ("csrf_token", self.csrf)]
        items = list(data.items()) if isinstance(data, dict) else list(data or [])
        return self.browser.http.post(
            self.url(path) + "?lang=en", data=fields + items, timeout=10, allow_redirects=follow
        )

    @property
    def csrf(self) -> str:
        return csrf_of(self.get("/trainer/"))

    def person_id(self, sub: str) -> str:
        with transaction(self.world.runtime.sessions) as session:
            return session.scalars(select(Person.id).where(Person.sub == sub)).one()


def csrf_of(page: requests.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text[:800]
    return found.group(1)


def photo_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 60, 20)).save(buffer, "JPEG")
    return buffer.getvalue()


def make_course(world: LtiWorld) -> TrainerCourse:
    placed = place_graded_badge(world, publish_badge(world, "Animer une web radio"))
    nathan_browser, nathan = launch_placed(world, placed, **learner_values())
    launch_placed(world, placed, **learner_values(**SYLVIE))
    browser, trainer = launch_placed(world, placed, **trainer_spec_values())
    assert trainer.handle and nathan.handle
    return TrainerCourse(
        world, placed.badge_id, browser, trainer.handle, nathan.handle, nathan_browser
    )


SAID = "J'ai animé l'émission du mardi."


def ask(course: TrainerCourse, sub: str = "learner-1", narrative: str = SAID,
        photo: bool = True) -> str:  # fmt: skip
    """A request of the placed badge by ``sub``, with a sentence, a link and a photo."""
    given = EvidenceGiven(
        narrative=narrative,
        links=["https://radio.example/mardi"],
        photos=[process_photo(photo_bytes())] if photo else [],
        captions=["Le studio"] if photo else [],
    )
    with transaction(course.world.runtime.sessions) as session:
        context = session.scalars(select(Context).where(Context.context_id == COURSE)).first()
        person = session.scalars(select(Person).where(Person.sub == sub)).one()
        return request_badge(
            session, session.get(BadgeClass, course.badge_id), person, context, given
        ).id


def first_form_fields(page: requests.Response) -> dict[str, str]:
    return parse_form(page.text).fields
