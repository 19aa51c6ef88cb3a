"""Deep Linking responses: claims, accept_* rules, and the demo platform verifying them."""

from __future__ import annotations

import jwt
import pytest
import requests

from lti_tool.lti1p3.claims import DEEP_LINKING_SETTINGS, DL, LTI
from lti_tool.lti1p3.deep_link import (
    ContentItem,
    DeepLinkingError,
    DeepLinkingSettings,
    LineItem,
    build_response,
    response_form,
)
from tests.live_platform import CLIENT_ID, DEPLOYMENT_ID, DemoPlatform

ISSUER = "https://moodle.example.org"


def _settings(**overrides) -> DeepLinkingSettings:
    claim = {
        "deep_link_return_url": "https://moodle.example.org/mod/lti/contentitem_return.php",
        "accept_types": ["ltiResourceLink"],
        "accept_presentation_document_targets": ["frame", "iframe", "window"],
        "accept_multiple": True,
        "auto_create": False,
    }
    claim.update(overrides)
    return DeepLinkingSettings.from_claims({DEEP_LINKING_SETTINGS: claim})


BADGE_LINK = ContentItem(
    "ltiResourceLink",
    "Ask for « Je soutiens »",
    url="https://chemins.test/lti/launch",
    custom={"chemins_badge": "b-1"},
    line_item=LineItem(10, "Je soutiens", resource_id="badge:b-1"),
)


def _decode(token: str, tool_key) -> dict:
    return jwt.decode(
        token, tool_key.private_key.public_key(), algorithms=["RS256"], audience=ISSUER
    )


def _respond(settings, items, tool_key) -> str:
    return build_response(
        settings, items, key=tool_key, client_id="cid", platform_issuer=ISSUER, deployment_id="7"
    )


def test_response_claims_and_kid(tool_key):
    token = _respond(_settings(accept_lineitem=True), [BADGE_LINK], tool_key)

    assert jwt.get_unverified_header(token)["kid"] == tool_key.kid
    claims = _decode(token, tool_key)
    assert claims["iss"] == "cid"
    assert claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
    assert claims[LTI + "version"] == "1.3.0"
    assert claims[LTI + "deployment_id"] == "7"
    assert claims["nonce"] and claims["exp"] > claims["iat"]
    (item,) = claims[DL + "content_items"]
    assert item["lineItem"] == {
        "scoreMaximum": 10,
        "label": "Je soutiens",
        "resourceId": "badge:b-1",
    }
    assert item["custom"] == {"chemins_badge": "b-1"}


def test_data_is_echoed_only_when_sent(tool_key):
    without = _decode(_respond(_settings(), [BADGE_LINK], tool_key), tool_key)
    with_data = _decode(_respond(_settings(data="csrf-123"), [BADGE_LINK], tool_key), tool_key)
    with_null = _decode(_respond(_settings(data=None), [BADGE_LINK], tool_key), tool_key)

    assert DL + "data" not in without
    assert with_data[DL + "data"] == "csrf-123"
    assert DL + "data" in with_null and with_null[DL + "data"] is None


def test_fresh_nonce_each_time(tool_key):
    first = _decode(_respond(_settings(), [], tool_key), tool_key)
    second = _decode(_respond(_settings(), [], tool_key), tool_key)
    assert first["nonce"] != second["nonce"]
    assert first[DL + "content_items"] == []


def test_line_item_unless_refused(tool_key):
    """Moodle 4.3 sends no ``accept_lineitem`` key yet creates the grade item: a missing
    key means "no assumption" (DL §4.4.1); only an explicit ``false`` refuses."""
    moodle = _settings()  # exactly Moodle 4.3's settings: no accept_lineitem key
    assert moodle.accept_lineitem
    claims = _decode(_respond(moodle, [BADGE_LINK], tool_key), tool_key)
    assert claims[DL + "content_items"][0]["lineItem"]["scoreMaximum"] == 10

    refused = _decode(_respond(_settings(accept_lineitem=False), [BADGE_LINK], tool_key), tool_key)
    assert "lineItem" not in refused[DL + "content_items"][0]
    # Only the boolean false refuses; anything else is "no assumption".
    assert _settings(accept_lineitem=None).accept_lineitem


def test_moodle_gets_only_resource_links():
    settings = _settings()
    assert settings.offered_types() == ("ltiResourceLink",)
    with pytest.raises(DeepLinkingError):
        _respond(settings, [ContentItem("link", "Wall", url="https://chemins.test/w")], None)


def test_open_edx_types_without_file(tool_key):
    settings = _settings(accept_types=["ltiResourceLink", "link", "html", "image", "file"])
    assert settings.offered_types() == ("ltiResourceLink", "link", "html", "image")
    items = [
        ContentItem("link", "Wall", url="https://chemins.test/wall"),
        ContentItem("html", "Badge", html="<p>Je soutiens</p>"),
        ContentItem(
            "image", "Badge image", url="https://chemins.test/i.png", width=200, height=200
        ),
    ]
    claims = _decode(_respond(settings, items, tool_key), tool_key)
    assert [i["type"] for i in claims[DL + "content_items"]] == ["link", "html", "image"]
    assert claims[DL + "content_items"][2]["width"] == 200
    with pytest.raises(DeepLinkingError):
        _respond(settings, [ContentItem("file", "x", url="https://chemins.test/f")], tool_key)


def test_single_item_when_multiple_not_accepted(tool_key):
    with pytest.raises(DeepLinkingError):
        _respond(_settings(accept_multiple=False), [BADGE_LINK, BADGE_LINK], tool_key)


@pytest.mark.parametrize(
    "missing", ["deep_link_return_url", "accept_types", "accept_presentation_document_targets"]
)
def test_malformed_requests_are_refused(missing):
    claim = {
        "deep_link_return_url": "https://lms/return",
        "accept_types": ["link"],
        "accept_presentation_document_targets": ["iframe"],
    }
    del claim[missing]
    with pytest.raises(DeepLinkingError):
        DeepLinkingSettings.from_claims({DEEP_LINKING_SETTINGS: claim})


def test_form_posts_field_jwt_to_the_return_url():
    form = response_form(_settings(), "a.b.c")
    assert form.action == "https://moodle.example.org/mod/lti/contentitem_return.php"
    assert dict(form.fields) == {"JWT": "a.b.c"}


def test_demo_platform_verifies_and_records_the_response(demo_platform: DemoPlatform):
    settings = _settings(
        deep_link_return_url=f"{demo_platform.url}/deep-linking/return",
        accept_lineitem=True,
        data="opaque",
    )
    token = build_response(
        settings,
        [BADGE_LINK],
        key=demo_platform.tool_key,
        client_id=CLIENT_ID,
        platform_issuer=demo_platform.state.issuer,
        deployment_id=DEPLOYMENT_ID,
    )
    form = response_form(settings, token)

    answer = requests.post(form.action, data=dict(form.fields), timeout=5)
    replay = requests.post(form.action, data=dict(form.fields), timeout=5)

    assert answer.status_code == 200, answer.text
    assert answer.json() == {"placed": 1, "data": "opaque"}
    assert demo_platform.state.placed_items[0]["lineItem"]["scoreMaximum"] == 10
    assert replay.status_code == 400
    assert replay.json()["error"] == "nonce already used"
