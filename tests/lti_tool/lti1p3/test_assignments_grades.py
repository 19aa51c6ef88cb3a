"""Posting a badge's completion score over AGS to the demo platform (Moodle-shaped URLs)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
import responses

from badges.outbound.client import OutboundClient
from lti_tool.lti1p3.assignments_grades import (
    CLAIM,
    SCORE_MEDIA_TYPE,
    SCORE_SCOPE,
    AgsEndpoint,
    Score,
    ScoreClock,
    ScoreOutcome,
    format_timestamp,
    post_score,
    scores_url,
)
from lti_tool.lti1p3.service_errors import (
    ServiceCallFailed,
    ServiceNotOffered,
    ServiceUrlRefused,
)
from lti_tool.lti1p3.service_token import PlatformAccess, ServiceTokens
from tests.conftest import LOCAL_HOSTS
from tests.live_platform import CONTEXT_ID, DemoPlatform

#: The demo platform listens on the loopback, which the test configuration allows.
LOCAL = OutboundClient(LOCAL_HOSTS)


def _launch_claims(demo_platform: DemoPlatform) -> tuple[dict, str]:
    item = demo_platform.state.add_lineitem(CONTEXT_ID, "Badge: Je soutiens", 10, type_id="3")
    lineitem_url = (
        f"{demo_platform.url}/services/{CONTEXT_ID}/lineitems/{item.id}/lineitem?type_id=3"
    )
    claims = {
        CLAIM: {
            "scope": [SCORE_SCOPE],
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
            CLAIM: {
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
    endpoint = AgsEndpoint.from_claims({CLAIM: {"scope": [SCORE_SCOPE], "lineitem": lineitem}})

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
        {CLAIM: {"scope": [SCORE_SCOPE], "lineitem": "https://lms/items/1"}}
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
    endpoint = AgsEndpoint.from_claims({CLAIM: {"scope": [SCORE_SCOPE], "lineitem": lineitem}})

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
        {CLAIM: {"scope": [SCORE_SCOPE], "lineitem": "http://127.0.0.2:8080/lineitems/1"}}
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
        {CLAIM: {"scope": [SCORE_SCOPE], "lineitem": "https://lms/items/1"}}
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
