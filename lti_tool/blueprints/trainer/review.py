"""``/trainer/requests``: the course's requests, and a trainer's answer to each.

The queue lists what waits for a trainer first (oldest first: who waited longest),
then what waits for the learner, then the recent decisions. A request's page shows
what the learner gave (sentences, links, photos through the course's evidence route)
and its history, with three answers (:mod:`badges.recognition.reviewing`): accept
(after a confirmation that says the badge will be signed and the grade sent), ask to
improve (a comment is required), decline (a reason is required).

Accepting is an award in the course: once committed, the grade it owes is tried at
once (:mod:`~lti_tool.blueprints.trainer.grading_now`) and the request's page says
what became of it, read from the outbox. A request of another course is a 404.
"""

from __future__ import annotations

import logging

from flask import current_app, redirect, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from badges.models import BadgeRequest
from badges.models.badge_request import (
    ACCEPTED,
    CHANGES_REQUESTED,
    DECLINED,
    OPEN,
    TO_CONFIRM,
    WITHDRAWN,
)
from badges.publishing.public_urls import PublicUrls
from badges.recognition import reviewing
from badges.recognition.reviewing import ReviewRefused
from badges.roles import TRAINER
from badges.storage.database import transaction
from lti_tool.blueprints.trainer import bp
from lti_tool.blueprints.trainer.course_scope import course_request, launch_course, launch_person
from lti_tool.blueprints.trainer.grading_now import grade_states, graded_here, send_now
from lti_tool.launch_handle import current_launch, requires_launch, url_for_launch
from lti_tool.runtime_access import runtime_of

log = logging.getLogger(__package__)

#: How many finished requests the queue still shows (the most recent ones).
RECENT_DECISIONS = 20


def _refusal(code: str) -> str:
    """A review refusal in the trainer's words."""
    messages = {
        "comment_required": _("Write a few words for the learner: they need to know why."),
        "too_long": _("Your text is too long: keep it under 2000 characters."),
        "wrong_state": _(
            "This request is no longer waiting for your answer: someone answered it already, "
            "or the learner changed it. Here is where it stands now."
        ),
        "not_a_reviewer": _("Only a trainer of this course can answer this request."),
        "other_course": _("This request belongs to another course."),
        "not_awardable": _(
            "This badge cannot be awarded any more: it was archived, or the learner left "
            "the course. You can decline the request with a word of explanation."
        ),
    }
    return messages.get(code, _("This cannot be done."))


@bp.get("/trainer/requests")
@requires_launch(role=TRAINER)
def requests() -> str:
    """The course's requests: waiting for a trainer first, then the others."""
    launch = current_launch()
    with transaction(runtime_of(current_app).sessions) as session:
        course = launch_course(session, launch)
        groups: dict[str, list[BadgeRequest]] = {}
        if course is not None:
            groups[OPEN] = reviewing.waiting(session, course)
            for state in (CHANGES_REQUESTED, TO_CONFIRM):
                groups[state] = list(
                    session.scalars(
                        select(BadgeRequest)
                        .where(BadgeRequest.context_id == course.id, BadgeRequest.state == state)
                        .order_by(BadgeRequest.updated_at.desc())
                    )
                )
            groups["decided"] = list(
                session.scalars(
                    select(BadgeRequest)
                    .where(
                        BadgeRequest.context_id == course.id,
                        BadgeRequest.state.in_((ACCEPTED, DECLINED, WITHDRAWN)),
                    )
                    .order_by(BadgeRequest.updated_at.desc())
                    .limit(RECENT_DECISIONS)
                )
            )
        return render_template(
            "trainer/requests.html", launch=launch, in_course=course is not None, groups=groups
        )


def _review_page(
    request_id: str,
    *,
    error: str | None = None,
    confirming: str | None = None,
    declining: str | None = None,
) -> str:
    """The request's page; ``confirming`` holds the narrative of an accept to confirm,
    ``declining`` the reason of a decline to confirm."""
    launch = current_launch()
    urls = PublicUrls(runtime_of(current_app).instance.origin)
    with transaction(runtime_of(current_app).sessions) as session:
        found = course_request(session, launch, request_id)
        grade = ""
        if found.assertion_id:
            grade = grade_states(session, [found.assertion_id]).get(found.assertion_id, "")
        return render_template(
            "trainer/review.html",
            launch=launch,
            req=found,
            badge=found.badge_class,
            learner=found.person,
            image_url=urls.path_of(urls.badge_image(found.badge_class_id)),
            assertion_url=(
                urls.path_of(urls.human_badge(found.assertion_id)) if found.assertion_id else None
            ),
            gradable=graded_here(session, found.context, found.badge_class_id),
            grade=grade,
            error=error,
            confirming=confirming,
            declining=declining,
            form=request.form if request.method == "POST" else {},
        )


@bp.get("/trainer/requests/<request_id>")
@requires_launch(role=TRAINER)
def review(request_id: str) -> str:
    """One request: what the learner gave, its history, and the three answers."""
    return _review_page(request_id)


def _back_to(request_id: str) -> Response:
    return redirect(url_for_launch("trainer.review", request_id=request_id), code=303)


@bp.post("/trainer/requests/<request_id>/accept")
@requires_launch(role=TRAINER)
def accept(request_id: str) -> Response | tuple[str, int] | str:
    """Accept: first the confirmation page, then (``confirmed``) the award and its grade."""
    launch = current_launch()
    narrative = request.form.get("narrative", "")
    if request.form.get("confirmed") != "yes":
        return _review_page(request_id, confirming=narrative)
    runtime = runtime_of(current_app)
    try:
        with transaction(runtime.sessions) as session:
            found = course_request(session, launch, request_id)
            done = reviewing.accept(
                session,
                runtime,
                found,
                launch_person(session, launch),
                narrative,
                context=launch_course(session, launch),
            )
    except ReviewRefused as refusal:
        log.info("accept of %s refused: %s", request_id, refusal.code)
        return _review_page(request_id, error=_refusal(refusal.code)), _status(refusal.code)
    grade = send_now(done.pending_scores)
    log.info("request %s accepted (%s), grade %s", request_id, done.assertion_id, grade or "none")
    return _back_to(request_id)


def _status(code: str) -> int:
    return 409 if code == "wrong_state" else 400


@bp.post("/trainer/requests/<request_id>/improve")
@requires_launch(role=TRAINER)
def improve(request_id: str) -> Response | tuple[str, int]:
    """Ask to improve: the comment goes back to the learner, who updates the request."""
    launch = current_launch()
    try:
        with transaction(runtime_of(current_app).sessions) as session:
            reviewing.ask_to_improve(
                session,
                course_request(session, launch, request_id),
                launch_person(session, launch),
                request.form.get("comment", ""),
                context=launch_course(session, launch),
            )
    except ReviewRefused as refusal:
        return _review_page(request_id, error=_refusal(refusal.code)), _status(refusal.code)
    return _back_to(request_id)


@bp.post("/trainer/requests/<request_id>/decline")
@requires_launch(role=TRAINER)
def decline(request_id: str) -> Response | tuple[str, int]:
    """Decline, with the reason the learner will read: first the confirmation page, then
    (``confirmed``) the decision."""
    launch = current_launch()
    reason = request.form.get("reason", "")
    if request.form.get("confirmed") != "yes":
        try:
            reviewing.checked_comment(reason)
        except ReviewRefused as refusal:
            return _review_page(request_id, error=_refusal(refusal.code)), _status(refusal.code)
        return _review_page(request_id, declining=reason), 200
    try:
        with transaction(runtime_of(current_app).sessions) as session:
            reviewing.decline(
                session,
                course_request(session, launch, request_id),
                launch_person(session, launch),
                reason,
                context=launch_course(session, launch),
            )
    except ReviewRefused as refusal:
        return _review_page(request_id, error=_refusal(refusal.code)), _status(refusal.code)
    return _back_to(request_id)
