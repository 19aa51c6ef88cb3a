"""Reading a roster over NRPS: real paging against the demo platform, Link header parsing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import responses

from badges.outbound.client import OutboundClient
from lti_tool.lti1p3.claims import NRPS_CLAIM
from lti_tool.lti1p3.names_roles import MEDIA_TYPE, fetch_roster
from lti_tool.lti1p3.paging import next_page, parse_link_header
from lti_tool.lti1p3.service_errors import (
    InvalidScope,
    ServiceCallFailed,
    ServiceNotOffered,
    ServiceUrlRefused,
)
from lti_tool.lti1p3.service_token import PlatformAccess, ServiceTokens
from tests.conftest import LOCAL_HOSTS
from tests.internal_listener import internal_listener
from tests.live_platform import CLIENT_ID, CONTEXT_ID, DemoPlatform
from tests.live_server import serving

#: The demo platform listens on the loopback, which the test configuration allows.
LOCAL = OutboundClient(LOCAL_HOSTS)

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def _course(demo_platform: DemoPlatform, size: int) -> dict:
    members = [
        {"user_id": f"u{i}", "roles": [LEARNER], "name": f"Learner {i}", "status": "Active"}
        for i in range(size - 1)
    ]
    members.append(
        {"user_id": "t1", "roles": [INSTRUCTOR], "given_name": "Awa", "family_name": "Diallo"}
    )
    demo_platform.state.add_context(CONTEXT_ID, "Garantie Jeunes", members)
    url = f"{demo_platform.url}/services/{CONTEXT_ID}/memberships"
    return {NRPS_CLAIM: {"context_memberships_url": url, "service_versions": ["2.0"]}}


def test_roster_over_three_pages_with_a_multi_rel_link_header(demo_platform: DemoPlatform):
    claims = _course(demo_platform, 7)
    tokens = ServiceTokens(demo_platform.tool_key, http=LOCAL)

    roster = fetch_roster(tokens, demo_platform.access, claims, limit=3)

    assert roster.pages == 3
    assert [m.user_id for m in roster.members] == ["u0", "u1", "u2", "u3", "u4", "u5", "t1"]
    assert roster.context["title"] == "Garantie Jeunes"
    assert roster.members[-1].display_name == "Awa Diallo"
    assert roster.members[0].active
    assert len(demo_platform.state.token_requests) == 1


def test_role_filter_is_passed_to_the_platform(demo_platform: DemoPlatform):
    claims = _course(demo_platform, 4)

    roster = fetch_roster(
        ServiceTokens(demo_platform.tool_key, http=LOCAL),
        demo_platform.access,
        claims,
        role="Instructor",
    )

    assert [m.user_id for m in roster.members] == ["t1"]


@responses.activate
def test_no_claim_means_no_request(tool_key):
    with pytest.raises(ServiceNotOffered):
        fetch_roster(ServiceTokens(tool_key), PlatformAccess("i", "c", "https://lms/t"), {})
    assert len(responses.calls) == 0


def test_platform_without_the_nrps_scope(demo_platform: DemoPlatform):
    claims = _course(demo_platform, 2)
    demo_platform.state.clients[CLIENT_ID].allowed_scopes = frozenset(
        {"https://purl.imsglobal.org/spec/lti-ags/scope/score"}
    )

    with pytest.raises(InvalidScope):
        fetch_roster(
            ServiceTokens(demo_platform.tool_key, http=LOCAL), demo_platform.access, claims
        )


@responses.activate
def test_a_revoked_token_is_replaced_once(tool_key):
    token_url = "https://lms.example.org/token"
    url = "https://lms.example.org/api/lti_consumer/v1/lti/7/memberships"
    responses.post(token_url, json={"access_token": "a", "token_type": "bearer"})
    responses.get(url, status=401)
    responses.get(url, json={"members": [{"user_id": "x", "roles": []}]})

    roster = fetch_roster(
        ServiceTokens(tool_key),
        PlatformAccess("https://lms.example.org", "c", token_url),
        {NRPS_CLAIM: {"context_memberships_url": url}},
    )

    assert [m.user_id for m in roster.members] == ["x"]
    token_calls = [c for c in responses.calls if c.request.url == token_url]
    assert len(token_calls) == 2
    nrps_calls = [c for c in responses.calls if c.request.url == url]
    assert all(c.request.headers["Accept"] == MEDIA_TYPE for c in nrps_calls)
    assert all(c.request.headers["Authorization"] == "Bearer a" for c in nrps_calls)


def test_link_header_with_several_rels_and_commas_inside_urls():
    header = (
        '<https://lms.example.org/m?since=2026-01-01,00:00;utc>; rel="differences", '
        '<https://lms.example.org/m?page=2&x=a,b>; rel="next last"; title="p, 2"'
    )

    links = parse_link_header(header)

    assert [target for target, _ in links] == [
        "https://lms.example.org/m?since=2026-01-01,00:00;utc",
        "https://lms.example.org/m?page=2&x=a,b",
    ]
    assert links[1][1] == {"rel": "next last", "title": "p, 2"}
    assert (
        next_page(header, "https://lms.example.org/m") == "https://lms.example.org/m?page=2&x=a,b"
    )


def test_link_header_variants():
    base = "https://lms.example.org/api/memberships?page=1"
    assert (
        next_page("<?page=2>; rel=next", base) == "https://lms.example.org/api/memberships?page=2"
    )
    assert next_page('<https://a/p2>; rel="prev"', base) is None
    assert next_page(None, base) is None
    assert next_page('<https://a/p2>; REL="Next"', base) == "https://a/p2"


# -- where the roster may be read ------------------------------------------------------


def _nrps_platform(next_url: str | None) -> Callable[..., Any]:
    """A platform on 127.0.0.1 with a token endpoint and one roster page linking on."""

    def app(environ: dict, start_response):  # type: ignore[no-untyped-def]
        if environ["PATH_INFO"] == "/token":
            body = b'{"access_token": "platform-token", "token_type": "Bearer"}'
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        headers = [("Content-Type", MEDIA_TYPE)]
        if next_url:
            headers.append(("Link", f'<{next_url}>; rel="next"'))
        start_response("200 OK", headers)
        return [b'{"members": [{"user_id": "u1", "roles": []}]}']

    return app


def test_a_next_page_off_the_platform_is_not_followed(tool_key):
    """A roster page's Link header is a URL from the platform too: checked like the claim."""
    with internal_listener() as inside:
        with serving(_nrps_platform(f"{inside.url}/memberships?page=2")) as platform:
            access = PlatformAccess(platform.url, "c", f"{platform.url}/token")
            claims = {NRPS_CLAIM: {"context_memberships_url": f"{platform.url}/memberships"}}
            with pytest.raises(ServiceUrlRefused):
                fetch_roster(ServiceTokens(tool_key, http=LOCAL), access, claims)
        assert inside.heard == []


def test_a_roster_url_off_the_registration_asks_for_nothing(tool_key):
    with internal_listener() as inside:
        with serving(_nrps_platform(None)) as platform:
            access = PlatformAccess(platform.url, "c", f"{platform.url}/token")
            claims = {NRPS_CLAIM: {"context_memberships_url": f"{inside.url}/memberships"}}
            with pytest.raises(ServiceUrlRefused):
                fetch_roster(ServiceTokens(tool_key, http=LOCAL), access, claims)
            elsewhere = PlatformAccess(
                platform.url, "c", f"{platform.url}/token", known_origins=frozenset({inside.url})
            )
            with pytest.raises(ServiceCallFailed, match="private network"):  # the guard holds
                fetch_roster(ServiceTokens(tool_key, http=LOCAL), elsewhere, claims)
        assert inside.heard == []


@responses.activate
def test_an_origin_the_admin_added_is_read(tool_key):
    """Canvas-like: the services live on another origin than the issuer and token URL."""
    token_url = "https://sso.canvaslms.example/login/oauth2/token"
    url = "https://school.instructure.example/api/lti/courses/1/names_and_roles"
    responses.post(token_url, json={"access_token": "a", "token_type": "bearer"})
    responses.get(url, json={"members": [{"user_id": "x", "roles": []}]})
    access = PlatformAccess(
        "https://canvas.example",
        "c",
        token_url,
        known_origins=frozenset({"https://school.instructure.example"}),
    )

    roster = fetch_roster(
        ServiceTokens(tool_key), access, {NRPS_CLAIM: {"context_memberships_url": url}}
    )

    assert [m.user_id for m in roster.members] == ["x"]
