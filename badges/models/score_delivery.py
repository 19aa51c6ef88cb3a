"""Score deliveries: the outbox of grades owed to a platform's gradebook.

When a learner receives a badge that a trainer placed as a graded activity, the tool
owes the platform a ``Completed``/``FullyGraded`` score. The row is written in the same
transaction as the award, then sent; a platform that is down or refuses for a while
does not lose the grade, and a failed delivery never fails the award. The score's
``timestamp`` is fixed when the row is written, so a retry sends the same score and
cannot overwrite a newer one the platform holds (it answers 409: "superseded").
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from badges.models.columns import UTCDateTime, new_id, utcnow
from badges.models.person import Person, ResourceLink
from badges.storage.database import Base

PENDING = "pending"
SENT = "sent"
SUPERSEDED = "superseded"
FAILED = "failed"


class ScoreDelivery(Base):
    __tablename__ = "score_delivery"
    __table_args__ = (UniqueConstraint("assertion_id", "resource_link_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    assertion_id: Mapped[str] = mapped_column(ForeignKey("assertion.id"), index=True)
    resource_link_id: Mapped[str] = mapped_column(ForeignKey("lti_resource_link.id"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    lineitem_url: Mapped[str] = mapped_column(String(1000))
    user_sub: Mapped[str] = mapped_column(String(255))
    score_given: Mapped[float] = mapped_column(Float)
    score_maximum: Mapped[float] = mapped_column(Float)
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    resource_link: Mapped[ResourceLink] = relationship()
    person: Mapped[Person] = relationship()
