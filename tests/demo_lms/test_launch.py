"""The demo LMS's launch side over HTTP: start, the checked auth endpoint, its JWKS."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests

from tests.lti_launches import Browser, LtiWorld, parse_form


def _auth_params(world: LtiWorld, browser: Browser) -> dict[str, str]:
    """The tool's authentication request for a fresh launch, as query parameters."""
    answer = browser.login(world.demo, world.moodle.client_id, world.spec())
    assert answer.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["Location"]).query).items()}


def test_moodle_style_start_posts_the_login(sqlite_lti_world: LtiWorld) -> None:
    world = sqlite_lti_world
    query = {"client_id": world.moodle.client_id, "user": "u1", "context_id": "c1"}
    page = requests.get(f"{world.demo_url}/launch/start", params=query, timeout=10)
    form = parse_form(page.text)
    assert (form.method, form.action) == ("post", f"{world.tool_url}/lti/login")
    assert json.loads(form.fields["lti_message_hint"])  # Moodle's hint is JSON
    assert form.fields["lti_deployment_id"] == "2"


def test_openedx_style_start_redirects_to_the_login(sqlite_lti_world: LtiWorld) -> None:
    world = sqlite_lti_world
    query = {"client_id": world.openedx.client_id, "user": "u1"}
    answer = requests.get(
        f"{world.demo_url}/launch/start", params=query, allow_redirects=False, timeout=10
    )
    assert answer.status_code == 302
    login = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert login["lti_deployment_id"] == ["1"] and login["client_id"] == [world.openedx.client_id]


def test_start_then_every_page_over_http(sqlite_lti_world: LtiWorld) -> None:
    """A browser that only follows redirects and submits the forms it is given."""
    world = sqlite_lti_world
    http = requests.Session()
    query = {
        "client_id": world.moodle.client_id,
        "user": "u2",
        "roles": "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
        "context_id": "c1",
        "context_title": "Atelier CV",
        "locale": "en",
    }
    page = http.get(f"{world.demo_url}/launch/start", params=query, timeout=10)
    for _ in range(2):  # the login form (Moodle posts it), then the id_token form
        form = parse_form(page.text)
        assert form.action and form.method == "post"
        page = http.post(form.action, data=form.fields, timeout=10)
    assert page.status_code == 200
    assert "Atelier CV" in page.text and 'data-role="trainer"' in page.text


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"scope": "profile"}, "invalid_request"),
        ({"response_type": "code"}, "invalid_request"),
        ({"response_mode": "query"}, "invalid_request"),
        ({"prompt": "login"}, "invalid_request"),
        ({"nonce": ""}, "invalid_request"),
        ({"lti_message_hint": "unknown"}, "invalid_request"),
        ({"login_hint": "someone-else"}, "login_required"),
    ],
)
def test_auth_request_errors_go_back_as_oidc_errors(
    sqlite_lti_world: LtiWorld, change: dict[str, str], error: str
) -> None:
    world, browser = sqlite_lti_world, Browser()
    params = {**_auth_params(world, browser), **change}
    page = requests.get(f"{world.demo_url}/lti/auth?{urlencode(params)}", timeout=10)
    form = parse_form(page.text)
    assert form.action == params["redirect_uri"]
    assert form.fields["error"] == error and "id_token" not in form.fields
    assert form.fields["state"] == params["state"]


@pytest.mark.parametrize(
    "change",
    [{"redirect_uri": "https://evil.example/steal"}, {"client_id": "unknown"}],
)
def test_auth_request_to_unregistered_places_is_a_400(
    sqlite_lti_world: LtiWorld, change: dict[str, str]
) -> None:
    world, browser = sqlite_lti_world, Browser()
    params = {**_auth_params(world, browser), **change}
    answer = requests.post(f"{world.demo_url}/lti/auth", data=params, timeout=10)
    assert answer.status_code == 400
    assert "<form" not in answer.text


def test_id_tokens_are_signed_by_the_published_key(sqlite_lti_world: LtiWorld) -> None:
    world, browser = sqlite_lti_world, Browser()
    form = browser.authorize(browser.login(world.demo, world.openedx.client_id, world.spec()))
    keys = requests.get(f"{world.demo_url}/lti/certs", timeout=10).json()["keys"]
    header = jwt.get_unverified_header(form["id_token"])
    (jwk,) = [k for k in keys if k["kid"] == header["kid"]]
    key = jwt.PyJWK(jwk).key
    claims = jwt.decode(
        form["id_token"], key, algorithms=["RS256"], audience=world.openedx.client_id
    )
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["https://purl.imsglobal.org/spec/lti/claim/tool_platform"]["guid"]
