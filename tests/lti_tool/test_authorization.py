"""The authorization table: every route of the tool, who may use it, checked over HTTP.

A new route fails :func:`test_every_route_has_a_row` until it is given a row here, so
nobody adds a page without deciding who may open it. Each row is then tried the way an
outsider would: without credentials, with a *wrong* credential (a handle signed with
another secret, a genuine handle altered by one character), with a learner's handle on a
trainer's page, and, for forms, with another launch session's valid CSRF token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
import requests
from itsdangerous import URLSafeTimedSerializer

from tests.admin_sessions import open_admin_session
from tests.lti_launches import INSTRUCTOR, LIS, Browser, LtiWorld

ADMIN_ROLE = LIS + "institution/person#Administrator"
UNKNOWN = "00000000-0000-4000-8000-000000000000"

#: Who may use each route. ``public``: anyone (verification URLs, static files, the
#: protocol's own entry points, which carry their own checks tested in
#: test_launch_matrix.py and the registration tests); ``launch``: anyone launched from a
#: platform; ``trainer``: a launched trainer or admin; ``admin``: an instance admin (admin
#: session) or a launched platform admin, limited to their own platform.
TABLE: dict[tuple[str, str], str] = {
    ("GET", "/"): "public",
    ("GET", "/.well-known/jwks.json"): "public",
    ("GET", "/static/<path:filename>"): "public",
    ("GET", "/b/<id>"): "public",
    ("GET", "/ob/v2/assertions/<id>"): "public",
    ("GET", "/ob/v2/badges/<id>"): "public",
    ("GET", "/ob/v2/badges/<id>/image.png"): "public",
    ("GET", "/ob/v2/endorsements/<id>"): "public",
    ("GET", "/ob/v2/issuers/<id>"): "public",
    ("GET", "/ob/v2/keys/<id>"): "public",
    ("GET", "/ob/v2/revocations/<id>"): "public",
    ("GET", "/ob/v3/achievements/<id>"): "public",
    ("GET", "/ob/v3/credentials/<id>"): "public",
    ("GET", "/ob/v3/credentials/<id>.jwt"): "public",
    ("GET", "/ob/v3/credentials/<id>.ldp.json"): "public",
    ("GET", "/ob/v3/endorsements/<id>"): "public",
    ("GET", "/ob/v3/endorsements/<id>.jwt"): "public",
    ("GET", "/ob/v3/endorsements/<id>.ldp.json"): "public",
    ("GET", "/ob/v3/profiles/<id>/jwks.json"): "public",
    ("GET", "/ob/v3/profiles/<id>"): "public",
    ("GET", "/ob/v3/revocations/<id>"): "public",
    ("GET", "/lti/config"): "public",
    ("GET", "/lti/login"): "public",
    ("POST", "/lti/login"): "public",
    ("POST", "/lti/launch"): "public",
    # The new window of a launch whose cookie the frame dropped: a signed login again.
    ("GET", "/lti/login/again"): "public",
    ("GET", "/lti/register"): "public",
    ("POST", "/lti/register"): "public",
    ("GET", "/lti/launched"): "launch",
    ("POST", "/lti/launched"): "launch",
    ("GET", "/lti/links/<link_pk>"): "launch",
    ("POST", "/lti/links/<link_pk>"): "launch",
    ("GET", "/course/badge/"): "launch",
    ("GET", "/course/wall"): "launch",
    ("GET", "/course/board"): "launch",
    # Issue 13: the learner's home, asking for a badge, their requests and evidence.
    # Rows say who may open the route at all; whose request or evidence it must be is
    # tested per route, with the other learner's and another deployment's ids, in
    # tests/lti_tool/blueprints/{learner,trainer}/.
    ("GET", "/course/home"): "launch",
    ("GET", "/course/ask/<badge_id>"): "launch",
    ("POST", "/course/ask/<badge_id>"): "launch",
    ("GET", "/course/requests/<request_id>"): "launch",
    ("POST", "/course/requests/<request_id>"): "launch",
    ("POST", "/course/requests/<request_id>/confirm"): "launch",
    ("POST", "/course/requests/<request_id>/withdraw"): "launch",
    ("GET", "/course/evidence/<int:evidence_id>"): "launch",
    ("POST", "/course/evidence/<int:evidence_id>/visibility"): "launch",
    ("POST", "/course/badges/<assertion_id>/name"): "launch",
    ("GET", "/course/notifications"): "launch",
    ("POST", "/course/notifications/read"): "launch",
    ("GET", "/course/propose"): "launch",
    ("POST", "/course/propose"): "launch",
    ("GET", "/course/proposals/<badge_id>"): "launch",
    ("POST", "/course/proposals/<badge_id>"): "launch",
    # Public evidence: a photo its owner made public (404 otherwise, tested in test_public).
    ("GET", "/evidence/<int:evidence_id>"): "public",
    # Issue 13: the trainer's home, review, award, revoke, badge classes and proposals.
    ("GET", "/trainer/"): "trainer",
    ("GET", "/trainer/requests"): "trainer",
    ("GET", "/trainer/requests/<request_id>"): "trainer",
    ("POST", "/trainer/requests/<request_id>/accept"): "trainer",
    ("POST", "/trainer/requests/<request_id>/improve"): "trainer",
    ("POST", "/trainer/requests/<request_id>/decline"): "trainer",
    ("GET", "/trainer/accompany"): "trainer",
    ("GET", "/trainer/award/<badge_id>"): "trainer",
    ("POST", "/trainer/award/<badge_id>/confirm"): "trainer",
    ("POST", "/trainer/award/<badge_id>"): "trainer",
    ("GET", "/trainer/award/batches/<batch_id>"): "trainer",
    ("POST", "/trainer/award/batches/<batch_id>"): "trainer",
    ("GET", "/trainer/assertions/<assertion_id>/revoke"): "trainer",
    ("POST", "/trainer/assertions/<assertion_id>/revoke"): "trainer",
    ("GET", "/trainer/badges"): "trainer",
    ("GET", "/trainer/badges/new"): "trainer",
    ("POST", "/trainer/badges/new"): "trainer",
    ("GET", "/trainer/badges/<badge_id>/edit"): "trainer",
    ("POST", "/trainer/badges/<badge_id>/edit"): "trainer",
    ("POST", "/trainer/badges/<badge_id>/status"): "trainer",
    ("GET", "/trainer/badges/design.png"): "trainer",
    ("GET", "/trainer/families/new"): "trainer",
    ("POST", "/trainer/families/new"): "trainer",
    ("GET", "/trainer/families/<family_id>"): "trainer",
    ("GET", "/trainer/proposals/<badge_id>"): "trainer",
    ("POST", "/trainer/proposals/<badge_id>/decide"): "trainer",
    ("GET", "/lti/deep-linking/"): "trainer",
    ("POST", "/lti/deep-linking/"): "trainer",
    ("GET", "/trainer/roster"): "trainer",
    ("GET", "/admin/platforms/"): "admin",
    ("POST", "/admin/platforms/add"): "admin",
    ("POST", "/admin/platforms/remove"): "admin",
    ("POST", "/admin/platforms/registration-links"): "admin",
    ("POST", "/admin/platforms/registration-links/withdraw"): "admin",
    ("POST", "/admin/platforms/sign-out"): "admin",
    # The door of the admin session: it takes an admin link, and refuses as admin pages do.
    ("GET", "/admin/platforms/open"): "admin",
    ("POST", "/admin/platforms/open"): "admin",
}

GUARDED = sorted((key, who) for key, who in TABLE.items() if who != "public")


def _routes(world: LtiWorld) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in world.tool_app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in {"HEAD", "OPTIONS"}
    }


def _url(world: LtiWorld, rule: str) -> str:
    rule = re.sub(r"<int:[a-z_]+>", "999999", rule)
    return world.tool_url + re.sub(r"<(?:[a-z]+:)?[a-z_]+>", UNKNOWN, rule)


@dataclass
class People:
    learner: str
    other_learner: str
    trainer: str


def _handle(world: LtiWorld, **values: object) -> str:
    outcome = Browser().launch(world.demo, world.moodle.client_id, world.spec(**values))
    assert outcome.handle, outcome.launch.text[:300]
    return outcome.handle


@pytest.fixture(scope="module")
def people(shared_lti_world: LtiWorld) -> People:
    return People(
        learner=_handle(shared_lti_world),
        other_learner=_handle(shared_lti_world, user_id="learner-2", name="Sylvie Bernard"),
        trainer=_handle(shared_lti_world, user_id="trainer-1", roles=[INSTRUCTOR]),
    )


def _csrf(world: LtiWorld, handle: str) -> str:
    page = requests.get(f"{world.tool_url}/lti/launched", params={"lh": handle}, timeout=10)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def _send(world: LtiWorld, method: str, rule: str, handle: str | None, **form: str):
    values = {"lh": handle} if handle else {}
    if method == "GET":
        return requests.get(_url(world, rule), params=values, timeout=10, allow_redirects=False)
    return requests.post(
        _url(world, rule), data={**values, **form}, timeout=10, allow_redirects=False
    )


def test_every_route_has_a_row(shared_lti_world: LtiWorld) -> None:
    routes = _routes(shared_lti_world)
    assert routes - TABLE.keys() == set(), "routes without a row in the authorization table"
    assert TABLE.keys() - routes == set(), "rows for routes that no longer exist"


@pytest.mark.parametrize(("key", "who"), GUARDED, ids=[f"{m} {r}" for (m, r), _ in GUARDED])
def test_no_credential_is_refused(shared_lti_world: LtiWorld, key, who) -> None:
    method, rule = key
    assert _send(shared_lti_world, method, rule, None).status_code == 401


@pytest.mark.parametrize(("key", "who"), GUARDED, ids=[f"{m} {r}" for (m, r), _ in GUARDED])
def test_a_wrong_handle_is_refused(shared_lti_world: LtiWorld, people: People, key, who) -> None:
    method, rule = key
    forged = URLSafeTimedSerializer("another-secret", salt="chemins.launch-handle.v1").dumps(
        {"s": UNKNOWN, "p": UNKNOWN, "d": UNKNOWN}
    )
    altered = people.trainer[:-2] + ("A" if people.trainer[-2] != "A" else "B") + people.trainer[-1]
    for handle in (forged, altered):
        assert _send(shared_lti_world, method, rule, handle).status_code == 401, handle


@pytest.mark.parametrize(
    "key", [key for key, who in GUARDED if who in ("trainer", "admin")], ids=str
)
def test_a_learner_cannot_use_trainer_or_admin_routes(
    shared_lti_world: LtiWorld, people: People, key
) -> None:
    method, rule = key
    token = _csrf(shared_lti_world, people.learner)
    answer = _send(shared_lti_world, method, rule, people.learner, csrf_token=token)
    assert answer.status_code in (401, 403), answer.status_code


@pytest.mark.parametrize(
    "key",
    [key for key, who in GUARDED if key[0] == "POST" and who in ("launch", "trainer")],
    ids=str,
)
def test_a_form_with_another_sessions_token_is_refused(
    shared_lti_world: LtiWorld, people: People, key
) -> None:
    method, rule = key
    own = people.trainer if TABLE[key] == "trainer" else people.learner
    stranger = _csrf(shared_lti_world, people.other_learner)
    assert stranger != _csrf(shared_lti_world, own)
    answer = _send(shared_lti_world, method, rule, own, csrf_token=stranger, lang="fr")
    assert answer.status_code == 400


def test_the_same_form_with_its_own_token_is_accepted(
    shared_lti_world: LtiWorld, people: People
) -> None:
    """The control of the case above: the refusal comes from the token, not the form."""
    token = _csrf(shared_lti_world, people.learner)
    answer = _send(
        shared_lti_world, "POST", "/lti/launched", people.learner, csrf_token=token, lang="fr"
    )
    assert answer.status_code == 200


ADMIN_FORMS = [
    key
    for key, who in GUARDED
    if who == "admin" and key[0] == "POST" and key[1] != "/admin/platforms/open"
]


def _admin_token(http: requests.Session, tool_url: str) -> str:
    page = http.get(f"{tool_url}/admin/platforms/", timeout=10)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


@pytest.mark.parametrize("key", ADMIN_FORMS, ids=str)
def test_an_admin_form_with_another_admin_sessions_token_is_refused(
    shared_lti_world: LtiWorld, key
) -> None:
    """Two admin sessions (two admin links): neither's form token works in the other."""
    world = shared_lti_world
    mine = open_admin_session(world.runtime, world.tool_url)
    theirs = open_admin_session(world.runtime, world.tool_url)
    stranger = _admin_token(theirs, world.tool_url)
    assert stranger != _admin_token(mine, world.tool_url)
    fields = _admin_fields(world).get(key[1], {})
    answer = mine.post(
        world.tool_url + key[1],
        data={**fields, "csrf_token": stranger},
        timeout=10,
        allow_redirects=False,
    )
    assert answer.status_code == 400
    control = mine.get(f"{world.tool_url}/admin/platforms/", timeout=10)
    assert control.status_code == 200  # the session itself still works: the token was refused


def _admin_fields(world: LtiWorld) -> dict[str, dict[str, str]]:
    """Complete, valid fields of the admin forms: only the token can make them fail."""
    registration = {"issuer": world.demo_url, "client_id": "csrf-control"}
    return {
        "/admin/platforms/add": {
            **registration,
            "deployment_ids": "7",
            "auth_login_url": f"{world.demo_url}/lti/auth",
            "auth_token_url": f"{world.demo_url}/services/token",
            "jwks_url": f"{world.demo_url}/lti/certs",
            "community": "Centre social des Tilleuls",
        },
        "/admin/platforms/remove": registration,
    }


def test_the_admin_forms_with_their_own_token_are_accepted(shared_lti_world: LtiWorld) -> None:
    """The control: the same complete forms, with the session's own token, do their work."""
    world = shared_lti_world
    mine = open_admin_session(world.runtime, world.tool_url)
    fields = _admin_fields(world)
    for path in ("/admin/platforms/add", "/admin/platforms/remove"):
        answer = mine.post(
            world.tool_url + path,
            data={**fields[path], "csrf_token": _admin_token(mine, world.tool_url)},
            timeout=10,
            allow_redirects=False,
        )
        assert answer.status_code == 303, (path, answer.text[:300])
