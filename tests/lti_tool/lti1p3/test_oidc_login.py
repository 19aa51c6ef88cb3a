"""Login initiation (step 1 → 2): checks, and the authentication request it builds."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from lti_tool.lti1p3.exceptions import LoginRefused
from lti_tool.lti1p3.oidc_login import initiate_login
from lti_tool.lti1p3.registration import LoginRecord, RegistrationInfo, ToolUrls

ISS = "https://moodle.example.org"
URLS = ToolUrls("https://chemins.test")


def _registration(client_id: str, deployments: tuple[str, ...] = ("2",)) -> RegistrationInfo:
    return RegistrationInfo(
        id=f"r-{client_id}",
        issuer=ISS,
        client_id=client_id,
        auth_login_url=f"{ISS}/mod/lti/auth.php?x=1",
        auth_token_url=f"{ISS}/mod/lti/token.php",
        jwks_url=f"{ISS}/mod/lti/certs.php",
        deployment_ids=frozenset(deployments),
    )


class Store:
    def __init__(self, *registrations: RegistrationInfo) -> None:
        self.items = list(registrations)

    def registrations(self, issuer: str) -> list[RegistrationInfo]:
        return [r for r in self.items if r.issuer == issuer]

    def login(self, state: str) -> LoginRecord | None:
        return None

    def nonce_issued(self, nonce: str) -> bool:
        return False


PARAMS = {
    "iss": ISS,
    "login_hint": "42",
    "target_link_uri": "https://chemins.test/lti/launch",
    "client_id": "abc",
    "lti_deployment_id": "2",
}


def test_builds_the_authentication_request() -> None:
    hint = json.dumps({"cmid": 7, "launchid": "ltilaunch1_x"}) + " &=+%"
    login = initiate_login({**PARAMS, "lti_message_hint": hint}, Store(_registration("abc")), URLS)
    query = parse_qs(urlsplit(login.redirect_url).query)
    assert login.redirect_url.startswith(f"{ISS}/mod/lti/auth.php?x=1&")
    assert {k: v[0] for k, v in query.items() if k not in ("state", "nonce")} == {
        "x": "1",
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": "abc",
        "redirect_uri": "https://chemins.test/lti/launch",
        "login_hint": "42",
        "lti_message_hint": hint,
    }
    assert query["state"][0] == login.state and query["nonce"][0] == login.nonce
    assert login.state != login.nonce
    assert login.lti_deployment_id == "2"


def test_without_client_id_a_single_registration_is_used() -> None:
    params = {k: v for k, v in PARAMS.items() if k != "client_id"}
    login = initiate_login(params, Store(_registration("abc")), URLS)
    assert login.registration.client_id == "abc"
    with pytest.raises(LoginRefused):
        initiate_login(params, Store(_registration("abc"), _registration("def")), URLS)


@pytest.mark.parametrize(
    "change",
    [
        {"iss": "https://unknown.example"},
        {"iss": ""},
        {"login_hint": ""},
        {"target_link_uri": "https://chemins.test.evil.example/lti/launch"},
        {"target_link_uri": ""},
        {"client_id": "unknown"},
        {"lti_deployment_id": "3"},
        {"login_hint": "x" * 3000},
    ],
)
def test_refusals_are_b28(change: dict[str, str]) -> None:
    with pytest.raises(LoginRefused) as refused:
        initiate_login({**PARAMS, **change}, Store(_registration("abc")), URLS)
    assert refused.value.code == "B28" and refused.value.http_status == 400


@pytest.mark.parametrize(
    ("name", "limit"),
    [
        ("iss", 500),
        ("client_id", 255),
        ("lti_deployment_id", 255),
        ("target_link_uri", 2000),
        ("login_hint", 2048),
        ("lti_message_hint", 4096),
    ],
)
def test_each_parameter_has_a_length_limit(name: str, limit: int) -> None:
    """The hints go back in a Location header: none may grow it without bound."""
    too_long = "x" * (limit + 1)
    with pytest.raises(LoginRefused) as refused:
        initiate_login({**PARAMS, name: too_long}, Store(_registration("abc")), URLS)
    assert refused.value.code == "B28" and "too long" in refused.value.message


def test_hints_up_to_their_limits_go_back_unchanged() -> None:
    hint, message_hint = "h" * 2048, '{"launchid": "' + "m" * 4080 + '"}'
    login = initiate_login(
        {**PARAMS, "login_hint": hint, "lti_message_hint": message_hint},
        Store(_registration("abc")),
        URLS,
    )
    query = parse_qs(urlsplit(login.redirect_url).query)
    assert query["login_hint"] == [hint] and query["lti_message_hint"] == [message_hint]


@pytest.mark.parametrize("junk", ["\r\nSet-Cookie: x=1", " ", "\t", "\x00"])
def test_a_target_with_whitespace_or_controls_is_refused(junk: str) -> None:
    target = f"https://chemins.test/lti/launch{junk}"
    with pytest.raises(LoginRefused) as refused:
        initiate_login({**PARAMS, "target_link_uri": target}, Store(_registration("abc")), URLS)
    assert refused.value.code == "B28"
