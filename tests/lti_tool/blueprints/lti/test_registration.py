"""``/lti/register`` end to end: the tool registers itself with the live demo platform.

Who may register is tested the way it is attacked: without a registration link, with a
spent, expired or withdrawn one, with the name or the id of somebody else's community,
and (the critical case) by an attacker's own platform that registered, launched as its
own administrator, then tried to join the victim's community over HTTP.
"""

from __future__ import annotations

import dataclasses
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from sqlalchemy import func, select

from badges.models import AccessLink, Community, Deployment, Platform, Registration
from badges.models.access_link import REGISTRATION
from badges.models.columns import utcnow
from badges.platforms.access_links import (
    create_admin_link,
    create_registration_link,
    secret_hash,
    withdraw_link,
)
from badges.platforms.registering import community_named
from badges.storage.database import transaction
from badges.storage.runtime import Runtime
from demo_lms.app import create_demo_app, platform_of
from tests.live_platform import DemoPlatform
from tests.live_server import LiveServer, free_port
from tests.lti_launches import LIS, Browser, LtiWorld, parse_form

ADMIN_ROLE = LIS + "institution/person#Administrator"


def _runtime(app) -> Runtime:  # type: ignore[no-untyped-def]
    return app.extensions["chemins"]  # type: ignore[no-any-return]


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, name
    return match.group(1)


def _link(app, community_id: str | None = None) -> str:  # type: ignore[no-untyped-def]
    """A registration link's secret, as ``chemins platform registration-link`` makes it."""
    with transaction(_runtime(app).sessions) as session:
        return create_registration_link(session, community_id=community_id).secret


def _community(app, name: str) -> str:  # type: ignore[no-untyped-def]
    runtime = _runtime(app)
    with transaction(runtime.sessions) as session:
        return community_named(session, name, runtime.instance.origin).id


def _start(client, demo: DemoPlatform, extra: str = ""):  # type: ignore[no-untyped-def]
    token = demo.state.issue_registration_token()
    url = f"{demo.url}/lti/openid-configuration"
    return client.get(
        f"/lti/register?openid_configuration={url}&registration_token={token}{extra}"
    ), token


def _form(html: str, token: str, **values: str) -> dict[str, str]:
    """The registration form of ``html``, as the browser would post it, with ``values``."""
    fields = {
        "openid_configuration": _hidden(html, "openid_configuration"),
        "registration_token": token,
        "csrf_token": _hidden(html, "csrf_token"),
    }
    for carried in ("rl", "lh"):
        if f'name="{carried}"' in html:
            fields[carried] = _hidden(html, carried)
    return {**fields, **values}


def _count(app, model) -> int:  # type: ignore[no-untyped-def]
    with transaction(_runtime(app).sessions) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _link_row(app, secret: str) -> AccessLink:  # type: ignore[no-untyped-def]
    with transaction(_runtime(app).sessions) as session:
        return session.scalars(
            select(AccessLink).where(AccessLink.secret_hash == secret_hash(secret))
        ).one()


# -- who may register ------------------------------------------------------------------


def test_a_registration_link_stores_the_platform_in_a_new_community_and_closes(
    client, app, demo_platform
) -> None:
    secret = _link(app)
    page, token = _start(client, demo_platform, f"&rl={secret}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert demo_platform.state.issuer in html
    assert f"frame-ancestors {demo_platform.url}" in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"  # it holds the link and the token

    done = client.post("/lti/register", data=_form(html, token, community_name="Mission Locale"))

    assert done.status_code == 200, done.get_data(as_text=True)
    body = done.get_data(as_text=True)
    assert "lti-close.js" in body
    assert "Pending activation" in body or "Activation en attente" in body
    (client_id,) = demo_platform.state.clients.keys() - {"chemins-client"}
    with transaction(_runtime(app).sessions) as session:
        registration = session.scalars(
            select(Registration).where(Registration.client_id == client_id)
        ).one()
        platform = session.get(Platform, registration.platform_id)
        assert platform.issuer == demo_platform.state.issuer
        assert registration.auth_token_url == f"{demo_platform.url}/services/token"
        (deployment,) = registration.deployments
        assert deployment.deployment_id in demo_platform.state.clients[client_id].deployment_ids
        assert session.get(Community, deployment.community_id).name == "Mission Locale"
    spent = _link_row(app, secret)
    assert spent.used_at is not None and spent.platform_id == platform.id


def test_without_a_link_registration_is_refused_before_anything_is_fetched(
    client, app, demo_platform
) -> None:
    page, token = _start(client, demo_platform, "&lang=en")
    assert page.status_code == 403
    html = page.get_data(as_text=True)
    assert 'role="alert"' in html and "registration link" in html
    assert 'name="csrf_token"' not in html  # no form to fill in

    posted = client.post(
        "/lti/register",
        data={
            "openid_configuration": f"{demo_platform.url}/lti/openid-configuration",
            "registration_token": token,
            "community_name": "Centre social",
        },
    )
    assert posted.status_code == 403
    assert demo_platform.state.registration_tokens[token] is False  # never sent
    assert _count(app, Platform) == 0 and _count(app, Community) == 0


def test_the_refusal_speaks_french(client, demo_platform) -> None:
    page, _token = _start(client, demo_platform, "&lang=fr")
    assert page.status_code == 403
    assert "lien d" in page.get_data(as_text=True)  # « lien d'inscription »


@pytest.mark.parametrize(
    ("spoil", "says"),
    [
        ("used", "already used"),
        ("expired", "expired"),
        ("withdrawn", "withdrawn"),
        ("altered", "not valid"),
        ("admin", "not valid"),
    ],
)
def test_a_spent_expired_withdrawn_or_wrong_link_is_refused(
    client, app, demo_platform, spoil: str, says: str
) -> None:
    secret = _link(app)
    runtime = _runtime(app)
    with transaction(runtime.sessions) as session:
        row = session.scalars(select(AccessLink)).one()
        if spoil == "used":
            row.used_at = utcnow()
        elif spoil == "expired":
            row.expires_at = utcnow() - timedelta(seconds=1)
        elif spoil == "withdrawn":
            withdraw_link(session, row.id, REGISTRATION)
        elif spoil == "admin":  # an admin link's secret is no registration link
            secret = create_admin_link(session).secret
    if spoil == "altered":
        secret = secret[:-2] + ("AA" if not secret.endswith("AA") else "BB")

    page, token = _start(client, demo_platform, f"&rl={secret}&lang=en")

    assert page.status_code == 403
    assert says in page.get_data(as_text=True)
    posted = client.post(
        "/lti/register",
        data={
            "openid_configuration": f"{demo_platform.url}/lti/openid-configuration",
            "registration_token": token,
            "rl": secret,
            "community_name": "Centre social",
        },
    )
    assert posted.status_code == 403
    assert demo_platform.state.registration_tokens[token] is False
    assert _count(app, Platform) == 0


def test_a_link_opened_in_a_browser_says_where_to_paste_it(client, app) -> None:
    page = client.get(f"/lti/register?rl={_link(app)}&lang=en")
    assert page.status_code == 400
    assert "Add LTI Advantage" in page.get_data(as_text=True)


def test_a_bare_register_url_opened_in_a_browser_explains_itself(client) -> None:
    """Pasted into a browser by mistake: a page that says what the address is for."""
    page = client.get("/lti/register?lang=en")
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "This address is for your learning platform" in html
    assert "chemins platform registration-link" in html  # how to get a link
    assert "Add LTI Advantage" in html and 'href="/lti/config' in html
    french = client.get("/lti/register?lang=fr")
    assert french.status_code == 400
    assert "lien d" in french.get_data(as_text=True)  # « lien d'inscription »


def test_a_link_is_used_once(client, app, demo_platform) -> None:
    secret = _link(app)
    page, token = _start(client, demo_platform, f"&rl={secret}")
    html = page.get_data(as_text=True)
    assert (
        client.post("/lti/register", data=_form(html, token, community_name="A")).status_code == 200
    )

    again, fresh = _start(client, demo_platform, f"&rl={secret}")
    assert again.status_code == 403
    replayed = client.post("/lti/register", data=_form(html, fresh, community_name="B"))
    assert replayed.status_code == 403
    assert demo_platform.state.registration_tokens[fresh] is False
    assert _count(app, Deployment) == 1


def test_a_failed_registration_with_the_platform_does_not_spend_the_link(
    client, app, demo_platform
) -> None:
    secret = _link(app)
    page, token = _start(client, demo_platform, f"&rl={secret}")
    html = page.get_data(as_text=True)
    demo_platform.state.registration_tokens[token] = True  # the platform will refuse it

    failed = client.post("/lti/register", data=_form(html, token, community_name="Lilas"))

    assert failed.status_code == 400
    assert _link_row(app, secret).used_at is None
    assert _count(app, Platform) == 0
    page, token = _start(client, demo_platform, f"&rl={secret}")
    html = page.get_data(as_text=True)
    assert (
        client.post("/lti/register", data=_form(html, token, community_name="Lilas")).status_code
        == 200
    )


def test_two_registrations_racing_with_one_link_store_one_platform(app, demo_platform) -> None:
    secret = _link(app)
    forms = []
    for _ in range(2):
        client = app.test_client()
        page, token = _start(client, demo_platform, f"&rl={secret}")
        forms.append((client, _form(page.get_data(as_text=True), token, community_name="")))
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def post(client, form: dict[str, str], name: str) -> None:  # type: ignore[no-untyped-def]
        barrier.wait()
        statuses.append(
            client.post("/lti/register", data={**form, "community_name": name}).status_code
        )

    racers = [
        threading.Thread(target=post, args=(c, f, f"Centre {i}")) for i, (c, f) in enumerate(forms)
    ]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=30)

    assert sorted(statuses)[0] == 200 and sorted(statuses)[1] in (403, 409)
    assert _count(app, Deployment) == 1 and _count(app, Community) == 1


def test_a_link_bound_to_a_community_joins_it_and_only_it(client, app, demo_platform) -> None:
    bastide = _community(app, "Centre social Bastide")
    other = _community(app, "Centre social Lilas")
    secret = _link(app, bastide)
    page, token = _start(client, demo_platform, f"&rl={secret}")
    html = page.get_data(as_text=True)
    assert "Centre social Bastide" in html and "Centre social Lilas" not in html
    assert 'name="community_name"' not in html and "<select" not in html

    wrong = client.post("/lti/register", data=_form(html, token, community_id=other))
    named = client.post(
        "/lti/register", data=_form(html, token, community_name="Centre social Lilas")
    )
    assert (wrong.status_code, named.status_code) == (403, 403)
    assert demo_platform.state.registration_tokens[token] is False

    done = client.post("/lti/register", data=_form(html, token))
    assert done.status_code == 200
    with transaction(_runtime(app).sessions) as session:
        (deployment,) = session.scalars(select(Deployment)).all()
        assert deployment.community_id == bastide


def test_a_link_for_a_new_community_refuses_an_existing_name(client, app, demo_platform) -> None:
    bastide = _community(app, "Centre social Bastide")
    secret = _link(app)
    page, token = _start(client, demo_platform, f"&rl={secret}")
    html = page.get_data(as_text=True)
    assert "Centre social Bastide" not in html

    for values in (
        {"community_name": "Centre social Bastide"},
        {"community_name": "centre social  BASTIDE"},
        {"community_id": bastide},
    ):
        refused = client.post("/lti/register", data=_form(html, token, **values))
        assert refused.status_code in (400, 403), values
        assert 'role="alert"' in refused.get_data(as_text=True)
    assert demo_platform.state.registration_tokens[token] is False
    assert _link_row(app, secret).used_at is None
    assert _count(app, Deployment) == 0


def test_open_registration_makes_a_community_of_its_own(client, app, demo_platform) -> None:
    app.config["OPEN_REGISTRATION"] = True
    bastide = _community(app, "Centre social Bastide")
    page, token = _start(client, demo_platform)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Centre social Bastide" not in html

    taken = client.post(
        "/lti/register", data=_form(html, token, community_name="Centre social Bastide")
    )
    chosen = client.post("/lti/register", data=_form(html, token, community_id=bastide))
    assert (taken.status_code, chosen.status_code) == (400, 403)
    assert demo_platform.state.registration_tokens[token] is False

    done = client.post("/lti/register", data=_form(html, token, community_name="Maison des Lilas"))
    assert done.status_code == 200
    with transaction(_runtime(app).sessions) as session:
        (deployment,) = session.scalars(select(Deployment)).all()
        assert deployment.community.name == "Maison des Lilas"


def test_open_registration_from_the_environment(client, app, demo_platform, monkeypatch) -> None:
    app.config.pop("OPEN_REGISTRATION", None)
    monkeypatch.setenv("CHEMINS_OPEN_REGISTRATION", "1")
    assert _start(client, demo_platform)[0].status_code == 200
    monkeypatch.setenv("CHEMINS_OPEN_REGISTRATION", "0")
    assert _start(client, demo_platform)[0].status_code == 403


def test_the_instance_admin_session_chooses_a_community_by_id(client, app, demo_platform) -> None:
    bastide = _community(app, "Centre social Bastide")
    with transaction(_runtime(app).sessions) as session:
        admin = create_admin_link(session).secret
    opened = client.post("/admin/platforms/open", data={"at": admin})
    assert opened.status_code == 303

    page, token = _start(client, demo_platform)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'<option value="{bastide}">Centre social Bastide</option>' in html
    by_name = client.post(
        "/lti/register", data=_form(html, token, community_name="Centre social Bastide")
    )
    assert by_name.status_code == 400  # a name is never a key, not even for the admin
    accepted = client.post("/lti/register", data=_form(html, token, community_id=bastide))
    assert accepted.status_code == 200
    with transaction(_runtime(app).sessions) as session:
        assert [d.community_id for d in session.scalars(select(Deployment))] == [bastide]


def test_forged_form_is_refused(client, app, demo_platform) -> None:
    page, token = _start(client, demo_platform, f"&rl={_link(app)}")
    html = page.get_data(as_text=True)

    forged = client.post(
        "/lti/register", data=_form(html, token, csrf_token="0" * 64, community_name="X")
    )
    accented = client.post(
        "/lti/register", data=_form(html, token, csrf_token="é" * 64, community_name="X")
    )
    # A genuine token of another registration attempt (another platform token).
    other_page, _other_token = _start(client, demo_platform, f"&rl={_link(app)}")
    stranger = _hidden(other_page.get_data(as_text=True), "csrf_token")
    assert stranger != _hidden(html, "csrf_token")
    crossed = client.post(
        "/lti/register", data=_form(html, token, csrf_token=stranger, community_name="X")
    )

    assert (forged.status_code, accented.status_code, crossed.status_code) == (400, 400, 400)
    assert demo_platform.state.registration_tokens[token] is False


def test_reused_platform_token_shows_a_plain_message(client, app, demo_platform) -> None:
    app.config["OPEN_REGISTRATION"] = True
    page, token = _start(client, demo_platform)
    html = page.get_data(as_text=True)
    assert (
        client.post("/lti/register", data=_form(html, token, community_name="Centre")).status_code
        == 200
    )

    again = client.post("/lti/register", data=_form(html, token, community_name="Autre"))

    assert again.status_code == 400
    assert 'role="alert"' in again.get_data(as_text=True)


def test_close_script_posts_the_lti_close_message(client) -> None:
    script = client.get("/static/lti-close.js").get_data(as_text=True)
    assert 'subject: "org.imsglobal.lti.close"' in script
    assert "window.opener || window.parent" in script


def test_untrusted_issuer_is_explained_unless_allow_listed(client, demo_platform, app) -> None:
    app.config["OPEN_REGISTRATION"] = True
    demo_platform.state.issuer = "https://elsewhere.example.org"
    page, _token = _start(client, demo_platform)
    assert page.status_code == 400
    assert 'role="alert"' in page.get_data(as_text=True)

    app.config["LTI_TRUSTED_ISSUERS"] = ["https://elsewhere.example.org"]
    trusted, _token = _start(client, demo_platform)
    assert trusted.status_code == 200
    assert "https://elsewhere.example.org" in trusted.get_data(as_text=True)


def test_a_private_platform_is_refused_unless_allowed(client, demo_platform, app) -> None:
    """The demo platform listens on the loopback: without the admin's leave, no request."""
    app.config["OPEN_REGISTRATION"] = True
    app.config["LTI_PRIVATE_PLATFORMS"] = []
    page, token = _start(client, demo_platform)
    assert page.status_code == 400
    assert "private network" in page.get_data(as_text=True) or "réseau privé" in page.get_data(
        as_text=True
    )
    # The platform was never asked: its one-time token is still unused.
    assert demo_platform.state.registration_tokens[token] is False

    app.config["LTI_PRIVATE_PLATFORMS"] = ["127.0.0.1"]
    allowed, _token = _start(client, demo_platform)
    assert allowed.status_code == 200


def test_the_registration_endpoint_is_checked_too(client, demo_platform, app, monkeypatch) -> None:
    """A public-looking configuration cannot send the registration into a private network."""
    from lti_tool.lti1p3 import dynamic_registration

    page, token = _start(client, demo_platform, f"&rl={_link(app)}")
    html = page.get_data(as_text=True)
    real = dynamic_registration.fetch_platform_configuration

    def pointing_inside(*args, **kwargs):  # type: ignore[no-untyped-def]
        configuration = real(*args, **kwargs)
        inside = "http://169.254.169.254/latest/meta-data/"
        return dataclasses.replace(configuration, registration_endpoint=inside)

    monkeypatch.setattr(
        "lti_tool.blueprints.lti.registration.fetch_platform_configuration", pointing_inside
    )
    done = client.post("/lti/register", data=_form(html, token, community_name="Centre social"))
    assert done.status_code == 400
    assert "lti-close.js" not in done.get_data(as_text=True)


# -- over HTTP: Moodle's button, and an attacker's platform ----------------------------


def _dynamic_registration(
    demo_url: str, tool_url: str, register_url: str, **values: str
) -> tuple[requests.Response, str | None]:
    """Play the platform admin: "Add LTI Advantage" with ``register_url``, then submit."""
    admin = requests.Session()
    form_page = admin.get(
        f"{demo_url}/lti/dynamic-registration", params={"url": register_url}, timeout=10
    )
    if form_page.status_code != 200:
        return form_page, None
    form = parse_form(form_page.text)
    done = admin.post(f"{tool_url}{form.action}", data={**form.fields, **values}, timeout=10)
    return done, form_page.text


def test_register_activate_then_launch_end_to_end(sqlite_lti_world: LtiWorld) -> None:
    world = sqlite_lti_world
    secret = _link(world.tool_app)
    done, _html = _dynamic_registration(
        world.demo_url,
        world.tool_url,
        f"{world.tool_url}/lti/register?rl={secret}",
        community_name="Maison de quartier",
    )
    assert done.status_code == 200, done.text
    (client_id,) = {c for c, client in world.demo.state.clients.items() if client.registration}
    pending = Browser()
    assert world.demo.tool(client_id) is None  # pending: the platform cannot launch it yet

    activated = requests.post(f"{world.demo_url}/lti/tools/{client_id}/activate", timeout=10)
    outcome = pending.launch(world.demo, client_id, world.spec(user_id="new-learner"))

    assert activated.status_code == 200
    assert outcome.launch.status_code == 303, outcome.launch.text
    assert outcome.page is not None and outcome.page.status_code == 200


@pytest.fixture
def attacker(lti_world: LtiWorld) -> Iterator[tuple[str, Any]]:
    """A second platform, run by someone else, next to the victim's world."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_demo_app(url)
    server = LiveServer(app, port=port).start()
    yield url, app
    server.stop()


def _victim_deployments(world: LtiWorld, community_id: str) -> list[tuple[str, str, str]]:
    with transaction(world.runtime.sessions) as session:
        rows = session.scalars(select(Deployment).where(Deployment.community_id == community_id))
        return sorted(
            (d.registration.platform.issuer, d.registration.client_id, d.deployment_id)
            for d in rows
        )


@pytest.mark.parametrize("entry", ["open-registration", "link-for-a-new-community"])
def test_an_attackers_platform_cannot_join_the_victims_community(
    lti_world: LtiWorld, attacker: tuple[str, Any], entry: str
) -> None:
    """The reproduced chain: register, launch as the platform's admin, then ask to join."""
    world = lti_world
    attacker_url, attacker_app = attacker
    attacker_lms = platform_of(attacker_app)
    with transaction(world.runtime.sessions) as session:
        victim = session.scalars(
            select(Community).where(Community.name == "Centre social des Tilleuls")
        ).one()
        victim_id, victim_name = victim.id, victim.name
    before = _victim_deployments(world, victim_id)
    assert before  # the victim's Moodle deployments

    # 1. Anonymous registration is refused outright by default.
    refused, _html = _dynamic_registration(
        attacker_url, world.tool_url, f"{world.tool_url}/lti/register", community_name=victim_name
    )
    assert refused.status_code == 403

    # 2. The attacker gets in legitimately, with a community of their own.
    if entry == "open-registration":
        world.tool_app.config["OPEN_REGISTRATION"] = True
        register_url = f"{world.tool_url}/lti/register"
    else:
        register_url = f"{world.tool_url}/lti/register?rl={_link(world.tool_app)}"
    taken, _html = _dynamic_registration(
        attacker_url, world.tool_url, register_url, community_name=victim_name
    )
    assert taken.status_code == 400  # not by the victim's name either (nor is a link spent)
    done, _html = _dynamic_registration(
        attacker_url, world.tool_url, register_url, community_name="Attaquants"
    )
    assert done.status_code == 200, done.text
    (client_id,) = [c for c, client in attacker_lms.state.clients.items() if client.registration]
    requests.post(f"{attacker_url}/lti/tools/{client_id}/activate", timeout=10)

    # 3. The attacker launches as their platform's administrator: a genuine admin handle.
    outcome = Browser().launch(
        attacker_lms, client_id, world.spec(user_id="mallory", roles=[ADMIN_ROLE])
    )
    handle = outcome.handle
    assert handle and outcome.page is not None and outcome.page.status_code == 200

    # 4. With that handle, the registration page offers only the attacker's community...
    token = attacker_lms.state.issue_registration_token()
    query = {
        "openid_configuration": f"{attacker_url}/lti/openid-configuration",
        "registration_token": token,
        "lh": handle,
    }
    page = requests.get(f"{world.tool_url}/lti/register", params=query, timeout=10)
    assert page.status_code == 200
    assert victim_name not in page.text and victim_id not in page.text
    form = parse_form(page.text).fields

    # ...and refuses the victim's, by name and by id, in every combination.
    attempts: list[dict[str, str]] = [
        {"community_name": victim_name},
        {"community_id": victim_id},
        {"community_id": "__new__", "community_name": victim_name},
        {"community_id": victim_id, "community_name": "Attaquants bis"},
    ]
    for values in attempts:
        answer = requests.post(
            f"{world.tool_url}/lti/register", data={**form, **values}, timeout=10
        )
        assert answer.status_code in (400, 403), (values, answer.status_code)
        assert "lti-close.js" not in answer.text
    # GET with the same values changes nothing either (GET never registers).
    requests.get(
        f"{world.tool_url}/lti/register",
        params={**query, "community_name": victim_name, "community_id": victim_id},
        timeout=10,
    )

    assert attacker_lms.state.registration_tokens[token] is False  # never even sent
    assert _victim_deployments(world, victim_id) == before
    with transaction(world.runtime.sessions) as session:
        attackers = session.scalars(
            select(Deployment)
            .join(Registration)
            .join(Platform)
            .where(Platform.issuer == attacker_url)
        ).all()
        assert {d.community_id for d in attackers} != {victim_id}
        assert victim_id not in {d.community_id for d in attackers}

    # The control: the same handle may add a platform to the attacker's own community.
    own = requests.post(
        f"{world.tool_url}/lti/register",
        data={**form, "community_id": _own_community(world, attacker_url)},
        timeout=10,
    )
    assert own.status_code == 200, own.text
    assert _victim_deployments(world, victim_id) == before


def _own_community(world: LtiWorld, issuer: str) -> str:
    with transaction(world.runtime.sessions) as session:
        return session.scalars(
            select(Deployment.community_id)
            .join(Registration)
            .join(Platform)
            .where(Platform.issuer == issuer)
        ).first()


# -- slow platforms --------------------------------------------------------------------


class DripServer:
    """A "platform" that answers one byte every ``interval`` seconds, and never finishes."""

    def __init__(self, interval: float = 1.0) -> None:
        self.interval = interval
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> DripServer:
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _address = self._listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            thread = threading.Thread(target=self._drip, args=(connection,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _drip(self, connection: socket.socket) -> None:
        with connection:
            connection.recv(65536)
            answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + b"X" * 10_000
            for byte in answer:
                if self._stop.wait(self.interval):
                    return
                connection.sendall(bytes([byte]))

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._listener.close()


def _worker_threads(app: Callable[..., Any], count: int) -> Callable[..., Any]:
    """``app`` behind ``count`` threads, as a gunicorn gthread worker runs it."""
    gate = threading.BoundedSemaphore(count)

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with gate:
            return list(app(environ, start_response))

    return wsgi


def _wait_for(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_slow_platforms_cannot_hold_every_thread(app) -> None:
    """Eight registrations against a dripping server; the tool still answers everyone else."""
    app.config["OPEN_REGISTRATION"] = True
    drip = DripServer().start()
    tool = LiveServer(_worker_threads(app, 8)).start()
    answers: list[requests.Response] = []
    query = urlencode(
        {"openid_configuration": f"{drip.url}/lti/openid-configuration", "registration_token": "t"}
    )

    def register() -> None:
        answers.append(requests.get(f"{tool.url}/lti/register?{query}", timeout=60))

    hanging = [threading.Thread(target=register) for _ in range(8)]
    try:
        for thread in hanging:
            thread.start()
        _wait_for(lambda: drip.connections >= 4)
        time.sleep(0.5)  # every registration has hung on the platform, or been turned away

        started = time.monotonic()
        config = requests.get(f"{tool.url}/lti/config", timeout=5)
        assert config.status_code == 200
        assert time.monotonic() - started < 1

        busy = list(answers)
        assert [a.status_code for a in busy] == [503] * 4
        assert all(a.headers["Retry-After"].isdigit() for a in busy)
        assert 'role="alert"' in busy[0].text
        assert drip.connections == 4  # the four others hang on the platform
    finally:
        drip.stop()
        for thread in hanging:
            thread.join(timeout=30)
        tool.stop()
    assert len(answers) == 8
    assert [a.status_code for a in answers].count(503) == 4

    freed = app.test_client().get(f"/lti/register?{query}")
    assert freed.status_code != 503


# -- updating a registration (Moodle's "Update") ---------------------------------------


def _start_update(client, demo: DemoPlatform, client_id: str, extra: str = ""):  # type: ignore[no-untyped-def]
    """The platform's "Update" of the tool it has: its token names the client to rewrite."""
    token = demo.state.issue_registration_token(update=client_id)
    url = f"{demo.url}/lti/openid-configuration"
    return client.get(
        f"/lti/register?openid_configuration={url}&registration_token={token}{extra}"
    ), token


def _registered(client, app, demo: DemoPlatform, name: str) -> str:  # type: ignore[no-untyped-def]
    """Register the demo platform with a link into a new community ``name``; its client id."""
    page, token = _start(client, demo, f"&rl={_link(app)}&lang=en")
    done = client.post(
        "/lti/register", data=_form(page.get_data(as_text=True), token, community_name=name)
    )
    assert done.status_code == 200, done.get_data(as_text=True)
    (client_id,) = [c for c, tool in demo.state.clients.items() if tool.registration]
    return client_id


def _placement(app, client_id: str) -> tuple[str, list[str], str]:  # type: ignore[no-untyped-def]
    """(community name, deployment ids, JWKS URL) of the registration of ``client_id``."""
    with transaction(_runtime(app).sessions) as session:
        registration = session.scalars(
            select(Registration).where(Registration.client_id == client_id)
        ).one()
        (community,) = {d.community.name for d in registration.deployments}
        return community, [d.deployment_id for d in registration.deployments], registration.jwks_url


def _communities(app) -> list[str]:  # type: ignore[no-untyped-def]
    with transaction(_runtime(app).sessions) as session:
        return sorted(session.scalars(select(Community.name)))


def test_each_registration_carries_its_communitys_name(client, app, demo_platform) -> None:
    client_id = _registered(client, app, demo_platform, "Centre social Les Tilleuls")
    assert demo_platform.state.clients[client_id].name == "Chemins — Centre social Les Tilleuls"


def test_an_update_keeps_the_community_unless_the_admin_moves_it(
    client, app, demo_platform
) -> None:
    client_id = _registered(client, app, demo_platform, "Centre social Les Tilleuls")
    before = _placement(app, client_id)
    with transaction(_runtime(app).sessions) as session:
        admin = create_admin_link(session).secret
    assert client.post("/admin/platforms/open", data={"at": admin}).status_code == 303

    page, token = _start_update(client, demo_platform, client_id, "&lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "already connected" in html and "Centre social Les Tilleuls" in html
    assert "selected>Centre social Les Tilleuls</option>" in html  # what an update keeps
    assert 'name="move"' in html  # the instance admin may move it

    # A name typed without asking to move: the update keeps the community, makes none.
    kept = client.post(
        "/lti/register", data=_form(html, token, community_id="__new__", community_name="Orphelin")
    )
    assert kept.status_code == 200, kept.get_data(as_text=True)
    assert _placement(app, client_id) == before
    assert _communities(app) == ["Centre social Les Tilleuls"]  # no orphan "Orphelin"
    assert demo_platform.state.clients[client_id].name == "Chemins — Centre social Les Tilleuls"

    # Asked explicitly, by someone who may: the connection moves, deployment and all.
    page, token = _start_update(client, demo_platform, client_id, "&lang=en")
    moved = client.post(
        "/lti/register",
        data=_form(
            page.get_data(as_text=True),
            token,
            community_id="__new__",
            community_name="Les Lilas",
            move="1",
        ),
    )
    assert moved.status_code == 200, moved.get_data(as_text=True)
    assert _placement(app, client_id) == ("Les Lilas", before[1], before[2])
    assert demo_platform.state.clients[client_id].name == "Chemins — Les Lilas"
    assert _communities(app) == ["Centre social Les Tilleuls", "Les Lilas"]


def test_an_update_without_a_right_to_the_community_changes_nothing(
    client, app, demo_platform
) -> None:
    """A link for a new community cannot take over (or rename) a known client."""
    client_id = _registered(client, app, demo_platform, "Centre social Les Tilleuls")
    before = _placement(app, client_id)
    secret = _link(app)

    page, token = _start_update(client, demo_platform, client_id, f"&rl={secret}&lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "already connected" in html
    assert "Centre social Les Tilleuls" not in html  # not theirs to see
    assert 'name="move"' not in html

    refused = client.post("/lti/register", data=_form(html, token, community_name="Orphelin"))
    assert refused.status_code == 409
    body = refused.get_data(as_text=True)
    assert "changed nothing" in body and "remove the new tool" not in body
    assert _placement(app, client_id) == before
    assert _communities(app) == ["Centre social Les Tilleuls"]
    assert _link_row(app, secret).used_at is None  # the link still works for a new tool
