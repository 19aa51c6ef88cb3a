"""Assertions (one award: OB 2.0 Assertion / OB 3.0 OpenBadgeCredential) and evidence.

The recipient is kept as the platform gave it (e-mail when the LMS shares it, else the
LTI ``sub`` and issuer); what is published is a salted hash. When the recipient is a
Person Chemins knows (someone launched from a platform), the award also points at them
(``recipient_person_id``): that key, not the strings, says whose award it is, so a
person's awards are found, exported or erased by key. Awards to someone outside every
platform (by e-mail only: the demo, the command line) have no person. The signed forms
are stored at issue time because a signed credential is immutable.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from badges.models.columns import UTCDateTime, new_id, utcnow
from badges.storage.database import Base

if TYPE_CHECKING:
    from badges.models.badge_request import BadgeRequest
    from badges.models.person import Person


class Assertion(Base):
    __tablename__ = "assertion"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    badge_class_id: Mapped[str] = mapped_column(ForeignKey("badge_class.id"), index=True)
    recipient_name: Mapped[str | None] = mapped_column(String(200))
    recipient_email: Mapped[str | None] = mapped_column(String(254))
    recipient_lti_sub: Mapped[str | None] = mapped_column(String(255))
    recipient_lti_issuer: Mapped[str | None] = mapped_column(String(500))
    #: The Person who received the award, when they are one Chemins knows (None for an
    #: award by e-mail only to someone outside every platform).
    recipient_person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"), index=True)
    recipient_salt: Mapped[str] = mapped_column(String(64))
    recipient_public: Mapped[bool] = mapped_column(default=False)
    narrative: Mapped[str | None] = mapped_column(Text)
    issued_on: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    signing_kid: Mapped[str | None] = mapped_column(ForeignKey("signing_key.kid"))
    ob2_jws: Mapped[str | None] = mapped_column(Text)
    ob3_jwt: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    badge_class = relationship("BadgeClass")
    recipient_person: Mapped[Person | None] = relationship()
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="assertion", cascade="all, delete-orphan", order_by="Evidence.id"
    )

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class Evidence(Base):
    """Evidence of a request or an award: a few sentences, a link or a photo.

    Evidence is given with a request (``request_id``); when the request is accepted the
    same rows also belong to the award (``assertion_id``), so what the learner showed is
    what the badge carries. Private until its owner makes it public (``public``): only
    the person and the trainers of the request's course see it until then.

    A photo's bytes are kept in the database (``content``, re-encoded without EXIF by
    :mod:`badges.images.photos`), so every web worker on every host serves it and one
    backup holds everything (decision 0026). The column is deferred: lists of evidence
    never load the pictures.
    """

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    assertion_id: Mapped[str | None] = mapped_column(ForeignKey("assertion.id"), index=True)
    request_id: Mapped[str | None] = mapped_column(ForeignKey("badge_request.id"), index=True)
    #: Who gave it (the learner, or the facilitator beside them).
    added_by_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"))
    narrative: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))
    name: Mapped[str | None] = mapped_column(String(200))
    genre: Mapped[str | None] = mapped_column(String(100))
    public: Mapped[bool] = mapped_column(default=False)
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    media_type: Mapped[str | None] = mapped_column(String(50))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    assertion: Mapped[Assertion | None] = relationship(back_populates="evidence")
    request: Mapped[BadgeRequest | None] = relationship(back_populates="evidence")

    @property
    def is_photo(self) -> bool:
        return self.media_type is not None
