"""The evidence form (a few sentences, photos, a link), read from a multipart request.

The same form asks for a badge (:mod:`~lti_tool.blueprints.learner.asking`) and adds to
a request a trainer asked to improve (:mod:`~lti_tool.blueprints.learner.my_requests`).
Photos are hostile until :func:`badges.images.photos.process_photo` has made them
safe: their file name and declared type are never read, each file is read with a size
cap, and a refused photo is answered with a sentence saying what to do, the rest of the
form kept as typed. Nothing is written here: the caller runs the workflow in one
transaction once the form reads well.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import request
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from badges.images.photos import MAX_UPLOAD_BYTES, Photo, PhotoRefused, process_photo
from badges.recognition.requests import (
    CAPTION_LIMIT,
    NARRATIVE_LIMIT,
    PHOTO_LIMIT,
    EvidenceGiven,
)

#: The two file inputs: the camera (one photo) and the gallery (several).
PHOTO_FIELDS = ("camera", "photos")


@dataclass
class EvidenceForm:
    """What was typed (shown again on a refusal) and, when it reads well, what to give."""

    narrative: str = ""
    link: str = ""
    caption: str = ""
    error: str | None = None
    photos: list[Photo] = field(default_factory=list)

    def given(self) -> EvidenceGiven:
        links = [self.link] if self.link.strip() else []
        captions = [self.caption.strip()] * len(self.photos)
        return EvidenceGiven(self.narrative, links, self.photos, captions)


def photo_message(code: str) -> str:
    """What to do about a photo that was refused (``PhotoRefused.code``)."""
    messages = {
        "too_large": _(
            "This photo is too big. Send a smaller photo, or take it again with your phone."
        ),
        "too_many_pixels": _(
            "This picture is too big to open. "
            "Send a photo taken with a phone, or a smaller picture."
        ),
        "unsupported": _(
            "This photo format is not accepted. Send a JPEG photo: on an iPhone, go to "
            "Settings, Camera, Formats and choose Most Compatible."
        ),
    }
    return messages.get(
        code,
        _(
            "This file is not a photo we can open. Send a photo in JPEG or PNG format, "
            "for example one taken with your phone."
        ),
    )


def refusal_message(code: str) -> str:
    """What to do about a request the workflow refused (``RequestRefused.code``)."""
    messages = {
        "no_evidence": _(
            "Tell what you did, or add a photo or a link: the trainer needs something to look at."
        ),
        "too_long": _(
            "Your text is too long. Keep it to a few sentences (at most %(limit)s characters).",
            limit=NARRATIVE_LIMIT,
        ),
        "bad_link": _(
            "This link is not a web address. Copy it from your browser: it starts with https://"
        ),
        "too_many_photos": _("You can send at most %(limit)s photos at once.", limit=PHOTO_LIMIT),
        "too_many_links": _("You can send at most one link here."),
        "already_held": _("You already hold this badge."),
        "not_a_member": _(
            "This person is not in this course. Open Chemins from their course to ask with them."
        ),
        "not_a_facilitator": _("Only a trainer of this course can fill a request with a learner."),
        "wrong_state": _("This request can no longer be changed."),
    }
    return messages.get(code, _("This request cannot be sent. Please go back and try again."))


def _uploads() -> list[FileStorage]:
    """The files actually chosen (an empty file input still sends an empty part)."""
    chosen: list[FileStorage] = []
    for name in PHOTO_FIELDS:
        chosen.extend(f for f in request.files.getlist(name) if f.filename or f.content_length)
    return chosen


def _read(upload: FileStorage) -> bytes:
    """The file's bytes, never more than one byte past the photo limit (then refused)."""
    return upload.stream.read(MAX_UPLOAD_BYTES + 1)


def read_evidence_form() -> EvidenceForm:
    """The evidence form of this request; ``error`` says what to do when it cannot be used."""
    form = EvidenceForm(
        narrative=request.form.get("narrative", ""),
        link=request.form.get("link", ""),
        caption=request.form.get("caption", "")[: CAPTION_LIMIT * 2],
    )
    if len(form.caption.strip()) > CAPTION_LIMIT:
        form.error = _(
            "The words about the photos are too long (at most %(limit)s characters).",
            limit=CAPTION_LIMIT,
        )
        return form
    uploads = _uploads()
    if len(uploads) > PHOTO_LIMIT:
        form.error = refusal_message("too_many_photos")
        return form
    for upload in uploads:
        try:
            form.photos.append(process_photo(_read(upload)))
        except PhotoRefused as refused:
            form.error = photo_message(refused.code)
            form.photos = []
            return form
    return form
