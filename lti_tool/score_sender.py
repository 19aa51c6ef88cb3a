"""Sending owed scores to gradebooks over AGS, from the :mod:`badges.courses.grades` outbox.

Called right after an award (so the grade usually arrives at once) and by ``chemins
worker`` for everything still due. Each send is three steps: claim the row (a short
transaction, see :func:`badges.courses.grades.claim`), post the score with no
transaction open, record what the platform answered. So two senders never post the same
score, and no database lock waits on a platform. What the platform answers decides the
row's fate: accepted → sent; 409 → superseded (it holds a newer score); no score scope or
no line item any more, or a line item off the registration's origins → failed for good
(retrying cannot help); anything else (network, 5xx, an expired registration's 401) →
tried again later with a growing wait.

A score whose link has no column yet (Open edX's programmatic mode: the launch names
``lineitems`` but no ``lineitem``) first gets one. The sender takes the link itself for
a while (a conditional update of ``lineitem_claimed_until``), finds or creates the
column through the line-items service, and keeps its URL on the link
(``tool_lineitem_url``) for every later score. Another sender meeting a link that is
being equipped waits for its next attempt; a sender that dies mid-way frees the link
when its claim lapses, and the next one finds the column already made (the service is
asked before anything is created). So one link never gets two columns.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace

from sqlalchemy import or_, update

from badges.courses import grades
from badges.models import BadgeClass, Deployment, ResourceLink
from badges.models.columns import utcnow
from badges.models.score_delivery import PENDING, ScoreDelivery
from badges.platforms.registering import known_origins
from badges.storage.database import transaction
from badges.storage.runtime import Runtime
from lti_tool.lti1p3.assignments_grades import (
    AgsEndpoint,
    NewLineItem,
    Score,
    ScoreOutcome,
    find_or_create_lineitem,
    post_score,
)
from lti_tool.lti1p3.service_errors import (
    InvalidScope,
    PlatformServiceError,
    ServiceNotOffered,
    ServiceUrlRefused,
)
from lti_tool.lti1p3.service_token import PlatformAccess, ServiceTokens
from lti_tool.placements import BADGE_RESOURCE_PREFIX

log = logging.getLogger(__name__)

#: What :func:`_claim_link` answers when another sender is equipping the link.
BUSY = "busy"


@dataclass(frozen=True)
class _Outgoing:
    """Everything needed to post one claimed score, read before the transaction ends."""

    delivery_id: str
    access: PlatformAccess
    endpoint: AgsEndpoint
    score: Score
    #: The column to create first, when the link has none yet.
    column: NewLineItem | None = None
    link_pk: str | None = None


@dataclass(frozen=True)
class _Answer:
    """What became of one post: the outcome, or the error and whether it is final."""

    outcome: ScoreOutcome | None = None
    error: str | None = None
    permanent: bool = False


def _outgoing(runtime: Runtime, delivery_ids: Iterable[str]) -> list[_Outgoing]:
    with transaction(runtime.sessions) as session:
        found: list[_Outgoing] = []
        for delivery_id in delivery_ids:
            delivery = session.get(ScoreDelivery, delivery_id)
            if delivery is None:
                continue
            link = delivery.resource_link
            deployment = session.get(Deployment, link.deployment_id)
            if deployment is None:
                continue
            registration = deployment.registration
            if delivery.lineitem_url == grades.COLUMN_TO_CREATE and link.tool_lineitem_url:
                delivery.lineitem_url = link.tool_lineitem_url  # made for an earlier score
            column = None
            if delivery.lineitem_url == grades.COLUMN_TO_CREATE:
                badge = session.get(BadgeClass, link.custom_badge) if link.custom_badge else None
                column = NewLineItem(
                    resource_link_id=link.resource_link_id,
                    label=(badge.name if badge else None) or link.title or "Chemins",
                    score_maximum=grades.FULL_MARKS,
                    resource_id=BADGE_RESOURCE_PREFIX + link.custom_badge
                    if link.custom_badge
                    else None,
                )
            found.append(
                _Outgoing(
                    delivery_id,
                    PlatformAccess(
                        issuer=registration.platform.issuer,
                        client_id=registration.client_id,
                        token_url=registration.auth_token_url,
                        deployment_id=deployment.deployment_id,
                        known_origins=known_origins(registration),
                    ),
                    AgsEndpoint(
                        lineitem=delivery.lineitem_url or None,
                        lineitems=link.lineitems_url,
                        scopes=frozenset(link.ags_scopes or ()),
                    ),
                    Score(
                        delivery.user_sub,
                        delivery.score_given,
                        delivery.score_maximum,
                        delivery.scored_at,
                    ),
                    column,
                    link.id,
                )
            )
        return found


def _claim_link(runtime: Runtime, link_pk: str) -> str | None:
    """Take the link to equip it with a column; returns its column if it has one now.

    ``None`` with the claim taken means "create it"; :data:`BUSY` means another sender
    holds the link.
    """
    now = utcnow()
    with transaction(runtime.sessions) as session:
        taken = session.execute(
            update(ResourceLink)
            .where(
                ResourceLink.id == link_pk,
                ResourceLink.tool_lineitem_url.is_(None),
                or_(
                    ResourceLink.lineitem_claimed_until.is_(None),
                    ResourceLink.lineitem_claimed_until <= now,
                ),
            )
            .values(lineitem_claimed_until=now + grades.LEASE)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            return None
        link = session.get(ResourceLink, link_pk)
        return link.tool_lineitem_url if link is not None and link.tool_lineitem_url else BUSY


def _equip_link(runtime: Runtime, outgoing: _Outgoing, url: str | None) -> None:
    """Keep the column made for the link (or free the link when none was made)."""
    with transaction(runtime.sessions) as session:
        link = session.get(ResourceLink, outgoing.link_pk)
        if link is not None:
            if url is not None:
                link.tool_lineitem_url = url
            link.lineitem_claimed_until = None
        delivery = session.get(ScoreDelivery, outgoing.delivery_id)
        if delivery is not None and url is not None:
            delivery.lineitem_url = url


def _with_column(runtime: Runtime, tokens: ServiceTokens, outgoing: _Outgoing) -> _Outgoing:
    """``outgoing`` aimed at its link's column, made through the service if need be."""
    if outgoing.column is None or outgoing.link_pk is None:
        return outgoing
    if not outgoing.endpoint.creates_lineitems():
        raise ServiceNotOffered("this activity has no grade column, and the tool may not add one")
    existing = _claim_link(runtime, outgoing.link_pk)
    if existing == BUSY:
        raise PlatformServiceError("another sender is adding this activity's grade column")
    url = existing
    if url is None:
        try:
            url = find_or_create_lineitem(
                tokens, outgoing.access, outgoing.endpoint, outgoing.column
            )
        except BaseException:
            _equip_link(runtime, outgoing, None)
            raise
        log.info("score %s: grade column created for its activity", outgoing.delivery_id)
    _equip_link(runtime, outgoing, url)
    endpoint = replace(outgoing.endpoint, lineitem=url)
    return replace(outgoing, endpoint=endpoint, column=None)


def _post(runtime: Runtime, tokens: ServiceTokens, outgoing: _Outgoing) -> _Answer:
    try:
        outgoing = _with_column(runtime, tokens, outgoing)
        outcome = post_score(tokens, outgoing.access, outgoing.endpoint, outgoing.score)
    except (ServiceNotOffered, InvalidScope, ServiceUrlRefused) as error:
        log.warning("score %s cannot be sent: %s", outgoing.delivery_id, error)
        return _Answer(error=str(error), permanent=True)
    except PlatformServiceError as error:
        log.info("score %s not sent yet: %s (status %s)", outgoing.delivery_id, error, error.status)
        return _Answer(error=f"{error} (status {error.status})")
    return _Answer(outcome=outcome)


def _record(runtime: Runtime, delivery_id: str, answer: _Answer) -> str:
    now = utcnow()
    with transaction(runtime.sessions) as session:
        delivery = session.get(ScoreDelivery, delivery_id)
        if delivery is None:
            return "gone"
        if delivery.status != PENDING:  # recorded by another sender after a lapsed lease
            return delivery.status
        if answer.outcome is not None:
            superseded = answer.outcome is ScoreOutcome.SUPERSEDED
            grades.delivered(delivery, superseded=superseded, now=now)
            log.info("score %s %s (attempt %d)", delivery_id, delivery.status, delivery.attempts)
        else:
            grades.failed(
                delivery, answer.error or "unknown error", now=now, permanent=answer.permanent
            )
            if delivery.status == PENDING:
                log.info(
                    "score %s queued: attempt %d failed, next at %s",
                    delivery_id,
                    delivery.attempts,
                    f"{delivery.next_attempt_at:%Y-%m-%dT%H:%M:%SZ}",
                )
            else:
                log.warning("score %s failed after %d attempt(s)", delivery_id, delivery.attempts)
        return delivery.status


def _send_claimed(runtime: Runtime, tokens: ServiceTokens, claimed: list[str]) -> dict[str, str]:
    statuses: dict[str, str] = {}
    for outgoing in _outgoing(runtime, claimed):
        statuses[outgoing.delivery_id] = _record(
            runtime, outgoing.delivery_id, _post(runtime, tokens, outgoing)
        )
    return statuses


def deliver(runtime: Runtime, tokens: ServiceTokens, delivery_id: str) -> str:
    """Try one delivery now (after an award); returns its status. Never raises for HTTP.

    ``"busy"`` when another sender holds it, or its next attempt is not due yet.
    """
    with transaction(runtime.sessions) as session:
        claimed = grades.claim(session, utcnow(), limit=1, ids=[delivery_id])
    if not claimed:
        with transaction(runtime.sessions) as session:
            row = session.get(ScoreDelivery, delivery_id)
            return "busy" if row is None or row.status == PENDING else row.status
    return _send_claimed(runtime, tokens, claimed).get(delivery_id, "gone")


def deliver_now(runtime: Runtime, tokens: ServiceTokens, delivery_ids: Iterable[str]) -> list[str]:
    """Try freshly owed scores at once, after the award's commit; returns their statuses.

    The hook a web request calls after it awarded: the person who awarded usually sees
    the grade arrive. Nothing here may undo or fail the award, so any error (the tool
    key, the database) is logged and the rows stay pending for ``chemins worker``.
    """
    statuses: list[str] = []
    for delivery_id in delivery_ids:
        try:
            statuses.append(deliver(runtime, tokens, delivery_id))
        except Exception:
            log.exception("score %s left for the worker", delivery_id)
            statuses.append(PENDING)
    return statuses


def deliver_due(runtime: Runtime, tokens: ServiceTokens, limit: int = 20) -> int:
    """Send every delivery whose time has come (up to ``limit``); returns how many."""
    with transaction(runtime.sessions) as session:
        claimed = grades.claim(session, utcnow(), limit=limit)
    _send_claimed(runtime, tokens, claimed)
    return len(claimed)
