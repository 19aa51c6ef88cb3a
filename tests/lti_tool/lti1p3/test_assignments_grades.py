"""Posting a badge's completion score over AGS to the demo platform (Moodle-shaped URLs)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
import responses

from badges.outbound.client import OutboundClient
from lti_tool.lti1p3.assignments_grades import (
    SCORE_MEDIA_TYPE,
    AgsEndpoint,
    NewLineItem,
    Score,
    ScoreClock,
    ScoreOutcome,
    find_or_create_lineitem,
    format_timestamp,
    post_score,
    scores_url,
)
from lti_tool.lti1p3.claims import AGS_ENDPOINT, AGS_LINEITEM_SCOPE, AGS_SCORE_SCOPE
from lti_tool.lti1p3.service_errors import (
    ServiceCallFailed,
    ServiceNotOffered,
    ServiceUrlRefused,
)
from lti_tool.lti1p3.service_token import PlatformAccess, ServiceTokens
from tests.conftest import LOCAL_HOSTS
from tests.live_platform import CLIENT_ID, CONTEXT_ID, DemoPlatform

#: The demo platform listens on the loopback, which the test configuration allows.
LOCAL = OutboundClient(LOCAL_HOSTS)


def _launch_claims(demo_platform: DemoPlatform) -> tuple[dict, str]:
    item = demo_platform.state.add_lineitem(CONTEXT_ID, "Badge: Je soutiens", 10, type_id="3")
    lineitem_url = (
        f"{demo_platform.url}/services/{CONTEXT_ID}/lineitems/{item.id}/lineitem?type_id=3"
    )
    claims = {
        AGS_ENDPOINT: {
            "scope": [AGS_SCORE_SCOPE],
            "lineitem": lineitem_url,
            "lineitems": f"{demo_platform.url}/services/{CONTEXT_ID}/lineitems?type_id=3",
        }
    }
    return claims, item.id


def test_scores_url_keeps_the_query_after_the_path():
    assert (
        scores_url(
            "https://moodle.example.org/mod/lti/services.php/2/lineitems/7/lineitem?type_id=3"
        )
        == "https://moodle.example.org/mod/lti/services.php/2/lineitems/7/lineitem/scores?type_id=3"
    )
    assert scores_url("https://lms/ags/items/4/") == "https://lms/ags/items/4/scores"


def test_completed_fully_graded_score_reaches_moodle_shaped_line_item(demo_platform: DemoPlatform):
    claims, item_id = _launch_claims(demo_platform)
    clock = ScoreClock()

    outcome = post_score(
        ServiceTokens(demo_platform.tool_key, http=LOCAL),
        demo_platform.access,
        AgsEndpoint.from_claims(claims),
        Score("learner-sub", 10, 10, clock.now()),
    )

    assert outcome is ScoreOutcome.APPLIED
    (received,) = demo_platform.state.scores
    assert received.lineitem_id == item_id
    assert received.body["userId"] == "learner-sub"
    assert received.body["activityProgress"] == "Completed"
    assert received.body["gradingProgress"] == "FullyGraded"
    assert received.body["scoreGiven"] == received.body["scoreMaximum"] == 10
    assert "." in received.body["timestamp"]


def test_a_stale_timestamp_is_reported_as_superseded(demo_platform: DemoPlatform):
    claims, _ = _launch_claims(demo_platform)
    tokens = ServiceTokens(demo_platform.tool_key, http=LOCAL)
    endpoint = AgsEndpoint.from_claims(claims)
    later = datetime.now(UTC)
    post_score(tokens, demo_platform.access, endpoint, Score("s", 10, 10, later))

    outcome = post_score(
        tokens, demo_platform.access, endpoint, Score("s", 10, 10, later - timedelta(seconds=1))
    )

    assert outcome is ScoreOutcome.SUPERSEDED
    assert len(demo_platform.state.scores) == 1


def test_score_clock_is_strictly_increasing_with_microseconds():
    clock = ScoreClock()
    stamps = [clock.now() for _ in range(200)]
    assert all(a < b for a, b in pairwise(stamps))
    assert format_timestamp(datetime(2026, 11, 28, 21, 0, tzinfo=UTC)) == (
        "2026-11-28T21:00:00.000000+00:00"
    )


def test_without_the_score_scope_nothing_is_sent():
    endpoint = AgsEndpoint.from_claims(
        {
            AGS_ENDPOINT: {
                "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"],
                "lineitem": "https://lms/x",
            }
        }
    )
    with pytest.raises(ServiceNotOffered):
        endpoint.score_target()
    with pytest.raises(ServiceNotOffered):
        AgsEndpoint.from_claims({})


@responses.activate
def test_score_request_shape_for_moodle(tool_key):
    token_url = "https://moodle.example.org/mod/lti/token.php"
    lineitem = "https://moodle.example.org/mod/lti/services.php/2/lineitems/7/lineitem?type_id=3"
    responses.post(token_url, json={"access_token": "tk", "token_type": "Bearer"})
    responses.post(
        "https://moodle.example.org/mod/lti/services.php/2/lineitems/7/lineitem/scores?type_id=3",
        status=200,
    )
    endpoint = AgsEndpoint.from_claims(
        {AGS_ENDPOINT: {"scope": [AGS_SCORE_SCOPE], "lineitem": lineitem}}
    )

    post_score(
        ServiceTokens(tool_key),
        PlatformAccess("https://moodle.example.org", "c", token_url),
        endpoint,
        Score("2", 1, 1, datetime(2026, 11, 28, 21, 0, 0, 123456, tzinfo=UTC)),
    )

    request = responses.calls[1].request
    assert request.headers["Content-Type"] == SCORE_MEDIA_TYPE
    assert request.headers["Authorization"] == "Bearer tk"
    assert json.loads(request.body)["timestamp"] == "2026-11-28T21:00:00.123456+00:00"


@responses.activate
def test_a_server_error_raises_for_the_retry_queue(tool_key):
    token_url = "https://lms/token"
    responses.post(token_url, json={"access_token": "tk", "token_type": "Bearer"})
    responses.post("https://lms/items/1/scores", status=503)
    endpoint = AgsEndpoint.from_claims(
        {AGS_ENDPOINT: {"scope": [AGS_SCORE_SCOPE], "lineitem": "https://lms/items/1"}}
    )

    with pytest.raises(ServiceCallFailed) as failed:
        post_score(
            ServiceTokens(tool_key),
            PlatformAccess("https://lms", "c", token_url),
            endpoint,
            Score("2", 1, 1, datetime.now(UTC)),
        )

    assert failed.value.status == 503


def test_open_edx_style_line_item_without_query(demo_platform: DemoPlatform):
    item = demo_platform.state.add_lineitem(CONTEXT_ID, "Badge", 1)
    lineitem = f"{demo_platform.url}/services/{CONTEXT_ID}/lineitems/{item.id}/lineitem"
    endpoint = AgsEndpoint.from_claims(
        {AGS_ENDPOINT: {"scope": [AGS_SCORE_SCOPE], "lineitem": lineitem}}
    )

    outcome = post_score(
        ServiceTokens(demo_platform.tool_key, http=LOCAL),
        demo_platform.access,
        endpoint,
        Score("edx-user", 1, 1, ScoreClock().now()),
    )

    assert outcome is ScoreOutcome.APPLIED
    assert demo_platform.state.scores[0].user_id == "edx-user"


@responses.activate
def test_a_lineitem_off_the_registration_gets_no_score_and_no_token(tool_key):
    """The launch claim is the platform's word; the registration decides where it lives."""
    endpoint = AgsEndpoint.from_claims(
        {
            AGS_ENDPOINT: {
                "scope": [AGS_SCORE_SCOPE],
                "lineitem": "http://127.0.0.2:8080/lineitems/1",
            }
        }
    )

    with pytest.raises(ServiceUrlRefused):
        post_score(
            ServiceTokens(tool_key),
            PlatformAccess("https://moodle.example.org", "c", "https://moodle.example.org/t"),
            endpoint,
            Score("2", 1, 1, datetime.now(UTC)),
        )

    assert len(responses.calls) == 0


@responses.activate
def test_a_redirected_score_is_not_taken_for_applied(tool_key):
    """Redirects are not followed: a 302 means the score went nowhere, so it is retried."""
    token_url = "https://lms/token"
    responses.post(token_url, json={"access_token": "tk", "token_type": "Bearer"})
    responses.post(
        "https://lms/items/1/scores", status=302, headers={"Location": "https://lms/elsewhere"}
    )
    endpoint = AgsEndpoint.from_claims(
        {AGS_ENDPOINT: {"scope": [AGS_SCORE_SCOPE], "lineitem": "https://lms/items/1"}}
    )

    with pytest.raises(ServiceCallFailed) as failed:
        post_score(
            ServiceTokens(tool_key),
            PlatformAccess("https://lms", "c", token_url),
            endpoint,
            Score("2", 1, 1, datetime.now(UTC)),
        )

    assert failed.value.status == 302
    assert [c.request.url for c in responses.calls][-1] == "https://lms/items/1/scores"


# -- Open edX: a score it already holds is a 400 that names the timestamp ---------------


def _openedx_endpoint(demo_platform: DemoPlatform) -> AgsEndpoint:
    demo_platform.state.clients[CLIENT_ID].style = "openedx"
    item = demo_platform.state.add_lineitem(CONTEXT_ID, "Badge", 100)
    lineitem = f"{demo_platform.url}/services/{CONTEXT_ID}/lineitems/{item.id}/lineitem"
    return AgsEndpoint.from_claims(
        {AGS_ENDPOINT: {"scope": [AGS_SCORE_SCOPE], "lineitem": lineitem}}
    )


@pytest.mark.parametrize("offset", [timedelta(0), timedelta(seconds=-1)])
def test_open_edx_holding_the_score_answers_400_and_that_counts_as_delivered(
    demo_platform: DemoPlatform, offset: timedelta
):
    """Same timestamp: "Score already exists…"; older: "…only be updated to a later…"."""
    endpoint = _openedx_endpoint(demo_platform)
    tokens = ServiceTokens(demo_platform.tool_key, http=LOCAL)
    stamp = datetime.now(UTC)
    first = post_score(tokens, demo_platform.access, endpoint, Score("u", 100, 100, stamp))

    again = post_score(tokens, demo_platform.access, endpoint, Score("u", 100, 100, stamp + offset))

    assert first is ScoreOutcome.APPLIED
    assert again is ScoreOutcome.SUPERSEDED
    assert len(demo_platform.state.scores) == 1


@responses.activate
@pytest.mark.parametrize(
    "body",
    [
        {"timestamp": ["Invalid datetime format"]},  # about the timestamp, but not "held"
        {"scoreGiven": ["Score already exists for the provided timestamp"]},  # another field
        {"error": "invalid_request"},
        "Score already exists for the provided timestamp",  # not the JSON shape
    ],
)
def test_any_other_400_is_still_a_failure(tool_key, body):
    token_url = "https://edx.example.org/api/lti_consumer/v1/token/7"
    lineitem = "https://edx.example.org/api/lti_consumer/v1/lti/7/lti-ags/3"
    responses.post(token_url, json={"access_token": "tk", "token_type": "Bearer"})
    if isinstance(body, str):
        responses.post(lineitem + "/scores", body=body, status=400)
    else:
        responses.post(lineitem + "/scores", json=body, status=400)
    endpoint = AgsEndpoint.from_claims(
        {AGS_ENDPOINT: {"scope": [AGS_SCORE_SCOPE], "lineitem": lineitem}}
    )

    with pytest.raises(ServiceCallFailed) as failed:
        post_score(
            ServiceTokens(tool_key),
            PlatformAccess("https://edx.example.org", "c", token_url),
            endpoint,
            Score("u", 1, 1, datetime.now(UTC)),
        )

    assert failed.value.status == 400


# -- Open edX's programmatic mode: the tool makes its own column ---------------------------


def _programmatic(
    demo_platform: DemoPlatform, scopes=(AGS_LINEITEM_SCOPE, AGS_SCORE_SCOPE)
) -> AgsEndpoint:
    lineitems = f"{demo_platform.url}/services/{CONTEXT_ID}/lineitems"
    return AgsEndpoint.from_claims({AGS_ENDPOINT: {"scope": list(scopes), "lineitems": lineitems}})


def test_a_column_is_created_once_then_found_again(demo_platform: DemoPlatform):
    endpoint = _programmatic(demo_platform)
    tokens = ServiceTokens(demo_platform.tool_key, http=LOCAL)
    wanted = NewLineItem("block-v1:edX+1", "Je soutiens", 100.0, resource_id="badge:b-1")
    other_link = NewLineItem("block-v1:edX+2", "Je soutiens", 100.0, resource_id="badge:b-1")

    url = find_or_create_lineitem(tokens, demo_platform.access, endpoint, wanted)
    again = find_or_create_lineitem(tokens, demo_platform.access, endpoint, wanted)
    other = find_or_create_lineitem(tokens, demo_platform.access, endpoint, other_link)

    assert url == again != other
    first, second = demo_platform.state.lineitems.values()
    assert (first.resource_link_id, first.label, first.score_maximum) == (
        "block-v1:edX+1",
        "Je soutiens",
        100.0,
    )
    assert first.tag == "chemins-badge" and first.resource_id == "badge:b-1"
    assert second.resource_link_id == "block-v1:edX+2"
    outcome = post_score(
        tokens,
        demo_platform.access,
        AgsEndpoint(url, endpoint.lineitems, endpoint.scopes),
        Score("edx-user", 100, 100, datetime.now(UTC)),
    )
    assert outcome is ScoreOutcome.APPLIED
    assert demo_platform.state.scores[0].lineitem_id == first.id


def test_a_column_the_platform_holds_for_someone_else_is_not_taken(demo_platform: DemoPlatform):
    """Same link, but not Chemins' tag (a column the author made by hand): a new one."""
    demo_platform.state.add_lineitem(CONTEXT_ID, "Quiz", 10, resource_link_id="block-1")
    endpoint = _programmatic(demo_platform)

    find_or_create_lineitem(
        ServiceTokens(demo_platform.tool_key, http=LOCAL),
        demo_platform.access,
        endpoint,
        NewLineItem("block-1", "Je soutiens", 100.0),
    )

    assert [i.tag for i in demo_platform.state.lineitems.values()] == [None, "chemins-badge"]


def test_no_column_without_the_line_item_scope(demo_platform: DemoPlatform):
    endpoint = _programmatic(demo_platform, scopes=(AGS_SCORE_SCOPE,))
    assert not endpoint.creates_lineitems()
    with pytest.raises(ServiceNotOffered):
        find_or_create_lineitem(
            ServiceTokens(demo_platform.tool_key, http=LOCAL),
            demo_platform.access,
            endpoint,
            NewLineItem("block-1", "Je soutiens", 100.0),
        )
    assert demo_platform.state.lineitems == {}
