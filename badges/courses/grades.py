"""Grades owed for badges: which gradebook columns an award completes, and their outbox.

A trainer who places a badge as a graded activity (Deep Linking with a line item) makes
a gradebook column whose resource link carries ``custom.target = "ask-badge"`` and
``custom.badge = <badge class id>`` (kept on the link by each launch). When the badge is
awarded to a learner who belongs to that link's course, the learner gets full marks
there. This module finds those links and writes one :class:`ScoreDelivery` per link, in
the caller's transaction (the award's), so the grade is owed as surely as the badge is
issued; sending is the web layer's job (it speaks AGS) and a failed send is retried with
backoff, never dropped.

A link is graded when its launches name its column (``lineitem``, Moodle), or let the
tool create one (``lineitems`` and the line-item scope, Open edX's programmatic mode):
then the score is owed with :data:`COLUMN_TO_CREATE` and the sender makes the column
first, once per link (``ResourceLink.tool_lineitem_url``).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from badges.models import Assertion, Membership, Person, ResourceLink
from badges.models.columns import utcnow
from badges.models.score_delivery import FAILED, PENDING, SENT, SUPERSEDED, ScoreDelivery

#: ``ScoreDelivery.lineitem_url`` of a score whose column does not exist yet: the sender
#: creates it through the line-items service first (Open edX's programmatic mode).
COLUMN_TO_CREATE = ""
#: The custom parameter, and its value, of a badge placed without a grade on purpose.
GRADE_PARAM = "grade"
NO_GRADE = "none"
ASK_BADGE = "ask-badge"
FULL_MARKS = 100.0
#: Waits between attempts grow 1, 2, 4… minutes up to a day; after this many attempts
#: the delivery is marked failed for an admin to look at (it stays in the table).
MAX_ATTEMPTS = 20
MAX_WAIT = timedelta(hours=24)
#: How long a claimed delivery stays out of other senders' reach: far longer than one
#: send can take (a token request and a score post, 15 seconds each at most).
LEASE = timedelta(minutes=5)


def can_grade(link: ResourceLink) -> bool:
    """Whether scores can reach a gradebook from ``link``.

    The platform must grant the score scope, and name the link's column (``lineitem``),
    or let the tool create one (``lineitems`` and the line-item scope: Open edX's
    programmatic mode) for a link not placed without a grade on purpose, or the tool
    made it already.
    """
    if not link.may_score:
        return False
    if link.lineitem_url or link.tool_lineitem_url:
        return True
    if link.custom_grade == NO_GRADE:  # the trainer placed it without a grade
        return False
    return bool(link.lineitems_url) and link.may_create_columns


def column_of(link: ResourceLink) -> str:
    """The column a score for ``link`` goes to, or :data:`COLUMN_TO_CREATE`."""
    return link.lineitem_url or link.tool_lineitem_url or COLUMN_TO_CREATE


def graded_links(session: Session, person: Person, badge_class_id: str) -> list[ResourceLink]:
    """The gradebook columns of ``badge_class_id`` in the courses ``person`` belongs to."""
    links = session.scalars(
        select(ResourceLink)
        .join(Membership, Membership.context_id == ResourceLink.context_id)
        .where(
            Membership.person_id == person.id,
            ResourceLink.custom_target == ASK_BADGE,
            ResourceLink.custom_badge == badge_class_id,
        )
        .order_by(ResourceLink.created_at)
    )
    return [link for link in links if can_grade(link) and link.custom_badge == badge_class_id]


def queue_completion_scores(
    session: Session, assertion: Assertion, person: Person, *, now: datetime | None = None
) -> list[ScoreDelivery]:
    """Owe full marks for ``assertion`` on every graded link of its badge; idempotent."""
    owed: list[ScoreDelivery] = []
    for link in graded_links(session, person, assertion.badge_class_id):
        existing = session.scalars(
            select(ScoreDelivery).where(
                ScoreDelivery.assertion_id == assertion.id,
                ScoreDelivery.resource_link_id == link.id,
            )
        ).first()
        if existing is not None:
            owed.append(existing)
            continue
        moment = now or utcnow()
        delivery = ScoreDelivery(
            assertion_id=assertion.id,
            resource_link_id=link.id,
            person_id=person.id,
            lineitem_url=column_of(link),
            user_sub=person.sub,
            score_given=FULL_MARKS,
            score_maximum=FULL_MARKS,
            scored_at=moment,
            status=PENDING,
            attempts=0,
            next_attempt_at=moment,
        )
        session.add(delivery)
        owed.append(delivery)
    session.flush()
    return owed


def claim(
    session: Session,
    now: datetime,
    *,
    limit: int = 20,
    ids: Collection[str] | None = None,
    lease: timedelta = LEASE,
) -> list[str]:
    """Take due deliveries for one sender; commit right after, then send, then record.

    Claiming moves ``next_attempt_at`` a :data:`LEASE` ahead, so no other worker (nor
    the web request that tries at once after an award) takes the row while it is being
    sent, and a sender that dies mid-send only delays the score until the lease ends.
    The claim is its own short transaction: on SQLite a transaction that wrote holds the
    database's single write lock, which must not wait on a platform's answer. On
    PostgreSQL the candidates are read ``FOR UPDATE SKIP LOCKED``, so concurrent workers
    each take different rows without waiting; on SQLite (no row locks) the conditional
    UPDATE is the claim: of two senders, only the one whose UPDATE matched the row
    still due gets it. Returns the ids this caller now owns.
    """
    query = (
        select(ScoreDelivery.id)
        .where(ScoreDelivery.status == PENDING, ScoreDelivery.next_attempt_at <= now)
        .order_by(ScoreDelivery.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if ids is not None:
        query = query.where(ScoreDelivery.id.in_(list(ids)))
    claimed: list[str] = []
    for delivery_id in list(session.scalars(query)):
        taken = session.execute(
            update(ScoreDelivery)
            .where(
                ScoreDelivery.id == delivery_id,
                ScoreDelivery.status == PENDING,
                ScoreDelivery.next_attempt_at <= now,
            )
            .values(next_attempt_at=now + lease)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(delivery_id)
    return claimed


def delivered(delivery: ScoreDelivery, *, superseded: bool, now: datetime) -> None:
    """The platform took the score (or already held a newer one)."""
    delivery.status = SUPERSEDED if superseded else SENT
    delivery.attempts += 1
    delivery.sent_at = now
    delivery.last_error = None


def failed(delivery: ScoreDelivery, error: str, *, now: datetime, permanent: bool = False) -> None:
    """Record a failed attempt and when to try again (or give up on a permanent refusal)."""
    delivery.attempts += 1
    delivery.last_error = error[:2000]
    if permanent or delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = FAILED
        return
    wait = min(timedelta(minutes=2 ** (delivery.attempts - 1)), MAX_WAIT)
    delivery.next_attempt_at = now + wait
