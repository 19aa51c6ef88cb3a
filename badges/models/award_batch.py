"""An award to many: a trainer's selection from the roster, awarded a few at a time.

Signing a badge and owing a grade takes a moment per person; a class of thirty would
keep one request waiting too long, and a lost connection would leave the trainer not
knowing who got it. So the selection is stored first (confirmed by the trainer), then
awarded in small steps, each in its own transaction, while the page shows the progress.
A step that is retried never awards twice: awarding is idempotent per person.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from badges.models.columns import UTCDateTime, new_id, utcnow
from badges.storage.database import Base


class AwardBatch(Base):
    __tablename__ = "award_batch"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    badge_class_id: Mapped[str] = mapped_column(ForeignKey("badge_class.id"))
    context_id: Mapped[str] = mapped_column(ForeignKey("lti_context.id"), index=True)
    awarder_id: Mapped[str] = mapped_column(ForeignKey("person.id"))
    narrative: Mapped[str | None] = mapped_column(Text)
    #: The people chosen, in the order they were listed (Person ids).
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: How many of ``recipients`` have been handled.
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: Person id -> the assertion id they hold now, or an error code.
    results: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    badge_class = relationship("BadgeClass")

    @property
    def finished(self) -> bool:
        return self.finished_at is not None
