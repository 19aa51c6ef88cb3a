"""``/course/badge/``: the page a placed badge opens, for everyone in the course.

A trainer places a badge in the course by Deep Linking; its launches carry
``custom.target = "ask-badge"`` and ``custom.badge``. Everyone sees what the badge
stands for (image, criteria, level in its family, skills). A learner then finds the
next step right there: "Ask for this badge" (:mod:`~lti_tool.blueprints.learner.asking`),
or where their request stands, or that they hold it. A trainer finds the way to award
it (the ``trainer`` audience's award flow, with its confirmation step) and to the
requests waiting for review. The badge id comes only from the launch's signed claims,
and is looked up within the launch's community.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort, current_app, render_template
from sqlalchemy.orm import Session

from badges.courses import awards, grades
from badges.models import BadgeClass, Context, LaunchSession, Person, ResourceLink
from badges.models.badge_class import LEVEL_NAMES
from badges.publishing.public_urls import PublicUrls
from badges.recognition.badge_classes import PUBLISHED
from badges.recognition.requests import active_request
from badges.roles import may_award
from badges.storage.database import transaction
from lti_tool.blueprints.learner import bp
from lti_tool.blueprints.learner.request_words import last_comment
from lti_tool.launch_handle import LaunchContext, current_launch, requires_launch
from lti_tool.lti1p3.claims import CUSTOM
from lti_tool.runtime_access import runtime_of


def placed_badge(session: Session, launch: LaunchContext) -> BadgeClass:
    """The badge this launch was placed for, within the launch's community, or 404."""
    row = session.get(LaunchSession, launch.session_id)
    claims = row.claims if row is not None else {}
    custom = claims.get(CUSTOM) if isinstance(claims, Mapping) else None
    badge_id = custom.get("badge") if isinstance(custom, Mapping) else None
    badge = session.get(BadgeClass, badge_id) if isinstance(badge_id, str) else None
    if badge is None or badge.community_id != launch.community_id or badge.status != PUBLISHED:
        abort(404)
    return badge


def launch_course(session: Session, launch: LaunchContext) -> Context | None:
    """The course the launch came from, if any."""
    return session.get(Context, launch.context_pk) if launch.context_pk else None


def _levels(badge: BadgeClass) -> list[dict[str, Any]]:
    """The badge's family, level by level (empty outside a family)."""
    if badge.family is None:
        return []
    return [
        {"id": member.id, "name": member.name, "level": member.level, "current": member is badge}
        for member in badge.family.badge_classes
        if member.status == PUBLISHED
    ]


def badge_page(error: str | None = None, status: int = 200) -> tuple[str, int]:
    """The page of the launch's badge; ``error`` says what went wrong, if anything."""
    launch = current_launch()
    trainer = may_award(launch.role)
    urls = PublicUrls(runtime_of(current_app).instance.origin)
    with transaction(runtime_of(current_app).sessions) as session:
        badge = placed_badge(session, launch)
        person = session.get(Person, launch.person_id)
        assert person is not None
        held = awards.holdings(session, person, launch.community_id)
        mine = held.get(badge.id)
        asked = None if mine is not None or trainer else active_request(session, badge, person)
        context = launch_course(session, launch)
        link = (
            session.get(ResourceLink, launch.resource_link_pk) if launch.resource_link_pk else None
        )
        # Said to the trainer rather than silently sending nothing (Moodle with the grade
        # service off, Open edX with grades "disabled").
        gradable = link is None or grades.can_grade(link)
        page = render_template(
            "learner/badge.html",
            launch=launch,
            badge=badge,
            image_url=urls.path_of(urls.badge_image(badge.id)),
            badge_page=lambda assertion_id: urls.path_of(urls.human_badge(assertion_id)),
            level_names=LEVEL_NAMES,
            levels=_levels(badge),
            held=held,
            mine=mine,
            asked=asked,
            asked_comment=last_comment(asked) if asked is not None else None,
            trainer=trainer,
            in_course=context is not None,
            gradable=gradable,
            error=error,
        )
    return page, status


@bp.get("/badge/")
@requires_launch()
def badge() -> tuple[str, int]:
    """The badge, and the person's next step with it (ask, follow, award)."""
    return badge_page()
