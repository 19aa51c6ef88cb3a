"""Telling people what happened to them: a notification row per person and event.

Workflows call :func:`notify` inside their own transaction, so a notification exists
exactly when what it announces does. The homes count the unread ones
(:func:`unread_count`), the notifications page lists them (:func:`recent`, as
:class:`Notice` values that carry what the wording needs and nothing of the evidence)
and marks them read (:func:`mark_read`), always for one person, the reader. E-mail
delivery (when the instance has SMTP, :mod:`badges.mailing`) reads the same rows.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from badges.models import Assertion, BadgeClass, BadgeRequest, Notification
from badges.models.columns import utcnow

# What a notification announces (the web layer words each kind in the reader's language).
REQUEST_SUBMITTED = "request_submitted"  # to the course's trainers
REQUEST_UPDATED = "request_updated"  # to the course's trainers
REQUEST_TO_CONFIRM = "request_to_confirm"  # to the learner a facilitator helped
CHANGES_REQUESTED = "changes_requested"  # to the learner
REQUEST_ACCEPTED = "request_accepted"  # to the learner
REQUEST_DECLINED = "request_declined"  # to the learner
BADGE_AWARDED = "badge_awarded"  # to the recipient of a direct or bulk award
BADGE_REVOKED = "badge_revoked"  # to the holder
PROPOSAL_SUBMITTED = "proposal_submitted"  # to the community's trainers
PROPOSAL_CHANGES_REQUESTED = "proposal_changes_requested"  # to the member
PROPOSAL_PUBLISHED = "proposal_published"  # to the member
PROPOSAL_DECLINED = "proposal_declined"  # to the member
KINDS = (
    REQUEST_SUBMITTED,
    REQUEST_UPDATED,
    REQUEST_TO_CONFIRM,
    CHANGES_REQUESTED,
    REQUEST_ACCEPTED,
    REQUEST_DECLINED,
    BADGE_AWARDED,
    BADGE_REVOKED,
    PROPOSAL_SUBMITTED,
    PROPOSAL_CHANGES_REQUESTED,
    PROPOSAL_PUBLISHED,
    PROPOSAL_DECLINED,
)


def notify(
    session: Session,
    person_id: str,
    kind: str,
    *,
    request_id: str | None = None,
    badge_class_id: str | None = None,
    assertion_id: str | None = None,
) -> Notification:
    """Record that ``person_id`` should hear about ``kind``; call inside the workflow."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    row = Notification(
        person_id=person_id,
        kind=kind,
        request_id=request_id,
        badge_class_id=badge_class_id,
        assertion_id=assertion_id,
        email_attempts=0,
    )
    session.add(row)
    return row


#: Trainers' kinds: someone else's request or proposal waits for them.
FOR_REVIEWERS = frozenset({REQUEST_SUBMITTED, REQUEST_UPDATED, PROPOSAL_SUBMITTED})


def unread_count(session: Session, person_id: str) -> int:
    """How many of ``person_id``'s notifications are unread: one COUNT on the index.

    Every launched page shows it, so it reads no row (ix_notification_person_read).
    """
    count = session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.person_id == person_id, Notification.read_at.is_(None))
    )
    return int(count or 0)


@dataclass(frozen=True)
class Notice:
    """A notification with what its wording needs, read while the session is open.

    ``badge_name`` is the badge class it is about (through the request or the award
    when the row names none); ``about_name`` the person whose request or proposal waits
    for a reviewer (None for the person's own news). Nothing of the evidence is here:
    the wording never quotes it, in the app or by e-mail.
    """

    id: int
    kind: str
    created_at: datetime
    read: bool
    request_id: str | None
    badge_class_id: str | None
    assertion_id: str | None
    badge_name: str | None
    about_name: str | None
    community_id: str | None

    @property
    def for_reviewers(self) -> bool:
        return self.kind in FOR_REVIEWERS


def describe(session: Session, rows: Sequence[Notification]) -> list[Notice]:
    """What :class:`Notice` needs for each of ``rows``, in three queries whatever their number."""
    assertion_ids = {r.assertion_id for r in rows if r.assertion_id}
    badge_of_assertion: dict[str, str] = dict(
        session.execute(  # type: ignore[arg-type]
            select(Assertion.id, Assertion.badge_class_id).where(Assertion.id.in_(assertion_ids))
        ).all()
        if assertion_ids
        else {}
    )
    request_ids = {r.request_id for r in rows if r.request_id}
    requests = {
        req.id: req
        for req in (
            session.scalars(
                select(BadgeRequest)
                .where(BadgeRequest.id.in_(request_ids))
                .options(selectinload(BadgeRequest.person))
            )
            if request_ids
            else []
        )
    }

    def badge_id_of(row: Notification) -> str | None:
        if row.badge_class_id:
            return row.badge_class_id
        if row.request_id and row.request_id in requests:
            return requests[row.request_id].badge_class_id
        return badge_of_assertion.get(row.assertion_id or "")

    badge_ids = {b for b in (badge_id_of(r) for r in rows) if b}
    badges = {
        badge.id: badge
        for badge in (
            session.scalars(
                select(BadgeClass)
                .where(BadgeClass.id.in_(badge_ids))
                .options(selectinload(BadgeClass.author))
            )
            if badge_ids
            else []
        )
    }
    notices = []
    for row in rows:
        badge = badges.get(badge_id_of(row) or "")
        request = requests.get(row.request_id or "")
        about = None
        if row.kind in (REQUEST_SUBMITTED, REQUEST_UPDATED) and request is not None:
            about = request.person.display_name
        elif row.kind == PROPOSAL_SUBMITTED and badge is not None and badge.author is not None:
            about = badge.author.display_name
        notices.append(
            Notice(
                id=row.id,
                kind=row.kind,
                created_at=row.created_at,
                read=row.read_at is not None,
                request_id=row.request_id,
                badge_class_id=badge.id if badge is not None else row.badge_class_id,
                assertion_id=row.assertion_id,
                badge_name=badge.name if badge is not None else None,
                about_name=about,
                community_id=badge.community_id if badge is not None else None,
            )
        )
    return notices


def recent(session: Session, person_id: str, limit: int = 30) -> list[Notice]:
    """``person_id``'s latest notifications, newest first, ready to be worded.

    Only the person's own: the page that lists them has no other way to reach a row.
    """
    rows = session.scalars(
        select(Notification)
        .where(Notification.person_id == person_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return describe(session, list(rows))


def mark_read(
    session: Session,
    person_id: str,
    ids: Collection[int] | None = None,
    *,
    now: datetime | None = None,
) -> int:
    """Mark ``person_id``'s unread notifications (all, or those of ``ids``) read.

    Ids of someone else's notifications are ignored, never an error: a tampered form
    learns nothing. Returns how many changed; a second call changes none.
    """
    statement = (
        update(Notification)
        .where(Notification.person_id == person_id, Notification.read_at.is_(None))
        .values(read_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    if ids is not None:
        wanted = [i for i in ids if isinstance(i, int)]
        if not wanted:
            return 0
        statement = statement.where(Notification.id.in_(wanted))
    return session.execute(statement).rowcount or 0
