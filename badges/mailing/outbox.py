"""The e-mail outbox kept on the notification rows: what is due, who takes it, what became of it.

``email_status`` of a notification:

- ``NULL``: new; nothing was tried (always so on an instance without SMTP);
- ``sending``: a sender claimed it until ``next_email_at`` (a lease: a sender that dies
  mid-send only delays the e-mail until the lease ends);
- ``sent``; ``failed`` (tried again at ``next_email_at``, waits growing);
- ``dead`` (given up: :data:`MAX_ATTEMPTS` failures, or a server that refused the
  address for good); ``none`` (the person has no usable e-mail address);
- ``expired``: still unsent :data:`FRESH_FOR` after it was written. Turning SMTP on
  (or mending it) after a while then does not flood people with old news they have
  most likely seen in the app already.

Claiming is its own short transaction, as for scores (:func:`badges.courses.grades.claim`):
on PostgreSQL the candidates are read ``FOR UPDATE SKIP LOCKED``; on both databases the
conditional UPDATE is the claim, so of two senders only one takes a row.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from badges.models import Notification

SENDING = "sending"
SENT = "sent"
FAILED = "failed"
DEAD = "dead"
NONE = "none"
EXPIRED = "expired"

FRESH_FOR = timedelta(hours=48)
#: Longer than a batch can take (connecting, then each message, 10 seconds at most).
LEASE = timedelta(minutes=10)
#: Waits after the 1st, 2nd, 3rd and 4th failure; the 5th gives up.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
MAX_ATTEMPTS = len(BACKOFF) + 1


def _due(now: datetime) -> ColumnElement[bool]:
    """Rows a sender may take at ``now``: new, failed, or claimed by a sender whose lease ended."""
    waiting = or_(
        Notification.email_status.is_(None),
        Notification.email_status.in_((FAILED, SENDING)),
    )
    ripe = or_(Notification.next_email_at.is_(None), Notification.next_email_at <= now)
    return and_(waiting, ripe)


def expire_stale(session: Session, now: datetime) -> int:
    """Mark ``expired`` what was not sent within :data:`FRESH_FOR`; returns how many."""
    result = session.execute(
        update(Notification)
        .where(_due(now), Notification.created_at < now - FRESH_FOR)
        .values(email_status=EXPIRED, next_email_at=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


def claim(
    session: Session,
    now: datetime,
    *,
    limit: int = 20,
    ids: Collection[int] | None = None,
) -> list[int]:
    """Take up to ``limit`` due rows for this sender, oldest first; their ids.

    Commit right after, then send, then :func:`record_sent` / :func:`record_failed`.
    """
    query = (
        select(Notification.id)
        .where(_due(now), Notification.created_at >= now - FRESH_FOR)
        .order_by(Notification.created_at, Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if ids is not None:
        query = query.where(Notification.id.in_(list(ids)))
    claimed: list[int] = []
    for notification_id in list(session.scalars(query)):
        taken = session.execute(
            update(Notification)
            .where(Notification.id == notification_id, _due(now))
            .values(email_status=SENDING, next_email_at=now + LEASE)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(notification_id)
    return claimed


def _still_ours(session: Session, notification_id: int) -> Notification | None:
    """The row if this sender's claim still holds it (a lapsed lease may have passed it on)."""
    row = session.get(Notification, notification_id)
    return row if row is not None and row.email_status == SENDING else None


def record_no_address(session: Session, notification_id: int) -> None:
    row = _still_ours(session, notification_id)
    if row is not None:
        row.email_status = NONE
        row.next_email_at = None


def record_sent(session: Session, notification_id: int) -> None:
    row = _still_ours(session, notification_id)
    if row is not None:
        row.email_status = SENT
        row.email_attempts = (row.email_attempts or 0) + 1
        row.next_email_at = None
        row.last_error = None


def record_failed(
    session: Session,
    notification_id: int,
    error: str,
    *,
    now: datetime,
    permanent: bool = False,
) -> None:
    """One more failed attempt: tried again after a growing wait, or given up."""
    row = _still_ours(session, notification_id)
    if row is None:
        return
    row.email_attempts = (row.email_attempts or 0) + 1
    row.last_error = error[:2000]
    if permanent or row.email_attempts >= MAX_ATTEMPTS:
        row.email_status = DEAD
        row.next_email_at = None
        return
    row.email_status = FAILED
    row.next_email_at = now + BACKOFF[row.email_attempts - 1]
