"""The admin pages' doors and registration links: short, single use, revocable, scoped.

The instance admin's link is opened once, within minutes, by a button (link previews
must not spend it), and becomes a first-party session cookie bound to the link's row:
ending the session, or ``admin-link --revoke-all``, closes it at once. A registration
link, what is handed to a platform admin, opens no admin page. A launched platform
admin hands out registration links into their own community only.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import requests
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select, update

from badges.models import AccessLink
from badges.models.access_link import ADMIN, REGISTRATION
from badges.models.columns import utcnow
from badges.platforms.access_links import (
    ADMIN_SESSION_LIFETIME,
    create_registration_link,
    withdraw_admin_links,
)
from badges.platforms.registering import community_named
from badges.storage.database import transaction
from lti_tool.admin_access import COOKIE
from tests.admin_sessions import admin_link, open_admin_session
from tests.lti_launches import LIS, Browser, LtiWorld, parse_form

ADMIN_ROLE = LIS + "institution/person#Administrator"


def _runtime(app):  # type: ignore[no-untyped-def]
    return app.extensions["chemins"]


def _open(client, secret: str):  # type: ignore[no-untyped-def]
    return client.post("/admin/platforms/open", data={"at": secret})


def _forms(html: str) -> list[str]:
    return re.findall(r"<form .*?</form>", html, flags=re.S)


def _form_with(html: str, text: str):  # type: ignore[no-untyped-def]
    return parse_form(next(f for f in _forms(html) if text in f))


# -- the instance admin's session ----------------------------------------------------


def test_an_admin_link_opens_a_session_once_by_a_button(client, app) -> None:
    secret = admin_link(_runtime(app))

    shown = client.get(f"/admin/platforms/open?at={secret}&lang=en")
    assert shown.status_code == 200
    assert "Never give this link to anyone" in shown.get_data(as_text=True)
    assert client.get(f"/admin/platforms/open?at={secret}").status_code == 200  # not spent
    assert client.get("/admin/platforms/").status_code == 401  # no session yet

    opened = _open(client, secret)

    assert opened.status_code == 303
    assert opened.headers["Location"].endswith("/admin/platforms/")  # no secret in it
    cookie = opened.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=") and secret not in cookie
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http here; see the https case below
    assert client.get("/admin/platforms/").status_code == 200
    # Once: the same link opens nothing any more, in this browser or another.
    other = app.test_client()
    assert _open(other, secret).status_code == 401
    assert other.get(f"/admin/platforms/open?at={secret}").status_code == 401
    assert other.get("/admin/platforms/").status_code == 401


def test_over_https_the_session_cookie_is_secure(client, app) -> None:
    opened = client.post(
        "/admin/platforms/open",
        data={"at": admin_link(_runtime(app))},
        base_url="https://chemins.test",
    )
    assert opened.status_code == 303
    assert "Secure" in opened.headers["Set-Cookie"]


def test_an_admin_link_must_be_opened_within_minutes(client, app) -> None:
    secret = admin_link(_runtime(app))
    with transaction(_runtime(app).sessions) as session:
        session.execute(update(AccessLink).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert client.get(f"/admin/platforms/open?at={secret}").status_code == 401
    assert _open(client, secret).status_code == 401
    assert client.get("/admin/platforms/").status_code == 401


def test_the_session_ends_after_an_hour(client, app) -> None:
    assert _open(client, admin_link(_runtime(app))).status_code == 303
    with transaction(_runtime(app).sessions) as session:
        session.execute(
            update(AccessLink).values(used_at=utcnow() - ADMIN_SESSION_LIFETIME - timedelta(1))
        )
    assert client.get("/admin/platforms/").status_code == 401


def test_ending_the_session_closes_it_for_good(client, app) -> None:
    assert _open(client, admin_link(_runtime(app))).status_code == 303
    kept = client.get_cookie(COOKIE).value
    page = client.get("/admin/platforms/?lang=en").get_data(as_text=True)
    sign_out = _form_with(page, "End this admin access")
    without_token = {k: v for k, v in sign_out.fields.items() if k != "csrf_token"}
    assert client.post(sign_out.action, data=without_token).status_code == 400
    assert client.get("/admin/platforms/").status_code == 200  # still open

    ended = client.post(sign_out.action, data=sign_out.fields)

    assert ended.status_code == 200
    assert f"{COOKIE}=;" in ended.headers["Set-Cookie"]  # the browser forgets it
    assert client.get("/admin/platforms/").status_code == 401
    # A copy of the cookie kept elsewhere opens nothing either: the row is withdrawn.
    thief = app.test_client()
    thief.set_cookie(COOKIE, kept)
    assert thief.get("/admin/platforms/").status_code == 401


def test_revoke_all_ends_every_session(client, app) -> None:
    assert _open(client, admin_link(_runtime(app))).status_code == 303
    other = app.test_client()
    assert _open(other, admin_link(_runtime(app))).status_code == 303
    with transaction(_runtime(app).sessions) as session:
        assert withdraw_admin_links(session) == 2
    assert client.get("/admin/platforms/").status_code == 401
    assert other.get("/admin/platforms/").status_code == 401


def test_forged_or_misused_credentials_open_nothing(client, app) -> None:
    runtime = _runtime(app)
    with transaction(runtime.sessions) as session:
        registration = create_registration_link(session)
    # A registration link is not an admin link, wherever it is put.
    assert client.get(f"/admin/platforms/open?at={registration.secret}").status_code == 401
    assert _open(client, registration.secret).status_code == 401
    assert client.get(f"/admin/platforms/?rl={registration.secret}").status_code == 401
    assert client.get(f"/admin/platforms/?at={registration.secret}").status_code == 401
    # A cookie naming a registration link's row, or signed with another secret.
    genuine = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="chemins.admin-session.v1")
    client.set_cookie(COOKIE, genuine.dumps({"l": registration.id}))
    assert client.get("/admin/platforms/").status_code == 401
    forged = URLSafeTimedSerializer("another-secret", salt="chemins.admin-session.v1")
    secret = admin_link(runtime)
    opened_elsewhere = app.test_client()
    _open(opened_elsewhere, secret)
    with transaction(runtime.sessions) as session:
        link_id = session.scalars(select(AccessLink.id).where(AccessLink.purpose == ADMIN)).one()
    client.set_cookie(COOKIE, forged.dumps({"l": link_id}))
    assert client.get("/admin/platforms/").status_code == 401
    client.set_cookie(COOKIE, "é" * 20)
    assert client.get("/admin/platforms/").status_code == 401
    assert _open(client, "é").status_code == 401


# -- registration links on the admin page --------------------------------------------


def test_the_instance_admin_makes_a_registration_link_shown_once(client, app) -> None:
    runtime = _runtime(app)
    with transaction(runtime.sessions) as session:
        bastide = community_named(session, "Centre social Bastide", runtime.instance.origin).id
    _open(client, admin_link(runtime))
    page = client.get("/admin/platforms/?lang=en").get_data(as_text=True)
    make = _form_with(page, "Create a registration link")
    assert f'<option value="{bastide}">Centre social Bastide</option>' in page

    made = client.post(make.action, data={**make.fields, "community_id": bastide})

    assert made.status_code == 200
    shown = made.get_data(as_text=True)
    url = re.search(r'value="(https://chemins\.test/lti/register\?rl=[^"]+)"', shown).group(1)
    secret = parse_qs(urlsplit(url).query)["rl"][0]
    with transaction(runtime.sessions) as session:
        (row,) = session.scalars(select(AccessLink).where(AccessLink.purpose == REGISTRATION))
        assert row.community_id == bastide and secret not in row.secret_hash
    again = client.get("/admin/platforms/").get_data(as_text=True)
    assert secret not in again and "Centre social Bastide" in again  # listed, not shown

    fresh = client.post(make.action, data={**make.fields, "community_id": "__new__"})
    assert fresh.status_code == 200
    with transaction(runtime.sessions) as session:
        rows = session.scalars(
            select(AccessLink.community_id).where(AccessLink.purpose == REGISTRATION)
        )
        assert sorted(rows, key=str) == sorted([bastide, None], key=str)
    unknown = client.post(make.action, data={**make.fields, "community_id": "not-an-id"})
    assert unknown.status_code == 400

    withdraw = _form_with(again, 'name="link_id"')
    assert client.post(withdraw.action, data=withdraw.fields).status_code == 303
    assert client.get(f"/lti/register?rl={secret}").status_code == 403


def test_a_launched_admin_makes_links_into_their_own_community_only(
    sqlite_lti_world: LtiWorld,
) -> None:
    world = sqlite_lti_world
    runtime = world.runtime
    with transaction(runtime.sessions) as session:
        other = community_named(session, "Centre social Bastide", runtime.instance.origin).id
        foreign = create_registration_link(session, community_id=other)
    outcome = Browser().launch(world.demo, world.moodle.client_id, world.spec(roles=[ADMIN_ROLE]))
    page = requests.get(
        f"{world.tool_url}/admin/platforms/",
        params={"lh": outcome.handle, "lang": "en"},
        timeout=10,
    )
    assert page.status_code == 200
    assert "End this admin access" not in page.text  # a launch ends on its platform
    assert "Centre social Bastide" not in page.text  # nor its links
    make = _form_with(page.text, "Create a registration link")
    (own,) = re.findall(r'<option value="([^"]+)">Centre social des Tilleuls', page.text)
    assert "__new__" not in page.text

    for community_id in (other, "__new__"):
        refused = requests.post(
            world.tool_url + make.action,
            data={**make.fields, "community_id": community_id},
            timeout=10,
        )
        assert refused.status_code == 403
    withdraw = requests.post(
        f"{world.tool_url}/admin/platforms/registration-links/withdraw",
        data={**make.fields, "link_id": foreign.id},
        timeout=10,
    )
    assert withdraw.status_code == 403
    sign_out = requests.post(
        f"{world.tool_url}/admin/platforms/sign-out", data=make.fields, timeout=10
    )
    assert sign_out.status_code == 403
    with transaction(runtime.sessions) as session:
        assert session.get(AccessLink, foreign.id).revoked_at is None
        assert len(session.scalars(select(AccessLink)).all()) == 1

    made = requests.post(
        world.tool_url + make.action, data={**make.fields, "community_id": own}, timeout=10
    )
    assert made.status_code == 200 and "/lti/register?rl=" in made.text


def test_the_admin_session_over_http(sqlite_lti_world: LtiWorld) -> None:
    """The whole door with a real browser's cookie jar: link, button, session, end."""
    world = sqlite_lti_world
    http = open_admin_session(world.runtime, world.tool_url)
    page = http.get(f"{world.tool_url}/admin/platforms/", params={"lang": "en"}, timeout=10)
    assert world.moodle.client_id in page.text and world.openedx.client_id in page.text
    sign_out = _form_with(page.text, "End this admin access")
    ended = http.post(world.tool_url + sign_out.action, data=sign_out.fields, timeout=10)
    assert ended.status_code == 200
    assert http.get(f"{world.tool_url}/admin/platforms/", timeout=10).status_code == 401
