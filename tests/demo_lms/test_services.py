"""The demo LMS's LTI Advantage services refuse what a real platform refuses.

lti1p3platform's own token endpoint skips most of these checks (reference §13.2); each
test here sends one request a careless tool could send and expects Moodle's answer.
"""

from __future__ import annotations

import time
import uuid

import jwt
import pytest
import requests

from badges.outbound.client import OutboundClient
from lti_tool.lti1p3.service_token import ServiceTokens
from tests.conftest import LOCAL_HOSTS
from tests.live_platform import CLIENT_ID, CONTEXT_ID, DEPLOYMENT_ID, DemoPlatform, new_tool_key

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
NRPS_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


def _assertion(demo: DemoPlatform, key=None, **changes) -> str:
    now = int(time.time())
    claims = {
        "iss": CLIENT_ID,
        "sub": CLIENT_ID,
        "aud": f"{demo.url}/services/token",
        "iat": now,
        "exp": now + 300,
        "jti": str(uuid.uuid4()),
    }
    claims.update(changes)
    claims = {k: v for k, v in claims.items() if v is not None}
    key = key or demo.tool_key
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})


def _token_request(demo: DemoPlatform, assertion: str, scope: str = SCORE, **form):
    body = {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion,
        "scope": scope,
        **form,
    }
    return requests.post(f"{demo.url}/services/token", data=body, timeout=5)


def test_a_correct_request_gets_a_bearer_token(demo_platform: DemoPlatform):
    answer = _token_request(demo_platform, _assertion(demo_platform), f"{SCORE} unknown:scope")

    assert answer.status_code == 200
    assert answer.json()["token_type"] == "Bearer"
    assert answer.json()["scope"] == SCORE
    assert answer.json()["expires_in"] == 3600


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"aud": "https://elsewhere.example/token"}, "audience"),
        ({"iss": "someone-else"}, "issuer"),
        ({"exp": int(time.time()) - 120, "iat": int(time.time()) - 420}, "expired"),
        ({"jti": None}, "jti"),
        ({"iat": None}, "iat"),
    ],
)
def test_bad_assertions_are_refused(demo_platform: DemoPlatform, changes, reason):
    answer = _token_request(demo_platform, _assertion(demo_platform, **changes))

    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"
    assert reason in answer.json()["error_description"].lower()


def test_a_replayed_jti_is_refused(demo_platform: DemoPlatform):
    assertion = _assertion(demo_platform)
    assert _token_request(demo_platform, assertion).status_code == 200

    again = _token_request(demo_platform, assertion)

    assert again.status_code == 401
    assert again.json()["error_description"] == "jti already used"


def test_a_key_the_tool_does_not_publish_is_refused(demo_platform: DemoPlatform):
    stranger = new_tool_key()
    answer = _token_request(demo_platform, _assertion(demo_platform, key=stranger))

    assert answer.status_code == 401
    assert "no tool key" in answer.json()["error_description"]


def test_form_content_type_and_assertion_type_are_required(demo_platform: DemoPlatform):
    as_json = requests.post(
        f"{demo_platform.url}/services/token",
        json={
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": _assertion(demo_platform),
            "scope": SCORE,
        },
        timeout=5,
    )
    wrong_type = _token_request(
        demo_platform, _assertion(demo_platform), client_assertion_type="password"
    )

    assert as_json.status_code == 400
    assert as_json.json()["error"] == "invalid_request"
    assert wrong_type.status_code == 400


def test_scopes_outside_the_allowed_set_give_invalid_scope(demo_platform: DemoPlatform):
    demo_platform.state.clients[CLIENT_ID].allowed_scopes = frozenset({NRPS})

    answer = _token_request(demo_platform, _assertion(demo_platform), SCORE)

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_scope"


def test_strict_platforms_refuse_any_scope_outside_the_allowed_set(demo_platform: DemoPlatform):
    demo_platform.state.scope_policy = "subset"
    demo_platform.state.clients[CLIENT_ID].allowed_scopes = frozenset({NRPS})

    mixed = _token_request(demo_platform, _assertion(demo_platform), f"{NRPS} {SCORE}")
    allowed = _token_request(demo_platform, _assertion(demo_platform), NRPS)

    assert mixed.status_code == 400
    assert mixed.json()["error"] == "invalid_scope"
    assert allowed.status_code == 200


def _bearer(demo: DemoPlatform, *scopes: str) -> dict[str, str]:
    token = ServiceTokens(demo.tool_key, http=OutboundClient(LOCAL_HOSTS)).token(
        demo.access, scopes
    )
    return {"Authorization": token.authorization}


def test_memberships_need_a_valid_bearer_and_the_media_type(demo_platform: DemoPlatform):
    demo_platform.state.add_context(CONTEXT_ID, "Course", [{"user_id": "a", "roles": []}])
    url = f"{demo_platform.url}/services/{CONTEXT_ID}/memberships"

    missing = requests.get(url, headers={"Accept": NRPS_TYPE}, timeout=5)
    garbage = requests.get(
        url, headers={"Accept": NRPS_TYPE, "Authorization": "Bearer not.a.jwt"}, timeout=5
    )
    wrong_scope = requests.get(
        url, headers={"Accept": NRPS_TYPE, **_bearer(demo_platform, SCORE)}, timeout=5
    )
    wrong_accept = requests.get(
        url, headers={"Accept": "application/json", **_bearer(demo_platform, NRPS)}, timeout=5
    )

    assert (missing.status_code, garbage.status_code) == (401, 401)
    assert wrong_scope.status_code == 403
    assert wrong_accept.status_code == 406


def test_memberships_paging_link_is_quoted(demo_platform: DemoPlatform):
    members = [{"user_id": str(i), "roles": []} for i in range(5)]
    demo_platform.state.add_context(CONTEXT_ID, "Course", members)

    page = requests.get(
        f"{demo_platform.url}/services/{CONTEXT_ID}/memberships?limit=2",
        headers={"Accept": NRPS_TYPE, **_bearer(demo_platform, NRPS)},
        timeout=5,
    )

    assert page.headers["Content-Type"].startswith(NRPS_TYPE)
    assert [m["user_id"] for m in page.json()["members"]] == ["0", "1"]
    assert 'rel="differences", <' in page.headers["Link"]
    assert page.headers["Link"].endswith('>; rel="next"')


def _score(user: str = "s1", stamp: str = "2026-11-28T21:00:00.000001+00:00") -> dict:
    return {
        "userId": user,
        "scoreGiven": 1,
        "scoreMaximum": 1,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": stamp,
    }


def test_scores_check_media_type_url_and_freshness(demo_platform: DemoPlatform):
    item = demo_platform.state.add_lineitem(CONTEXT_ID, "Badge", 1, type_id="3")
    base = f"{demo_platform.url}/services/{CONTEXT_ID}/lineitems/{item.id}/lineitem"
    headers = {"Content-Type": SCORE_TYPE, **_bearer(demo_platform, SCORE)}

    def post(url, body, extra=None):
        return requests.post(url, json=body, headers={**headers, **(extra or {})}, timeout=5)

    appended = post(f"{base}?type_id=3/scores", _score())
    plain_json = post(f"{base}/scores?type_id=3", _score(), {"Content-Type": "application/json"})
    first = post(f"{base}/scores?type_id=3", _score())
    stale = post(f"{base}/scores?type_id=3", _score(stamp="2026-11-28T21:00:00+00:00"))
    other_learner = post(f"{base}/scores?type_id=3", _score(user="s2"))
    naive = post(f"{base}/scores?type_id=3", _score(stamp="2026-11-28T22:00:00"))

    assert appended.status_code in (404, 405)
    assert plain_json.status_code == 415
    assert first.status_code == 204
    assert stale.status_code == 409
    assert other_learner.status_code == 204
    assert naive.status_code == 400
    assert [s.user_id for s in demo_platform.state.scores] == ["s1", "s2"]


def _dl_response(demo: DemoPlatform, **changes) -> str:
    now = int(time.time())
    claims = {
        "iss": CLIENT_ID,
        "aud": demo.state.issuer,
        "iat": now,
        "exp": now + 600,
        "nonce": uuid.uuid4().hex,
        LTI + "message_type": "LtiDeepLinkingResponse",
        LTI + "version": "1.3.0",
        LTI + "deployment_id": DEPLOYMENT_ID,
        DL + "content_items": [{"type": "ltiResourceLink", "url": "https://chemins.test/x"}],
    }
    claims.update(changes)
    key = demo.tool_key
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"aud": "https://other-lms.example"}, "audience"),
        ({LTI + "message_type": "LtiResourceLinkRequest"}, "message_type"),
        ({DL + "data": None}, "data must be omitted"),
        ({LTI + "deployment_id": "99"}, "deployment_id"),
        ({DL + "content_items": [{"type": "file", "url": "https://x"}]}, "not accepted"),
        ({"exp": int(time.time()) - 100}, "expired"),
    ],
)
def test_deep_linking_return_refuses_bad_responses(demo_platform: DemoPlatform, changes, error):
    answer = requests.post(
        f"{demo_platform.url}/deep-linking/return",
        data={"JWT": _dl_response(demo_platform, **changes)},
        timeout=5,
    )

    assert answer.status_code == 400
    assert error in answer.json()["error"].lower()
    assert demo_platform.state.placed_items == []


def test_deep_linking_return_needs_a_kid(demo_platform: DemoPlatform):
    key = demo_platform.tool_key
    unsigned_kid = jwt.encode({"iss": CLIENT_ID}, key.private_key, algorithm="RS256")

    answer = requests.post(
        f"{demo_platform.url}/deep-linking/return", data={"JWT": unsigned_kid}, timeout=5
    )

    assert answer.status_code == 400
    assert "kid" in answer.json()["error"]


REGISTRATION = {
    "application_type": "web",
    "response_types": ["id_token"],
    "grant_types": ["implicit", "client_credentials"],
    "initiate_login_uri": "https://chemins.test/lti/login",
    "redirect_uris": ["https://chemins.test/lti/launch"],
    "client_name": "Chemins",
    "jwks_uri": "https://chemins.test/.well-known/jwks.json",
    "token_endpoint_auth_method": "private_key_jwt",
    "scope": f"{SCORE} {NRPS} https://example.org/not-a-scope",
    "https://purl.imsglobal.org/spec/lti-tool-configuration": {
        "domain": "chemins.test",
        "target_link_uri": "https://chemins.test/lti/launch",
    },
}


def test_registration_token_is_one_time(demo_platform: DemoPlatform):
    token = demo_platform.state.issue_registration_token()
    url = f"{demo_platform.url}/lti/openid-registration"
    auth = {"Authorization": f"Bearer {token}"}

    missing = requests.post(url, json=REGISTRATION, timeout=5)
    first = requests.post(url, json=REGISTRATION, headers=auth, timeout=5)
    again = requests.post(url, json=REGISTRATION, headers=auth, timeout=5)
    config_after = requests.get(
        f"{demo_platform.url}/lti/openid-configuration", headers=auth, timeout=5
    )

    assert missing.status_code == 401
    assert missing.json()["error"] == "missing_registration_token"
    assert first.status_code == 200
    body = first.json()
    assert body["client_id"]
    assert body["https://purl.imsglobal.org/spec/lti-tool-configuration"]["deployment_id"]
    assert body["scope"].split() == sorted([NRPS, SCORE])
    assert again.status_code == 401
    assert again.json()["error"] == "token_already_used"
    assert config_after.status_code == 401


@pytest.mark.parametrize(
    "broken",
    [
        {"response_types": ["code"]},
        {"application_type": "native"},
        {"token_endpoint_auth_method": "client_secret_basic"},
        {"jwks_uri": ""},
        {"redirect_uris": []},
        {"https://purl.imsglobal.org/spec/lti-tool-configuration": {"domain": "chemins.test"}},
    ],
)
def test_registration_requires_moodles_fields(demo_platform: DemoPlatform, broken):
    token = demo_platform.state.issue_registration_token()

    answer = requests.post(
        f"{demo_platform.url}/lti/openid-registration",
        json={**REGISTRATION, **broken},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_client_metadata"
    assert demo_platform.state.registration_tokens[token] is False


def test_configuration_is_moodle_shaped(demo_platform: DemoPlatform):
    token = demo_platform.state.issue_registration_token()

    answer = requests.get(
        f"{demo_platform.url}/lti/openid-configuration",
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )

    config = answer.json()
    platform = config["https://purl.imsglobal.org/spec/lti-platform-configuration"]
    assert platform["messages_supported"] == ["LtiResourceLinkRequest", "LtiDeepLinkingRequest"]
    assert config["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert config["issuer"] == demo_platform.state.issuer
