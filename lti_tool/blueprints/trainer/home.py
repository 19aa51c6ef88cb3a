"""``/trainer/``: the trainer's home, what a trainer's launch opens.

What waits for them first (requests to review in this course, badges members proposed),
then what they do here: badges and families, award a badge, fill a request with a
learner beside them, the course's participants. The language choice of the launch is
here too, as on every landing page (``lti/_language_form.html``).
"""

from __future__ import annotations

from flask import current_app, render_template
from sqlalchemy import func, select

from badges.models import BadgeClass
from badges.recognition.badge_classes import PUBLISHED
from badges.recognition.reviewing import waiting_count
from badges.roles import TRAINER
from badges.storage.database import transaction
from lti_tool.blueprints.trainer import bp
from lti_tool.blueprints.trainer.course_scope import launch_course
from lti_tool.launch_handle import current_launch, requires_launch
from lti_tool.runtime_access import runtime_of

#: A member's badge waiting for a trainer's decision (the editor's proposals).
PROPOSED = "proposed"


def _published_badges(session, community_id: str) -> list[BadgeClass]:  # type: ignore[no-untyped-def]
    return list(
        session.scalars(
            select(BadgeClass)
            .where(BadgeClass.community_id == community_id, BadgeClass.status == PUBLISHED)
            .order_by(func.lower(BadgeClass.name), BadgeClass.level)
        )
    )


def trainer_home_page(saved: bool = False) -> str:
    """The whole trainer home; ``saved`` when the language form was just saved."""
    launch = current_launch()
    with transaction(runtime_of(current_app).sessions) as session:
        course = launch_course(session, launch)
        proposals = (
            session.scalar(
                select(func.count())
                .select_from(BadgeClass)
                .where(
                    BadgeClass.community_id == launch.community_id, BadgeClass.status == PROPOSED
                )
            )
            or 0
        )
        return render_template(
            "trainer/home.html",
            launch=launch,
            in_course=course is not None,
            waiting=waiting_count(session, course.id) if course is not None else 0,
            proposals=proposals,
            badges=_published_badges(session, launch.community_id),
            saved=saved,
        )


@bp.get("/trainer/")
@requires_launch(role=TRAINER)
def home() -> str:
    """The trainer's home."""
    return trainer_home_page()
