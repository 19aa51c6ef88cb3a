"""Sending owed scores to gradebooks over AGS, from the :mod:`badges.grade_passback` outbox.

Called right after an award (so the grade usually arrives at once) and by ``chemins
worker`` for everything still due. Each send is three steps: claim the row (a short
transaction, see :func:`badges.grade_passback.claim`), post the score with no
transaction open, record what the platform answered. So two senders never post the same
score, and no database lock waits on a platform. What the platform answers decides the
row's fate: accepted → sent; 409 → superseded (it holds a newer score); no score scope or
no line item any more, or a line item off the registration's origins → failed for good
(retrying cannot help); anything else (network, 5xx, an expired registration's 401) →
tried again later with a growing wait.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from badges import grade_passback
from badges.models import Deployment
from badges.models.columns import utcnow
from badges.models.score_delivery import PENDING, ScoreDelivery
from badges.platforms import known_origins
from badges.runtime import Runtime
from badges.storage import transaction
from lti_tool.lti1p3.assignments_grades import AgsEndpoint, Score, ScoreOutcome, post_score
from lti_tool.lti1p3.service_errors import (
    InvalidScope,
    PlatformServiceError,
    ServiceNotOffered,
    ServiceUrlRefused,
)
from lti_tool.lti1p3.service_token import PlatformAccess, ServiceTokens

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Outgoing:
    """Everything needed to post one claimed score, read before the transaction ends."""

    delivery_id: str
    access: PlatformAccess
    endpoint: AgsEndpoint
    score: Score


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
                        lineitem=delivery.lineitem_url,
                        lineitems=link.lineitems_url,
                        scopes=frozenset(link.ags_scopes or ()),
                    ),
                    Score(
                        delivery.user_sub,
                        delivery.score_given,
                        delivery.score_maximum,
                        delivery.scored_at,
                    ),
                )
            )
        return found


def _post(tokens: ServiceTokens, outgoing: _Outgoing) -> _Answer:
    try:
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
            grade_passback.delivered(delivery, superseded=superseded, now=now)
        else:
            grade_passback.failed(
                delivery, answer.error or "unknown error", now=now, permanent=answer.permanent
            )
        return delivery.status


def _send_claimed(runtime: Runtime, tokens: ServiceTokens, claimed: list[str]) -> dict[str, str]:
    statuses: dict[str, str] = {}
    for outgoing in _outgoing(runtime, claimed):
        statuses[outgoing.delivery_id] = _record(
            runtime, outgoing.delivery_id, _post(tokens, outgoing)
        )
    return statuses


def deliver(runtime: Runtime, tokens: ServiceTokens, delivery_id: str) -> str:
    """Try one delivery now (after an award); returns its status. Never raises for HTTP.

    ``"busy"`` when another sender holds it, or its next attempt is not due yet.
    """
    with transaction(runtime.sessions) as session:
        claimed = grade_passback.claim(session, utcnow(), limit=1, ids=[delivery_id])
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
        claimed = grade_passback.claim(session, utcnow(), limit=limit)
    _send_claimed(runtime, tokens, claimed)
    return len(claimed)
