"""``/course/propose`` and ``/course/proposals/<id>``: a member proposes a badge.

Sylvie knows how to pass on papier-mâché; she proposes a badge for it from her phone: a
name, what it is, what someone must do to get it, optionally skills and a picture (drawn
with the designer, or a photo), and whether her name may be shown as its author
(unticked by default: naming her is her choice). The proposal's page then says where it
stands in plain words, shows the trainer's comment, and, when the trainer asked for
changes, the same form again to revise it. Only its author sees it; anyone else gets
404, as for any object of another person.

The form helpers are the trainer's badge form's
(:mod:`lti_tool.blueprints.trainer.badge_classes`); the designer's preview is drawn into
the page, since ``trainer.design_preview`` is for trainers.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, redirect, render_template, request
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from badges.models import BadgeClass, Community, Context, Person
from badges.publishing.public_urls import PublicUrls
from badges.recognition import proposals as proposing
from badges.recognition.badge_classes import LANGUAGES, BadgeClassRefused, credited_author
from badges.recognition.proposals import ProposalFields
from badges.storage.database import transaction
from lti_tool.badge_form import (
    DESIGN,
    KEEP,
    FormProblem,
    design_values,
    designer_context,
    home_url,
    image_src,
    limits,
    picture_from_form,
    refusal_message,
    skills_context,
)
from lti_tool.blueprints.learner import bp
from lti_tool.launch_handle import current_launch, requires_launch, url_for_launch
from lti_tool.runtime_access import runtime_of

FIELDS = ("name", "description", "criteria", "language", "image_source",
          "shape", "colour", "icon", "text")  # fmt: skip


def _form_values() -> dict[str, Any]:
    values: dict[str, Any] = {key: request.form.get(key, "") for key in FIELDS}
    values["skills"] = request.form.getlist("skill")
    values["show_name"] = request.form.get("show_name") == "yes"
    return values


def _fields(*, can_keep: bool) -> ProposalFields:
    design, image_png = picture_from_form(can_keep=can_keep)
    return ProposalFields(
        name=request.form.get("name", ""),
        description=request.form.get("description", ""),
        criteria=request.form.get("criteria", ""),
        language=request.form.get("language", ""),
        skill_ids=request.form.getlist("skill"),
        design=design,
        image_png=image_png,
        show_name=request.form.get("show_name") == "yes",
    )


def _form_context(
    values: dict[str, Any], badge: BadgeClass | None, urls: PublicUrls
) -> dict[str, Any]:
    saved = badge.design if badge is not None else None
    design = design_values(values if values.get("shape") else {}, saved)
    return {
        "values": values,
        "languages": LANGUAGES,
        "image_source": values.get("image_source") or (KEEP if badge is not None else DESIGN),
        "current_image": image_src(badge, urls) if badge is not None else None,
        "level_name": None,
        "person_named": current_launch().person_name is not None,
        **designer_context(design, inline_preview=True),
        **skills_context(list(values.get("skills", []))),
        **limits(),
    }


def _urls() -> PublicUrls:
    return PublicUrls(runtime_of(current_app).instance.origin)


def _propose_page(
    values: dict[str, Any], error: FormProblem | None = None, preview: bool = False,
    status: int = 200,
) -> tuple[str, int]:  # fmt: skip
    page = render_template(
        "learner/propose.html",
        error=error,
        preview=preview,
        home_url=home_url("learner.home", "learner.wall"),
        **_form_context(values, None, _urls()),
    )
    return page, status


@bp.route("/propose", methods=["GET", "POST"])
@requires_launch()
def propose() -> Response | tuple[str, int]:
    """The proposal form; sent, the proposal is made and its page shown."""
    launch = current_launch()
    with transaction(runtime_of(current_app).sessions) as session:
        community = session.get(Community, launch.community_id)
        context = session.get(Context, launch.context_pk) if launch.context_pk else None
        person = session.get(Person, launch.person_id)
        if community is None or person is None:
            abort(404)
        if request.method == "GET":
            return _propose_page({"language": community.language})
        values = _form_values()
        if request.form.get("action") == "preview":
            return _propose_page(values, preview=True)
        if context is None:
            problem = FormProblem(refusal_message(BadgeClassRefused("not_a_member")))
            return _propose_page(values, error=problem, status=400)
        try:
            with session.begin_nested():
                badge = proposing.propose(
                    session, community, person, context, _fields(can_keep=False)
                )
        except FormProblem as problem:
            return _propose_page(values, error=problem, status=400)
        except BadgeClassRefused as refusal:
            problem = FormProblem(refusal_message(refusal), refusal.field)
            return _propose_page(values, error=problem, status=400)
        badge_id = badge.id
    return redirect(url_for_launch("learner.proposal", badge_id=badge_id, sent=1), code=303)


def _own_proposal(session: Session, badge_id: str) -> BadgeClass:
    """The launched person's own proposal in the launch's community, or 404."""
    launch = current_launch()
    badge = session.get(BadgeClass, badge_id)
    if (
        badge is None
        or badge.community_id != launch.community_id
        or badge.author_person_id != launch.person_id
    ):
        abort(404)
    return badge


def _values_of(badge: BadgeClass) -> dict[str, Any]:
    return {
        "name": badge.name,
        "description": badge.description,
        "criteria": badge.criteria_narrative,
        "language": badge.language,
        "skills": [a.target_code for a in badge.alignments if a.target_code],
        "show_name": credited_author(badge) is not None,
    }


def _proposal_page(
    badge: BadgeClass,
    values: dict[str, Any] | None = None,
    error: FormProblem | None = None,
    status: int = 200,
) -> tuple[str, int]:
    urls = _urls()
    page = render_template(
        "learner/proposal.html",
        badge=badge,
        image=image_src(badge, urls),
        credited=credited_author(badge) is not None,
        error=error,
        sent=request.args.get("sent") == "1",
        home_url=home_url("learner.home", "learner.wall"),
        **_form_context(values or _values_of(badge), badge, urls),
    )
    return page, status


@bp.route("/proposals/<badge_id>", methods=["GET", "POST"])
@requires_launch()
def proposal(badge_id: str) -> Response | tuple[str, int]:
    """Where the proposal stands; when changes were asked, the form to revise it."""
    with transaction(runtime_of(current_app).sessions) as session:
        badge = _own_proposal(session, badge_id)
        if request.method == "GET":
            return _proposal_page(badge)
        values = _form_values()
        if request.form.get("action") == "preview":
            return _proposal_page(badge, values)
        person = session.get(Person, current_launch().person_id)
        assert person is not None
        try:
            with session.begin_nested():
                proposing.revise(session, badge, person, _fields(can_keep=True))
        except FormProblem as problem:
            session.expire(badge)
            return _proposal_page(badge, values, problem, 400)
        except BadgeClassRefused as refusal:
            session.expire(badge)
            status = 409 if refusal.code == "wrong_state" else 400
            return _proposal_page(badge, values, FormProblem(refusal_message(refusal)), status)
    return redirect(url_for_launch("learner.proposal", badge_id=badge_id, sent=1), code=303)
