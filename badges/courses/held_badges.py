"""What a course has recognised: the badges held by its people, newest first.

The recognition wall and the endorsement board of a course show the same facts: the
current (not revoked, not expired) awards of the course's community held by the people
of the course. "People of the course" are its memberships; an award is theirs when it
was given to them (``Assertion.recipient_person_id``) or names their e-mail, when the
course's platform may vouch for it (:mod:`badges.platforms.email_trust`). The community
filter matters: the same person may hold badges of another community (another
deployment), which this course must never show.

Names are shown only when the recipient allowed it (``recipient_public``); everything
else on a row is what the badge's public page shows anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from badges.models import Assertion, BadgeClass, Context, Endorsement, Membership, Person
from badges.models.columns import utcnow
from badges.platforms.email_trust import email_vouched_for

#: A wall is read on a phone: the latest awards, not the whole history.
LIMIT = 100


@dataclass(frozen=True)
class CourseBadge:
    """One award on a course's wall or board."""

    assertion_id: str
    badge_class_id: str
    badge_name: str
    level: int | None
    issued_on: datetime
    #: The recipient's name when they made it public, else None.
    recipient_name: str | None
    #: The award is the viewer's own (a person cannot endorse their own badge).
    mine: bool
    endorsements: int


def _is_viewers(assertion: Assertion, viewer: Person | None) -> bool:
    """Whether the award is the viewer's own: given to them, or to their e-mail (an
    award to the same address is left off their board even when the e-mail would not
    count as theirs elsewhere)."""
    if viewer is None:
        return False
    if assertion.recipient_person_id == viewer.id:
        return True
    return bool(viewer.email) and assertion.recipient_email == viewer.email.strip().lower()


def _endorsement_counts(session: Session, assertion_ids: list[str]) -> dict[str, int]:
    if not assertion_ids:
        return {}
    rows = session.execute(
        select(Endorsement.assertion_id, func.count())
        .where(
            Endorsement.assertion_id.in_(assertion_ids),
            Endorsement.revoked_at.is_(None),
        )
        .group_by(Endorsement.assertion_id)
    )
    return {subject: count for subject, count in rows}


def course_badges(
    session: Session,
    context: Context,
    *,
    viewer: Person | None = None,
    limit: int = LIMIT,
    now: datetime | None = None,
) -> list[CourseBadge]:
    """The current awards held by the people of ``context``, newest first."""
    deployment = context.deployment
    in_course = select(Membership.person_id).where(Membership.context_id == context.id)
    emails = select(func.lower(Person.email)).where(
        Person.id.in_(in_course), Person.email.is_not(None)
    )
    moment = now or utcnow()
    rows = session.execute(
        select(Assertion, BadgeClass)
        .join(BadgeClass, BadgeClass.id == Assertion.badge_class_id)
        .where(
            BadgeClass.community_id == deployment.community_id,
            Assertion.revoked_at.is_(None),
            or_(Assertion.expires.is_(None), Assertion.expires > moment),
            or_(
                Assertion.recipient_person_id.in_(in_course),
                and_(
                    Assertion.recipient_email.in_(emails),
                    email_vouched_for(deployment.registration.platform),
                ),
            ),
        )
        .order_by(Assertion.issued_on.desc(), Assertion.created_at.desc())
        .limit(limit)
    ).all()
    counts = _endorsement_counts(session, [assertion.id for assertion, _badge in rows])
    return [
        CourseBadge(
            assertion_id=assertion.id,
            badge_class_id=badge.id,
            badge_name=badge.name,
            level=badge.level,
            issued_on=assertion.issued_on,
            recipient_name=assertion.recipient_name if assertion.recipient_public else None,
            mine=_is_viewers(assertion, viewer),
            endorsements=counts.get(assertion.id, 0),
        )
        for assertion, badge in rows
    ]
