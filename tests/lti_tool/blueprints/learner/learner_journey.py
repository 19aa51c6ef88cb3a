"""Steps of the learner's journey over real HTTP: launch, ask with photos, follow up.

Each person is a :class:`Person` with their own browser (cookie jar) and launch handle;
forms are posted the way a page in an LMS iframe without third-party cookies posts
them: the handle and the CSRF token in the form, no cookie sent (``cookieless``).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import requests
from PIL import ExifTags, Image
from sqlalchemy import func, select

from badges.models import BadgeRequest, Evidence, RequestEvent
from badges.models import Person as PersonRow
from badges.platforms.registering import PlatformFields, register_platform
from badges.storage.database import transaction
from demo_lms.platform import MOODLE
from tests.lti_launches import INSTRUCTOR, LEARNER, LIS, Browser, LtiWorld, parse_form

GPS = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 7.0)}
OTHER_COMMUNITY = "Maison des jeunes du Port"
PEOPLE: dict[str, dict[str, Any]] = {
    "nathan": {"user_id": "learner-1", "roles": [LEARNER], "name": "Nathan Martin",
               "email": "nathan@example.org"},
    "sylvie": {"user_id": "learner-2", "roles": [LEARNER], "name": "Sylvie Durand",
               "email": "sylvie@example.org"},
    "claire": {"user_id": "trainer-1", "roles": [INSTRUCTOR], "name": "Claire Formatrice",
               "email": "claire@example.org"},
    "admin": {"user_id": "admin-1",
              "roles": [LIS + "institution/person#Administrator"],
              "name": "Alex Admin", "email": "alex@example.org"},
}  # fmt: skip


def phone_jpeg(size: tuple[int, int] = (1200, 900)) -> bytes:
    """A JPEG as a phone writes it, with the place it was taken (EXIF GPS)."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


@dataclass
class Person:
    """Someone launched into a course: their browser, handle and landing page."""

    world: LtiWorld
    browser: Browser
    handle: str
    page: requests.Response

    def url(self, path: str) -> str:
        return urljoin(self.world.tool_url, path)

    def get(self, path: str, cookieless: bool = True, **params: str) -> requests.Response:
        """GET a page with the handle in the URL (no cookie, as in a blocked iframe)."""
        http = requests if cookieless else self.browser.http
        return http.get(self.url(path), params={"lh": self.handle, **params}, timeout=20)

    def fields(self, path: str, **params: str) -> dict[str, str]:
        """The handle and CSRF token of the form on ``path``."""
        form = parse_form(self.get(path, **params).text)
        return {k: v for k, v in form.fields.items() if k in ("lh", "csrf_token")}

    def post(
        self,
        path: str,
        data: dict[str, str] | None = None,
        files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
        *,
        form_from: str | None = None,
    ) -> requests.Response:
        """POST ``data`` (multipart when ``files``) with the handle and token, no cookie."""
        fields = self.fields(form_from or "/course/home")
        return requests.post(
            self.url(path),
            data={**fields, **(data or {})},
            files=files or None,
            allow_redirects=False,
            timeout=60,
        )


def launch(
    world: LtiWorld,
    who: str,
    *,
    client_id: str | None = None,
    course: str = "course-1",
    **values: Any,
) -> Person:
    """``who`` (a key of :data:`PEOPLE`) launches the course's "Mes badges" link."""
    spec = world.spec(
        **{**PEOPLE[who], **values},
        context={"id": course, "title": "Compétences du quotidien"},
    )
    browser = Browser()
    outcome = browser.launch(world.demo, client_id or world.moodle.client_id, spec)
    assert outcome.page is not None and outcome.handle, outcome.launch.text[:500]
    return Person(world, browser, outcome.handle, outcome.page)


def person_id(world: LtiWorld, sub: str) -> str:
    with transaction(world.runtime.sessions) as session:
        return session.scalars(select(PersonRow.id).where(PersonRow.sub == sub)).one()


def other_deployment(world: LtiWorld) -> str:
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


def rows(world: LtiWorld) -> dict[str, int]:
    """How many requests, events and pieces of evidence exist (nothing half-written)."""
    with transaction(world.runtime.sessions) as session:
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (BadgeRequest, RequestEvent, Evidence)
        }


def ask(
    person: Person,
    badge_id: str,
    narrative: str = "J'ai animé l'émission du mardi avec Léa.",
    photos: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
    **data: str,
) -> requests.Response:
    """Send the ask form for ``badge_id`` (photos in the gallery input)."""
    files = [("photos", photo) for photo in photos]
    return person.post(
        f"/course/ask/{badge_id}",
        {"narrative": narrative, **data},
        files,
        form_from=f"/course/ask/{badge_id}",
    )


def request_id_of(response: requests.Response) -> str:
    """The request a sent form leads to (its 303 Location)."""
    assert response.status_code == 303, response.text[:800]
    found = re.search(r"/course/requests/([0-9a-f-]{36})", response.headers["Location"])
    assert found, response.headers["Location"]
    return found.group(1)
