"""``/course/ask/<badge_id>``: asking for a badge with a few sentences, photos, a link.

One screen between the badge and a sent request, on a phone, inside the LMS iframe: a
multipart form that carries the launch handle (no cookie needed), no JavaScript. The
badge must be one the launch's community published; the request is made in the
launch's course, whose trainers review it.

Accompanied mode (``?for=<person id>``, kept in the form): a trainer of the course fills
the request with and for a learner of the same course who struggles with the phone; it
is recorded as such and waits for the learner's confirmation on their next visit.

Photos are made safe before anything is written (:mod:`.evidence_form`); the request and
its evidence are then written in one transaction, or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, redirect, render_template, request
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response

from badges.courses import people
from badges.courses.awards import held_by
from badges.models import BadgeClass, Context, Person
from badges.publishing.public_urls import PublicUrls
from badges.recognition.badge_classes import PUBLISHED
from badges.recognition.requests import RequestRefused, active_request, request_badge
from badges.roles import may_review
from badges.storage.database import transaction
from lti_tool.blueprints.learner import bp
from lti_tool.blueprints.learner.evidence_form import (
    EvidenceForm,
    read_evidence_form,
    refusal_message,
)
from lti_tool.launch_handle import LaunchContext, current_launch, requires_launch, url_for_launch
from lti_tool.runtime_access import runtime_of


@dataclass
class Asking:
    """Who asks for which badge, in which course, and who helps (accompanied mode)."""

    badge: BadgeClass
    context: Context
    person: Person  # the future recipient
    helper: Person | None  # the trainer filling it with them, if any


def _course(session: Session, launch: LaunchContext) -> Context:
    """The launch's course; a request needs one (a clear 400 otherwise)."""
    context = session.get(Context, launch.context_pk) if launch.context_pk else None
    if context is None:
        refused = BadRequest()
        refused.chemins_message = _(  # type: ignore[attr-defined]
            "A badge is asked for from a course. Open Chemins from your course, then ask again."
        )
        raise refused
    return context


def _published_badge(session: Session, launch: LaunchContext, badge_id: str) -> BadgeClass:
    """A badge the launch's community published, or 404 (drafts, archived, elsewhere)."""
    badge = session.get(BadgeClass, badge_id)
    if badge is None or badge.community_id != launch.community_id or badge.status != PUBLISHED:
        abort(404)
    return badge


def _asking(session: Session, launch: LaunchContext, badge_id: str) -> Asking:
    badge = _published_badge(session, launch, badge_id)
    context = _course(session, launch)
    me = session.get(Person, launch.person_id)
    assert me is not None  # the launch's own person
    for_id = request.values.get("for")
    if not for_id:
        return Asking(badge, context, me, None)
    # Only a trainer of this very course fills a request for one of its members; anyone
    # else, or anyone outside the course, finds nothing here.
    if not may_review(launch.role) or for_id == me.id:
        abort(404)
    learner = session.get(Person, for_id)
    if learner is None or people.membership(session, context, learner.id) is None:
        abort(404)
    return Asking(badge, context, learner, me)


def _page(
    asking: Asking, form: EvidenceForm | None, error: str | None = None, held_url: str | None = None
) -> str:
    urls = _urls()
    return render_template(
        "learner/ask.html",
        badge=asking.badge,
        learner=asking.person if asking.helper is not None else None,
        image_url=urls.path_of(urls.badge_image(asking.badge.id)),
        form=form,
        error=error,
        held_url=held_url,
        back_url=_home_url(asking),
    )


def _urls() -> PublicUrls:
    return PublicUrls(runtime_of(current_app).instance.origin)


def _held_page(session: Session, asking: Asking) -> tuple[str, int] | None:
    """The page that says the badge is already held (with a link to it), if it is."""
    holding = held_by(session, asking.badge, asking.person)
    if holding is None:
        return None
    urls = _urls()
    page_url = urls.path_of(urls.human_badge(holding.id))
    said = refusal_message("already_held")
    if asking.helper is not None:
        name = asking.person.display_name or _("This learner")
        said = _("%(name)s already holds this badge.", name=name)
    return _page(asking, None, said, held_url=page_url), 409


def _home_url(asking: Asking) -> str:
    """Where the person goes back to: their home, or the trainer's for a helper."""
    if asking.helper is not None:
        return url_for_launch("trainer.home")
    return url_for_launch("learner.home")


@bp.route("/ask/<badge_id>", methods=["GET", "POST"])
@requires_launch()
def ask(badge_id: str) -> Response | tuple[str, int] | str:
    """The ask form (GET), and sending it (POST): 303 to the request, or the form again."""
    launch = current_launch()
    runtime = runtime_of(current_app)
    with transaction(runtime.sessions) as session:
        asking = _asking(session, launch, badge_id)
        held = _held_page(session, asking)
        if held is not None:
            return held if request.method == "POST" else (held[0], 200)
        existing = active_request(session, asking.badge, asking.person)
        if existing is not None:
            return _after(asking, existing.id, sent=False)
        if request.method == "GET":
            return _page(asking, None)
    form = read_evidence_form()
    if form.error:
        return _again(launch, badge_id, form, form.error)
    try:
        with transaction(runtime.sessions) as session:
            asking = _asking(session, launch, badge_id)
            made = request_badge(
                session,
                asking.badge,
                asking.person,
                asking.context,
                form.given(),
                accompanied_by=asking.helper,
            )
            made_id = made.id
    except RequestRefused as refused:
        # The transaction was rolled back: nothing of the request was written.
        if refused.code == "already_asked" and refused.request_id:
            with transaction(runtime.sessions) as session:
                return _after(_asking(session, launch, badge_id), refused.request_id, sent=False)
        if refused.code in ("not_published", "other_community", "not_yours"):
            abort(404)
        return _again(launch, badge_id, form, refusal_message(refused.code), refused.code)
    with transaction(runtime.sessions) as session:
        return _after(_asking(session, launch, badge_id), made_id, sent=True)


def _again(
    launch: LaunchContext, badge_id: str, form: EvidenceForm, error: str, code: str | None = None
) -> tuple[str, int]:
    """The form again, as typed (photos must be chosen again), with what to do: 400."""
    with transaction(runtime_of(current_app).sessions) as session:
        asking = _asking(session, launch, badge_id)
        held = _held_page(session, asking) if code == "already_held" else None
        return held or (_page(asking, form, error), 400)


def _after(asking: Asking, request_id: str, *, sent: bool) -> Response:
    """Where a sent (or already sent) request leads: its page for the learner; for the
    trainer who filled it, their home (or, for a request already there, its review)."""
    if asking.helper is not None:
        if not sent:
            return redirect(url_for_launch("trainer.review", request_id=request_id), code=303)
        return redirect(url_for_launch("trainer.home"), code=303)
    values = {"sent": "1"} if sent else {}
    return redirect(url_for_launch("learner.request", request_id=request_id, **values), code=303)
