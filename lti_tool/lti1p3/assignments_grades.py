"""Assignment and Grade Services 2.0: telling the gradebook that a learner earned a badge.

When a trainer placed a badge as a graded activity (Deep Linking with a ``lineItem``),
the platform's launch carries the AGS claim with that activity's ``lineitem`` URL. When
the learner receives the badge, the tool posts a score: ``Completed`` + ``FullyGraded``
(platforms may ignore anything else), ``scoreGiven`` = ``scoreMaximum``, ``userId`` = the
learner's ``sub``.

Two details matter in the field. The scores URL is the line item URL with ``/scores``
added to its *path*, keeping the query: Moodle's ``…/lineitem?type_id=3`` becomes
``…/lineitem/scores?type_id=3``, and appending to the whole string would post to a URL
Moodle does not know. And a platform must not apply a score older than the last one
(reference §6): timestamps carry microseconds and never go backwards within a process,
and a 409 answer means a newer score is already on record, which is reported, not
retried forever. Open edX answers the same situation with a 400 whose body names the
timestamp (``{"timestamp": ["Score already exists for the provided timestamp"]}``, or
"Score timestamp can only be updated to a later point in time"): the score it holds is
ours or newer, so that answer counts as delivered too; any other 400 stays an error.

Open edX's "programmatic" grade mode gives launches the ``lineitems`` URL and the
line-item scope but no ``lineitem``: the tool is expected to make its own column.
:func:`find_or_create_lineitem` first looks for the column it may already have made
(``GET lineitems?resource_link_id=…``, matched on ``resourceLinkId`` and ``tag``), and
only then creates one (``POST lineitems`` with ``resourceLinkId``, ``label``,
``scoreMaximum``, ``tag``, ``resourceId``), so a retry after a lost answer does not make a
second column.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from badges.outbound.response import OutboundResponse
from lti_tool.lti1p3.claims import AGS_ENDPOINT, AGS_LINEITEM_SCOPE, AGS_SCORE_SCOPE
from lti_tool.lti1p3.service_call import call_service
from lti_tool.lti1p3.service_errors import ServiceCallFailed, ServiceNotOffered
from lti_tool.lti1p3.service_token import PlatformAccess, ServiceTokens

SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
#: How Open edX words "I already hold this score, or a newer one" (with HTTP 400).
SCORE_ALREADY_HELD = (
    "score already exists for the provided timestamp",
    "score timestamp can only be updated to a later point in time",
)
#: The ``tag`` of the columns Chemins creates, so it finds its own again.
LINEITEM_TAG = "chemins-badge"


class ScoreOutcome(Enum):
    """What became of a posted score."""

    APPLIED = "applied"
    #: The platform holds a newer score (409); ours must not replace it.
    SUPERSEDED = "superseded"


@dataclass(frozen=True)
class AgsEndpoint:
    """The AGS claim of one launch: which line item, and which scopes were granted."""

    lineitem: str | None
    lineitems: str | None
    scopes: frozenset[str]

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> AgsEndpoint:
        claim = claims.get(AGS_ENDPOINT)
        if not isinstance(claim, Mapping):
            raise ServiceNotOffered("the platform does not let the tool send grades here")
        scopes = claim.get("scope")

        def url(key: str) -> str | None:
            value = claim.get(key)
            return value if isinstance(value, str) and value else None

        return cls(
            lineitem=url("lineitem"),
            lineitems=url("lineitems"),
            scopes=frozenset(s for s in scopes if isinstance(s, str))
            if isinstance(scopes, list)
            else frozenset(),
        )

    def creates_lineitems(self) -> bool:
        """Whether the tool may make its own column here (programmatic mode)."""
        return bool(self.lineitems) and AGS_LINEITEM_SCOPE in self.scopes

    def score_target(self) -> str:
        """The line item scores go to, refusing when the launch cannot post scores."""
        if AGS_SCORE_SCOPE not in self.scopes:
            raise ServiceNotOffered("the platform did not grant the tool the right to send scores")
        if not self.lineitem:
            raise ServiceNotOffered("this activity has no grade column to send scores to")
        return self.lineitem


def scores_url(lineitem_url: str) -> str:
    """``{lineitem}/scores`` with ``/scores`` inserted into the path, query kept."""
    parts = urlsplit(lineitem_url)
    path = parts.path.rstrip("/") + "/scores"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


class ScoreClock:
    """ISO 8601 UTC timestamps with microseconds that never repeat or go backwards.

    Two awards in the same microsecond, or a wall clock stepped back by NTP, must still
    give the platform increasing timestamps, or it would drop the second score.
    """

    def __init__(self) -> None:
        self._last: datetime | None = None
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            current = datetime.now(UTC)
            if self._last is not None and current <= self._last:
                current = self._last + timedelta(microseconds=1)
            self._last = current
            return current


def format_timestamp(moment: datetime) -> str:
    """``2026-11-28T21:30:05.123456+00:00``: the sub-second precision AGS asks for."""
    if moment.tzinfo is None:
        raise ValueError("score timestamps must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Score:
    """One score for one learner; defaults say "done and graded"."""

    user_id: str
    score_given: float
    score_maximum: float
    timestamp: datetime
    activity_progress: str = "Completed"
    grading_progress: str = "FullyGraded"
    comment: str | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "userId": self.user_id,
            "scoreGiven": self.score_given,
            "scoreMaximum": self.score_maximum,
            "activityProgress": self.activity_progress,
            "gradingProgress": self.grading_progress,
            "timestamp": format_timestamp(self.timestamp),
        }
        if self.comment:
            body["comment"] = self.comment
        return body


def _already_held(response: OutboundResponse) -> bool:
    """Whether a 400 is Open edX's "this timestamp is not newer than the score I hold"."""
    try:
        body = response.json()
    except ValueError:
        return False
    messages = body.get("timestamp") if isinstance(body, Mapping) else None
    if isinstance(messages, str):
        messages = [messages]
    if not isinstance(messages, list):
        return False
    return any(
        isinstance(m, str) and m.strip().rstrip(".").lower() in SCORE_ALREADY_HELD for m in messages
    )


def post_score(
    tokens: ServiceTokens,
    platform: PlatformAccess,
    endpoint: AgsEndpoint,
    score: Score,
) -> ScoreOutcome:
    """Send ``score`` to the launch's line item; 409 means a newer score is on record."""
    target = scores_url(endpoint.score_target())
    response = call_service(
        tokens,
        platform,
        {AGS_SCORE_SCOPE},
        "POST",
        target,
        headers={"Content-Type": SCORE_MEDIA_TYPE, "Accept": "application/json"},
        json_body=score.to_json(),
        accept_statuses={400, 409},
    )
    if response.status_code == 409:
        return ScoreOutcome.SUPERSEDED
    if response.status_code == 400:
        if _already_held(response):
            return ScoreOutcome.SUPERSEDED
        raise ServiceCallFailed(
            "the platform's service answered with an error (HTTP 400)", status=400
        )
    return ScoreOutcome.APPLIED


@dataclass(frozen=True)
class NewLineItem:
    """The column to make for one resource link: full marks when the badge is awarded."""

    resource_link_id: str
    label: str
    score_maximum: float
    resource_id: str | None = None
    tag: str = LINEITEM_TAG

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "scoreMaximum": self.score_maximum,
            "label": self.label,
            "resourceLinkId": self.resource_link_id,
            "tag": self.tag,
        }
        if self.resource_id:
            body["resourceId"] = self.resource_id
        return body


def _with_query(url: str, extra: Mapping[str, str]) -> str:
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, urlencode(extra)) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _lineitem_id(body: Any) -> str | None:
    value = body.get("id") if isinstance(body, Mapping) else None
    return value if isinstance(value, str) and value.startswith(("https://", "http://")) else None


def find_or_create_lineitem(
    tokens: ServiceTokens,
    platform: PlatformAccess,
    endpoint: AgsEndpoint,
    wanted: NewLineItem,
) -> str:
    """The URL of the link's column: the one found on the platform, else a new one.

    Only the first page of the filtered list is read: a platform that honours
    ``resource_link_id`` returns a handful of columns for one link, and one that ignores
    the filter is matched on ``resourceLinkId`` and ``tag`` all the same.
    """
    if not endpoint.creates_lineitems() or endpoint.lineitems is None:
        raise ServiceNotOffered("the platform does not let the tool create grade columns here")
    listing = call_service(
        tokens,
        platform,
        {AGS_LINEITEM_SCOPE},
        "GET",
        _with_query(endpoint.lineitems, {"resource_link_id": wanted.resource_link_id}),
        headers={"Accept": LINEITEMS_MEDIA_TYPE},
    )
    try:
        found = listing.json()
    except ValueError as exc:
        raise ServiceCallFailed("the platform's line items are not JSON") from exc
    for item in found if isinstance(found, list) else []:
        if (
            isinstance(item, Mapping)
            and item.get("resourceLinkId") == wanted.resource_link_id
            and item.get("tag") == wanted.tag
            and _lineitem_id(item)
        ):
            return str(_lineitem_id(item))
    created = call_service(
        tokens,
        platform,
        {AGS_LINEITEM_SCOPE},
        "POST",
        endpoint.lineitems,
        headers={"Content-Type": LINEITEM_MEDIA_TYPE, "Accept": LINEITEM_MEDIA_TYPE},
        json_body=wanted.to_json(),
    )
    try:
        url = _lineitem_id(created.json())
    except ValueError:
        url = None
    if url is None:
        raise ServiceCallFailed("the platform created a grade column without saying where")
    return url
