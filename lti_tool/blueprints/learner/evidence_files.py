"""``/course/evidence/<id>``: a photo given as evidence, and who decides it is public.

The bytes live in the database (decision 0026) and are served here only to the person
the evidence speaks for and to the trainers (and admins) of the request's course,
launched from the same deployment: everyone else gets a 404, as if it did not exist.
The answer is never cached by a shared cache and never sniffed into something else
than the image type it was re-encoded as.

``/course/evidence/<id>/visibility`` lets the owner alone make a piece public (it then
shows with the badge) or private again (:mod:`badges.recognition.evidence`).
"""

from __future__ import annotations

from flask import Response, abort, current_app, redirect, request
from sqlalchemy.orm import Session

from badges.courses import people
from badges.models import Evidence, Person
from badges.recognition.evidence import VisibilityRefused, owner_id, set_evidence_public
from badges.roles import may_see_evidence
from badges.storage.database import transaction
from lti_tool.blueprints.learner import bp
from lti_tool.launch_handle import LaunchContext, current_launch, requires_launch, url_for_launch
from lti_tool.runtime_access import runtime_of

#: What we store (photos are re-encoded to one of these); anything else is not served.
SERVED_TYPES = ("image/jpeg", "image/png")


def _viewer_role(session: Session, launch: LaunchContext, evidence: Evidence) -> str | None:
    """The launched person's role in the course the evidence was given in (same deployment)."""
    found = evidence.request
    if found is None or found.context.deployment_id != launch.deployment_pk:
        return None
    member = people.membership(session, found.context, launch.person_id)
    return member.role if member is not None else None


def _in_community(evidence: Evidence, launch: LaunchContext) -> bool:
    found = evidence.request
    badge = found.badge_class if found is not None else None
    if badge is None and evidence.assertion is not None:
        badge = evidence.assertion.badge_class
    return badge is not None and badge.community_id == launch.community_id


@bp.get("/evidence/<int:evidence_id>")
@requires_launch()
def evidence_file(evidence_id: int) -> Response:
    """The photo's bytes, for its owner and the trainers of its course; else 404."""
    launch = current_launch()
    with transaction(runtime_of(current_app).sessions) as session:
        evidence = session.get(Evidence, evidence_id)
        if evidence is None or not evidence.is_photo or evidence.media_type not in SERVED_TYPES:
            abort(404)
        if not _in_community(evidence, launch):
            abort(404)
        role = _viewer_role(session, launch, evidence)
        # The course route shows private pieces: "public" opens the public route only.
        if not may_see_evidence(
            launch.person_id, owner_id(evidence), viewer_role=role, public=False
        ):
            abort(404)
        data, media_type = evidence.content or b"", evidence.media_type
    response = Response(data, mimetype=media_type)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    return response


@bp.post("/evidence/<int:evidence_id>/visibility")
@requires_launch()
def evidence_visibility(evidence_id: int) -> Response:
    """The owner makes a piece public (``public=yes``) or private (``public=no``)."""
    launch = current_launch()
    choice = request.form.get("public")
    if choice not in ("yes", "no"):
        abort(400)
    runtime = runtime_of(current_app)
    try:
        with transaction(runtime.sessions) as session:
            evidence = session.get(Evidence, evidence_id)
            person = session.get(Person, launch.person_id)
            if evidence is None or person is None or not _in_community(evidence, launch):
                abort(404)
            set_evidence_public(session, runtime, evidence, person, choice == "yes")
            request_id = evidence.request_id
    except VisibilityRefused:
        abort(404)  # someone else's evidence: as if it did not exist
    if request_id is None:
        return redirect(url_for_launch("learner.home", done="name"), code=303)
    target = url_for_launch("learner.request", request_id=request_id, done="visibility")
    return redirect(target, code=303)
