"""Endorsements (OB 2.0 Endorsement / OB 3.0 EndorsementCredential).

The subject is an assertion (a peer, a trainer or an internship host vouches for one
award), a badge class (a partner vouches for the badge) or a profile.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from badges.models.columns import UTCDateTime, new_id, utcnow
from badges.storage import Base


class Endorsement(Base):
    __tablename__ = "endorsement"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    community_id: Mapped[str] = mapped_column(ForeignKey("community.id"), index=True)
    subject_kind: Mapped[str] = mapped_column(String(20))  # assertion | badge_class | profile
    subject_id: Mapped[str] = mapped_column(String(36), index=True)
    endorser_id: Mapped[str] = mapped_column(ForeignKey("profile.id"))
    comment: Mapped[str] = mapped_column(Text)
    issued_on: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revocation_reason: Mapped[str | None] = mapped_column(Text)

    endorser = relationship("Profile")

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
