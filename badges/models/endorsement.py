"""Endorsements (OB 2.0 Endorsement / OB 3.0 EndorsementCredential).

The subject is an assertion (a peer, a trainer or an internship host vouches for one
award), a badge class (a partner vouches for the badge) or a profile. Each is a real
foreign key, and the database holds every endorsement to exactly one of them
(``ck_endorsement_one_subject``): an endorsement of nothing, or of two things at once,
cannot be written, and one whose subject is gone cannot stay.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from badges.models.columns import UTCDateTime, new_id, utcnow
from badges.storage.database import Base

if TYPE_CHECKING:
    from badges.models.assertion import Assertion
    from badges.models.badge_class import BadgeClass
    from badges.models.community import Profile

ASSERTION = "assertion"
BADGE_CLASS = "badge_class"
PROFILE = "profile"

#: Exactly one subject is set; written with CASE so SQLite and PostgreSQL read it alike.
ONE_SUBJECT = (
    "(CASE WHEN assertion_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN badge_class_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN profile_id IS NULL THEN 0 ELSE 1 END) = 1"
)


class Endorsement(Base):
    __tablename__ = "endorsement"
    __table_args__ = (CheckConstraint(ONE_SUBJECT, name="one_subject"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    community_id: Mapped[str] = mapped_column(ForeignKey("community.id"), index=True)
    #: The endorsed award, badge class or profile: exactly one is set.
    assertion_id: Mapped[str | None] = mapped_column(ForeignKey("assertion.id"), index=True)
    badge_class_id: Mapped[str | None] = mapped_column(ForeignKey("badge_class.id"), index=True)
    profile_id: Mapped[str | None] = mapped_column(ForeignKey("profile.id"), index=True)
    endorser_id: Mapped[str] = mapped_column(ForeignKey("profile.id"))
    comment: Mapped[str] = mapped_column(Text)
    issued_on: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    #: The OB 3.0 EndorsementCredential signed as a VC-JWT (decision 0023); None until
    #: signed (endorsements made before 0012 are signed the first time they are served).
    ob3_jwt: Mapped[str | None] = mapped_column(Text)

    endorser: Mapped[Profile] = relationship(foreign_keys=[endorser_id])
    assertion: Mapped[Assertion | None] = relationship()
    badge_class: Mapped[BadgeClass | None] = relationship()
    profile: Mapped[Profile | None] = relationship(foreign_keys=[profile_id])

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def subject_kind(self) -> str:
        """What is endorsed: :data:`ASSERTION`, :data:`BADGE_CLASS` or :data:`PROFILE`.

        Pages word an endorsement by it ("endorses this award" or "this badge"); the
        publishing code reads the foreign keys themselves.
        """
        if self.assertion_id is not None:
            return ASSERTION
        if self.badge_class_id is not None:
            return BADGE_CLASS
        return PROFILE
