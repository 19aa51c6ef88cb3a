"""Who may use each trainer route, on real objects: the table of issue 13 §6.

Anonymous visitors get 401; learners (the request's owner and another one) 403; the
course's trainer and a platform admin get the page; a trainer of another deployment
(another community) gets their own pages, but 404 on this course's objects, as if
they did not exist. Forms are sent with harmless values (an empty comment, an
unconfirmed accept): what is checked is who gets through, not the work itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import requests
from sqlalchemy import select

from badges.models import Assertion, AwardBatch
from badges.platforms.registering import PlatformFields, register_platform
from badges.storage.database import transaction
from demo_lms.platform import MOODLE
from tests.lti_launches import LIS, Browser, LtiWorld
from tests.lti_tool.blueprints.trainer.trainer_course import SYLVIE, ask, csrf_of, make_course
from tests.lti_tool.course_journey import award_to, learner_values, trainer_spec_values

ADMIN_ROLE = LIS + "institution/person#Administrator"


@dataclass
class Objects:
    world: LtiWorld
    handles: dict[str, str | None]
    ids: dict[str, str]


def _launch(world: LtiWorld, client_id: str, **values: object) -> str:
    outcome = Browser().launch(world.demo, client_id, world.spec(**values))
    assert outcome.handle, outcome.launch.text[:300]
    return outcome.handle


@pytest.fixture(scope="module")
def objects(shared_lti_world: LtiWorld) -> Objects:
    world = shared_lti_world
    course = make_course(world)
    request_id = ask(course, photo=False)
    award_to(world, course.browser, course.handle, course.badge_id, ["Sylvie Petit"])
    with transaction(world.runtime.sessions) as session:
        assertion_id = session.scalars(select(Assertion.id)).one()
        batch_id = session.scalars(select(AwardBatch.id)).one()
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
                community="Maison des jeunes du Port",
            ),
            world.runtime.instance.origin,
        )
    client = world.moodle.client_id
    return Objects(
        world,
        {
            "anonymous": None,
            "learner": course.nathan_handle,
            "other_learner": _launch(world, client, **learner_values(**SYLVIE)),
            "trainer": course.handle,
            "admin": _launch(
                world, client, **trainer_spec_values(user_id="adm", roles=[ADMIN_ROLE])
            ),
            # Same platform, same course id, another deployment and community.
            "foreign_trainer": _launch(world, link.client_id, **trainer_spec_values(user_id="t2")),
        },
        {
            "request": request_id,
            "badge": course.badge_id,
            "assertion": assertion_id,
            "batch": batch_id,
        },
    )


#: (method, path, form, answer for the course's trainer and admin). Paths name objects
#: in braces; "object" rows answer 404 to a trainer of another deployment.
ROUTES = [
    ("GET", "/trainer/", {}, 200),
    ("GET", "/trainer/requests", {}, 200),
    ("GET", "/trainer/accompany", {}, 200),
    ("GET", "/trainer/requests/{request}", {}, 200),
    ("POST", "/trainer/requests/{request}/accept", {}, 200),  # the confirmation step
    ("POST", "/trainer/requests/{request}/improve", {"comment": ""}, 400),
    ("POST", "/trainer/requests/{request}/decline", {"reason": ""}, 400),
    ("GET", "/trainer/award/{badge}", {}, 200),
    ("POST", "/trainer/award/{badge}/confirm", {}, 400),
    ("POST", "/trainer/award/{badge}", {}, 400),
    ("GET", "/trainer/award/batches/{batch}", {}, 200),
    ("POST", "/trainer/award/batches/{batch}", {}, 303),  # finished: back to its page
    ("GET", "/trainer/assertions/{assertion}/revoke", {}, 200),
    ("POST", "/trainer/assertions/{assertion}/revoke", {"reason": ""}, 400),
]
WHO = ["anonymous", "learner", "other_learner", "trainer", "admin", "foreign_trainer"]


def _expected(who: str, path: str, allowed: int) -> int:
    if who == "anonymous":
        return 401
    if who in ("learner", "other_learner"):
        return 403
    if who == "foreign_trainer":
        return 404 if "{" in path else 200
    return allowed


def _send(objects: Objects, who: str, method: str, path: str, form: dict[str, str]):  # type: ignore[no-untyped-def]
    handle = objects.handles[who]
    url = objects.world.tool_url + path.format(**objects.ids)
    if method == "GET":
        return requests.get(
            url, params={"lh": handle} if handle else {}, timeout=10, allow_redirects=False
        )
    fields = dict(form)
    if handle:
        token_page = requests.get(
            f"{objects.world.tool_url}/lti/launched", params={"lh": handle}, timeout=10
        )
        fields.update(lh=handle, csrf_token=csrf_of(token_page))
    return requests.post(url, data=fields, timeout=10, allow_redirects=False)


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(
    ("method", "path", "form", "allowed"), ROUTES, ids=[f"{m} {p}" for m, p, _f, _a in ROUTES]
)
def test_who_gets_through(objects: Objects, who, method, path, form, allowed) -> None:  # type: ignore[no-untyped-def]
    answer = _send(objects, who, method, path, form)

    assert answer.status_code == _expected(who, path, allowed), (who, answer.text[:300])
    if answer.status_code == 404:
        assert "Nathan" not in answer.text and "Sylvie" not in answer.text


def test_nothing_was_changed_by_the_table(objects: Objects) -> None:
    """The control: the refused and harmless forms above left every object as it was."""
    from badges.models import BadgeRequest

    with transaction(objects.world.runtime.sessions) as session:
        assert session.get(BadgeRequest, objects.ids["request"]).state == "open"
        assert not session.get(Assertion, objects.ids["assertion"]).revoked
        assert len(session.scalars(select(Assertion)).all()) == 1
