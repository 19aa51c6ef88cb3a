"""Every bad launch of reference/lti13.md §12 (B1–B28), driven over real HTTP.

Each case starts a real launch at the demo LMS, changes one thing (a claim re-signed with
the platform key, the header, the signature, the posted form, the browser) and checks
that the tool refuses it with the right reason code and status, sets no launch cookie,
issues no handle and writes no row.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from demo_lms.platform import IdToken
from tests.lti_launches import Browser, C, LtiWorld, Outcome, reason_code

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segments(claims: dict[str, Any], header: dict[str, Any]) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"


def resign(change: Callable[[dict[str, Any], dict[str, Any]], None]) -> Callable[[IdToken], str]:
    """A tamper hook: change claims/header, then sign again with the platform key."""

    def tamper(token: IdToken) -> str:
        change(token.claims, token.header)
        return token.sign()

    return tamper


def claims(**changes: Any) -> Callable[[IdToken], str]:
    """Re-sign with claims set (value) or removed (``...``); names starting ``C:`` are LTI."""

    def change(body: dict[str, Any], _header: dict[str, Any]) -> None:
        for name, value in changes.items():
            key = C + name[2:] if name.startswith("C_") else name
            if value is ...:
                body.pop(key, None)
            else:
                body[key] = value

    return resign(change)


def no_kid(token: IdToken) -> str:
    return token.sign(header={})


def unknown_kid(token: IdToken) -> str:
    return token.sign(header={"kid": "not-a-key-of-this-platform"})


def other_key_same_kid(token: IdToken) -> str:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return token.sign(key=other)


def alg_none(token: IdToken) -> str:
    return _segments(token.claims, {"alg": "none", "kid": token.header["kid"]}) + "."


def hs256_with_public_key(token: IdToken) -> str:
    public = (
        serialization.load_pem_private_key(token.private_key_pem.encode(), None)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    signing_input = _segments(token.claims, {"alg": "HS256", "kid": token.header["kid"]})
    mac = hmac.new(public, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(mac)}"


def altered_payload(token: IdToken) -> str:
    signed = token.sign()
    head, _body, signature = signed.split(".")
    body = dict(token.claims, sub="someone-else")
    return f"{head}.{_b64(json.dumps(body).encode())}.{signature}"


def two_parts(token: IdToken) -> str:
    return ".".join(token.sign().split(".")[:2])


def garbage(_token: IdToken) -> str:
    return "this is not a JWT at all"


def bad_lti_message(token: IdToken) -> str:
    return token.sign(claims={"name": "badltilaunch"})


def deeply_nested(token: IdToken) -> str:
    """A payload nesting deeper than any JSON parser's recursion (once a 500)."""
    head = _b64(json.dumps({"alg": "RS256", "kid": token.header["kid"]}).encode())
    body = _b64(("[" * 20_000 + "]" * 20_000).encode())  # within the size limit
    return f"{head}.{body}.{_b64(b'signature')}"


def _now() -> int:
    return int(time.time())


def _timestamps(iat: int, exp: int) -> Callable[[IdToken], str]:
    return claims(iat=iat, exp=exp)


@dataclass
class Case:
    """One refusal: the spec and hooks of the launch, and what the tool must answer."""

    code: str
    status: int
    tamper: Callable[[IdToken], str] | None = None
    spec: dict[str, Any] = field(default_factory=dict)
    change_form: Callable[[dict[str, str]], None] | None = None
    other_browser: bool = False
    client: str = "moodle"


def _drop(name: str) -> Callable[[dict[str, str]], None]:
    return lambda form: form.pop(name, None)


def _set(name: str, value: str) -> Callable[[dict[str, str]], None]:
    return lambda form: form.__setitem__(name, value)


def _dl_settings(**changes: Any) -> dict[str, Any]:
    settings = {
        "deep_link_return_url": "http://127.0.0.1:9/dl",
        "accept_types": ["ltiResourceLink"],
        "accept_presentation_document_targets": ["iframe"],
    }
    for name, value in changes.items():
        if value is ...:
            settings.pop(name)
        else:
            settings[name] = value
    return settings


def _dl(**changes: Any) -> Callable[[IdToken], str]:
    def change(body: dict[str, Any], _header: dict[str, Any]) -> None:
        body[C + "message_type"] = "LtiDeepLinkingRequest"
        body.pop(C + "resource_link", None)
        body[DL + "deep_linking_settings"] = _dl_settings(**changes)

    return resign(change)


CASES: dict[str, Case] = {
    "B1-no-kid": Case("B1", 401, no_kid),
    "B2-unknown-kid": Case("B2", 401, unknown_kid),
    "B3-other-key-same-kid": Case("B3", 401, other_key_same_kid),
    "B4-alg-none": Case("B4", 401, alg_none),
    "B4-hs256-public-key": Case("B4", 401, hs256_with_public_key),
    "B4-rs512": Case("B4", 401, lambda t: t.sign(algorithm="RS512")),
    "B5-altered-payload": Case("B3", 401, altered_payload),
    "B5-two-parts": Case("B5", 400, two_parts),
    "B5-garbage": Case("B5", 400, garbage),
    "B5-deeply-nested": Case("B5", 400, deeply_nested),
    "B5-exp-infinity": Case("B5", 400, claims(exp=float("inf"))),  # the literal Infinity
    "B5-oversized": Case("B5", 400, claims(padding="x" * 80_000)),
    "B6-invalid-lti-message": Case("B6", 400, bad_lti_message),
    "B7-expired": Case("B7", 401, lambda t: _timestamps(_now() - 400, _now() - 120)(t)),
    "B7-11111-22222": Case("B7", 401, _timestamps(11111, 22222)),
    "B7-exp-true": Case("B7", 401, claims(exp=True)),
    "B7-nbf-future": Case("B7", 401, lambda t: claims(nbf=_now() + 600)(t)),
    "B8-no-exp": Case("B8", 401, claims(exp=...)),
    "B9-no-iat": Case("B9", 401, claims(iat=...)),
    "B10-iat-future": Case("B10", 401, lambda t: _timestamps(_now() + 120, _now() + 400)(t)),
    "B10-iat-too-old": Case("B10", 401, lambda t: _timestamps(_now() - 3000, _now() + 600)(t)),
    "B11-unknown-iss": Case("B11", 401, claims(iss="https://evil.example")),
    "B12-aud-not-tool": Case("B12", 401, claims(aud="someone-else", azp=...)),
    "B12-aud-array-without-tool": Case("B12", 401, claims(aud=["a", "b"], azp="a")),
    "B13-extra-aud-no-azp": Case(
        "B13", 401, resign(lambda b, h: b.update(aud=[b["aud"], "https://evil"]) or b.pop("azp"))
    ),
    "B14-azp-not-tool": Case("B14", 401, claims(azp="someone-else")),
    "B15-no-nonce": Case("B15", 401, claims(nonce=...)),
    "B15-nonce-never-issued": Case("B15", 401, claims(nonce="never-issued-by-the-tool")),
    "B17-no-state": Case("B17", 400, change_form=_drop("state")),
    "B17-wrong-state": Case("B17", 401, change_form=_set("state", "forged-state")),
    "B17-other-browser": Case("B17", 401, other_browser=True),
    "B18-no-id-token": Case("B18", 400, change_form=_drop("id_token")),
    "B18-oidc-error": Case("B18", 401, spec={"oidc_error": "login_required"}),
    "B19-no-deployment": Case("B19", 400, claims(C_deployment_id=...)),
    "B19-unknown-deployment": Case("B19", 401, claims(C_deployment_id="999")),
    "B19-not-login-deployment": Case("B19", 401, claims(C_deployment_id="42")),
    "B20-no-message-type": Case("B20", 400, claims(C_message_type=...)),
    "B20-unknown-message-type": Case("B20", 400, claims(C_message_type="LtiFooRequest")),
    "B21-no-version": Case("B21", 400, claims(C_version=...)),
    "B21-version-1.2.0": Case("B21", 400, claims(C_version="1.2.0")),
    "B22-no-roles": Case("B22", 400, claims(C_roles=...)),
    "B23-no-resource-link": Case("B23", 400, claims(C_resource_link=...)),
    "B23-resource-link-without-id": Case("B23", 400, claims(C_resource_link={"title": "x"})),
    "B24-no-sub": Case("B24", 400, claims(sub=...)),
    "B24-empty-sub": Case("B24", 400, claims(sub="")),
    "B25-no-target": Case("B25", 400, claims(C_target_link_uri=...)),
    "B25-foreign-target": Case("B25", 401, claims(C_target_link_uri="https://evil.example/x")),
    "B26-context-without-id": Case("B26", 400, claims(C_context={"title": "Cours"})),
    "B27-dl-no-return-url": Case("B27", 400, _dl(deep_link_return_url=...)),
    "B27-dl-no-accept-types": Case("B27", 400, _dl(accept_types=...)),
    "B27-dl-no-targets": Case("B27", 400, _dl(accept_presentation_document_targets=...)),
}


def assert_refused(world: LtiWorld, outcome: Outcome, code: str, status: int, before: dict) -> None:
    answer = outcome.launch
    assert answer.status_code == status, answer.text[:800]
    assert reason_code(answer) == code
    assert "chemins_launch" not in answer.headers.get("Set-Cookie", "")
    assert "Location" not in answer.headers
    assert outcome.handle is None
    assert world.counts() == before


@pytest.fixture
def world(shared_lti_world: LtiWorld) -> Iterator[LtiWorld]:
    """The module's world, with the demo platform's tamper hook reset after each case."""
    yield shared_lti_world
    shared_lti_world.demo.tamper = None


@pytest.mark.parametrize("name", list(CASES))
def test_bad_launch_is_refused(world: LtiWorld, name: str) -> None:
    case = CASES[name]
    world.demo.tamper = case.tamper
    browser = Browser()
    before = world.counts()
    client = world.moodle if case.client == "moodle" else world.openedx
    outcome = browser.launch(
        world.demo,
        client.client_id,
        world.spec(**case.spec),
        case.change_form,
        via=requests.Session() if case.other_browser else None,
    )
    assert_refused(world, outcome, case.code, case.status, before)
    assert not any(c.name == "chemins_launch" for c in browser.http.cookies)


def test_b25_target_differs_from_login(world: LtiWorld) -> None:
    """The signed target is one of the tool's URLs, but not the one the login named."""
    world.demo.tamper = claims(C_target_link_uri=f"{world.tool_url}/lti/config")
    before = world.counts()
    outcome = Browser().launch(world.demo, world.moodle.client_id, world.spec())
    assert_refused(world, outcome, "B25", 401, before)


def test_b16_replay_of_the_same_token_and_state(lti_world: LtiWorld) -> None:
    world, browser = lti_world, Browser()
    first = browser.launch(world.demo, world.moodle.client_id, world.spec())
    assert first.launch.status_code == 303
    before = world.counts()
    again = Outcome(browser.post_launch(first.form))
    assert_refused(world, again, "B16", 401, before)


def test_b16_old_token_with_a_fresh_state(lti_world: LtiWorld) -> None:
    world, browser = lti_world, Browser()
    first = browser.launch(world.demo, world.moodle.client_id, world.spec())
    assert first.launch.status_code == 303
    before = world.counts()
    old_token = first.form["id_token"]
    replay = browser.launch(
        world.demo, world.moodle.client_id, world.spec(), _set("id_token", old_token)
    )
    assert_refused(world, replay, "B16", 401, before)


def test_b18_oidc_error_page_explains_and_logs_nobody_in(sqlite_lti_world: LtiWorld) -> None:
    world = sqlite_lti_world
    browser = Browser()
    outcome = browser.launch(
        world.demo, world.moodle.client_id, world.spec(oidc_error="access_denied")
    )
    assert outcome.launch.status_code == 401
    assert "access_denied" in outcome.launch.text
    assert "id_token" not in outcome.form
    assert world.counts() == dict.fromkeys(world.counts(), 0)


def test_refused_launch_spends_its_state(sqlite_lti_world: LtiWorld) -> None:
    """A refused launch cannot be retried with the same state and a better token.

    The better token is signed by the platform for the refused launch's own nonce, so
    every check passes but one: its state was spent when the launch was refused.
    """
    world, browser = sqlite_lti_world, Browser()
    world.demo.tamper = claims(C_version="1.2.0")
    refused = browser.launch(world.demo, world.moodle.client_id, world.spec())
    assert refused.launch.status_code == 400
    nonce = jwt.decode(refused.form["id_token"], options={"verify_signature": False})["nonce"]
    world.demo.tamper = claims(nonce=nonce)
    good_token = Browser().authorize(
        Browser().login(world.demo, world.moodle.client_id, world.spec())
    )
    world.demo.tamper = None
    form = dict(refused.form, id_token=good_token["id_token"])
    again = Outcome(browser.post_launch(form))
    assert again.launch.status_code == 401
    assert reason_code(again.launch) == "B16"


LOGIN_CASES = {
    "unknown-iss": {"iss": "https://unknown.example"},
    "missing-login-hint": {"login_hint": None},
    "foreign-target": {"target_link_uri": "https://evil.example/launch"},
    "unknown-client-id": {"client_id": "nobody"},
    "unknown-deployment": {"lti_deployment_id": "999"},
    "missing-iss": {"iss": None},
    "missing-target": {"target_link_uri": None},
}


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("name", list(LOGIN_CASES))
def test_b28_login_initiation_is_refused(world: LtiWorld, name: str, method: str) -> None:
    start = world.demo.start(world.moodle.client_id, world.spec())
    params = dict(start.params)
    for key, value in LOGIN_CASES[name].items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    url = f"{world.tool_url}/lti/login"
    states = world.states()
    http = requests.Session()
    if method == "GET":
        answer = http.get(url, params=params, allow_redirects=False, timeout=10)
    else:
        answer = http.post(url, data=params, allow_redirects=False, timeout=10)
    assert answer.status_code == 400
    assert reason_code(answer) == "B28"
    assert "Location" not in answer.headers
    assert not http.cookies
    assert world.states() == states


def test_b28_no_client_id_with_several_registrations(world: LtiWorld) -> None:
    start = world.demo.start(world.moodle.client_id, world.spec())
    params = {k: v for k, v in start.params.items() if k != "client_id"}
    answer = requests.get(f"{world.tool_url}/lti/login", params=params, timeout=10)
    assert answer.status_code == 400
    assert reason_code(answer) == "B28"


def test_refusal_page_can_be_framed_by_registered_platforms(world: LtiWorld) -> None:
    """A refusal is shown inside the LMS iframe: it must not be blocked by frame-ancestors."""
    answer = requests.post(f"{world.tool_url}/lti/launch", data={"state": "x"}, timeout=10)
    assert answer.status_code == 400
    assert f"frame-ancestors {world.demo_url}" in answer.headers["Content-Security-Policy"]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_b28_a_hint_too_long_never_reaches_a_header(world: LtiWorld, method: str) -> None:
    """``lti_message_hint`` is echoed into the Location header: it has a length limit."""
    start = world.demo.start(world.moodle.client_id, world.spec())
    params = {**start.params, "lti_message_hint": "h" * 5000}
    url = f"{world.tool_url}/lti/login"
    states = world.states()
    if method == "GET":
        answer = requests.get(url, params=params, allow_redirects=False, timeout=10)
    else:
        answer = requests.post(url, data=params, allow_redirects=False, timeout=10)
    assert answer.status_code == 400
    assert reason_code(answer) == "B28"
    assert "Location" not in answer.headers
    assert world.states() == states


def test_a_login_body_of_megabytes_is_refused_unread(world: LtiWorld) -> None:
    start = world.demo.start(world.moodle.client_id, world.spec())
    params = {**start.params, "lti_message_hint": "h" * 5_000_000}
    states = world.states()
    answer = requests.post(
        f"{world.tool_url}/lti/login",
        data=params,
        headers={"Accept-Language": "fr"},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 413
    assert "trop volumineux" in answer.text
    assert "Location" not in answer.headers
    assert world.states() == states
