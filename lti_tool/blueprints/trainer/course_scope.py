"""What a trainer's page may reach: its launch's course, its community's badges and awards.

Every object a trainer's URL names (a request, a batch, a badge, an award) is looked up
here, within the launch: a request or a batch of another course, a badge or an award of
another community answers 404, the same as an id that does not exist, so a trainer of
one deployment learns nothing of another's data (not even that it exists).
"""

from __future__ import annotations

from flask import abort
from sqlalchemy.orm import Session

from badges.models import Assertion, AwardBatch, BadgeClass, BadgeRequest, Context, Person
from badges.recognition.badge_classes import PUBLISHED
from lti_tool.launch_handle import LaunchContext


def launch_course(session: Session, launch: LaunchContext) -> Context | None:
    """The course the launch came from (None when Chemins was opened outside a course)."""
    return session.get(Context, launch.context_pk) if launch.context_pk else None


def launch_person(session: Session, launch: LaunchContext) -> Person:
    """The person who launched (their row exists as long as their launch session does)."""
    person = session.get(Person, launch.person_id)
    if person is None:  # pragma: no cover - the launch session's foreign key holds it
        abort(401)
    return person


def course_request(session: Session, launch: LaunchContext, request_id: str) -> BadgeRequest:
    """A request made in the launch's course, or 404."""
    found = session.get(BadgeRequest, request_id)
    if found is None or launch.context_pk is None or found.context_id != launch.context_pk:
        abort(404)
    return found


def course_batch(session: Session, launch: LaunchContext, batch_id: str) -> AwardBatch:
    """An award batch started in the launch's course, or 404."""
    found = session.get(AwardBatch, batch_id)
    if found is None or launch.context_pk is None or found.context_id != launch.context_pk:
        abort(404)
    return found


def community_badge(session: Session, launch: LaunchContext, badge_id: str) -> BadgeClass:
    """A published badge of the launch's community, or 404 (drafts cannot be awarded)."""
    found = session.get(BadgeClass, badge_id)
    if found is None or found.community_id != launch.community_id or found.status != PUBLISHED:
        abort(404)
    return found


def community_assertion(session: Session, launch: LaunchContext, assertion_id: str) -> Assertion:
    """An award of one of the launch's community's badges, or 404."""
    found = session.get(Assertion, assertion_id)
    if (
        found is None
        or found.badge_class is None
        or found.badge_class.community_id != launch.community_id
    ):
        abort(404)
    return found
