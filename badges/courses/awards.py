"""Awarding a badge to a person of a course, and the grades that award owes.

A trainer awards from a course, to a learner of that course. This workflow checks what
the launch alone cannot prove (the awarder teaches the course, the learner belongs to
it, the badge belongs to the course's community), awards through
:func:`badges.recognition.awarding.award`, and owes the course's gradebook its score through
:func:`badges.courses.grades.queue_completion_scores` in the same transaction: the grade
is as certain as the badge, and a retried request creates neither twice. Sending the
score is the caller's business after commit (``lti_tool`` speaks AGS; this package
never does).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from badges.courses import grades, people
from badges.models import Assertion, BadgeClass, Context, Person
from badges.models.score_delivery import PENDING
from badges.platforms import email_trust
from badges.recognition.awarding import AwardRefused, Recipient, award
from badges.recognition.badge_classes import PUBLISHED
from badges.roles import may_award
from badges.storage.runtime import Runtime


@dataclass(frozen=True)
class CourseAward:
    """What an award in a course did: which assertion, whether new, which grades to send."""

    assertion_id: str
    created: bool
    pending_scores: tuple[str, ...]


def recipient_of(person: Person, *, public: bool = False) -> Recipient:
    """How a person launched from a platform is named on their badge.

    The e-mail when the platform shared it (backpacks match badges by e-mail), else the
    LTI ``sub`` with the platform's issuer, which stays unique and stable. The ``sub``
    and issuer are kept with the e-mail: they say which platform the award came from.
    The award points at the person themselves, which is how it is found again.
    """
    return Recipient(
        email=person.email,
        lti_sub=person.sub,
        lti_issuer=person.platform.issuer,
        name=person.display_name,
        public=public,
        person_id=person.id,
    )


def names(person: Person) -> ColumnElement[bool]:
    """Awards that are ``person``'s: given to them (``recipient_person_id``), or naming
    an e-mail their platform may vouch for (:func:`badges.platforms.email_trust.email_condition`).

    An award made in a course points at its person, whether or not the platform shared
    the e-mail. The e-mail still finds the awards given to no known person (the demo,
    the command line) and, when an admin trusts both platforms' e-mails, those given to
    the same address on another platform; otherwise the same address asserted by
    another platform names another person.
    """
    return or_(
        Assertion.recipient_person_id == person.id,
        email_trust.email_condition(person.platform, person.email),
    )


def held_by(session: Session, badge_class: BadgeClass, person: Person) -> Assertion | None:
    """The person's current award of ``badge_class``, if any."""
    return session.scalars(
        select(Assertion)
        .where(
            Assertion.badge_class_id == badge_class.id,
            Assertion.revoked_at.is_(None),
            names(person),
        )
        .order_by(Assertion.issued_on)
        .limit(1)
    ).first()


def holdings(session: Session, person: Person, community_id: str) -> dict[str, Assertion]:
    """The person's current awards in a community, by badge class id."""
    rows = session.scalars(
        select(Assertion)
        .join(BadgeClass, BadgeClass.id == Assertion.badge_class_id)
        .where(
            BadgeClass.community_id == community_id, Assertion.revoked_at.is_(None), names(person)
        )
        .order_by(Assertion.issued_on)
    )
    found: dict[str, Assertion] = {}
    for row in rows:
        found.setdefault(row.badge_class_id, row)
    return found


def award_in_course(
    session: Session,
    runtime: Runtime,
    badge_class: BadgeClass,
    context: Context,
    *,
    awarder: Person,
    learner: Person,
    narrative: str | None = None,
) -> CourseAward:
    """``awarder`` gives ``badge_class`` to ``learner`` in ``context``; run in a transaction.

    Refused (:class:`AwardRefused`) unless the awarder is a trainer (or admin) of the
    course, the learner a member of it, and the badge published by the course's
    community. A learner who already holds the badge keeps that award; the grade is
    owed either way (a link graded after the award still gets its score), once.
    """
    if badge_class.community_id != context.deployment.community_id:
        raise AwardRefused("the badge belongs to another community than this course")
    if badge_class.status != PUBLISHED:
        raise AwardRefused("only a published badge class can be awarded")
    if not may_award(people.role_in(session, context, awarder.id)):
        raise AwardRefused("only a trainer of the course can award in it")
    if people.membership(session, context, learner.id) is None:
        raise AwardRefused("the learner is not a member of this course")
    existing = held_by(session, badge_class, learner)
    assertion = existing or award(
        session, runtime, badge_class, recipient_of(learner), narrative=narrative
    )
    owed = grades.queue_completion_scores(session, assertion, learner)
    return CourseAward(
        assertion.id,
        created=existing is None,
        pending_scores=tuple(d.id for d in owed if d.status == PENDING),
    )
