"""Requests nobody should send get a clear 4xx page in the person's language, never a 500.

Each case once answered 500: a body over the size limit or a form of thousands of parts
(the error page's locale selector read the form again, and failed again), a CSRF token
or a credential with a character outside ASCII (``hmac.compare_digest`` raises
``TypeError`` on such ``str``). Driven over real HTTP against a launched tool.
"""

from __future__ import annotations

import html

import pytest
import requests

from tests.lti_launches import LIS, Browser, LtiWorld

FRENCH = {"Accept-Language": "fr"}
TOO_LARGE = "trop volumineux"
NOT_UNDERSTOOD = "La demande n'a pas pu être comprise"


@pytest.fixture
def launched(sqlite_lti_world: LtiWorld) -> tuple[LtiWorld, str]:
    """The world, and the URL of a launched page (handle in it)."""
    world = sqlite_lti_world
    outcome = Browser().launch(world.demo, world.moodle.client_id, world.spec())
    assert outcome.page is not None and outcome.page.status_code == 200
    return world, outcome.page.url


def _csrf(page: str) -> str:
    marker = 'name="csrf_token" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def test_a_body_over_the_limit_is_a_413_page(launched: tuple[LtiWorld, str]) -> None:
    _world, url = launched
    answer = requests.post(
        url, data=b"lang=fr&" + b"x" * (45 * 1024 * 1024), headers=FRENCH, timeout=60
    )
    assert answer.status_code == 413
    assert TOO_LARGE in answer.text


def test_a_form_of_thousands_of_parts_is_a_413_page(launched: tuple[LtiWorld, str]) -> None:
    _world, url = launched
    parts = [("lang", (None, "fr"))] + [(f"f{n}", (None, "x")) for n in range(5000)]
    answer = requests.post(url, files=parts, headers=FRENCH, timeout=60)
    assert answer.status_code == 413
    assert TOO_LARGE in answer.text


def test_a_launch_body_over_the_lti_limit_is_a_413_page(sqlite_lti_world: LtiWorld) -> None:
    world = sqlite_lti_world
    before = world.counts()
    answer = requests.post(
        f"{world.tool_url}/lti/launch",
        data={"id_token": "x" * 300_000, "state": "s"},
        headers=FRENCH,
        timeout=30,
    )
    assert answer.status_code == 413
    assert TOO_LARGE in answer.text
    assert world.counts() == before


@pytest.mark.parametrize("token", ["é" * 64, "☃", "ÿ" * 10])
def test_a_csrf_token_outside_ascii_is_a_400(launched: tuple[LtiWorld, str], token: str) -> None:
    _world, url = launched
    page = requests.get(url, timeout=10).text
    in_form = requests.post(url, data={"lang": "en", "csrf_token": token}, headers=FRENCH)
    # A header carries bytes: the server reads them as Latin-1, outside ASCII all the same.
    in_header = requests.post(
        url, data={"lang": "en"}, headers={**FRENCH, "X-CSRF-Token": token.encode()}
    )
    for answer in (in_form, in_header):
        assert answer.status_code == 400, answer.text[:300]
        assert NOT_UNDERSTOOD in html.unescape(answer.text)
    # The right token still works: the check compares, it does not refuse everything.
    fine = requests.post(url, data={"lang": "en", "csrf_token": _csrf(page)}, timeout=10)
    assert fine.status_code == 200


def test_an_admin_form_with_a_token_outside_ascii_is_a_400(sqlite_lti_world: LtiWorld) -> None:
    world = sqlite_lti_world
    admin = world.spec(roles=[LIS + "institution/person#Administrator"])
    outcome = Browser().launch(world.demo, world.moodle.client_id, admin)
    assert outcome.handle is not None
    answer = requests.post(
        f"{world.tool_url}/admin/platforms/add",
        data={"lh": outcome.handle, "csrf_token": "é" * 64},
        headers=FRENCH,
        timeout=10,
    )
    assert answer.status_code == 400, answer.text[:300]
    assert NOT_UNDERSTOOD in html.unescape(answer.text)


def test_a_registration_form_with_a_token_outside_ascii_is_a_400(app, client) -> None:  # type: ignore[no-untyped-def]
    app.config["OPEN_REGISTRATION"] = True  # anyone may reach the form's check
    answer = client.post(
        "/lti/register",
        data={"openid_configuration": "https://lms.example.org/conf", "csrf_token": "é" * 64},
        headers=FRENCH,
    )
    assert answer.status_code == 400
    assert NOT_UNDERSTOOD in html.unescape(answer.get_data(as_text=True))
