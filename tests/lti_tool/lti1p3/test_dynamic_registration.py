"""Dynamic Registration against the Moodle-shaped demo platform and a spec-shaped one."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest
import responses

from lti_tool.lti1p3.claims import NRPS_SCOPE, TOOL_CONFIGURATION
from lti_tool.lti1p3.dynamic_registration import (
    PlatformConfiguration,
    ToolDescription,
    fetch_platform_configuration,
    parse_platform_configuration,
    register,
    registration_request,
)
from lti_tool.lti1p3.service_errors import (
    PrivateAddress,
    RegistrationFailed,
    RegistrationTokenRefused,
    UntrustedIssuer,
)
from tests.internal_listener import internal_listener
from tests.live_platform import DemoPlatform

#: Most tests here are about the protocol (tests/badges/outbound checks addresses).
ANY_HOST = ["*"]

TOOL = ToolDescription(
    client_name="Chemins",
    base_url="https://chemins.test",
    login_url="https://chemins.test/lti/login",
    launch_url="https://chemins.test/lti/launch",
    jwks_url="https://chemins.test/.well-known/jwks.json",
    deep_linking_url="https://chemins.test/lti/deep-linking",
    course_navigation_url="https://chemins.test/lti/launch?place=wall",
    logo_url="https://chemins.test/static/logo.png",
    description="Open recognition",
)


def test_registration_with_the_moodle_shaped_demo(demo_platform: DemoPlatform):
    token = demo_platform.state.issue_registration_token()
    config_url = f"{demo_platform.url}/lti/openid-configuration"

    configuration = fetch_platform_configuration(config_url, token, private_hosts=ANY_HOST)
    result = register(configuration, TOOL, token, private_hosts=ANY_HOST)

    assert configuration.product_family_code == "moodle"
    assert [m.type for m in configuration.messages_supported] == [
        "LtiResourceLinkRequest",
        "LtiDeepLinkingRequest",
    ]
    client = demo_platform.state.clients[result.client_id]
    assert client.jwks_url == TOOL.jwks_url
    assert result.deployment_id in client.deployment_ids
    assert NRPS_SCOPE in client.allowed_scopes
    assert result.pending_activation is True
    assert demo_platform.state.registration_tokens[token] is True


def test_a_used_registration_token_is_refused(demo_platform: DemoPlatform):
    token = demo_platform.state.issue_registration_token()
    configuration = fetch_platform_configuration(
        f"{demo_platform.url}/lti/openid-configuration", token, private_hosts=ANY_HOST
    )
    register(configuration, TOOL, token, private_hosts=ANY_HOST)

    with pytest.raises(RegistrationTokenRefused) as refused:
        register(configuration, TOOL, token, private_hosts=ANY_HOST)

    assert refused.value.code == "token_already_used"
    assert refused.value.status == 401
    assert "already used" in str(refused.value)


def test_the_configuration_needs_the_bearer_token(demo_platform: DemoPlatform):
    with pytest.raises(RegistrationFailed) as refused:
        fetch_platform_configuration(
            f"{demo_platform.url}/lti/openid-configuration", None, private_hosts=ANY_HOST
        )
    assert refused.value.status == 401
    assert refused.value.code == "missing_registration_token"


CANVAS_LIKE = {
    "issuer": "https://lms.example.org",
    "authorization_endpoint": "https://lms.example.org/auth",
    "token_endpoint": "https://lms.example.org/token",
    "jwks_uri": "https://lms.example.org/jwks",
    "registration_endpoint": "https://lms.example.org/register",
    "token_endpoint_auth_methods_supported": ["private_key_jwt"],
    "https://purl.imsglobal.org/spec/lti-platform-configuration": {
        "product_family_code": "canvas",
        "messages_supported": [
            {"type": "LtiResourceLinkRequest"},
            {"type": "LtiDeepLinkingRequest", "placements": ["link_selection"]},
        ],
    },
}


@responses.activate
def test_object_shaped_configuration_and_bearer_on_both_requests():
    responses.get("https://lms.example.org/.well-known/openid-configuration", json=CANVAS_LIKE)
    responses.post(
        "https://lms.example.org/register",
        json={
            "client_id": "10000000000001",
            TOOL_CONFIGURATION: {"deployment_id": "1:abc", "domain": "chemins.test"},
        },
    )

    configuration = fetch_platform_configuration(
        "https://lms.example.org/.well-known/openid-configuration",
        "reg-token",
        private_hosts=ANY_HOST,
    )
    result = register(configuration, TOOL, "reg-token", private_hosts=ANY_HOST)

    assert configuration.placements_for("LtiDeepLinkingRequest") == ("link_selection",)
    assert (result.client_id, result.deployment_id) == ("10000000000001", "1:abc")
    assert result.pending_activation is False
    assert [c.request.headers["Authorization"] for c in responses.calls] == [
        "Bearer reg-token",
        "Bearer reg-token",
    ]
    sent = json.loads(responses.calls[1].request.body)
    assert sent["application_type"] == "web"
    assert sent["response_types"] == ["id_token"]
    assert sent["grant_types"] == ["implicit", "client_credentials"]
    assert sent["token_endpoint_auth_method"] == "private_key_jwt"
    assert sent["jwks_uri"] == TOOL.jwks_url
    assert sent["initiate_login_uri"] == TOOL.login_url
    assert TOOL.launch_url in sent["redirect_uris"]
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in sent["scope"].split()
    assert NRPS_SCOPE in sent["scope"].split()
    tool_config = sent[TOOL_CONFIGURATION]
    assert tool_config["domain"] == "chemins.test"
    assert tool_config["target_link_uri"] == TOOL.launch_url
    assert {"name", "given_name", "family_name", "email"} <= set(tool_config["claims"])
    dl = [m for m in tool_config["messages"] if m["type"] == "LtiDeepLinkingRequest"]
    assert dl[0]["placements"] == ["link_selection"]
    assert dl[0]["target_link_uri"] == TOOL.deep_linking_url
    nav = [m for m in tool_config["messages"] if m["type"] == "LtiResourceLinkRequest"]
    assert nav[0]["placements"] == ["course_navigation"]


def test_moodle_string_messages_get_the_default_placement():
    configuration = parse_platform_configuration(
        {
            **CANVAS_LIKE,
            "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                "product_family_code": "moodle",
                "messages_supported": ["LtiResourceLinkRequest", "LtiDeepLinkingRequest"],
            },
        }
    )
    body = registration_request(configuration, TOOL)
    dl = body[TOOL_CONFIGURATION]["messages"][0]
    assert dl["type"] == "LtiDeepLinkingRequest"
    assert dl["placements"] == ["ContentArea"]


@responses.activate
def test_foreign_issuer_is_refused_unless_allow_listed(caplog):
    config = {**CANVAS_LIKE, "issuer": "https://other.example.net"}
    url = "https://lms.example.org/.well-known/openid-configuration"
    responses.get(url, json=config)

    with pytest.raises(UntrustedIssuer):
        fetch_platform_configuration(url, "t", private_hosts=ANY_HOST)
    accepted = fetch_platform_configuration(
        url, "t", trusted_issuers=["https://other.example.net/"], private_hosts=ANY_HOST
    )

    assert isinstance(accepted, PlatformConfiguration)
    assert "differs from its configuration URL" in caplog.text


@responses.activate
def test_missing_endpoints_and_refused_registrations():
    url = "https://lms.example.org/.well-known/openid-configuration"
    responses.get(url, json={"issuer": "https://lms.example.org"})
    with pytest.raises(RegistrationFailed, match="registration_endpoint"):
        fetch_platform_configuration(url, "t", private_hosts=ANY_HOST)

    responses.post(
        "https://lms.example.org/register", status=401, json={"error": "missing_registration_token"}
    )
    configuration = parse_platform_configuration(CANVAS_LIKE)
    with pytest.raises(RegistrationTokenRefused) as refused:
        register(configuration, TOOL, None, private_hosts=ANY_HOST)
    assert "Authorization" not in responses.calls[-1].request.headers
    assert refused.value.code == "missing_registration_token"


# -- where a registration may send the tool -------------------------------------------


def test_a_registration_cannot_reach_the_tool_s_own_network() -> None:
    """A stranger's openid_configuration on 127.0.0.2 (not allowed) hears nothing."""
    with internal_listener() as inside:
        with pytest.raises(PrivateAddress):
            fetch_platform_configuration(f"{inside.url}/openid-configuration", "t")
        with pytest.raises(PrivateAddress):
            register(
                parse_platform_configuration(
                    {**CANVAS_LIKE, "registration_endpoint": f"{inside.url}/register"}
                ),
                TOOL,
                "one-time-token",
                private_hosts=["127.0.0.1", "localhost"],
            )
        assert inside.heard == []


def test_a_name_rebound_to_a_private_address_after_the_check_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DNS rebinding (the resolver is patched: no DNS server to rebind in a test): the
    name is public when checked, the inside when connected."""
    real = socket.getaddrinfo
    answers = iter(["93.184.215.14"])

    def rebinding_dns(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "platform.example":
            return real(next(answers, "127.0.0.2"), port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    with internal_listener() as inside:
        port = inside.url.rsplit(":", 1)[1]
        with pytest.raises(PrivateAddress):
            fetch_platform_configuration(
                f"http://platform.example:{port}/openid-configuration", "one-time-token"
            )
        assert inside.heard == []


PUBLIC_PLATFORM = "https://93.184.215.14"


@pytest.mark.parametrize(
    "endpoints",
    [
        {"jwks_uri": "http://169.254.169.254/latest/meta-data/"},
        {"token_endpoint": "http://10.0.0.5/admin/token"},
    ],
)
@responses.activate
def test_a_configuration_cannot_point_later_calls_inward(endpoints: dict[str, str]) -> None:
    """The keys and the token endpoint are fetched on later launches: checked now."""
    configuration = {
        "issuer": PUBLIC_PLATFORM,
        "authorization_endpoint": f"{PUBLIC_PLATFORM}/auth",
        "token_endpoint": f"{PUBLIC_PLATFORM}/token",
        "jwks_uri": f"{PUBLIC_PLATFORM}/certs",
        "registration_endpoint": f"{PUBLIC_PLATFORM}/register",
        **endpoints,
    }
    url = f"{PUBLIC_PLATFORM}/.well-known/openid-configuration"
    responses.get(url, json=configuration)
    with pytest.raises(PrivateAddress):
        fetch_platform_configuration(url, "one-time-token")
    allowed = next(iter(endpoints.values())).split("/")[2]
    accepted = fetch_platform_configuration(url, "one-time-token", private_hosts=[allowed])
    assert accepted.issuer == PUBLIC_PLATFORM


def test_an_html_error_page_is_logged_as_one_line(caplog) -> None:  # type: ignore[no-untyped-def]
    """Moodle's configuration page, behind a login, answers its HTML: summed up, not dumped."""
    from tests.live_server import serving

    page = b"<!DOCTYPE html>\n<html>\n<head>\n<title>Moodle: Log in to the site</title>\n</head>\n"

    def login_page(environ, start_response):  # type: ignore[no-untyped-def]
        start_response("403 Forbidden", [("Content-Type", "text/html; charset=utf-8")])
        return [page + b"<body><form>...</form></body></html>\n"]

    caplog.set_level("WARNING", logger="lti_tool.lti1p3.dynamic_registration")
    with serving(login_page) as moodle, pytest.raises(RegistrationFailed):
        fetch_platform_configuration(f"{moodle.url}/conf", "t", private_hosts=ANY_HOST)

    (line,) = [r.getMessage() for r in caplog.records if r.name.endswith("dynamic_registration")]
    assert line.startswith(f"platform configuration {moodle.url}/conf: HTTP 403, text/html, ")
    assert '"Moodle: Log in to the site"' in line and "\n" not in line and "<" not in line
