"""The one-time confirmation a trainer sees after awarding a badge.

It lives on the awarder's own launch session, written in the award's transaction,
never in the URL: a recipient who chose to stay hidden is named to the trainer who
just awarded them, not to whoever opens ``?awarded=<id>``. What became of the grade is
added once the award is committed; the badge page shows the notice once, then clears it.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from badges.models import Assertion, BadgeClass, LaunchSession
from badges.models.score_delivery import FAILED, PENDING, SENT
from badges.publishing.public_urls import PublicUrls
from badges.storage.database import transaction
from lti_tool.launch_handle import LaunchContext
from lti_tool.runtime_access import runtime_of

#: The kind of launch-session notice an award leaves.
AWARDED = "awarded"


def remember_award(session: Session, launch: LaunchContext, assertion_id: str) -> None:
    """Leave the awarder's next page a one-time notice of the award."""
    row = session.get(LaunchSession, launch.session_id)
    if row is not None:
        row.notice = {"kind": AWARDED, "assertion": assertion_id, "grade": ""}


def note_grade(launch: LaunchContext, assertion_id: str, grade: str) -> None:
    """Add what became of the grade to the notice (known only after the award's commit)."""
    with transaction(runtime_of(current_app).sessions) as session:
        row = session.get(LaunchSession, launch.session_id)
        notice = row.notice if row is not None else None
        if (
            row is not None
            and isinstance(notice, Mapping)
            and notice.get("assertion") == assertion_id
        ):
            row.notice = {**notice, "grade": grade}


def awarded_notice(
    session: Session, launch: LaunchContext, badge: BadgeClass, urls: PublicUrls
) -> dict[str, str | None] | None:
    """The confirmation of this launch session's last award, shown once then cleared."""
    row = session.get(LaunchSession, launch.session_id)
    notice = row.notice if row is not None else None
    if row is None or not isinstance(notice, Mapping) or notice.get("kind") != AWARDED:
        return None
    row.notice = None
    assertion_id = notice.get("assertion")
    assertion = session.get(Assertion, assertion_id) if isinstance(assertion_id, str) else None
    if assertion is None or assertion.badge_class_id != badge.id:
        return None
    grade = notice.get("grade")
    return {
        "id": assertion.id,
        "name": assertion.recipient_name or _("the learner"),
        "grade": grade if grade in (SENT, PENDING, FAILED) else "",
        "url": urls.path_of(urls.human_badge(assertion.id)),
    }
