"""Revoking an award: the badge stops verifying everywhere, and says why.

A signed badge cannot be recalled from the backpacks it went to, so revocation is
published: the hosted assertion answers HTTP 410 Gone, and the OB 2.0 and OB 3.0
revocation lists name it. Nothing is deleted; the row keeps the date and the reason.
The holder, when Chemins knows them, is told in the same transaction (a notification
exists exactly when the revocation does); who revoked is written to the log, which is
where an administrator looks for who did what.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from badges.models import Assertion, Person
from badges.models.columns import utcnow
from badges.recognition import notifying

log = logging.getLogger(__name__)

#: A reason is read by verifiers and by the holder: a few sentences at most.
REASON_LIMIT = 1000


class RevocationRefused(ValueError):
    """A revocation needs a reason people can read (and not a whole page of one)."""


def revoke(
    session: Session, assertion: Assertion, reason: str, *, revoked_by: Person | None = None
) -> Assertion:
    """Revoke ``assertion`` with ``reason`` (shown to verifiers and to the holder).

    Revoking again (a retried request) keeps the first date and reason and tells the
    holder nothing new: a revocation is a fact that happened once.
    """
    reason = reason.strip()
    if not reason:
        raise RevocationRefused("a revocation needs a reason")
    if len(reason) > REASON_LIMIT:
        raise RevocationRefused("the reason is too long")
    if assertion.revoked:
        return assertion
    assertion.revoked_at = utcnow()
    assertion.revocation_reason = reason
    if assertion.recipient_person_id is not None:
        notifying.notify(
            session,
            assertion.recipient_person_id,
            notifying.BADGE_REVOKED,
            badge_class_id=assertion.badge_class_id,
            assertion_id=assertion.id,
        )
    session.flush()
    log.info(
        "assertion %s revoked by %s", assertion.id, revoked_by.id if revoked_by else "(system)"
    )
    return assertion
