"""Reviewing a request: a trainer of the course accepts it, asks to improve it, or declines it.

The trainer's side of :mod:`badges.recognition.requests` (issue 13 §4). Accepting is an
award in the request's course (:func:`badges.courses.awards.award_in_course`, which owes
the course's gradebook its score in the same transaction), and the evidence the learner
gave becomes the award's: what they showed is what the badge carries. Asking to improve
sends a comment back; the learner adds to the same request and it comes back here.
Declining ends it with a reason. Every step is an event of the request (its history
stays visible to both sides) and a notification to the learner.

Each function runs inside the caller's transaction and refuses (:class:`ReviewRefused`,
with a ``code`` the web layer words) before writing anything.
"""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from badges.courses import people
from badges.courses.awards import CourseAward, award_in_course
from badges.models import Assertion, BadgeRequest, Context, Person, RequestEvent, ScoreDelivery
from badges.models.badge_request import ACCEPTED, CHANGES_REQUESTED, DECLINED, OPEN
from badges.models.score_delivery import PENDING
from badges.recognition import notifying
from badges.recognition.awarding import AwardRefused, sign_again
from badges.roles import may_review
from badges.storage.runtime import Runtime

log = logging.getLogger(__name__)

#: What a trainer writes back stays readable on a phone.
COMMENT_LIMIT = 2000


class ReviewRefused(ValueError):
    """A review step that cannot be taken; ``code`` says why.

    Codes: ``not_a_reviewer`` (not a trainer of the request's course, or the person who
    asked), ``other_course`` (the request belongs to another course than the one the
    trainer works in), ``wrong_state``, ``comment_required``, ``too_long``,
    ``not_awardable`` (the badge was archived meanwhile, or the learner left the course).
    """

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _check_reviewer(
    session: Session, request: BadgeRequest, reviewer: Person, context: Context | None
) -> None:
    if context is not None and context.id != request.context_id:
        raise ReviewRefused("other_course")
    role = people.role_in(session, request.context, reviewer.id)
    if not may_review(role) or reviewer.id == request.person_id:
        raise ReviewRefused("not_a_reviewer")


def checked_comment(value: str | None) -> str:
    """A trainer's comment or reason as it will be stored, or the refusal it would get.

    For a page that asks for a confirmation first: the words are checked before the
    confirmation is shown, not after.
    """
    text = _text(value, required=True)
    assert text is not None  # required
    return text


def _text(value: str | None, *, required: bool) -> str | None:
    text = (value or "").strip() or None
    if required and text is None:
        raise ReviewRefused("comment_required")
    if text is not None and len(text) > COMMENT_LIMIT:
        raise ReviewRefused("too_long")
    return text


def _pending_scores(session: Session, assertion_id: str) -> tuple[str, ...]:
    return tuple(
        session.scalars(
            select(ScoreDelivery.id).where(
                ScoreDelivery.assertion_id == assertion_id, ScoreDelivery.status == PENDING
            )
        )
    )


def accept(
    session: Session,
    runtime: Runtime,
    request: BadgeRequest,
    reviewer: Person,
    narrative: str | None = None,
    *,
    context: Context | None = None,
) -> CourseAward:
    """Award the badge the request asks for; its evidence becomes the award's.

    ``context`` is the course the reviewer works in (their launch's), when there is one:
    a request of another course is refused even for someone who reviews both. Accepting
    an accepted request again (a retried form) returns the same award, creates nothing.
    """
    _check_reviewer(session, request, reviewer, context)
    if request.state == ACCEPTED and request.assertion_id is not None:
        return CourseAward(
            request.assertion_id,
            created=False,
            pending_scores=_pending_scores(session, request.assertion_id),
        )
    if request.state != OPEN:
        raise ReviewRefused("wrong_state")
    narrative = _text(narrative, required=False)
    try:
        done = award_in_course(
            session,
            runtime,
            request.badge_class,
            request.context,
            awarder=reviewer,
            learner=request.person,
            narrative=narrative,
        )
    except AwardRefused as refusal:  # refused before it wrote anything
        log.info("request %s cannot be awarded: %s", request.id, refusal)
        raise ReviewRefused("not_awardable") from refusal
    evidence = list(request.evidence)
    for row in evidence:
        row.assertion_id = done.assertion_id
    session.flush()
    if any(row.public for row in evidence):
        # The credential lists its public evidence: signed again to say it.
        assertion = session.get(Assertion, done.assertion_id)
        assert assertion is not None  # just awarded, in this transaction
        session.expire(assertion, ["evidence"])
        sign_again(session, runtime, [assertion], evidence_changed=True)
    request.state = ACCEPTED
    request.assertion_id = done.assertion_id
    session.add(
        RequestEvent(request=request, actor_id=reviewer.id, kind=ACCEPTED, comment=narrative)
    )
    notifying.notify(
        session,
        request.person_id,
        notifying.REQUEST_ACCEPTED,
        request_id=request.id,
        badge_class_id=request.badge_class_id,
        assertion_id=done.assertion_id,
    )
    session.flush()
    log.info("request %s accepted by %s: %s", request.id, reviewer.id, done.assertion_id)
    return done


def ask_to_improve(
    session: Session,
    request: BadgeRequest,
    reviewer: Person,
    comment: str,
    *,
    context: Context | None = None,
) -> BadgeRequest:
    """Send the request back to the learner with ``comment`` (what to add or change)."""
    _check_reviewer(session, request, reviewer, context)
    comment_text = _text(comment, required=True)
    if request.state != OPEN:
        raise ReviewRefused("wrong_state")
    request.state = CHANGES_REQUESTED
    session.add(
        RequestEvent(
            request=request, actor_id=reviewer.id, kind=CHANGES_REQUESTED, comment=comment_text
        )
    )
    notifying.notify(
        session,
        request.person_id,
        notifying.CHANGES_REQUESTED,
        request_id=request.id,
        badge_class_id=request.badge_class_id,
    )
    session.flush()
    return request


def decline(
    session: Session,
    request: BadgeRequest,
    reviewer: Person,
    reason: str,
    *,
    context: Context | None = None,
) -> BadgeRequest:
    """End the request without a badge, saying why (the learner reads the reason).

    A request waiting for the learner's changes may be declined too (it is still the
    trainer's to end); declining a declined request again changes nothing.
    """
    _check_reviewer(session, request, reviewer, context)
    reason_text = _text(reason, required=True)
    if request.state == DECLINED:
        return request
    if request.state not in (OPEN, CHANGES_REQUESTED):
        raise ReviewRefused("wrong_state")
    request.state = DECLINED
    session.add(
        RequestEvent(request=request, actor_id=reviewer.id, kind=DECLINED, comment=reason_text)
    )
    notifying.notify(
        session,
        request.person_id,
        notifying.REQUEST_DECLINED,
        request_id=request.id,
        badge_class_id=request.badge_class_id,
    )
    session.flush()
    return request


def waiting(session: Session, context: Context) -> list[BadgeRequest]:
    """The course's requests waiting for a trainer, oldest first (who waited longest)."""
    return list(
        session.scalars(
            select(BadgeRequest)
            .where(BadgeRequest.context_id == context.id, BadgeRequest.state == OPEN)
            .order_by(BadgeRequest.updated_at, BadgeRequest.created_at)
        )
    )


def waiting_count(session: Session, context_id: str) -> int:
    """How many of the course's requests wait for a trainer (the home's count)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(BadgeRequest)
            .where(BadgeRequest.context_id == context_id, BadgeRequest.state == OPEN)
        )
        or 0
    )
