"""``/trainer/proposals/<id>``: a badge a member proposed, and the trainer's answer.

The trainer reads what the member proposes (their name, the words, the picture, the
skills) and answers with one of three choices: publish it (after a confirmation page,
since the badge then becomes public and can be asked for), ask for changes, or decline
it; the last two need a few words for the member, who reads them on their proposal's
page (:mod:`lti_tool.blueprints.learner.proposals`). The decision is the domain's
(:func:`badges.recognition.proposals.decide`), which also tells the member.
"""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from badges.models import BadgeClass, Person
from badges.publishing.public_urls import PublicUrls
from badges.recognition.badge_classes import BadgeClassRefused, credited_author
from badges.recognition.proposals import COMMENT_LIMIT, DECISIONS, PUBLISH, decide
from badges.roles import TRAINER
from badges.storage.database import transaction
from lti_tool.badge_form import (
    FormProblem,
    image_src,
    refusal_message,
    status_words,
)
from lti_tool.blueprints.trainer import bp
from lti_tool.blueprints.trainer.badge_classes import own_badge
from lti_tool.launch_handle import current_launch, requires_launch, url_for_launch
from lti_tool.runtime_access import runtime_of


def _proposal(session: Session, badge_id: str) -> BadgeClass:
    """A member's proposal of the launch's community, or 404."""
    badge = own_badge(session, badge_id)
    if badge.author_person_id is None:
        abort(404)
    return badge


def _page(
    session: Session,
    badge: BadgeClass,
    *,
    error: FormProblem | None = None,
    decision: str = "",
    comment: str = "",
    status: int = 200,
) -> tuple[str, int]:
    urls = PublicUrls(runtime_of(current_app).instance.origin)
    author = session.get(Person, badge.author_person_id)
    page = render_template(
        "trainer/proposal.html",
        badge=badge,
        image=image_src(badge, urls),
        author_name=author.display_name if author else None,
        credited=credited_author(badge) is not None,
        status_words=status_words(),
        error=error,
        decision=decision,
        comment=comment,
        comment_limit=COMMENT_LIMIT,
    )
    return page, status


@bp.get("/trainer/proposals/<badge_id>")
@requires_launch(role=TRAINER)
def proposal(badge_id: str) -> tuple[str, int]:
    """What the member proposes and, while it waits, the three answers."""
    with transaction(runtime_of(current_app).sessions) as session:
        return _page(session, _proposal(session, badge_id))


@bp.post("/trainer/proposals/<badge_id>/decide")
@requires_launch(role=TRAINER)
def decide_proposal(badge_id: str) -> Response | tuple[str, int]:
    """Publish (once confirmed), ask for changes or decline, with a word for the member."""
    decision = request.form.get("decision", "")
    comment = request.form.get("comment", "")
    with transaction(runtime_of(current_app).sessions) as session:
        badge = _proposal(session, badge_id)
        reviewer = session.get(Person, current_launch().person_id)
        if reviewer is None:
            abort(401)
        if decision not in DECISIONS:
            refusal = BadgeClassRefused("unknown_decision")
            problem = FormProblem(refusal_message(refusal), "decision")
            return _page(session, badge, error=problem, comment=comment, status=400)
        if (
            decision == PUBLISH
            and request.form.get("confirm") != "yes"
            and badge.status == "proposed"
        ):
            page = render_template(
                "editor/confirm_publish.html",
                badge=badge,
                image=image_src(badge, PublicUrls(runtime_of(current_app).instance.origin)),
                comment=comment,
            )
            return page, 200
        try:
            with session.begin_nested():
                decide(session, badge, reviewer, decision, comment)
        except BadgeClassRefused as refusal:
            session.expire(badge)
            problem = FormProblem(refusal_message(refusal), refusal.field)
            status = 409 if refusal.code == "wrong_state" else 400
            if refusal.code == "not_a_reviewer":
                status = 403
            return _page(
                session, badge, error=problem, decision=decision, comment=comment, status=status
            )
    return redirect(url_for_launch("trainer.proposal", badge_id=badge_id), code=303)
