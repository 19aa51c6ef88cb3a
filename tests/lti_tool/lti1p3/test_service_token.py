"""Service tokens against the demo platform's real token endpoint (and spec-shaped answers)."""

from __future__ import annotations

from urllib.parse import parse_qs

import jwt
import pytest
import responses

from badges.outbound.client import OutboundClient
from lti_tool.lti1p3.service_errors import InvalidScope, TokenRefused
from lti_tool.lti1p3.service_token import PlatformAccess, ServiceTokens
from tests.conftest import LOCAL_HOSTS
from tests.internal_listener import internal_listener
from tests.live_platform import CLIENT_ID, DEPLOYMENT_ID, DemoPlatform
from tests.live_server import serving

#: The demo platform listens on the loopback, which the test configuration allows.
LOCAL = OutboundClient(LOCAL_HOSTS)

SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


def test_token_from_the_demo_platform_with_a_verified_assertion(demo_platform: DemoPlatform):
    tokens = ServiceTokens(demo_platform.tool_key, http=LOCAL)

    token = tokens.token(demo_platform.access, {SCORE})

    assert token.scopes == {SCORE}
    assert token.authorization.startswith("Bearer ")
    (sent,) = demo_platform.state.token_requests
    assert sent["grant_type"] == "client_credentials"
    assert sent["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    assert sent["scope"] == SCORE
    header = jwt.get_unverified_header(sent["client_assertion"])
    assert header == {"alg": "RS256", "kid": demo_platform.tool_key.kid, "typ": "JWT"}
    claims = jwt.decode(sent["client_assertion"], options={"verify_signature": False})
    assert claims["iss"] == claims["sub"] == CLIENT_ID
    assert claims["aud"] == demo_platform.access.token_url
    assert 290 <= claims["exp"] - claims["iat"] <= 310
    assert claims["jti"]
    assert claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] == DEPLOYMENT_ID


def test_two_calls_share_one_token_request(demo_platform: DemoPlatform):
    tokens = ServiceTokens(demo_platform.tool_key, http=LOCAL)

    first = tokens.token(demo_platform.access, [SCORE, NRPS])
    second = tokens.token(demo_platform.access, [NRPS, SCORE])

    assert first is second
    assert len(demo_platform.state.token_requests) == 1


def test_each_assertion_has_a_fresh_jti(demo_platform: DemoPlatform):
    tokens = ServiceTokens(demo_platform.tool_key, http=LOCAL)

    tokens.token(demo_platform.access, {SCORE})
    tokens.token(demo_platform.access, {NRPS})

    jtis = {
        jwt.decode(r["client_assertion"], options={"verify_signature": False})["jti"]
        for r in demo_platform.state.token_requests
    }
    assert len(jtis) == 2


def test_scopes_the_platform_does_not_allow_give_invalid_scope(demo_platform: DemoPlatform):
    demo_platform.state.clients[CLIENT_ID].allowed_scopes = frozenset({NRPS})
    tokens = ServiceTokens(demo_platform.tool_key, http=LOCAL)

    with pytest.raises(InvalidScope) as refused:
        tokens.token(demo_platform.access, {SCORE})

    assert refused.value.status == 400
    assert refused.value.code == "invalid_scope"


def test_an_unknown_client_is_refused(demo_platform: DemoPlatform):
    tokens = ServiceTokens(demo_platform.tool_key, http=LOCAL)
    stranger = PlatformAccess(
        demo_platform.state.issuer, "someone-else", demo_platform.access.token_url
    )

    with pytest.raises(TokenRefused) as refused:
        tokens.token(stranger, {SCORE})

    assert refused.value.code == "invalid_client"
    assert not isinstance(refused.value, InvalidScope)


TOKEN_URL = "https://moodle.example.org/mod/lti/token.php"
ACCESS = PlatformAccess("https://moodle.example.org", "abc", TOKEN_URL)


@responses.activate
@pytest.mark.parametrize("token_type", ["Bearer", "bearer", "BEARER"])
def test_exact_form_content_type_and_any_case_of_bearer(tool_key, token_type: str):
    responses.post(
        TOKEN_URL,
        json={"access_token": "t0k", "token_type": token_type, "expires_in": 3600, "scope": SCORE},
    )

    token = ServiceTokens(tool_key).token(ACCESS, {SCORE})

    request = responses.calls[0].request
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = parse_qs(request.body)
    assert form["scope"] == [SCORE]
    assert token.value == "t0k"


@responses.activate
def test_a_token_type_other_than_bearer_is_refused(tool_key):
    responses.post(TOKEN_URL, json={"access_token": "t0k", "token_type": "mac"})

    with pytest.raises(TokenRefused):
        ServiceTokens(tool_key).token(ACCESS, {SCORE})


@responses.activate
def test_moodle_invalid_scope_answer(tool_key):
    responses.post(TOKEN_URL, status=400, json={"error": "invalid_scope"})

    with pytest.raises(InvalidScope):
        ServiceTokens(tool_key).token(ACCESS, {SCORE})


@responses.activate
def test_a_token_about_to_expire_is_renewed(tool_key):
    responses.post(
        TOKEN_URL, json={"access_token": "short", "token_type": "Bearer", "expires_in": 10}
    )
    tokens = ServiceTokens(tool_key)

    tokens.token(ACCESS, {SCORE})
    tokens.token(ACCESS, {SCORE})

    assert len(responses.calls) == 2


def test_a_token_endpoint_that_redirects_inside_gets_no_assertion(tool_key):
    """307 keeps the POST body: following it would hand the signed assertion inside."""
    with internal_listener() as inside:

        def bounce(environ: dict, start_response):  # type: ignore[no-untyped-def]
            start_response("307 Temporary Redirect", [("Location", f"{inside.url}/token")])
            return [b""]

        with serving(bounce) as platform:
            access = PlatformAccess(platform.url, "abc", f"{platform.url}/mod/lti/token.php")
            with pytest.raises(TokenRefused) as refused:
                ServiceTokens(tool_key, http=LOCAL).token(access, {SCORE})
        assert refused.value.status == 307
        with pytest.raises(TokenRefused, match="private network"):
            ServiceTokens(tool_key, http=LOCAL).token(
                PlatformAccess(inside.url, "abc", f"{inside.url}/token"), {SCORE}
            )
        assert inside.heard == []


@responses.activate
def test_refusals_are_logged_with_the_oauth_code_not_the_body(tool_key, caplog):
    responses.post(
        TOKEN_URL,
        status=400,
        json={"error": "invalid_client", "error_description": "client abc secret-detail"},
    )

    with pytest.raises(TokenRefused):
        ServiceTokens(tool_key).token(ACCESS, {SCORE})

    assert "invalid_client" in caplog.text
    assert "secret-detail" not in caplog.text


def test_a_proxy_error_page_is_logged_as_one_line(tool_key, caplog):
    """No OAuth code to log: the answer is summed up (status, type, title), not dumped."""
    page = b"<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body>\n</html>\n"

    def gateway(environ, start_response):  # type: ignore[no-untyped-def]
        start_response("502 Bad Gateway", [("Content-Type", "text/html")])
        return [page]

    with serving(gateway) as platform:
        access = PlatformAccess(platform.url, "abc", f"{platform.url}/mod/lti/token.php")
        with pytest.raises(TokenRefused):
            ServiceTokens(tool_key, http=LOCAL).token(access, {SCORE})

    (record,) = [r for r in caplog.records if r.name == "lti_tool.lti1p3.service_token"]
    line = record.getMessage()
    assert line.endswith(f': HTTP 502, text/html, "502 Bad Gateway", {len(page)} bytes'), line
    assert "\n" not in line and "nginx" not in line
