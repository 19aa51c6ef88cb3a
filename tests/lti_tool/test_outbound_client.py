"""The web app's guarded client: its allowlist from the config, and the admin page's
check of a keyset URL before it is stored and fetched on every launch."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from badges.models import Registration
from badges.storage.database import transaction
from lti_tool.app import create_app
from lti_tool.outbound_client import outbound_client
from tests.admin_sessions import admin_link
from tests.internal_listener import internal_listener
from tests.lti_launches import FormParser, parse_form


def test_the_app_client_reads_the_allowlist_from_the_config(app: Flask, sqlite_runtime) -> None:  # type: ignore[no-untyped-def]
    assert outbound_client(app).allowed == {"127.0.0.1", "localhost"}
    assert outbound_client(app) is outbound_client(app)  # one per app: one pool
    closed = create_app({"TESTING": True, "PRIVATE_HOSTS": []}, runtime=sqlite_runtime)
    assert outbound_client(closed).allowed == frozenset()


def _add_form(client: FlaskClient, app: Flask) -> FormParser:
    secret = admin_link(app.extensions["chemins"])
    assert client.post("/admin/platforms/open", data={"at": secret}).status_code == 303
    page = client.get("/admin/platforms/").get_data(as_text=True)
    forms = re.findall(r"<form .*?</form>", page, flags=re.S)
    return parse_form(next(f for f in forms if 'name="jwks_url"' in f))


def _add(client: FlaskClient, form: FormParser, jwks_url: str, lang: str = "en"):  # type: ignore[no-untyped-def]
    values = {
        "issuer": "https://moodle.tilleuls.example",
        "client_id": "abc123",
        "deployment_ids": "7",
        "auth_login_url": "https://moodle.tilleuls.example/mod/lti/auth.php",
        "auth_token_url": "https://moodle.tilleuls.example/mod/lti/token.php",
        "jwks_url": jwks_url,
    }
    return client.post(f"{form.action}?lang={lang}", data={**form.fields, **values})


def _registrations(app: Flask) -> int:
    with transaction(app.extensions["chemins"].sessions) as session:
        return session.scalar(select(func.count()).select_from(Registration)) or 0


def test_a_keyset_url_on_a_private_network_is_refused_plainly(
    client: FlaskClient, app: Flask
) -> None:
    form = _add_form(client, app)
    with internal_listener() as inside:
        secure_inside = inside.url.replace("http:", "https:")
        refused = _add(client, form, f"{secure_inside}/certs")
        in_french = _add(client, form, f"{secure_inside}/certs", lang="fr")
        assert inside.heard == []
    assert refused.status_code == 400
    assert "leads to a private network" in refused.get_data(as_text=True)
    assert "mène à un réseau privé" in in_french.get_data(as_text=True)
    assert _registrations(app) == 0


def test_a_keyset_url_must_be_https_unless_its_host_is_allowed(
    client: FlaskClient, app: Flask
) -> None:
    form = _add_form(client, app)

    plain = _add(client, form, "http://moodle.tilleuls.example/mod/lti/certs.php")
    not_web = _add(client, form, "javascript:alert(1)")
    assert plain.status_code == 400 and "must start with https://" in plain.get_data(as_text=True)
    assert not_web.status_code == 400
    assert _registrations(app) == 0

    secure = _add(client, form, "https://moodle.tilleuls.example/mod/lti/certs.php")
    local = _add(client, form, "http://127.0.0.1:8000/lti/certs")  # the test config allows it
    assert secure.status_code == 303 and local.status_code == 303
    assert _registrations(app) == 1
