"""What the demo platform refuses in the bodies a tool sends: AGS scores, DL responses.

Signatures and bearer tokens are checked in :mod:`demo_lms.services` and
:mod:`demo_lms.tool_jwt`; this module holds the content rules, stated as Moodle and the
specifications state them, so that each refusal names the rule in plain words.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from demo_lms.service_state import ServiceState

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
ACTIVITY = {"Initialized", "Started", "InProgress", "Submitted", "Completed"}
GRADING = {"FullyGraded", "Pending", "PendingManual", "Failed", "NotReady"}


def score_problem(body: Any) -> str | None:
    """Why an AGS score body is unacceptable, or ``None`` (AGS §3.4 fields and values)."""
    if not isinstance(body, dict):
        return "body must be a JSON object"
    if not isinstance(body.get("userId"), str) or not body["userId"]:
        return "userId required"
    if body.get("activityProgress") not in ACTIVITY:
        return "activityProgress invalid"
    if body.get("gradingProgress") not in GRADING:
        return "gradingProgress invalid"
    given = body.get("scoreGiven")
    if given is not None:
        maximum = body.get("scoreMaximum")
        if not isinstance(given, int | float) or not isinstance(maximum, int | float):
            return "scoreGiven needs a numeric scoreMaximum"
        if given < 0 or maximum <= 0:
            return "scores must be positive"
    stamp = body.get("timestamp")
    if not isinstance(stamp, str):
        return "timestamp required"
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return "timestamp is not ISO 8601"
    if moment.tzinfo is None:
        return "timestamp needs a time zone"
    return None


#: What lti-consumer-xblock takes back from Deep Linking (``file`` is an error page).
OPENEDX_ACCEPT_TYPES = frozenset({"ltiResourceLink", "link", "html", "image"})


def deep_linking_problem(
    state: ServiceState,
    deployments: set[str],
    claims: dict[str, Any],
    accept_types: frozenset[str] | None = None,
) -> str | None:
    """Why a verified Deep Linking response is unacceptable, or ``None`` (DL §4.5).

    ``accept_types`` defaults to the state's (Moodle: ``ltiResourceLink`` only).
    """
    accepted = state.deep_linking_accept_types if accept_types is None else accept_types
    if claims.get(LTI + "message_type") != "LtiDeepLinkingResponse":
        return "message_type must be LtiDeepLinkingResponse"
    if claims.get(LTI + "version") != "1.3.0":
        return "version must be 1.3.0"
    if claims.get(LTI + "deployment_id") not in deployments:
        return "unknown deployment_id"
    if claims["nonce"] in state.used_nonces:
        return "nonce already used"
    if DL + "data" in claims and claims[DL + "data"] is None:
        return "data must be omitted rather than null"
    items = claims.get(DL + "content_items")
    if not isinstance(items, list):
        return "content_items must be an array"
    for item in items:
        if not isinstance(item, dict) or item.get("type") not in accepted:
            return "content item type not accepted"
        line_item = item.get("lineItem")
        if line_item is not None and not (
            isinstance(line_item.get("scoreMaximum"), int | float) and line_item["scoreMaximum"] > 0
        ):
            return "lineItem needs a positive scoreMaximum"
    if time.time() > claims["exp"]:
        return "expired"
    return None
