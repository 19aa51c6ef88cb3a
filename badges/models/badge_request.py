"""Requests: a person asks for a badge, with evidence, and a trainer reviews it.

A request is the learner's side of an award. It lives in a course (the trainers of that
course review it) and moves through plain states: ``to_confirm`` (a facilitator filled
it with and for the learner, who confirms it on their next visit), ``open`` (waiting for
a trainer), ``changes_requested`` (the trainer asked to improve it; the learner updates
the same request), then ``accepted`` (the badge was awarded: ``assertion_id``),
``declined`` (with a reason) or ``withdrawn`` (by the learner). Every step is an event,
so the history stays visible to both sides.

At most one request per person and badge class is active (not finished) at a time: a
partial unique index makes a double-submitted form, or two tabs, land on one request.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from badges.models.columns import UTCDateTime, new_id, utcnow
from badges.storage.database import Base

if TYPE_CHECKING:
    from badges.models.assertion import Evidence
    from badges.models.badge_class import BadgeClass
    from badges.models.person import Context, Person

TO_CONFIRM = "to_confirm"
OPEN = "open"
CHANGES_REQUESTED = "changes_requested"
ACCEPTED = "accepted"
DECLINED = "declined"
WITHDRAWN = "withdrawn"
#: States in which a request is still going somewhere (one per person and badge).
ACTIVE = (TO_CONFIRM, OPEN, CHANGES_REQUESTED)
STATES = (*ACTIVE, ACCEPTED, DECLINED, WITHDRAWN)

# Event kinds: what happened to a request, in the order people did it.
SUBMITTED = "submitted"
CONFIRMED = "confirmed"
UPDATED = "updated"
EVENT_KINDS = (SUBMITTED, CONFIRMED, UPDATED, CHANGES_REQUESTED, ACCEPTED, DECLINED, WITHDRAWN)

_ACTIVE_SQL = "state IN ('to_confirm', 'open', 'changes_requested')"


class BadgeRequest(Base):
    __tablename__ = "badge_request"
    __table_args__ = (
        Index(
            "uq_badge_request_active",
            "person_id",
            "badge_class_id",
            unique=True,
            sqlite_where=text(_ACTIVE_SQL),
            postgresql_where=text(_ACTIVE_SQL),
        ),
        Index("ix_badge_request_context_state", "context_id", "state"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    badge_class_id: Mapped[str] = mapped_column(ForeignKey("badge_class.id"), index=True)
    #: The person who asks (the future recipient).
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    #: The course it was asked in: its trainers review it, its gradebook gets the score.
    context_id: Mapped[str] = mapped_column(ForeignKey("lti_context.id"))
    state: Mapped[str] = mapped_column(String(20), default=OPEN)
    #: The facilitator who filled the request with and for the learner (accompanied mode).
    accompanied_by_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"))
    #: The award an accepted request became.
    assertion_id: Mapped[str | None] = mapped_column(ForeignKey("assertion.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    badge_class: Mapped[BadgeClass] = relationship()
    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    context: Mapped[Context] = relationship()
    accompanied_by: Mapped[Person | None] = relationship(foreign_keys=[accompanied_by_id])
    events: Mapped[list[RequestEvent]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="RequestEvent.id"
    )
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="request", order_by="Evidence.id"
    )

    @property
    def active(self) -> bool:
        return self.state in ACTIVE


class RequestEvent(Base):
    """One step of a request's history: who did what, with their comment."""

    __tablename__ = "badge_request_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("badge_request.id"), index=True)
    actor_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"))
    kind: Mapped[str] = mapped_column(String(30))
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    request: Mapped[BadgeRequest] = relationship(back_populates="events")
    actor: Mapped[Person | None] = relationship()
