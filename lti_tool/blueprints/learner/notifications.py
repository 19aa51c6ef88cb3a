"""``/course/notifications``: what happened to a person's requests, badges and proposals.

Every launched person (learner or trainer) has one list: their own notifications, newest
first, each in plain words in the page's language and linking to the page where they
can act (their request, the request to review, the proposal). "Mark all as read" posts
to ``/course/notifications/read`` and comes back (303). Nothing here reaches another
person's rows: the person is the launch's, never a parameter.

The homes and the course navigation show the unread count: :func:`notification_count`
is a Jinja global (0 outside a launch), one indexed COUNT per page.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, redirect, render_template
from flask_babel import format_datetime, gettext
from werkzeug.wrappers import Response

from badges.recognition import notifying as n
from badges.recognition.notifying import Notice
from badges.storage.database import transaction
from lti_tool.blueprints.learner import bp
from lti_tool.launch_handle import current_launch, requires_launch, url_for_launch
from lti_tool.runtime_access import runtime_of

LIMIT = 30
#: The page each kind leads to, and the argument it takes (from the notice).
_TARGETS: dict[str, tuple[str, str]] = {
    n.REQUEST_SUBMITTED: ("trainer.review", "request_id"),
    n.REQUEST_UPDATED: ("trainer.review", "request_id"),
    n.REQUEST_TO_CONFIRM: ("learner.request", "request_id"),
    n.CHANGES_REQUESTED: ("learner.request", "request_id"),
    n.REQUEST_ACCEPTED: ("learner.request", "request_id"),
    n.REQUEST_DECLINED: ("learner.request", "request_id"),
    n.PROPOSAL_SUBMITTED: ("trainer.proposal", "badge_id"),
    n.PROPOSAL_CHANGES_REQUESTED: ("learner.proposal", "badge_id"),
    n.PROPOSAL_PUBLISHED: ("learner.proposal", "badge_id"),
    n.PROPOSAL_DECLINED: ("learner.proposal", "badge_id"),
}


@dataclass(frozen=True)
class ShownNotice:
    """One line of the list: the sentence, where it leads (if anywhere), when, read or not."""

    id: int
    text: str
    url: str | None
    when: str
    #: ``when`` as ISO 8601, for the ``<time datetime>`` attribute.
    iso: str
    read: bool


def wording(notice: Notice) -> str:
    """``notice`` as one plain sentence in the page's language."""
    badge = notice.badge_name or gettext("a badge without a name")
    person = notice.about_name or gettext("Someone in your course")
    texts = {
        n.REQUEST_SUBMITTED: lambda: gettext(
            "%(person)s asks for the badge “%(badge)s”.", person=person, badge=badge
        ),
        n.REQUEST_UPDATED: lambda: gettext(
            "%(person)s added to the request for the badge “%(badge)s”.",
            person=person,
            badge=badge,
        ),
        n.REQUEST_TO_CONFIRM: lambda: gettext(
            "A request for the badge “%(badge)s” was prepared with you: confirm it so "
            "that it is sent.",
            badge=badge,
        ),
        n.CHANGES_REQUESTED: lambda: gettext(
            "You are asked to add something to your request for the badge “%(badge)s”.",
            badge=badge,
        ),
        n.REQUEST_ACCEPTED: lambda: gettext(
            "Your request for the badge “%(badge)s” was accepted: the badge is yours.",
            badge=badge,
        ),
        n.REQUEST_DECLINED: lambda: gettext(
            "Your request for the badge “%(badge)s” was not accepted. Open it to read why.",
            badge=badge,
        ),
        n.BADGE_AWARDED: lambda: gettext("You received the badge “%(badge)s”.", badge=badge),
        n.BADGE_REVOKED: lambda: gettext(
            "The badge “%(badge)s” was withdrawn from you.", badge=badge
        ),
        n.PROPOSAL_SUBMITTED: lambda: gettext(
            "%(person)s proposes a new badge: “%(badge)s”.", person=person, badge=badge
        ),
        n.PROPOSAL_CHANGES_REQUESTED: lambda: gettext(
            "You are asked to change your badge proposal “%(badge)s”.", badge=badge
        ),
        n.PROPOSAL_PUBLISHED: lambda: gettext(
            "Your badge “%(badge)s” is published, with your name among its creators.",
            badge=badge,
        ),
        n.PROPOSAL_DECLINED: lambda: gettext(
            "Your badge proposal “%(badge)s” was not accepted. Open it to read why.",
            badge=badge,
        ),
    }
    return texts[notice.kind]()


def _endpoint_exists(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def target_url(notice: Notice) -> str | None:
    """The page where the person acts on ``notice``, when that page exists."""
    target = _TARGETS.get(notice.kind)
    if target is None:
        return _home_url()
    endpoint, argument = target
    value = notice.request_id if argument == "request_id" else notice.badge_class_id
    if value is None or not _endpoint_exists(endpoint):
        return None
    return url_for_launch(endpoint, **{argument: value})


def _home_url() -> str | None:
    """The launched person's home (the trainer's for trainers), when it exists."""
    launch = current_launch()
    candidates = ["trainer.home"] if launch.role in ("trainer", "admin") else []
    candidates += ["learner.home", "learner.wall"]
    for endpoint in candidates:
        if _endpoint_exists(endpoint):
            return url_for_launch(endpoint)
    return None


def notification_count() -> int:
    """Unread notifications of the launched person (0 outside a launch); once per request."""
    launch = g.get("launch")
    if launch is None:
        return 0
    cached = g.get("_notification_count")
    if cached is None:
        with transaction(runtime_of(current_app).sessions) as session:
            cached = n.unread_count(session, launch.person_id)
        g._notification_count = cached
    return int(cached)


bp.record_once(
    lambda state: state.app.jinja_env.globals.update(notification_count=notification_count)
)


@bp.get("/notifications")
@requires_launch()
def notifications() -> str:
    """The launched person's notifications, newest first."""
    launch = current_launch()
    with transaction(runtime_of(current_app).sessions) as session:
        notices = n.recent(session, launch.person_id, limit=LIMIT)
    shown = [
        ShownNotice(
            notice.id,
            wording(notice),
            target_url(notice),
            format_datetime(notice.created_at, "short"),
            notice.created_at.isoformat(),
            notice.read,
        )
        for notice in notices
    ]
    return render_template(
        "learner/notifications.html",
        launch=launch,
        notices=shown,
        unread=sum(1 for s in shown if not s.read),
        home_url=_home_url(),
    )


@bp.post("/notifications/read")
@requires_launch()
def notifications_read() -> Response:
    """Mark all of the launched person's notifications read, then show the list again."""
    launch = current_launch()
    with transaction(runtime_of(current_app).sessions) as session:
        n.mark_read(session, launch.person_id)
    return redirect(url_for_launch("learner.notifications"), code=303)
