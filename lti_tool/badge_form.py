"""A badge form as people fill it: the words, the skills, the picture, and what to fix.

Two audiences make badges with the same form: trainers
(:mod:`lti_tool.blueprints.trainer.badge_classes`) and members proposing one
(:mod:`lti_tool.blueprints.learner.proposals`). This module
reads that form (the designer's choices or an uploaded picture), gives the templates
what the designer and the skills list show, and turns the domain's refusals
(:class:`badges.recognition.badge_classes.BadgeClassRefused`, the image refusals) into
sentences that say what to change, in the page's language.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask import request
from flask_babel import get_locale
from flask_babel import gettext as _
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.routing import BuildError

from badges.images import badge_designer, icons
from badges.images.photos import MAX_UPLOAD_BYTES
from badges.images.uploaded_images import ImageRefused, badge_image_from_upload
from badges.models import BadgeClass
from badges.publishing.public_urls import PublicUrls
from badges.recognition import skills
from badges.recognition.badge_classes import (
    CRITERIA_LIMIT,
    DESCRIPTION_LIMIT,
    FAMILY_NAME_LIMIT,
    NAME_LIMIT,
    PUBLIC,
    BadgeClassRefused,
    BadgeFields,
)
from lti_tool.launch_handle import url_for_launch

#: The designer's first choices, so a new badge has a picture before anyone chooses.
DEFAULT_DESIGN = {"shape": "circle", "colour": "blue", "icon": icons.ICONS[0].key, "text": ""}
#: Where the picture comes from: drawn here, uploaded, or (editing) the one it has.
DESIGN, UPLOAD, KEEP = "design", "upload", "keep"


@lru_cache(maxsize=256)
def drawn(design: badge_designer.Design) -> bytes:
    """Pictures are the same for the same choices: the icon list draws each once."""
    return badge_designer.render(design)


class FormProblem(ValueError):
    """A form that cannot be taken as sent; ``message`` says what to do, ``field`` where."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --- words for the domain's refusals ----------------------------------------------------------


def _field_labels() -> dict[str, str]:
    return {
        "name": _("the name"),
        "description": _("what the badge is"),
        "criteria": _("what someone must do to get it"),
        "comment": _("the comment"),
        "levels": _("the three levels"),
    }


def refusal_message(refusal: BadgeClassRefused) -> str:
    """A sentence for a badge class refusal, saying what to change."""
    field = refusal.field or ""
    if field.startswith(("description-", "criteria-")):
        kind, number = field.split("-", 1)
        what = (
            _("what level %(level)s is", level=number)
            if kind == "description"
            else _("what level %(level)s asks", level=number)
        )
    else:
        what = _field_labels().get(field, field)
    messages = {
        "empty": _("Please fill in %(what)s.", what=what),
        "too_long": _("%(what)s is too long: please shorten it.", what=what.capitalize()),
        "bad_text": _(
            "%(what)s contains invisible control characters: please type it again.",
            what=what.capitalize(),
        ),
        "bad_language": _("Please choose French or English."),
        "unknown_skill": _("One of the chosen skills is not in the list: please choose again."),
        "too_many_skills": _("Please choose at most ten skills."),
        "not_a_partner": _("One of the chosen partners is not a partner of your community."),
        "too_many_partners": _("Please choose at most ten partners."),
        "bad_design": _("Please choose a shape, a colour and an icon from the lists."),
        "wrong_state": _("This badge cannot be moved to that status."),
        "not_editable": _("This badge is a member's proposal: answer it from its page."),
        "other_community": _("This badge belongs to another community."),
        "comment_needed": _("Please write a few words for the member: what to change, or why."),
        "unknown_decision": _("Please choose one of the three answers."),
        "not_a_reviewer": _("Only a trainer of your community can answer proposals."),
        "not_the_author": _("Only the member who proposed this badge can change it."),
        "not_a_member": _("Open Chemins from your course to propose a badge."),
    }
    return messages.get(refusal.code, _("This form could not be saved. Please check it."))


def image_refusal_message(code: str) -> str:
    """A sentence for an uploaded picture that was not taken, saying what to do instead."""
    messages = {
        "svg": _("SVG pictures are not accepted. Use the designer, or send a PNG or JPEG picture."),
        "too_large": _(
            "This picture is too large (at most %(size)s MB). Send a smaller one, or use the "
            "designer.",
            size=MAX_UPLOAD_BYTES // (1024 * 1024),
        ),
        "too_many_pixels": _(
            "This picture has too many pixels. Send a smaller one, or use the designer."
        ),
        "unsupported": _(
            "This kind of picture is not accepted. Send a PNG or JPEG picture, or use the designer."
        ),
    }
    return messages.get(
        code, _("This file is not a picture we can read. Send a PNG or JPEG picture.")
    )


# --- reading the form ---------------------------------------------------------------------


def page_language() -> str:
    locale = get_locale()
    return locale.language if locale else "fr"


def design_values(form: Mapping[str, str], saved: Mapping[str, str] | None = None) -> dict:
    """The designer's current choices: the form's, else the saved design's, else defaults."""
    base = {**DEFAULT_DESIGN, **(saved or {})}
    return {key: form.get(key, base.get(key, "")) for key in ("shape", "colour", "icon", "text")}


def design_from_form(form: Mapping[str, str], level: int | None = None) -> badge_designer.Design:
    values = {k: form.get(k, "") for k in ("shape", "colour", "icon", "text")}
    if level is not None:
        values["level"] = str(level)
    try:
        return badge_designer.design_from_form(values)
    except badge_designer.DesignRefused as refusal:
        if refusal.field == "text":
            raise FormProblem(
                _("The text on the badge must be at most %(count)s letters, without symbols "
                  "that cannot be drawn.", count=badge_designer.MAX_TEXT),
                "text",
            ) from None  # fmt: skip
        raise FormProblem(
            _("Please choose a shape, a colour and an icon from the lists."), refusal.field
        ) from None


def uploaded_image(upload: FileStorage | None) -> bytes:
    """The uploaded picture made safe (re-encoded PNG), or a :class:`FormProblem`."""
    if upload is None or not upload.filename:
        raise FormProblem(_("Please choose a picture to send, or use the designer."), "image")
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    try:
        return badge_image_from_upload(data)
    except ImageRefused as refusal:
        raise FormProblem(image_refusal_message(refusal.code), "image") from None


def picture_from_form(
    level: int | None = None, *, can_keep: bool
) -> tuple[badge_designer.Design | None, bytes | None]:
    """(design, uploaded PNG) as the form chose; both None: keep the current picture."""
    source = request.form.get("image_source", DESIGN)
    if source == UPLOAD:
        return None, uploaded_image(request.files.get("image"))
    if source == KEEP and can_keep:
        return None, None
    return design_from_form(request.form, level), None


def badge_fields_from_form(*, can_keep: bool, level: int | None = None) -> BadgeFields:
    design, image_png = picture_from_form(level, can_keep=can_keep)
    return BadgeFields(
        name=request.form.get("name", ""),
        description=request.form.get("description", ""),
        criteria=request.form.get("criteria", ""),
        language=request.form.get("language", ""),
        skill_ids=request.form.getlist("skill"),
        partner_ids=request.form.getlist("partner"),
        design=design,
        image_png=image_png,
    )


# --- what the form shows ----------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@lru_cache(maxsize=64)
def icon_thumbnail(key: str) -> str:
    """A small picture of one icon, as a data URI: the icon list shows every icon without
    one request (and one drawing) per icon on a phone's connection."""
    png = drawn(badge_designer.Design(shape="circle", colour="grey", icon=key, text=""))
    with Image.open(io.BytesIO(png)) as picture:
        small = picture.resize((64, 64), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    return data_uri(out.getvalue())


def designer_context(
    values: Mapping[str, str], level: int | None = None, *, inline_preview: bool = False
) -> dict[str, Any]:
    """What the designer partial needs: the choices in the page's language, the preview
    (drawn by ``trainer.design_preview``, or inline for pages without that route)."""
    language = page_language()
    french = language == "fr"
    preview = {**values}
    if level is not None:
        preview["level"] = str(level)
    if inline_preview:
        try:
            preview_url = data_uri(drawn(badge_designer.design_from_form(preview)))
        except badge_designer.DesignRefused:
            preview_url = data_uri(drawn(badge_designer.design_from_form(DEFAULT_DESIGN)))
    else:
        preview_url = url_for_launch("trainer.design_preview", **preview)
    return {
        "design": values,
        "shapes": [
            Choice(key, badge_designer.SHAPE_LABELS[key][1 if french else 0])
            for key in badge_designer.SHAPES
        ],
        "colours": [
            Choice(key, badge_designer.COLOUR_LABELS[key][1 if french else 0])
            for key in badge_designer.COLOURS
        ],
        "icon_choices": [Choice(icon.key, icon.label(language)) for icon in icons.ICONS],
        "icon_attribution": icons.ATTRIBUTION,
        "text_limit": badge_designer.MAX_TEXT,
        "preview_url": preview_url,
        "icon_url": icon_thumbnail,
    }


def skills_context(chosen: list[str]) -> dict[str, Any]:
    """Skill checkboxes grouped by category, labelled in the page's language."""
    language = page_language()
    groups = []
    for category in skills.categories():
        members = [
            Choice(s.id, skills.label(s, language))
            for s in skills.all_skills()
            if s.category.key == category.key
        ]
        if members:
            groups.append(
                {
                    "key": category.key,
                    "label": skills.label(category, language),
                    "skills": sorted(members, key=lambda c: c.label.lower()),
                }
            )
    return {"skill_groups": groups, "chosen_skills": set(chosen)}


def limits() -> dict[str, int]:
    return {
        "name_limit": NAME_LIMIT,
        "description_limit": DESCRIPTION_LIMIT,
        "criteria_limit": CRITERIA_LIMIT,
        "family_name_limit": FAMILY_NAME_LIMIT,
    }


def image_src(badge: BadgeClass, urls: PublicUrls) -> str:
    """A published (or archived) badge's public image; a draft's as a data URI, since
    its image is not public yet."""
    if badge.status in PUBLIC:
        return urls.path_of(urls.badge_image(badge.id))
    return data_uri(badge.image_png)


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def home_url(endpoint: str, fallback: str) -> str:
    """The audience's home, or ``fallback`` on an instance whose home is not there."""
    try:
        return url_for_launch(endpoint)
    except BuildError:
        return url_for_launch(fallback)


def status_words() -> dict[str, str]:
    return {
        "draft": _("Draft: only trainers see it"),
        "published": _("Published: people can ask for it"),
        "archived": _("Archived: no new requests; badges awarded stay valid"),
        "proposed": _("Proposed by a member: waiting for a trainer"),
        "changes_requested": _("Changes asked to the member"),
        "declined": _("Declined"),
    }
