"""``/trainer/award/…``: award a badge to people of the course, one or many, after a confirmation.

1. ``GET /trainer/award/<badge>`` lists the course's learners (those who launched, then
   those the platform's roster adds: :mod:`lti_tool.award_candidates`), nobody chosen
   in advance; holders are listed apart, each with a way to withdraw their badge.
   (``?everyone=1`` checks them all, for a whole group);
2. ``POST …/confirm`` says who and what ("you are about to award X to these N people",
   and whether a grade goes to the gradebook), before anything is signed.
3. ``POST /trainer/award/<badge>`` stores the selection as an award batch
   (:mod:`badges.recognition.award_batches`) and awards its first few, then sends the
   browser to the batch's page (303).
4. ``GET|POST /trainer/award/batches/<id>`` shows the progress (``<progress>``); while
   unfinished, its form continues with the next few (posted by ``autosubmit.js``, or by
   its visible button without JavaScript); once finished, each person's result, with
   their badge's public page and what became of the grade.

Each step is its own transaction, committed before its grades are tried
(:mod:`~lti_tool.blueprints.trainer.grading_now`): what is done stays done when a
connection drops, and a step that runs twice awards nobody twice.
"""

from __future__ import annotations

import logging

from flask import current_app, redirect, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from badges.models import AwardBatch, Person
from badges.publishing.public_urls import PublicUrls
from badges.recognition import award_batches
from badges.recognition.award_batches import REFUSED, BatchRefused
from badges.roles import TRAINER
from badges.storage.database import transaction
from lti_tool.award_candidates import Candidate, candidates, chosen_learners
from lti_tool.blueprints.trainer import bp
from lti_tool.blueprints.trainer.course_scope import (
    community_badge,
    course_batch,
    launch_course,
    launch_person,
)
from lti_tool.blueprints.trainer.grading_now import grade_states, graded_here, send_now
from lti_tool.launch_handle import current_launch, requires_launch, url_for_launch
from lti_tool.runtime_access import runtime_of

#: The trainer audience's logger (``lti_tool.blueprints.trainer``).
log = logging.getLogger(__package__)

NARRATIVE_LIMIT = award_batches.NARRATIVE_LIMIT


def _refusal(code: str) -> str:
    messages = {
        "empty": _("Choose at least one person."),
        "too_long": _("The text shown on the badge is too long: keep it under 2000 characters."),
        "too_many": _("That is a lot of people at once: award them in several groups."),
    }
    return messages.get(code, _("This badge cannot be awarded to these people here."))


def _choose_page(
    badge_id: str,
    *,
    checked: set[str] | None = None,
    everyone: bool = False,
    narrative: str = "",
    error: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    launch = current_launch()
    urls = PublicUrls(runtime_of(current_app).instance.origin)
    with transaction(runtime_of(current_app).sessions) as session:
        badge = community_badge(session, launch, badge_id)
        course = launch_course(session, launch)
        offered: list[Candidate] = []
        roster_read = False
        if course is not None:
            offered, roster_read = candidates(session, launch, badge, course)
        open_ = [c for c in offered if not c.holds]
        page = render_template(
            "trainer/award_choose.html",
            launch=launch,
            badge=badge,
            image_url=urls.path_of(urls.badge_image(badge.id)),
            in_course=course is not None,
            candidates=open_,
            holders=[c for c in offered if c.holds],
            checked={c.value for c in open_} if everyone else (checked or set()),
            roster_read=roster_read,
            narrative=narrative,
            public_page=lambda assertion_id: urls.path_of(urls.human_badge(assertion_id)),
            error=error,
        )
    return page, status


@bp.get("/trainer/award/<badge_id>")
@requires_launch(role=TRAINER)
def award_choose(badge_id: str) -> tuple[str, int]:
    """Whom to award: the course's learners, nobody chosen in advance (``?everyone=1``:
    all of them, the "select everyone" link)."""
    return _choose_page(badge_id, everyone=request.args.get("everyone") == "1")


def _narrative() -> str:
    return (request.form.get("narrative") or "").strip()


@bp.post("/trainer/award/<badge_id>/confirm")
@requires_launch(role=TRAINER)
def award_confirm(badge_id: str) -> tuple[str, int]:
    """Say who gets what before anything is signed."""
    launch = current_launch()
    chosen = [value for value in request.form.getlist("learner") if value]
    narrative = _narrative()
    if not chosen:
        return _choose_page(badge_id, narrative=narrative, error=_refusal("empty"), status=400)
    if len(narrative) > NARRATIVE_LIMIT:
        return _choose_page(
            badge_id,
            checked=set(chosen),
            narrative=narrative,
            error=_refusal("too_long"),
            status=400,
        )
    with transaction(runtime_of(current_app).sessions) as session:
        badge = community_badge(session, launch, badge_id)
        course = launch_course(session, launch)
        offered: dict[str, Candidate] = {}
        if course is not None:
            found, _read = candidates(session, launch, badge, course)
            offered = {c.value: c for c in found if not c.holds}
        unknown = [value for value in chosen if value not in offered]
        page = None
        if course is not None and not unknown:
            page = render_template(
                "trainer/award_confirm.html",
                launch=launch,
                badge=badge,
                chosen=[offered[value] for value in dict.fromkeys(chosen)],
                narrative=narrative,
                gradable=graded_here(session, course, badge.id),
            )
    if page is None:  # a forged or stale choice (someone left the course, holds it now)
        log.warning("award confirmation with %d unknown choice(s)", len(unknown))
        return _choose_page(
            badge_id,
            narrative=narrative,
            error=_("Someone you chose is not a learner of this course. Choose again."),
            status=400,
        )
    return page, 200


@bp.post("/trainer/award/<badge_id>")
@requires_launch(role=TRAINER)
def award(badge_id: str) -> Response | tuple[str, int]:
    """Store the confirmed selection, award the first few, and show the progress."""
    launch = current_launch()
    runtime = runtime_of(current_app)
    chosen = [value for value in request.form.getlist("learner") if value]
    narrative = _narrative()
    try:
        with transaction(runtime.sessions) as session:
            badge = community_badge(session, launch, badge_id)
            course = launch_course(session, launch)
            if course is None:
                raise BatchRefused("no_course")
            people = chosen_learners(session, launch, course, chosen)
            batch = award_batches.start(
                session,
                badge,
                course,
                launch_person(session, launch),
                [person.id for person in people],
                narrative,
            )
            batch_id = batch.id
    except BatchRefused as refusal:
        log.warning("award batch refused: %s", refusal.code)
        return _choose_page(
            badge_id,
            checked=set(chosen),
            narrative=narrative,
            error=_refusal(refusal.code),
            status=400,
        )
    _step(batch_id)
    return redirect(url_for_launch("trainer.award_batch", batch_id=batch_id), code=303)


def _step(batch_id: str) -> None:
    """One step of the batch in its own transaction, then its grades, tried at once."""
    runtime = runtime_of(current_app)
    with transaction(runtime.sessions) as session:
        batch = session.get(AwardBatch, batch_id)
        pending = award_batches.step(session, runtime, batch)
        badge_id, done, total = batch.badge_class_id, batch.position, len(batch.recipients)
    grade = send_now(pending)
    log.info(
        "badge %s awarded (batch %s, %d of %d), grade %s",
        badge_id,
        batch_id,
        done,
        total,
        grade or "none",
    )


@bp.route("/trainer/award/batches/<batch_id>", methods=["GET", "POST"])
@requires_launch(role=TRAINER)
def award_batch(batch_id: str) -> Response | str:
    """The batch's progress (GET); the next step (POST, then back here with 303)."""
    launch = current_launch()
    runtime = runtime_of(current_app)
    if request.method == "POST":
        with transaction(runtime.sessions) as session:
            course_batch(session, launch, batch_id)
        _step(batch_id)
        return redirect(url_for_launch("trainer.award_batch", batch_id=batch_id), code=303)
    urls = PublicUrls(runtime.instance.origin)
    with transaction(runtime.sessions) as session:
        batch = course_batch(session, launch, batch_id)
        results = dict(batch.results or {})
        awarded = [value for value in results.values() if value != REFUSED]
        states = grade_states(session, awarded)
        rows = []
        for person_id in batch.recipients:
            person = session.get(Person, person_id)
            result = results.get(person_id)
            rows.append(
                {
                    "name": (person.display_name if person else None)
                    or _("a learner (name not shared)"),
                    "done": result is not None,
                    "refused": result == REFUSED,
                    "url": (
                        urls.path_of(urls.human_badge(result))
                        if result and result != REFUSED
                        else None
                    ),
                    "grade": states.get(result or "", ""),
                }
            )
        return render_template(
            "trainer/award_batch.html",
            launch=launch,
            batch=batch,
            badge=batch.badge_class,
            rows=rows,
            done=batch.position,
            total=len(batch.recipients),
            refused=sum(1 for row in rows if row["refused"]),
        )
