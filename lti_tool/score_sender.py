"""Sending owed scores to gradebooks over AGS, from the :mod:`badges.grade_passback` outbox.

Called right after an award (so the grade usually arrives at once) and by the worker for
everything still due. Each delivery is claimed with ``FOR UPDATE SKIP LOCKED`` so two
workers never send the same score twice. What the platform answers decides the row's
fate: accepted → sent; 409 → superseded (it holds a newer score); no score scope or no
line item any more → failed for good (retrying cannot help); anything else (network,
5xx, an expired registration's 401) → tried again later with a growing wait.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from badges import grade_passback
from badges.models import Deployment
from badges.models.columns import utcnow
from badges.models.score_delivery import PENDING, ScoreDelivery
from badges.runtime import Runtime
from badges.storage import transaction
from lti_tool.lti1p3.assignments_grades import AgsEndpoint, Score, ScoreOutcome, post_score
from lti_tool.lti1p3.service_errors import (
    InvalidScope,
    PlatformServiceError,
    ServiceNotOffered,
)
from lti_tool.lti1p3.service_token import PlatformAccess, ServiceTokens

log = logging.getLogger(__name__)


def _send(
    tokens: ServiceTokens, delivery: ScoreDelivery, deployment: Deployment, now: datetime
) -> None:
    registration = deployment.registration
    access = PlatformAccess(
        issuer=registration.platform.issuer,
        client_id=registration.client_id,
        token_url=registration.auth_token_url,
        deployment_id=deployment.deployment_id,
    )
    link = delivery.resource_link
    endpoint = AgsEndpoint(
        lineitem=delivery.lineitem_url,
        lineitems=link.lineitems_url,
        scopes=frozenset(link.ags_scopes or ()),
    )
    score = Score(
        delivery.user_sub, delivery.score_given, delivery.score_maximum, delivery.scored_at
    )
    try:
        outcome = post_score(tokens, access, endpoint, score)
    except (ServiceNotOffered, InvalidScope) as error:
        log.warning("score %s cannot be sent: %s", delivery.id, error)
        grade_passback.failed(delivery, str(error), now=now, permanent=True)
    except PlatformServiceError as error:
        log.info(
            "score %s not sent yet (attempt %d): %s", delivery.id, delivery.attempts + 1, error
        )
        grade_passback.failed(delivery, f"{error} (status {error.status})", now=now)
    else:
        grade_passback.delivered(delivery, superseded=outcome is ScoreOutcome.SUPERSEDED, now=now)


def deliver(runtime: Runtime, tokens: ServiceTokens, delivery_id: str) -> str:
    """Try one delivery now (after an award); returns its status. Never raises for HTTP."""
    now = utcnow()
    with transaction(runtime.sessions) as session:
        delivery = session.scalars(
            select(ScoreDelivery)
            .where(ScoreDelivery.id == delivery_id)
            .with_for_update(skip_locked=True)
        ).first()
        if delivery is None or delivery.status != PENDING:
            return delivery.status if delivery is not None else "busy"
        deployment = session.get(Deployment, delivery.resource_link.deployment_id)
        assert deployment is not None
        _send(tokens, delivery, deployment, now)
        return delivery.status


def deliver_due(runtime: Runtime, tokens: ServiceTokens, limit: int = 20) -> int:
    """Send every delivery whose time has come; returns how many were attempted."""
    now = utcnow()
    with transaction(runtime.sessions) as session:
        batch = grade_passback.due(session, now, limit)
        for delivery in batch:
            deployment = session.get(Deployment, delivery.resource_link.deployment_id)
            assert deployment is not None
            _send(tokens, delivery, deployment, now)
        return len(batch)
