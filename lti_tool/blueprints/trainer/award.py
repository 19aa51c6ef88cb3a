"""``/course/badge/award``: the trainer awards the launch's badge to a learner.

The form is on the badge page (:mod:`~lti_tool.blueprints.learner.badge_page`). The
award runs :func:`badges.courses.awards.award_in_course`, which owes the course's
gradebook a score in the award's own transaction. This view owns that transaction, so
it is where "after commit, try now" lives: once the award is committed it calls
:func:`lti_tool.score_sender.deliver_now`, and whatever does not go through stays in the
outbox for ``chemins worker``.
"""

from __future__ import annotations

import logging

from flask import abort, current_app, redirect, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from badges.courses import awards
from badges.models import Person
from badges.models.score_delivery import FAILED, PENDING, SENT, SUPERSEDED
from badges.recognition.awarding import AwardRefused
from badges.roles import TRAINER
from badges.storage.database import transaction
from lti_tool import score_sender
from lti_tool.award_candidates import chosen_learner
from lti_tool.award_notice import note_grade, remember_award
from lti_tool.blueprints.learner.badge_page import badge_page, launch_course, placed_badge
from lti_tool.blueprints.trainer import bp
from lti_tool.launch_handle import current_launch, requires_launch, url_for_launch
from lti_tool.runtime_access import runtime_of
from lti_tool.tool_identity import service_tokens

#: The trainer audience's logger (``lti_tool.blueprints.trainer``).
log = logging.getLogger(__package__)

NARRATIVE_LIMIT = 2000


def _grade_summary(statuses: list[str]) -> str:
    """One word for the confirmation: every score sent, some waiting, some refused."""
    if not statuses:
        return ""
    if any(status == FAILED for status in statuses):
        return FAILED
    if all(status in (SENT, SUPERSEDED) for status in statuses):
        return SENT
    return PENDING


def _send_scores_now(pending: tuple[str, ...]) -> str:
    """Try the award's scores once it is committed; the outbox keeps what fails."""
    if not pending:
        return ""
    try:
        tokens = service_tokens(current_app)
    except Exception:
        log.exception("no service token cache: %d score(s) left for the worker", len(pending))
        return PENDING
    return _grade_summary(score_sender.deliver_now(runtime_of(current_app), tokens, pending))


@bp.post("/course/badge/award")
@requires_launch(role=TRAINER)
def award() -> Response | tuple[str, int]:
    """Award the launch's badge to the chosen learner, then try the grade at once."""
    launch = current_launch()
    narrative = (request.form.get("narrative") or "").strip()[:NARRATIVE_LIMIT] or None
    runtime = runtime_of(current_app)
    try:
        with transaction(runtime.sessions) as session:
            badge = placed_badge(session, launch)
            context = launch_course(session, launch)
            awarder = session.get(Person, launch.person_id)
            if context is None or awarder is None:
                abort(400)
            learner = chosen_learner(session, launch, context, request.form.get("learner", ""))
            done = awards.award_in_course(
                session,
                runtime,
                badge,
                context,
                awarder=awarder,
                learner=learner,
                narrative=narrative,
            )
            remember_award(session, launch, done.assertion_id)
    except AwardRefused as refusal:
        log.warning("award refused: %s", refusal)
        return badge_page(_("This badge cannot be awarded to this person here."), 400)
    grade = _send_scores_now(done.pending_scores)
    if grade:
        note_grade(launch, done.assertion_id, grade)
    log.info("badge %s awarded (%s), grade %s", badge.id, done.assertion_id, grade or "none")
    return redirect(url_for_launch("learner.badge"), code=303)
