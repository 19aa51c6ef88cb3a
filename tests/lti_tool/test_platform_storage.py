"""LTI platform storage (reference §9) on the server side, over real HTTP.

The browser half (``static/lti_storage.js`` talking to the course page) is proved in
``tests/e2e/test_iframe_launch.py``; here a ``requests`` session plays the browser with
no cookies at all, as a tool framed cross-site gets, and does by hand what the script
does: store the value the login page gives, send it back with the launch.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin

import pytest
import requests

from demo_lms.platform import LaunchSpec
from lti_tool.platform_storage import VALUE_FIELD, storage_value
from tests.lti_launches import LtiWorld, parse_form, reason_code


def _data(page: str, name: str) -> str:
    found = re.search(rf'data-{name}="([^"]*)"', page)
    assert found, f"no data-{name} in the page"
    return html.unescape(found.group(1))


def _login(world: LtiWorld, spec: LaunchSpec) -> requests.Response:
    start = world.demo.start(world.moodle.client_id, spec)
    assert start.method == "POST"
    return requests.post(start.url, data=start.params, allow_redirects=False, timeout=10)


def _launch_form(world: LtiWorld, login_page: requests.Response) -> dict[str, str]:
    """Follow the login page to the platform and read the id_token form it answers."""
    answer = requests.get(_data(login_page.text, "next"), allow_redirects=False, timeout=10)
    assert answer.status_code == 200, answer.text[:300]
    form = parse_form(answer.text)
    assert form.action == world.tool_url + "/lti/launch"
    return form.fields


def _post(world: LtiWorld, fields: dict[str, str], origin: str | None = None) -> requests.Response:
    """POST the launch form; ``origin`` is the page's the browser says it comes from.

    A new session each time: no cookie ever goes back, as in a blocking browser.
    """
    headers = {"Origin": origin} if origin is not None else {}
    return requests.post(
        world.tool_url + "/lti/launch",
        data=fields,
        headers=headers,
        allow_redirects=False,
        timeout=10,
    )


def test_login_with_a_storage_target_stores_the_state_with_the_platform(
    sqlite_lti_world: LtiWorld,
) -> None:
    world = sqlite_lti_world
    page = _login(world, world.spec(storage_target="_parent"))
    assert page.status_code == 200
    assert _data(page.text, "mode") == "put"
    assert _data(page.text, "target") == "_parent"
    # Messages go to (and replies are accepted from) the platform's auth endpoint origin.
    assert _data(page.text, "origin") == world.demo_url
    assert _data(page.text, "next").startswith(world.demo_url + "/lti/auth?")
    key = _data(page.text, "key")
    assert key.startswith("lti_state_")
    state = key.removeprefix("lti_state_")
    assert 'src="/static/lti_storage.js"' in page.text
    # The platform may frame this page; nobody else may.
    assert f"frame-ancestors {world.demo_url}" in page.headers["Content-Security-Policy"]
    # The state cookie is still offered to browsers that keep it.
    assert f"chemins_lti_state_{state}" in page.headers["Set-Cookie"]


def test_launch_without_cookie_reads_the_state_back_then_succeeds(
    sqlite_lti_world: LtiWorld,
) -> None:
    world = sqlite_lti_world
    login = _login(world, world.spec(storage_target="_parent"))
    stored = _data(login.text, "value")
    fields = _launch_form(world, login)
    assert fields["lti_storage_target"] == "_parent"
    before = world.counts()

    waiting = _post(world, fields)
    assert waiting.status_code == 200
    assert _data(waiting.text, "mode") == "get"
    assert _data(waiting.text, "key") == "lti_state_" + fields["state"]
    again = parse_form(waiting.text)
    assert again.action == "/lti/launch"
    assert again.fields["id_token"] == fields["id_token"]
    assert world.counts() == before, "the waiting page must not record the launch"

    # The launch page's script posts it again: from the tool's own origin.
    done = _post(world, {**again.fields, VALUE_FIELD: stored}, origin=world.tool_url)
    assert done.status_code == 303, done.text[:500]
    page = requests.get(urljoin(done.url, done.headers["Location"]), timeout=10)
    assert page.status_code == 200
    assert world.counts()["launch_session"] == before["launch_session"] + 1


def test_a_value_the_tool_did_not_give_is_refused_as_another_browser(
    sqlite_lti_world: LtiWorld,
) -> None:
    world = sqlite_lti_world
    fields = _launch_form(world, _login(world, world.spec(storage_target="_parent")))
    before = world.counts()
    refused = _post(world, {**fields, VALUE_FIELD: fields["state"]}, origin=world.tool_url)
    assert refused.status_code == 401
    assert reason_code(refused) == "B17"
    assert world.counts() == before


def test_the_stored_value_counts_only_when_the_platform_offers_storage(
    sqlite_lti_world: LtiWorld,
) -> None:
    world = sqlite_lti_world
    login = _login(world, world.spec(storage_target="_parent"))
    stored = _data(login.text, "value")
    fields = _launch_form(world, login)
    del fields["lti_storage_target"]
    refused = _post(world, {**fields, VALUE_FIELD: stored}, origin=world.tool_url)
    assert refused.status_code == 401
    assert reason_code(refused) == "B17"


def test_a_storage_target_that_is_not_a_frame_name_is_ignored(
    sqlite_lti_world: LtiWorld,
) -> None:
    world = sqlite_lti_world
    answer = _login(world, world.spec(storage_target='x"><script>alert(1)</script>'))
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith(world.demo_url + "/lti/auth?")


def test_the_stored_value_is_bound_to_the_state_and_the_secret(
    sqlite_lti_world: LtiWorld,
) -> None:
    with sqlite_lti_world.tool_app.app_context():
        one, two = storage_value("state-1"), storage_value("state-2")
    assert one != two and len(one) == 64
    assert "state-1" not in one


@pytest.mark.parametrize("origin", [None, "null", "https://evil.example", "http://127.0.0.1:9"])
def test_the_stored_value_counts_only_from_the_tools_own_page(
    sqlite_lti_world: LtiWorld, origin: str | None
) -> None:
    """Login CSRF: someone posts their own id_token, state and value from their page.

    The value is right, but the browser says the form came from another origin (or
    from nowhere): the launch is refused as from another browser, nothing is written.
    """
    world = sqlite_lti_world
    login = _login(world, world.spec(storage_target="_parent"))
    stored = _data(login.text, "value")
    fields = _launch_form(world, login)
    before = world.counts()
    refused = _post(world, {**fields, VALUE_FIELD: stored}, origin=origin)
    assert refused.status_code == 401
    assert reason_code(refused) == "B17"
    assert "chemins_launch" not in refused.headers.get("Set-Cookie", "")
    assert world.counts() == before


def test_a_value_that_is_not_ascii_is_refused_not_an_error(sqlite_lti_world: LtiWorld) -> None:
    world = sqlite_lti_world
    fields = _launch_form(world, _login(world, world.spec(storage_target="_parent")))
    refused = _post(world, {**fields, VALUE_FIELD: "é" * 64}, origin=world.tool_url)
    assert refused.status_code == 401
    assert reason_code(refused) == "B17"
