"""``/trainer/accompany``: fill a request with and for a learner beside you.

Many learners struggle with the phone; a facilitator sits with them and fills the
request on their behalf. Here the trainer picks the learner (of this course) and the
badge (published by the community); the ask form itself is the learner's page, opened
"for" that learner (``learner.ask?for=<person>``), which records the request as
accompanied and lets the learner confirm it on their next visit.
"""

from __future__ import annotations

from flask import current_app, redirect, render_template, request
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from badges.courses import people
from badges.models import BadgeClass
from badges.recognition.badge_classes import PUBLISHED
from badges.roles import LEARNER, TRAINER
from badges.storage.database import transaction
from lti_tool.blueprints.trainer import bp
from lti_tool.blueprints.trainer.course_scope import launch_course
from lti_tool.launch_handle import current_launch, requires_launch, url_for_launch
from lti_tool.runtime_access import runtime_of


@bp.get("/trainer/accompany")
@requires_launch(role=TRAINER)
def accompany() -> Response | tuple[str, int]:
    """The choice of a learner and a badge (a GET form); a valid choice opens the ask form."""
    launch = current_launch()
    chosen_learner = request.args.get("learner", "")
    chosen_badge = request.args.get("badge", "")
    with transaction(runtime_of(current_app).sessions) as session:
        course = launch_course(session, launch)
        learners = [m.person for m in people.members(session, course, LEARNER)] if course else []
        badges = list(
            session.scalars(
                select(BadgeClass)
                .where(
                    BadgeClass.community_id == launch.community_id,
                    BadgeClass.status == PUBLISHED,
                )
                .order_by(func.lower(BadgeClass.name), BadgeClass.level)
            )
        )
        error = None
        status = 200
        if chosen_learner or chosen_badge:
            learner_ok = any(p.id == chosen_learner for p in learners)
            badge_ok = any(b.id == chosen_badge for b in badges)
            if learner_ok and badge_ok:
                target = url_for_launch(
                    "learner.ask", badge_id=chosen_badge, **{"for": chosen_learner}
                )
                return redirect(target, code=303)
            error = _("Choose a learner of this course and one of the badges listed.")
            status = 400
        page = render_template(
            "trainer/accompany.html",
            launch=launch,
            in_course=course is not None,
            learners=learners,
            badges=badges,
            chosen_learner=chosen_learner,
            chosen_badge=chosen_badge,
            error=error,
        )
    return page, status
