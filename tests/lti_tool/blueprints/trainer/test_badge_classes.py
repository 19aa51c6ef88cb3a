"""The trainer's badge classes over HTTP, launched from the demo LMS: the list, the form
with its designer and upload, statuses with a confirmation before archiving, families,
and the refusals (another community's badge, a learner, an SVG with a script)."""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import pytest
import requests
from PIL import Image
from sqlalchemy import func, select

from badges.images.badge_designer import COLOURS, Design, render
from badges.models import BadgeClass, BadgeClassCreator, Community, Family
from badges.platforms.registering import PlatformFields, register_platform
from badges.recognition.badge_classes import Level, create_badge_class, create_family, publish
from badges.recognition.communities import add_partner, create_community
from badges.storage.database import transaction
from demo_lms.platform import MOODLE
from lti_tool.launch_handle import csrf_token_for, load_launch
from tests.lti_launches import INSTRUCTOR, LEARNER, Browser, LtiWorld

COMMUNITY = "Centre social des Tilleuls"
SKILL = "60c78287-22eb-4103-9c8c-28deaa460da0"  # ESCO "work in teams"
SCRIPT = "<script>alert('x')</script>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script><rect width='10' height='10'/></svg>"
)


@dataclass
class Launched:
    """A person launched into the tool: their browser, handle and form token."""

    world: LtiWorld
    browser: Browser
    handle: str
    csrf: str
    person_id: str

    def url(self, path: str) -> str:
        return urljoin(self.world.tool_url, path)

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.browser.http.get(
            self.url(path), params={"lh": self.handle, "lang": "en", **params}, timeout=30
        )

    def post(
        self,
        path: str,
        data: dict | list | None = None,
        files: dict | None = None,
        csrf: str | None = None,
    ) -> requests.Response:
        form: list[tuple[str, str]] = [("lh", self.handle), ("csrf_token", csrf or self.csrf)]
        form += list(data.items()) if isinstance(data, dict) else list(data or [])
        return self.browser.http.post(
            self.url(path) + "?lang=en",
            data=form,
            files=files,
            allow_redirects=False,
            timeout=30,
        )


def launch(
    world: LtiWorld,
    role: str = "trainer",
    user_id: str | None = None,
    client_id: str | None = None,
    **values: Any,
) -> Launched:
    """A launch of a course page by a trainer (Instructor) or a learner."""
    spec_values: dict[str, Any] = {
        "user_id": user_id or ("trainer-1" if role == "trainer" else "learner-1"),
        "roles": [INSTRUCTOR if role == "trainer" else LEARNER],
        "name": "Camille Roux" if role == "trainer" else "Sylvie Martin",
        **values,
    }
    browser = Browser()
    outcome = browser.launch(
        world.demo, client_id or world.moodle.client_id, world.spec(**spec_values)
    )
    assert outcome.handle, outcome.launch.text
    with world.tool_app.app_context():
        context = load_launch(outcome.handle)
        assert context is not None
        csrf = csrf_token_for(context.session_id)
    return Launched(world, browser, outcome.handle, csrf, context.person_id)


def community_id(world: LtiWorld, name: str = COMMUNITY) -> str:
    with transaction(world.runtime.sessions) as session:
        return session.scalars(select(Community.id).where(Community.name == name)).one()


def make_badge(
    world: LtiWorld,
    name: str = "Animer une web radio",
    *,
    published: bool = True,
    community: str = COMMUNITY,
) -> str:
    with transaction(world.runtime.sessions) as session:
        found = session.scalars(select(Community).where(Community.name == community)).first()
        if found is None:
            found = create_community(
                session,
                name=community,
                slug="ailleurs",
                url="https://a.example",
                email="a@a.example",
            )
        badge = create_badge_class(
            session, found, name=name, description="Tenir le micro.", criteria="Une émission."
        )
        if published:
            publish(badge)
        return badge.id


def badge_count(world: LtiWorld) -> int:
    with transaction(world.runtime.sessions) as session:
        return session.scalar(select(func.count()).select_from(BadgeClass)) or 0


def text_of(page: requests.Response) -> str:
    return html.unescape(page.text)


DESIGNED = {
    "name": "Animer une émission",
    "description": "Tenir le micro.",
    "criteria": "Avoir animé une heure.",
    "language": "fr",
    "image_source": "design",
    "shape": "shield",
    "colour": "green",
    "icon": "microphone",
    "text": "Radio",
}


def propose(world, **change) -> str:  # type: ignore[no-untyped-def]
    """Sylvie's proposal through the member's form; the trainer launched first (so the
    course has a trainer to tell)."""
    launch(world)
    sylvie = launch(world, role="learner", user_id="sylvie")
    sent = sylvie.post(
        "/course/propose", {**DESIGNED, "show_name": "yes", "action": "save", **change}
    )
    assert sent.status_code == 303, sent.text
    with transaction(world.runtime.sessions) as session:
        return session.scalars(select(BadgeClass.id).where(BadgeClass.status == "proposed")).one()


def status_of(world, badge_id: str) -> tuple[str, str | None]:  # type: ignore[no-untyped-def]
    with transaction(world.runtime.sessions) as session:
        badge = session.get(BadgeClass, badge_id)
        return badge.status, badge.review_comment


def test_a_trainer_creates_a_designed_badge_with_skills_and_a_partner(sqlite_lti_world) -> None:
    world = sqlite_lti_world
    trainer = launch(world)
    with transaction(world.runtime.sessions) as session:
        community = session.get(Community, community_id(world))
        mairie = add_partner(
            session,
            community,
            name="Mairie de Lyon",
            url="https://m.example",
            email="m@m.example",
        ).id

    form = trainer.get("/trainer/badges/new")
    assert form.status_code == 200, form.text
    assert "Mairie de Lyon" in form.text and "Font Awesome Free (CC BY 4.0)" in form.text
    assert 'enctype="multipart/form-data"' in form.text
    assert "Work in teams" in form.text  # skills labelled in the page's language
    preview = trainer.post("/trainer/badges/new", {**DESIGNED, "action": "preview"})
    assert preview.status_code == 200 and badge_count(world) == 0
    src = re.search(r'<img src="([^"]*design\.png[^"]*)"', preview.text).group(1)
    drawn = trainer.browser.http.get(trainer.url(html.unescape(src)), timeout=30)
    assert drawn.content == render(Design("shield", "green", "microphone", "Radio"))

    saved = trainer.post(
        "/trainer/badges/new",
        [*DESIGNED.items(), ("skill", SKILL), ("partner", mairie), ("action", "save")],
    )

    assert saved.status_code == 303, saved.text
    with transaction(world.runtime.sessions) as session:
        badge = session.scalars(select(BadgeClass)).one()
        assert badge.status == "draft" and badge.name == "Animer une émission"
        assert badge.image_png == render(Design("shield", "green", "microphone", "Radio"))
        assert [a.target_url for a in badge.alignments] == [
            f"http://data.europa.eu/esco/skill/{SKILL}"
        ]
        assert [c.profile.name for c in badge.creators] == ["Mairie de Lyon"]
        badge_id = badge.id
    listing = trainer.browser.http.get(urljoin(saved.url, saved.headers["Location"]), timeout=30)
    assert listing.status_code == 200
    assert "Animer une émission" in text_of(listing) and "Draft" in listing.text
    assert f"/trainer/badges/{badge_id}/edit" in listing.text


def test_an_uploaded_picture_is_re_encoded_and_an_svg_refused(sqlite_lti_world) -> None:
    world = sqlite_lti_world
    trainer = launch(world)
    fields = {**DESIGNED, "image_source": "upload", "action": "save"}

    refused = trainer.post(
        "/trainer/badges/new", fields, files={"image": ("badge.png", SVG, "image/png")}
    )
    assert refused.status_code == 400
    assert "SVG pictures are not accepted. Use the designer" in refused.text
    assert "<script>alert(1)" not in refused.text
    not_image = trainer.post(
        "/trainer/badges/new", fields, files={"image": ("a.jpg", b"MZ\x90\x00", "image/jpeg")}
    )
    assert not_image.status_code == 400 and "not a picture we can read" in not_image.text
    assert badge_count(world) == 0
    # What was typed comes back, escaped.
    assert 'value="Animer une émission"' in text_of(refused)

    photo = io.BytesIO()
    Image.new("RGB", (300, 200), (200, 30, 30)).save(photo, format="JPEG")
    saved = trainer.post(
        "/trainer/badges/new", fields, files={"image": ("p.jpg", photo.getvalue(), "image/jpeg")}
    )
    assert saved.status_code == 303, saved.text
    with transaction(world.runtime.sessions) as session:
        badge = session.scalars(select(BadgeClass)).one()
        assert badge.design is None
        with Image.open(io.BytesIO(badge.image_png)) as picture:
            assert (picture.format, picture.size) == ("PNG", (512, 512))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": ""}, "Please fill in the name."),
        ({"criteria": "x" * 4001}, "is too long"),
        ({"language": "de"}, "Please choose French or English."),
        ({"skill": "not-a-skill"}, "not in the list"),
        ({"colour": "#ff0000"}, "Please choose a shape, a colour and an icon"),
        ({"text": "x" * 40}, "The text on the badge must be at most 24 letters"),
        ({"partner": "someone-else"}, "is not a partner of your community"),
    ],
)
def test_wrong_values_are_said_and_nothing_is_saved(sqlite_lti_world, change, message) -> None:
    world = sqlite_lti_world
    trainer = launch(world)
    page = trainer.post("/trainer/badges/new", {**DESIGNED, **change, "action": "save"})
    assert page.status_code == 400
    assert message in text_of(page)
    assert 'role="alert"' in page.text
    assert badge_count(world) == 0


def test_script_in_every_text_field_stays_text(sqlite_lti_world) -> None:
    world = sqlite_lti_world
    trainer = launch(world)
    typed = {**DESIGNED, "name": SCRIPT, "description": SCRIPT, "criteria": SCRIPT}
    saved = trainer.post("/trainer/badges/new", {**typed, "action": "save"})
    assert saved.status_code == 303
    listing = trainer.get("/trainer/badges")
    with transaction(world.runtime.sessions) as session:
        badge_id = session.scalars(select(BadgeClass.id)).one()
    edit = trainer.get(f"/trainer/badges/{badge_id}/edit")
    for page in (listing, edit):
        assert SCRIPT not in page.text
        assert "&lt;script&gt;alert(" in page.text


def test_editing_a_published_badge_says_awards_keep_their_bytes(sqlite_lti_world) -> None:
    world = sqlite_lti_world
    badge_id = make_badge(world)
    trainer = launch(world)
    with transaction(world.runtime.sessions) as session:
        image = session.get(BadgeClass, badge_id).image_png

    form = trainer.get(f"/trainer/badges/{badge_id}/edit")
    assert "the badges already awarded keep what they were signed with" in form.text
    assert 'value="keep" checked' in form.text
    saved = trainer.post(
        f"/trainer/badges/{badge_id}/edit",
        {**DESIGNED, "image_source": "keep", "name": "Animer la radio", "action": "save"},
    )

    assert saved.status_code == 303
    with transaction(world.runtime.sessions) as session:
        badge = session.get(BadgeClass, badge_id)
        assert (badge.name, badge.status, badge.image_png) == (
            "Animer la radio",
            "published",
            image,
        )


def test_archiving_asks_first_then_publishing_again_is_possible(sqlite_lti_world) -> None:
    world = sqlite_lti_world
    badge_id = make_badge(world)
    trainer = launch(world)
    path = f"/trainer/badges/{badge_id}/status"

    asked = trainer.post(path, {"status": "archived"})
    assert asked.status_code == 200 and "Archive this badge?" in asked.text
    assert "The badges already awarded stay valid" in asked.text
    with transaction(world.runtime.sessions) as session:
        assert session.get(BadgeClass, badge_id).status == "published"

    done = trainer.post(path, {"status": "archived", "confirm": "yes"})
    assert done.status_code == 303
    with transaction(world.runtime.sessions) as session:
        assert session.get(BadgeClass, badge_id).status == "archived"
    assert "Publish again" in trainer.get("/trainer/badges").text
    assert trainer.post(path, {"status": "published"}).status_code == 303
    assert trainer.post(path, {"status": "draft"}).status_code == 400
    assert trainer.post(path, {"status": "nonsense"}).status_code == 400
    with transaction(world.runtime.sessions) as session:
        assert session.get(BadgeClass, badge_id).status == "published"


def test_a_family_of_three_levels_from_one_form(sqlite_lti_world) -> None:
    world = sqlite_lti_world
    trainer = launch(world)
    form = trainer.get("/trainer/families/new")
    assert form.status_code == 200 and "Je soutiens" in text_of(form)
    fields = [
        ("name", "ABC de la République"),
        ("language", "fr"),
        ("description-1", "Écouter."),
        ("criteria-1", "Avoir écouté un débat."),
        ("description-2", "Essayer."),
        ("criteria-2", "Avoir pris la parole."),
        ("description-3", "Agir."),
        ("criteria-3", "Avoir animé un débat."),
        ("skill", SKILL),
        ("shape", "hexagon"),
        ("colour", "purple"),
        ("icon", "comments"),
        ("text", "ABC"),
    ]
    without_level_3 = [(k, v) for k, v in fields if not k.endswith("-3")]
    missing = trainer.post("/trainer/families/new", [*without_level_3, ("action", "save")])
    assert missing.status_code == 400 and "Please fill in what level 3 is" in text_of(missing)

    saved = trainer.post("/trainer/families/new", [*fields, ("action", "save")])

    assert saved.status_code == 303, saved.text
    path = trainer.browser.http.get(urljoin(saved.url, saved.headers["Location"]), timeout=30)
    page = text_of(path)
    assert path.status_code == 200
    assert page.index("Je soutiens") < page.index("J'explore") < page.index("J'agis")
    assert page.index("Avoir écouté un débat.") < page.index("Avoir animé un débat.")
    with transaction(world.runtime.sessions) as session:
        family = session.scalars(select(Family)).one()
        assert [b.design["level"] for b in family.badge_classes] == ["1", "2", "3"]
    assert "ABC de la République" in text_of(trainer.get("/trainer/badges"))


def test_the_designer_picture_refuses_choices_it_does_not_offer(sqlite_lti_world) -> None:
    world = sqlite_lti_world
    trainer = launch(world)
    good = {"shape": "circle", "colour": "blue", "icon": "radio", "text": "", "level": "2"}
    assert trainer.get("/trainer/badges/design.png", **good).headers["Content-Type"] == "image/png"
    for wrong in (
        {"shape": "star"},
        {"colour": "red;"},
        {"icon": "../x"},
        {"level": "4"},
        {"text": "x" * 25},
        {"text": "a\u202eb"},
    ):
        assert trainer.get("/trainer/badges/design.png", **{**good, **wrong}).status_code == 400


def test_the_colour_swatches_are_the_designers_colours() -> None:
    from pathlib import Path

    css = (Path(__file__).parents[4] / "lti_tool/static/recognition-editor.css").read_text()
    for name, value in COLOURS.items():
        assert f".swatch-{name} {{ background: {value}; }}" in css


def test_another_communitys_badge_is_not_found(sqlite_lti_world) -> None:
    world = sqlite_lti_world
    foreign = make_badge(world, "Badge d'ailleurs", community="Ailleurs")
    trainer = launch(world)
    assert trainer.get(f"/trainer/badges/{foreign}/edit").status_code == 404
    assert trainer.post(f"/trainer/badges/{foreign}/edit", DESIGNED).status_code == 404
    assert (
        trainer.post(
            f"/trainer/badges/{foreign}/status", {"status": "archived", "confirm": "yes"}
        ).status_code
        == 404
    )
    assert trainer.get("/trainer/badges/unknown/edit").status_code == 404
    assert "Badge d&#39;ailleurs" not in trainer.get("/trainer/badges").text
    with transaction(world.runtime.sessions) as session:
        assert session.get(BadgeClass, foreign).status == "published"


def test_a_learner_is_refused_every_editor_route(sqlite_lti_world) -> None:
    world = sqlite_lti_world
    badge_id = make_badge(world)
    learner = launch(world, role="learner")
    for path in (
        "/trainer/badges",
        "/trainer/badges/new",
        f"/trainer/badges/{badge_id}/edit",
        "/trainer/families/new",
        "/trainer/badges/design.png",
    ):
        assert learner.get(path).status_code == 403, path
    assert learner.post("/trainer/badges/new", {**DESIGNED, "action": "save"}).status_code == 403
    assert (
        learner.post(
            f"/trainer/badges/{badge_id}/status", {"status": "archived", "confirm": "yes"}
        ).status_code
        == 403
    )
    assert badge_count(world) == 1


def other_deployment(world: LtiWorld, community: str = "Maison des jeunes du Port") -> str:
    """A second deployment on the same platform, owned by another community: its client id."""
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
                community=community,
            ),
            world.runtime.instance.origin,
        )
    return link.client_id


def test_a_trainer_of_another_deployment_sees_nothing_of_ours(sqlite_lti_world) -> None:
    world = sqlite_lti_world
    ours = make_badge(world)
    elsewhere = launch(world, user_id="trainer-9", client_id=other_deployment(world))
    assert elsewhere.get(f"/trainer/badges/{ours}/edit").status_code == 404
    assert (
        elsewhere.post(
            f"/trainer/badges/{ours}/status", {"status": "archived", "confirm": "yes"}
        ).status_code
        == 404
    )
    assert "Animer une web radio" not in elsewhere.get("/trainer/badges").text


# --- who may use each editor route ---------------------------------------------------------

ADMIN_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"
#: Expected status per person for each route: the trainer and the platform admin of the
#: course may; a learner is refused (403), and for learner routes only the author may;
#: another deployment's trainer never learns our badges exist (404); no launch: 401.
ROUTES = [
    # (method, path, data, {person: status})
    (
        "GET",
        "/trainer/badges",
        None,
        {"trainer": 200, "admin": 200, "learner": 403, "author": 403, "elsewhere": 200},
    ),
    (
        "GET",
        "/trainer/badges/new",
        None,
        {"trainer": 200, "admin": 200, "learner": 403, "author": 403, "elsewhere": 200},
    ),
    (
        "POST",
        "/trainer/badges/new",
        {**DESIGNED, "action": "preview"},
        {"trainer": 200, "admin": 200, "learner": 403, "author": 403, "elsewhere": 200},
    ),
    (
        "GET",
        "/trainer/badges/{badge}/edit",
        None,
        {"trainer": 200, "admin": 200, "learner": 403, "author": 403, "elsewhere": 404},
    ),
    (
        "POST",
        "/trainer/badges/{badge}/edit",
        {**DESIGNED, "action": "preview"},
        {"trainer": 200, "admin": 200, "learner": 403, "author": 403, "elsewhere": 404},
    ),
    (
        "POST",
        "/trainer/badges/{badge}/status",
        {"status": "archived"},
        {"trainer": 200, "admin": 200, "learner": 403, "author": 403, "elsewhere": 404},
    ),
    (
        "GET",
        "/trainer/badges/design.png?shape=circle&colour=blue&icon=radio&text=",
        None,
        {"trainer": 200, "admin": 200, "learner": 403, "author": 403, "elsewhere": 200},
    ),
    (
        "GET",
        "/trainer/families/new",
        None,
        {"trainer": 200, "admin": 200, "learner": 403, "author": 403, "elsewhere": 200},
    ),
    (
        "POST",
        "/trainer/families/new",
        {"action": "preview"},
        {"trainer": 200, "admin": 200, "learner": 403, "author": 403, "elsewhere": 200},
    ),
    (
        "GET",
        "/trainer/families/{family}",
        None,
        {"trainer": 200, "admin": 200, "learner": 403, "author": 403, "elsewhere": 404},
    ),
    (
        "GET",
        "/trainer/proposals/{proposal}",
        None,
        {"trainer": 200, "admin": 200, "learner": 403, "author": 403, "elsewhere": 404},
    ),
    (
        "POST",
        "/trainer/proposals/{proposal}/decide",
        {"decision": "publish"},
        {"trainer": 200, "admin": 200, "learner": 403, "author": 403, "elsewhere": 404},
    ),
    (
        "GET",
        "/course/propose",
        None,
        {"trainer": 200, "admin": 200, "learner": 200, "author": 200, "elsewhere": 200},
    ),
    (
        "POST",
        "/course/propose",
        {**DESIGNED, "action": "preview"},
        {"trainer": 200, "admin": 200, "learner": 200, "author": 200, "elsewhere": 200},
    ),
    (
        "GET",
        "/course/proposals/{proposal}",
        None,
        {"trainer": 404, "admin": 404, "learner": 404, "author": 200, "elsewhere": 404},
    ),
    (
        "POST",
        "/course/proposals/{proposal}",
        {**DESIGNED, "action": "preview"},
        {"trainer": 404, "admin": 404, "learner": 404, "author": 200, "elsewhere": 404},
    ),
]


def test_who_may_use_each_editor_route(sqlite_lti_world) -> None:
    """One world, every person, every route; nothing is written by any of these calls
    (previews, confirmation pages and refusals only)."""
    world = sqlite_lti_world
    badge = make_badge(world)
    proposal = propose(world)  # by "sylvie", a learner of course-1; trainer-1 launched
    trainer = launch(world)
    with transaction(world.runtime.sessions) as session:
        community = session.get(Community, community_id(world))
        family = create_family(session, community, "Famille", [Level("d", "c")] * 3).id
    people = {
        "trainer": trainer,
        "admin": launch(world, user_id="admin-1", roles=[ADMIN_ROLE]),
        "learner": launch(world, role="learner", user_id="nathan"),
        "author": launch(world, role="learner", user_id="sylvie"),
        "elsewhere": launch(world, user_id="trainer-9", client_id=other_deployment(world)),
    }
    ids = {"badge": badge, "family": family, "proposal": proposal}
    before = badge_count(world)
    for method, template, data, expected in ROUTES:
        path = template.format(**ids)
        anonymous = (
            requests.get(world.tool_url + path, timeout=30)
            if method == "GET"
            else requests.post(world.tool_url + path, data=data, timeout=30)
        )
        assert anonymous.status_code == 401, (method, path)
        for who, status in expected.items():
            person = people[who]
            answer = person.get(path) if method == "GET" else person.post(path, data)
            assert answer.status_code == status, (method, path, who, answer.text[:300])
        if method == "POST":  # another launch's form token is refused
            wrong = people["learner"].csrf
            assert trainer.post(path, data, csrf=wrong).status_code == 400, path
    assert badge_count(world) == before
    assert status_of_badges(world, badge, proposal) == ("published", "proposed")


def status_of_badges(world: LtiWorld, *badge_ids: str) -> tuple[str, ...]:
    with transaction(world.runtime.sessions) as session:
        return tuple(session.get(BadgeClass, i).status for i in badge_ids)


def test_the_creators_partial_names_partners_and_a_consenting_author(sqlite_lti_world) -> None:
    """The partial the badge pages include: partners as "Created with", escaped; the
    member only when credited."""
    from flask import render_template

    world = sqlite_lti_world
    badge_id = propose(world)  # Sylvie ticked "show my name"
    with transaction(world.runtime.sessions) as session:
        community = session.get(Community, community_id(world))
        partner = add_partner(
            session,
            community,
            name="Mairie <b>de</b> Lyon",
            url="https://m.example",
            email="m@m.example",
        )
        badge = session.get(BadgeClass, badge_id)
        badge.creators.append(BadgeClassCreator(profile_id=partner.id, role="partner", position=1))
        session.flush()
        session.refresh(badge)
        with world.tool_app.test_request_context("/?lang=en"):
            shown = render_template("editor/_creators.html", badge=badge)
        assert "Created by</dt>\n<dd>Sylvie Martin</dd>" in shown
        assert "Mairie &lt;b&gt;de&lt;/b&gt; Lyon" in shown and "Created with" in shown
        badge.creators = [c for c in badge.creators if c.role == "partner"]
        session.flush()
        with world.tool_app.test_request_context("/?lang=en"):
            shown = render_template("editor/_creators.html", badge=badge)
        assert "Sylvie" not in shown and "Created by" not in shown
