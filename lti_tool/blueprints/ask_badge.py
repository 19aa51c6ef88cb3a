"""``ask-badge``: the page a placed badge opens, and the trainer's "award this badge" form.

A trainer places a badge in the course by Deep Linking; its launches carry
``custom.target = "ask-badge"`` and ``custom.badge``. Everyone sees what the badge
stands for (image, criteria, level in its family, skills) and what they already hold
of it. A trainer also gets a form to award it to a learner of the course: the people who
launched in the course, and those the platform's roster adds.

The award runs :func:`badges.course_awards.award_in_course`, which owes the course's
gradebook a score in the award's own transaction. This view owns that transaction, so
it is where "after commit, try now" lives: once the award is committed it calls
:func:`lti_tool.score_sender.deliver_now`, and whatever does not go through stays in the
outbox for ``chemins worker``. The badge id comes only from the launch's signed claims,
and is looked up within the launch's community.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from badges import communities, course_awards, course_people, grade_passback
from badges.awarding import AwardRefused
from badges.badge_classes import PUBLISHED
from badges.models import Assertion, BadgeClass, Context, LaunchSession, Person, ResourceLink
from badges.models.badge_class import LEVEL_NAMES
from badges.models.score_delivery import FAILED, PENDING, SENT, SUPERSEDED
from badges.public_urls import PublicUrls
from badges.storage import transaction
from lti_tool import score_sender
from lti_tool.app import runtime_of
from lti_tool.blueprints.lti import register_destination
from lti_tool.course_roster import course_roster
from lti_tool.launch_handle import LaunchContext, current_launch, requires_launch, url_for_launch
from lti_tool.lti1p3.message_launch import CUSTOM
from lti_tool.lti1p3.names_roles import Member
from lti_tool.lti1p3.roles import TRAINER, at_least, chemins_role
from lti_tool.lti1p3.service_errors import PlatformServiceError
from lti_tool.tool_identity import service_tokens

log = logging.getLogger(__name__)

bp = Blueprint("ask_badge", __name__, url_prefix="/course/badge")
register_destination("ask-badge", "ask_badge.page")

LEARNER = course_people.LEARNER
PERSON = "person:"
ROSTER = "roster:"
NARRATIVE_LIMIT = 2000
#: The kind of launch-session notice an award leaves (see :func:`_remember_award`).
AWARDED = "awarded"


@dataclass(frozen=True)
class Candidate:
    """Someone the trainer may award: a member of the course, or of its roster."""

    value: str
    label: str
    holds: bool


def _badge(session: Session, launch: LaunchContext) -> BadgeClass:
    """The badge this launch was placed for, within the launch's community, or 404."""
    row = session.get(LaunchSession, launch.session_id)
    claims = row.claims if row is not None else {}
    custom = claims.get(CUSTOM) if isinstance(claims, Mapping) else None
    badge_id = custom.get("badge") if isinstance(custom, Mapping) else None
    badge = session.get(BadgeClass, badge_id) if isinstance(badge_id, str) else None
    if badge is None or badge.community_id != launch.community_id or badge.status != PUBLISHED:
        abort(404)
    return badge


def _context(session: Session, launch: LaunchContext) -> Context | None:
    return session.get(Context, launch.context_pk) if launch.context_pk else None


def _label(person_name: str | None, email: str | None, sub: str) -> str:
    if person_name:
        return person_name
    if email:
        return email
    return _("Participant %(id)s (name not shared)", id=sub[:8])


def _roster_learners(launch: LaunchContext, assistants_award: bool) -> tuple[list[Member], bool]:
    """Active learners of the platform's roster, and whether the roster could be read.

    Learners by the community's rule: a teaching assistant who also learns is one unless
    the community lets assistants award (then they award rather than receive here).
    """
    try:
        roster = course_roster(launch)
    except PlatformServiceError as error:
        log.info("no roster for the award form: %s (status %s)", error, error.status)
        return [], False
    learners = [
        m
        for m in roster.members
        if m.active and chemins_role(m.roles, assistants_award=assistants_award) == LEARNER
    ]
    return learners, True


def _candidates(
    session: Session, launch: LaunchContext, badge: BadgeClass, context: Context
) -> tuple[list[Candidate], bool]:
    """Learners of the course (launched, then roster-only), holders marked."""
    found: list[Candidate] = []
    known: set[str] = set()
    for membership in course_people.members(session, context, LEARNER):
        person = membership.person
        known.add(person.sub)
        found.append(
            Candidate(
                PERSON + person.id,
                _label(person.display_name, person.email, person.sub),
                course_awards.held_by(session, badge, person) is not None,
            )
        )
    roster, roster_read = _roster_learners(
        launch, communities.assistants_award(session, launch.community_id)
    )
    for member in roster:
        if member.user_id not in known:
            known.add(member.user_id)
            label = _label(member.display_name, member.email, member.user_id)
            found.append(Candidate(ROSTER + member.user_id, label, False))
    return found, roster_read


def _levels(badge: BadgeClass) -> list[dict[str, Any]]:
    """The badge's family, level by level (empty outside a family)."""
    if badge.family is None:
        return []
    return [
        {"id": member.id, "name": member.name, "level": member.level, "current": member is badge}
        for member in badge.family.badge_classes
        if member.status == PUBLISHED
    ]


def _remember_award(session: Session, launch: LaunchContext, assertion_id: str) -> None:
    """Leave the awarder's next page a one-time notice of the award.

    It lives on the awarder's own launch session, written in the award's transaction,
    never in the URL: a recipient who chose to stay hidden is named to the trainer who
    just awarded them, not to whoever opens ``?awarded=<id>``.
    """
    row = session.get(LaunchSession, launch.session_id)
    if row is not None:
        row.notice = {"kind": AWARDED, "assertion": assertion_id, "grade": ""}


def _note_grade(launch: LaunchContext, assertion_id: str, grade: str) -> None:
    """Add what became of the grade to the notice (known only after the award's commit)."""
    with transaction(runtime_of(current_app).sessions) as session:
        row = session.get(LaunchSession, launch.session_id)
        notice = row.notice if row is not None else None
        if (
            row is not None
            and isinstance(notice, Mapping)
            and notice.get("assertion") == assertion_id
        ):
            row.notice = {**notice, "grade": grade}


def _awarded_notice(
    session: Session, launch: LaunchContext, badge: BadgeClass, urls: PublicUrls
) -> dict[str, str | None] | None:
    """The confirmation of this launch session's last award, shown once then cleared."""
    row = session.get(LaunchSession, launch.session_id)
    notice = row.notice if row is not None else None
    if row is None or not isinstance(notice, Mapping) or notice.get("kind") != AWARDED:
        return None
    row.notice = None
    assertion_id = notice.get("assertion")
    assertion = session.get(Assertion, assertion_id) if isinstance(assertion_id, str) else None
    if assertion is None or assertion.badge_class_id != badge.id:
        return None
    grade = notice.get("grade")
    return {
        "id": assertion.id,
        "name": assertion.recipient_name or _("the learner"),
        "grade": grade if grade in (SENT, PENDING, FAILED) else "",
        "url": urls.path_of(urls.human_badge(assertion.id)),
    }


def _page(error: str | None = None, status: int = 200) -> tuple[str, int]:
    launch = current_launch()
    trainer = at_least(launch.role, TRAINER)
    urls = PublicUrls(runtime_of(current_app).instance.origin)
    with transaction(runtime_of(current_app).sessions) as session:
        badge = _badge(session, launch)
        person = session.get(Person, launch.person_id)
        assert person is not None
        held = course_awards.holdings(session, person, launch.community_id)
        context = _context(session, launch)
        candidates: list[Candidate] = []
        roster_read = False
        if trainer and context is not None:
            candidates, roster_read = _candidates(session, launch, badge, context)
        link = (
            session.get(ResourceLink, launch.resource_link_pk) if launch.resource_link_pk else None
        )
        # Said to the trainer rather than silently sending nothing (Moodle with the grade
        # service off, Open edX with grades "disabled").
        gradable = link is None or grade_passback.can_grade(link)
        page = render_template(
            "course/ask_badge.html",
            launch=launch,
            badge=badge,
            image_url=urls.path_of(urls.badge_image(badge.id)),
            badge_page=lambda assertion_id: urls.path_of(urls.human_badge(assertion_id)),
            level_names=LEVEL_NAMES,
            levels=_levels(badge),
            held=held,
            mine=held.get(badge.id),
            trainer=trainer,
            in_course=context is not None,
            candidates=candidates,
            roster_read=roster_read,
            gradable=gradable,
            notice=_awarded_notice(session, launch, badge, urls),
            error=error,
        )
    return page, status


@bp.get("/")
@requires_launch()
def page() -> tuple[str, int]:
    """The badge, what the person holds of it, and (for trainers) the award form."""
    return _page()


def _learner(session: Session, launch: LaunchContext, context: Context, choice: str) -> Person:
    """The chosen learner, proven to be in the course; 400 for anything else."""
    if choice.startswith(PERSON):
        found = course_people.membership(session, context, choice[len(PERSON) :])
        if found is None or found.role != LEARNER:
            abort(400)
        return found.person
    if choice.startswith(ROSTER):
        sub = choice[len(ROSTER) :]
        learners, _read = _roster_learners(
            launch, communities.assistants_award(session, launch.community_id)
        )
        member = next((m for m in learners if m.user_id == sub), None)
        if member is None:
            abort(400)
        entry = course_people.RosterEntry(
            sub=member.user_id,
            role=LEARNER,
            lti_roles=member.roles,
            name=member.name,
            given_name=member.given_name,
            family_name=member.family_name,
            email=member.email,
        )
        return course_people.enrol(session, context, launch.platform_id, entry).person
    abort(400)


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


@bp.post("/award")
@requires_launch(role=TRAINER)
def award() -> Response | tuple[str, int]:
    """Award the launch's badge to the chosen learner, then try the grade at once."""
    launch = current_launch()
    narrative = (request.form.get("narrative") or "").strip()[:NARRATIVE_LIMIT] or None
    runtime = runtime_of(current_app)
    try:
        with transaction(runtime.sessions) as session:
            badge = _badge(session, launch)
            context = _context(session, launch)
            awarder = session.get(Person, launch.person_id)
            if context is None or awarder is None:
                abort(400)
            learner = _learner(session, launch, context, request.form.get("learner", ""))
            done = course_awards.award_in_course(
                session,
                runtime,
                badge,
                context,
                awarder=awarder,
                learner=learner,
                narrative=narrative,
            )
            _remember_award(session, launch, done.assertion_id)
    except AwardRefused as refusal:
        log.warning("award refused: %s", refusal)
        return _page(_("This badge cannot be awarded to this person here."), 400)
    grade = _send_scores_now(done.pending_scores)
    if grade:
        _note_grade(launch, done.assertion_id, grade)
    log.info("badge %s awarded (%s), grade %s", badge.id, done.assertion_id, grade or "none")
    return redirect(url_for_launch("ask_badge.page"), code=303)
