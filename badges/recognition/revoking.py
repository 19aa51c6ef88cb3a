"""Revoking an award: the badge stops verifying everywhere, and says why.

A signed badge cannot be recalled from the backpacks it went to, so revocation is
published: the hosted assertion answers HTTP 410 Gone, and the OB 2.0 and OB 3.0
revocation lists name it. Nothing is deleted; the row keeps the date and the reason.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from badges.models import Assertion
from badges.models.columns import utcnow


class RevocationRefused(ValueError):
    """A revocation needs a reason people can read."""


def revoke(session: Session, assertion: Assertion, reason: str) -> Assertion:
    """Revoke ``assertion`` with ``reason`` (shown to verifiers).

    Revoking again (a retried request) keeps the first date and reason: a revocation
    is a fact that happened once.
    """
    reason = reason.strip()
    if not reason:
        raise RevocationRefused("a revocation needs a reason")
    if assertion.revoked:
        return assertion
    assertion.revoked_at = utcnow()
    assertion.revocation_reason = reason
    session.flush()
    return assertion
