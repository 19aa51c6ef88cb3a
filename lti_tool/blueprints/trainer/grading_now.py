"""The grades an award owes, sent at once after it is committed, and what became of them.

An award in a course owes the course's gradebook full marks (the award's transaction
writes the score to the outbox). Once that is committed the trainer's page tries the
scores at once, so the trainer sees "sent" in the usual case; whatever does not go
through stays in the outbox for ``chemins worker``. The pages then read each award's
grade state from the outbox rows, never from the URL.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from badges.courses.grades import ASK_BADGE, can_grade
from badges.models import Context, ResourceLink, ScoreDelivery
from badges.models.score_delivery import FAILED, PENDING, SENT, SUPERSEDED
from lti_tool import score_sender
from lti_tool.runtime_access import runtime_of
from lti_tool.tool_identity import service_tokens

log = logging.getLogger(__name__)

#: No grade is owed for this award (the badge is not placed as a graded activity).
NO_GRADE = ""


def summary(statuses: Iterable[str]) -> str:
    """One word for several scores: every one sent, some refused, or some waiting."""
    found = list(statuses)
    if not found:
        return NO_GRADE
    if any(status == FAILED for status in found):
        return FAILED
    if all(status in (SENT, SUPERSEDED) for status in found):
        return SENT
    return PENDING


def send_now(pending: Iterable[str]) -> str:
    """Try the committed awards' scores once; the outbox keeps what fails.

    Returns their :func:`summary` (for the log: the pages read the outbox itself).
    """
    ids = tuple(pending)
    if not ids:
        return NO_GRADE
    try:
        tokens = service_tokens(current_app)
    except Exception:
        log.exception("no service token cache: %d score(s) left for the worker", len(ids))
        return PENDING
    return summary(score_sender.deliver_now(runtime_of(current_app), tokens, ids))


def grade_states(session: Session, assertion_ids: Iterable[str]) -> dict[str, str]:
    """Each award's grade state (:func:`summary` of its scores); absent: no grade owed."""
    ids = set(assertion_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(ScoreDelivery.assertion_id, ScoreDelivery.status).where(
            ScoreDelivery.assertion_id.in_(ids)
        )
    )
    statuses: dict[str, list[str]] = {}
    for assertion_id, status in rows:
        statuses.setdefault(assertion_id, []).append(status)
    return {assertion_id: summary(found) for assertion_id, found in statuses.items()}


def graded_here(session: Session, context: Context, badge_class_id: str) -> bool:
    """Whether an award of this badge in this course owes its gradebook a score.

    True when the badge is placed in the course as an activity the platform lets
    Chemins grade; the confirmation says so before anything is signed.
    """
    links = session.scalars(
        select(ResourceLink).where(
            ResourceLink.context_id == context.id,
            ResourceLink.custom_target == ASK_BADGE,
            ResourceLink.custom_badge == badge_class_id,
        )
    )
    return any(can_grade(link) for link in links)
