"""``/course/requests/<id>``: one of the person's requests, where it stands, what it holds.

The owner reads the state in plain words, the history (who did what, when, with the
trainer's comments), the evidence (each piece made public or private here), and acts:
adds what a trainer asked for (the same evidence form, multipart), confirms what a
facilitator filled with them, or withdraws it after a confirmation step (no JavaScript:
a second POST with ``confirm=yes``).

A trainer of the request's course is sent to the review page (``trainer.review``);
anyone else, and anyone of another deployment, finds nothing here (404, never 403, so a
request's existence does not leak).
"""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from badges.courses import people
from badges.models import BadgeRequest, Person
from badges.models.badge_request import CHANGES_REQUESTED
from badges.publishing.public_urls import PublicUrls
from badges.recognition.requests import (
    RequestRefused,
    confirm_request,
    update_request,
    withdraw_request,
)
from badges.roles import may_review
from badges.storage.database import transaction
from lti_tool.blueprints.learner import bp
from lti_tool.blueprints.learner.evidence_form import (
    EvidenceForm,
    read_evidence_form,
    refusal_message,
)
from lti_tool.blueprints.learner.request_words import last_comment
from lti_tool.launch_handle import LaunchContext, current_launch, requires_launch, url_for_launch
from lti_tool.runtime_access import runtime_of

#: What the page says after an action sent the person back to it (``?done=``).
DONE = ("updated", "visibility")


def reviews_in(session: Session, launch: LaunchContext, found: BadgeRequest) -> bool:
    """Whether the launched person reviews ``found``: a trainer (or admin) of its course,
    launched from the same deployment."""
    if found.context.deployment_id != launch.deployment_pk:
        return False
    member = people.membership(session, found.context, launch.person_id)
    return member is not None and may_review(member.role) and may_review(launch.role)


def own_request(session: Session, launch: LaunchContext, request_id: str) -> BadgeRequest:
    """The launched person's request in the launch's community, or 404."""
    found = session.get(BadgeRequest, request_id)
    if (
        found is None
        or found.person_id != launch.person_id
        or found.badge_class.community_id != launch.community_id
    ):
        abort(404)
    return found


def _page(found: BadgeRequest, form: EvidenceForm | None = None, error: str | None = None) -> str:
    urls = PublicUrls(runtime_of(current_app).instance.origin)
    done = request.args.get("done")
    assertion_url = (
        urls.path_of(urls.human_badge(found.assertion_id)) if found.assertion_id else None
    )
    return render_template(
        "learner/request.html",
        req=found,
        badge=found.badge_class,
        comment=last_comment(found),
        image_url=urls.path_of(urls.badge_image(found.badge_class_id)),
        assertion_url=assertion_url,
        form=form,
        error=error,
        sent=request.args.get("sent") == "1",
        done=done if done in DONE else None,
    )


@bp.route("/requests/<request_id>", methods=["GET", "POST"], endpoint="request")
@requires_launch()
def request_page(request_id: str) -> Response | str | tuple[str, int]:
    """The request (GET); adding to it when a trainer asked to improve it (POST)."""
    launch = current_launch()
    runtime = runtime_of(current_app)
    with transaction(runtime.sessions) as session:
        found = session.get(BadgeRequest, request_id)
        if found is not None and found.person_id != launch.person_id:
            if reviews_in(session, launch, found):
                return redirect(url_for_launch("trainer.review", request_id=found.id), code=303)
            abort(404)
        found = own_request(session, launch, request_id)
        if request.method == "GET":
            return _page(found)
        if found.state != CHANGES_REQUESTED:
            return _page(found, None, refusal_message("wrong_state")), 409
    form = read_evidence_form()
    if form.error:
        return _again(launch, request_id, form, form.error)
    try:
        with transaction(runtime.sessions) as session:
            found = own_request(session, launch, request_id)
            person = session.get(Person, launch.person_id)
            assert person is not None
            update_request(session, found, person, form.given())
    except RequestRefused as refused:
        return _again(launch, request_id, form, refusal_message(refused.code))
    return redirect(
        url_for_launch("learner.request", request_id=request_id, done="updated"), code=303
    )


def _again(
    launch: LaunchContext, request_id: str, form: EvidenceForm, error: str
) -> tuple[str, int]:
    with transaction(runtime_of(current_app).sessions) as session:
        return _page(own_request(session, launch, request_id), form, error), 400


@bp.post("/requests/<request_id>/confirm", endpoint="confirm_request")
@requires_launch()
def confirm_request_view(request_id: str) -> Response | tuple[str, int]:
    """The learner confirms what a facilitator filled with them: it goes to the trainers."""
    launch = current_launch()
    try:
        with transaction(runtime_of(current_app).sessions) as session:
            found = own_request(session, launch, request_id)
            person = session.get(Person, launch.person_id)
            assert person is not None
            confirm_request(session, found, person)
    except RequestRefused as refused:
        with transaction(runtime_of(current_app).sessions) as session:
            found = own_request(session, launch, request_id)
            return _page(found, None, refusal_message(refused.code)), 409
    return redirect(url_for_launch("learner.home", done="confirmed"), code=303)


@bp.post("/requests/<request_id>/withdraw", endpoint="withdraw_request")
@requires_launch()
def withdraw_request_view(request_id: str) -> Response | str | tuple[str, int]:
    """Withdraw, once the person said yes on the confirmation step (``confirm=yes``)."""
    launch = current_launch()
    if request.form.get("confirm") != "yes":
        with transaction(runtime_of(current_app).sessions) as session:
            found = own_request(session, launch, request_id)
            return render_template("learner/withdraw.html", req=found, badge=found.badge_class)
    try:
        with transaction(runtime_of(current_app).sessions) as session:
            found = own_request(session, launch, request_id)
            person = session.get(Person, launch.person_id)
            assert person is not None
            withdraw_request(session, found, person)
    except RequestRefused as refused:
        with transaction(runtime_of(current_app).sessions) as session:
            found = own_request(session, launch, request_id)
            return _page(found, None, refusal_message(refused.code)), 409
    return redirect(url_for_launch("learner.home", done="withdrawn"), code=303)
