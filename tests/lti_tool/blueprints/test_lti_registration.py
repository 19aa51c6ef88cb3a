"""``/lti/register`` end to end: the tool registers itself with the live demo platform."""

from __future__ import annotations

import dataclasses
import re

import requests
from sqlalchemy import select

from badges.models import Community, Deployment, Platform, Registration
from badges.platforms import community_named
from badges.storage import transaction
from lti_tool.admin_access import issue_admin_token
from tests.live_platform import DemoPlatform
from tests.lti_launches import Browser, parse_form


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, name
    return match.group(1)


def _start(client, demo: DemoPlatform, extra: str = ""):
    token = demo.state.issue_registration_token()
    url = f"{demo.url}/lti/openid-configuration"
    return client.get(
        f"/lti/register?openid_configuration={url}&registration_token={token}{extra}"
    ), token


def _finish(client, html: str, token: str, community: str):  # type: ignore[no-untyped-def]
    """Submit the registration form of ``html`` for a new community."""
    return client.post(
        "/lti/register",
        data={
            "openid_configuration": _hidden(html, "openid_configuration"),
            "registration_token": token,
            "csrf_token": _hidden(html, "csrf_token"),
            "community_name": community,
        },
    )


def test_registration_stores_the_platform_and_closes(client, app, demo_platform):
    page, token = _start(client, demo_platform)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert demo_platform.state.issuer in html
    assert f"frame-ancestors {demo_platform.url}" in page.headers["Content-Security-Policy"]

    done = _finish(client, html, token, "Mission Locale de Lyon")

    assert done.status_code == 200, done.get_data(as_text=True)
    body = done.get_data(as_text=True)
    assert "lti-close.js" in body
    assert "Pending activation" in body or "Activation en attente" in body
    (client_id,) = demo_platform.state.clients.keys() - {"chemins-client"}
    with transaction(app.extensions["chemins"].sessions) as session:
        registration = session.scalars(
            select(Registration).where(Registration.client_id == client_id)
        ).one()
        platform = session.get(Platform, registration.platform_id)
        assert platform.issuer == demo_platform.state.issuer
        assert registration.auth_token_url == f"{demo_platform.url}/services/token"
        (deployment,) = registration.deployments
        assert deployment.deployment_id in demo_platform.state.clients[client_id].deployment_ids
        community = session.get(Community, deployment.community_id)
        assert community.name == "Mission Locale de Lyon"


def test_close_script_posts_the_lti_close_message(client):
    script = client.get("/static/lti-close.js").get_data(as_text=True)
    assert 'subject: "org.imsglobal.lti.close"' in script
    assert "window.opener || window.parent" in script


def test_reused_token_shows_a_plain_message(client, demo_platform):
    page, token = _start(client, demo_platform)
    html = page.get_data(as_text=True)
    form = {
        "openid_configuration": _hidden(html, "openid_configuration"),
        "registration_token": token,
        "csrf_token": _hidden(html, "csrf_token"),
        "community_name": "Centre social",
    }
    assert client.post("/lti/register", data=form).status_code == 200

    again = client.post("/lti/register", data={**form, "community_name": "Autre"})

    assert again.status_code == 400
    assert 'role="alert"' in again.get_data(as_text=True)


def test_an_existing_community_needs_an_admin_link(client, app, demo_platform):
    runtime = app.extensions["chemins"]
    with transaction(runtime.sessions) as session:
        community_named(session, "Centre social Bastide", runtime.instance.origin)
    page, token = _start(client, demo_platform)
    html = page.get_data(as_text=True)
    form = {
        "openid_configuration": _hidden(html, "openid_configuration"),
        "registration_token": token,
        "csrf_token": _hidden(html, "csrf_token"),
        "community_name": "Centre social Bastide",
    }

    refused = client.post("/lti/register", data=form)

    assert refused.status_code == 400
    assert demo_platform.state.registration_tokens[token] is False

    admin = issue_admin_token(app.config["SECRET_KEY"])
    page, token = _start(client, demo_platform, f"&at={admin}")
    html = page.get_data(as_text=True)
    assert "Centre social Bastide</option>" in html
    community_id = re.search(r'<option value="([^"]+)">Centre social Bastide', html).group(1)
    accepted = client.post(
        "/lti/register",
        data={
            "openid_configuration": _hidden(html, "openid_configuration"),
            "registration_token": token,
            "csrf_token": _hidden(html, "csrf_token"),
            "at": admin,
            "community_id": community_id,
        },
    )
    assert accepted.status_code == 200
    with transaction(runtime.sessions) as session:
        deployments = session.scalars(select(Deployment)).all()
        assert [d.community_id for d in deployments] == [community_id]


def test_forged_form_is_refused(client, demo_platform):
    page, token = _start(client, demo_platform)
    html = page.get_data(as_text=True)

    forged = client.post(
        "/lti/register",
        data={
            "openid_configuration": _hidden(html, "openid_configuration"),
            "registration_token": token,
            "csrf_token": "0" * 64,
            "community_name": "X",
        },
    )

    assert forged.status_code == 400
    assert demo_platform.state.registration_tokens[token] is False


def test_untrusted_issuer_is_explained_unless_allow_listed(client, demo_platform, app):
    demo_platform.state.issuer = "https://elsewhere.example.org"
    page, _token = _start(client, demo_platform)
    assert page.status_code == 400
    assert 'role="alert"' in page.get_data(as_text=True)

    app.config["LTI_TRUSTED_ISSUERS"] = ["https://elsewhere.example.org"]
    trusted, _token = _start(client, demo_platform)
    assert trusted.status_code == 200
    assert "https://elsewhere.example.org" in trusted.get_data(as_text=True)


def test_register_activate_then_launch_end_to_end(sqlite_lti_world):
    world = sqlite_lti_world
    admin = requests.Session()
    form_page = admin.get(
        f"{world.demo_url}/lti/dynamic-registration",
        params={"url": f"{world.tool_url}/lti/register"},
        timeout=10,
    )
    assert form_page.status_code == 200, form_page.text
    form = parse_form(form_page.text)
    done = admin.post(
        f"{world.tool_url}{form.action}",
        data={**form.fields, "community_name": "Maison de quartier"},
        timeout=10,
    )
    assert done.status_code == 200, done.text
    (client_id,) = {c for c, client in world.demo.state.clients.items() if client.registration}
    pending = Browser()
    assert world.demo.tool(client_id) is None  # pending: the platform cannot launch it yet

    activated = admin.post(f"{world.demo_url}/lti/tools/{client_id}/activate", timeout=10)
    outcome = pending.launch(world.demo, client_id, world.spec(user_id="new-learner"))

    assert activated.status_code == 200
    assert outcome.launch.status_code == 303, outcome.launch.text
    assert outcome.page is not None and outcome.page.status_code == 200


def test_a_private_platform_is_refused_unless_allowed(client, demo_platform, app):
    """The demo platform listens on the loopback: without the admin's leave, no request."""
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


def test_the_registration_endpoint_is_checked_too(client, demo_platform, app, monkeypatch):
    """A public-looking configuration cannot send the registration into a private network."""
    from lti_tool.lti1p3 import dynamic_registration

    page, token = _start(client, demo_platform)
    html = page.get_data(as_text=True)
    real = dynamic_registration.fetch_platform_configuration

    def pointing_inside(*args, **kwargs):  # type: ignore[no-untyped-def]
        configuration = real(*args, **kwargs)
        inside = "http://169.254.169.254/latest/meta-data/"
        return dataclasses.replace(configuration, registration_endpoint=inside)

    monkeypatch.setattr(
        "lti_tool.blueprints.lti_registration.fetch_platform_configuration", pointing_inside
    )
    done = _finish(client, html, token, "Centre social")
    assert done.status_code == 400
    assert "lti-close.js" not in done.get_data(as_text=True)
