"""``recognition-wall`` and ``endorsement-board``: what a course has recognised, shown to it.

Both destinations list the current badges held by the people of the launched course
(:func:`badges.courses.held_badges.course_badges`), newest first, each linking to its
public page. The wall celebrates; the board lists the badges a peer could vouch for, so
it leaves out the viewer's own and shows how many endorsements each already has. Both
are scoped by the launch: its course, and its deployment's community, so another
course's or another deployment's badges never appear.
"""

from __future__ import annotations

from flask import current_app, render_template

from badges.courses.held_badges import CourseBadge, course_badges
from badges.models import Context, Person
from badges.publishing.public_urls import PublicUrls
from badges.storage.database import transaction
from lti_tool.blueprints.learner import bp
from lti_tool.launch_handle import current_launch, requires_launch
from lti_tool.runtime_access import runtime_of


def _badges() -> tuple[list[CourseBadge], bool]:
    """The course's current badges for the launched person, and whether there is a course."""
    launch = current_launch()
    with transaction(runtime_of(current_app).sessions) as session:
        context = session.get(Context, launch.context_pk) if launch.context_pk else None
        if context is None or context.deployment_id != launch.deployment_pk:
            return [], False
        viewer = session.get(Person, launch.person_id)
        return course_badges(session, context, viewer=viewer), True


def _render(template: str, badges: list[CourseBadge], in_course: bool) -> str:
    urls = PublicUrls(runtime_of(current_app).instance.origin)
    return render_template(
        template,
        launch=current_launch(),
        badges=badges,
        in_course=in_course,
        page_of=lambda b: urls.path_of(urls.human_badge(b.assertion_id)),
        image_of=lambda b: urls.path_of(urls.badge_image(b.badge_class_id)),
    )


@bp.get("/wall")
@requires_launch()
def wall() -> str:
    """The recognition wall: every current badge of the course's people."""
    badges, in_course = _badges()
    return _render("learner/wall.html", badges, in_course)


@bp.get("/board")
@requires_launch()
def board() -> str:
    """The endorsement board: the course's badges the viewer could vouch for."""
    badges, in_course = _badges()
    return _render("learner/board.html", [b for b in badges if not b.mine], in_course)
