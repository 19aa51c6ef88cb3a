"""Awarding one badge to many people of a course, a few at a time (issue 13 §5).

A trainer selects people from the course's roster and confirms; :func:`start` checks
the whole selection and stores it (nothing is awarded yet), then :func:`step` awards
the next few, each step in its own transaction, while the page shows the progress.
Signing and owing a grade take a moment per person: a class of thirty in one request
would keep the trainer waiting, and a lost connection would leave them not knowing who
got the badge. Here what is done stays done, the batch says where it stands, and a
step that runs twice awards nobody twice (awarding is idempotent per person).
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from badges.courses import people
from badges.courses.awards import award_in_course
from badges.models import AwardBatch, BadgeClass, Context, Person
from badges.models.columns import utcnow
from badges.recognition import notifying
from badges.recognition.awarding import AwardRefused
from badges.recognition.badge_classes import PUBLISHED
from badges.roles import may_award
from badges.storage.runtime import Runtime

log = logging.getLogger(__name__)

#: How many people one step awards: a step stays well under a second or two.
STEP_SIZE = 5
#: A course is rarely bigger; a selection above this is not a trainer's click.
SELECTION_LIMIT = 500
NARRATIVE_LIMIT = 2000
#: The result of a person the award was refused to (see :func:`step`).
REFUSED = "refused"


class BatchRefused(ValueError):
    """A selection that cannot be awarded; ``code`` says why.

    Codes: ``not_an_awarder``, ``not_published``, ``other_community``, ``empty``,
    ``too_many``, ``not_a_member``, ``too_long``.
    """

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def start(
    session: Session,
    badge_class: BadgeClass,
    context: Context,
    awarder: Person,
    person_ids: list[str],
    narrative: str | None = None,
) -> AwardBatch:
    """Store ``awarder``'s confirmed selection of ``context``'s members for ``badge_class``.

    Everything is checked here, before anything is written: the awarder awards in the
    course, the badge is published by the course's community, every person belongs to
    the course. A person chosen twice is awarded once.
    """
    if not may_award(people.role_in(session, context, awarder.id)):
        raise BatchRefused("not_an_awarder")
    if badge_class.status != PUBLISHED:
        raise BatchRefused("not_published")
    if badge_class.community_id != context.deployment.community_id:
        raise BatchRefused("other_community")
    chosen = list(dict.fromkeys(pid for pid in person_ids if pid))
    if not chosen:
        raise BatchRefused("empty")
    if len(chosen) > SELECTION_LIMIT:
        raise BatchRefused("too_many")
    members = {m.person_id for m in people.members(session, context)}
    if any(pid not in members for pid in chosen):
        raise BatchRefused("not_a_member")
    text = (narrative or "").strip() or None
    if text is not None and len(text) > NARRATIVE_LIMIT:
        raise BatchRefused("too_long")
    batch = AwardBatch(
        badge_class_id=badge_class.id,
        context_id=context.id,
        awarder_id=awarder.id,
        narrative=text,
        recipients=chosen,
        position=0,
        results={},
    )
    session.add(batch)
    session.flush()
    log.info("award batch %s: %d people, badge %s", batch.id, len(chosen), badge_class.id)
    return batch


def _lock(session: Session, batch: AwardBatch) -> None:
    """Two tabs continuing the same batch take turns (a row lock; SQLite serialises)."""
    if session.get_bind().dialect.name != "sqlite":
        session.execute(select(AwardBatch.id).where(AwardBatch.id == batch.id).with_for_update())
        session.refresh(batch)


def step(session: Session, runtime: Runtime, batch: AwardBatch, size: int = STEP_SIZE) -> list[str]:
    """Award the next ``size`` people of ``batch``; the ids of the scores now owed.

    Run one step per transaction. Each person's result is the award they hold now (a
    person who already held the badge keeps theirs, and is not told again), or
    :data:`REFUSED` when the award could not be made (they left the course meanwhile):
    the others still get theirs. The batch is finished once everyone was handled; a
    step of a finished batch does nothing.
    """
    _lock(session, batch)
    if batch.finished:
        return []
    badge_class = session.get(BadgeClass, batch.badge_class_id)
    context = session.get(Context, batch.context_id)
    awarder = session.get(Person, batch.awarder_id)
    assert badge_class is not None and context is not None and awarder is not None
    chunk = batch.recipients[batch.position : batch.position + max(1, size)]
    results = dict(batch.results or {})
    pending: list[str] = []
    for person_id in chunk:
        learner = session.get(Person, person_id)
        try:
            if learner is None:
                raise AwardRefused("the person no longer exists")
            done = award_in_course(
                session,
                runtime,
                badge_class,
                context,
                awarder=awarder,
                learner=learner,
                narrative=batch.narrative,
            )
        except AwardRefused as refusal:
            log.warning("award batch %s: %s refused (%s)", batch.id, person_id, refusal)
            results[person_id] = REFUSED
            continue
        results[person_id] = done.assertion_id
        pending.extend(done.pending_scores)
        if done.created:
            notifying.notify(
                session,
                person_id,
                notifying.BADGE_AWARDED,
                badge_class_id=badge_class.id,
                assertion_id=done.assertion_id,
            )
    # JSON columns are saved when assigned, not when changed in place.
    batch.results = results
    batch.position = batch.position + len(chunk)
    if batch.position >= len(batch.recipients):
        batch.finished_at = utcnow()
    session.flush()
    return pending
