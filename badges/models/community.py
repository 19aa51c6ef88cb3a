"""Communities (the organisations that issue) and Profiles (issuers, partners, people).

A Profile is what Open Badges calls an Issuer/Profile: the community's own issuer
profile, and later partner organisations and members who create badges.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from badges.models.columns import UTCDateTime, new_id, utcnow
from badges.storage import Base


class Community(Base):
    __tablename__ = "community"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    language: Mapped[str] = mapped_column(String(10), default="fr")
    #: Whether a course member who is both a learner and a teaching assistant (Open
    #: edX's forum "Community TA") may award badges; see decision 0018.
    teaching_assistants_award: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    profiles: Mapped[list[Profile]] = relationship(back_populates="community")

    @property
    def issuer(self) -> Profile:
        """The community's issuer profile (exactly one per community)."""
        for profile in self.profiles:
            if profile.kind == "issuer":
                return profile
        raise LookupError(f"community {self.slug} has no issuer profile")


class Profile(Base):
    __tablename__ = "profile"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    community_id: Mapped[str] = mapped_column(ForeignKey("community.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="issuer")  # issuer | partner | person
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(254))
    description: Mapped[str | None] = mapped_column(Text)
    verified: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    community: Mapped[Community] = relationship(back_populates="profiles")
