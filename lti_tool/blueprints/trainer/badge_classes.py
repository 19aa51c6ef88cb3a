"""``/trainer/badges`` and ``/trainer/families``: the community's badge classes, made and
looked after by its trainers.

A trainer in a social centre has no graphics software and little time: the form asks
for the words (name, what it is, what it asks), a few recognised skills, the partners
who built it with the community, and a picture drawn by the designer (shape, colour,
icon, a few words) or uploaded. Everything works without JavaScript: "Preview" sends
the form and shows it again with the picture drawn; the picture itself is
``/trainer/badges/design.png``. Archiving asks first, on a page of its own.

The domain (:mod:`badges.recognition.badge_classes`) checks everything before writing;
:mod:`lti_tool.badge_form` reads the form and words the refusals (the member's proposal
form uses it too).
Every badge class is looked up within the launch's community: another's answers 404.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from flask import abort, current_app, redirect, render_template, request, send_file
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from badges.images import badge_designer
from badges.models import BadgeClass, Community, Family
from badges.models.badge_class import LEVEL_NAMES
from badges.publishing.public_urls import PublicUrls
from badges.recognition.badge_classes import (
    ARCHIVED,
    CHANGES_REQUESTED,
    LANGUAGES,
    PUBLIC,
    PUBLISHED,
    TRANSITIONS,
    BadgeClassRefused,
    FamilyFields,
    badge_classes_of,
    change_status,
    community_partners,
    create_family_from_fields,
    create_from_fields,
    edit_badge_class,
    families_of,
    partners_of,
)
from badges.recognition.proposals import proposals_waiting
from badges.roles import TRAINER
from badges.storage.database import transaction
from lti_tool.badge_form import (
    DESIGN,
    KEEP,
    FormProblem,
    badge_fields_from_form,
    design_from_form,
    design_values,
    designer_context,
    drawn,
    home_url,
    image_src,
    limits,
    refusal_message,
    skills_context,
    status_words,
)
from lti_tool.blueprints.trainer import bp
from lti_tool.launch_handle import current_launch, requires_launch, url_for_launch
from lti_tool.runtime_access import runtime_of


def _urls() -> PublicUrls:
    return PublicUrls(runtime_of(current_app).instance.origin)


def _community(session: Session) -> Community:
    community = session.get(Community, current_launch().community_id)
    if community is None:
        abort(404)
    return community


def own_badge(session: Session, badge_id: str) -> BadgeClass:
    """The launch community's badge class, or 404 (another's is not said to exist)."""
    badge = session.get(BadgeClass, badge_id)
    if badge is None or badge.community_id != current_launch().community_id:
        abort(404)
    return badge


# --- the list ----------------------------------------------------------------------------------


@bp.get("/trainer/badges")
@requires_launch(role=TRAINER)
def badges() -> str:
    """The community's badge classes: proposals waiting, families as paths, badges."""
    urls = _urls()
    with transaction(runtime_of(current_app).sessions) as session:
        community_id = current_launch().community_id
        every = badge_classes_of(session, community_id)
        # Waiting for a trainer first, then those waiting for their member's changes.
        waiting = proposals_waiting(session, community_id) + [
            b for b in every if b.status == CHANGES_REQUESTED
        ]
        families = [
            {"family": f, "levels": list(f.badge_classes)}
            for f in families_of(session, community_id)
        ]
        singles = [b for b in every if b.family_id is None and b.status in TRANSITIONS]
        return render_template(
            "trainer/badges.html",
            waiting=waiting,
            families=families,
            singles=singles,
            image_of=lambda b: image_src(b, urls),
            status_words=status_words(),
            moves=TRANSITIONS,
            saved=request.args.get("saved"),
            home_url=home_url("trainer.home", "trainer.badges"),
        )


# --- one badge ---------------------------------------------------------------------------------


def _form_page(
    session: Session,
    *,
    badge: BadgeClass | None,
    values: Mapping[str, Any],
    error: FormProblem | None = None,
    preview: bool = False,
    status: int = 200,
) -> tuple[str, int]:
    """The new/edit form, filled with ``values`` (the form sent, or the badge)."""
    community = _community(session)
    saved_design = badge.design if badge is not None else None
    design = design_values(values if values.get("shape") else {}, saved_design)
    level = badge.level if badge is not None else None
    source = values.get("image_source") or (KEEP if badge is not None else DESIGN)
    page = render_template(
        "trainer/badge_form.html",
        badge=badge,
        values=values,
        image_source=source,
        current_image=image_src(badge, _urls()) if badge is not None else None,
        partners=community_partners(session, community.id),
        chosen_partners=set(values.get("partners", [])),
        languages=LANGUAGES,
        error=error,
        preview=preview,
        published=badge is not None and badge.status in PUBLIC,
        level_name=LEVEL_NAMES.get(level) if level else None,
        **designer_context(design, level),
        **skills_context(list(values.get("skills", []))),
        **limits(),
    )
    return page, status


def _values_of(badge: BadgeClass) -> dict[str, Any]:
    return {
        "name": badge.name,
        "description": badge.description,
        "criteria": badge.criteria_narrative,
        "language": badge.language,
        "skills": [a.target_code for a in badge.alignments if a.target_code],
        "partners": [p.id for p in partners_of(badge)],
    }


def _values_of_form() -> dict[str, Any]:
    values: dict[str, Any] = {key: request.form.get(key, "") for key in (
        "name", "description", "criteria", "language", "image_source",
        "shape", "colour", "icon", "text",
    )}  # fmt: skip
    values["skills"] = request.form.getlist("skill")
    values["partners"] = request.form.getlist("partner")
    return values


@bp.route("/trainer/badges/new", methods=["GET", "POST"])
@requires_launch(role=TRAINER)
def new_badge() -> Response | tuple[str, int]:
    """A new badge class, saved as a draft."""
    with transaction(runtime_of(current_app).sessions) as session:
        community = _community(session)
        if request.method == "GET":
            return _form_page(session, badge=None, values={"language": community.language})
        values = _values_of_form()
        if request.form.get("action") == "preview":
            return _form_page(session, badge=None, values=values, preview=True)
        try:
            with session.begin_nested():
                badge = create_from_fields(
                    session, community, badge_fields_from_form(can_keep=False)
                )
        except FormProblem as problem:
            return _form_page(session, badge=None, values=values, error=problem, status=400)
        except BadgeClassRefused as refusal:
            problem = FormProblem(refusal_message(refusal), refusal.field)
            return _form_page(session, badge=None, values=values, error=problem, status=400)
        badge_id = badge.id
    return redirect(url_for_launch("trainer.badges", saved=badge_id), code=303)


@bp.route("/trainer/badges/<badge_id>/edit", methods=["GET", "POST"])
@requires_launch(role=TRAINER)
def edit_badge(badge_id: str) -> Response | tuple[str, int]:
    """Change a badge class's words, skills, partners or picture (published ones too)."""
    with transaction(runtime_of(current_app).sessions) as session:
        community = _community(session)
        badge = own_badge(session, badge_id)
        if badge.status not in TRANSITIONS:  # a member's proposal is answered, not edited
            return redirect(url_for_launch("trainer.proposal", badge_id=badge.id), code=303)
        if request.method == "GET":
            return _form_page(session, badge=badge, values=_values_of(badge))
        values = _values_of_form()
        if request.form.get("action") == "preview":
            return _form_page(session, badge=badge, values=values, preview=True)
        try:
            with session.begin_nested():
                edit_badge_class(
                    session,
                    community,
                    badge,
                    badge_fields_from_form(can_keep=True, level=badge.level),
                )
        except FormProblem as problem:
            session.expire(badge)
            return _form_page(session, badge=badge, values=values, error=problem, status=400)
        except BadgeClassRefused as refusal:
            session.expire(badge)
            problem = FormProblem(refusal_message(refusal), refusal.field)
            return _form_page(session, badge=badge, values=values, error=problem, status=400)
        family_id = badge.family_id
    if family_id:
        return redirect(url_for_launch("trainer.family", family_id=family_id, saved=badge_id), 303)
    return redirect(url_for_launch("trainer.badges", saved=badge_id), code=303)


@bp.post("/trainer/badges/<badge_id>/status")
@requires_launch(role=TRAINER)
def badge_status(badge_id: str) -> Response | tuple[str, int]:
    """Publish, archive (after a confirmation page) or publish again."""
    wanted = request.form.get("status", "")
    back = request.form.get("back", "")
    with transaction(runtime_of(current_app).sessions) as session:
        badge = own_badge(session, badge_id)
        if wanted == ARCHIVED and request.form.get("confirm") != "yes":
            if badge.status != PUBLISHED:
                abort(400)
            page = render_template(
                "editor/confirm_archive.html",
                badge=badge,
                image=image_src(badge, _urls()),
                back=back,
            )
            return page, 200
        try:
            change_status(badge, wanted)
        except BadgeClassRefused:
            abort(400)
        family_id = badge.family_id
    if back == "family" and family_id:
        return redirect(url_for_launch("trainer.family", family_id=family_id), code=303)
    return redirect(url_for_launch("trainer.badges", saved=badge_id), code=303)


@bp.get("/trainer/badges/design.png")
@requires_launch(role=TRAINER)
def design_preview() -> Response:
    """The designer's picture for the choices in the query (400 for a choice not offered)."""
    return design_png()


def design_png() -> Response:
    """The PNG for ``request.args``, shared with the member's proposal page."""
    try:
        design = badge_designer.design_from_form(request.args)
    except badge_designer.DesignRefused:
        abort(400)
    response = send_file(io.BytesIO(drawn(design)), mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


# --- families ----------------------------------------------------------------------------------


def _family_values() -> dict[str, Any]:
    values: dict[str, Any] = {key: request.form.get(key, "") for key in (
        "name", "language", "shape", "colour", "icon", "text",
    )}  # fmt: skip
    for number in LEVEL_NAMES:
        values[f"description-{number}"] = request.form.get(f"description-{number}", "")
        values[f"criteria-{number}"] = request.form.get(f"criteria-{number}", "")
    values["skills"] = request.form.getlist("skill")
    return values


def _family_form(
    values: Mapping[str, Any],
    error: FormProblem | None = None,
    preview: bool = False,
    status: int = 200,
) -> tuple[str, int]:
    design = design_values(values if values.get("shape") else {})
    page = render_template(
        "trainer/family_form.html",
        values=values,
        level_names=LEVEL_NAMES,
        languages=LANGUAGES,
        error=error,
        preview=preview,
        previews={
            n: url_for_launch("trainer.design_preview", **design, level=n) for n in LEVEL_NAMES
        },
        **designer_context(design),
        **skills_context(list(values.get("skills", []))),
        **limits(),
    )
    return page, status


@bp.route("/trainer/families/new", methods=["GET", "POST"])
@requires_launch(role=TRAINER)
def new_family() -> Response | tuple[str, int]:
    """A family of three levels, made as one thing from one form."""
    with transaction(runtime_of(current_app).sessions) as session:
        community = _community(session)
        if request.method == "GET":
            return _family_form({"language": community.language})
        values = _family_values()
        if request.form.get("action") == "preview":
            return _family_form(values, preview=True)
        try:
            fields = FamilyFields(
                name=values["name"],
                levels=[(values[f"description-{n}"], values[f"criteria-{n}"]) for n in LEVEL_NAMES],
                language=values["language"],
                skill_ids=values["skills"],
                design=design_from_form(request.form),
            )
            with session.begin_nested():
                family = create_family_from_fields(session, community, fields)
        except FormProblem as problem:
            return _family_form(values, error=problem, status=400)
        except BadgeClassRefused as refusal:
            return _family_form(
                values, error=FormProblem(refusal_message(refusal), refusal.field), status=400
            )
        family_id = family.id
    return redirect(url_for_launch("trainer.family", family_id=family_id), code=303)


@bp.get("/trainer/families/<family_id>")
@requires_launch(role=TRAINER)
def family(family_id: str) -> str:
    """A family as a path: its three levels in order, what each asks, their status."""
    urls = _urls()
    with transaction(runtime_of(current_app).sessions) as session:
        found = session.get(Family, family_id)
        if found is None or found.community_id != current_launch().community_id:
            abort(404)
        return render_template(
            "trainer/family.html",
            family=found,
            levels=list(found.badge_classes),
            level_names=LEVEL_NAMES,
            image_of=lambda b: image_src(b, urls),
            status_words=status_words(),
            moves=TRANSITIONS,
            saved=request.args.get("saved"),
        )
