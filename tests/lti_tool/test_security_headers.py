"""Every response carries the security headers; a view's own value wins.

No URL anyone types (a registration's endpoints, a Dynamic Registration parameter)
reaches the Content-Security-Policy as text; pages of a launch or an admin are never
stored nor sent as ``Referer``; HTTPS instances ask browsers to stay on HTTPS.
"""

from __future__ import annotations

import re

import pytest
import requests
from flask import Flask, Response, g

from tests.lti_launches import Browser, LtiWorld
from tests.platform_rows import stored_unchecked

#: The directives of the tool's policy: an injection would add one (or a source list).
DIRECTIVES = [
    "default-src",
    "img-src",
    "style-src",
    "script-src",
    "frame-ancestors",
    "base-uri",
    "form-action",
]
#: What a hostile URL tries to slip into the header.
INJECTIONS = [
    "https://evil.example;script-src *",
    "https://evil.example script-src 'unsafe-inline'",
    "https://evil.example'unsafe-eval'/path",
    'https://evil.example"/x',
    "https://evil.example,https://other.example",
    "https://evil.example%0d%0aSet-Cookie:x=1",
    "javascript://evil.example/alert(1)",
]


def _policy(response: object) -> dict[str, str]:
    """The policy's directives by name, checked to be exactly the tool's own."""
    header = response.headers["Content-Security-Policy"]  # type: ignore[attr-defined]
    assert "\n" not in header and "," not in header
    directives = dict(part.strip().split(" ", 1) for part in header.split(";"))
    assert list(directives) == DIRECTIVES, header
    return directives


def _framing(response: object) -> list[str]:
    sources = _policy(response)["frame-ancestors"].split()
    for source in sources:
        assert source == "'none'" or re.fullmatch(r"https?://[a-z0-9.-]+(:\d+)?", source), source
    return sources


def test_pages_forbid_framing_and_sniffing_by_default(client) -> None:
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_framing_origins_and_a_views_own_header(app) -> None:
    @app.get("/framed-test")
    def framed() -> Response:
        g.frame_ancestors = ("https://moodle.example.org", "https://lms.example.org")
        response = Response("ok")
        response.headers["referrer-policy"] = "no-referrer"  # set by the view, any case
        return response

    response = app.test_client().get("/framed-test")
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors https://moodle.example.org https://lms.example.org;" in policy
    assert response.headers.getlist("Referrer-Policy") == ["no-referrer"]
    assert len(response.headers.getlist("Content-Security-Policy")) == 1


@pytest.mark.parametrize("url", INJECTIONS)
def test_a_registration_url_parameter_never_reaches_the_policy(client, url: str) -> None:
    """Reflected: ``/lti/register?openid_configuration=…`` lets that origin frame the page."""
    for answer in (
        client.get("/lti/register", query_string={"openid_configuration": url}),
        client.post("/lti/register", data={"openid_configuration": url}),
    ):
        assert _framing(answer) == ["'none'"]


def test_a_newline_never_splits_the_header(client) -> None:
    """Python's URL parser drops newlines: what is left is one host, in one header."""
    url = "https://evil.example\r\nscript-src *"
    _policy(client.get("/lti/register", query_string={"openid_configuration": url}))


def test_a_clean_registration_url_still_frames(client) -> None:
    answer = client.get(
        "/lti/register",
        query_string={"openid_configuration": "https://Moodle.Example.org:443/mod/lti/x"},
    )
    assert _framing(answer) == ["https://moodle.example.org"]


def test_stored_urls_never_reach_the_policy(app: Flask) -> None:
    """Stored: every refusal page lets the registered platforms' origins frame it."""
    runtime = app.extensions["chemins"]
    stored_unchecked(runtime, "https://good.example", "https://lms.good.example:8443/auth")
    for number, url in enumerate(INJECTIONS):
        stored_unchecked(runtime, f"{url}/issuer{number}", f"{url}/auth{number}")
    answer = app.test_client().post("/lti/launch", data={"state": "x"})
    assert answer.status_code == 400
    assert _framing(answer) == ["https://good.example", "https://lms.good.example:8443"]


def test_a_view_cannot_put_a_raw_value_in_the_policy(app: Flask) -> None:
    @app.get("/raw-framing-test")
    def raw() -> str:
        g.frame_ancestors = ("https://ok.example", "https://x.example; script-src *")
        return "ok"

    assert _framing(app.test_client().get("/raw-framing-test")) == ["https://ok.example"]


# -- private pages: not stored, not sent as Referer; HTTPS kept -------------------------------


def test_launched_pages_are_private(sqlite_lti_world: LtiWorld) -> None:
    world = sqlite_lti_world
    outcome = Browser().launch(world.demo, world.moodle.client_id, world.spec())
    assert outcome.page is not None and outcome.page.status_code == 200
    assert outcome.page.headers["Cache-Control"] == "no-store"
    assert outcome.page.headers["Referrer-Policy"] == "same-origin"
    # A page refused for a handle too old is private too: its URL holds the handle.
    stale = requests.get(world.tool_url + "/lti/launched", params={"lh": "x.y.z"}, timeout=10)
    assert stale.status_code == 401
    assert stale.headers["Cache-Control"] == "no-store"
    assert stale.headers["Referrer-Policy"] == "same-origin"
    public = requests.get(world.tool_url + "/lti/config", timeout=10)
    assert "Cache-Control" not in public.headers
    assert public.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_admin_pages_are_private(sqlite_lti_world: LtiWorld) -> None:
    from tests.lti_launches import LIS

    world = sqlite_lti_world
    admin = world.spec(roles=[LIS + "institution/person#Administrator"])
    outcome = Browser().launch(world.demo, world.moodle.client_id, admin)
    answer = requests.get(
        world.tool_url + "/admin/platforms/", params={"lh": outcome.handle}, timeout=10
    )
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(
    ("base_url", "hsts"), [("https://chemins.test", True), ("http://x", False)]
)
def test_https_instances_ask_browsers_to_stay_on_https(
    app: Flask, base_url: str, hsts: bool
) -> None:
    app.config["CHEMINS_BASE_URL"] = base_url
    answer = app.test_client().get("/")
    assert answer.headers.get("Strict-Transport-Security") == ("max-age=31536000" if hsts else None)
